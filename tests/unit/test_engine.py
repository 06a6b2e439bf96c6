"""The engine on a virtual clock with the simulators: flows, timings and safety rules."""

from __future__ import annotations

import itertools

import pytest
from support import (
    Session,
    repeat,
    run_session,
    run_until,
    segment_ends,
    start_session,
    step,
    workout,
)

from retrocoach.coach.engine import EngineConfig, EngineState
from retrocoach.workouts.profile import RunnerProfile

BACK_AND_FORTH = workout(
    step("forward", "walk", seconds=60),
    repeat(2, step("backward", "walk", seconds=40), step("forward", "run", metres=200)),
    step("forward", "walk", seconds=60),
)


def _at(session: Session, kind: str, **match: object) -> float:
    found = session.of(kind, **match)
    assert found, f"no {kind} {match}"
    return float(found[0]["t"])


def test_a_session_runs_every_segment_in_order_and_ends_completed() -> None:
    session = run_session(BACK_AND_FORTH)
    starts = session.of("segment_start")
    assert [s["index"] for s in starts] == [0, 1, 2, 3, 4, 5]
    assert [s["direction"] for s in starts] == [
        "forward",
        "backward",
        "forward",
        "backward",
        "forward",
        "forward",
    ]
    end = session.of("session_end")[0]
    assert end["reason"] == "completed"
    assert end["backward_time_s"] == pytest.approx(80, abs=0.01)
    assert session.violations() == []
    assert session.treadmill.belt_speed_kmh == 0


def test_the_first_start_follows_the_persons_start_and_a_countdown() -> None:
    session = run_session(BACK_AND_FORTH)
    user_start = _at(session, "user", action="start")
    belt_start = _at(session, "command", op="start")
    countdown = _at(session, "phase", phase="countdown")
    assert user_start <= countdown <= belt_start - 3
    # "One" lands on the change itself: the belt start and the first ramp.
    assert _at(session, "cue", id="countdown_1") == belt_start
    assert _at(session, "phase", phase="ramp") == belt_start


def test_every_speed_increase_is_counted_down_with_one_on_the_change() -> None:
    session = run_session(BACK_AND_FORTH)
    records = session.records
    for i, rec in enumerate(records):
        if rec["event"] == "command" and rec["op"] == "set_speed" and rec["source"] == "coach":
            before = [r for r in records[:i] if r["event"] == "phase"]
            if before[-1]["phase"] != "ramp":
                continue
            ticks = [
                r["t"] for r in records[:i] if r["event"] == "cue" and r["id"] == "countdown_1"
            ]
            threes = [
                r["t"] for r in records[:i] if r["event"] == "cue" and r["id"] == "countdown_3"
            ]
            assert ticks[-1] == rec["t"]
            assert rec["t"] - threes[-1] == pytest.approx(2.0)


def test_a_turn_around_slows_to_turn_speed_holds_then_counts_down() -> None:
    session = run_session(BACK_AND_FORTH)
    # Segment 2 (forward run) is entered from a backward walk: slow, turn, countdown.
    phases = [(r["phase"], r["t"]) for r in session.of("phase", segment=2)]
    names = [p for p, _ in phases]
    assert names[:4] == ["announce", "turn", "countdown", "ramp"] or names[:5] == [
        "announce",
        "slow_down",
        "turn",
        "countdown",
        "ramp",
    ]
    turn_t = dict(phases)["turn"]
    start_t = _at(session, "segment_start", index=2)
    assert start_t - turn_t >= RunnerProfile().turn_time_s + 5 - 1e-6
    during = [r for r in session.of("sample") if turn_t <= r["t"] <= start_t]
    assert during and all(r["speed_kmh"] <= 3.05 for r in during)
    # And from a forward run into a backward walk the belt is slowed first.
    turn_cue = session.of("cue", id="turn_around")[0]["text"]
    assert turn_cue == (
        "Turn around now: face the back of the treadmill. Next: backwards walk at 3.5 km/h."
    )
    slow = session.of("phase", phase="slow_down", segment=3)
    assert slow
    assert session.of("command", op="set_speed", value=3.0)


def test_the_next_segment_is_announced_ten_seconds_ahead() -> None:
    session = run_session(BACK_AND_FORTH)
    announce = _at(session, "phase", phase="announce", segment=1)
    end0 = _at(session, "segment_end", index=0)
    assert end0 - announce == pytest.approx(10.0)
    cue = session.of("cue", id="next")[0]
    assert "Turn-around coming" in cue["text"] and "backwards walk" in cue["text"]


def test_long_segments_get_halfway_and_last_minute_notes() -> None:
    session = run_session(workout(step("forward", "walk", seconds=600)))
    start = _at(session, "segment_start", index=0)
    assert _at(session, "cue", id="halfway") - start == pytest.approx(300)
    assert _at(session, "cue", id="one_minute_left") - start == pytest.approx(540)
    short = run_session(workout(step("forward", "walk", seconds=60)))
    assert not short.of("cue", id="halfway")


def test_distance_segments_end_at_their_distance_within_one_sample() -> None:
    session = run_session(
        workout(
            step("forward", "run", metres=400),
            step("backward", "run", metres=50),
            step("forward", "run", metres=1000, pace=1.2),
        )
    )
    ends = segment_ends(session)
    for end, metres in zip(ends, (400, 50, 1000), strict=True):
        speed_ms = session.station.engine.segments[end["index"]].target_kmh / 3.6
        assert end["distance_m"] == pytest.approx(metres, abs=speed_ms * 1.0)
    # ...and measured by the belt's own distance, not the clock.
    belt_ends = [
        r["distance_m"] for r in session.of("sample") if abs(r["t"] - round(ends[0]["t"])) < 0.01
    ]
    assert belt_ends and belt_ends[0] == pytest.approx(400 + 8, abs=15)


def test_pause_stops_the_belt_and_freezes_the_segment_clock() -> None:
    def pause(s: Session, t: float) -> None:
        s.station.pause(t)

    def resume(s: Session, t: float) -> None:
        s.station.resume(t)

    session = run_session(
        workout(step("forward", "run", seconds=120)), actions={40.0: pause, 100.0: resume}
    )
    assert _at(session, "command", op="pause") == 40.0
    stopped = [r for r in session.of("sample") if 70 <= r["t"] <= 100]
    assert all(r["speed_kmh"] == 0 for r in stopped)
    # The segment still ran its full two minutes of running time.
    assert segment_ends(session)[0]["elapsed_s"] == pytest.approx(120, abs=0.01)
    # Resume counts down before the belt starts again (rules 1 and 6).
    starts = session.of("command", op="start")
    assert len(starts) == 2 and starts[1]["t"] == pytest.approx(105.0)
    assert session.violations() == []


def test_skip_ends_the_segment_and_goes_on_safely() -> None:
    session = run_session(BACK_AND_FORTH, actions={30.0: lambda s, t: s.station.skip(t)})
    first = segment_ends(session)[0]
    assert first["reason"] == "skipped" and first["t"] == 30.0
    assert _at(session, "segment_start", index=1) > 30.0 + RunnerProfile().turn_time_s
    assert session.violations() == []


def test_skip_during_a_turn_around_skips_what_it_leads_into() -> None:
    session = start_session(BACK_AND_FORTH)
    run_until(session, 1)
    while session.station.engine.phase is None or session.station.engine.phase.value != "turn":
        run_until(session, session.station.next_deadline())
    t = session.station.engine.now
    session.station.skip(t)
    run_until(session)
    ends = segment_ends(session)
    assert ends[1]["index"] == 1 and ends[1]["reason"] == "skipped"
    assert session.violations() == []


@pytest.mark.parametrize("when", [0.5, 3.0, 20.0, 66.0, 75.0, 90.0, 130.0])
def test_emergency_stop_sends_stop_at_once_and_the_belt_stops(when: float) -> None:
    session = run_session(BACK_AND_FORTH, actions={when: lambda s, t: s.station.emergency_stop(t)})
    stop = session.of("command", op="stop")[0]
    assert stop["t"] == when and stop["source"] == "user"
    end = session.of("session_end")[0]
    assert end["reason"] == "emergency_stop"
    assert session.treadmill.belt_speed_kmh == 0
    # Nothing asks the belt to move after the stop.
    records = session.records
    after = records[records.index(stop) :]
    assert [r for r in after if r["event"] == "command" and r["op"] in ("start", "set_speed")] == []


def test_stop_ends_the_session_as_stopped() -> None:
    session = run_session(BACK_AND_FORTH, actions={50.0: lambda s, t: s.station.stop(t)})
    assert session.of("session_end")[0]["reason"] == "stopped"


def test_heart_rate_above_the_ceiling_for_ten_seconds_lowers_the_speed_in_steps() -> None:
    def too_high(s: Session, t: float) -> None:
        s.strap.force_bpm(185)

    session = run_session(workout(step("forward", "run", seconds=300)), actions={60.0: too_high})
    lowers = session.of("safety", rule=5, action="lower_speed")
    assert lowers and lowers[0]["t"] == pytest.approx(71.0, abs=1.0)  # next reading + 10 s
    commands = session.of("command", source="safety")
    values = [c["value"] for c in commands]
    assert values[0] == pytest.approx(8.5) and values == sorted(values, reverse=True)
    assert len(values) >= 3  # still too high: another step every 20 s
    assert session.of("cue", id="hr_high")[0]["text"].startswith("Heart rate high, slowing down")


def test_no_heart_rate_means_no_speed_increase_until_it_is_back() -> None:
    def lose(s: Session, t: float) -> None:
        s.strap.remove_contact(t)

    def back(s: Session, t: float) -> None:
        s.strap.restore_contact(t)

    plan = workout(step("forward", "walk", seconds=60), step("forward", "run", seconds=120))
    session = run_session(plan, actions={30.0: lose, 100.0: back})
    assert session.of("safety", rule=5, action="hold_increases")
    hold = session.of("safety", rule=5, action="hold")[0]
    assert hold["t"] == pytest.approx(_at(session, "segment_start", index=1))
    increases = [c for c in session.of("command", op="set_speed") if c["value"] == 9.0]
    assert increases[0]["t"] > 100.0  # only after the heart rate came back
    assert session.violations() == []


def test_the_belt_waits_for_a_heart_rate_before_it_first_starts() -> None:
    session = start_session(BACK_AND_FORTH, start=False)
    session.strap.drop_link(0.0)
    session.station.start(0.0)
    run_until(session, 30.0)
    assert session.station.engine.state is EngineState.WAITING
    assert not session.of("command", op="start")
    session.strap.restore_link(30.0)
    run_until(session)
    assert _at(session, "command", op="start") >= 35.0
    assert session.violations() == []


def test_without_a_strap_the_session_runs_and_samples_have_no_heart_rate() -> None:
    session = run_session(BACK_AND_FORTH, with_strap=False)
    assert session.of("session_end")[0]["reason"] == "completed"
    assert all(r["hr_bpm"] is None for r in session.of("sample"))
    assert session.violations() == []


def test_a_speed_set_on_the_console_is_adopted_for_the_rest_of_the_segment() -> None:
    def by_hand(s: Session, t: float) -> None:
        s.treadmill.console_set_speed(7.0, t)

    plan = workout(
        step("forward", "run", seconds=120), step("forward", "run", seconds=60, pace=1.1)
    )
    session = run_session(plan, actions={40.0: by_hand})
    assert session.of("safety", rule=7, action="adopt")
    in_segment = [
        c for c in session.of("command", op="set_speed", source="coach") if 40 <= c["t"] < 125
    ]
    assert in_segment == []  # the coach does not fight the runner
    assert session.of("cue", id="console_speed")[0]["text"].startswith("Keeping your speed of 7.0")
    # The next segment goes back to the plan, counted down.
    assert session.of("command", op="set_speed", value=9.9)
    assert session.violations() == []


def test_the_safety_key_pauses_and_the_belt_waits_for_a_person() -> None:
    def pull(s: Session, t: float) -> None:
        s.treadmill.pull_safety_key(t)

    def put_back(s: Session, t: float) -> None:
        s.treadmill.insert_safety_key(t)

    def resume(s: Session, t: float) -> None:
        s.station.resume(t)

    session = run_session(BACK_AND_FORTH, actions={30.0: pull, 60.0: put_back, 200.0: resume})
    assert session.of("safety", rule=6, action="paused")
    starts = session.of("command", op="start")
    assert len(starts) == 2 and starts[1]["t"] == pytest.approx(205.0)
    assert all(r["speed_kmh"] == 0 for r in session.of("sample") if 40 <= r["t"] <= 200)
    assert session.violations() == []


def test_a_lost_and_restored_treadmill_link_never_restarts_the_belt() -> None:
    def drop(s: Session, t: float) -> None:
        s.treadmill.drop_link(t)

    def stop_on_console(s: Session, t: float) -> None:
        s.treadmill.console_stop(t)  # while the link is down: the app does not hear it

    def restore(s: Session, t: float) -> None:
        s.treadmill.restore_link(t)

    session = run_session(
        workout(step("forward", "run", seconds=300)),
        actions={
            40.0: drop,
            45.0: stop_on_console,
            60.0: restore,
            # Paused, the session waits for a person for as long as it takes.
            600.0: lambda s, t: s.station.stop(t),
        },
    )
    assert [d["state"] for d in session.of("device", role="treadmill")][-2:] == [
        "lost",
        "connected",
    ]
    assert session.of("command", op="request_control")[-1]["t"] >= 60.0
    assert len(session.of("command", op="start")) == 1  # only the person's first start
    assert session.of("safety", rule=6, action="paused")
    assert all(r["speed_kmh"] == 0 for r in session.of("sample") if 70 <= r["t"] <= 600)


def test_user_speed_changes_stay_within_the_caps() -> None:
    profile = RunnerProfile(backward_max_kmh=6.0)

    def faster(s: Session, t: float) -> None:
        for _ in range(6):
            s.station.speed_up(t)

    session = run_session(
        workout(step("backward", "run", seconds=120, kmh=5.0)), profile, actions={30.0: faster}
    )
    user = session.of("command", source="user", op="set_speed")
    assert [c["value"] for c in user] == [5.5, 6.0]
    assert session.violations() == []


def test_speeds_are_clamped_to_the_caps_and_the_machine() -> None:
    profile = RunnerProfile(backward_max_kmh=5.0, forward_max_kmh=12.0)
    plan = workout(
        step("backward", "run", seconds=30, kmh=7.5),
        step("forward", "run", seconds=30, kmh=25.0),
        step("forward", "walk", seconds=30, kmh=0.3),
    )
    session = run_session(plan, profile)
    targets = [s["target_speed_kmh"] for s in session.of("segment_start")]
    assert targets == [5.0, 12.0, 0.8]
    assert session.violations() == []


def test_samples_come_once_a_second_in_virtual_seconds() -> None:
    session = run_session(workout(step("forward", "walk", seconds=30)))
    times = [r["t"] for r in session.of("sample")]
    assert times[:5] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert all(b - a == pytest.approx(1.0) for a, b in itertools.pairwise(times))


def test_a_shorter_countdown_is_refused_by_the_audit_not_the_engine() -> None:
    # The engine's countdown is configurable; the audit holds the rule at 3 s.
    session = run_session(BACK_AND_FORTH, config=EngineConfig(countdown_s=2.0))
    assert any(v.rule == 1 for v in session.violations())


def test_skip_during_the_first_countdown_starts_with_the_second_segment_counted_down() -> None:
    plan = workout(
        step("backward", "walk", seconds=30), step("backward", "walk", seconds=30, pace=0.6)
    )
    session = run_session(plan, actions={1.0: lambda s, t: s.station.skip(t)})
    first = segment_ends(session)[0]
    assert first["index"] == 0 and first["reason"] == "skipped" and first["elapsed_s"] == 0
    assert session.of("segment_start", index=1)
    assert session.of("session_end")[0]["reason"] == "completed"
    assert session.violations() == []
