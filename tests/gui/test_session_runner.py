"""The session runner: a station driven from the Qt event loop on an accelerated clock
behaves as the headless runs do (same safety, same end), and the screens get every event
in order without re-entering the station."""

from __future__ import annotations

import time

from pytestqt.qtbot import QtBot
from support import step, workout

from retrocoach.coach.audit import audit
from retrocoach.coach.events import Event, PhaseChange, SessionEnd, UserEvent
from retrocoach.gui.session_runner import ScaledClock, SessionRunner
from retrocoach.station import simulated_station
from retrocoach.workouts.model import Direction
from retrocoach.workouts.profile import RunnerProfile

SHORT = workout(
    step(Direction.BACKWARD, seconds=60),
    step(Direction.FORWARD, seconds=60),
    name="short",
)


def make_runner(speedup: float = 300.0) -> tuple[SessionRunner, list[Event]]:
    clock = ScaledClock(speedup)
    station = simulated_station(SHORT, RunnerProfile(), now=clock.now())
    runner = SessionRunner(station, clock)
    seen: list[Event] = []
    runner.happened.connect(seen.append)
    return runner, seen


def test_a_whole_session_runs_to_its_end_and_passes_the_safety_audit(qtbot: QtBot) -> None:
    runner, seen = make_runner()
    ended: list[SessionEnd] = []
    runner.ended.connect(ended.append)
    runner.begin()
    runner.start()
    qtbot.waitUntil(lambda: bool(ended), timeout=10_000)
    assert ended[0].reason == "completed"
    assert seen[-1] is ended[0]
    times = [e.t for e in seen]
    assert times == sorted(times), "events reached the screen out of order"
    assert audit([e.record() for e in seen]) == []


def test_the_clock_is_kept_by_deadlines_not_by_waiting_for_the_screen(qtbot: QtBot) -> None:
    # At 300x, two minutes of workout (plus turn-around and ramps) take well under
    # the 10 s a polling driver at 10 Hz would need for every countdown tick.
    runner, seen = make_runner(300.0)
    runner.begin()
    runner.start()
    begun = time.monotonic()
    qtbot.waitUntil(lambda: runner.engine_finished, timeout=10_000)
    virtual = seen[-1].t
    real = time.monotonic() - begun
    assert virtual / real > 30  # a tenth of the speed-up at worst, on a busy machine


def test_a_listener_that_pauses_on_an_event_does_not_reenter_the_station(qtbot: QtBot) -> None:
    runner, seen = make_runner(100.0)
    paused: list[bool] = []

    def pause_on_turn(event: Event) -> None:
        if isinstance(event, PhaseChange) and event.phase == "turn" and not paused:
            paused.append(True)
            runner.pause()

    runner.happened.connect(pause_on_turn)
    runner.begin()
    runner.start()
    qtbot.waitUntil(lambda: bool(paused), timeout=10_000)
    qtbot.waitUntil(
        lambda: any(isinstance(e, UserEvent) and e.action == "pause" for e in seen),
        timeout=2_000,
    )
    assert runner.snapshot().state.value == "paused"
    runner.stop()
    qtbot.waitUntil(lambda: runner.engine_finished, timeout=10_000)
    assert audit([e.record() for e in seen]) == []


def test_halt_stops_the_clock(qtbot: QtBot) -> None:
    runner, seen = make_runner(300.0)
    runner.begin()
    runner.start()
    qtbot.wait(50)
    runner.halt()
    count = len(seen)
    qtbot.wait(300)
    assert len(seen) == count


def test_a_runner_put_away_with_events_still_to_send_is_never_called(qtbot: QtBot) -> None:
    # A device's news that arrives on its own (a Bluetooth reading, a link lost) is sent
    # out on the loop's next turn; a runner deleted before then (a session put away, a
    # gym room closed) must not be called then: that crashed the process.
    import shiboken6

    from retrocoach.devices.simulator import SimulatedTreadmill
    from retrocoach.gui.session_runner import ManualClock

    clock = ManualClock()
    station = simulated_station(
        workout(step("backward", "walk", seconds=60)), RunnerProfile(), now=0.0
    )
    runner = SessionRunner(station, clock)
    runner.begin()
    runner.start()
    clock.set(5.0)
    runner.catch_up()
    seen: list[Event] = []
    runner.happened.connect(seen.append)
    treadmill = station.treadmill
    assert isinstance(treadmill, SimulatedTreadmill)
    treadmill.drop_link(5.0)  # news from outside any call of the runner's
    runner.halt()
    shiboken6.delete(runner)
    qtbot.wait(20)  # the loop turns: nothing is sent, nothing crashes
    assert seen == []
