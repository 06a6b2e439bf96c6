"""The workout picker and its preview: what is listed, what the preview says, and
bringing workouts in (import) and taking them out (delete)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from retrocoach.coach.plan import SpeedLimits, build_plan, estimate
from retrocoach.gui.workout_editor import WorkoutEditor
from retrocoach.gui.workout_picker import Group, WorkoutPicker
from retrocoach.gui.workout_preview import WorkoutPreview
from retrocoach.userdata import UserData
from retrocoach.workouts.fileformat import dump_workout
from retrocoach.workouts.library import BUILT_IN, get
from retrocoach.workouts.model import (
    Direction,
    Gait,
    RelativeSpeed,
    Step,
    TimeEnd,
    Workout,
    format_duration,
)
from retrocoach.workouts.profile import RunnerProfile, Units
from retrocoach.workouts.progression import PROGRESSION
from retrocoach.workouts.zwo import dump_zwo, load_zwo

MINE = Workout(
    name="my-intervals",
    title="My backward intervals",
    description="Short ones.",
    items=(
        Step(Direction.FORWARD, Gait.WALK, TimeEnd(120)),
        Step(Direction.BACKWARD, Gait.WALK, TimeEnd(60), RelativeSpeed(0.7)),
    ),
)


class AnsweredPicker(WorkoutPicker):
    """The picker with its dialogs answered by the test."""

    import_path: Path | None = None
    export_path: Path | None = None
    answer = True

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.told: list[str] = []
        self.asked: list[str] = []
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def ask_import_path(self) -> Path | None:
        return self.import_path

    def ask_export_path(self, suggested: str) -> Path | None:
        self.asked.append(suggested)
        return self.export_path

    def confirm(self, text: str) -> bool:
        self.asked.append(text)
        return self.answer

    def tell(self, title: str, text: str) -> None:
        self.told.append(f"{title}\n{text}")


def make_picker(
    qtbot: QtBot, user_data: UserData, profile: RunnerProfile | None = None
) -> AnsweredPicker:
    picker = AnsweredPicker(user_data, lambda: profile or RunnerProfile())
    qtbot.addWidget(picker)
    return picker


def listed(picker: WorkoutPicker) -> dict[str, list[str]]:
    """Group heading -> the titles listed under it."""
    tree = picker.tree
    found: dict[str, list[str]] = {}
    for top in range(tree.topLevelItemCount()):
        header = tree.topLevelItem(top)
        assert header is not None
        found[header.text(0)] = [header.child(row).text(0) for row in range(header.childCount())]
    return found


def test_lists_the_library_the_plan_and_the_persons_own(qtbot: QtBot, user_data: UserData) -> None:
    user_data.save_workout(MINE)
    picker = make_picker(qtbot, user_data)
    groups = listed(picker)
    assert groups[Group.BUILT_IN.value] == [w.title for w in BUILT_IN]
    assert groups[Group.BEGINNER.value] == [w.title for w in PROGRESSION.sessions()]
    assert groups[Group.MINE.value] == [MINE.title]
    assert picker.warning.isHidden()


def test_selecting_a_workout_previews_it_with_its_estimate(
    qtbot: QtBot, user_data: UserData
) -> None:
    picker = make_picker(qtbot, user_data)
    preview = picker.preview
    for name in ("back-forth-50", "backward-hills"):
        assert picker.select(name)
        workout = get(name)
        limits = SpeedLimits()
        est = estimate(build_plan(workout, RunnerProfile(), limits), RunnerProfile(), limits)
        assert preview.title.text() == workout.title
        assert format_duration(est.duration_s) in preview.duration.text()
        assert preview.distance.text() == f"{est.distance_m / 1000:.2f} km"
        assert preview.segments.text() == f"{len(workout.expand())} segments"
        share = round(100 * est.backward_s / est.duration_s)
        assert f"{share}%" in preview.backward.text()
        assert preview.stack.currentWidget() is not preview.message


def test_the_preview_speaks_the_runners_units(qtbot: QtBot) -> None:
    preview = WorkoutPreview()
    qtbot.addWidget(preview)
    profile = RunnerProfile(units=Units.MPH)
    preview.show_workout(get("first-steps"), profile)
    limits = SpeedLimits()
    est = estimate(build_plan(get("first-steps"), profile, limits), profile, limits)
    assert preview.distance.text() == f"{est.distance_m / 1609.344:.2f} mi"
    assert "mph" in preview.speed_plot.getPlotItem().getAxis("left").labelText


def test_a_workout_this_treadmill_cannot_run_shows_why_instead_of_a_plot(qtbot: QtBot) -> None:
    preview = WorkoutPreview()
    qtbot.addWidget(preview)
    # A machine whose slowest speed is above the runner's turn speed cannot turn safely.
    preview.show_workout(get("first-steps"), RunnerProfile(), SpeedLimits(speed_min_kmh=4.0))
    assert preview.stack.currentWidget() is preview.message
    assert "turn speed" in preview.message.text()
    assert preview.duration.isHidden()


def test_use_double_click_and_enter_choose_the_selected_workout(
    qtbot: QtBot, user_data: UserData
) -> None:
    picker = make_picker(qtbot, user_data)
    picker.select("backward-hills")
    with qtbot.waitSignal(picker.chosen) as use:
        qtbot.mouseClick(picker.use_button, Qt.MouseButton.LeftButton)
    assert use.args == [get("backward-hills")]
    picker.select("first-steps")
    with qtbot.waitSignal(picker.chosen) as enter:
        picker.show()
        picker.tree.setFocus()
        qtbot.keyClick(picker.tree, Qt.Key.Key_Return)
    assert enter.args == [get("first-steps")]


def test_importing_a_good_file_adds_it_to_my_workouts(
    qtbot: QtBot, user_data: UserData, tmp_path: Path
) -> None:
    source = tmp_path / "from-a-friend.toml"
    source.write_text(dump_workout(MINE), encoding="utf-8")
    picker = make_picker(qtbot, user_data)
    picker.import_path = source
    qtbot.mouseClick(picker.import_button, Qt.MouseButton.LeftButton)
    assert picker.told == []
    assert listed(picker)[Group.MINE.value] == [MINE.title]
    assert picker.selected_workout() == MINE
    assert picker.preview.title.text() == MINE.title
    assert (user_data.workouts_dir / "my-intervals.toml").is_file()


BAD_SYNTAX = """name = "bad"
title = "Bad"

[[steps]]
direction = backward
gait = "walk"
duration_s = 30
"""

BAD_VALUE = """name = "bad"
title = "Bad"

[[steps]]
direction = "backward"
gait = "walk"
duration_s = 30
speed_kmh = 0
"""


def test_importing_over_an_existing_workout_asks_first(
    qtbot: QtBot, user_data: UserData, tmp_path: Path
) -> None:
    user_data.save_workout(MINE)
    newer = Workout(MINE.name, "Newer intervals", MINE.items)
    source = tmp_path / "newer.toml"
    source.write_text(dump_workout(newer), encoding="utf-8")
    picker = make_picker(qtbot, user_data)
    picker.import_path = source
    picker.answer = False
    picker.import_file()
    assert "my-intervals" in picker.asked[0]
    assert listed(picker)[Group.MINE.value] == [MINE.title]
    picker.answer = True
    picker.import_file()
    assert listed(picker)[Group.MINE.value] == [newer.title]


def test_a_broken_file_in_my_workouts_is_one_warning_line(
    qtbot: QtBot, user_data: UserData
) -> None:
    user_data.workouts_dir.mkdir(parents=True)
    (user_data.workouts_dir / "half-written.toml").write_text('name = "x"\ntitle = \n')
    user_data.save_workout(MINE)
    picker = make_picker(qtbot, user_data)
    assert picker.warning.isVisibleTo(picker)
    assert "half-written.toml" in picker.warning.text()
    assert listed(picker)[Group.MINE.value] == [MINE.title]


def test_delete_asks_first_and_only_touches_my_workouts(qtbot: QtBot, user_data: UserData) -> None:
    user_data.save_workout(MINE)
    picker = make_picker(qtbot, user_data)
    picker.select("first-steps")
    assert not picker.delete_button.isEnabled()
    picker.select(MINE.name)
    assert picker.delete_button.isEnabled()
    picker.answer = False
    qtbot.mouseClick(picker.delete_button, Qt.MouseButton.LeftButton)
    assert MINE.title in picker.asked[0]
    assert listed(picker)[Group.MINE.value] == [MINE.title]
    picker.answer = True
    qtbot.mouseClick(picker.delete_button, Qt.MouseButton.LeftButton)
    assert not (user_data.workouts_dir / "my-intervals.toml").exists()
    assert listed(picker)[Group.MINE.value] == ["None yet: use Import… or New…"]


def test_editing_a_built_in_adds_a_copy_and_leaves_the_original(
    qtbot: QtBot, user_data: UserData, monkeypatch: pytest.MonkeyPatch
) -> None:
    picker = make_picker(qtbot, user_data)

    def save_at_once(workout: Workout | None) -> Workout | None:
        editor = WorkoutEditor(workout, RunnerProfile(), user_data, picker)
        assert editor.save()
        return editor.result_workout()

    monkeypatch.setattr(picker, "open_editor", save_at_once)
    picker.select("backward-hills")
    assert picker.edit_button.text() == "&Edit a copy…"
    qtbot.mouseClick(picker.edit_button, Qt.MouseButton.LeftButton)
    copy = picker.current_entry()
    assert copy is not None and copy.group is Group.MINE
    assert copy.workout.name != "backward-hills"
    assert copy.workout.items == get("backward-hills").items
    assert get("backward-hills").title in listed(picker)[Group.BUILT_IN.value]


def steps(workout: Workout) -> list[Step]:
    return [expanded.step for expanded in workout.expand()]


def test_importing_a_zwo_file_adds_it_to_my_workouts(
    qtbot: QtBot, user_data: UserData, tmp_path: Path
) -> None:
    source = tmp_path / "Intervals from Zwift.zwo"
    source.write_text(dump_zwo(MINE), encoding="utf-8")
    picker = make_picker(qtbot, user_data)
    picker.import_path = source
    qtbot.mouseClick(picker.import_button, Qt.MouseButton.LeftButton)
    assert picker.told == []
    assert listed(picker)[Group.MINE.value] == [MINE.title]
    entry = picker.current_entry()
    assert entry is not None and entry.group is Group.MINE
    assert entry.workout.name == "intervals-from-zwift"
    assert steps(entry.workout) == steps(MINE)
    # Kept as TOML, which the editor and the command line read.
    assert (user_data.workouts_dir / "intervals-from-zwift.toml").is_file()


def test_an_exported_built_in_imported_again_gets_a_free_name(
    qtbot: QtBot, user_data: UserData, tmp_path: Path
) -> None:
    source = tmp_path / "backward-hills.zwo"
    source.write_text(dump_zwo(get("backward-hills")), encoding="utf-8")
    picker = make_picker(qtbot, user_data)
    picker.import_path = source
    picker.import_file()
    assert picker.told == []
    entry = picker.current_entry()
    assert entry is not None and entry.group is Group.MINE
    assert entry.workout.name == "backward-hills-2"
    assert (user_data.workouts_dir / "backward-hills-2.toml").is_file()


HOSTILE_ZWO = """<?xml version="1.0"?>
<!DOCTYPE workout_file [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<workout_file><name>&x;</name><sportType>run</sportType></workout_file>
"""

CYCLING_ZWO = """<workout_file>
  <sportType>bike</sportType>
  <workout><SteadyState Duration="600" Power="0.9"/></workout>
</workout_file>
"""


@pytest.mark.parametrize(
    ("name", "text", "line", "key", "problem"),
    [
        ("broken-workout.toml", BAD_SYNTAX, 5, None, 'put text in "double quotes"'),
        (
            "broken-workout.toml",
            BAD_VALUE,
            8,
            "steps[1].speed_kmh",
            "a speed must be between 0.1 and 30 km/h",
        ),
        (
            "from-the-internet.zwo",
            HOSTILE_ZWO,
            2,
            None,
            "refused: it has a document type declaration",
        ),
        ("from-the-internet.zwo", CYCLING_ZWO, 2, "sportType", "a cycling workout"),
    ],
)
def test_importing_a_bad_file_says_where_and_what_and_keeps_nothing(
    qtbot: QtBot,
    user_data: UserData,
    tmp_path: Path,
    name: str,
    text: str,
    line: int,
    key: str | None,
    problem: str,
) -> None:
    """A malformed TOML file, a hostile .zwo (entities) or a cycling one."""
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    picker = make_picker(qtbot, user_data)
    picker.import_path = source
    qtbot.mouseClick(picker.import_button, Qt.MouseButton.LeftButton)
    [message] = picker.told
    assert message.startswith("Cannot import this workout\n")
    assert name in message
    assert f"Line: {line}" in message
    if key is not None:
        assert f"Key: {key}" in message
    assert problem in message
    assert "Nothing was imported" in message
    assert listed(picker)[Group.MINE.value] == ["None yet: use Import… or New…"]
    assert not user_data.workouts_dir.exists() or not list(user_data.workouts_dir.iterdir())


def test_exporting_writes_the_selected_workout_as_zwo(
    qtbot: QtBot, user_data: UserData, tmp_path: Path
) -> None:
    user_data.save_workout(MINE)
    picker = make_picker(qtbot, user_data)
    picker.select("backward-hills")
    assert picker.export_button.isEnabled()
    assert picker.status.isHidden()
    picker.export_path = tmp_path / "hills.zwo"
    qtbot.mouseClick(picker.export_button, Qt.MouseButton.LeftButton)
    assert picker.asked == ["backward-hills.zwo"]  # the name offered in the dialog
    assert picker.told == []
    assert steps(load_zwo(tmp_path / "hills.zwo")) == steps(get("backward-hills"))
    assert picker.status.isVisibleTo(picker)
    assert "hills.zwo" in picker.status.text()
    # The person's own workouts too; a name without .zwo gets it.
    picker.select(MINE.name, Group.MINE)
    picker.export_path = tmp_path / "mine"
    picker.export_selected()
    assert steps(load_zwo(tmp_path / "mine.zwo")) == steps(MINE)


def test_cancelling_or_failing_an_export(qtbot: QtBot, user_data: UserData, tmp_path: Path) -> None:
    picker = make_picker(qtbot, user_data)
    picker.select("first-steps")
    picker.export_path = None
    picker.export_selected()
    assert picker.told == [] and picker.status.isHidden()
    picker.export_path = tmp_path / "no-such-folder" / "x.zwo"
    picker.export_selected()
    [message] = picker.told
    assert message.startswith("Cannot export this workout\n")
    assert "no-such-folder" in message and "cannot write the file" in message
