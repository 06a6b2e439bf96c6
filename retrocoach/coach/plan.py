"""From a workout and a runner to the segments the engine runs: speeds resolved for this
runner, clamped to their caps (rule 3) and to what the machine supports."""

from __future__ import annotations

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
        """Within the machine's range and under the cap, on the machine's step.

        Rounds to the nearest step, then down a step if that crossed the ceiling, so a
        cap is never exceeded by rounding."""
        ceiling = min(cap_kmh, self.speed_max_kmh)
        value = min(max(kmh, self.speed_min_kmh), ceiling)
        stepped = _to_step(value, self.speed_step_kmh)
        if stepped > ceiling + 1e-9:
            stepped = _to_step(stepped - self.speed_step_kmh, self.speed_step_kmh)
        if stepped < self.speed_min_kmh - 1e-9:
            stepped = _to_step(self.speed_min_kmh + self.speed_step_kmh / 2, self.speed_step_kmh)
        return stepped

    def clamp_incline(self, pct: float) -> float:
        value = min(max(pct, self.incline_min_pct), self.incline_max_pct)
        return _to_step(value, self.incline_step_pct)


def _to_step(value: float, step: float) -> float:
    if step <= 0:
        return round(value, 2)
    return round(round(value / step) * step, 2)


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
    return segments


def turn_speed_kmh(profile: RunnerProfile, limits: SpeedLimits) -> float:
    """The belt speed for a turn-around: the profile's, on the machine's step, never
    above it (rounding down), and the machine's minimum if that is higher."""
    step = limits.speed_step_kmh
    value = math.floor(profile.turn_speed_kmh / step + 1e-9) * step if step > 0 else 0
    return round(max(value, limits.speed_min_kmh), 2)


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
