"""The simulated treadmill and strap, judged by what a station listening to them sees."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from retrocoach.devices.ports import (
    Clocked,
    ControlOp,
    ControlRequest,
    ControlResult,
    HeartRateData,
    HeartRateMonitor,
    LinkState,
    MachineStatus,
    Role,
    Treadmill,
    TreadmillData,
)
from retrocoach.devices.simulator import Effort, SimulatedStrap, SimulatedTreadmill
from retrocoach.protocol.ftms import StatusCode
from retrocoach.workouts.model import Direction

LATENCY = 0.05


class Recorder:
    """Collects everything a device says, in arrival order."""

    def __init__(self) -> None:
        self.events: list[tuple[float, str, object]] = []
        self.data: list[TreadmillData] = []
        self.statuses: list[MachineStatus] = []
        self.results: list[tuple[ControlRequest, ControlResult, float]] = []
        self.links: list[tuple[Role, LinkState, float]] = []
        self.hr: list[HeartRateData] = []

    def on_treadmill_data(self, data: TreadmillData) -> None:
        self.data.append(data)
        self.events.append((data.t, "data", data))

    def on_machine_status(self, status: MachineStatus) -> None:
        self.statuses.append(status)
        self.events.append((status.t, "status", status))

    def on_control_result(self, request: ControlRequest, result: ControlResult, t: float) -> None:
        self.results.append((request, result, t))
        self.events.append((t, "result", (request, result)))

    def on_link_state(self, role: Role, state: LinkState, t: float) -> None:
        self.links.append((role, state, t))
        self.events.append((t, "link", (role, state)))

    def on_heart_rate(self, data: HeartRateData) -> None:
        self.hr.append(data)
        self.events.append((data.t, "hr", data))

    def last_result(self) -> ControlResult:
        return self.results[-1][1]

    def status_codes(self) -> list[tuple[StatusCode, float | None]]:
        return [(StatusCode(s.code), s.value) for s in self.statuses]


def req(op: ControlOp, value: float | None = None) -> ControlRequest:
    return ControlRequest(op, value)


def make_treadmill(**kwargs: float) -> tuple[SimulatedTreadmill, Recorder]:
    tm = SimulatedTreadmill(**kwargs)  # type: ignore[arg-type]
    rec = Recorder()
    tm.attach(rec)
    tm.connect(0.0)
    return tm, rec


def run(device: SimulatedTreadmill | SimulatedStrap, start: float, end: float, step: float) -> None:
    """Advance in fixed steps from start (exclusive) to end (inclusive)."""
    n = round((end - start) / step)
    for i in range(1, n + 1):
        device.advance(start + i * step)


def take_control_and_start(tm: SimulatedTreadmill, kmh: float, now: float) -> None:
    tm.submit(req(ControlOp.REQUEST_CONTROL), now)
    tm.submit(req(ControlOp.SET_SPEED, kmh), now)
    tm.submit(req(ControlOp.START), now)


def belt(tm: SimulatedTreadmill) -> tuple[float, float, bool]:
    """Belt speed, target and running, read fresh (mypy would keep narrowed properties)."""
    return tm.belt_speed_kmh, tm.target_speed_kmh, tm.running


def key(tm: SimulatedTreadmill) -> bool:
    return tm.safety_key_in


def assert_time_ordered(rec: Recorder) -> None:
    times = [t for t, _, _ in rec.events]
    assert times == sorted(times)


def test_simulators_fill_the_ports() -> None:
    # Checked by mypy as much as at run time.
    treadmill: Treadmill = SimulatedTreadmill()
    strap: HeartRateMonitor = SimulatedStrap(lambda: Effort(0.0, 0.0, Direction.FORWARD))
    clocks: list[Clocked] = [
        SimulatedTreadmill(),
        SimulatedStrap(lambda: Effort(0, 0, Direction.FORWARD)),
    ]
    assert treadmill.name == "Simulated treadmill" and strap.name == "Simulated strap"
    assert treadmill.limits.speed_max_kmh == 20.0
    assert all(c.next_deadline() is None for c in clocks)


# -- treadmill: control point ------------------------------------------------------------


def test_connect_reports_connecting_then_connected() -> None:
    _, rec = make_treadmill()
    assert [s for _, s, _ in rec.links] == [LinkState.CONNECTING, LinkState.CONNECTED]
    assert all(role is Role.TREADMILL and t == 0.0 for role, _, t in rec.links)


def test_commands_need_control_first() -> None:
    tm, rec = make_treadmill()
    for op, value in [(ControlOp.SET_SPEED, 5.0), (ControlOp.START, None), (ControlOp.STOP, None)]:
        tm.submit(req(op, value), 0.0)
    tm.advance(1.0)
    assert [r for _, r, _ in rec.results] == [ControlResult.NOT_PERMITTED] * 3
    assert rec.statuses == []
    assert tm.belt_speed_kmh == 0.0 and not tm.running

    tm.submit(req(ControlOp.REQUEST_CONTROL), 1.0)
    tm.submit(req(ControlOp.SET_SPEED, 5.0), 1.0)
    tm.advance(2.0)
    assert [r for _, r, _ in rec.results[3:]] == [ControlResult.SUCCESS] * 2
    assert tm.has_control


def test_out_of_range_values_refused_and_values_snapped_to_step() -> None:
    tm, rec = make_treadmill()
    tm.submit(req(ControlOp.REQUEST_CONTROL), 0.0)
    for op, value in [
        (ControlOp.SET_SPEED, 25.0),
        (ControlOp.SET_SPEED, 0.5),
        (ControlOp.SET_SPEED, None),
        (ControlOp.SET_INCLINE, 16.0),
        (ControlOp.SET_INCLINE, -1.0),
    ]:
        tm.submit(req(op, value), 0.0)
    tm.advance(1.0)
    assert [r for _, r, _ in rec.results[1:]] == [ControlResult.INVALID_PARAMETER] * 5
    assert tm.target_speed_kmh == 0.0

    tm.submit(req(ControlOp.SET_SPEED, 10.04), 1.0)
    tm.submit(req(ControlOp.SET_INCLINE, 2.3), 1.0)
    tm.advance(2.0)
    assert tm.target_speed_kmh == 10.0
    assert rec.status_codes()[-2:] == [
        (StatusCode.TARGET_SPEED_CHANGED, 10.0),
        (StatusCode.TARGET_INCLINE_CHANGED, 2.5),
    ]


def test_result_arrives_after_latency_never_inside_submit() -> None:
    tm, rec = make_treadmill()
    tm.advance(0.0)
    tm.submit(req(ControlOp.REQUEST_CONTROL), 0.0)
    assert rec.results == []
    assert tm.next_deadline() == pytest.approx(LATENCY)
    tm.advance(0.04)
    assert rec.results == []
    tm.advance(0.5)
    assert rec.results == [(req(ControlOp.REQUEST_CONTROL), ControlResult.SUCCESS, LATENCY)]


def test_next_deadline_lets_a_virtual_runner_jump() -> None:
    tm, rec = make_treadmill()
    assert tm.next_deadline() == 0.0
    take_control_and_start(tm, 8.0, 0.0)
    seen: list[float] = []
    while (deadline := tm.next_deadline()) is not None and deadline <= 3.0:
        seen.append(deadline)
        tm.advance(deadline)
    assert seen == [0.0, LATENCY, 1.0, 2.0, 3.0]
    assert [d.t for d in rec.data] == [0.0, 1.0, 2.0, 3.0]


def test_advance_into_the_past_is_ignored() -> None:
    tm, rec = make_treadmill()
    take_control_and_start(tm, 10.0, 0.0)
    tm.advance(10.0)
    speed, n = tm.belt_speed_kmh, len(rec.data)
    tm.advance(5.0)
    assert tm.belt_speed_kmh == speed and len(rec.data) == n


# -- treadmill: belt physics and notifications ---------------------------------------------


def test_acceleration_takes_speed_difference_over_rate() -> None:
    tm, _ = make_treadmill()
    take_control_and_start(tm, 10.0, 0.0)
    tm.advance(LATENCY + 10.0)
    assert tm.belt_speed_kmh == pytest.approx(5.0)
    tm.advance(LATENCY + 19.9)
    assert tm.belt_speed_kmh < 10.0
    tm.advance(LATENCY + 20.0)  # 10 km/h / 0.5 km/h/s
    assert tm.belt_speed_kmh == pytest.approx(10.0)
    tm.advance(40.0)
    assert tm.belt_speed_kmh == 10.0


def test_distance_at_10_kmh_for_a_minute() -> None:
    tm, _ = make_treadmill()
    take_control_and_start(tm, 10.0, 0.0)
    tm.advance(30.0)
    d0 = tm.distance_m
    tm.advance(90.0)
    assert tm.distance_m - d0 == pytest.approx(1000 / 6, abs=0.01)


def test_distance_does_not_depend_on_step_size() -> None:
    fine, fine_rec = make_treadmill()
    coarse, coarse_rec = make_treadmill()
    for tm in (fine, coarse):
        take_control_and_start(tm, 10.0, 0.0)
    run(fine, 0.0, 91.0, 0.01)
    run(coarse, 0.0, 91.0, 7.0)
    assert fine.distance_m == pytest.approx(coarse.distance_m, abs=1e-6)
    # The ramp (20 s from LATENCY, 27.8 m) then the rest of the time at speed.
    ramp_m = 0.5 * 10 / 3.6 * 20
    at_speed_m = (91.0 - LATENCY - 20) * 10 / 3.6
    assert fine.distance_m == pytest.approx(ramp_m + at_speed_m, abs=1e-6)
    assert [d.t for d in fine_rec.data] == [d.t for d in coarse_rec.data]
    for a, b in zip(fine_rec.data, coarse_rec.data, strict=True):
        assert a.distance_m == pytest.approx(b.distance_m, abs=0.11)
        assert a.speed_kmh == pytest.approx(b.speed_kmh, abs=0.011)


def test_notifications_every_second_carry_their_own_time_and_state() -> None:
    tm, rec = make_treadmill()
    take_control_and_start(tm, 10.0, 0.0)
    tm.advance(5.5)  # one jump over six notification times
    assert [d.t for d in rec.data] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    for d in rec.data[1:]:
        expected = (d.t - LATENCY) * 0.5
        assert d.speed_kmh == pytest.approx(expected, abs=0.006)
        assert d.distance_m == pytest.approx(0.5 * expected * (d.t - LATENCY) / 3.6, abs=0.06)
    assert rec.data[0].speed_kmh == 0.0
    assert_time_ordered(rec)


def test_reported_values_are_rounded_like_the_spec_says() -> None:
    tm, rec = make_treadmill(response_latency_s=0.0123)
    take_control_and_start(tm, 10.0, 0.0)
    tm.submit(req(ControlOp.SET_INCLINE, 1.0), 0.0)
    run(tm, 0.0, 7.0, 0.5)
    for d in rec.data:
        assert d.speed_kmh is not None and d.distance_m is not None and d.incline_pct is not None
        assert d.speed_kmh == round(d.speed_kmh, 2)
        assert d.distance_m == round(d.distance_m, 1)
        assert d.incline_pct == round(d.incline_pct, 1)


def test_incline_moves_slowly_toward_its_target() -> None:
    tm, _ = make_treadmill()
    tm.submit(req(ControlOp.REQUEST_CONTROL), 0.0)
    tm.submit(req(ControlOp.SET_INCLINE, 3.0), 0.0)
    tm.advance(LATENCY + 10.0)
    assert tm.incline_pct == pytest.approx(1.0)
    tm.advance(60.0)
    assert tm.incline_pct == 3.0


# -- treadmill: start, stop, pause ---------------------------------------------------------


def test_speed_set_while_stopped_is_held_until_start() -> None:
    tm, rec = make_treadmill()
    tm.submit(req(ControlOp.REQUEST_CONTROL), 0.0)
    tm.submit(req(ControlOp.SET_SPEED, 8.0), 0.0)
    tm.advance(5.0)
    assert belt(tm) == (0.0, 8.0, False)
    tm.submit(req(ControlOp.START), 5.0)
    tm.advance(40.0)
    assert belt(tm) == (8.0, 8.0, True)
    assert rec.status_codes() == [
        (StatusCode.TARGET_SPEED_CHANGED, 8.0),
        (StatusCode.STARTED_OR_RESUMED_BY_USER, None),
    ]


def test_start_without_target_goes_to_start_speed() -> None:
    tm, _ = make_treadmill()
    tm.submit(req(ControlOp.REQUEST_CONTROL), 0.0)
    tm.submit(req(ControlOp.START), 0.0)
    tm.advance(10.0)
    assert tm.belt_speed_kmh == 1.0 and tm.target_speed_kmh == 1.0


def test_pause_keeps_the_target_and_stop_forgets_it() -> None:
    tm, rec = make_treadmill()
    take_control_and_start(tm, 6.0, 0.0)
    tm.advance(20.0)
    assert tm.belt_speed_kmh == 6.0

    tm.submit(req(ControlOp.PAUSE), 20.0)
    tm.advance(40.0)
    assert tm.belt_speed_kmh == 0.0 and tm.target_speed_kmh == 6.0
    assert rec.status_codes()[-1] == (StatusCode.STOPPED_OR_PAUSED_BY_USER, 2.0)

    tm.submit(req(ControlOp.START), 40.0)
    tm.advance(60.0)
    assert tm.belt_speed_kmh == 6.0

    tm.submit(req(ControlOp.STOP), 60.0)
    tm.advance(61.0)
    assert 0.0 < tm.belt_speed_kmh < 6.0  # decelerating, not an instant halt
    tm.advance(80.0)
    assert tm.belt_speed_kmh == 0.0 and tm.target_speed_kmh == 0.0
    assert rec.status_codes()[-1] == (StatusCode.STOPPED_OR_PAUSED_BY_USER, 1.0)

    tm.submit(req(ControlOp.START), 80.0)
    tm.advance(90.0)
    assert tm.belt_speed_kmh == 1.0  # the old 6 km/h was forgotten


def test_reset_stops_the_belt_and_releases_control() -> None:
    tm, rec = make_treadmill()
    take_control_and_start(tm, 6.0, 0.0)
    tm.advance(20.0)
    tm.submit(req(ControlOp.RESET), 20.0)
    tm.advance(21.0)
    assert rec.last_result() is ControlResult.SUCCESS
    assert rec.status_codes()[-1] == (StatusCode.RESET, None)
    assert not tm.has_control
    tm.submit(req(ControlOp.SET_SPEED, 5.0), 21.0)
    tm.advance(40.0)
    assert rec.last_result() is ControlResult.NOT_PERMITTED
    assert tm.belt_speed_kmh == 0.0


def test_revoked_control_is_announced() -> None:
    tm, rec = make_treadmill()
    tm.submit(req(ControlOp.REQUEST_CONTROL), 0.0)
    tm.advance(1.0)
    tm.revoke_control(2.0)
    assert rec.status_codes() == [(StatusCode.CONTROL_PERMISSION_LOST, None)]
    assert rec.statuses[0].t == 2.0
    tm.submit(req(ControlOp.START), 2.0)
    tm.advance(3.0)
    assert rec.last_result() is ControlResult.NOT_PERMITTED


# -- treadmill: the runner's console -------------------------------------------------------


def test_console_speed_change_is_announced_with_its_value() -> None:
    tm, rec = make_treadmill()
    take_control_and_start(tm, 6.0, 0.0)
    tm.advance(20.0)
    tm.console_set_speed(7.33, 20.5)
    assert rec.statuses[-1] == MachineStatus(20.5, StatusCode.TARGET_SPEED_CHANGED, 7.3)
    tm.console_set_speed(99.0, 21.0)  # clamped to the machine's top speed
    assert rec.statuses[-1].value == 20.0
    tm.console_set_incline(3.3, 21.0)
    assert rec.statuses[-1] == MachineStatus(21.0, StatusCode.TARGET_INCLINE_CHANGED, 3.5)
    tm.advance(60.0)
    assert tm.belt_speed_kmh == 20.0
    assert_time_ordered(rec)


def test_console_stop_pause_start() -> None:
    tm, rec = make_treadmill()
    tm.console_start(1.0)
    assert rec.status_codes()[-1] == (StatusCode.STARTED_OR_RESUMED_BY_USER, None)
    tm.console_set_speed(4.0, 2.0)
    tm.advance(20.0)
    assert tm.belt_speed_kmh == 4.0
    tm.console_pause(20.0)
    assert rec.status_codes()[-1] == (StatusCode.STOPPED_OR_PAUSED_BY_USER, 2.0)
    tm.advance(30.0)
    assert tm.belt_speed_kmh == 0.0 and tm.target_speed_kmh == 4.0
    tm.console_start(30.0)
    tm.advance(40.0)
    assert tm.belt_speed_kmh == 4.0
    tm.console_stop(40.0)
    assert rec.status_codes()[-1] == (StatusCode.STOPPED_OR_PAUSED_BY_USER, 1.0)
    tm.advance(50.0)
    assert tm.belt_speed_kmh == 0.0 and tm.target_speed_kmh == 0.0


def test_safety_key_stops_the_belt_and_blocks_start_until_reinserted() -> None:
    tm, rec = make_treadmill()
    take_control_and_start(tm, 10.0, 0.0)
    tm.advance(30.0)
    tm.pull_safety_key(30.0)
    assert rec.status_codes()[-1] == (StatusCode.STOPPED_BY_SAFETY_KEY, None)
    assert belt(tm)[2] is False
    assert key(tm) is False
    tm.advance(31.0)
    assert tm.belt_speed_kmh == pytest.approx(7.0)  # 3 km/h per second
    tm.advance(30.0 + 10 / 3 + 0.01)
    assert tm.belt_speed_kmh == 0.0

    tm.submit(req(ControlOp.START), 35.0)
    tm.console_start(35.0)
    tm.advance(36.0)
    assert rec.last_result() is ControlResult.FAILED
    assert tm.belt_speed_kmh == 0.0

    n_status = len(rec.statuses)
    tm.insert_safety_key(40.0)
    tm.advance(45.0)
    assert key(tm) is True
    assert tm.belt_speed_kmh == 0.0
    assert len(rec.statuses) == n_status

    tm.submit(req(ControlOp.START), 45.0)
    tm.advance(60.0)
    assert rec.last_result() is ControlResult.SUCCESS
    assert tm.belt_speed_kmh == 1.0  # the target went with the key


# -- treadmill: the link -------------------------------------------------------------------


def test_dropped_link_goes_silent_and_commands_time_out() -> None:
    tm, rec = make_treadmill()
    take_control_and_start(tm, 10.0, 0.0)
    tm.advance(30.0)
    tm.drop_link(30.5)
    assert rec.links[-1] == (Role.TREADMILL, LinkState.LOST, 30.5)
    n_data, d0 = len(rec.data), tm.distance_m

    tm.submit(req(ControlOp.SET_SPEED, 5.0), 31.0)
    tm.console_set_speed(12.0, 31.0)  # status lost over the air
    tm.advance(32.9)
    assert rec.results[-1][1] is ControlResult.SUCCESS  # nothing new yet
    tm.advance(40.0)
    assert rec.results[-1] == (req(ControlOp.SET_SPEED, 5.0), ControlResult.TIMEOUT, 33.0)
    assert len(rec.data) == n_data
    assert tm.distance_m > d0 + 25  # the belt kept running
    assert tm.target_speed_kmh == 12.0  # the timed-out command never reached the machine

    tm.restore_link(40.2)
    assert rec.links[-1] == (Role.TREADMILL, LinkState.CONNECTED, 40.2)
    tm.advance(43.0)
    assert [d.t for d in rec.data[n_data:]] == [41.0, 42.0, 43.0]
    assert not any(s.code == StatusCode.TARGET_SPEED_CHANGED and s.t > 30 for s in rec.statuses)
    assert_time_ordered(rec)


def test_command_in_flight_when_the_link_drops_times_out() -> None:
    tm, rec = make_treadmill()
    tm.submit(req(ControlOp.REQUEST_CONTROL), 1.0)
    tm.drop_link(1.01)
    tm.advance(5.0)
    assert rec.results == [(req(ControlOp.REQUEST_CONTROL), ControlResult.TIMEOUT, 3.0)]
    assert not tm.has_control


def test_listener_reacting_inside_a_callback_keeps_order() -> None:
    tm = SimulatedTreadmill()
    rec = Recorder()

    class Reactive(Recorder):
        def on_treadmill_data(self, data: TreadmillData) -> None:
            rec.on_treadmill_data(data)
            if data.t == 2.0:
                tm.submit(req(ControlOp.REQUEST_CONTROL), data.t)
                tm.console_set_speed(5.0, data.t)

        def on_machine_status(self, status: MachineStatus) -> None:
            rec.on_machine_status(status)

        def on_control_result(
            self, request: ControlRequest, result: ControlResult, t: float
        ) -> None:
            rec.on_control_result(request, result, t)

    tm.attach(Reactive())
    tm.connect(0.0)
    tm.advance(5.0)
    assert rec.statuses[0].t == 2.0
    assert rec.results[0][2] == pytest.approx(2.0 + LATENCY)
    assert_time_ordered(rec)


# -- strap -------------------------------------------------------------------------------


class Runner:
    """A mutable effort the strap polls, like the station's lambda."""

    def __init__(self) -> None:
        self.effort = Effort(0.0, 0.0, Direction.FORWARD)

    def __call__(self) -> Effort:
        return self.effort


def make_strap(seed: int = 1) -> tuple[SimulatedStrap, Recorder, Runner]:
    runner = Runner()
    strap = SimulatedStrap(runner, seed=seed)
    rec = Recorder()
    strap.attach(rec)
    strap.connect(0.0)
    return strap, rec, runner


def settle(strap: SimulatedStrap, start: float, seconds: float) -> float:
    run(strap, start, start + seconds, 1.0)
    return start + seconds


def test_strap_connects_and_notifies_every_second() -> None:
    strap, rec, _ = make_strap()
    assert [(r, s) for r, s, _ in rec.links] == [
        (Role.HRM, LinkState.CONNECTING),
        (Role.HRM, LinkState.CONNECTED),
    ]
    assert strap.next_deadline() == 0.0
    strap.advance(4.5)
    assert [h.t for h in rec.hr] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert all(h.contact and isinstance(h.bpm, int) for h in rec.hr)
    assert strap.next_deadline() == 5.0


def test_heart_rate_higher_running_than_walking() -> None:
    strap, _, runner = make_strap()
    runner.effort = Effort(5.0, 0.0, Direction.FORWARD)
    t = settle(strap, 0.0, 300)
    walking = strap.true_bpm
    runner.effort = Effort(10.0, 0.0, Direction.FORWARD)
    settle(strap, t, 300)
    running = strap.true_bpm
    assert 60 < walking < 100 < 140 < running < 190


def test_backward_costs_more_than_forward() -> None:
    fwd, _, fwd_runner = make_strap()
    back, _, back_runner = make_strap()
    fwd_runner.effort = Effort(8.0, 0.0, Direction.FORWARD)
    back_runner.effort = Effort(8.0, 0.0, Direction.BACKWARD)
    settle(fwd, 0.0, 300)
    settle(back, 0.0, 300)
    assert back.true_bpm > fwd.true_bpm + 15


def test_incline_raises_the_steady_state() -> None:
    strap, _, _ = make_strap()
    flat = strap.steady_state_bpm(Effort(5.0, 0.0, Direction.FORWARD))
    hill = strap.steady_state_bpm(Effort(5.0, 8.0, Direction.FORWARD))
    assert hill > flat + 20
    assert strap.steady_state_bpm(Effort(0.0, 10.0, Direction.BACKWARD)) == 60


def test_heart_rate_settles_within_three_minutes_and_falls_back_after() -> None:
    strap, rec, runner = make_strap()
    runner.effort = Effort(10.0, 0.0, Direction.FORWARD)
    steady = strap.steady_state_bpm(runner.effort)
    t = settle(strap, 0.0, 60)
    assert 60 < strap.true_bpm < steady - 10  # still climbing after a minute
    t = settle(strap, t, 120)
    assert strap.true_bpm == pytest.approx(steady, abs=2)
    reported = [h.bpm for h in rec.hr[-10:]]
    assert all(b is not None and abs(b - steady) <= 5 for b in reported)

    runner.effort = Effort(0.0, 0.0, Direction.FORWARD)
    t = settle(strap, t, 30)
    assert strap.true_bpm < steady - 20
    settle(strap, t, 300)
    assert strap.true_bpm < 65


def test_heart_rate_model_does_not_depend_on_step_size() -> None:
    fine, _, fine_runner = make_strap()
    coarse, _, coarse_runner = make_strap()
    for r in (fine_runner, coarse_runner):
        r.effort = Effort(9.0, 1.0, Direction.BACKWARD)
    run(fine, 0.0, 70.0, 0.1)
    run(coarse, 0.0, 70.0, 7.0)
    assert fine.true_bpm == pytest.approx(coarse.true_bpm, abs=1e-6)


def test_contact_loss_reports_no_bpm() -> None:
    strap, rec, _ = make_strap()
    strap.advance(3.0)
    strap.remove_contact(3.5)
    strap.advance(6.0)
    off = [h for h in rec.hr if 3.5 < h.t <= 6.0]
    assert [h.t for h in off] == [4.0, 5.0, 6.0]
    assert all(h.bpm is None and h.contact is False and h.rr_s == () for h in off)
    strap.restore_contact(6.5)
    strap.advance(8.0)
    assert all(isinstance(h.bpm, int) and h.contact for h in rec.hr if h.t > 6.5)


def test_strap_link_drop_goes_silent() -> None:
    strap, rec, _ = make_strap()
    strap.advance(3.0)
    strap.drop_link(3.2)
    assert rec.links[-1] == (Role.HRM, LinkState.LOST, 3.2)
    n = len(rec.hr)
    strap.advance(10.0)
    assert len(rec.hr) == n
    assert strap.next_deadline() is None
    strap.restore_link(10.5)
    assert rec.links[-1] == (Role.HRM, LinkState.CONNECTED, 10.5)
    strap.advance(12.0)
    assert [h.t for h in rec.hr[n:]] == [11.0, 12.0]
    assert_time_ordered(rec)


def test_rr_intervals_match_the_heart_rate() -> None:
    strap, rec, runner = make_strap()
    runner.effort = Effort(10.0, 0.0, Direction.FORWARD)
    settle(strap, 0.0, 240)
    tail = rec.hr[-30:]
    rr = [x for h in tail for x in h.rr_s]
    for x in rr:
        assert x * 1024 == pytest.approx(round(x * 1024), abs=1e-6)  # 1/1024 s units
    bpms = [h.bpm for h in tail if h.bpm is not None]
    mean_bpm = sum(bpms) / len(bpms)
    assert 60 / (sum(rr) / len(rr)) == pytest.approx(mean_bpm, abs=2)
    # The beats since the last notification cover about one second each time.
    assert sum(rr) == pytest.approx(30.0, abs=0.6)
    for h in tail:
        assert h.bpm is not None
        assert math.floor(h.bpm / 60) - 1 <= len(h.rr_s) <= math.ceil(h.bpm / 60) + 1


def test_forced_bpm_is_reported_exactly() -> None:
    strap, rec, _ = make_strap()
    strap.force_bpm(185)
    settle(strap, 0.0, 20)
    forced = rec.hr[-10:]
    assert all(h.bpm == 185 for h in forced)
    rr = [x for h in forced for x in h.rr_s]
    assert 60 / (sum(rr) / len(rr)) == pytest.approx(185, abs=1)
    assert strap.true_bpm < 65  # the model itself is still at rest
    strap.force_bpm(None)
    settle(strap, 20.0, 5)
    assert all(h.bpm is not None and h.bpm < 70 for h in rec.hr[-3:])


def trace(seed: int, effort: Callable[[float], Effort]) -> list[HeartRateData]:
    strap, rec, runner = make_strap(seed)
    for i in range(1, 121):
        runner.effort = effort(i)
        strap.advance(float(i))
    return rec.hr


def test_same_seed_same_values() -> None:
    def ramp(t: float) -> Effort:
        return Effort(min(t / 10, 9.0), 0.0, Direction.BACKWARD)

    assert trace(7, ramp) == trace(7, ramp)
    assert [h.bpm for h in trace(7, ramp)] != [h.bpm for h in trace(8, ramp)]
