"""The cue catalogue: every cue the engine can emit, with how it is worded.

Ids are stable (the event log records them). Each cue is said twice over: as text (what
the screen and the console show, in the runner's units) and aloud, as a beep and a list
of recorded clips (`speech`) that `retrocoach.audio` plays.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from retrocoach.coach import speech
from retrocoach.coach.plan import Segment
from retrocoach.coach.speech import Beep
from retrocoach.workouts.model import Direction, Gait, TimeEnd, format_distance, format_duration
from retrocoach.workouts.profile import Units


class CueId(StrEnum):
    GET_READY = "get_ready"
    WAITING_FOR_HEART_RATE = "waiting_for_heart_rate"
    COUNTDOWN_3 = "countdown_3"
    COUNTDOWN_2 = "countdown_2"
    COUNTDOWN_1 = "countdown_1"
    SPEEDING_UP = "speeding_up"
    SLOWING_DOWN = "slowing_down"
    NEXT = "next"
    TURN_AROUND = "turn_around"
    SEGMENT = "segment"
    NOTE = "note"
    HALFWAY = "halfway"
    ONE_MINUTE_LEFT = "one_minute_left"
    HR_HIGH = "hr_high"
    HR_HIGH_AT_MINIMUM = "hr_high_at_minimum"
    HR_MISSING = "hr_missing"
    HR_BACK = "hr_back"
    HOLDING_SPEED = "holding_speed"
    CONSOLE_SPEED = "console_speed"
    ABOVE_CAP = "above_cap"
    WAITING_FOR_TURN_SPEED = "waiting_for_turn_speed"
    PAUSED = "paused"
    RESUMING = "resuming"
    SAFETY_KEY = "safety_key"
    STOPPED_ON_CONSOLE = "stopped_on_console"
    BELT_STOPPED = "belt_stopped"
    START_FAILED = "start_failed"
    CONTROL_TAKEN = "control_taken"
    DEVICE_LOST = "device_lost"
    DEVICE_BACK = "device_back"
    SESSION_COMPLETE = "session_complete"
    SESSION_STOPPED = "session_stopped"
    EMERGENCY_STOP = "emergency_stop"


@dataclass(frozen=True, slots=True)
class Said:
    """A cue's words: `text` to read, `speech` (clip stems) to hear."""

    text: str
    speech: tuple[str, ...] = ()


# The countdown: "three" two seconds before the change, "two", then "one" on it.
COUNTDOWN_TICKS = (CueId.COUNTDOWN_3, CueId.COUNTDOWN_2, CueId.COUNTDOWN_1)
COUNTDOWN_AHEAD_S = (2.0, 1.0, 0.0)
COUNTDOWN_WORDS = {CueId.COUNTDOWN_3: "Three", CueId.COUNTDOWN_2: "Two", CueId.COUNTDOWN_1: "One"}
# The cues that open a countdown (the engine's `_countdown`).
COUNTDOWN_OPENERS = frozenset({CueId.GET_READY, CueId.SPEEDING_UP, CueId.RESUMING})

_STOPPED_AGAIN = "Resume when you are ready."

# Wording of the cues that take no parameters.
FIXED: dict[CueId, Said] = {
    CueId.WAITING_FOR_HEART_RATE: Said(
        "Waiting for your heart rate before the belt starts.", ("waiting_for_heart_rate",)
    ),
    CueId.HALFWAY: Said("Halfway.", ("halfway",)),
    CueId.ONE_MINUTE_LEFT: Said("One minute left.", ("one_minute_left",)),
    CueId.HR_MISSING: Said("Heart rate lost: holding the speed until it is back.", ("hr_missing",)),
    CueId.HR_BACK: Said("Heart rate back.", ("hr_back",)),
    CueId.PAUSED: Said("Paused.", ("paused",)),
    CueId.SAFETY_KEY: Said(
        f"Safety key pulled: the belt stopped. {_STOPPED_AGAIN}",
        ("safety_key", "resume_when_ready"),
    ),
    CueId.STOPPED_ON_CONSOLE: Said(
        f"Stopped on the treadmill. {_STOPPED_AGAIN}", ("stopped_on_console", "resume_when_ready")
    ),
    CueId.BELT_STOPPED: Said(
        f"The belt stopped. {_STOPPED_AGAIN}", ("belt_stopped", "resume_when_ready")
    ),
    CueId.START_FAILED: Said(
        "The treadmill did not start. Check the safety key, then resume.", ("start_failed",)
    ),
    CueId.CONTROL_TAKEN: Said(
        "Another app took control of the treadmill. Resume to take it back.",
        ("control_taken",),
    ),
    CueId.SESSION_COMPLETE: Said("Session complete. Well done.", ("session_complete",)),
    CueId.SESSION_STOPPED: Said("Session stopped.", ("session_stopped",)),
    CueId.EMERGENCY_STOP: Said("Emergency stop.", ("emergency_stop",)),
    CueId.COUNTDOWN_3: Said("Three", ("n3",)),
    CueId.COUNTDOWN_2: Said("Two", ("n2",)),
    CueId.COUNTDOWN_1: Said("One", ("n1",)),
}

# The beep each cue sounds with (the engine overrides it where the moment decides: a
# segment that starts without a countdown, a slow-down that ends a segment).
BEEPS: dict[CueId, Beep] = {
    CueId.COUNTDOWN_3: Beep.TICK,
    CueId.COUNTDOWN_2: Beep.TICK,
    CueId.COUNTDOWN_1: Beep.GO,
    CueId.TURN_AROUND: Beep.SEGMENT_END,
    CueId.SESSION_COMPLETE: Beep.SEGMENT_END,
    CueId.HR_HIGH: Beep.WARNING,
    CueId.HR_HIGH_AT_MINIMUM: Beep.WARNING,
    CueId.HR_MISSING: Beep.WARNING,
    CueId.ABOVE_CAP: Beep.WARNING,
    CueId.WAITING_FOR_TURN_SPEED: Beep.WARNING,
    CueId.SAFETY_KEY: Beep.WARNING,
    CueId.STOPPED_ON_CONSOLE: Beep.WARNING,
    CueId.BELT_STOPPED: Beep.WARNING,
    CueId.START_FAILED: Beep.WARNING,
    CueId.CONTROL_TAKEN: Beep.WARNING,
    CueId.DEVICE_LOST: Beep.WARNING,
    CueId.EMERGENCY_STOP: Beep.WARNING,
}

# What the runner does, facing which way, for a turn-around.
FACING = {
    Direction.BACKWARD: "face the back of the treadmill",
    Direction.FORWARD: "face the console",
}
_FACE_CLIP = {Direction.BACKWARD: "face_back", Direction.FORWARD: "face_console"}
_DIRECTION_CLIP = {Direction.BACKWARD: "backwards", Direction.FORWARD: "forwards"}
_GAIT_CLIP = {Gait.WALK: "walk", Gait.RUN: "run"}


def speed(kmh: float, units: Units) -> str:
    return units.format_speed(kmh)


def spoken_speed(kmh: float, units: Units) -> list[str]:
    """The speed in the runner's units, as the number alone ("five point five")."""
    return speech.number(units.from_kmh(kmh))


def _how(seg: Segment, units: Units) -> list[str]:
    """ "Run backwards at five point five"."""
    return [
        _GAIT_CLIP[seg.gait],
        _DIRECTION_CLIP[seg.direction],
        "at",
        *spoken_speed(seg.target_kmh, units),
    ]


def segment_words(seg: Segment, units: Units) -> str:
    """ "backwards walk at 3.5 km/h for 1:00" / "forwards run at 9.0 km/h for 400 m"."""
    how_long = (
        format_duration(seg.end.seconds)
        if isinstance(seg.end, TimeEnd)
        else format_distance(seg.end.metres)
    )
    words = (
        f"{seg.direction.word} {seg.gait.value} at {speed(seg.target_kmh, units)} for {how_long}"
    )
    if seg.incline_pct:
        words += f", incline {seg.incline_pct:g} %"
    return words


def get_ready(seg: Segment, units: Units) -> Said:
    return Said(
        f"Get ready: {segment_words(seg, units)}. {FACING[seg.direction].capitalize()}.",
        (
            "get_ready",
            _GAIT_CLIP[seg.gait],
            _DIRECTION_CLIP[seg.direction],
            _FACE_CLIP[seg.direction],
        ),
    )


def next_segment(seg: Segment, units: Units, turn: bool) -> Said:
    if turn:
        return Said(
            f"Turn-around coming, then {segment_words(seg, units)}.",
            ("next", "turn_around", "then", *_how(seg, units)),
        )
    return Said(f"Next: {segment_words(seg, units)}.", ("next", *_how(seg, units)))


def turn_around(seg: Segment, units: Units) -> Said:
    return Said(
        f"Turn around now: {FACING[seg.direction]}. Next: {seg.direction.word} {seg.gait.value} "
        f"at {speed(seg.target_kmh, units)}.",
        ("turn_around", _FACE_CLIP[seg.direction]),
    )


def segment_start(seg: Segment, units: Units) -> Said:
    text = segment_words(seg, units)
    return Said(text[0].upper() + text[1:] + ".", tuple(_how(seg, units)))


def note(text: str) -> Said:
    """The workout's own words: no recording says them (live speech may, if on)."""
    return Said(text)


def speeding_up(kmh: float, units: Units) -> Said:
    return Said(
        f"Speeding up to {speed(kmh, units)}.",
        ("speeding_up", "to", *spoken_speed(kmh, units)),
    )


def slowing_down(kmh: float, units: Units) -> Said:
    return Said(
        f"Slowing down to {speed(kmh, units)}.",
        ("slowing_down", "to", *spoken_speed(kmh, units)),
    )


def hr_high(kmh: float, units: Units) -> Said:
    return Said(
        f"Heart rate high, slowing down to {speed(kmh, units)}.",
        ("hr_high", "to", *spoken_speed(kmh, units)),
    )


def hr_high_at_minimum() -> Said:
    return Said(
        "Heart rate high at the lowest speed: walk, or stop if you need to.",
        ("hr_high_at_minimum",),
    )


def holding(kmh: float, units: Units, why: str) -> Said:
    return Said(f"Holding {speed(kmh, units)}: {why}.", ("holding_speed",))


def console_speed(kmh: float, units: Units) -> Said:
    return Said(f"Keeping your speed of {speed(kmh, units)} for this segment.", ("console_speed",))


def above_cap(kmh: float, cap: float, units: Units) -> Said:
    return Said(
        f"Careful: {speed(kmh, units)} is above your cap of {speed(cap, units)}.", ("above_cap",)
    )


def waiting_for_turn_speed(kmh: float, units: Units) -> Said:
    return Said(f"Slow to {speed(kmh, units)} before turning around.", ("slow_to_turn",))


def resuming(seconds: float) -> Said:
    return Said(
        f"Resuming in {seconds:.0f} seconds.",
        ("resuming_in", *speech.integer(round(seconds)), "seconds"),
    )


def device_lost(role: str) -> Said:
    clip = "treadmill_lost" if role == "treadmill" else "strap_lost"
    return Said(f"{_device(role)} connection lost; the session goes on.", (clip,))


def device_back(role: str) -> Said:
    clip = "treadmill_back" if role == "treadmill" else "strap_back"
    return Said(f"{_device(role)} connected again.", (clip,))


def _device(role: str) -> str:
    return "Treadmill" if role == "treadmill" else "Heart-rate strap"
