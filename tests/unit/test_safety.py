"""Every workout, built in or generated, runs to its end within the safety rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import Session, run_session

from retrocoach.coach.audit import audit
from retrocoach.coach.plan import estimate
from retrocoach.workouts import library
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


def _assert_safe_and_complete(session: Session) -> None:
    assert session.violations() == []
    end = session.of("session_end")
    assert end and end[0]["reason"] == "completed"
    plan = session.station.engine.segments
    assert [s["index"] for s in session.of("segment_start")] == list(range(len(plan)))
    # Standing still as the belt reports it (0.01 km/h resolution).
    assert session.treadmill.belt_speed_kmh < 0.015


@pytest.mark.parametrize("workout", library.all_workouts(), ids=lambda w: w.name)
def test_every_built_in_workout_runs_to_the_end_safely(workout: Workout) -> None:
    session = run_session(workout)
    _assert_safe_and_complete(session)
    # What listings and previews promise is what the session takes.
    engine = session.station.engine
    promised = estimate(engine.segments, engine.profile, engine.limits)
    end = session.of("session_end")[0]
    assert end["duration_s"] == pytest.approx(promised.duration_s, rel=0.02)
    assert end["distance_m"] == pytest.approx(promised.distance_m, rel=0.02)
    assert end["backward_time_s"] == pytest.approx(promised.backward_s, rel=0.02)


@pytest.mark.parametrize("workout", library.BUILT_IN, ids=lambda w: w.name)
def test_built_in_workouts_are_safe_for_a_cautious_runner_without_a_strap(
    workout: Workout,
) -> None:
    cautious = RunnerProfile(
        walk_kmh=4.0, run_kmh=7.0, backward_max_kmh=4.5, turn_speed_kmh=2.0, turn_time_s=8
    )
    _assert_safe_and_complete(run_session(workout, cautious, with_strap=False))


directions = st.sampled_from(list(Direction))
gaits = st.sampled_from(list(Gait))
ends = st.one_of(
    st.builds(TimeEnd, st.integers(3, 240).map(float)),
    st.builds(DistanceEnd, st.integers(5, 600).map(float)),
)
speeds = st.one_of(
    st.builds(RelativeSpeed, st.floats(0.3, 1.8)),
    st.builds(AbsoluteSpeed, st.floats(0.5, 25.0)),  # beyond caps: must be clamped
)
steps = st.builds(
    Step,
    direction=directions,
    gait=gaits,
    end=ends,
    speed=speeds,
    incline_pct=st.sampled_from([0.0, 2.0, 6.5, 8.0, 20.0]),
)
items: st.SearchStrategy[Item] = st.recursive(
    steps,
    lambda inner: st.builds(
        Repeat, st.integers(1, 3), st.lists(inner, min_size=1, max_size=3).map(tuple)
    ),
    max_leaves=6,
)
workouts = st.builds(
    Workout,
    name=st.just("generated"),
    title=st.just("Generated"),
    items=st.lists(items, min_size=1, max_size=4).map(tuple),
)
profiles = st.builds(
    RunnerProfile,
    walk_kmh=st.floats(3.0, 6.5),
    run_kmh=st.floats(7.0, 14.0),
    backward_factor=st.floats(0.5, 0.9),
    backward_max_kmh=st.floats(3.5, 9.0),
    turn_speed_kmh=st.floats(1.5, 3.5),
    turn_time_s=st.floats(3.0, 10.0),
)


@given(workout=workouts, profile=profiles, with_strap=st.booleans())
def test_generated_workouts_run_to_the_end_safely(
    workout: Workout, profile: RunnerProfile, with_strap: bool
) -> None:
    _assert_safe_and_complete(run_session(workout, profile, with_strap=with_strap))


@given(
    workout=workouts,
    actions=st.lists(
        st.tuples(
            st.floats(1.0, 900.0),
            st.sampled_from(["pause", "resume", "skip", "speed_up", "speed_down", "key"]),
        ),
        max_size=6,
    ),
)
def test_a_person_pressing_anything_at_any_time_never_breaks_a_rule(
    workout: Workout, actions: list[tuple[float, str]]
) -> None:
    def act(name: str):  # type: ignore[no-untyped-def]
        def do(s: Session, t: float) -> None:
            if name == "key":
                s.treadmill.pull_safety_key(t)
                s.treadmill.insert_safety_key(t + 0.5)
            else:
                getattr(s.station, name)(t)

        return do

    plan = {t: act(name) for t, name in actions}
    # Whatever happened, a person resumes at the end and the session finishes.
    last = max([t for t, _ in actions], default=0.0)
    plan[last + 1.0] = lambda s, t: s.station.resume(t)
    session = run_session(workout, actions=plan)
    assert session.violations() == []
    assert session.of("session_end")


def test_the_audit_catches_each_kind_of_breach() -> None:
    """The audit is only worth its passes if it fails on a bad log."""
    profile = RunnerProfile().as_dict()
    head = [
        {"t": 0, "event": "session_start", "profile": profile, "treadmill": "x", "hrm": "s"},
    ]
    tail = [{"t": 99, "event": "session_end", "reason": "completed"}]

    def rules(*body: dict[str, object]) -> set[int]:
        return {v.rule for v in audit(head + list(body) + tail)}

    start = {"t": 1, "event": "user", "action": "start"}
    hr = {"t": 1, "event": "sample", "speed_kmh": 0, "hr_bpm": 100}
    countdown = {"t": 1, "event": "phase", "phase": "countdown", "segment": 0}
    one = {"t": 6, "event": "cue", "id": "countdown_1"}
    go = {"t": 6, "event": "command", "op": "start", "value": None, "source": "coach"}
    ramp = {"t": 6, "event": "phase", "phase": "ramp", "segment": 0}

    def speed(t: float, v: float, source: str = "coach") -> dict[str, object]:
        return {"t": t, "event": "command", "op": "set_speed", "value": v, "source": source}

    fwd = {"t": 6, "event": "segment_start", "direction": "forward"}
    assert rules(start, hr, countdown, one, go, fwd, ramp, speed(6, 9)) == set()
    # Rule 1: no countdown; a countdown without its spoken "one"; increase outside a ramp.
    assert 1 in rules(start, hr, go, fwd, ramp, speed(6, 9))
    assert 1 in rules(start, hr, countdown, go, fwd, ramp, speed(6, 9))
    steady = {"t": 30, "event": "phase", "phase": "steady", "segment": 0}
    assert 1 in rules(start, hr, countdown, one, go, fwd, ramp, speed(6, 9), steady, speed(31, 10))
    # Rule 2: direction change without a turn, or too fast.
    back = {"t": 40, "event": "segment_start", "direction": "backward"}
    assert 2 in rules(start, hr, countdown, one, go, fwd, ramp, speed(6, 9), back)
    turn = {"t": 36, "event": "phase", "phase": "turn", "segment": 1}
    assert 2 in rules(start, hr, countdown, one, go, fwd, ramp, speed(6, 9), turn, back)
    # Rule 3: above the backward cap.
    assert 3 in rules(start, hr, countdown, one, go, back, ramp, speed(6, 8.5))
    # Rule 5: an increase with no heart rate.
    no_hr = {"t": 1, "event": "sample", "speed_kmh": 0, "hr_bpm": None}
    assert 5 in rules(start, no_hr, countdown, one, go, fwd, ramp, speed(6, 9))
    # Rule 6: a belt start nobody asked for.
    assert 6 in rules(hr, countdown, one, go, fwd, ramp, speed(6, 9))
    # And a log that never ends.
    assert 0 in {v.rule for v in audit(head)}


def test_the_audit_catches_a_broken_log_shape_and_a_belt_running_while_paused() -> None:
    profile = RunnerProfile().as_dict()
    head = [{"t": 0, "event": "session_start", "profile": profile, "treadmill": "x", "hrm": None}]
    tail = [{"t": 99, "event": "session_end", "reason": "stopped"}]

    def rules(*body: dict[str, object]) -> set[int]:
        return {v.rule for v in audit(head + list(body) + tail)}

    def sample(t: float, kmh: float = 0.0) -> dict[str, object]:
        return {"t": t, "event": "sample", "speed_kmh": kmh, "hr_bpm": None}

    assert rules(sample(1), sample(2), sample(3)) == set()
    assert 0 in rules(sample(1), sample(3))  # a sample missing
    assert 0 in rules(sample(2), {"t": 1.5, "event": "cue", "id": "x"})  # time went back
    pause = {"t": 10, "event": "user", "action": "pause"}
    running = [sample(float(t), 6.0) for t in range(11, 41)]
    assert 6 in rules(*[sample(float(t)) for t in range(1, 10)], pause, *running)
    # The echo of the coach's own start is not a person's start.
    start = {"t": 50, "event": "command", "op": "start", "value": None, "source": "coach"}
    echo = {
        "t": 50.05,
        "event": "machine_status",
        "code": 4,
        "name": "started_or_resumed_by_user",
        "value": None,
    }
    second = {"t": 60, "event": "command", "op": "start", "value": None, "source": "coach"}
    countdown = {"t": 40, "event": "phase", "phase": "countdown", "segment": 0}
    one = {"t": 49, "event": "cue", "id": "countdown_1"}
    user = {"t": 39, "event": "user", "action": "resume"}
    assert 6 not in rules(user, countdown, one, start, echo)
    assert 6 in rules(user, countdown, one, start, echo, second)
