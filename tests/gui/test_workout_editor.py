"""The workout editor: typing is checked as it happens with the model's own rules,
Save waits until nothing is wrong, and what is saved reads back the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from retrocoach.gui.workout_editor import WorkoutEditor
from retrocoach.userdata import UserData
from retrocoach.workouts.fileformat import load_workout
from retrocoach.workouts.library import get
from retrocoach.workouts.model import (
    AbsoluteSpeed,
    Direction,
    DistanceEnd,
    Gait,
    RelativeSpeed,
    Repeat,
    Step,
    TimeEnd,
    Workout,
)
from retrocoach.workouts.profile import RunnerProfile

MINE = Workout(
    name="mine",
    title="Mine",
    items=(
        Step(Direction.FORWARD, Gait.WALK, TimeEnd(180)),
        Repeat(3, (Step(Direction.BACKWARD, Gait.WALK, TimeEnd(45), RelativeSpeed(0.7)),)),
    ),
)


class AnsweredEditor(WorkoutEditor):
    """The editor with its dialogs answered by the test."""

    answer = True
    save_path: Path | None = None

    def __init__(self, *args: object) -> None:
        self.asked: list[str] = []
        self.told: list[str] = []
        super().__init__(*args)  # type: ignore[arg-type]

    def confirm(self, text: str) -> bool:
        self.asked.append(text)
        return self.answer

    def tell(self, title: str, text: str) -> None:
        self.told.append(f"{title}: {text}")

    def ask_save_path(self, suggested: Path) -> Path | None:
        return self.save_path


def open_editor(qtbot: QtBot, user_data: UserData, workout: Workout | None) -> AnsweredEditor:
    editor = AnsweredEditor(workout, RunnerProfile(), user_data)
    qtbot.addWidget(editor)
    editor.show()
    return editor


def retype(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Replace a field's text with keystrokes, as a person does."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    if text:
        qtbot.keyClicks(edit, text)


def choose(box: QComboBox, text: str) -> None:
    index = box.findText(text)
    assert index >= 0, text
    box.setCurrentIndex(index)


def problem_texts(editor: WorkoutEditor) -> list[str]:
    return [p.text for p in editor.problems()]


def shown_problem(editor: WorkoutEditor, name: str) -> str:
    label = editor.findChild(QLabel, name)
    assert label is not None
    return label.text() if label.isVisibleTo(editor) else ""


@pytest.mark.parametrize(
    ("path", "edit", "text", "expected", "label"),
    [
        ((1,), "speedEdit", "0", "Step 2: a speed must be between 0.1 and 30 km/h", "speedProblem"),
        ((0,), "endEdit", "abc", "Step 1: a duration must be a number, not 'abc'", "endProblem"),
        (
            (0,),
            "inclineEdit",
            "50",
            "Step 1: an incline must be between -10 and 40 %",
            "inclineProblem",
        ),
        (
            (2,),
            "timesEdit",
            "0",
            "Repeat 3: a repeat count must be between 1 and 100",
            "timesProblem",
        ),
        (None, "nameEdit", "", "Name: '' is not a workout name", "nameProblem"),
        (None, "titleEdit", "", "Title: a workout needs a title", "titleProblem"),
    ],
)
def test_bad_input_is_named_next_to_its_field_and_blocks_save(
    qtbot: QtBot,
    user_data: UserData,
    path: tuple[int, ...] | None,
    edit: str,
    text: str,
    expected: str,
    label: str,
) -> None:
    workout = Workout(
        "mine",
        "Mine",
        (
            Step(Direction.FORWARD, Gait.WALK, TimeEnd(180)),
            Step(Direction.BACKWARD, Gait.WALK, TimeEnd(60), AbsoluteSpeed(3.5)),
            *MINE.items[1:],
        ),
    )
    editor = open_editor(qtbot, user_data, workout)
    assert editor.save_button.isEnabled()
    if path is not None:
        editor.select_path(path)
    field = editor.findChild(QLineEdit, edit)
    assert field is not None
    original = field.text()

    retype(qtbot, field, text)

    assert any(p.startswith(expected) for p in problem_texts(editor)), problem_texts(editor)
    assert expected.split(": ", 1)[1] in shown_problem(editor, label)
    listed = [editor.problem_list.item(row).text() for row in range(editor.problem_list.count())]
    assert any(expected in line for line in listed)
    assert not editor.save_button.isEnabled()
    assert not editor.save_file_button.isEnabled()

    retype(qtbot, field, original)

    assert problem_texts(editor) == []
    assert shown_problem(editor, label) == ""
    assert editor.save_button.isEnabled()
    assert editor.current_workout() == workout


def test_a_row_with_a_problem_is_marked_in_the_list(qtbot: QtBot, user_data: UserData) -> None:
    editor = open_editor(qtbot, user_data, MINE)
    editor.select_path((1, 0))
    retype(qtbot, editor.speed_edit, "1")  # 1 % of the pace
    row = editor.tree.topLevelItem(1).child(0)  # type: ignore[union-attr]
    assert row.text(0).startswith("⚠")
    assert "pace fraction" in row.toolTip(0)


def test_a_new_workout_is_written_and_reads_back_equal(qtbot: QtBot, user_data: UserData) -> None:
    editor = open_editor(qtbot, user_data, None)
    retype(qtbot, editor.title_edit, "Hill walks")
    assert editor.name_edit.text() == "hill-walks"  # the name follows the title
    editor.select_path((0,))
    qtbot.mouseClick(editor.add_repeat_button, Qt.MouseButton.LeftButton)
    retype(qtbot, editor.times_edit, "4")
    editor.select_path((1, 0))
    retype(qtbot, editor.incline_edit, "6")
    retype(qtbot, editor.label_edit, "Uphill backwards")
    choose(editor.end_kind_box, "distance")
    retype(qtbot, editor.end_edit, "150")
    choose(editor.speed_kind_box, "fixed km/h")
    retype(qtbot, editor.speed_edit, "3.2")
    editor.select_path((1, 1))
    choose(editor.gait_box, "Run")

    assert problem_texts(editor) == []
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)

    saved = editor.result_workout()
    assert saved is not None
    assert saved == load_workout(user_data.workouts_dir / "hill-walks.toml")
    assert saved.title == "Hill walks"
    repeat = saved.items[1]
    assert isinstance(repeat, Repeat) and repeat.times == 4
    assert repeat.items[0] == Step(
        Direction.BACKWARD,
        Gait.WALK,
        DistanceEnd(150),
        AbsoluteSpeed(3.2),
        incline_pct=6,
        label="Uphill backwards",
    )
    assert repeat.items[1] == Step(Direction.FORWARD, Gait.RUN, TimeEnd(60))


def test_save_as_file_writes_anywhere_and_reads_back_equal(
    qtbot: QtBot, user_data: UserData, tmp_path: Path
) -> None:
    editor = open_editor(qtbot, user_data, MINE)
    editor.save_path = tmp_path / "shared" / "for-a-friend"
    (tmp_path / "shared").mkdir()
    qtbot.mouseClick(editor.save_file_button, Qt.MouseButton.LeftButton)
    assert load_workout(tmp_path / "shared" / "for-a-friend.toml") == MINE
    assert editor.told == []
    assert editor.isVisible()  # still editing


def test_editing_a_built_in_saves_a_copy(qtbot: QtBot, user_data: UserData) -> None:
    original = get("first-steps")
    editor = open_editor(qtbot, user_data, original)
    assert editor.is_copy
    assert editor.name_edit.text() != original.name
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    copy = editor.result_workout()
    assert copy is not None
    assert copy.items == original.items
    assert copy.name != original.name
    assert not (user_data.workouts_dir / "first-steps.toml").exists()
    assert load_workout(user_data.workouts_dir / f"{copy.name}.toml") == copy
    assert get("first-steps") == original


def test_a_built_in_name_is_refused(qtbot: QtBot, user_data: UserData) -> None:
    editor = open_editor(qtbot, user_data, MINE)
    retype(qtbot, editor.name_edit, "back-forth-50")
    assert any("built-in" in text for text in problem_texts(editor))
    assert "built-in" in shown_problem(editor, "nameProblem")
    assert not editor.save_button.isEnabled()


def test_saving_over_another_of_my_workouts_asks(qtbot: QtBot, user_data: UserData) -> None:
    user_data.save_workout(MINE)
    other = Workout("other", "Other", MINE.items)
    user_data.save_workout(other)
    editor = open_editor(qtbot, user_data, other)
    retype(qtbot, editor.name_edit, "mine")
    editor.answer = False
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert "“mine”" in editor.asked[0]
    assert editor.result_workout() is None
    assert load_workout(user_data.workouts_dir / "mine.toml") == MINE

    editor.answer = True
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert load_workout(user_data.workouts_dir / "mine.toml").title == "Other"
    # Renamed, not copied: the old file is gone.
    assert not (user_data.workouts_dir / "other.toml").exists()


def test_my_workout_is_edited_in_place_without_asking(qtbot: QtBot, user_data: UserData) -> None:
    user_data.save_workout(MINE)
    editor = open_editor(qtbot, user_data, MINE)
    assert not editor.is_copy
    retype(qtbot, editor.title_edit, "Mine, longer")
    assert editor.name_edit.text() == "mine"  # one's own workout keeps its name
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.asked == []
    assert [u.workout.title for u in user_data.workouts()] == ["Mine, longer"]


def test_the_tree_buttons_and_keys_reshape_the_workout(qtbot: QtBot, user_data: UserData) -> None:
    editor = open_editor(qtbot, user_data, MINE)
    editor.select_path((0,))
    qtbot.mouseClick(editor.duplicate_button, Qt.MouseButton.LeftButton)
    assert editor.current_path() == (1,)
    # Ctrl+Down moves the step into the repeat below it.
    editor.tree.setFocus()
    qtbot.keyClick(editor.tree, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert editor.current_path() == (1, 0)
    qtbot.mouseClick(editor.up_button, Qt.MouseButton.LeftButton)
    assert editor.current_path() == (1,)
    qtbot.keyClick(editor.tree, Qt.Key.Key_Delete)
    assert editor.current_workout() == MINE
    editor.select_path((1, 0))
    qtbot.mouseClick(editor.delete_button, Qt.MouseButton.LeftButton)
    assert problem_texts(editor) == ["Repeat 2: a repeat needs at least one step"]
    assert not editor.save_button.isEnabled()
