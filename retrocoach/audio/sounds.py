"""The cue sounds on disk: where they are, how long each lasts, whether each is sound.

No Qt: the queue plans with these durations, tests check every file, and a missing or
broken file is reported (and left silent) instead of stopping the app.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

from retrocoach.coach.speech import CLIPS, WAV, Beep
from retrocoach.resources import data_dir

RATE = 48_000  # what sound servers mix at: nothing is resampled on the way out


@dataclass(frozen=True, slots=True)
class Sound:
    stem: str  # "turn_around" for turn_around.wav
    path: Path
    seconds: float


def every_stem() -> list[str]:
    """Every sound a cue can ask for: the beeps and the spoken clips."""
    return [beep.value for beep in Beep] + list(CLIPS)


def read_sound(path: Path) -> Sound:
    """The sound at `path`; ValueError says what is wrong with it."""
    try:
        with wave.open(str(path), "rb") as wav:
            frames, rate = wav.getnframes(), wav.getframerate()
            channels, width = wav.getnchannels(), wav.getsampwidth()
    except (OSError, EOFError, wave.Error) as exc:
        raise ValueError(f"{path.name}: not a readable WAV file ({exc})") from None
    if (rate, channels, width) != (RATE, 1, 2):
        raise ValueError(
            f"{path.name}: {rate} Hz, {channels} channel(s), {8 * width}-bit; "
            f"cue sounds are {RATE} Hz mono 16-bit"
        )
    if frames == 0:
        raise ValueError(f"{path.name}: empty")
    return Sound(path.stem, path, frames / rate)


def load_catalogue(folder: Path | None = None) -> tuple[dict[str, Sound], list[str]]:
    """Every cue sound found in `folder` (the installed sounds by default) and a list of
    problems: a file missing or not a valid cue sound."""
    try:
        where = folder or data_dir("sounds")
    except FileNotFoundError as exc:
        return {}, [str(exc)]
    found: dict[str, Sound] = {}
    problems: list[str] = []
    for stem in every_stem():
        path = where / (stem + WAV)
        if not path.is_file():
            problems.append(f"{path.name}: missing from {where}")
            continue
        try:
            found[stem] = read_sound(path)
        except ValueError as exc:
            problems.append(str(exc))
    return found, problems
