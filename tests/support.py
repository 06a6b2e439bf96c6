"""Helpers for running whole simulated sessions in tests, on a virtual clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from retrocoach.audio import AudioSettings, CuePlayer
from retrocoach.audio.sounds import load_catalogue
from retrocoach.coach import cues
from retrocoach.coach.audit import Violation, audit
from retrocoach.coach.cues import CueId, Said
from retrocoach.coach.engine import EngineConfig
from retrocoach.coach.events import Cue, Event
from retrocoach.coach.speech import Beep, file_name
from retrocoach.devices.simulator import SimulatedStrap, SimulatedTreadmill
from retrocoach.station import Station, simulated_station
from retrocoach.workouts.model import (
    AbsoluteSpeed,
    Direction,
    DistanceEnd,
    Gait,
    Item,
    RelativeSpeed,
    Repeat,
    Step,
    TimeEnd,
    Workout,
)
from retrocoach.workouts.profile import RunnerProfile

Action = Callable[["Session", float], None]


@dataclass
class Session:
    station: Station
    events: list[Event] = field(default_factory=list)

    @property
    def treadmill(self) -> SimulatedTreadmill:
        assert isinstance(self.station.treadmill, SimulatedTreadmill)
        return self.station.treadmill

    @property
    def strap(self) -> SimulatedStrap:
        assert isinstance(self.station.hrm, SimulatedStrap)
        return self.station.hrm

    @property
    def records(self) -> list[dict[str, Any]]:
        return [e.record() for e in self.events]

    def of(self, kind: str, **match: Any) -> list[dict[str, Any]]:
        """The records of one event kind whose fields equal `match`."""
        return [
            r
            for r in self.records
            if r["event"] == kind and all(r.get(k) == v for k, v in match.items())
        ]

    def violations(self) -> list[Violation]:
        limits = self.station.engine.limits
        return audit(
            self.records,
            speed_min_kmh=limits.speed_min_kmh,
            speed_max_kmh=limits.speed_max_kmh,
        )


def start_session(
    workout: Workout,
    profile: RunnerProfile | None = None,
    *,
    with_strap: bool = True,
    config: EngineConfig | None = None,
    treadmill: SimulatedTreadmill | None = None,
    start: bool = True,
) -> Session:
    events: list[Event] = []
    station = simulated_station(
        workout,
        profile or RunnerProfile(),
        now=0.0,
        with_strap=with_strap,
        sinks=[events.append],
        config=config,
        treadmill=treadmill,
    )
    station.connect(0.0)
    if start:
        station.start(0.0)
    return Session(station, events)


def run_until(session: Session, until: float | None = None, max_steps: int = 100_000) -> float:
    """Step the session on its own deadlines until it ends (or virtual time `until`)."""
    station = session.station
    now = station.engine.now
    for _ in range(max_steps):
        if station.finished:
            return now
        deadline = station.next_deadline()
        assert deadline is not None, "a running session always has a next deadline"
        if until is not None and deadline > until:
            station.step(until)
            return until
        now = deadline
        station.step(now)
    raise AssertionError("the session did not end")


def run_session(
    workout: Workout,
    profile: RunnerProfile | None = None,
    *,
    actions: dict[float, Action] | None = None,
    with_strap: bool = True,
    config: EngineConfig | None = None,
) -> Session:
    """A whole session; `actions` are done at their virtual times (seconds)."""
    session = start_session(workout, profile, with_strap=with_strap, config=config)
    for when, action in sorted((actions or {}).items()):
        run_until(session, when)
        if session.station.finished:
            break
        action(session, when)
    run_until(session)
    return session


def step(
    direction: str,
    gait: str = "run",
    *,
    seconds: float | None = None,
    metres: float | None = None,
    kmh: float | None = None,
    pace: float = 1.0,
    incline: float = 0.0,
    label: str = "",
    note: str = "",
) -> Step:
    end = TimeEnd(seconds) if seconds is not None else DistanceEnd(metres or 100)
    speed = AbsoluteSpeed(kmh) if kmh is not None else RelativeSpeed(pace)
    return Step(Direction(direction), Gait(gait), end, speed, incline, label, note)


def workout(*items: Item, name: str = "test") -> Workout:
    return Workout(name, "Test workout", tuple(items))


def repeat(times: int, *items: Item) -> Repeat:
    return Repeat(times, tuple(items))


def segment_ends(session: Session) -> list[dict[str, Any]]:
    return session.of("segment_end")


class RecordingOutput:
    """An audio output that plays nothing and remembers what it was asked to play."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self.problem: str | None = None
        self.clock = clock or time.monotonic
        self.played: list[tuple[float, str]] = []
        self.volume = 1.0
        self.stops = 0

    def play(self, stem: str) -> None:
        self.played.append((self.clock(), stem))

    def set_volume(self, volume: float) -> None:
        self.volume = volume

    def stop(self) -> None:
        self.stops += 1

    def stems(self) -> list[str]:
        return [stem for _, stem in self.played]


def recording_player(
    clock: Callable[[], float] | None = None, settings: AudioSettings | None = None
) -> CuePlayer:
    """The app's cue player with the real sound catalogue and a recording output."""
    sounds, problems = load_catalogue()
    assert not problems, problems
    output = RecordingOutput(clock)
    return CuePlayer(
        output,
        sounds,
        settings=settings or AudioSettings(),
        clock=output.clock,
    )


def engine_cue(
    t: float,
    cue_id: CueId,
    said: Said | None = None,
    *,
    beep: Beep | bool | None = True,
) -> Cue:
    """A cue as the engine makes it (`beep=True`: the cue's usual beep)."""
    words = said if said is not None else cues.FIXED[cue_id]
    sound = cues.BEEPS.get(cue_id) if beep is True else beep or None
    speech = [file_name(stem) for stem in words.speech]
    beep_file = file_name(sound) if sound is not None else None
    return Cue(
        t,
        id=cue_id.value,
        text=words.text,
        sound=beep_file or (speech[0] if speech else None),
        beep=beep_file,
        speech=speech,
    )
