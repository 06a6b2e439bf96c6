"""What the app really plays, heard: a short simulated session at real time through the
app's runner and cue player into a private PulseAudio server, recorded and searched.
Every beep and every countdown word is found, in order, within 50 ms of when the
engine's clock said it was due."""

from __future__ import annotations

from typing import Any

from heard import hear_session
from pulse import PulseLoopback
from support import step, workout

from retrocoach.workouts.profile import RunnerProfile

TOLERANCE_S = 0.05


def test_every_cue_is_heard_on_time_and_in_order(pulse: PulseLoopback, qapp: Any) -> None:
    there_and_back = workout(
        step("backward", "walk", seconds=8, kmh=4.0),
        step("forward", "walk", seconds=6, kmh=5.0),
    )
    heard, player = hear_session(pulse, there_and_back, RunnerProfile(turn_time_s=3.0))

    sounds = [h.sound for h in heard]
    # The start's countdown, the slow-down ending the backward segment, the turn, the
    # countdown into forward, the end: each with its beep, the countdowns with words.
    assert sounds.count("beep_tick") == 4 and sounds.count("beep_go") == 2, sounds
    assert sounds.count("beep_segment_end") >= 3, sounds
    assert [s for s in sounds if s in ("n3", "n2", "n1")] == ["n3", "n2", "n1"] * 2
    missing = [
        (h.cue, h.sound, round(h.score, 2)) for h in heard if h.onset is None or h.score < 0.5
    ]
    assert not missing, f"not found in the recording: {missing}"
    late = [
        (h.cue, h.sound, round(h.error_s * 1000)) for h in heard if abs(h.error_s) > TOLERANCE_S
    ]  # type: ignore[operator]
    assert not late, f"heard more than 50 ms from when due (ms): {late}"
    onsets = [h.onset for h in heard]
    assert onsets == sorted(onsets), "heard out of order"  # type: ignore[type-var]
    assert not player.queue.dropped, player.queue.dropped
