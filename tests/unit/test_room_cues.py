"""What the room hears in gym mode (`retrocoach.coach.room`): three simulated stations
run one workout on one virtual clock, their cues go through one `RoomCues`, and the
room hears each change once, without anyone's speed, and a member's own cue (or a late
station's) with the station's number in front. No Qt, no sound."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pytest
from support import engine_cue as cue

from retrocoach.audio.sounds import load_catalogue
from retrocoach.audio.speech_queue import SpeechQueue
from retrocoach.coach import cues
from retrocoach.coach.cues import COUNTDOWN_TICKS, CueId
from retrocoach.coach.engine import EngineConfig
from retrocoach.coach.events import Cue, Event, Phase, PhaseChange
from retrocoach.coach.plan import Segment
from retrocoach.coach.room import FOR_ONE_MEMBER, SHARED, RoomCues, room_words
from retrocoach.coach.speech import NUMBER_CLIPS, Beep, file_name
from retrocoach.devices.simulator import SimulatedStrap
from retrocoach.station import Station, simulated_station
from retrocoach.workouts import library
from retrocoach.workouts.model import Direction, Gait, TimeEnd, Workout
from retrocoach.workouts.profile import RunnerProfile, Units

# Three members, three speeds: the backward speeds differ, one counts in miles. (Their
# turn-arounds still fall on the same seconds: every backward walk of first-steps is
# below the turn speed and the forward ones are alike.)
MEMBERS = (
    RunnerProfile(name="Ann", backward_factor=0.60),
    RunnerProfile(name="Bo", backward_factor=0.65, units=Units.MPH),
    RunnerProfile(name="Cy"),
)
FIRST_STEPS = library.get("first-steps")
SPEED_TEXT = re.compile(r"\d+\.\d (?:km/h|mph)")
SAID_WITH_NUMBERS = {*COUNTDOWN_TICKS, CueId.RESUMING}  # numbers that are everyone's


@dataclass
class Heard:
    station: int
    said: Cue  # as the station's engine worded it
    room: Cue | None  # what the room hears, None: not said again


@dataclass
class Room:
    stations: list[Station]
    cues: RoomCues = field(default_factory=RoomCues)
    heard: list[Heard] = field(default_factory=list)

    def said(self, cue_id: CueId, station: int | None = None) -> list[Heard]:
        return [
            h
            for h in self.heard
            if h.said.id == cue_id and (station is None or h.station == station)
        ]

    def aloud(self, cue_id: CueId | None = None) -> list[Cue]:
        """What the loudspeaker says, in order (of one cue, or all)."""
        return [
            h.room
            for h in self.heard
            if h.room is not None and (cue_id is None or h.said.id == cue_id)
        ]

    def strap(self, station: int) -> SimulatedStrap:
        strap = self.stations[station - 1].hrm
        assert isinstance(strap, SimulatedStrap)
        return strap


RoomAction = Callable[[Room, float], None]


def run_room(
    plan: Workout = FIRST_STEPS,
    *,
    starts: tuple[float, ...] = (0.0, 0.0, 0.0),
    actions: dict[float, RoomAction] | None = None,
    room_cues: RoomCues | None = None,
) -> Room:
    """Every station built at t = 0 on one virtual clock, each started at its time in
    `starts`, and all stepped together to each moment any of them needs, as the gym's
    runner does: in step unless started apart."""
    stations: list[Station] = []
    room = Room(stations, room_cues or RoomCues())

    def sink(number: int) -> Callable[[Event], None]:
        def hear(event: Event) -> None:
            if isinstance(event, PhaseChange):
                room.cues.phase(number, event)
            elif isinstance(event, Cue):
                room.heard.append(Heard(number, event, room.cues.heard(number, event)))

        return hear

    for number, profile in enumerate(MEMBERS, start=1):
        stations.append(simulated_station(plan, profile, now=0.0, sinks=[sink(number)]))
    for station in stations:
        station.connect(0.0)
    to_start = dict(enumerate(starts))
    to_do = dict(sorted((actions or {}).items()))
    now = 0.0
    for _ in range(1_000_000):
        if all(s.finished for s in stations) and not to_start:
            return room
        due = [d for s in stations if not s.finished and (d := s.next_deadline()) is not None]
        now = min([*due, *to_start.values(), *to_do])
        for index, when in list(to_start.items()):
            if when <= now:
                stations[index].start(now)
                del to_start[index]
        for when in [w for w in to_do if w <= now]:
            to_do.pop(when)(room, now)
        for station in stations:
            if not station.finished:
                station.step(now)
    raise AssertionError("the room's session did not end")


def _stems(cue: Cue) -> list[str]:
    return [f.removesuffix(".wav") for f in cue.speech]


@pytest.fixture(scope="module")
def in_step() -> Room:
    return run_room()


# ------------------------------------------------------- three stations in step


def test_the_stations_run_in_step(in_step: Room) -> None:
    """The premise of the tests below: the same turn-arounds at the same seconds."""
    times = [[h.said.t for h in in_step.said(CueId.TURN_AROUND, n)] for n in (1, 2, 3)]
    assert len(times[0]) >= 10
    assert times[0] == times[1] == times[2]


def test_each_turn_around_is_heard_exactly_once_for_the_room(in_step: Room) -> None:
    heard = in_step.aloud(CueId.TURN_AROUND)
    assert [c.t for c in heard] == [h.said.t for h in in_step.said(CueId.TURN_AROUND, 1)]
    assert all(_stems(c)[0] == "turn_around" for c in heard)  # no station named
    assert all(not c.text.startswith("Station") for c in heard)
    # ... and its beep sounds once, not once per belt.
    assert Counter(c.beep for c in heard) == {file_name(Beep.SEGMENT_END): len(heard)}


def test_every_moment_of_the_workout_is_heard_once(in_step: Room) -> None:
    """Station 1 alone, as the room hears it together: the same cues at the same times,
    none twice, none named."""
    alone = [(h.said.t, h.said.id) for h in in_step.heard if h.station == 1]
    heard = [(c.t, c.id) for c in in_step.aloud()]
    assert heard == alone
    ticks = Counter(c.id for c in in_step.aloud() if CueId(c.id) in COUNTDOWN_TICKS)
    starts = len(in_step.said(CueId.COUNTDOWN_3, 1))
    assert ticks == {tick.value: starts for tick in COUNTDOWN_TICKS}
    assert not [c for c in in_step.aloud() if "station" in _stems(c)]


def test_no_speed_is_said_or_shown_to_the_room(in_step: Room) -> None:
    stations_said = [h.said for h in in_step.heard if h.said.id == CueId.SEGMENT]
    assert any(set(_stems(c)) & set(NUMBER_CLIPS) for c in stations_said)  # they did
    assert any(SPEED_TEXT.search(c.text) for c in stations_said)
    for said in in_step.aloud():
        if CueId(said.id) not in SAID_WITH_NUMBERS:
            assert not set(_stems(said)) & set(NUMBER_CLIPS), said
        assert not SPEED_TEXT.search(said.text), said.text
    segment = in_step.aloud(CueId.SEGMENT)[0]
    assert _stems(segment) == ["walk", "forwards"]
    assert segment.text == "Forwards walk for 3:00."


def test_a_heart_rate_high_on_station_2_is_heard_with_its_number() -> None:
    room = run_room(actions={150.0: lambda r, t: r.strap(2).force_bpm(185)})
    highs = room.aloud(CueId.HR_HIGH)
    assert highs, "station 2's heart rate was never high"
    assert {h.station for h in room.said(CueId.HR_HIGH)} == {2}
    for high in highs:
        assert _stems(high) == ["station", "n2", "hr_high"]  # "station two": no speed
        assert high.text == "Station 2: Heart rate high, slowing down."
        assert high.beep == file_name(Beep.WARNING)
    # Every one of them: a member's own cue is never taken for another's.
    assert len(highs) == len(room.said(CueId.HR_HIGH))


def test_a_station_started_10_s_late_hears_its_turn_arounds_with_its_number() -> None:
    room = run_room(starts=(0.0, 0.0, 10.0))
    first, late = room.said(CueId.TURN_AROUND, 1), room.said(CueId.TURN_AROUND, 3)
    assert [h.said.t + 10.0 for h in first] == [h.said.t for h in late]  # 10 s behind
    assert all(h.room is None for h in room.said(CueId.TURN_AROUND, 2))  # in step with 1
    for heard in first:
        assert heard.room is not None and _stems(heard.room)[0] == "turn_around"
    for heard in late:
        assert heard.room is not None
        assert _stems(heard.room)[:3] == ["station", "n3", "turn_around"]
        assert heard.room.text.startswith("Station 3: Turn around now: ")
    # Its countdowns are named once, by their opener: "three, two, one" fit their seconds.
    late_ticks = [h.room for h in room.said(CueId.COUNTDOWN_3, 3)]
    assert late_ticks and all(c is not None and _stems(c) == ["n3"] for c in late_ticks)
    openers = [h.room for h in room.said(CueId.SPEEDING_UP, 3)]
    assert openers and all(c is not None and _stems(c)[:2] == ["station", "n3"] for c in openers)


# -------------------------------------------------------------- the policy itself


def _segment(direction: Direction = Direction.BACKWARD, gait: Gait = Gait.WALK) -> Segment:
    return Segment(0, "", direction, gait, TimeEnd(60), 3.5, 3.5, 0.0)


def turn(t: float, kmh: float = 3.5, units: Units = Units.KMH) -> Cue:
    return cue(t, CueId.TURN_AROUND, cues.turn_around(_segment(), units))


def test_every_cue_is_either_for_everyone_or_for_one_member() -> None:
    assert set(CueId) == SHARED | FOR_ONE_MEMBER
    assert not SHARED & FOR_ONE_MEMBER
    assert {CueId.TURN_AROUND, *COUNTDOWN_TICKS, CueId.NOTE, CueId.PAUSED} <= SHARED
    assert {CueId.HR_HIGH, CueId.SAFETY_KEY, CueId.DEVICE_LOST} <= FOR_ONE_MEMBER


KMH, MPH = Units.KMH, Units.MPH
SPEED_WORDED: list[tuple[Cue, list[str], str]] = [
    (
        cue(0, CueId.SEGMENT, cues.segment_start(_segment(), MPH)),
        ["walk", "backwards"],
        "Backwards walk for 1:00.",
    ),
    (cue(0, CueId.SPEEDING_UP, cues.speeding_up(8.5, KMH)), ["speeding_up"], "Speeding up."),
    (cue(0, CueId.SLOWING_DOWN, cues.slowing_down(3.0, MPH)), ["slowing_down"], "Slowing down."),
    (
        cue(0, CueId.NEXT, cues.next_segment(_segment(Direction.FORWARD, Gait.RUN), KMH, True)),
        ["next", "turn_around", "then", "run", "forwards"],
        "Turn-around coming, then forwards run for 1:00.",
    ),
    (
        cue(0, CueId.GET_READY, cues.get_ready(_segment(), KMH)),
        ["get_ready", "walk", "backwards", "face_back"],
        "Get ready: backwards walk for 1:00. Face the back of the treadmill.",
    ),
    (
        turn(0),
        ["turn_around", "face_back"],
        "Turn around now: face the back of the treadmill. Next: backwards walk.",
    ),
    (
        cue(0, CueId.HR_HIGH, cues.hr_high(8.0, KMH)),
        ["hr_high"],
        "Heart rate high, slowing down.",
    ),
    (
        cue(0, CueId.HOLDING_SPEED, cues.holding(3.0, KMH, "no heart rate")),
        ["holding_speed"],
        "Holding the speed: no heart rate.",
    ),
    (
        cue(0, CueId.CONSOLE_SPEED, cues.console_speed(7.0, MPH)),
        ["console_speed"],
        "Keeping your speed for this segment.",
    ),
    (
        cue(0, CueId.ABOVE_CAP, cues.above_cap(9.0, 8.0, KMH)),
        ["above_cap"],
        "Careful: the speed is above your cap.",
    ),
    (
        cue(0, CueId.WAITING_FOR_TURN_SPEED, cues.waiting_for_turn_speed(3.0, KMH)),
        ["slow_to_turn"],
        "Slow down before turning around.",
    ),
]


@pytest.mark.parametrize(("said", "stems", "text"), SPEED_WORDED, ids=lambda v: str(v)[:30])
def test_the_room_words_have_no_speed(said: Cue, stems: list[str], text: str) -> None:
    heard = room_words(said)
    assert _stems(heard) == stems
    assert heard.text == text
    assert heard.sound == (heard.beep or heard.speech[0])


def test_numbers_that_are_everyones_stay() -> None:
    assert _stems(room_words(cue(0, CueId.COUNTDOWN_3))) == ["n3"]
    resuming = room_words(cue(0, CueId.RESUMING, cues.resuming(5)))
    assert _stems(resuming) == ["resuming_in", "n5", "seconds"]
    assert resuming.text == "Resuming in 5 seconds."


def test_the_same_words_within_the_window_are_heard_once_whatever_the_speed() -> None:
    room = RoomCues(window_s=3.0)
    assert room.heard(1, turn(100.0, 3.5)) is not None
    assert room.heard(2, turn(100.0, 4.0, MPH)) is None
    assert room.heard(3, turn(103.0, 2.5)) is None  # the window's edge
    assert room.heard(2, turn(99.5)) is None  # reported a moment after a later one


def test_words_heard_later_than_the_window_name_the_station() -> None:
    room = RoomCues(window_s=3.0)
    assert room.heard(1, turn(100.0)) is not None
    late = room.heard(2, turn(103.5))
    assert late is not None
    assert _stems(late) == ["station", "n2", "turn_around", "face_back"]
    assert late.text == (
        "Station 2: Turn around now: face the back of the treadmill. Next: backwards walk."
    )
    assert late.sound == file_name(Beep.SEGMENT_END)
    assert room.heard(2, turn(104.0)) is None  # its own words again, just now
    # The next turn-around, station 1 first: everyone's again, bare.
    nxt = room.heard(1, turn(200.0))
    assert nxt is not None and _stems(nxt)[0] == "turn_around"
    assert room.heard(2, turn(200.5)) is None


def test_a_late_station_is_named_for_its_last_moment_not_the_next() -> None:
    """The room heard turn-arounds at 100 and 200; station 3, 20 s behind, says its
    first at 120 (named) and its second at 220 (named, not taken for a new moment)."""
    room = RoomCues()
    for t in (100.0, 200.0):
        assert room.heard(1, turn(t)) is not None
        late = room.heard(3, turn(t + 20.0))
        assert late is not None and late.text.startswith("Station 3: ")


def test_a_members_own_cue_is_named_and_said_again_after_the_window() -> None:
    room = RoomCues(window_s=3.0)
    high = cue(50.0, CueId.HR_HIGH, cues.hr_high(8.0, KMH))
    first = room.heard(3, high)
    assert first is not None
    assert _stems(first) == ["station", "n3", "hr_high"]
    assert first.text == "Station 3: Heart rate high, slowing down."
    assert room.heard(3, cue(52.0, CueId.HR_HIGH, cues.hr_high(7.5, KMH))) is None
    assert room.heard(1, cue(52.0, CueId.HR_HIGH, cues.hr_high(7.5, KMH))) is not None
    again = room.heard(3, cue(70.0, CueId.HR_HIGH, cues.hr_high(7.5, KMH)))
    assert again is not None and again.text.startswith("Station 3: ")


def test_station_numbers_are_spoken_in_clips() -> None:
    room = RoomCues()
    named = room.heard(12, cue(0.0, CueId.SAFETY_KEY))
    assert named is not None and _stems(named)[:3] == ["station", "n12", "safety_key"]
    with pytest.raises(ValueError, match="from 1"):
        room.heard(0, cue(0.0, CueId.SAFETY_KEY))


def test_a_late_note_is_named_in_its_text_and_stays_for_live_speech() -> None:
    room = RoomCues()
    note = cue(10.0, CueId.NOTE, cues.note("Hold the side rails."))
    assert room.heard(1, note) is not None
    late = room.heard(2, cue(20.0, CueId.NOTE, cues.note("Hold the side rails.")))
    assert late is not None
    assert late.text == "Station 2: Hold the side rails."
    assert late.speech == []  # no clips: "station two" alone would replace the note


def test_an_unknown_cue_is_never_lost() -> None:
    room = RoomCues()
    odd = Cue(5.0, id="new_cue", text="Something new.", sound=None, speech=["paused.wav"])
    for station in (1, 2):
        heard = room.heard(station, odd)
        assert heard is not None and heard.text == f"Station {station}: Something new."


def test_phases_keep_a_late_station_apart_from_an_extra_one() -> None:
    """Station 2 paused and resumed alone in segment 3 (an extra "three"); then everyone
    counts down into segment 4 together: that "three" is everyone's, heard bare, once."""
    room = RoomCues()

    def countdown(station: int, t: float, segment: int) -> Cue | None:
        room.phase(station, PhaseChange(t - 2.0, phase=Phase.COUNTDOWN, segment=segment))
        return room.heard(station, cue(t, CueId.COUNTDOWN_3))

    assert countdown(2, 50.0, 3) is not None
    heard = [countdown(station, 100.0, 4) for station in (1, 2, 3)]
    assert heard[0] is not None and _stems(heard[0]) == ["n3"]
    assert heard[1:] == [None, None]


def _named_opener(station: int, opener: Cue) -> Cue:
    """`opener` as a station 20 s behind the room hears it."""
    room = RoomCues()
    assert room.heard(2 if station == 1 else 1, opener) is not None
    named = room.heard(station, replace(opener, t=opener.t + 20.0))
    assert named is not None and named.text.startswith(f"Station {station}: ")
    return named


def _openers() -> list[Cue]:
    found = [
        cue(0, CueId.GET_READY, cues.get_ready(_segment(d, g), units))
        for d in Direction
        for g in Gait
        for units in Units
    ]
    found.append(cue(0, CueId.SPEEDING_UP, cues.speeding_up(12.5, KMH)))
    found.append(cue(0, CueId.RESUMING, cues.resuming(EngineConfig().countdown_s)))
    return found


@pytest.mark.parametrize("station", [1, 3, 7, 12, 17, 20])
def test_a_named_countdown_opener_is_over_before_its_three(station: int) -> None:
    """As test_cue_sounds checks for a station alone: said when its countdown begins,
    the named opener and the pause after it end before "three", or the speech queue
    holds it back past the countdown and it is never said."""
    sounds, problems = load_catalogue()
    assert problems == []
    queue = SpeechQueue(lambda _: 0.0)
    until_three = EngineConfig().countdown_s - cues.COUNTDOWN_AHEAD_S[0]
    assert {CueId(c.id) for c in _openers()} == cues.COUNTDOWN_OPENERS
    for opener in _openers():
        stems = _stems(_named_opener(station, opener))
        assert stems[0] == "station"
        spoken = sum(sounds[s].seconds for s in stems) + queue.word_gap_s * (len(stems) - 1)
        assert spoken + queue.utterance_gap_s < until_three, stems
