"""The runner's profile form and the first-run dialog: defaults, problems shown by the
field at fault as the person types, km/h ↔ mph, and Continue only with a valid profile."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QDialog, QPushButton, QSpinBox
from pytestqt.qtbot import QtBot

from retrocoach.gui.first_run import FirstRunDialog
from retrocoach.gui.profile_form import ProfileForm
from retrocoach.workouts.profile import RunnerProfile, Units

KEYS = (
    "name",
    "walk_kmh",
    "run_kmh",
    "backward_factor",
    "backward_max_kmh",
    "forward_max_kmh",
    "hr_max",
    "hr_rest",
    "hr_ceiling",
    "turn_speed_kmh",
    "turn_time_s",
)


@pytest.fixture
def form(qtbot: QtBot) -> ProfileForm:
    widget = ProfileForm()
    widget.setLocale(QLocale.c())  # "5.0", whatever the machine's decimal separator
    qtbot.addWidget(widget)
    widget.show()
    return widget


def type_into(qtbot: QtBot, form: ProfileForm, key: str, text: str) -> None:
    """Replace a number as a person does: select it and type."""
    box = form.editor(key)
    assert isinstance(box, QAbstractSpinBox)
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)


def problems_shown(form: ProfileForm) -> dict[str, str]:
    return {key: form.problem_shown(key) for key in KEYS if form.problem_shown(key)}


def test_the_form_starts_with_the_default_profile_and_no_problems(form: ProfileForm) -> None:
    assert form.profile() == RunnerProfile()
    assert problems_shown(form) == {}


def test_a_ceiling_above_the_maximum_is_shown_by_the_ceiling(
    qtbot: QtBot, form: ProfileForm
) -> None:
    type_into(qtbot, form, "hr_ceiling", "200")

    shown = problems_shown(form)
    assert list(shown) == ["hr_ceiling"]
    assert "ceiling (200)" in shown["hr_ceiling"] and "maximum (190)" in shown["hr_ceiling"]
    assert form.profile() is None

    type_into(qtbot, form, "hr_max", "205")  # fixing the other field clears it
    assert problems_shown(form) == {}
    profile = form.profile()
    assert profile is not None and (profile.hr_max, profile.hr_ceiling) == (205, 200)


def test_a_turn_speed_above_a_cap_is_shown_by_the_turn_speed(
    qtbot: QtBot, form: ProfileForm
) -> None:
    type_into(qtbot, form, "backward_max_kmh", "2.5")

    shown = problems_shown(form)
    assert list(shown) == ["turn_speed_kmh"]
    assert "above a speed cap" in shown["turn_speed_kmh"]
    assert form.profile() is None


def test_running_slower_than_walking_is_shown_by_the_running_speed(
    qtbot: QtBot, form: ProfileForm
) -> None:
    type_into(qtbot, form, "run_kmh", "4")

    shown = problems_shown(form)
    assert list(shown) == ["run_kmh"]
    assert "below the walking speed (5 km/h)" in shown["run_kmh"]
    assert form.profile() is None


def test_every_problem_of_a_field_is_listed(qtbot: QtBot, form: ProfileForm) -> None:
    type_into(qtbot, form, "turn_speed_kmh", "9")  # out of range *and* above the cap

    message = form.problem_shown("turn_speed_kmh")
    assert "between 1 and 5 km/h" in message
    assert "above a speed cap" in message


def test_the_backward_share_is_a_percentage_and_its_problem_too(
    qtbot: QtBot, form: ProfileForm
) -> None:
    type_into(qtbot, form, "backward_factor", "20")

    assert "between 30 % and 100 %" in form.problem_shown("backward_factor")
    type_into(qtbot, form, "backward_factor", "65")
    profile = form.profile()
    assert profile is not None and profile.backward_factor == pytest.approx(0.65)


def test_switching_to_mph_converts_what_is_shown_but_keeps_kmh(
    qtbot: QtBot, form: ProfileForm
) -> None:
    walk = form.editor("walk_kmh")
    assert isinstance(walk, QAbstractSpinBox)
    assert walk.text() == "5.0 km/h"

    form.set_units(Units.MPH)

    assert walk.text() == "3.1 mph"
    assert form.units() is Units.MPH
    profile = form.profile()
    assert profile is not None
    assert profile.walk_kmh == 5.0  # not 3.1 mph rounded back (4.99 km/h)
    assert profile.units is Units.MPH

    form.set_units(Units.KMH)
    assert walk.text() == "5.0 km/h"


def test_a_speed_typed_in_mph_is_kept_in_kmh_and_its_problem_said_in_mph(
    qtbot: QtBot, form: ProfileForm
) -> None:
    form.set_units(Units.MPH)
    type_into(qtbot, form, "walk_kmh", "4")

    profile = form.profile()
    assert profile is not None
    assert profile.walk_kmh == pytest.approx(4 * 1.609344)

    type_into(qtbot, form, "walk_kmh", "7")  # above the 9 km/h limit
    assert "between 0.3 and 5.6 mph" in form.problem_shown("walk_kmh")


def test_set_profile_shows_a_saved_profile_exactly(form: ProfileForm) -> None:
    saved = RunnerProfile(
        name="Ana",
        walk_kmh=4.55,
        run_kmh=8.25,
        backward_factor=0.725,
        hr_max=181,
        hr_rest=52,
        hr_ceiling=170,
        turn_speed_kmh=2.5,
        turn_time_s=8.0,
        units=Units.MPH,
    )
    form.set_profile(saved)
    assert form.profile() == saved  # values the boxes round are not rounded back


def test_edits_announce_themselves(qtbot: QtBot, form: ProfileForm) -> None:
    changes: list[None] = []
    form.changed.connect(lambda: changes.append(None))

    form.set_profile(RunnerProfile(name="Quiet"))  # showing a profile is no edit
    assert changes == []
    type_into(qtbot, form, "hr_rest", "55")
    assert changes


def test_the_maximum_can_be_estimated_from_age(qtbot: QtBot, form: ProfileForm) -> None:
    age = form.findChild(QSpinBox, "ageEditor")
    estimate = form.findChild(QPushButton, "estimateMaxHrButton")
    assert age is not None and estimate is not None
    age.setValue(50)
    qtbot.mouseClick(estimate, Qt.MouseButton.LeftButton)

    assert form.problem_shown("hr_ceiling")  # 175 is now above the maximum
    type_into(qtbot, form, "hr_ceiling", "160")
    profile = form.profile()
    assert profile is not None and profile.hr_max == 170


# ------------------------------------------------------------------ first run


def test_first_run_continues_only_with_a_valid_profile(qtbot: QtBot) -> None:
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.continue_button.isEnabled()

    type_into(qtbot, dialog.form, "hr_rest", "180")
    assert not dialog.continue_button.isEnabled()

    type_into(qtbot, dialog.form, "hr_rest", "58")
    assert dialog.continue_button.isEnabled()
    qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.profile() == RunnerProfile(hr_rest=58)
