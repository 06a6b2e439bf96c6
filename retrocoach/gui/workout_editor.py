"""Writing or changing a workout: its name, title and description, and its steps and
repeats as a tree, each step's fields beside it and a live preview below.

The fields are text as the person types it, kept in a `WorkoutDraft`
(`workouts/draft.py`), which turns it into a model `Workout` with the model's own
checks: every problem is shown next to its field and listed at the bottom naming the
step ("Step 3: a speed must be between ..."), and Save stays disabled until there are
none. Built-in workouts are never changed: they open as a copy under a new name.

Dialogs go through small methods (`confirm`, `tell`, `ask_save_path`) so tests can
answer them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from retrocoach.gui.workout_preview import WorkoutPreview, colours_for_widget, legend_swatch
from retrocoach.userdata import UserData, UserWorkout
from retrocoach.workouts.draft import (
    DraftPath,
    EndKind,
    ItemDraft,
    Problem,
    RepeatDraft,
    SpeedKind,
    StepDraft,
    WorkoutDraft,
    format_seconds,
    name_from_title,
    number,
    parse_seconds,
)
from retrocoach.workouts.errors import WorkoutFileError
from retrocoach.workouts.fileformat import save_workout
from retrocoach.workouts.library import BUILT_IN
from retrocoach.workouts.model import (
    Direction,
    DistanceEnd,
    Gait,
    InvalidField,
    TimeEnd,
    Workout,
)
from retrocoach.workouts.profile import RunnerProfile
from retrocoach.workouts.progression import PROGRESSION

PREVIEW_DELAY_MS = 250  # redraw the preview once typing pauses, not on every key
PATH_ROLE = Qt.ItemDataRole.UserRole
PROBLEM_LIST_HEIGHT = 100  # about three problems; more scroll
LEFT_WIDTH = 660  # the steps' list gets the room it needs for its columns
NUMBER_WIDTH = 110  # a field for a number or a time


NO_MODIFIER = Qt.KeyboardModifier.NoModifier


class KeyActions(QObject):
    """Runs an action for a key pressed in one widget (Del, Ctrl+Up, Enter…). Unlike a
    QShortcut it does not depend on the window being the active one."""

    def __init__(
        self,
        widget: QWidget,
        actions: dict[tuple[Qt.Key, Qt.KeyboardModifier], Callable[[], object]],
    ) -> None:
        super().__init__(widget)
        self._actions = actions
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            # Enter on the keypad is Enter.
            modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            action = self._actions.get((Qt.Key(event.key()), modifiers))
            if action is not None:
                action()
                return True
        return False


def fixed_names() -> set[str]:
    """Names that belong to the app's own workouts and cannot be saved over."""
    return {workout.name for workout in (*BUILT_IN, *PROGRESSION.sessions())}


class WorkoutEditor(QDialog):
    def __init__(
        self,
        workout: Workout | None,
        profile: RunnerProfile,
        user_data: UserData,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("workoutEditor")
        self.profile = profile
        self.user_data = user_data
        self._result: Workout | None = None
        self._loading = False  # True while widgets are filled in from the draft
        self._workout: Workout | None = None  # the draft as a workout, when it is valid
        self._problems: list[Problem] = []
        self._user_files = user_data.workouts()
        # The file this workout came from, when it is one of the person's own.
        self.original: UserWorkout | None = next(
            (item for item in self._user_files if workout is not None and item.workout == workout),
            None,
        )
        self.is_copy = (
            workout is not None and self.original is None and (workout.name in fixed_names())
        )
        self.draft = self._initial_draft(workout)
        # A name follows the title until the person types one, except for their own
        # workouts, which keep the name their file has.
        self._name_follows_title = workout is None or self.is_copy
        self._build_ui()
        self._fill_workout_fields()
        self._rebuild_tree((0,) if self.draft.items else None)
        self.revalidate()
        self.update_preview_now()

    # ------------------------------------------------------------------ API

    def result_workout(self) -> Workout | None:
        """The workout as saved (after the dialog was accepted), else None."""
        return self._result

    def current_workout(self) -> Workout | None:
        """The draft as a workout, or None while it has problems."""
        return self._workout

    def problems(self) -> list[Problem]:
        return list(self._problems)

    def save(self) -> bool:
        """Save into the person's workouts and close; False if nothing was saved."""
        workout = self._workout
        if workout is None:
            return False
        target = self.user_data.workouts_dir / f"{workout.name}.toml"
        own_file = self.original is not None and self.original.path == target
        if target.exists() and not own_file:
            other = next((u for u in self._user_files if u.path == target), None)
            what = f" ({other.workout.title})" if other else ""
            if not self.confirm(
                f"You already have a workout called “{workout.name}”{what}. Replace it?"
            ):
                return False
        try:
            saved = self.user_data.save_workout(workout)
        except OSError as exc:
            self.tell("Cannot save the workout", f"{target}: {exc.strerror or exc}")
            return False
        if self.original is not None and self.original.path != saved.path:
            # Renamed: the old file would otherwise list the workout twice.
            try:
                self.user_data.delete_workout(self.original)
            except OSError as exc:
                self.tell(
                    "The old file is still there",
                    f"Saved as {saved.path.name}, but {self.original.path} could not be "
                    f"removed: {exc.strerror or exc}",
                )
        self._result = workout
        self.accept()
        return True

    def save_as_file(self) -> bool:
        """Write the workout to a file of the person's choosing (the dialog stays open)."""
        workout = self._workout
        if workout is None:
            return False
        path = self.ask_save_path(Path.home() / f"{workout.name}.toml")
        if path is None:
            return False
        if path.suffix.lower() != ".toml":
            path = path.with_name(path.name + ".toml")
        try:
            save_workout(workout, path)
        except WorkoutFileError as exc:
            self.tell("Cannot save the file", str(exc))
            return False
        self.status.setText(f"Saved a copy to {path}")
        return True

    # The dialogs, one method each so a test can answer them.

    def confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Please confirm", text)
        return answer == QMessageBox.StandardButton.Yes

    def tell(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def ask_save_path(self, suggested: Path) -> Path | None:
        # Qt's own dialog, not the system's: a native one keeps its keys to itself, and
        # Esc must still reach the app (the emergency stop) while it is open.
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Save the workout as a file",
            str(suggested),
            "Workout files (*.toml)",
            options=QFileDialog.Option.DontUseNativeDialog,
        )
        return Path(name) if name else None

    # ------------------------------------------------------------ the draft

    def _initial_draft(self, workout: Workout | None) -> WorkoutDraft:
        units = self.profile.units
        if workout is None:
            draft = WorkoutDraft(
                title="New workout",
                items=[StepDraft(label="Warm-up walk", end_text="3:00")],
                units=units,
            )
            draft.name = self._free_name(name_from_title(draft.title))
            return draft
        draft = WorkoutDraft.from_workout(workout, units)
        if self.is_copy:
            draft.title = f"{workout.title} (my copy)"
            draft.name = self._free_name(f"{workout.name}-copy")
        return draft

    def _free_name(self, base: str) -> str:
        """`base`, or `base-2`, `base-3`… if a workout already has that name."""
        taken = fixed_names() | {u.workout.name for u in self._user_files if u is not self.original}
        if not base:
            return base
        name, count = base, 1
        while name in taken:
            count += 1
            name = f"{base}-{count}"
        return name

    def revalidate(self) -> None:
        """Check the whole draft; show every problem and allow Save only without any."""
        workout, problems = self.draft.build()
        name = self.draft.name.strip()
        if name in fixed_names():
            problems.insert(
                0,
                Problem(
                    None,
                    "name",
                    f"“{name}” is the name of a built-in workout; choose another name",
                    "Name",
                ),
            )
            workout = None
        self._workout, self._problems = workout, problems
        self._refresh_rows()
        self._show_field_problems()
        self.problem_list.clear()
        for problem in problems:
            item = QListWidgetItem(f"⚠ {problem.text}")
            item.setData(PATH_ROLE, problem.path)
            self.problem_list.addItem(item)
        if not problems:
            ready = QListWidgetItem("✓ No problems: ready to save.")
            ready.setFlags(Qt.ItemFlag.NoItemFlags)
            self.problem_list.addItem(ready)
        self.save_button.setEnabled(workout is not None)
        self.save_file_button.setEnabled(workout is not None)
        self.stale.setVisible(workout is None)
        if workout is not None:
            self._preview_timer.start()

    def update_preview_now(self) -> None:
        self._preview_timer.stop()
        if self._workout is not None:
            self.preview.show_workout(self._workout, self.profile)
        elif self.preview.shown_workout is None:
            self.preview.clear("The preview appears once the workout has no problems.")

    # ------------------------------------------------------------ the tree

    def current_path(self) -> DraftPath | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        path: list[int] = []
        while item is not None:
            parent = item.parent()
            index = (
                parent.indexOfChild(item)
                if parent is not None
                else self.tree.indexOfTopLevelItem(item)
            )
            path.insert(0, index)
            item = parent
        return tuple(path)

    def select_path(self, path: DraftPath | None) -> None:
        item = self._tree_item(path) if path else None
        if item is None:
            self.tree.setCurrentIndex(QModelIndex())
            self._show_details(None)
        else:
            self.tree.setCurrentItem(item)

    def add_step(self) -> None:
        self._insert(StepDraft())

    def add_repeat(self) -> None:
        self._insert(
            RepeatDraft(
                "2",
                "",
                [
                    StepDraft(Direction.BACKWARD, Gait.WALK, end_text="0:30", speed_text="70"),
                    StepDraft(Direction.FORWARD, Gait.WALK, end_text="1:00"),
                ],
            )
        )

    def duplicate_item(self) -> None:
        path = self.current_path()
        if path is not None:
            self._structure_changed(self.draft.duplicate(path))

    def delete_item(self) -> None:
        path = self.current_path()
        if path is not None:
            self._structure_changed(self.draft.remove(path))

    def move_item(self, delta: int) -> None:
        path = self.current_path()
        if path is not None and self.draft.can_move(path, delta):
            self._structure_changed(self.draft.move(path, delta))

    def _insert(self, item: ItemDraft) -> None:
        self._structure_changed(self.draft.insert_after(self.current_path(), item))

    def _structure_changed(self, select: DraftPath | None) -> None:
        self._rebuild_tree(select)
        self.revalidate()
        self.tree.setFocus()

    def _rebuild_tree(self, select: DraftPath | None) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()

        def add(parent: QTreeWidget | QTreeWidgetItem, items: list[ItemDraft]) -> None:
            for item in items:
                row = QTreeWidgetItem(parent)
                if isinstance(item, RepeatDraft):
                    add(row, item.items)

        add(self.tree, self.draft.items)
        self.tree.expandAll()
        self.tree.blockSignals(False)
        self._refresh_rows()
        self.select_path(select)

    def _tree_item(self, path: DraftPath) -> QTreeWidgetItem | None:
        item = self.tree.topLevelItem(path[0])
        for index in path[1:]:
            if item is None:
                return None
            item = item.child(index)
        return item

    def _refresh_rows(self) -> None:
        """Each row's texts from its draft, with a ⚠ where something is wrong."""
        colours = colours_for_widget(self)
        icons = {
            direction: QIcon(legend_swatch(direction.value, colours)) for direction in Direction
        }
        by_path: dict[DraftPath, list[str]] = {}
        for problem in self._problems:
            if problem.path is not None:
                by_path.setdefault(problem.path, []).append(problem.message)
        for path, draft in self.draft.walk():
            row = self._tree_item(path)
            if row is None:
                continue
            texts = self._row_texts(draft)
            wrong = by_path.get(path)
            texts[0] = ("⚠ " if wrong else "") + number(path)
            for column, text in enumerate(texts):
                row.setText(column, text)
            row.setToolTip(0, "\n".join(wrong) if wrong else "")
            if isinstance(draft, StepDraft):
                row.setIcon(2, icons[draft.direction])

    def _row_texts(self, draft: ItemDraft) -> list[str]:
        if isinstance(draft, RepeatDraft):
            label = f" — {draft.label}" if draft.label else ""
            return ["", f"Repeat × {draft.times_text.strip() or '?'}{label}", "", "", "", ""]
        title = draft.label or f"{draft.direction.word.capitalize()} {draft.gait.value}"
        end = draft.end_text.strip()
        ends = f"after {end}" if draft.end_kind is EndKind.TIME else f"after {end} m"
        if draft.speed_kind is SpeedKind.RELATIVE:
            speed = f"{draft.speed_text.strip()} % pace"
        else:
            speed = f"{draft.speed_text.strip()} {self.profile.units.symbol}"
        incline = draft.incline_text.strip()
        inclined = f"{incline} %" if incline not in ("", "0") else ""
        return ["", title, draft.direction.value.capitalize(), ends, speed, inclined]

    # ------------------------------------------------------------ details

    def _show_details(self, path: DraftPath | None) -> None:
        draft = self.draft.item_at(path) if path is not None else None
        self._loading = True
        try:
            if isinstance(draft, StepDraft):
                self.details.setCurrentWidget(self.step_page)
                self.direction_box.setCurrentIndex(self.direction_box.findData(draft.direction))
                self.gait_box.setCurrentIndex(self.gait_box.findData(draft.gait))
                self.end_kind_box.setCurrentIndex(self.end_kind_box.findData(draft.end_kind))
                self.end_edit.setText(draft.end_text)
                self.speed_kind_box.setCurrentIndex(self.speed_kind_box.findData(draft.speed_kind))
                self.speed_edit.setText(draft.speed_text)
                self.incline_edit.setText(draft.incline_text)
                self.label_edit.setText(draft.label)
                self.note_edit.setPlainText(draft.note)
                self.details_title.setText(f"Step {number(path or ())}")
            elif isinstance(draft, RepeatDraft):
                self.details.setCurrentWidget(self.repeat_page)
                self.times_edit.setText(draft.times_text)
                self.repeat_label_edit.setText(draft.label)
                self.details_title.setText(f"Repeat {number(path or ())}")
            else:
                self.details.setCurrentWidget(self.empty_page)
                self.details_title.setText("")
        finally:
            self._loading = False
        self._update_units_and_hints()
        self._show_field_problems()
        self._update_tree_buttons(path)

    def _update_tree_buttons(self, path: DraftPath | None) -> None:
        for button in (self.duplicate_button, self.delete_button):
            button.setEnabled(path is not None)
        self.up_button.setEnabled(path is not None and self.draft.can_move(path, -1))
        self.down_button.setEnabled(path is not None and self.draft.can_move(path, +1))

    def _step_edited(self) -> None:
        path = self.current_path()
        if self._loading or path is None:
            return
        draft = self.draft.item_at(path)
        if isinstance(draft, StepDraft):
            draft.direction = Direction(self.direction_box.currentData())
            draft.gait = Gait(self.gait_box.currentData())
            draft.end_text = self.end_edit.text()
            draft.speed_text = self.speed_edit.text()
            draft.incline_text = self.incline_edit.text()
            draft.label = self.label_edit.text()
            draft.note = self.note_edit.toPlainText()
        elif isinstance(draft, RepeatDraft):
            draft.times_text = self.times_edit.text()
            draft.label = self.repeat_label_edit.text()
        self._update_units_and_hints()
        self.revalidate()

    def _end_kind_changed(self) -> None:
        """Keep the step about as long: a time becomes the distance run in it at the
        step's speed, and back."""
        path = self.current_path()
        if self._loading or path is None:
            return
        draft = self.draft.item_at(path)
        if not isinstance(draft, StepDraft):
            return
        kind = EndKind(self.end_kind_box.currentData())
        kmh = self._step_kmh(draft)
        text = "1:00" if kind is EndKind.TIME else "200"
        try:
            end = self.draft.end_of(draft)
        except InvalidField:
            end = None
        if kmh and isinstance(end, TimeEnd) and kind is EndKind.DISTANCE:
            text = f"{max(10, round(kmh / 3.6 * end.seconds, -1)):g}"
        elif kmh and isinstance(end, DistanceEnd) and kind is EndKind.TIME:
            text = format_seconds(max(5, round(end.metres / (kmh / 3.6) / 5) * 5))
        draft.end_kind = kind
        self._set_text(self.end_edit, text)
        self._step_edited()

    def _speed_kind_changed(self) -> None:
        """Keep the same speed for this runner, said the other way."""
        path = self.current_path()
        if self._loading or path is None:
            return
        draft = self.draft.item_at(path)
        if not isinstance(draft, StepDraft):
            return
        kmh = self._step_kmh(draft)
        draft.speed_kind = SpeedKind(self.speed_kind_box.currentData())
        if kmh is not None:
            if draft.speed_kind is SpeedKind.ABSOLUTE:
                text = f"{self.profile.units.from_kmh(kmh):.1f}"
            else:
                pace = self.profile.pace_kmh(draft.gait, draft.direction)
                text = f"{round(kmh / pace * 100):d}"
            self._set_text(self.speed_edit, text)
        self._step_edited()

    def _step_kmh(self, draft: StepDraft) -> float | None:
        """This step's speed for this runner, before caps; None while it is not valid."""
        try:
            speed = self.draft.speed_of(draft)
        except InvalidField:
            return None
        return self.profile.speed_kmh(speed, draft.gait, draft.direction)

    def _update_units_and_hints(self) -> None:
        units = self.profile.units
        kind = EndKind(self.end_kind_box.currentData())
        self.end_unit.setText("m:ss" if kind is EndKind.TIME else "m")
        relative = self.speed_kind_box.currentData() == SpeedKind.RELATIVE
        self.speed_unit.setText("% of your pace" if relative else units.symbol)
        path = self.current_path()
        draft = self.draft.item_at(path) if path is not None else None
        hint = ""
        if isinstance(draft, StepDraft):
            kmh = self._step_kmh(draft)
            if kmh is not None:
                cap = self.profile.cap_kmh(draft.direction)
                if kmh > cap + 1e-9:
                    hint = (
                        f"{units.format_speed(kmh)} asked; slowed to your "
                        f"{draft.direction.value} cap, {units.format_speed(cap)}"
                    )
                elif relative:
                    hint = f"= {units.format_speed(kmh)} for you"
            if draft.end_kind is EndKind.TIME:
                seconds = parse_seconds(draft.end_text)
                if seconds is not None and ":" not in draft.end_text:
                    hint_end = f"= {format_seconds(seconds)} (min:s)"
                    self.end_hint.setText(hint_end)
                else:
                    self.end_hint.setText("")
            else:
                self.end_hint.setText("")
        self.speed_hint.setText(hint)
        if isinstance(draft, StepDraft):
            default = f"{draft.direction.word.capitalize()} {draft.gait.value}"
            self.label_edit.setPlaceholderText(f"{default} (when left empty)")

    def _show_field_problems(self) -> None:
        path = self.current_path()
        mine: dict[str, str] = {}
        for problem in self._problems:
            if problem.path is None:
                mine.setdefault(f"workout.{problem.field}", problem.message)
            elif problem.path == path:
                mine.setdefault(problem.field, problem.message)
        for key, label in self._field_problem_labels.items():
            text = mine.get(key, "")
            label.setText(f"⚠ {text}" if text else "")
            label.setVisible(bool(text))

    # ------------------------------------------------------------ workout fields

    def _fill_workout_fields(self) -> None:
        self._loading = True
        self.name_edit.setText(self.draft.name)
        self.title_edit.setText(self.draft.title)
        self.description_edit.setPlainText(self.draft.description)
        self._loading = False

    def _name_edited(self, text: str) -> None:
        self._name_follows_title = False
        self.draft.name = text
        self.revalidate()

    def _title_edited(self, text: str) -> None:
        self.draft.title = text
        if self._name_follows_title and name_from_title(text):
            self.draft.name = self._free_name(name_from_title(text))
            self._set_text(self.name_edit, self.draft.name)
        self.revalidate()

    def _description_edited(self) -> None:
        if not self._loading:
            self.draft.description = self.description_edit.toPlainText()
            self.revalidate()

    def _jump_to_problem(self, item: QListWidgetItem) -> None:
        path = item.data(PATH_ROLE)
        if path:
            self.select_path(tuple(path))
            self.tree.setFocus()

    # ------------------------------------------------------------ building

    def _build_ui(self) -> None:
        self.setWindowTitle("Copy a built-in workout" if self.is_copy else "Workout editor")
        self.resize(1300, 760)
        self._field_problem_labels: dict[str, QLabel] = {}
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.update_preview_now)

        # The workout's own fields.
        self.name_edit = self._line("nameEdit", "lower-case letters, digits and -")
        self.name_edit.textEdited.connect(self._name_edited)
        self.title_edit = self._line("titleEdit", "shown in the list of workouts")
        self.title_edit.textEdited.connect(self._title_edited)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setObjectName("descriptionEdit")
        self.description_edit.setPlaceholderText("What it is for and who it suits")
        self.description_edit.setFixedHeight(76)
        self.description_edit.textChanged.connect(self._description_edited)
        top = QFormLayout()
        self._add_row(
            top,
            "&Title",
            self._with_problem(self.title_edit, "workout.title", "titleProblem"),
            self.title_edit,
        )
        self._add_row(
            top,
            "&Name",
            self._with_problem(self.name_edit, "workout.name", "nameProblem"),
            self.name_edit,
        )
        self._add_row(top, "&Description", self.description_edit, self.description_edit)
        if self.is_copy:
            note = QLabel("Built-in workouts stay as they are: this is your own copy.")
            note.setObjectName("copyNote")
            note.setWordWrap(True)
            top.addRow(note)

        # The tree of steps and repeats, with its buttons.
        self.tree = QTreeWidget()
        self.tree.setObjectName("itemTree")
        self.tree.setHeaderLabels(["#", "Step", "Direction", "Ends", "Speed", "Incline"])
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.tree.currentItemChanged.connect(lambda *_: self._show_details(self.current_path()))
        self.add_step_button = self._button("addStepButton", "&Add step", self.add_step)
        self.add_repeat_button = self._button("addRepeatButton", "Add &repeat", self.add_repeat)
        self.duplicate_button = self._button("duplicateButton", "D&uplicate", self.duplicate_item)
        # No Alt+letter for these three: Del, Ctrl+Up and Ctrl+Down do it from the list.
        self.delete_button = self._button("deleteItemButton", "Delete", self.delete_item)
        self.up_button = self._button("moveUpButton", "▲ Up", lambda: self.move_item(-1))
        self.down_button = self._button("moveDownButton", "▼ Down", lambda: self.move_item(+1))
        self.delete_button.setToolTip("Delete (Del)")
        self.up_button.setToolTip("Move up (Ctrl+Up); out of a repeat at its top")
        self.down_button.setToolTip("Move down (Ctrl+Down); a step moves into a repeat below it")
        ctrl = Qt.KeyboardModifier.ControlModifier
        KeyActions(
            self.tree,
            {
                (Qt.Key.Key_Delete, NO_MODIFIER): self.delete_item,
                (Qt.Key.Key_Up, ctrl): lambda: self.move_item(-1),
                (Qt.Key.Key_Down, ctrl): lambda: self.move_item(+1),
                (Qt.Key.Key_D, ctrl): self.duplicate_item,
                (Qt.Key.Key_Insert, NO_MODIFIER): self.add_step,
            },
        )
        tree_buttons = QGridLayout()
        for index, button in enumerate(
            (
                self.add_step_button,
                self.add_repeat_button,
                self.duplicate_button,
                self.delete_button,
                self.up_button,
                self.down_button,
            )
        ):
            tree_buttons.addWidget(button, index // 3, index % 3)
        self.items_problem = self._problem_label("itemsProblem", "workout.items")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(top)
        left_layout.addWidget(self.tree, 1)
        left_layout.addWidget(self.items_problem)
        left_layout.addLayout(tree_buttons)

        # The selected item's fields.
        self.details_title = QLabel()
        self.details_title.setObjectName("detailsTitle")
        self.details = QStackedWidget()
        self.details.setObjectName("details")
        self.step_page = self._step_page()
        self.repeat_page = self._repeat_page()
        self.empty_page = QLabel("Add a step to begin.")
        self.empty_page.setObjectName("emptyPage")
        for page in (self.step_page, self.repeat_page, self.empty_page):
            self.details.addWidget(page)

        self.preview = WorkoutPreview(compact=True)
        self.stale = QLabel("The preview shows the last version without problems.")
        self.stale.setObjectName("previewStale")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.details_title)
        right_layout.addWidget(self.details)
        right_layout.addWidget(self.stale)
        right_layout.addWidget(self.preview, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([LEFT_WIDTH, 1300 - LEFT_WIDTH])

        # Problems, and the ways out.
        self.problem_list = QListWidget()
        self.problem_list.setObjectName("problemList")
        self.problem_list.setFixedHeight(PROBLEM_LIST_HEIGHT)
        self.problem_list.itemActivated.connect(self._jump_to_problem)
        self.problem_list.itemClicked.connect(self._jump_to_problem)
        self.status = QLabel()
        self.status.setObjectName("editorStatus")
        self.save_button = self._button("saveButton", "&Save", self.save)
        self.save_file_button = self._button(
            "saveAsFileButton", "Save as &file…", self.save_as_file
        )
        self.cancel_button = self._button("cancelButton", "Cancel", self.reject)
        for button in (self.save_button, self.save_file_button, self.cancel_button):
            # Enter in a field must not save half-typed work.
            button.setAutoDefault(False)
        ways_out = QHBoxLayout()
        ways_out.addWidget(self.status, 1)
        ways_out.addWidget(self.save_file_button)
        ways_out.addWidget(self.cancel_button)
        ways_out.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.problem_list)
        layout.addLayout(ways_out)

    def _step_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("stepPage")
        self.direction_box = self._combo(
            "directionBox", [("Backward", Direction.BACKWARD), ("Forward", Direction.FORWARD)]
        )
        self.gait_box = self._combo("gaitBox", [("Walk", Gait.WALK), ("Run", Gait.RUN)])
        for box in (self.direction_box, self.gait_box):
            box.currentIndexChanged.connect(self._step_edited)
        self.end_kind_box = self._combo(
            "endKindBox", [("time", EndKind.TIME), ("distance", EndKind.DISTANCE)]
        )
        self.end_kind_box.currentIndexChanged.connect(self._end_kind_changed)
        self.end_edit = self._line("endEdit", "1:30")
        self.end_edit.setToolTip("Time as minutes:seconds (1:30) or seconds (90); distance in m")
        self.end_unit = QLabel()
        self.end_hint = QLabel()
        self.end_hint.setObjectName("endHint")
        self.speed_kind_box = self._combo(
            "speedKindBox",
            [("relative", SpeedKind.RELATIVE), ("absolute", SpeedKind.ABSOLUTE)],
        )
        self.speed_kind_box.setItemText(0, "% of my pace")
        self.speed_kind_box.setItemText(1, f"fixed {self.profile.units.symbol}")
        self.speed_kind_box.currentIndexChanged.connect(self._speed_kind_changed)
        self.speed_edit = self._line("speedEdit", "100")
        self.speed_unit = QLabel()
        self.speed_hint = QLabel()
        self.speed_hint.setObjectName("speedHint")
        self.incline_edit = self._line("inclineEdit", "0")
        self.label_edit = self._line("labelEdit", "")
        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setPlaceholderText("Spoken when the step starts (optional)")
        self.note_edit.setFixedHeight(56)
        for edit in (self.end_edit, self.speed_edit, self.incline_edit, self.label_edit):
            edit.textEdited.connect(self._step_edited)
        for edit in (self.end_edit, self.speed_edit, self.incline_edit):
            edit.setFixedWidth(NUMBER_WIDTH)
        self.note_edit.textChanged.connect(self._step_edited)

        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        way = QHBoxLayout()
        way.addWidget(self.direction_box)
        way.addWidget(self.gait_box)
        way.addStretch(1)
        way_box = QWidget()
        way_box.setLayout(way)
        way.setContentsMargins(0, 0, 0, 0)
        self._add_row(form, "Dire&ction", way_box, self.direction_box)
        end = self._row(self.end_kind_box, self.end_edit, self.end_unit, self.end_hint)
        self._add_row(form, "&Ends after", self._stacked(end, "end", "endProblem"), self.end_edit)
        speed = self._row(self.speed_kind_box, self.speed_edit, self.speed_unit, self.speed_hint)
        self._add_row(
            form, "S&peed", self._stacked(speed, "speed", "speedProblem"), self.speed_edit
        )
        incline = self._row(self.incline_edit, QLabel("%"))
        self._add_row(
            form,
            "&Incline",
            self._stacked(incline, "incline", "inclineProblem"),
            self.incline_edit,
        )
        self._add_row(form, "&Label", self.label_edit, self.label_edit)
        self._add_row(form, "N&ote", self.note_edit, self.note_edit)
        return page

    def _repeat_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("repeatPage")
        self.times_edit = self._line("timesEdit", "2")
        self.times_edit.textEdited.connect(self._step_edited)
        self.times_edit.setFixedWidth(NUMBER_WIDTH)
        self.repeat_label_edit = self._line("repeatLabelEdit", "e.g. 50 m back / 50 m forward")
        self.repeat_label_edit.textEdited.connect(self._step_edited)
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        times = self._row(self.times_edit, QLabel("times"))
        self._add_row(
            form, "Ti&mes", self._stacked(times, "times", "timesProblem"), self.times_edit
        )
        self._add_row(form, "&Label", self.repeat_label_edit, self.repeat_label_edit)
        form.addRow(self._problem_label("repeatItemsProblem", "items"))
        hint = QLabel("Select a step inside the repeat to change it; Add step adds after it.")
        hint.setWordWrap(True)
        form.addRow(hint)
        return page

    # Small builders.

    def _add_row(self, form: QFormLayout, text: str, field: QWidget, buddy: QWidget) -> None:
        """A row whose label's Alt+letter goes to `buddy`, the field that takes typing."""
        label = QLabel(text)
        label.setBuddy(buddy)
        form.addRow(label, field)

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    def _combo(self, name: str, options: list[tuple[str, object]]) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        for text, data in options:
            box.addItem(text, data)
        return box

    def _button(self, name: str, text: str, action: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(lambda: action())
        return button

    def _row(self, *widgets: QWidget, stretch: bool = True) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(10)
        for widget in widgets:
            row.addWidget(widget)
        if stretch:
            row.addStretch(1)
        return row

    def _problem_label(self, name: str, key: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setProperty("fieldProblem", True)
        label.setWordWrap(True)
        label.hide()
        self._field_problem_labels[key] = label
        return label

    def _stacked(self, row: QHBoxLayout, key: str, name: str) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self._problem_label(name, key))
        return box

    def _with_problem(self, edit: QLineEdit, key: str, name: str) -> QWidget:
        return self._stacked(self._row(edit, stretch=False), key, name)

    def _set_text(self, edit: QLineEdit, text: str) -> None:
        """Set a field from the program: not an edit by the person."""
        self._loading = True
        edit.setText(text)
        self._loading = False
