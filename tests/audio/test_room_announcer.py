"""The room's loudspeaker (`RoomAnnouncer`): three stations' events into one cue player
on a recording output and a fake clock, as in test_player.py (nothing here touches
QtMultimedia). What the room hears: each turn-around once, each countdown once and on
its seconds, and a countdown's reservation kept while any station's is still ahead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support import RecordingOutput, recording_player
from support import engine_cue as cue

from retrocoach.audio import RoomAnnouncer
from retrocoach.coach import cues
from retrocoach.coach.cues import COUNTDOWN_TICKS, CueId
from retrocoach.coach.events import Cue, Event, Phase, PhaseChange
from retrocoach.coach.speech import Beep
from retrocoach.station import Station, simulated_station
from retrocoach.workouts import library
from retrocoach.workouts.profile import RunnerProfile, Units

MEMBERS = (
    RunnerProfile(name="Ann", backward_factor=0.60),
    RunnerProfile(name="Bo", backward_factor=0.65, units=Units.MPH),
    RunnerProfile(name="Cy"),
)
TICK_WORDS = ("n3", "n2", "n1")


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class RoomRig:
    """An announcer on a recording output and a fake clock, woken as its timer would."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.announcer = RoomAnnouncer(recording_player(self.clock))
        self.announcer.begin()
        output = self.announcer.player.output
        assert isinstance(output, RecordingOutput)
        self.output = output

    def wake_until(self, t: float) -> None:
        player = self.announcer.player
        for _ in range(100_000):
            wake = player.queue.next_wake(self.clock.now)
            if wake is None or wake > t:
                self.clock.now = max(self.clock.now, t)
                return
            self.clock.now = max(self.clock.now, wake)
            player._pump()  # what the timer does when it fires
        raise AssertionError(f"the player keeps waking at {self.clock.now} for nothing")

    def feed(self, station: int, *events: Event) -> None:
        sink = self.announcer.sink(station)
        for event in events:
            self.wake_until(event.t)
            sink(event)

    def played(self, stem: str) -> list[float]:
        """When `stem` was played, to the millisecond (a cue's `t` may carry float dust)."""
        return [round(t, 3) for t, s in self.output.played if s == stem]

    def words(self) -> list[str]:
        return [s for s in self.output.stems() if not s.startswith("beep_")]


@pytest.fixture
def rig(qapp: Any) -> RoomRig:
    return RoomRig()


def run_room(rig: RoomRig, *, starts: tuple[float, ...] = (0.0, 0.0, 0.0)) -> list[list[Cue]]:
    """first-steps on three simulated stations, one virtual clock, one announcer; each
    station's own cues (as its engine worded them), by station."""
    said: list[list[Cue]] = [[] for _ in MEMBERS]
    stations: list[Station] = []
    for number, profile in enumerate(MEMBERS, start=1):
        own = said[number - 1]

        def keep(event: Event, own: list[Cue] = own) -> None:
            if isinstance(event, Cue):
                own.append(event)

        sinks = [rig.announcer.sink(number), keep]
        stations.append(
            simulated_station(library.get("first-steps"), profile, now=0.0, sinks=sinks)
        )
    for station in stations:
        station.connect(0.0)
    to_start = dict(enumerate(starts))
    for _ in range(1_000_000):
        if all(s.finished for s in stations) and not to_start:
            rig.wake_until(float("inf"))
            return said
        due = [d for s in stations if not s.finished and (d := s.next_deadline()) is not None]
        now = min([*due, *to_start.values()])
        rig.wake_until(now)
        for index, when in list(to_start.items()):
            if when <= now:
                stations[index].start(now)
                del to_start[index]
        for station in stations:
            if not station.finished:
                station.step(now)
    raise AssertionError("the room's session did not end")


def _times(found: list[Cue], cue_id: CueId) -> list[float]:
    return [round(c.t, 3) for c in found if c.id == cue_id]


# --------------------------------------------------------- a whole session, in step


def test_three_stations_in_step_hear_one_turn_around_clip_per_turn_around(
    rig: RoomRig,
) -> None:
    said = run_room(rig)
    turns = _times(said[0], CueId.TURN_AROUND)
    assert len(turns) >= 10 and turns == _times(said[1], CueId.TURN_AROUND)
    # "Turn around" is said by the turn-around cue and by the "turn-around coming" before.
    expected = sum(c.speech.count("turn_around.wav") for c in said[0])
    assert len(rig.played("turn_around")) == expected
    # Each turn-around's own words start on its moment, once: the beep with them.
    for t in turns:
        assert rig.played("turn_around").count(t) == 1
        assert rig.played(Beep.SEGMENT_END.value).count(t) == 1
    assert "station" not in rig.words()  # everyone in step: no station named


def test_three_stations_in_step_hear_each_countdown_once_and_on_time(rig: RoomRig) -> None:
    said = run_room(rig)
    for tick, word in zip(COUNTDOWN_TICKS, TICK_WORDS, strict=True):
        due = _times(said[0], tick)
        assert due == _times(said[2], tick)
        assert rig.played(word) == due  # once each, on its second (none dropped)
    assert len(rig.played(Beep.GO.value)) == len(_times(said[0], CueId.COUNTDOWN_1))
    assert not [d for d in rig.announcer.player.queue.dropped if d[0].startswith("countdown")]


def test_each_countdown_is_reserved_once_for_the_room(
    rig: RoomRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    reserved: list[list[float]] = []
    queue = rig.announcer.player.queue
    keep = queue.reserve

    def spy(times: Any) -> None:
        reserved.append(list(times))
        keep(reserved[-1])

    monkeypatch.setattr(queue, "reserve", spy)
    said = run_room(rig)
    countdowns = len(_times(said[0], CueId.COUNTDOWN_3))
    assert countdowns > 5
    assert len(reserved) == countdowns
    assert all(len(times) == 3 for times in reserved)


def test_a_late_station_is_heard_with_its_number(rig: RoomRig) -> None:
    said = run_room(rig, starts=(0.0, 0.0, 10.0))
    late = _times(said[2], CueId.TURN_AROUND)
    assert late == [t + 10.0 for t in _times(said[0], CueId.TURN_AROUND)]
    words = rig.words()
    # What follows each "station three": its turn-arounds all there, even those that
    # waited for the others' words to end.
    said_named = [
        words[i + 2] for i in range(len(words) - 2) if words[i : i + 2] == ["station", "n3"]
    ]
    assert said_named.count("turn_around") == len(late)
    assert said_named[0] == "walk"  # its get-ready, said short: "station three, walk"
    # Its countdowns are heard too, on their seconds.
    assert rig.played("n1") == sorted(
        _times(said[0], CueId.COUNTDOWN_1) + _times(said[2], CueId.COUNTDOWN_1)
    )


def test_a_new_session_starts_the_room_afresh(rig: RoomRig) -> None:
    run_room(rig)
    rig.announcer.begin()
    played = len(rig.output.played)
    said = run_room(rig)
    assert "station" not in rig.output.stems()[played:]  # not taken for late stations
    assert len(rig.played("turn_around")) == 2 * sum(
        c.speech.count("turn_around.wav") for c in said[0]
    )


# ------------------------------------------------- countdowns of stations apart


def countdown(t: float, until: float, segment: int = 1) -> PhaseChange:
    return PhaseChange(t, phase=Phase.COUNTDOWN, segment=segment, until=until)


# Station 1 counts down to 100 and leaves its countdown then; station 2 is 4 s behind
# (its "three" at 102); at 101.5 "halfway" (0.56 s and a pause) would run into that
# "three": it must wait for station 2's countdown to end.
Leave = Callable[[RoomRig], None]
LEAVING: dict[str, Leave] = {
    "its countdown ends": lambda rig: rig.feed(1, PhaseChange(100.0, phase=Phase.RAMP, segment=1)),
    # A stop empties the player's queue and its reservations (`STOPPING`).
    "it is paused": lambda rig: rig.feed(1, cue(100.0, CueId.PAUSED)),
}


@pytest.mark.parametrize("leave", list(LEAVING))
def test_one_station_leaving_its_countdown_keeps_anothers_ahead(rig: RoomRig, leave: str) -> None:
    rig.feed(1, countdown(95.0, 100.0), cue(98.0, CueId.COUNTDOWN_3))
    rig.feed(2, countdown(99.0, 104.0))
    rig.feed(1, cue(99.0, CueId.COUNTDOWN_2), cue(100.0, CueId.COUNTDOWN_1))
    LEAVING[leave](rig)
    rig.feed(3, cue(101.5, CueId.HALFWAY))
    rig.wake_until(101.9)
    assert rig.played("halfway") == []  # held back: station 2's "three" is at 102
    rig.feed(2, cue(102.0, CueId.COUNTDOWN_3))
    assert rig.played("station") == [102.0]  # a late station's tick, named
    rig.wake_until(110.0)
    assert rig.played("halfway") and rig.played("halfway")[0] > 104.0


def test_with_every_countdown_over_nothing_is_held(rig: RoomRig) -> None:
    """The test above can fail: without a countdown ahead, "halfway" goes at once."""
    rig.feed(1, countdown(95.0, 100.0))
    rig.feed(1, PhaseChange(100.0, phase=Phase.RAMP, segment=1))
    rig.feed(3, cue(101.5, CueId.HALFWAY))
    assert rig.played("halfway") == [101.5]


def test_stop_silences_the_room(rig: RoomRig) -> None:
    rig.feed(1, cue(10.0, CueId.HR_HIGH, cues.hr_high(8.0, Units.KMH)))
    assert rig.words() == ["station"]
    stops = rig.output.stops
    rig.announcer.stop()
    rig.wake_until(20.0)
    assert rig.output.stops == stops + 1
    assert rig.words() == ["station"]  # the rest of "station one, heart rate high" dropped
