"""The workout model: steps, repeats and workouts, and their expansion into segments.

A workout is what a coach writes down ("8 x 50 m back / 50 m forward"); the engine
runs its expansion, one segment per step, repeats unrolled. Speeds stay symbolic here
(absolute km/h or a fraction of the runner's pace) until a profile resolves them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

MAX_STEP_SECONDS = 6 * 3600
MAX_STEP_METRES = 50_000
MAX_SPEED_KMH = 30.0
MIN_INCLINE_PCT, MAX_INCLINE_PCT = -10.0, 40.0
MAX_REPEATS = 100
MAX_SEGMENTS = 2000
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")


class InvalidField(ValueError):
    """A model value out of its range; `field` names the model attribute at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Direction(StrEnum):
    BACKWARD = "backward"
    FORWARD = "forward"

    @property
    def word(self) -> str:
        """How a coach says it: "backwards" / "forwards"."""
        return "backwards" if self is Direction.BACKWARD else "forwards"


class Gait(StrEnum):
    WALK = "walk"
    RUN = "run"


@dataclass(frozen=True)
class TimeEnd:
    """The step ends after this many seconds."""

    seconds: float

    def __post_init__(self) -> None:
        _check_range("end", self.seconds, 1, MAX_STEP_SECONDS, "a duration", "s")

    def describe(self) -> str:
        return format_duration(self.seconds)


@dataclass(frozen=True)
class DistanceEnd:
    """The step ends when the belt has moved this many metres."""

    metres: float

    def __post_init__(self) -> None:
        _check_range("end", self.metres, 1, MAX_STEP_METRES, "a distance", "m")

    def describe(self) -> str:
        return format_distance(self.metres)


End = TimeEnd | DistanceEnd


@dataclass(frozen=True)
class AbsoluteSpeed:
    kmh: float

    def __post_init__(self) -> None:
        _check_range("speed", self.kmh, 0.1, MAX_SPEED_KMH, "a speed", "km/h")


@dataclass(frozen=True)
class RelativeSpeed:
    """A fraction of the runner's own pace for the step's gait.

    For a backward step the runner's backward factor is applied on top, so the same
    workout suits a beginner and a seasoned retro runner.
    """

    fraction: float = 1.0

    def __post_init__(self) -> None:
        _check_range("speed", self.fraction, 0.1, 2.0, "a pace fraction", "")


Speed = AbsoluteSpeed | RelativeSpeed


@dataclass(frozen=True)
class Step:
    direction: Direction
    gait: Gait
    end: End
    speed: Speed = field(default_factory=RelativeSpeed)
    incline_pct: float = 0.0
    label: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.direction, Direction):
            raise InvalidField("direction", f"{self.direction!r} is not a direction")
        if not isinstance(self.gait, Gait):
            raise InvalidField("gait", f"{self.gait!r} is not a gait")
        _check_range(
            "incline_pct", self.incline_pct, MIN_INCLINE_PCT, MAX_INCLINE_PCT, "an incline", "%"
        )

    def default_label(self) -> str:
        return f"{self.direction.word.capitalize()} {self.gait.value}"

    @property
    def title(self) -> str:
        return self.label or self.default_label()


@dataclass(frozen=True)
class Repeat:
    times: int
    items: tuple[Item, ...]
    label: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.times, bool) or not isinstance(self.times, int):
            raise InvalidField(
                "times", f"a repeat count must be a whole number, not {self.times!r}"
            )
        if not 1 <= self.times <= MAX_REPEATS:
            raise InvalidField(
                "times", f"a repeat count must be between 1 and {MAX_REPEATS}, not {self.times}"
            )
        if not self.items:
            raise InvalidField("items", "a repeat needs at least one step")


Item = Step | Repeat


@dataclass(frozen=True)
class Workout:
    """A named plan. `description` says what it is for and who it suits."""

    name: str
    title: str
    items: tuple[Item, ...]
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not NAME_PATTERN.fullmatch(self.name):
            raise InvalidField(
                "name",
                f"{self.name!r} is not a workout name: use lower-case letters, digits and '-'",
            )
        if not self.title.strip():
            raise InvalidField("title", "a workout needs a title")
        if not self.items:
            raise InvalidField("items", "a workout needs at least one step")
        count = _count_segments(self.items)
        if count > MAX_SEGMENTS:
            raise InvalidField(
                "items", f"the workout expands to {count} steps; at most {MAX_SEGMENTS} are allowed"
            )

    def expand(self) -> list[ExpandedStep]:
        """The steps in the order they are run, repeats unrolled."""
        return list(_expand(self.items, ()))


@dataclass(frozen=True)
class ExpandedStep:
    step: Step
    # (repetition, of) for each enclosing repeat, outermost first: ((2, 8),) is "2 of 8".
    rounds: tuple[tuple[int, int], ...] = ()

    @property
    def label(self) -> str:
        if not self.rounds:
            return self.step.title
        where = ", ".join(f"{n}/{of}" for n, of in self.rounds)
        return f"{self.step.title} ({where})"


def _expand(items: tuple[Item, ...], rounds: tuple[tuple[int, int], ...]) -> Iterator[ExpandedStep]:
    for item in items:
        if isinstance(item, Step):
            yield ExpandedStep(item, rounds)
        else:
            for n in range(1, item.times + 1):
                yield from _expand(item.items, (*rounds, (n, item.times)))


def _count_segments(items: tuple[Item, ...]) -> int:
    return sum(
        1 if isinstance(item, Step) else item.times * _count_segments(item.items) for item in items
    )


def _check_range(field: str, value: float, low: float, high: float, what: str, unit: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidField(field, f"{what} must be a number, not {value!r}")
    if not low <= value <= high:
        suffix = f" {unit}" if unit else ""
        raise InvalidField(
            field, f"{what} must be between {low:g} and {high:g}{suffix}, not {value:g}{suffix}"
        )


def format_duration(seconds: float) -> str:
    """90 -> "1:30", 3725 -> "1:02:05"."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def format_distance(metres: float) -> str:
    if metres >= 1000:
        return f"{metres / 1000:g} km"
    return f"{metres:g} m"
