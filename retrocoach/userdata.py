"""What the app keeps for the person between starts, all on this machine.

- the runner's profile (`profile.toml`, the documented profile format),
- the app's settings (`settings.toml`: theme, voice, beeps, volume, mute, notes aloud),
- the workouts they imported (TOML or Zwift .zwo files, kept as TOML) or wrote
  (`workouts/*.toml`),
- which sessions of the six-week progression are done (`progress.toml`),
- gym members, one profile file each (`members/*.toml`, kept by `retrocoach.members`).

Every file is written whole and then renamed into place, so a crash never leaves half a
file; an unreadable settings or progress file counts as defaults (and is said so in
`problems`), never as a reason not to start. No Qt here: the command line reads the
same files.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from retrocoach.workouts.errors import WorkoutFileError
from retrocoach.workouts.fileformat import dump_profile, dump_workout, load_profile, load_workout
from retrocoach.workouts.model import Workout
from retrocoach.workouts.profile import RunnerProfile
from retrocoach.workouts.zwo import load_zwo


class Theme(StrEnum):
    DARK = "dark"
    LIGHT = "light"


@dataclass(frozen=True)
class AppSettings:
    theme: Theme = Theme.DARK
    voice: bool = True  # spoken prompts
    beeps: bool = True  # countdown ticks and other beeps
    volume: int = 80  # 0-100
    muted: bool = False  # everything silent for now (M on the session screen)
    speak_notes: bool = True  # a workout's own notes by the system's voice, if it has one
    # Simulated sessions run this many times faster than real time (1 = real time).
    simulator_speedup: float = 1.0

    def __post_init__(self) -> None:
        if not 0 <= self.volume <= 100:
            raise ValueError(f"volume must be between 0 and 100, not {self.volume}")
        if not 1.0 <= self.simulator_speedup <= 1000.0:
            raise ValueError(f"simulator_speedup must be 1 to 1000, not {self.simulator_speedup}")


def default_root() -> Path:
    return Path(platformdirs.user_config_dir("retrocoach"))


@dataclass(frozen=True)
class UserWorkout:
    workout: Workout
    path: Path


class UserData:
    """The person's files under `root` (the platform's configuration folder by default)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_root()
        self.problems: list[str] = []  # what could not be read, for one warning

    def _problem(self, message: str) -> None:
        # Files are read again and again (each screen refresh): say each thing once.
        if message not in self.problems:
            self.problems.append(message)

    @property
    def profile_path(self) -> Path:
        return self.root / "profile.toml"

    @property
    def settings_path(self) -> Path:
        return self.root / "settings.toml"

    @property
    def workouts_dir(self) -> Path:
        return self.root / "workouts"

    @property
    def progress_path(self) -> Path:
        return self.root / "progress.toml"

    @property
    def members_dir(self) -> Path:
        return self.root / "members"

    # ---------------------------------------------------------------- profile

    def has_profile(self) -> bool:
        """False on the first start: the app then asks for one."""
        return self.profile_path.is_file()

    def load_profile(self) -> RunnerProfile:
        """The saved profile; defaults (and a note in `problems`) if it is unusable."""
        if not self.has_profile():
            return RunnerProfile()
        try:
            return load_profile(self.profile_path)
        except WorkoutFileError as exc:
            self._problem(f"{exc}; using the default profile")
            return RunnerProfile()

    def save_profile(self, profile: RunnerProfile) -> None:
        """OSError if the folder cannot be written."""
        write_atomically(self.profile_path, dump_profile(profile))

    # --------------------------------------------------------------- settings

    def load_settings(self) -> AppSettings:
        data = self._read_toml(self.settings_path)
        defaults = AppSettings()
        values: dict[str, Any] = {}
        for field in fields(AppSettings):
            if field.name not in data:
                continue
            value, default = data[field.name], getattr(defaults, field.name)
            try:
                if isinstance(default, Theme):
                    values[field.name] = Theme(str(value))
                elif isinstance(default, bool):
                    if not isinstance(value, bool):
                        raise ValueError(value)
                    values[field.name] = value
                elif isinstance(default, int):
                    if isinstance(value, bool) or not isinstance(value, int):
                        raise ValueError(value)
                    values[field.name] = value
                else:
                    if isinstance(value, bool) or not isinstance(value, int | float):
                        raise ValueError(value)
                    values[field.name] = float(value)
                replace(defaults, **{field.name: values[field.name]})  # in range?
            except ValueError:
                values.pop(field.name, None)
                self._problem(
                    f"{self.settings_path}: {field.name} = {value!r} is not valid; "
                    f"using {_shown(default)}"
                )
        return replace(defaults, **values)

    def save_settings(self, settings: AppSettings) -> None:
        data = asdict(settings)
        data["theme"] = settings.theme.value
        write_atomically(self.settings_path, tomli_w.dumps(data))

    # --------------------------------------------------------------- workouts

    def workouts(self) -> list[UserWorkout]:
        """The person's own workouts, by title; a broken file is reported in `problems`
        (with its line and key) and left out."""
        found: list[UserWorkout] = []
        if not self.workouts_dir.is_dir():
            return found
        for path in sorted(self.workouts_dir.glob("*.toml")):
            try:
                found.append(UserWorkout(load_workout(path), path))
            except WorkoutFileError as exc:
                self._problem(str(exc))
        return sorted(found, key=lambda w: w.workout.title.lower())

    def import_workout(self, source: Path, name: str | None = None) -> UserWorkout:
        """Check a workout file (TOML, or Zwift's .zwo) and keep it as TOML, under `name`
        if given; WorkoutFileError if it is not a valid workout (nothing is kept then),
        OSError if it cannot be kept."""
        workout = read_workout_file(source)
        if name is not None and name != workout.name:
            workout = replace(workout, name=name)
        return self.save_workout(workout)

    def save_workout(self, workout: Workout, path: Path | None = None) -> UserWorkout:
        """Save under the workouts folder (named after the workout) or at `path`."""
        target = path or self.workouts_dir / f"{workout.name}.toml"
        write_atomically(target, dump_workout(workout))
        return UserWorkout(workout, target)

    def delete_workout(self, user_workout: UserWorkout) -> None:
        user_workout.path.unlink(missing_ok=True)

    # ------------------------------------------------------------ progression

    def progress(self) -> dict[str, datetime.date]:
        """Progression sessions done, by workout name, with the day each was done."""
        data = self._read_toml(self.progress_path)
        done = data.get("done", {})
        if not isinstance(done, dict):
            self._problem(f"{self.progress_path}: 'done' is not a table; ignored")
            return {}
        # A date-time (a hand edit) counts as its day; anything else is not a mark.
        return {
            name: day.date() if isinstance(day, datetime.datetime) else day
            for name, day in done.items()
            if isinstance(day, datetime.date)
        }

    def mark_done(self, name: str, day: datetime.date) -> None:
        done = self.progress()
        done.setdefault(name, day)
        write_atomically(self.progress_path, tomli_w.dumps({"done": done}))

    def unmark_done(self, name: str) -> None:
        done = self.progress()
        if done.pop(name, None) is not None:
            write_atomically(self.progress_path, tomli_w.dumps({"done": done}))

    # ---------------------------------------------------------------- helpers

    def _read_toml(self, path: Path) -> dict[str, object]:
        try:
            return tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            self._problem(f"{path}: cannot be read ({exc}); using defaults")
            return {}


def is_zwo(path: Path) -> bool:
    return path.suffix.lower() == ".zwo"


def read_workout_file(path: Path) -> Workout:
    """A workout file of either kind, told by its suffix: .zwo is a Zwift workout,
    anything else the TOML format. Any problem is a WorkoutFileError."""
    return load_zwo(path) if is_zwo(path) else load_workout(path)


def _shown(value: object) -> str:
    return value.value if isinstance(value, StrEnum) else repr(value)


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        tmp.replace(path)
    except BaseException:
        # A failed write leaves the old file as it was, and no half-written litter.
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
