"""The runner's profile as a form a person can fill in: paces, caps, heart rate, the
turn-around and the units, each value checked as it is typed.

Values are kept exactly as given (km/h, a fraction for the backward factor) and only
*shown* in the chosen units, so switching km/h ↔ mph back and forth never drifts a value
by rounding; a value changes only when the person edits it. The checks are the
profile's own (`RunnerProfile.problems()`), so the form and a profile file agree on
what is valid.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from retrocoach.workouts.model import InvalidField
from retrocoach.workouts.profile import KMH_PER_MPH, RunnerProfile, Units

# The spin boxes accept more than is valid, so that a value out of range is explained
# next to the field instead of being silently refused by the box.
SPEED_LIMIT_KMH = 40.0
HR_LIMIT_BPM = 300
TURN_TIME_LIMIT_S = 120.0
LABEL_WIDTH = 150

# How the form names each key, for a summary of what is wrong.
FIELD_NAMES = {
    "name": "name",
    "walk_kmh": "walking speed",
    "run_kmh": "running speed",
    "backward_factor": "backwards %",
    "backward_max_kmh": "backward cap",
    "forward_max_kmh": "forward cap",
    "hr_max": "maximum heart rate",
    "hr_rest": "resting heart rate",
    "hr_ceiling": "heart-rate ceiling",
    "turn_speed_kmh": "turn speed",
    "turn_time_s": "turn time",
    "units": "units",
}

BACKWARD_EXPLAINED = (
    "% of forward speed when going backwards. Backwards costs about 30 % more energy at "
    "the same speed, so about 70 % feels as hard."
)


def _kmh_from(units: Units) -> Callable[[float], float]:
    """Shown speed → km/h."""
    if units is Units.KMH:
        return lambda shown: shown
    return lambda shown: shown * KMH_PER_MPH


class _NumberField(QDoubleSpinBox):
    """A spin box over an exact value that it may show scaled (km/h → mph, 0.7 → 70 %).

    `exact` changes only when the person edits the box; re-showing it in other units
    leaves it as it was."""

    edited = Signal()

    def __init__(
        self,
        exact: float,
        decimals: int,
        step: float,
        limit: float,
        shown: Callable[[float], float] = lambda v: v,
        stored: Callable[[float], float] = lambda v: v,
        suffix: str = "",
    ) -> None:
        super().__init__()
        self.exact = exact
        self._shown, self._stored, self._limit = shown, stored, limit
        self.setDecimals(decimals)
        self.setSingleStep(step)
        self.setSuffix(suffix)
        self.setMinimumWidth(170)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setRange(0.0, shown(limit))
        self.valueChanged.connect(self._on_value_changed)
        self.set_exact(exact)

    def set_exact(self, value: float) -> None:
        self.exact = value
        self.blockSignals(True)
        self.setValue(self._shown(value))
        self.blockSignals(False)

    def rescale(self, shown: Callable[[float], float], stored: Callable[[float], float]) -> None:
        """Show the same exact value through new conversions (new units)."""
        self._shown, self._stored = shown, stored
        self.blockSignals(True)
        self.setRange(0.0, shown(self._limit))
        self.blockSignals(False)
        self.set_exact(self.exact)

    def _on_value_changed(self, value: float) -> None:
        self.exact = self._stored(value)
        self.edited.emit()


class _Field(QWidget):
    """An editor with its problem (red, under it) and an optional hint."""

    def __init__(self, editor: QWidget, hint: str = "") -> None:
        super().__init__()
        self.editor = editor
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.addWidget(editor)
        row.addStretch(1)
        layout.addLayout(row)
        self.problem = QLabel()
        self.problem.setProperty("role", "fieldProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        if hint:
            note = QLabel(hint)
            note.setProperty("role", "formHint")
            note.setWordWrap(True)
            layout.addWidget(note)

    def show_problem(self, text: str) -> None:
        self.problem.setText(f"⚠ {text}" if text else "")
        self.problem.setVisible(bool(text))
        # The editor gets a marked border too (QSS), and the ⚠ says it without colour.
        self.editor.setProperty("invalid", bool(text))
        self.editor.style().unpolish(self.editor)
        self.editor.style().polish(self.editor)


class ProfileForm(QWidget):
    """Every `RunnerProfile` value, grouped for a person; `changed` on every edit."""

    changed = Signal()

    SPEED_KEYS = ("walk_kmh", "run_kmh", "backward_max_kmh", "forward_max_kmh", "turn_speed_kmh")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileForm")
        defaults = RunnerProfile()
        self._units = defaults.units
        self._fields: dict[str, _Field] = {}
        self._numbers: dict[str, _NumberField] = {}
        self._groups: dict[str, QGroupBox] = {}

        self._name = QLineEdit(defaults.name)
        self._name.setMaxLength(60)
        self._name.textEdited.connect(self._on_edit)

        for key in self.SPEED_KEYS:
            self._numbers[key] = self._speed_box(getattr(defaults, key))
        self._numbers["backward_factor"] = _NumberField(
            defaults.backward_factor,
            decimals=0,
            step=5,
            limit=1.0,
            shown=lambda v: v * 100,
            stored=lambda v: v / 100,
            suffix=" %",
        )
        for key in ("hr_max", "hr_rest", "hr_ceiling"):
            self._numbers[key] = _NumberField(
                getattr(defaults, key), decimals=0, step=1, limit=HR_LIMIT_BPM, suffix=" bpm"
            )
        self._numbers["turn_time_s"] = _NumberField(
            defaults.turn_time_s, decimals=1, step=1, limit=TURN_TIME_LIMIT_S, suffix=" s"
        )
        for box in self._numbers.values():
            box.edited.connect(self._on_edit)

        self._age = QSpinBox()
        self._age.setObjectName("ageEditor")
        self._age.setRange(10, 100)
        self._age.setValue(40)
        self._age.setSuffix(" years")
        self._age.setMinimumWidth(150)
        self._age.setAlignment(Qt.AlignmentFlag.AlignRight)
        self._estimate = QPushButton("Set maximum from age")
        self._estimate.setObjectName("estimateMaxHrButton")
        self._estimate.clicked.connect(self._estimate_max_from_age)

        self._kmh = QRadioButton("km/h")
        self._mph = QRadioButton("mph")
        self._unit_group = QButtonGroup(self)
        self._unit_group.addButton(self._kmh)
        self._unit_group.addButton(self._mph)
        self._kmh.setChecked(True)
        self._kmh.toggled.connect(self._on_units_toggled)

        self._build_layout()
        self.set_profile(defaults)

    # ------------------------------------------------------------------ layout

    def _build_layout(self) -> None:
        you = self._group("You")
        you.addRow("Name", self._field("name", self._name))

        paces = self._group("Paces")
        paces.addRow(
            "Walking speed",
            self._field("walk_kmh", hint="Your comfortable brisk walk, going forwards."),
        )
        paces.addRow(
            "Running speed",
            self._field("run_kmh", hint="An easy jog you could keep up while talking."),
        )
        paces.addRow(
            "Backwards",
            self._field("backward_factor", hint=BACKWARD_EXPLAINED),
        )

        caps = self._group("Caps")
        caps.addRow(
            "Backward cap",
            self._field("backward_max_kmh", hint="The belt never goes faster backwards."),
        )
        caps.addRow(
            "Forward cap",
            self._field("forward_max_kmh", hint="The belt never goes faster forwards."),
        )

        heart = self._group("Heart rate")
        heart.addRow(
            "Maximum",
            self._field(
                "hr_max", hint="Measured in a test, or roughly 220 − your age (use the button)."
            ),
        )
        age_row = QHBoxLayout()
        age_row.addWidget(self._age)
        age_row.addWidget(self._estimate)
        age_row.addStretch(1)
        heart.addRow("Age", age_row)
        heart.addRow(
            "Resting",
            self._field("hr_rest", hint="Measured sitting quietly, e.g. just after waking."),
        )
        heart.addRow(
            "Ceiling",
            self._field(
                "hr_ceiling",
                hint="Above this for 10 s, the coach slows the belt down step by step.",
            ),
        )

        turn = self._group("Turn-around")
        turn.addRow(
            "Turn speed",
            self._field("turn_speed_kmh", hint="The belt slows to this before you turn round."),
        )
        turn.addRow(
            "Turn time",
            self._field("turn_time_s", hint="How long it stays that slow while you turn."),
        )

        units = self._group("Units")
        unit_row = QHBoxLayout()
        unit_row.setSpacing(24)
        unit_row.addWidget(self._kmh)
        unit_row.addWidget(self._mph)
        unit_row.addStretch(1)
        units.addRow("Speeds in", unit_row)

        # The same label width in every group, so the fields line up across groups.
        for form in (you, paces, caps, heart, turn, units):
            for row in range(form.rowCount()):
                item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                label = item.widget() if item is not None else None
                if label is not None:
                    label.setMinimumWidth(LABEL_WIDTH)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(12)
        left = QVBoxLayout()
        right = QVBoxLayout()
        for title in ("You", "Paces", "Caps"):
            left.addWidget(self._groups[title])
        for title in ("Heart rate", "Turn-around", "Units"):
            right.addWidget(self._groups[title])
        left.addStretch(1)
        right.addStretch(1)
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

    def _group(self, title: str) -> QFormLayout:
        box = QGroupBox(title, self)  # owned by the form from the start
        box.setProperty("role", "formGroup")
        self._groups[title] = box
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return form

    def _field(self, key: str, editor: QWidget | None = None, hint: str = "") -> _Field:
        field = _Field(editor or self._numbers[key], hint)
        field.editor.setObjectName(f"{key}Editor")
        self._fields[key] = field
        return field

    def _speed_box(self, kmh: float) -> _NumberField:
        units = self._units
        return _NumberField(
            kmh,
            decimals=1,
            step=0.1,
            limit=SPEED_LIMIT_KMH,
            shown=units.from_kmh,
            stored=_kmh_from(units),
            suffix=f" {units.symbol}",
        )

    # ------------------------------------------------------------------ values

    def set_profile(self, profile: RunnerProfile) -> None:
        """Show `profile` (no `changed`: nothing was edited)."""
        self._name.setText(profile.name)
        for key, box in self._numbers.items():
            box.set_exact(float(getattr(profile, key)))
        self._show_units(profile.units)
        self._check()

    def profile(self) -> RunnerProfile | None:
        """The profile as filled in, speeds in km/h; None while a value is invalid."""
        if self.problems():
            return None
        return RunnerProfile(**self._values())

    def problems(self) -> list[InvalidField]:
        """The profile's own checks on the values as they stand, each naming its key."""
        return _unchecked_profile(self._values()).problems()

    def problem_summary(self) -> str:
        """The fields in trouble, named as the form names them ("" when all is well)."""
        keys = dict.fromkeys(problem.field for problem in self.problems())
        return ", ".join(FIELD_NAMES.get(key, key) for key in keys)

    def problem_shown(self, key: str) -> str:
        """The message shown under the field of `key` ("" when there is none)."""
        field = self._fields[key]
        return field.problem.text() if not field.problem.isHidden() else ""

    def units(self) -> Units:
        return self._units

    def set_units(self, units: Units) -> None:
        (self._kmh if units is Units.KMH else self._mph).setChecked(True)

    def editor(self, key: str) -> QWidget:
        """The input widget of a profile key (name, walk_kmh, …, units)."""
        if key == "units":
            return self._groups["Units"]
        return self._fields[key].editor

    def set_editable(self, editable: bool) -> None:
        for box in self._groups.values():
            box.setEnabled(editable)

    def _values(self) -> dict[str, Any]:
        values: dict[str, Any] = {"name": self._name.text().strip(), "units": self._units}
        for key, box in self._numbers.items():
            values[key] = round(box.exact) if key.startswith("hr_") else box.exact
        return values

    # ----------------------------------------------------------------- editing

    def _on_edit(self) -> None:
        self._check()
        self.changed.emit()

    def _on_units_toggled(self) -> None:
        units = Units.KMH if self._kmh.isChecked() else Units.MPH
        if units is not self._units:
            self._show_units(units)
            self._on_edit()

    def _show_units(self, units: Units) -> None:
        self._units = units
        for button, value in ((self._kmh, Units.KMH), (self._mph, Units.MPH)):
            button.blockSignals(True)
            button.setChecked(units is value)
            button.blockSignals(False)
        for key in self.SPEED_KEYS:
            box = self._numbers[key]
            box.setSuffix(f" {units.symbol}")
            box.rescale(units.from_kmh, _kmh_from(units))

    def _estimate_max_from_age(self) -> None:
        self._numbers["hr_max"].setValue(220 - self._age.value())

    def _check(self) -> None:
        found: dict[str, list[str]] = {}
        for problem in self.problems():
            found.setdefault(problem.field, []).append(_in_units(problem, self._units))
        for key, field in self._fields.items():
            field.show_problem("\n⚠ ".join(found.get(key, [])))


def _unchecked_profile(values: dict[str, Any]) -> RunnerProfile:
    """A RunnerProfile holding `values` without the check its constructor makes, so that
    every problem can be listed (the constructor raises at the first)."""
    profile = object.__new__(RunnerProfile)
    defaults = RunnerProfile()
    for f in fields(RunnerProfile):
        object.__setattr__(profile, f.name, values.get(f.name, getattr(defaults, f.name)))
    return profile


_KMH_RANGE = re.compile(r"between ([\d.]+) and ([\d.]+) km/h")
_KMH_VALUE = re.compile(r"([\d.]+) km/h")
_PLAIN_RANGE = re.compile(r"between ([\d.]+) and ([\d.]+)$")


def _in_units(problem: InvalidField, units: Units) -> str:
    """The profile's message in the form's terms: speeds in the units shown, the
    backward factor as a percentage, and a capital letter to start."""
    text = problem.message
    if problem.field == "backward_factor":
        text = _PLAIN_RANGE.sub(
            lambda m: f"between {float(m[1]) * 100:g} % and {float(m[2]) * 100:g} %", text
        )
        text = text.replace("the backward factor", "the share of forward speed")
    elif units is not Units.KMH:
        text = _KMH_RANGE.sub(
            lambda m: (
                f"between {units.from_kmh(float(m[1])):.1f} and "
                f"{units.from_kmh(float(m[2])):.1f} {units.symbol}"
            ),
            text,
        )
        text = _KMH_VALUE.sub(lambda m: units.format_speed(float(m[1])), text)
    return text[:1].upper() + text[1:]
