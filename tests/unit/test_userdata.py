"""What the app keeps between starts (retrocoach.userdata): defaults on a first start,
unreadable files counted as defaults and said so, whole-file writes, progression marks
and imported workouts."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from retrocoach.userdata import AppSettings, Theme, UserData
from retrocoach.workouts.errors import WorkoutFileError
from retrocoach.workouts.fileformat import dump_workout
from retrocoach.workouts.library import BUILT_IN, get
from retrocoach.workouts.profile import RunnerProfile, Units
from retrocoach.workouts.zwo import dump_zwo

DAY = datetime.date(2025, 3, 3)


@pytest.fixture
def data(tmp_path: Path) -> UserData:
    return UserData(tmp_path / "retrocoach")


def test_a_first_start_has_defaults_and_no_problems(data: UserData) -> None:
    assert not data.has_profile()
    assert data.load_profile() == RunnerProfile()
    assert data.load_settings() == AppSettings()
    assert data.progress() == {}
    assert data.workouts() == []
    assert data.problems == []
    assert not data.root.exists()  # reading creates nothing


def test_profile_and_settings_round_trip(data: UserData) -> None:
    profile = RunnerProfile(name="Ana", walk_kmh=4.5, hr_max=182, units=Units.MPH)
    settings = AppSettings(
        theme=Theme.LIGHT, voice=False, beeps=True, volume=35, simulator_speedup=30.0
    )
    data.save_profile(profile)
    data.save_settings(settings)

    again = UserData(data.root)
    assert again.has_profile()
    assert again.load_profile() == profile
    assert again.load_settings() == settings
    assert again.problems == []


def test_a_broken_settings_file_gives_defaults_and_names_the_file(data: UserData) -> None:
    data.root.mkdir(parents=True)
    data.settings_path.write_text("theme = 'dark\nvolume = 3", encoding="utf-8")

    assert data.load_settings() == AppSettings()
    assert len(data.problems) == 1
    assert str(data.settings_path) in data.problems[0]


def test_a_bad_setting_falls_back_alone_and_is_named(data: UserData) -> None:
    data.root.mkdir(parents=True)
    data.settings_path.write_text(
        'theme = "pink"\nvolume = 500\nvoice = false\nsimulator_speedup = 60\n', encoding="utf-8"
    )

    settings = data.load_settings()

    assert settings == AppSettings(voice=False, simulator_speedup=60.0)
    said = "\n".join(data.problems)
    assert "theme = 'pink'" in said and "using dark" in said
    assert "volume = 500" in said and "using 80" in said


def test_a_problem_is_said_once_however_often_the_file_is_read(data: UserData) -> None:
    data.root.mkdir(parents=True)
    data.settings_path.write_text("volume = 'loud'", encoding="utf-8")
    data.load_settings()
    data.load_settings()
    assert len(data.problems) == 1


def test_a_broken_profile_gives_the_default_profile_and_says_where(data: UserData) -> None:
    data.root.mkdir(parents=True)
    data.profile_path.write_text("format = 1\nhr_max = 'fast'\n", encoding="utf-8")

    assert data.load_profile() == RunnerProfile()
    assert len(data.problems) == 1
    assert f"{data.profile_path}:2: hr_max" in data.problems[0]


def test_a_write_replaces_the_whole_file_and_leaves_no_temporary_file(data: UserData) -> None:
    data.save_settings(AppSettings(volume=10))
    data.save_settings(AppSettings(volume=20))

    assert [p.name for p in data.root.iterdir()] == ["settings.toml"]
    assert UserData(data.root).load_settings().volume == 20


def test_a_failed_write_keeps_the_old_file_whole(
    data: UserData, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.save_profile(RunnerProfile(name="Before"))
    before = data.profile_path.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        data.save_profile(RunnerProfile(name="After"))

    assert data.profile_path.read_bytes() == before
    assert [p.name for p in data.root.iterdir()] == ["profile.toml"]


def test_saving_into_a_folder_that_cannot_be_made_raises_oserror(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(OSError):
        UserData(blocker / "retrocoach").save_settings(AppSettings())


def test_progress_marks_keep_the_first_day_and_can_be_taken_back(data: UserData) -> None:
    data.mark_done("beginner-w1-s1", DAY)
    data.mark_done("beginner-w1-s2", DAY + datetime.timedelta(days=2))
    data.mark_done("beginner-w1-s1", DAY + datetime.timedelta(days=9))  # done again

    assert UserData(data.root).progress() == {
        "beginner-w1-s1": DAY,
        "beginner-w1-s2": DAY + datetime.timedelta(days=2),
    }

    data.unmark_done("beginner-w1-s1")
    data.unmark_done("never-marked")
    assert UserData(data.root).progress() == {"beginner-w1-s2": DAY + datetime.timedelta(days=2)}


def test_hand_edited_progress_keeps_the_days_it_can_read(data: UserData) -> None:
    data.root.mkdir(parents=True)
    data.progress_path.write_text(
        "[done]\n"
        "beginner-w1-s1 = 2025-03-03\n"
        "beginner-w1-s2 = 2025-03-05T18:30:00\n"
        "beginner-w1-s3 = 'yesterday'\n",
        encoding="utf-8",
    )

    assert data.progress() == {
        "beginner-w1-s1": DAY,
        "beginner-w1-s2": datetime.date(2025, 3, 5),
    }


def test_unreadable_progress_counts_as_nothing_done(data: UserData) -> None:
    data.root.mkdir(parents=True)
    data.progress_path.write_text("done = 3\n", encoding="utf-8")

    assert data.progress() == {}
    assert "'done' is not a table" in data.problems[0]


def test_importing_a_bad_workout_copies_nothing(data: UserData, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('format = 1\nname = "x"\ntitle = "X"\n[[steps]]\ndirection = "up"\n')

    with pytest.raises(WorkoutFileError) as caught:
        data.import_workout(bad)

    assert caught.value.path == str(bad)
    assert not data.workouts_dir.exists() or list(data.workouts_dir.iterdir()) == []
    assert data.workouts() == []


def test_an_imported_workout_is_kept_and_listed(data: UserData, tmp_path: Path) -> None:
    source = tmp_path / "mine.toml"
    workout = BUILT_IN[0]
    source.write_text(dump_workout(workout), encoding="utf-8")

    kept = data.import_workout(source)
    source.unlink()  # the copy does not depend on the original

    assert kept.path.parent == data.workouts_dir
    assert [w.workout for w in UserData(data.root).workouts()] == [workout]


def test_a_broken_own_workout_is_left_out_and_named(data: UserData) -> None:
    data.save_workout(BUILT_IN[0])
    broken = data.workouts_dir / "broken.toml"
    broken.write_text("format = 1\nname = 'broken'\n", encoding="utf-8")

    listed = data.workouts()

    assert [w.workout for w in listed] == [BUILT_IN[0]]
    assert any(str(broken) in problem for problem in data.problems)


def test_a_zwo_file_is_imported_and_kept_as_toml(data: UserData, tmp_path: Path) -> None:
    source = tmp_path / "Hills From A Friend.ZWO"
    source.write_text(dump_zwo(get("backward-hills")), encoding="utf-8")

    kept = data.import_workout(source)

    assert kept.path == data.workouts_dir / "hills-from-a-friend.toml"
    [listed] = UserData(data.root).workouts()
    assert listed.workout.name == "hills-from-a-friend"
    steps = [expanded.step for expanded in listed.workout.expand()]
    assert steps == [expanded.step for expanded in get("backward-hills").expand()]


def test_an_imported_workout_can_be_given_another_name(data: UserData, tmp_path: Path) -> None:
    source = tmp_path / "backward-hills.zwo"
    source.write_text(dump_zwo(get("backward-hills")), encoding="utf-8")

    kept = data.import_workout(source, name="backward-hills-2")

    assert kept.path.name == "backward-hills-2.toml"
    assert kept.workout.name == "backward-hills-2"


def test_a_bad_zwo_file_keeps_nothing(data: UserData, tmp_path: Path) -> None:
    bad = tmp_path / "bomb.zwo"
    bad.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE w [<!ENTITY a "aaaa">]>\n<workout_file>&a;</workout_file>'
    )

    with pytest.raises(WorkoutFileError) as caught:
        data.import_workout(bad)

    assert (caught.value.path, caught.value.line) == (str(bad), 2)
    assert not data.workouts_dir.exists() or list(data.workouts_dir.iterdir()) == []
