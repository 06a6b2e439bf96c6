"""Every cue the coach can give is heard: each sound it names exists and is a valid cue
sound, every cue but a workout's own note has words, numbers are spoken right, and a
countdown's announcement is over before its "three". No Qt, no sound played."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import Session, run_session, run_until, start_session, step, workout

from retrocoach.audio.sounds import RATE, Sound, every_stem, load_catalogue, read_sound
from retrocoach.audio.speech_queue import SpeechQueue
from retrocoach.coach import cues, speech
from retrocoach.coach.cues import BEEPS, FIXED, CueId, Said
from retrocoach.coach.engine import EngineConfig
from retrocoach.coach.events import Cue
from retrocoach.coach.plan import Segment, SpeedLimits, build_plan
from retrocoach.coach.speech import WAV, Beep
from retrocoach.resources import data_dir
from retrocoach.workouts import library
from retrocoach.workouts.model import Direction, Gait, TimeEnd
from retrocoach.workouts.profile import KMH_PER_MPH, RunnerProfile, Units

MAX_CLIP_S = 5.0


@functools.cache
def catalogue() -> dict[str, Sound]:
    sounds, problems = load_catalogue()
    assert problems == []
    return sounds


# ------------------------------------------------------------- the files themselves


def test_the_catalogue_loads_without_a_problem() -> None:
    sounds, problems = load_catalogue()
    assert problems == []
    assert sorted(sounds) == sorted(every_stem())


@pytest.mark.parametrize("stem", every_stem())
def test_every_sound_a_cue_can_ask_for_is_a_valid_cue_sound(stem: str) -> None:
    sound = read_sound(data_dir("sounds") / (stem + WAV))  # 48 kHz mono 16-bit, or raises
    assert sound.stem == stem
    assert 0 < sound.seconds < MAX_CLIP_S
    assert sound.seconds >= 10 / RATE  # more than a click


def test_every_clip_and_every_beep_is_in_the_catalogue() -> None:
    stems = set(every_stem())
    assert set(speech.CLIPS) <= stems
    assert {beep.value for beep in Beep} <= stems


def test_a_broken_or_missing_sound_is_reported_not_fatal(tmp_path: Path) -> None:
    folder = tmp_path
    good = data_dir("sounds")
    for stem in every_stem():
        (folder / (stem + WAV)).write_bytes((good / (stem + WAV)).read_bytes())
    (folder / "halfway.wav").unlink()
    (folder / "paused.wav").write_bytes(b"RIFF nonsense")
    sounds, problems = load_catalogue(folder)
    assert "halfway" not in sounds and "paused" not in sounds
    assert len(sounds) == len(every_stem()) - 2
    assert any(p.startswith("halfway.wav: missing") for p in problems)
    assert any(p.startswith("paused.wav: not a readable WAV") for p in problems)


# ---------------------------------------------------- every cue has its words


def _segment(direction: Direction = Direction.BACKWARD, gait: Gait = Gait.RUN) -> Segment:
    return Segment(0, "", direction, gait, TimeEnd(60), 5.5, 5.5, 0.0)


KMH = Units.KMH
# How each cue that takes parameters is worded (the engine calls these).
WORDED: dict[CueId, Callable[[], list[Said]]] = {
    CueId.GET_READY: lambda: [cues.get_ready(_segment(d, g), KMH) for d in Direction for g in Gait],
    CueId.SPEEDING_UP: lambda: [cues.speeding_up(9.0, KMH), cues.speeding_up(5.5, Units.MPH)],
    CueId.SLOWING_DOWN: lambda: [cues.slowing_down(3.0, KMH)],
    CueId.NEXT: lambda: [cues.next_segment(_segment(), KMH, turn) for turn in (False, True)],
    CueId.TURN_AROUND: lambda: [cues.turn_around(_segment(d), KMH) for d in Direction],
    CueId.SEGMENT: lambda: [
        cues.segment_start(_segment(d, g), KMH) for d in Direction for g in Gait
    ],
    CueId.NOTE: lambda: [cues.note("Hold the side rails.")],
    CueId.HR_HIGH: lambda: [cues.hr_high(8.5, KMH)],
    CueId.HR_HIGH_AT_MINIMUM: lambda: [cues.hr_high_at_minimum()],
    CueId.HOLDING_SPEED: lambda: [cues.holding(3.0, KMH, "no heart rate")],
    CueId.CONSOLE_SPEED: lambda: [cues.console_speed(7.0, KMH)],
    CueId.ABOVE_CAP: lambda: [cues.above_cap(9.0, 8.0, KMH)],
    CueId.WAITING_FOR_TURN_SPEED: lambda: [cues.waiting_for_turn_speed(3.0, KMH)],
    CueId.RESUMING: lambda: [cues.resuming(5.0)],
    CueId.DEVICE_LOST: lambda: [cues.device_lost(role) for role in ("treadmill", "hrm")],
    CueId.DEVICE_BACK: lambda: [cues.device_back(role) for role in ("treadmill", "hrm")],
}


def test_every_cue_id_is_worded_once_either_fixed_or_by_a_function() -> None:
    assert set(FIXED) | set(WORDED) == set(CueId)
    assert set(FIXED) & set(WORDED) == set()


@pytest.mark.parametrize("cue", list(CueId))
def test_every_cue_but_a_note_is_spoken_with_recorded_clips(cue: CueId) -> None:
    said = [FIXED[cue]] if cue in FIXED else WORDED[cue]()
    for words in said:
        assert words.text
        if cue is CueId.NOTE:
            assert words.speech == ()  # the workout's own words: live speech, if any
            continue
        assert words.speech, f"{cue} has no words to say"
        assert set(words.speech) <= set(catalogue()), words.speech


def test_the_cue_beeps_are_beeps() -> None:
    assert all(isinstance(beep, Beep) for beep in BEEPS.values())
    assert {BEEPS[t] for t in cues.COUNTDOWN_TICKS} == {Beep.TICK, Beep.GO}
    assert BEEPS[CueId.COUNTDOWN_1] is Beep.GO  # "one" is the change itself


# ------------------------------------------------ every cue the engine gives


RUN_5_MIN = workout(step("forward", "run", seconds=300))


def _waiting_for_a_heart_rate() -> Session:
    session = start_session(RUN_5_MIN, start=False)
    session.strap.drop_link(0.0)
    session.station.start(0.0)
    run_until(session, 30.0)
    session.strap.restore_link(30.0)
    run_until(session)
    return session


def _console_speed_during_a_turn() -> Session:
    session = start_session(
        workout(step("forward", "run", seconds=60), step("backward", "walk", seconds=60))
    )
    while not session.of("phase", phase="turn"):
        run_until(session, session.station.next_deadline())
    turn = session.of("phase", phase="turn")[0]["t"]
    session.treadmill.console_set_speed(4.0, turn + 4.5)
    run_until(session)
    return session


# The rarer cues, each made to happen as in test_engine*.py: what it runs, what it shows.
SCENARIOS: dict[str, tuple[Callable[[], Session], set[CueId]]] = {
    "heart rate too high": (
        lambda: run_session(RUN_5_MIN, actions={60.0: lambda s, t: s.strap.force_bpm(185)}),
        {CueId.HR_HIGH},
    ),
    "heart rate too high at the lowest speed": (
        lambda: run_session(
            workout(step("backward", "walk", seconds=400)),
            actions={10.0: lambda s, t: s.strap.force_bpm(185)},
        ),
        {CueId.HR_HIGH, CueId.HR_HIGH_AT_MINIMUM},
    ),
    "heart rate lost, then back": (
        lambda: run_session(
            workout(step("forward", "walk", seconds=60), step("forward", "run", seconds=120)),
            actions={
                30.0: lambda s, t: s.strap.remove_contact(t),
                100.0: lambda s, t: s.strap.restore_contact(t),
            },
        ),
        {CueId.HR_MISSING, CueId.HR_BACK, CueId.HOLDING_SPEED},
    ),
    "waiting for a heart rate to start": (
        _waiting_for_a_heart_rate,
        {CueId.WAITING_FOR_HEART_RATE, CueId.DEVICE_BACK},
    ),
    "strap lost, then back": (
        lambda: run_session(
            RUN_5_MIN,
            actions={
                60.0: lambda s, t: s.strap.drop_link(t),
                90.0: lambda s, t: s.strap.restore_link(t),
            },
        ),
        {CueId.DEVICE_LOST, CueId.DEVICE_BACK, CueId.HR_MISSING},
    ),
    "pause, resume, skip": (
        lambda: run_session(
            RUN_5_MIN,
            actions={
                40.0: lambda s, t: s.station.pause(t),
                60.0: lambda s, t: s.station.resume(t),
                100.0: lambda s, t: s.station.skip(t),
            },
        ),
        {CueId.PAUSED, CueId.RESUMING, CueId.SESSION_COMPLETE},
    ),
    "safety key": (
        lambda: run_session(
            RUN_5_MIN,
            actions={
                30.0: lambda s, t: s.treadmill.pull_safety_key(t),
                60.0: lambda s, t: s.treadmill.insert_safety_key(t),
                90.0: lambda s, t: s.station.resume(t),
            },
        ),
        {CueId.SAFETY_KEY, CueId.RESUMING},
    ),
    "resumed with the safety key out": (
        lambda: run_session(
            RUN_5_MIN,
            actions={
                30.0: lambda s, t: s.treadmill.pull_safety_key(t),
                60.0: lambda s, t: s.station.resume(t),
                90.0: lambda s, t: s.station.stop(t),
            },
        ),
        {CueId.START_FAILED, CueId.SESSION_STOPPED},
    ),
    "stopped on the console": (
        lambda: run_session(
            RUN_5_MIN,
            actions={
                30.0: lambda s, t: s.treadmill.console_stop(t),
                60.0: lambda s, t: s.station.resume(t),
            },
        ),
        {CueId.STOPPED_ON_CONSOLE},
    ),
    "treadmill lost, stopped meanwhile, back": (
        lambda: run_session(
            RUN_5_MIN,
            actions={
                40.0: lambda s, t: s.treadmill.drop_link(t),
                45.0: lambda s, t: s.treadmill.console_stop(t),
                60.0: lambda s, t: s.treadmill.restore_link(t),
                100.0: lambda s, t: s.station.resume(t),
            },
        ),
        {CueId.DEVICE_LOST, CueId.DEVICE_BACK, CueId.BELT_STOPPED},
    ),
    "another app takes control": (
        lambda: run_session(
            RUN_5_MIN,
            actions={
                60.0: lambda s, t: s.treadmill.revoke_control(t),
                120.0: lambda s, t: s.station.resume(t),
            },
        ),
        {CueId.CONTROL_TAKEN},
    ),
    "console speed above the cap": (
        lambda: run_session(
            workout(step("backward", "walk", seconds=120), step("backward", "walk", seconds=60)),
            actions={40.0: lambda s, t: s.treadmill.console_set_speed(9.0, t)},
        ),
        {CueId.CONSOLE_SPEED, CueId.ABOVE_CAP},
    ),
    "console speed during a turn": (_console_speed_during_a_turn, {CueId.WAITING_FOR_TURN_SPEED}),
    "emergency stop": (
        lambda: run_session(RUN_5_MIN, actions={50.0: lambda s, t: s.station.emergency_stop(t)}),
        {CueId.EMERGENCY_STOP},
    ),
    "stop": (
        lambda: run_session(RUN_5_MIN, actions={50.0: lambda s, t: s.station.stop(t)}),
        {CueId.SESSION_STOPPED},
    ),
    "a library workout in miles per hour": (
        lambda: run_session(library.BUILT_IN[0], RunnerProfile(units=Units.MPH)),
        {CueId.SPEEDING_UP, CueId.SEGMENT},
    ),
}


def _cues(session: Session) -> list[Cue]:
    return [e for e in session.events if isinstance(e, Cue)]


@functools.cache
def scenario_cues(name: str) -> tuple[Cue, ...]:
    return tuple(_cues(SCENARIOS[name][0]()))


@functools.cache
def library_cues(name: str) -> tuple[Cue, ...]:
    return tuple(_cues(run_session(library.get(name))))


def _assert_heard(found: tuple[Cue, ...]) -> None:
    sounds = catalogue()
    for cue in found:
        cue_id = CueId(cue.id)  # a known id, or ValueError
        for file in [*cue.speech, *([cue.beep] if cue.beep else [])]:
            assert file.endswith(WAV) and file.removesuffix(WAV) in sounds, (cue, file)
        if cue_id is not CueId.NOTE:
            assert cue.speech, f"{cue.id} at {cue.t:.1f} s has nothing to say"
        if cue.beep is not None:
            assert cue.beep.removesuffix(WAV) in {b.value for b in Beep}
        # What the log names as the first sound is the first heard.
        assert cue.sound == (cue.beep or (cue.speech[0] if cue.speech else None))


@pytest.mark.parametrize("name", [w.name for w in library.all_workouts()])
def test_every_cue_of_a_library_workout_has_its_sounds(name: str) -> None:
    found = library_cues(name)
    _assert_heard(found)
    ids = {c.id for c in found}
    assert {CueId.GET_READY, *cues.COUNTDOWN_TICKS, CueId.SESSION_COMPLETE} <= ids


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_cue_of_a_rarer_session_has_its_sounds(name: str) -> None:
    found = scenario_cues(name)
    _assert_heard(found)
    expected = SCENARIOS[name][1]
    assert expected <= {CueId(c.id) for c in found}, f"{name}: no {expected}"


def test_the_sessions_together_give_every_cue_there_is() -> None:
    covered = {CueId(c.id) for w in library.all_workouts() for c in library_cues(w.name)}
    covered |= {CueId(c.id) for name in SCENARIOS for c in scenario_cues(name)}
    common = {
        CueId.GET_READY,
        *cues.COUNTDOWN_TICKS,
        CueId.SEGMENT,
        CueId.TURN_AROUND,
        CueId.SLOWING_DOWN,
        CueId.SPEEDING_UP,
        CueId.HALFWAY,
        CueId.NEXT,
        CueId.SESSION_COMPLETE,
        CueId.EMERGENCY_STOP,
        CueId.PAUSED,
        CueId.HR_HIGH,
    }
    assert common <= covered
    assert set(CueId) - covered == set()  # every cue is made to happen at least once


# ----------------------------------------------------------------- spoken numbers


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (5.5, ["n5", "point", "n5"]),
        (12.0, ["n12"]),
        (25, ["n20", "n5"]),
        (0, ["n0"]),
        (9.96, ["n10"]),  # to one decimal: ten, not "nine point ten"
        (9.94, ["n9", "point", "n9"]),
        (100, ["n1", "hundred"]),
        (115, ["n1", "hundred", "n15"]),
        (140, ["n1", "hundred", "n40"]),
        (3.06, ["n3", "point", "n1"]),  # rounded, not cut
        (5.45, ["n5", "point", "n5"]),  # as the screen shows it: "5.5"
    ],
)
def test_numbers_are_spoken_in_recorded_words(value: float, words: list[str]) -> None:
    assert speech.number(value) == words
    assert set(words) <= set(speech.CLIPS)


def test_every_number_up_to_a_thousand_has_its_clips() -> None:
    for n in range(1000):
        assert set(speech.integer(n)) <= set(speech.NUMBER_CLIPS), n
    assert speech.integer(1234) == ["n1", "n2", "n3", "n4"]


def test_speeds_are_spoken_in_the_runners_units() -> None:
    assert cues.spoken_speed(5.5, Units.KMH) == ["n5", "point", "n5"]
    assert cues.spoken_speed(5 * KMH_PER_MPH, Units.MPH) == ["n5"]
    assert cues.spoken_speed(10.0, Units.MPH) == ["n6", "point", "n2"]  # 6.21 mph
    assert cues.speeding_up(16.0934, Units.MPH).speech == ("speeding_up", "to", "n10")
    assert "10.0 mph" in cues.speeding_up(16.0934, Units.MPH).text


def _heard_value(clips: list[str]) -> float:
    """What a listener hears in number clips: "n1 hundred n15" is 115."""
    whole, tenths, after_point = 0, 0, False
    for clip in clips:
        if clip == "point":
            after_point = True
        elif clip == "hundred":
            whole *= 100
        elif after_point:
            tenths = int(clip.removeprefix("n"))
        else:
            whole += int(clip.removeprefix("n"))
    return whole + tenths / 10


# Any speed, and the ones halfway between two tenths (5.45: a machine with finer steps).
SPEEDS = st.floats(0.0, 40.0) | st.integers(0, 399).map(lambda n: (10 * n + 5) / 100)


@given(kmh=SPEEDS, units=st.sampled_from(Units))
def test_the_voice_says_the_speed_the_screen_shows(kmh: float, units: Units) -> None:
    shown = units.format_speed(kmh).split()[0]
    assert f"{_heard_value(cues.spoken_speed(kmh, units)):.1f}" == shown
    assert f"{_heard_value(list(cues.speeding_up(kmh, units).speech[2:])):.1f}" == shown


@pytest.mark.parametrize("kmh", [5.45, 7.25, 8.05, 12.35])
def test_a_speed_on_a_fine_machine_step_is_said_as_shown(kmh: float) -> None:
    shown = Units.KMH.format_speed(kmh).split()[0]
    assert f"{_heard_value(speech.number(kmh)):.1f}" == shown


# ------------------------------------------- a countdown's announcement fits


def _spoken_s(said: Said) -> float:
    sounds = catalogue()
    gaps = SpeechQueue(lambda _: 0.0).word_gap_s * (len(said.speech) - 1)
    return sum(sounds[clip].seconds for clip in said.speech) + gaps


def _openers() -> list[tuple[str, Said]]:
    said: list[tuple[str, Said]] = []
    for w in library.all_workouts():
        first = build_plan(w, RunnerProfile(), SpeedLimits())[0]
        said.append((f"get ready: {w.name}", cues.get_ready(first, KMH)))
    for units in Units:
        for tenths in range(30, 161):
            kmh = tenths / 10
            said.append((f"speeding up to {kmh} km/h in {units}", cues.speeding_up(kmh, units)))
    said.append(("resuming", cues.resuming(EngineConfig().countdown_s)))
    return said


def test_every_countdown_announcement_is_over_before_its_three() -> None:
    """Said when the countdown begins, it must end (with the queue's pause after a
    prompt) before "three", 2 s before the change: else "three" is late or, as the queue
    holds back what would run into it, the announcement is not said at all."""
    until_three = EngineConfig().countdown_s - cues.COUNTDOWN_AHEAD_S[0]
    pause = SpeechQueue(lambda _: 0.0).utterance_gap_s
    too_long = [
        (what, round(_spoken_s(said), 2))
        for what, said in _openers()
        if _spoken_s(said) + pause >= until_three
    ]
    assert too_long == []
    assert {CueId.GET_READY, CueId.SPEEDING_UP, CueId.RESUMING} == cues.COUNTDOWN_OPENERS


def test_each_countdown_word_is_over_before_the_next() -> None:
    pause = SpeechQueue(lambda _: 0.0).utterance_gap_s
    ahead = cues.COUNTDOWN_AHEAD_S
    for tick, due, next_due in zip(cues.COUNTDOWN_TICKS, ahead, ahead[1:], strict=False):
        assert _spoken_s(FIXED[tick]) + pause < due - next_due, tick
