"""The engine's events: one class per event of the event log contract (DESIGN.md).

Every consumer (event log, console, audio, GUI, recorder) reads these; `record()`
gives the contract's JSON object, so the log and the objects cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar


class Phase(StrEnum):
    COUNTDOWN = "countdown"
    ANNOUNCE = "announce"
    SLOW_DOWN = "slow_down"
    TURN = "turn"
    RAMP = "ramp"
    STEADY = "steady"


class Source(StrEnum):
    COACH = "coach"
    USER = "user"
    SAFETY = "safety"


class UserAction(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    SKIP = "skip"
    STOP = "stop"
    EMERGENCY_STOP = "emergency_stop"
    SPEED_UP = "speed_up"
    SPEED_DOWN = "speed_down"


class EndReason(StrEnum):
    COMPLETED = "completed"
    STOPPED = "stopped"
    EMERGENCY_STOP = "emergency_stop"
    FAULT = "fault"


@dataclass(frozen=True, slots=True)
class Event:
    t: float  # seconds since the session started (virtual seconds when simulated)
    name: ClassVar[str] = "event"

    def record(self) -> dict[str, Any]:
        """The event as one JSON object of the event log."""
        out: dict[str, Any] = {"t": round(self.t, 3), "event": self.name}
        for f in fields(self):
            if f.name != "t":
                out[f.name] = _plain(getattr(self, f.name))
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class SessionStart(Event):
    workout: str
    profile: dict[str, Any]
    treadmill: str
    hrm: str | None
    name: ClassVar[str] = "session_start"


@dataclass(frozen=True, slots=True)
class SegmentStart(Event):
    index: int
    label: str
    direction: str
    gait: str
    target_speed_kmh: float
    incline_pct: float
    end: dict[str, float]
    name: ClassVar[str] = "segment_start"


@dataclass(frozen=True, slots=True)
class SegmentEnd(Event):
    """Not required by the contract: when and where a segment really ended."""

    index: int
    reason: str  # "completed" or "skipped"
    elapsed_s: float
    distance_m: float
    name: ClassVar[str] = "segment_end"


@dataclass(frozen=True, slots=True)
class PhaseChange(Event):
    phase: Phase
    segment: int
    # When the phase is planned to end (a countdown: the change, where "one" is said);
    # None when the belt decides (a ramp, a slow-down) or it lasts (steady).
    until: float | None = None
    name: ClassVar[str] = "phase"


@dataclass(frozen=True, slots=True)
class Cue(Event):
    id: str
    text: str
    sound: str | None  # the first file heard: the beep, else the first spoken clip
    beep: str | None = None  # mixed over speech, at once
    speech: list[str] = field(default_factory=list)  # clips said one after another
    name: ClassVar[str] = "cue"


@dataclass(frozen=True, slots=True)
class Command(Event):
    op: str
    value: float | None
    source: Source
    name: ClassVar[str] = "command"


@dataclass(frozen=True, slots=True)
class CommandResult(Event):
    op: str
    result: str
    name: ClassVar[str] = "command_result"


@dataclass(frozen=True, slots=True)
class Sample(Event):
    speed_kmh: float
    incline_pct: float
    distance_m: float
    hr_bpm: int | None
    direction: str
    segment: int
    # Not required by the contract: the strap's beat-to-beat intervals since the last
    # sample, in milliseconds (empty when it sends none).
    rr_ms: list[int] = field(default_factory=list)
    name: ClassVar[str] = "sample"


@dataclass(frozen=True, slots=True)
class MachineStatusEvent(Event):
    code: int
    status: str
    value: float | None
    name: ClassVar[str] = "machine_status"

    def record(self) -> dict[str, Any]:
        # The contract names the field `name`, which a dataclass cannot (it is the
        # event's own name here).
        return {
            "t": round(self.t, 3),
            "event": self.name,
            "code": self.code,
            "name": self.status,
            "value": _plain(self.value),
        }


@dataclass(frozen=True, slots=True)
class DeviceEvent(Event):
    role: str
    state: str
    name: ClassVar[str] = "device"


@dataclass(frozen=True, slots=True)
class SafetyEvent(Event):
    rule: int
    action: str
    detail: str
    name: ClassVar[str] = "safety"


@dataclass(frozen=True, slots=True)
class UserEvent(Event):
    action: UserAction
    name: ClassVar[str] = "user"


@dataclass(frozen=True, slots=True)
class SessionEnd(Event):
    reason: EndReason
    duration_s: float
    distance_m: float
    backward_time_s: float
    backward_distance_m: float
    name: ClassVar[str] = "session_end"
