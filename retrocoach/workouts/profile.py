"""The runner's profile: paces, caps, heart rate and how a turn-around is done.

Speeds are kept in km/h whatever the display units, so a profile file means the same
on every machine; `units` only changes how speeds are shown and spoken.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

from retrocoach.workouts.model import Direction, Gait, InvalidField, RelativeSpeed, Speed

KMH_PER_MPH = 1.609344


class Units(StrEnum):
    KMH = "kmh"
    MPH = "mph"

    @property
    def symbol(self) -> str:
        return "km/h" if self is Units.KMH else "mph"

    def from_kmh(self, kmh: float) -> float:
        return kmh if self is Units.KMH else kmh / KMH_PER_MPH

    def format_speed(self, kmh: float) -> str:
        return f"{self.from_kmh(kmh):.1f} {self.symbol}"


@dataclass(frozen=True)
class RunnerProfile:
    name: str = "Runner"
    walk_kmh: float = 5.0
    run_kmh: float = 9.0
    # Backward running costs about 30 % more energy at the same speed, so the same
    # effort is reached at roughly 70 % of the forward speed.
    backward_factor: float = 0.70
    backward_max_kmh: float = 8.0
    forward_max_kmh: float = 16.0
    hr_max: int = 190
    hr_rest: int = 60
    hr_ceiling: int = 175
    turn_speed_kmh: float = 3.0
    turn_time_s: float = 5.0
    units: Units = Units.KMH

    def __post_init__(self) -> None:
        for problem in self.problems():
            raise problem

    def problems(self) -> list[InvalidField]:
        """Every value out of range or contradicting another, first to last."""
        found: list[InvalidField] = []

        def need(ok: bool, key: str, message: str) -> None:
            if not ok:
                found.append(InvalidField(key, message))

        numbers = [f.name for f in fields(self) if f.name not in ("name", "units")]
        for key in numbers:
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int | float):
                found.append(InvalidField(key, f"must be a number, not {value!r}"))
            elif not math.isfinite(value):
                found.append(InvalidField(key, f"must be a finite number, not {value!r}"))
        for key in ("hr_max", "hr_rest", "hr_ceiling"):
            value = getattr(self, key)
            if not any(f.field == key for f in found) and not float(value).is_integer():
                found.append(InvalidField(key, f"must be a whole number, not {value!r}"))
        name: object = self.name
        if not isinstance(name, str):
            found.append(InvalidField("name", f"must be text, not {name!r}"))
        if found:
            return found
        need(0.5 <= self.walk_kmh <= 9, "walk_kmh", _between("walking speed", 0.5, 9, "km/h"))
        need(2 <= self.run_kmh <= 25, "run_kmh", _between("running speed", 2, 25, "km/h"))
        need(
            self.run_kmh >= self.walk_kmh,
            "run_kmh",
            f"the running speed ({self.run_kmh:g} km/h) is below the walking speed "
            f"({self.walk_kmh:g} km/h)",
        )
        need(
            0.3 <= self.backward_factor <= 1.0,
            "backward_factor",
            _between("the backward factor", 0.3, 1.0, ""),
        )
        need(
            1 <= self.backward_max_kmh <= 20,
            "backward_max_kmh",
            _between("the backward cap", 1, 20, "km/h"),
        )
        need(
            1 <= self.forward_max_kmh <= 30,
            "forward_max_kmh",
            _between("the forward cap", 1, 30, "km/h"),
        )
        need(
            100 <= self.hr_max <= 230, "hr_max", _between("the maximum heart rate", 100, 230, "bpm")
        )
        need(
            30 <= self.hr_rest <= 120, "hr_rest", _between("the resting heart rate", 30, 120, "bpm")
        )
        need(
            self.hr_rest < self.hr_ceiling <= self.hr_max,
            "hr_ceiling",
            f"the heart-rate ceiling ({self.hr_ceiling}) must be above the resting heart rate "
            f"({self.hr_rest}) and at most the maximum ({self.hr_max})",
        )
        need(
            1.0 <= self.turn_speed_kmh <= 5.0,
            "turn_speed_kmh",
            _between("the turn speed", 1, 5, "km/h"),
        )
        need(
            3 <= self.turn_time_s <= 60,
            "turn_time_s",
            _between("the turn time", 3, 60, "s"),
        )
        need(
            self.turn_speed_kmh <= min(self.backward_max_kmh, self.forward_max_kmh),
            "turn_speed_kmh",
            f"the turn speed ({self.turn_speed_kmh:g} km/h) is above a speed cap",
        )
        need(isinstance(self.units, Units), "units", f"{self.units!r} is not 'kmh' or 'mph'")
        return found

    def cap_kmh(self, direction: Direction) -> float:
        if direction is Direction.BACKWARD:
            return self.backward_max_kmh
        return self.forward_max_kmh

    def pace_kmh(self, gait: Gait, direction: Direction) -> float:
        """The runner's own speed for this gait and direction."""
        base = self.walk_kmh if gait is Gait.WALK else self.run_kmh
        return base * (self.backward_factor if direction is Direction.BACKWARD else 1.0)

    def speed_kmh(self, speed: Speed, gait: Gait, direction: Direction) -> float:
        """A step's speed for this runner, before any cap or machine limit."""
        if isinstance(speed, RelativeSpeed):
            return speed.fraction * self.pace_kmh(gait, direction)
        return speed.kmh

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["units"] = self.units.value
        return data


def _between(what: str, low: float, high: float, unit: str) -> str:
    suffix = f" {unit}" if unit else ""
    return f"{what} must be between {low:g} and {high:g}{suffix}"
