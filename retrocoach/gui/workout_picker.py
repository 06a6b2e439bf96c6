"""Choosing a workout: the built-in library, the beginner plan and the person's own
workouts in one list, the chosen one previewed, and the ways to bring in more
(import a TOML or Zwift .zwo file, write a new one, edit a copy), to take one out
(export to .zwo) or to tidy up (delete).

Dialogs go through small methods (`ask_import_path`, `ask_export_path`, `confirm`,
`tell`) so tests and the main window can answer them without a person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from retrocoach.coach.plan import PlanError, SpeedLimits, build_plan, estimate
from retrocoach.gui.workout_editor import NO_MODIFIER, KeyActions, WorkoutEditor
from retrocoach.gui.workout_preview import WorkoutPreview
from retrocoach.userdata import UserData, UserWorkout, is_zwo, read_workout_file
from retrocoach.workouts.errors import WorkoutFileError
from retrocoach.workouts.library import BUILT_IN
from retrocoach.workouts.model import Workout, format_duration
from retrocoach.workouts.profile import RunnerProfile
from retrocoach.workouts.progression import PROGRESSION
from retrocoach.workouts.zwo import save_zwo

ENTRY_ROLE = Qt.ItemDataRole.UserRole
LIST_WIDTH = 560  # room for whole titles such as "Beginner week 1, session 1  ✓ done"


class Group(StrEnum):
    BUILT_IN = "Built-in"
    BEGINNER = "Beginner plan"
    MINE = "My workouts"


@dataclass(frozen=True)
class Entry:
    group: Group
    workout: Workout
    user_workout: UserWorkout | None = None  # set for the person's own workouts


class WorkoutPicker(QWidget):
    """The list of workouts with a preview; `chosen` when one is picked to run."""

    chosen = Signal(object)  # the Workout

    def __init__(
        self,
        user_data: UserData,
        profile: Callable[[], RunnerProfile],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("workoutPicker")
        self.user_data = user_data
        self.profile = profile
        self._entries: list[Entry] = []

        self.tree = QTreeWidget()
        self.tree.setObjectName("workoutList")
        self.tree.setHeaderLabels(["Workout", "Time"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(self._on_current_changed)
        self.tree.itemDoubleClicked.connect(lambda *_: self.use_selected())
        KeyActions(
            self.tree,
            {
                (Qt.Key.Key_Return, NO_MODIFIER): self.use_selected,
                (Qt.Key.Key_Enter, NO_MODIFIER): self.use_selected,
                (Qt.Key.Key_Delete, NO_MODIFIER): self.delete_selected,
            },
        )

        self.warning = QLabel()
        self.warning.setObjectName("pickerWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()

        # What the last export did, said without a dialog to close.
        self.status = QLabel()
        self.status.setObjectName("pickerStatus")
        self.status.setWordWrap(True)
        self.status.hide()

        self.preview = WorkoutPreview()

        self.use_button = self._button("useButton", "&Use this workout", self.use_selected)
        self.use_button.setDefault(True)
        self.import_button = self._button("importButton", "&Import…", self.import_file)
        self.export_button = self._button("exportZwoButton", "E&xport .zwo…", self.export_selected)
        self.export_button.setToolTip(
            "Save the selected workout as a Zwift workout file (.zwo) for Zwift, QZ and other apps"
        )
        self.new_button = self._button("newButton", "&New…", self.new_workout)
        self.edit_button = self._button("editButton", "&Edit…", self.edit_selected)
        self.delete_button = self._button("deleteButton", "&Delete", self.delete_selected)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.tree, 1)
        left_layout.addWidget(self.warning)
        left_layout.addWidget(self.status)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([LIST_WIDTH, 1366 - LIST_WIDTH])

        buttons = QHBoxLayout()
        for button in (self.import_button, self.export_button, self.new_button, self.edit_button):
            buttons.addWidget(button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.use_button)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.reload()

    # ------------------------------------------------------------------ API

    def reload(self) -> None:
        """Read the person's workouts again (and list everything anew), keeping the
        selection where it can."""
        current = self.current_entry()
        problems_before = len(self.user_data.problems)
        mine = self.user_data.workouts()
        problems = self.user_data.problems[problems_before:]
        done = set(self.user_data.progress())
        self._entries = (
            [Entry(Group.BUILT_IN, workout) for workout in BUILT_IN]
            + [Entry(Group.BEGINNER, workout) for workout in PROGRESSION.sessions()]
            + [Entry(Group.MINE, item.workout, item) for item in mine]
        )
        self._fill(done)
        self._show_problems(problems)
        if current is not None and self.select(current.workout.name, current.group):
            return
        self._select_first()

    def select(self, name: str, group: Group | None = None) -> bool:
        """Select the workout called `name` (the person's own first when `group` is
        not given); False when there is none."""
        order = [group] if group else [Group.MINE, Group.BUILT_IN, Group.BEGINNER]
        for wanted in order:
            for item in self._leaves():
                entry = self._entry(item)
                if entry is not None and entry.group is wanted and entry.workout.name == name:
                    self.tree.setCurrentItem(item)
                    self.tree.scrollToItem(item)
                    return True
        return False

    def current_entry(self) -> Entry | None:
        item = self.tree.currentItem()
        return self._entry(item) if item is not None else None

    def selected_workout(self) -> Workout | None:
        entry = self.current_entry()
        return entry.workout if entry else None

    def use_selected(self) -> None:
        workout = self.selected_workout()
        if workout is not None:
            self.chosen.emit(workout)

    def import_file(self) -> None:
        path = self.ask_import_path()
        if path is None:
            return
        try:
            workout = read_workout_file(path)
        except WorkoutFileError as exc:
            self.tell("Cannot import this workout", _describe_file_error(exc))
            return
        fixed = {item.name for item in _fixed_workouts()}
        if workout.name in fixed:
            if not is_zwo(path):
                self.tell(
                    "Cannot import this workout",
                    f"{path.name}: the name “{workout.name}” belongs to a built-in workout. "
                    "Change name = … in the file and import it again.",
                )
                return
            # A .zwo file has no name of its own (it comes from the file name), so a
            # built-in exported and imported again simply gets a free one.
            workout = replace(workout, name=_free_name(workout.name, fixed))
        existing = self._user_entry(workout.name)
        if existing is not None and not self.confirm(
            f"You already have a workout called “{workout.name}” "
            f"({existing.workout.title}). Replace it with the one in {path.name}?"
        ):
            return
        try:
            imported = self.user_data.import_workout(path, name=workout.name)
        except WorkoutFileError as exc:
            self.tell("Cannot import this workout", _describe_file_error(exc))
            return
        except OSError as exc:
            self.tell(
                "Cannot import this workout",
                f"{path.name} is a good workout but it could not be kept in "
                f"{self.user_data.workouts_dir}: {exc.strerror or exc}",
            )
            return
        self.reload()
        self.select(imported.workout.name, Group.MINE)

    def export_selected(self) -> None:
        """Write the selected workout (built-in or own) to a .zwo file."""
        entry = self.current_entry()
        if entry is None:
            return
        workout = entry.workout
        path = self.ask_export_path(f"{workout.name}.zwo")
        if path is None:
            return
        if path.suffix.lower() != ".zwo":
            path = path.with_name(path.name + ".zwo")
        try:
            save_zwo(workout, path)
        except WorkoutFileError as exc:
            self.tell("Cannot export this workout", f"{exc.path}: {exc.message}")
            return
        self.status.setText(
            f"Exported “{workout.title}” to {path.name} (in {path.parent}). "
            "Direction, walk or run and labels are in each step's text."
        )
        self.status.setToolTip(str(path))
        self.status.show()

    def new_workout(self) -> None:
        self._edit(None)

    def edit_selected(self) -> None:
        entry = self.current_entry()
        if entry is not None:
            # Built-in and plan workouts open as a copy (the editor gives it a new name).
            self._edit(entry.workout)

    def delete_selected(self) -> None:
        entry = self.current_entry()
        if entry is None or entry.user_workout is None:
            return
        if not self.confirm(
            f"Delete “{entry.workout.title}”? Its file {entry.user_workout.path.name} "
            "is removed from your workouts."
        ):
            return
        try:
            self.user_data.delete_workout(entry.user_workout)
        except OSError as exc:
            self.tell("Cannot delete the workout", f"{entry.user_workout.path}: {exc}")
        self.reload()

    def set_theme(self, theme: str) -> None:
        """Paint the preview in this theme ("dark", "light"); by default it follows the
        background the QSS gives it."""
        self.preview.set_theme(theme)

    # The dialogs, one method each so a test or the main window can answer them.

    def ask_import_path(self) -> Path | None:
        # Qt's own dialog, not the system's: a native one keeps its keys to itself, and
        # Esc must still reach the app (the emergency stop) while it is open.
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Import a workout",
            str(Path.home()),
            "Workouts (*.toml *.zwo)",
            options=QFileDialog.Option.DontUseNativeDialog,
        )
        return Path(name) if name else None

    def ask_export_path(self, suggested: str) -> Path | None:
        """Where to write a .zwo file; `suggested` is a file name."""
        dialog = QFileDialog(
            self,
            "Export as a Zwift workout",
            str(Path.home() / suggested),
            "Zwift workouts (*.zwo)",
        )
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("zwo")  # added before Qt asks about overwriting
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        if dialog.exec() and dialog.selectedFiles():
            return Path(dialog.selectedFiles()[0])
        return None

    def confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Please confirm", text)
        return answer == QMessageBox.StandardButton.Yes

    def tell(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def open_editor(self, workout: Workout | None) -> Workout | None:
        """Run the editor; the saved workout, or None if it was cancelled."""
        editor = WorkoutEditor(workout, self.profile(), self.user_data, self)
        if editor.exec():
            return editor.result_workout()
        return None

    # ------------------------------------------------------------ internals

    def _edit(self, workout: Workout | None) -> None:
        saved = self.open_editor(workout)
        if saved is not None:
            self.reload()
            self.select(saved.name, Group.MINE)

    def _fill(self, done: set[str]) -> None:
        profile = self.profile()
        self.tree.blockSignals(True)
        self.tree.clear()
        groups: dict[Group, QTreeWidgetItem] = {}
        for group in Group:
            header = QTreeWidgetItem(self.tree, [group.value, ""])
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            header.setFirstColumnSpanned(True)
            font = header.font(0)
            font.setBold(True)
            header.setFont(0, font)
            groups[group] = header
        for index, entry in enumerate(self._entries):
            title = entry.workout.title
            if entry.group is Group.BEGINNER and entry.workout.name in done:
                title += "  ✓ done"
            item = QTreeWidgetItem(groups[entry.group], [title, _duration(entry.workout, profile)])
            item.setData(0, ENTRY_ROLE, index)
            item.setToolTip(0, entry.workout.description)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if not any(entry.group is Group.MINE for entry in self._entries):
            hint = QTreeWidgetItem(groups[Group.MINE], ["None yet: use Import… or New…", ""])
            hint.setFlags(Qt.ItemFlag.NoItemFlags)
        self.tree.expandAll()
        self.tree.blockSignals(False)

    def _show_problems(self, problems: list[str]) -> None:
        if not problems:
            self.warning.hide()
            return
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        self.warning.setText(f"⚠ A file in your workouts could not be read: {problems[0]}{more}")
        self.warning.setToolTip("\n".join(problems))
        self.warning.show()

    def _select_first(self) -> None:
        leaves = [item for item in self._leaves() if self._entry(item) is not None]
        if leaves:
            self.tree.setCurrentItem(leaves[0])
        else:
            self._on_current_changed(None, None)

    def _leaves(self) -> list[QTreeWidgetItem]:
        found: list[QTreeWidgetItem] = []
        for top in range(self.tree.topLevelItemCount()):
            header = self.tree.topLevelItem(top)
            if header is not None:
                children = (header.child(row) for row in range(header.childCount()))
                found.extend(child for child in children if child is not None)
        return found

    def _entry(self, item: QTreeWidgetItem) -> Entry | None:
        index = item.data(0, ENTRY_ROLE)
        return self._entries[index] if isinstance(index, int) else None

    def _user_entry(self, name: str) -> Entry | None:
        for entry in self._entries:
            if entry.group is Group.MINE and entry.workout.name == name:
                return entry
        return None

    def _on_current_changed(
        self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None
    ) -> None:
        entry = self._entry(current) if current is not None else None
        if entry is None:
            self.preview.clear()
        else:
            self.preview.show_workout(entry.workout, self.profile())
        self.use_button.setEnabled(entry is not None)
        self.export_button.setEnabled(entry is not None)
        self.edit_button.setEnabled(entry is not None)
        self.edit_button.setText(
            "&Edit…" if entry is None or entry.user_workout else "&Edit a copy…"
        )
        self.delete_button.setEnabled(entry is not None and entry.user_workout is not None)

    def _button(self, name: str, text: str, action: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(action)
        return button


def _fixed_workouts() -> list[Workout]:
    return [*BUILT_IN, *PROGRESSION.sessions()]


def every_workout(user_data: UserData) -> list[Workout]:
    """The built-in library, the six-week plan's sessions and the person's own."""
    return [*_fixed_workouts(), *(w.workout for w in user_data.workouts())]


def _free_name(name: str, taken: set[str]) -> str:
    """`name` with the first number that makes it free: backward-hills-2, -3, …"""
    number = 2
    while f"{name}-{number}" in taken:
        number += 1
    return f"{name}-{number}"


def _duration(workout: Workout, profile: RunnerProfile) -> str:
    limits = SpeedLimits()
    try:
        plan = build_plan(workout, profile, limits)
    except PlanError:
        return "—"
    return format_duration(estimate(plan, profile, limits).duration_s)


def _describe_file_error(exc: WorkoutFileError) -> str:
    """File, line, key and what is wrong, each said plainly."""
    path = Path(exc.path)
    parts = [f"File: {path.name}  (in {path.parent})"]
    if exc.line is not None:
        parts.append(f"Line: {exc.line}")
    if exc.key is not None:
        parts.append(f"Key: {exc.key}")
    parts.append(f"Problem: {exc.message}")
    parts.append("\nNothing was imported.")
    return "\n".join(parts)
