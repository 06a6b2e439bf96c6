"""What the coach says aloud: the recorded clips and how numbers are spoken.

A spoken cue is a beep (or none) and a list of clips played one after another, each clip
a short recording named by its stem (`turn_around` is `turn_around.wav`). The clips are
made offline from `CLIPS` by `assets/sounds/make_sounds.py` and ship with the app, so no
speech engine is needed to run it. No Qt here: the engine and the event log only name
the files; `retrocoach.audio` plays them.
"""

from __future__ import annotations

from enum import StrEnum


class Beep(StrEnum):
    """The four beeps, distinct in pitch and shape (made by the same script)."""

    TICK = "beep_tick"  # a countdown's "three" and "two"
    GO = "beep_go"  # the change itself, on "one"
    SEGMENT_END = "beep_segment_end"  # a segment ends with no countdown, a turn-around
    WARNING = "beep_warning"  # safety: heart rate, a lost device, a stop


WAV = ".wav"

# Spoken numbers: 0–19, the tens, "hundred"; enough for any speed, incline or count.
_ONES = [
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"),
    *("seventeen", "eighteen", "nineteen"),
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
NUMBER_CLIPS: dict[str, str] = {f"n{i}": word for i, word in enumerate(_ONES)}
NUMBER_CLIPS.update({f"n{(i + 2) * 10}": word for i, word in enumerate(_TENS)})
NUMBER_CLIPS["hundred"] = "hundred"
NUMBER_CLIPS["point"] = "point"

# Every recorded clip: its stem and exactly what it says. Kept short, so a countdown's
# announcement is over before its "three" (a test checks it against the real files).
PHRASE_CLIPS: dict[str, str] = {
    "get_ready": "Get ready to",
    "turn_around": "Turn around.",
    "face_back": "Face the back.",
    "face_console": "Face the console.",
    "backwards": "backwards",
    "forwards": "forwards",
    "walk": "Walk",
    "run": "Run",
    "at": "at",
    "to": "to",
    "next": "Next:",
    "then": "then",
    "speeding_up": "Speeding up",
    "slowing_down": "Slowing down",
    "halfway": "Halfway.",
    "one_minute_left": "One minute left.",
    "hr_high": "Heart rate high, slowing down",
    "hr_high_at_minimum": "Heart rate high at the lowest speed. Walk, or stop if you need to.",
    "hr_missing": "Heart rate lost. Holding the speed.",
    "hr_back": "Heart rate back.",
    "waiting_for_heart_rate": "Waiting for your heart rate.",
    "holding_speed": "Holding the speed.",
    "console_speed": "Keeping your speed.",
    "above_cap": "Careful: above your speed cap.",
    "slow_to_turn": "Slow down before turning around.",
    "paused": "Paused.",
    "resuming_in": "Resuming in",
    "seconds": "seconds",
    "safety_key": "Safety key pulled. The belt stopped.",
    "stopped_on_console": "Stopped on the treadmill.",
    "belt_stopped": "The belt stopped.",
    "resume_when_ready": "Resume when you are ready.",
    "start_failed": "The treadmill did not start. Check the safety key.",
    "control_taken": "Another app took control of the treadmill.",
    "treadmill_lost": "Treadmill connection lost.",
    "strap_lost": "Heart rate strap connection lost.",
    "treadmill_back": "Treadmill connected again.",
    "strap_back": "Heart rate strap connected again.",
    "session_complete": "Session complete. Well done.",
    "session_stopped": "Session stopped.",
    "emergency_stop": "Emergency stop.",
    # Gym mode: one loudspeaker for the room names the station a cue is for.
    "station": "Station",
}

CLIPS: dict[str, str] = {**PHRASE_CLIPS, **NUMBER_CLIPS}


def number(value: float) -> list[str]:
    """A value as spoken clips to one decimal: 5.5 → five point five, 12 → twelve."""
    # Rounded as the screen shows it ("{:.1f}"), so the voice never says another digit.
    whole, _, tenth = f"{abs(value):.1f}".partition(".")
    words = integer(int(whole))
    if tenth != "0":
        words += ["point", f"n{tenth}"]
    return words


def integer(n: int) -> list[str]:
    """0–999 in clips ("n20", "n5" for twenty-five); larger numbers digit by digit."""
    n = abs(n)
    if n >= 1000:
        return [f"n{int(d)}" for d in str(n)]
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words += [f"n{hundreds}", "hundred"]
        if not rest:
            return words
    if rest < 20:
        return [*words, f"n{rest}"]
    tens, ones = divmod(rest, 10)
    words.append(f"n{tens * 10}")
    if ones:
        words.append(f"n{ones}")
    return words


def file_name(stem: str) -> str:
    return stem + WAV
