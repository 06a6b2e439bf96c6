"""A short simulated session run by the app's own runner and cue player at real time,
recorded through the private PulseAudio server: when was each cue due, and when was it
heard. Shared by the playback test and `benchmarks/cue_timing.py`."""

from __future__ import annotations

import time
from dataclasses import dataclass

from pulse import PulseLoopback, find_sound, load_wav
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

from retrocoach.audio import AudioSettings, CuePlayer
from retrocoach.audio.sounds import load_catalogue
from retrocoach.coach.cues import COUNTDOWN_TICKS
from retrocoach.coach.events import Cue, Event, SessionEnd
from retrocoach.gui.session_runner import ScaledClock, SessionRunner
from retrocoach.station import simulated_station
from retrocoach.workouts.model import Workout
from retrocoach.workouts.profile import RunnerProfile

# Cues due at an exact moment: their beep, and a countdown's word, start on it.
TIMED_WORDS = {cue.value for cue in COUNTDOWN_TICKS}


@dataclass(frozen=True)
class Heard:
    cue: str
    sound: str  # the stem looked for
    due: float  # monotonic seconds
    onset: float | None  # where it was found in the recording
    score: float

    @property
    def error_s(self) -> float | None:
        return None if self.onset is None else self.onset - self.due


def hear_session(
    loopback: PulseLoopback, workout: Workout, profile: RunnerProfile, timeout_s: float = 300.0
) -> tuple[list[Heard], CuePlayer]:
    """Run `workout` on the simulators at real time with the system's cue player (the
    loopback's server must be PULSE_SERVER before QtMultimedia is first used)."""
    app = QCoreApplication.instance() or QCoreApplication([])
    player = CuePlayer.for_system(AudioSettings(volume=100))
    assert player.problem is None, player.problem
    clock = ScaledClock(1.0)
    cues: list[Cue] = []
    station = simulated_station(workout, profile, now=clock.now(), sinks=[player])
    player.begin(clock.speedup)
    runner = SessionRunner(station, clock)
    done = QEventLoop()

    def collect(event: Event) -> None:
        if isinstance(event, Cue):
            cues.append(event)
        if isinstance(event, SessionEnd):
            QTimer.singleShot(2500, done.quit)  # the last words are heard out

    runner.happened.connect(collect)
    QTimer.singleShot(int(timeout_s * 1000), done.quit)
    with loopback.record() as recorder:
        time.sleep(0.2)
        runner.begin()
        runner.start()
        done.exec()
        runner.halt()
    recording = recorder.recording
    app.processEvents()
    zero = station.engine.time_zero
    sounds, _ = load_catalogue()
    heard: list[Heard] = []
    for cue in cues:
        due = clock.monotonic_at(zero + cue.t)
        looked_for = []
        if cue.beep is not None:
            looked_for.append(cue.beep.removesuffix(".wav"))
        if cue.id in TIMED_WORDS and cue.speech:
            looked_for.append(cue.speech[0].removesuffix(".wav"))
        for stem in looked_for:
            # A beep's first 80 ms; a word whole (a beep may sound over its start).
            template = load_wav(sounds[stem].path)
            if stem.startswith("beep"):
                template = template[: int(0.08 * 48_000)]
            found = find_sound(recording, template, due, before_s=0.05, after_s=0.25)
            onset, score = found if found is not None else (None, 0.0)
            heard.append(Heard(cue.id, stem, due, onset, score))
    return heard, player
