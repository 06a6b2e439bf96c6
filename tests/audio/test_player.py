"""The cue player between the engine and the speakers, without sound: a `RecordingOutput`
remembers what would be played and when, on a fake clock. (The real audio path is heard
in test_playback.py; nothing here touches QtMultimedia in this process, so that it
connects to the test's own sound server there.)

Driving the player on a fake clock: the engine's events are fed at their own times, and
between them the player is woken exactly when its queue asks (`queue.next_wake`), by
calling `_pump()` -- what its single-shot timer does when it fires -- instead of waiting
for the timer in real time."""

from __future__ import annotations

import collections
import functools
import itertools
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from support import RecordingOutput, Session, run_session, step, workout
from support import engine_cue as cue

from retrocoach.audio import AudioSettings, CuePlayer
from retrocoach.audio.live_speech import TEST_ENGINE, LiveSpeech
from retrocoach.audio.output import SilentOutput
from retrocoach.audio.sounds import Sound, load_catalogue
from retrocoach.coach import cues
from retrocoach.coach.cues import CueId
from retrocoach.coach.events import Cue, Event, Phase, PhaseChange
from retrocoach.workouts import library
from retrocoach.workouts.profile import Units

COUNTDOWN_WORDS = {CueId.COUNTDOWN_3: "n3", CueId.COUNTDOWN_2: "n2", CueId.COUNTDOWN_1: "n1"}


@functools.cache
def catalogue() -> dict[str, Sound]:
    sounds, problems = load_catalogue()
    assert problems == []
    return sounds


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Rig:
    """A player on a recording output and a fake clock."""

    def __init__(self, settings: AudioSettings | None = None) -> None:
        settings = settings or AudioSettings()
        self.clock = FakeClock()
        self.output = RecordingOutput(self.clock)
        self.player = CuePlayer(self.output, catalogue(), settings=settings, clock=self.clock)

    def wake_until(self, t: float) -> None:
        """Every wake of the player's timer up to `t`, each at its own time."""
        for _ in range(100_000):
            wake = self.player.queue.next_wake(self.clock.now)
            if wake is None or wake > t:
                return
            self.clock.now = max(self.clock.now, wake)
            self.player._pump()  # what the timer does when it fires
        raise AssertionError(f"the player keeps waking at {self.clock.now} for nothing")

    def feed(self, events: Iterable[Event]) -> None:
        for event in events:
            self.wake_until(event.t)
            self.clock.now = max(self.clock.now, event.t)
            self.player(event)

    def finish(self) -> None:
        self.wake_until(float("inf"))
        assert not self.player.queue.busy

    def words(self) -> list[str]:
        return [s for s in self.output.stems() if not s.startswith("beep_")]

    def beeps(self) -> list[str]:
        return [s for s in self.output.stems() if s.startswith("beep_")]


@pytest.fixture
def rig(qapp: Any) -> Rig:
    return Rig()


# ------------------------------------------------------------- a whole session


@functools.cache
def library_session(name: str) -> Session:
    return run_session(library.get(name))


def _scenario(name: str) -> Session:
    run = workout(step("forward", "run", seconds=150), step("backward", "walk", seconds=60))
    if name == "pause and resume":
        return run_session(
            run,
            actions={
                40.0: lambda s, t: s.station.pause(t),
                50.0: lambda s, t: s.station.resume(t),
            },
        )
    return run_session(
        run,
        actions={
            30.0: lambda s, t: s.treadmill.pull_safety_key(t),
            35.0: lambda s, t: s.treadmill.insert_safety_key(t),
            60.0: lambda s, t: s.station.resume(t),
        },
    )


SESSIONS = [f"library: {w.name}" for w in library.all_workouts()] + [
    "pause and resume",
    "safety key",
]


@pytest.mark.parametrize("name", SESSIONS)
def test_a_whole_session_is_heard_on_time_without_overlaps(rig: Rig, name: str) -> None:
    session = (
        library_session(name.removeprefix("library: "))
        if name.startswith("library: ")
        else _scenario(name)
    )
    rig.feed(session.events)
    rig.finish()
    emitted = [e for e in session.events if isinstance(e, Cue)]
    played: dict[str, list[float]] = collections.defaultdict(list)
    for at, stem in rig.output.played:
        played[stem].append(at)

    def played_at(stem: str, t: float) -> bool:
        return any(abs(at - t) < 1e-9 for at in played[stem])

    # "Three, two, one" exactly on their seconds: "one" lands on the change itself.
    ticks = [c for c in emitted if c.id in COUNTDOWN_WORDS]
    assert ticks, "no countdown in the session"
    late = [
        (c.id, round(c.t, 3)) for c in ticks if not played_at(COUNTDOWN_WORDS[CueId(c.id)], c.t)
    ]
    assert late == [], f"countdown words not said on their second: {late}"
    # Every beep at its cue's moment, and no other.
    with_beeps = [c for c in emitted if c.beep is not None]
    missing = [
        (c.id, c.beep, c.t)
        for c in with_beeps
        if not played_at(str(c.beep).removesuffix(".wav"), c.t)
    ]
    assert missing == []
    assert len(rig.beeps()) == len(with_beeps)
    # One word at a time: each clip is over before the next starts.
    spoken = [(at, stem) for at, stem in rig.output.played if not stem.startswith("beep_")]
    for (at, stem), (next_at, next_stem) in itertools.pairwise(spoken):
        assert next_at >= at + catalogue()[stem].seconds, f"{next_stem} cut into {stem}"
    # And every word of every cue was said: nothing dropped.
    assert rig.player.queue.dropped == []
    wanted = collections.Counter(clip[:-4] for c in emitted for clip in c.speech)
    assert collections.Counter(rig.words()) == wanted


# --------------------------------------------------------------- the settings


def _turn_around(t: float) -> Cue:
    seg = library_session(library.BUILT_IN[0].name).station.engine.segments[1]
    return cue(t, CueId.TURN_AROUND, cues.turn_around(seg, Units.KMH))


def test_voice_off_plays_the_beeps_only(rig: Rig) -> None:
    rig.player.apply(AudioSettings(voice=False))
    rig.feed([_turn_around(1.0), cue(2.0, CueId.COUNTDOWN_3)])
    rig.finish()
    assert rig.output.played == [(1.0, "beep_segment_end"), (2.0, "beep_tick")]


def test_beeps_off_plays_the_words_only(rig: Rig) -> None:
    rig.player.apply(AudioSettings(beeps=False))
    rig.feed([_turn_around(1.0)])
    rig.finish()
    assert rig.output.stems() == ["turn_around", "face_back"]


def test_muted_plays_nothing_and_unmuting_plays_again(rig: Rig) -> None:
    assert rig.player.toggle_mute() is True
    assert rig.player.settings.muted
    rig.feed([_turn_around(1.0), cue(5.0, CueId.HALFWAY)])
    rig.finish()
    assert rig.output.played == []
    assert rig.output.stops >= 1  # what was playing is cut at once
    assert rig.player.toggle_mute() is False
    rig.feed([cue(10.0, CueId.HALFWAY)])
    rig.finish()
    assert rig.output.played == [(10.0, "halfway")]


def test_the_volume_is_set_on_the_output(rig: Rig) -> None:
    assert rig.output.volume == pytest.approx(AudioSettings().volume / 100)
    rig.player.apply(AudioSettings(volume=40))
    assert rig.output.volume == pytest.approx(0.4)


def test_turning_the_voice_off_mid_prompt_drops_what_waits(rig: Rig) -> None:
    rig.feed([_turn_around(1.0), cue(1.1, CueId.HALFWAY)])
    assert rig.words() == ["turn_around"]  # "face the back" and "halfway" wait
    rig.player.apply(AudioSettings(voice=False))
    rig.finish()
    assert rig.words() == ["turn_around"]
    assert rig.player.queue.next_wake(rig.clock.now) is None
    rig.player.apply(AudioSettings())  # back on: only new cues are said
    rig.feed([cue(10.0, CueId.ONE_MINUTE_LEFT)])
    rig.finish()
    assert rig.words() == ["turn_around", "one_minute_left"]


def test_a_stop_cuts_what_waits_and_is_said_first(rig: Rig) -> None:
    rig.feed(
        [
            _turn_around(1.0),
            cue(1.1, CueId.HALFWAY),
            cue(1.2, CueId.EMERGENCY_STOP),
        ]
    )
    rig.finish()
    # "turn around" is said to its end, "halfway" is out of date after the stop.
    assert rig.words() == ["turn_around", "face_back", "emergency_stop"]
    assert rig.player.queue.dropped == [("halfway", "out of date after a stop")]


def test_a_countdown_holds_back_a_prompt_that_would_run_into_three(rig: Rig) -> None:
    rig.feed([cue(1.0, CueId.CONTROL_TAKEN)])  # urgent, said at once: 2.2 s
    change = 2.0 + 5.0
    rig.feed(
        [
            PhaseChange(2.0, Phase.COUNTDOWN, 0, until=change),
            cue(2.0, CueId.RESUMING, cues.resuming(5)),
            cue(change - 2, CueId.COUNTDOWN_3),
            cue(change - 1, CueId.COUNTDOWN_2),
            cue(change, CueId.COUNTDOWN_1),
            PhaseChange(change, Phase.RAMP, 0),
        ]
    )
    rig.finish()
    heard = {stem: at for at, stem in rig.output.played if stem in ("n3", "n2", "n1")}
    assert heard == {"n3": change - 2, "n2": change - 1, "n1": change}
    # "Resuming in five seconds" could not be said before "three": not said late either.
    assert "resuming_in" not in rig.words()
    assert [cue for cue, _ in rig.player.queue.dropped] == ["resuming"]


# ------------------------------------------------------------ without sound


def test_a_player_without_sound_warns_once_and_takes_every_event(qapp: Any) -> None:
    player = CuePlayer(SilentOutput("no audio device"), catalogue())
    said: list[str] = []
    player.silent.connect(said.append)
    assert player.problem == "no audio device"
    assert not player.audible
    message = player.warn_if_silent()
    assert message is not None and "no audio device" in message
    assert player.warn_if_silent() is None
    assert said == [message]
    for event in library_session(library.BUILT_IN[0].name).events:
        player(event)
    player.stop()
    assert said == [message]


def test_a_player_with_sound_does_not_warn(rig: Rig) -> None:
    assert rig.player.problem is None
    assert rig.player.warn_if_silent() is None


def test_the_app_carries_on_without_a_sound_server(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        from PySide6.QtCore import QCoreApplication
        app = QCoreApplication([])
        from retrocoach.audio import CuePlayer
        player = CuePlayer.for_system()
        print("problem:", player.problem)
        print("warning:", player.warn_if_silent())
        """
    )
    env = {
        **{k: v for k, v in os.environ.items() if k != "PIPEWIRE_REMOTE"},
        "PULSE_SERVER": "unix:/nonexistent/native",
        "QT_QPA_PLATFORM": "offscreen",
        # Not the person's own sound server either (PipeWire finds its socket here).
        "XDG_RUNTIME_DIR": str(tmp_path),
        "PIPEWIRE_RUNTIME_DIR": str(tmp_path),
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        cwd=Path(__file__).parents[2],
    )
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    assert lines["problem"] != "None", done.stdout
    assert lines["warning"].startswith("Cues will not be heard:")
    assert took < 15


# ------------------------------------------------------------ a workout's notes


def _note(t: float) -> Cue:
    return cue(t, CueId.NOTE, cues.note("Hold the side rails with both hands."))


def test_a_note_is_said_by_live_speech_and_holds_the_channel(qtbot: QtBot) -> None:
    live = LiveSpeech(TEST_ENGINE)
    assert live.available, live.problem
    output = RecordingOutput()
    player = CuePlayer(output, catalogue(), live=live)  # the real clock: live speech is real
    finished: list[float] = []
    live.finished.connect(lambda: finished.append(time.monotonic()))
    player(_note(0.0))
    assert player.queue.busy
    player(cue(0.0, CueId.HALFWAY))  # waits for the note
    assert output.played == []
    qtbot.waitUntil(lambda: bool(finished), timeout=5000)
    qtbot.waitUntil(lambda: output.stems() == ["halfway"], timeout=2000)
    # Not over the note, and with the queue's pause after it.
    assert output.played[0][0] >= finished[0] + player.queue.utterance_gap_s - 0.01
    qtbot.waitUntil(lambda: not player.queue.busy, timeout=2000)
    player.stop()


def test_with_notes_off_a_note_is_not_said(qtbot: QtBot) -> None:
    live = LiveSpeech(TEST_ENGINE)
    output = RecordingOutput()
    player = CuePlayer(output, catalogue(), live=live, settings=AudioSettings(speak_notes=False))
    finished: list[bool] = []
    live.finished.connect(lambda: finished.append(True))
    player(_note(0.0))
    assert not player.queue.busy
    assert player.queue.next_wake(time.monotonic()) is None
    player(cue(0.0, CueId.HALFWAY))
    assert output.stems() == ["halfway"]  # at once: nothing holds the channel
    qtbot.wait(100)
    assert finished == []


def test_without_live_speech_a_note_is_only_shown(rig: Rig) -> None:
    assert not rig.player.can_speak_notes
    rig.feed([_note(1.0), cue(1.0, CueId.HALFWAY)])
    rig.finish()
    assert rig.output.played == [(1.0, "halfway")]
