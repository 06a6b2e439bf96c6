"""The cue catalogue: every cue the engine can emit, with how its text is worded.

Ids are stable (the audio layer maps them to sounds, the event log records them);
texts are what a coach would say, in the runner's units.
"""

from __future__ import annotations

from enum import StrEnum

from retrocoach.coach.plan import Segment
from retrocoach.workouts.model import Direction, TimeEnd, format_distance, format_duration
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


COUNTDOWN_TICKS = (CueId.COUNTDOWN_3, CueId.COUNTDOWN_2, CueId.COUNTDOWN_1)
COUNTDOWN_WORDS = {CueId.COUNTDOWN_3: "Three", CueId.COUNTDOWN_2: "Two", CueId.COUNTDOWN_1: "One"}

# Fixed wording for cues that take no parameters.
FIXED_TEXT: dict[CueId, str] = {
    CueId.WAITING_FOR_HEART_RATE: "Waiting for your heart rate before the belt starts.",
    CueId.HALFWAY: "Halfway.",
    CueId.ONE_MINUTE_LEFT: "One minute left.",
    CueId.HR_MISSING: "Heart rate lost: holding the speed until it is back.",
    CueId.HR_BACK: "Heart rate back.",
    CueId.PAUSED: "Paused.",
    CueId.SAFETY_KEY: "Safety key pulled: the belt stopped. Resume when you are ready.",
    CueId.STOPPED_ON_CONSOLE: "Stopped on the treadmill. Resume when you are ready.",
    CueId.BELT_STOPPED: "The belt stopped. Resume when you are ready.",
    CueId.START_FAILED: "The treadmill did not start. Check the safety key, then resume.",
    CueId.CONTROL_TAKEN: "Another app took control of the treadmill. Resume to take it back.",
    CueId.SESSION_COMPLETE: "Session complete. Well done.",
    CueId.SESSION_STOPPED: "Session stopped.",
    CueId.EMERGENCY_STOP: "Emergency stop.",
}
FIXED_TEXT.update(COUNTDOWN_WORDS)

# What the runner does, facing which way, for a turn-around.
FACING = {
    Direction.BACKWARD: "face the back of the treadmill",
    Direction.FORWARD: "face the console",
}


def speed(kmh: float, units: Units) -> str:
    return units.format_speed(kmh)


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


def get_ready(seg: Segment, units: Units) -> str:
    return f"Get ready: {segment_words(seg, units)}. {FACING[seg.direction].capitalize()}."


def next_segment(seg: Segment, units: Units, turn: bool) -> str:
    if turn:
        return f"Turn-around coming, then {segment_words(seg, units)}."
    return f"Next: {segment_words(seg, units)}."


def turn_around(seg: Segment, units: Units) -> str:
    return (
        f"Turn around now: {FACING[seg.direction]}. Next: {seg.direction.word} {seg.gait.value} "
        f"at {speed(seg.target_kmh, units)}."
    )


def segment_start(seg: Segment, units: Units) -> str:
    text = segment_words(seg, units)
    return text[0].upper() + text[1:] + "."


def speeding_up(kmh: float, units: Units) -> str:
    return f"Speeding up to {speed(kmh, units)}."


def slowing_down(kmh: float, units: Units) -> str:
    return f"Slowing down to {speed(kmh, units)}."


def hr_high(kmh: float, units: Units) -> str:
    return f"Heart rate high, slowing down to {speed(kmh, units)}."


def hr_high_at_minimum() -> str:
    return "Heart rate high at the lowest speed: walk, or stop if you need to."


def holding(kmh: float, units: Units, why: str) -> str:
    return f"Holding {speed(kmh, units)}: {why}."


def console_speed(kmh: float, units: Units) -> str:
    return f"Keeping your speed of {speed(kmh, units)} for this segment."


def above_cap(kmh: float, cap: float, units: Units) -> str:
    return f"Careful: {speed(kmh, units)} is above your cap of {speed(cap, units)}."


def waiting_for_turn_speed(kmh: float, units: Units) -> str:
    return f"Slow to {speed(kmh, units)} before turning around."


def resuming(seconds: float) -> str:
    return f"Resuming in {seconds:.0f} seconds."


def device_lost(role: str) -> str:
    return f"{_device(role)} connection lost; the session goes on."


def device_back(role: str) -> str:
    return f"{_device(role)} connected again."


def _device(role: str) -> str:
    return "Treadmill" if role == "treadmill" else "Heart-rate strap"
