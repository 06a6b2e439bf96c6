"""From a workout and a runner to the segments the engine runs: speeds resolved for this
runner, clamped to their caps (rule 3) and to what the machine supports."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from retrocoach.workouts.model import Direction, DistanceEnd, End, Gait, TimeEnd, Workout
from retrocoach.workouts.profile import RunnerProfile

# Typical belt acceleration; used only to estimate durations, never to decide anything.
ESTIMATE_ACCEL_KMH_PER_S = 0.5
COUNTDOWN_S = 5.0


@dataclass(frozen=True)
class SpeedLimits:
    """What the treadmill supports (FTMS Supported Speed / Inclination Range)."""

    speed_min_kmh: float = 0.8
    speed_max_kmh: float = 20.0
    speed_step_kmh: float = 0.1
    incline_min_pct: float = 0.0
    incline_max_pct: float = 15.0
    incline_step_pct: float = 0.5

    def clamp_speed(self, kmh: float, cap_kmh: float) -> float:
        """Within the machine's range and under the cap, on the machine's steps (counted
        from its minimum). Rounds to the nearest step, and down one if that crossed the
        ceiling, so a cap is never exceeded by rounding. A cap below the machine's
        minimum is refused by `build_plan`, not here."""
        low, step = self.speed_min_kmh, self.speed_step_kmh
        ceiling = max(min(cap_kmh, self.speed_max_kmh), low)
        stepped = _to_step(min(max(kmh, low), ceiling), step, low)
        if stepped > ceiling + 1e-9:
            stepped = _to_step(stepped - step, step, low)
        return max(stepped, low)

    def clamp_incline(self, pct: float) -> float:
        low = self.incline_min_pct
        value = min(max(pct, low), self.incline_max_pct)
        return min(_to_step(value, self.incline_step_pct, low), self.incline_max_pct)


def _to_step(value: float, step: float, origin: float) -> float:
    if step <= 0:
        return round(value, 2)
    return round(origin + round((value - origin) / step) * step, 2)


class PlanError(ValueError):
    """This runner cannot do this workout safely on this machine; `problems` say why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Segment:
    index: int
    label: str
    direction: Direction
    gait: Gait
    end: End
    target_kmh: float  # what the belt will be set to
    requested_kmh: float  # what the workout asked for this runner, before any clamp
    incline_pct: float
    note: str = ""

    @property
    def clamped(self) -> bool:
        return abs(self.target_kmh - self.requested_kmh) > 0.051

    @property
    def end_record(self) -> dict[str, float]:
        if isinstance(self.end, TimeEnd):
            return {"time_s": self.end.seconds}
        return {"distance_m": self.end.metres}


def build_plan(workout: Workout, profile: RunnerProfile, limits: SpeedLimits) -> list[Segment]:
    """The segments, speeds resolved; PlanError when the machine cannot go as slow as
    the runner's turn speed or a cap that the workout needs."""
    segments = []
    for index, expanded in enumerate(workout.expand()):
        step = expanded.step
        requested = profile.speed_kmh(step.speed, step.gait, step.direction)
        target = limits.clamp_speed(requested, profile.cap_kmh(step.direction))
        segments.append(
            Segment(
                index=index,
                label=expanded.label,
                direction=step.direction,
                gait=step.gait,
                end=step.end,
                target_kmh=target,
                requested_kmh=requested,
                incline_pct=limits.clamp_incline(step.incline_pct),
                note=step.note,
            )
        )
    problems = plan_problems(segments, profile, limits)
    if problems:
        raise PlanError(problems)
    return segments


def plan_problems(
    segments: list[Segment], profile: RunnerProfile, limits: SpeedLimits
) -> list[str]:
    slowest = limits.speed_min_kmh
    found = []
    turns = any(a.direction is not b.direction for a, b in itertools.pairwise(segments))
    if turns and profile.turn_speed_kmh < slowest - 1e-9:
        found.append(
            f"this treadmill's slowest speed ({slowest:g} km/h) is above your turn speed "
            f"({profile.turn_speed_kmh:g} km/h): it cannot slow down enough for a safe turn-around"
        )
    for direction in Direction:
        cap = profile.cap_kmh(direction)
        if any(s.direction is direction for s in segments) and cap < slowest - 1e-9:
            found.append(
                f"this treadmill's slowest speed ({slowest:g} km/h) is above your "
                f"{direction.value} cap ({cap:g} km/h)"
            )
    return found


def turn_speed_kmh(profile: RunnerProfile, limits: SpeedLimits) -> float:
    """The belt speed for a turn-around: the profile's, on the machine's steps, never
    above it (rounding down). (A machine whose slowest speed is above it is refused.)"""
    low, step = limits.speed_min_kmh, limits.speed_step_kmh
    if step <= 0 or profile.turn_speed_kmh <= low:
        return round(max(low, min(profile.turn_speed_kmh, limits.speed_max_kmh)), 2)
    steps = math.floor((profile.turn_speed_kmh - low) / step + 1e-9)
    return round(low + steps * step, 2)


@dataclass(frozen=True)
class Estimate:
    duration_s: float
    distance_m: float
    backward_s: float
    backward_m: float
    # Where each segment starts (after the turn-around that leads into it).
    starts_s: tuple[float, ...] = ()
    starts_m: tuple[float, ...] = ()


def estimate(segments: list[Segment], profile: RunnerProfile, limits: SpeedLimits) -> Estimate:
    """Roughly how long and how far: the first countdown, turn-arounds and belt ramps
    included (for listings and previews; the engine decides nothing from it)."""
    turn = turn_speed_kmh(profile, limits)
    accel = ESTIMATE_ACCEL_KMH_PER_S
    duration, distance = COUNTDOWN_S, 0.0
    backward_s = backward_m = 0.0
    starts_s: list[float] = []
    starts_m: list[float] = []
    belt = 0.0  # the belt's speed as the next segment starts
    previous: Segment | None = None
    for seg in segments:
        if previous is not None and previous.direction is not seg.direction:
            slow_s = max(belt - turn, 0) / accel
            duration += slow_s + profile.turn_time_s
            distance += (belt + turn) / 2 / 3.6 * slow_s + turn / 3.6 * profile.turn_time_s
            belt = min(belt, turn)
            if seg.target_kmh > belt:
                duration += COUNTDOWN_S
                distance += belt / 3.6 * COUNTDOWN_S
        starts_s.append(duration)
        starts_m.append(distance)
        # The belt ramps linearly from its speed to the target: it covers less (or more)
        # ground than at the target over the ramp.
        target = seg.target_kmh
        ramp_s = abs(target - belt) / accel
        shortfall_m = (target - belt) / 2 / 3.6 * ramp_s
        if isinstance(seg.end, TimeEnd):
            seg_s = seg.end.seconds
            seg_m = target / 3.6 * seg_s - shortfall_m
        else:
            assert isinstance(seg.end, DistanceEnd)
            seg_m = seg.end.metres
            seg_s = (seg_m + shortfall_m) / (target / 3.6)
        duration += seg_s
        distance += seg_m
        if seg.direction is Direction.BACKWARD:
            backward_s += seg_s
            backward_m += seg_m
        belt = target
        previous = seg
    return Estimate(duration, distance, backward_s, backward_m, tuple(starts_s), tuple(starts_m))
