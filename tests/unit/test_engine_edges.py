"""Edge cases found in review: each once broke a rule, stalled a session or the log."""

from __future__ import annotations

import itertools

import pytest
from support import Session, run_session, run_until, start_session, step, workout

from retrocoach.coach.plan import PlanError
from retrocoach.devices.ports import MachineLimits
from retrocoach.devices.simulator import SimulatedTreadmill
from retrocoach.workouts.model import (
    AbsoluteSpeed,
    Direction,
    Gait,
    RelativeSpeed,
    Step,
    TimeEnd,
    Workout,
)
from retrocoach.workouts.profile import RunnerProfile

RUN_THEN_BACK = workout(step("forward", "run", seconds=300), step("backward", "walk", seconds=60))


def _finish(session: Session, until: float = 5000.0) -> None:
    run_until(session, until)
    assert session.station.finished, "the session should have ended by itself"


def _samples(session: Session, after: float, before: float = float("inf")) -> list[dict]:  # type: ignore[type-arg]
    return [r for r in session.of("sample") if after <= r["t"] <= before]


def test_resume_with_a_high_heart_rate_starts_gently_and_holds() -> None:
    s = start_session(RUN_THEN_BACK)
    run_until(s, 60)
    s.station.pause(60)
    s.strap.force_bpm(185)
    run_until(s, 90)
    s.station.resume(90)
    run_until(s, 200)
    # The belt comes back at no more than the turn speed, not at the old 9 km/h.
    assert max(r["speed_kmh"] for r in _samples(s, 90, 200)) <= 3.05
    holding = [c["text"] for c in s.of("cue", id="holding_speed")]
    assert holding and "0.0" not in holding[-1]
    s.strap.force_bpm(None)
    _finish(s)
    assert s.violations() == []


def test_resume_without_a_heart_rate_waits_for_it_before_the_belt_starts() -> None:
    s = start_session(RUN_THEN_BACK)
    run_until(s, 60)
    s.station.pause(60)
    s.strap.remove_contact(65)
    run_until(s, 90)
    s.station.resume(90)
    run_until(s, 150)
    assert len(s.of("command", op="start")) == 1  # only the first
    assert all(r["speed_kmh"] == 0 for r in _samples(s, 75, 150))
    s.strap.restore_contact(150)
    _finish(s)
    assert len(s.of("command", op="start")) == 2
    assert s.violations() == []


def test_a_pause_before_any_heart_rate_never_lets_a_resume_start_the_belt() -> None:
    s = start_session(RUN_THEN_BACK, start=False)
    s.strap.drop_link(0)
    s.station.start(0)
    run_until(s, 3)
    s.station.pause(3)
    run_until(s, 6)
    s.station.resume(6)
    run_until(s, 60)
    assert not s.of("command", op="start")
    s.strap.restore_link(60)
    _finish(s)
    assert s.violations() == []


def test_a_pause_lost_in_a_link_drop_is_sent_again() -> None:
    s = start_session(workout(step("forward", "run", seconds=300)))
    run_until(s, 59.9)
    s.treadmill.drop_link(59.9)
    s.station.pause(60)
    run_until(s, 61)
    s.treadmill.restore_link(61)
    run_until(s, 100)
    assert all(r["speed_kmh"] == 0 for r in _samples(s, 85, 100))
    s.station.stop(100)
    _finish(s)


def test_a_slow_down_lost_in_a_link_drop_is_sent_again() -> None:
    s = start_session(
        workout(step("forward", "run", seconds=60), step("backward", "walk", seconds=60))
    )
    run_until(s, 64.9)
    s.treadmill.drop_link(64.9)
    run_until(s, 66)
    s.treadmill.restore_link(66)
    _finish(s)
    assert s.of("session_end")[0]["reason"] == "completed"
    assert s.violations() == []


def test_a_pause_refused_for_lost_control_is_sent_again_after_asking_for_control() -> None:
    s = start_session(workout(step("forward", "run", seconds=300)))
    run_until(s, 60)
    s.station.pause(60)
    s.treadmill.revoke_control(60.01)
    run_until(s, 100)
    assert all(r["speed_kmh"] == 0 for r in _samples(s, 85, 100))


@pytest.mark.parametrize(("speed", "after"), [(4.0, 4.5), (3.5, 1.5), (8.0, 0.5)])
def test_a_console_speed_during_a_turn_never_lets_the_new_direction_start_fast(
    speed: float, after: float
) -> None:
    s = start_session(
        workout(step("forward", "run", seconds=60), step("backward", "walk", seconds=60))
    )
    while not s.of("phase", phase="turn"):
        run_until(s, s.station.next_deadline())
    turn = s.of("phase", phase="turn")[0]["t"]
    s.treadmill.console_set_speed(speed, turn + after)
    _finish(s)
    assert s.violations() == []
    back = s.of("segment_start", index=1)[0]["t"]
    assert all(r["speed_kmh"] <= 3.05 for r in _samples(s, back - 5, back))


def test_a_machine_too_fast_for_the_turn_speed_or_a_cap_is_refused() -> None:
    tm = SimulatedTreadmill(
        limits=MachineLimits(speed_min_kmh=1.6, speed_step_kmh=0.5, speed_max_kmh=12)
    )
    with pytest.raises(PlanError, match="turn speed"):
        start_session(RUN_THEN_BACK, RunnerProfile(turn_speed_kmh=1.0), treadmill=tm)
    tm = SimulatedTreadmill(
        limits=MachineLimits(speed_min_kmh=1.6, speed_step_kmh=0.5, speed_max_kmh=12)
    )
    with pytest.raises(PlanError, match="backward cap"):
        start_session(
            RUN_THEN_BACK, RunnerProfile(backward_max_kmh=1.2, turn_speed_kmh=1.0), treadmill=tm
        )


def test_steps_count_from_the_machines_minimum() -> None:
    tm = SimulatedTreadmill(
        limits=MachineLimits(speed_min_kmh=1.6, speed_step_kmh=0.5, speed_max_kmh=12)
    )
    s = start_session(workout(step("forward", "walk", seconds=30, kmh=1.7)), treadmill=tm)
    assert s.station.engine.segments[0].target_kmh == 1.6


def test_the_turn_waits_for_the_slow_down_to_be_confirmed() -> None:
    w = workout(
        step("backward", "walk", seconds=30, kmh=2.8),
        step("backward", "run", seconds=1, kmh=8),
        step("forward", "walk", seconds=30),
    )
    s = start_session(
        w, treadmill=SimulatedTreadmill(response_latency_s=1.5, acceleration_kmh_per_s=1.0)
    )
    _finish(s)
    assert s.violations() == []


def test_pause_at_the_instant_the_last_segment_ends_does_not_reopen_the_session() -> None:
    s = start_session(
        workout(step("forward", "walk", seconds=30.5)),
        with_strap=False,
        treadmill=SimulatedTreadmill(notify_interval_s=2.0),
    )
    run_until(s, 35.0)
    s.station.pause(35.5)
    _finish(s)
    assert s.of("session_end")[0]["reason"] == "completed"
    assert len(s.of("segment_start")) == 1


def test_emergency_stop_after_an_unconfirmed_stop_does_not_crash() -> None:
    s = start_session(
        workout(step("forward", "walk", seconds=300)),
        with_strap=False,
        treadmill=SimulatedTreadmill(notify_interval_s=2.0),
    )
    run_until(s, 35.5)
    s.station.stop(35.5)
    run_until(s, 38.5)
    s.treadmill.drop_link(38.5)
    s.station.emergency_stop(69.0)
    _finish(s)


def test_a_stop_never_confirmed_ends_as_a_fault_and_nothing_follows_session_end() -> None:
    s = start_session(workout(step("forward", "run", seconds=300)))
    run_until(s, 40)
    s.treadmill.drop_link(40)
    run_until(s, 41)
    s.station.emergency_stop(41)
    _finish(s, 2000)
    assert s.records[-1]["event"] == "session_end"
    assert s.records[-1]["reason"] == "fault"
    assert s.of("safety", action="stop_unconfirmed")


def test_stop_before_start_ends_quickly_without_a_storm_of_commands() -> None:
    s = start_session(workout(step("forward", "run", seconds=300)), start=False)
    run_until(s, 2)
    s.station.stop(2)
    _finish(s, 60)
    assert len(s.of("command", op="stop")) < 10
    assert s.of("session_end")[0]["t"] < 10


def test_time_never_goes_back_in_the_log_when_the_station_is_stepped_late() -> None:
    s = start_session(workout(step("forward", "run", seconds=120)))
    run_until(s, 20)
    s.strap.remove_contact(20)
    run_until(s, 30)
    s.strap.restore_contact(30)
    s.station.step(33.0)
    _finish(s)
    times = [r["t"] for r in s.records]
    assert all(b >= a for a, b in itertools.pairwise(times))
    assert s.violations() == []


def test_the_plan_follows_the_machines_real_ranges_until_the_start() -> None:
    from retrocoach.coach.plan import SpeedLimits

    s = start_session(RUN_THEN_BACK, RunnerProfile(turn_speed_kmh=1.5), start=False)
    engine = s.station.engine
    engine.set_limits(SpeedLimits(speed_min_kmh=1.0, speed_max_kmh=8.0, speed_step_kmh=0.5))
    assert engine.segments[0].target_kmh == 8.0 and engine.turn_kmh == 1.5
    with pytest.raises(PlanError, match="turn speed"):
        engine.set_limits(SpeedLimits(speed_min_kmh=1.6))
    assert engine.segments[0].target_kmh == 8.0  # unchanged by the refused machine
    s.station.start(0.0)
    with pytest.raises(RuntimeError):
        engine.set_limits(SpeedLimits())


def test_another_app_taking_control_pauses_the_coaching_without_a_fight() -> None:
    s = start_session(workout(step("forward", "run", seconds=300)))
    run_until(s, 60)
    s.treadmill.revoke_control(60)  # what a machine says when another app takes over
    run_until(s, 120)
    lost = s.of("safety", rule=7, action="control_lost")
    assert lost and lost[0]["t"] == pytest.approx(60, abs=0.1)
    assert s.of("cue", id="control_taken")
    after = [c for c in s.of("command") if c["t"] >= 60]
    assert after == []  # no request_control, no pause, no speed: not ours any more
    s.station.resume(120)  # the person takes it back
    run_until(s, 140)
    assert s.of("command", op="request_control")[-1]["t"] == 120
    assert s.treadmill.has_control
    assert len(s.of("command", op="start")) == 2
    s.station.stop(140)
    _finish(s)
    assert s.violations() == []


def test_a_stop_still_fights_for_control_when_another_app_has_it() -> None:
    s = start_session(workout(step("forward", "run", seconds=300)))
    run_until(s, 60)
    s.treadmill.revoke_control(60)
    run_until(s, 70)
    s.station.emergency_stop(70)
    _finish(s)
    assert s.of("session_end")[0]["reason"] == "emergency_stop"
    assert s.treadmill.belt_speed_kmh < 0.015


def test_our_own_takeovers_control_lost_meant_for_the_other_app_is_not_ours() -> None:
    from retrocoach.coach.engine import MachineEvent

    s = start_session(workout(step("forward", "run", seconds=300)))
    run_until(s, 60)
    s.treadmill.revoke_control(60)
    run_until(s, 120)
    s.station.resume(120)
    # The machine tells every app that the other one lost control to us.
    s.station.engine.on_machine_status(
        120.02, MachineEvent.CONTROL_LOST, 255, "control_permission_lost", None
    )
    run_until(s, 140)
    assert len(s.of("safety", action="control_lost")) == 1
    assert s.station.engine.state.value == "running"


def test_skip_while_resuming_after_the_safety_key_turns_with_the_belt_standing() -> None:
    plan = workout(
        step("backward", "walk", seconds=3),
        step("backward", "walk", seconds=3),
        step("forward", "walk", seconds=3),
        step("backward", "walk", seconds=3),
    )

    def key(s: Session, t: float) -> None:
        s.treadmill.pull_safety_key(t)
        s.treadmill.insert_safety_key(t + 0.5)

    s = start_session(plan)
    run_until(s, 8.0)
    key(s, 8.0)
    run_until(s, 9.0)
    s.station.resume(9.0)
    run_until(s, 10.0)
    s.station.skip(10.0)
    _finish(s)
    assert s.violations() == []


def test_a_resume_mid_turn_waits_for_a_belt_still_braking_from_a_fast_segment() -> None:
    # Found by the random-presses property: paused just as a 13 km/h segment ended (the
    # slow-down to the turn speed had been sent), resumed a second later. The belt was
    # still braking when the countdown ended; the turn must wait until it reads the
    # turn speed (rule 2), not begin on the way down.
    walk = Step(Direction.FORWARD, Gait.WALK, TimeEnd(91.0), RelativeSpeed(1.0))
    fast_then_turn = Workout(
        "resume-mid-turn",
        "Resume mid turn",
        (
            walk,
            walk,
            walk,
            Step(Direction.FORWARD, Gait.WALK, TimeEnd(13.0), RelativeSpeed(1.5)),
            Step(Direction.FORWARD, Gait.WALK, TimeEnd(12.0), AbsoluteSpeed(13.0)),
            Step(Direction.BACKWARD, Gait.WALK, TimeEnd(3.0), RelativeSpeed(1.0)),
        ),
    )
    session = run_session(
        fast_then_turn,
        actions={
            303.0: lambda s, t: s.station.pause(t),  # as the 13 km/h segment ends
            304.0: lambda s, t: s.station.resume(t),
        },
    )
    assert [p["phase"] for p in session.of("phase")].count("slow_down") >= 2
    assert session.violations() == []
    assert session.of("session_end")[0]["reason"] == "completed"
