"""Console progress for `retrocoach run`: what the coach says, and a status line.

Until the audio layer speaks them, the cues printed here are how a headless runner
hears the coach; the status line is the glance at the screen (segment, direction,
time left, speed, heart rate).
"""

from __future__ import annotations

from typing import TextIO

from retrocoach.coach.engine import CoachEngine
from retrocoach.coach.events import (
    Cue,
    DeviceEvent,
    Event,
    Sample,
    SegmentStart,
    SessionEnd,
    UserEvent,
)
from retrocoach.coach.heartrate import zone_of
from retrocoach.workouts.model import format_distance, format_duration


class ConsoleProgress:
    def __init__(self, engine: CoachEngine, out: TextIO, *, status_every_s: float = 30.0) -> None:
        self.engine = engine
        self.out = out
        self.status_every_s = status_every_s
        self._next_status = status_every_s
        self._units = engine.profile.units
        self._closed = False

    def __call__(self, event: Event) -> None:
        if isinstance(event, Cue):
            self._line(event.t, f"» {event.text}")
        elif isinstance(event, SegmentStart):
            seg = self.engine.segments[event.index]
            self._line(
                event.t,
                f"▶ {event.index + 1}/{len(self.engine.segments)}  "
                f"{seg.direction.value.upper()} {seg.gait.value}  "
                f"{self._units.format_speed(seg.target_kmh)}  {_end_words(seg.end_record)}  "
                f"{seg.label}",
            )
        elif isinstance(event, DeviceEvent):
            self._line(event.t, f"⚡ {event.role} {event.state}")
        elif isinstance(event, UserEvent):
            self._line(event.t, f"☛ {event.action.value.replace('_', ' ')}")
        elif isinstance(event, Sample) and event.t >= self._next_status:
            self._next_status = event.t + self.status_every_s
            self._status(event)
        elif isinstance(event, SessionEnd):
            self._line(
                event.t,
                f"■ {event.reason.value}: {format_duration(event.duration_s)}, "
                f"{format_distance(round(event.distance_m))}; backwards "
                f"{format_duration(event.backward_time_s)}, "
                f"{format_distance(round(event.backward_distance_m))}",
            )

    def _status(self, sample: Sample) -> None:
        snap = self.engine.snapshot(self.engine.now)
        left = ""
        if snap.segment_active and snap.remaining_m is not None:
            left = f"{format_distance(round(snap.remaining_m))} left"
        elif snap.segment_active and snap.remaining_s is not None:
            left = f"{format_duration(snap.remaining_s)} left"
        elif snap.phase is not None:
            left = snap.phase.value.replace("_", " ")
        else:
            left = snap.state.value
        heart = "♥ --"
        if sample.hr_bpm is not None:
            zone = zone_of(sample.hr_bpm, self.engine.profile)
            heart = f"♥ {sample.hr_bpm}" + (f" z{zone.number}" if zone else "")
        self._line(
            sample.t,
            f"  {sample.direction.upper():8} seg {sample.segment + 1}/{len(self.engine.segments)}"
            f"  {left:>12}  {self._units.format_speed(sample.speed_kmh)}"
            f"  {heart}  {sample.distance_m / 1000:.2f} km",
        )

    def _line(self, t: float, text: str) -> None:
        if self._closed:
            return
        try:
            self.out.write(f"{format_duration(t):>7}  {text}\n")
            self.out.flush()
        except (BrokenPipeError, OSError):
            # Nobody reads any more (a closed pipe): the session itself must go on.
            self._closed = True


def _end_words(end: dict[str, float]) -> str:
    if "time_s" in end:
        return format_duration(end["time_s"])
    return format_distance(end["distance_m"])
