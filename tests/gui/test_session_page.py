"""The session page, driven by a real SessionRunner on the simulators.

Time is a clock the test moves (in quarter seconds of session time): every step waits for
the runner's own tick, then reads what the page shows, so short-lived moments (a countdown
digit, a turn-around) are seen whatever the machine's load.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from support import repeat, step, workout

from retrocoach.coach.engine import EngineState
from retrocoach.coach.events import EndReason, SessionEnd
from retrocoach.devices.simulator import SimulatedTreadmill
from retrocoach.gui.session_page import SessionPage
from retrocoach.gui.session_runner import SessionRunner
from retrocoach.station import simulated_station
from retrocoach.workouts.model import Workout
from retrocoach.workouts.profile import RunnerProfile, Units

Frame = dict[str, str]


class ManualClock:
    """Session time that moves only when the test says; a high speed-up so the runner
    ticks soon after each move."""

    speedup = 1000.0
    follows_real_time = False

    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t


@dataclass
class Drive:
    qtbot: QtBot
    page: SessionPage
    runner: SessionRunner
    clock: ManualClock
    frames: list[Frame] = field(default_factory=list)

    @property
    def state(self) -> EngineState:
        return self.runner.station.engine.state

    @property
    def treadmill(self) -> SimulatedTreadmill:
        belt = self.runner.station.treadmill
        assert isinstance(belt, SimulatedTreadmill)
        return belt

    def tick(self, seconds: float = 0.25) -> Frame:
        with self.qtbot.waitSignal(self.runner.refreshed, timeout=2000):
            self.clock.t += seconds
        frame = self.page.shown()
        self.frames.append(frame)
        return frame

    def until(self, done: Callable[[Frame], bool], limit_s: float = 600.0) -> Frame:
        start = self.clock.t
        while self.clock.t - start < limit_s:
            frame = self.tick()
            if done(frame):
                return frame
        raise AssertionError(f"not seen within {limit_s} s; last: {self.frames[-1]}")


@pytest.fixture
def drive(qtbot: QtBot) -> Iterator[Callable[..., Drive]]:
    runners: list[SessionRunner] = []

    def make(w: Workout, profile: RunnerProfile | None = None, *, start: bool = True) -> Drive:
        profile = profile or RunnerProfile()
        clock = ManualClock()
        station = simulated_station(w, profile, now=clock.now(), sinks=[])
        runner = SessionRunner(station, clock)
        runners.append(runner)
        page = SessionPage()
        qtbot.addWidget(page)
        page.resize(1366, 768)
        page.show()
        page.bind(runner, profile)
        runner.begin()
        d = Drive(qtbot, page, runner, clock)
        if start:
            d.tick()
            qtbot.mouseClick(page.start_button, _LEFT)
        return d

    yield make
    for runner in runners:
        runner.halt()


_LEFT = Qt.MouseButton.LeftButton


def seconds(text: str) -> int:
    match = re.fullmatch(r"(\d+):(\d\d)", text)
    assert match, f"not a time: {text!r}"
    return int(match[1]) * 60 + int(match[2])


BACK_THEN_FORTH = workout(
    step("backward", "walk", seconds=30), step("forward", "walk", seconds=30, kmh=5.0)
)


def test_before_the_start_it_says_ready_and_what_comes_first(drive: Callable[..., Drive]) -> None:
    d = drive(BACK_THEN_FORTH, start=False)
    frame = d.tick()
    assert frame["directionWord"] == "BACKWARD"
    assert frame["phaseText"] == "READY"
    assert frame["timeLeft"] == "0:30"
    assert "First: BACKWARD walk" in frame["nextUp"]
    assert d.page.start_button.isVisible()
    assert not d.page.pause_button.isVisible()
    assert d.state is EngineState.IDLE  # nothing moves until START


def test_countdown_digits_then_the_backward_segment(drive: Callable[..., Drive]) -> None:
    d = drive(BACK_THEN_FORTH)
    d.until(lambda f: f["phaseText"] == "WALK")
    phases = [f["phaseText"] for f in d.frames]
    digits = [p for i, p in enumerate(phases) if p.isdigit() and (i == 0 or phases[i - 1] != p)]
    assert digits == ["3", "2", "1"]
    assert d.frames[-1]["directionWord"] == "BACKWARD"
    assert d.page.indicator.property("direction") == "backward"
    assert d.treadmill.belt_speed_kmh > 0


def test_turn_around_shows_the_direction_turned_into_then_forward(
    drive: Callable[..., Drive],
) -> None:
    d = drive(BACK_THEN_FORTH)
    d.until(lambda f: f["directionWord"] == "FORWARD" and f["phaseText"] == "WALK")
    turn = [f for f in d.frames if f["phaseText"] == "TURN AROUND"]
    assert turn, "the turn-around was never shown"
    assert {f["directionWord"] for f in turn} == {"FORWARD"}
    first_turn = d.frames.index(turn[0])
    assert any(
        f["directionWord"] == "BACKWARD" and f["phaseText"] == "WALK" for f in d.frames[:first_turn]
    )
    assert d.page.indicator.property("direction") == "forward"


def test_the_band_is_the_turn_around_while_turning(drive: Callable[..., Drive]) -> None:
    d = drive(BACK_THEN_FORTH)
    d.until(lambda f: f["phaseText"] == "TURN AROUND")
    assert d.page.indicator.turning
    assert d.page.indicator.property("direction") == "turn"
    assert d.frames[-1]["nextUp"].startswith("Coming: FORWARD walk")


def test_time_left_goes_down_and_next_up_says_what_and_when(
    drive: Callable[..., Drive],
) -> None:
    d = drive(BACK_THEN_FORTH)
    first = d.until(lambda f: f["phaseText"] == "WALK")
    for _ in range(12):
        later = d.tick()
    assert seconds(later["timeLeft"]) < seconds(first["timeLeft"])
    assert later["timeLeftCaption"] == "LEFT IN SEGMENT"
    assert later["nextUp"] == (
        f"Next: turn around, then FORWARD walk 5.0 km/h in {later['timeLeft']}"
    )
    assert later["speedTarget"] == "target 3.5 km/h"  # 5.0 walk x 0.70 backward


def test_distance_segment_counts_metres_down(drive: Callable[..., Drive]) -> None:
    d = drive(workout(step("forward", "walk", metres=200)))
    first = d.until(lambda f: f["phaseText"] == "WALK")
    for _ in range(20):
        later = d.tick()
    assert first["timeLeft"].endswith(" m") and later["timeLeft"].endswith(" m")
    assert float(later["timeLeft"][:-2]) < float(first["timeLeft"][:-2])
    assert later["nextUp"].startswith("Last segment: the end in ")


def test_speeds_in_the_runners_units(drive: Callable[..., Drive]) -> None:
    d = drive(BACK_THEN_FORTH, RunnerProfile(units=Units.MPH))
    frame = d.until(lambda f: f["phaseText"] == "WALK")
    assert frame["speedNow"].endswith(" mph")
    assert frame["speedTarget"] == "target 2.2 mph"
    assert frame["distance"].endswith(" mi")


def test_heart_rate_with_its_zone(drive: Callable[..., Drive]) -> None:
    d = drive(BACK_THEN_FORTH)
    frame = d.until(lambda f: f["heartRate"].endswith(" bpm"))
    bpm = int(frame["heartRate"].split()[0])
    assert bpm > 0
    assert frame["hrZone"] == "below Z1" or re.fullmatch(r"Z[1-5] \w+.*", frame["hrZone"])


def test_lost_treadmill_shows_a_banner_and_the_session_goes_on(
    drive: Callable[..., Drive],
) -> None:
    d = drive(workout(step("forward", "walk", seconds=120)))
    d.until(lambda f: f["phaseText"] == "WALK")
    assert d.frames[-1]["deviceBanner"] == ""
    d.treadmill.drop_link(d.clock.t)
    lost = d.until(lambda f: f["deviceBanner"] != "", limit_s=5)
    assert "Treadmill connection lost" in lost["deviceBanner"]
    assert "treadmill's own STOP" in lost["deviceBanner"]
    for _ in range(8):
        d.tick()
    assert d.state is EngineState.RUNNING
    d.treadmill.restore_link(d.clock.t)
    back = d.until(lambda f: f["deviceBanner"] == "", limit_s=5)
    assert d.state is EngineState.RUNNING
    for _ in range(8):
        later = d.tick()
    assert seconds(later["timeLeft"]) < seconds(back["timeLeft"])  # still counting


def test_safety_key_explains_the_stop_and_pauses(drive: Callable[..., Drive]) -> None:
    d = drive(workout(step("forward", "walk", seconds=120)))
    d.until(lambda f: f["phaseText"] == "WALK")
    d.treadmill.pull_safety_key(d.clock.t)
    frame = d.until(lambda f: f["machineBanner"] != "", limit_s=5)
    assert frame["machineBanner"].startswith("Safety key pulled: the belt stopped.")
    assert d.page.machine_banner.property("severity") == "stop"
    assert frame["phaseText"] == "PAUSED"
    assert frame["pauseButton"] == "RESUME"
    assert d.state is EngineState.PAUSED
    assert not d.page.skip_button.isEnabled()


def test_pause_and_resume_follow_one_button(drive: Callable[..., Drive]) -> None:
    d = drive(workout(step("forward", "walk", seconds=120)))
    d.until(lambda f: f["phaseText"] == "WALK")
    d.page.toggle_pause()
    paused = d.tick()
    assert (paused["phaseText"], paused["pauseButton"]) == ("PAUSED", "RESUME")
    frozen = paused["timeLeft"]
    for _ in range(8):
        assert d.tick()["timeLeft"] == frozen  # the segment clock stands still
    d.qtbot.mouseClick(d.page.pause_button, _LEFT)
    resumed = d.tick()
    assert resumed["pauseButton"] == "PAUSE"
    assert d.state is EngineState.RUNNING


def test_finished_summary_replaces_the_controls(drive: Callable[..., Drive]) -> None:
    d = drive(
        workout(
            repeat(2, step("backward", "walk", seconds=10), step("forward", "walk", seconds=10))
        )
    )
    ended: list[SessionEnd] = []
    d.runner.ended.connect(ended.append)
    d.until(lambda f: f["summary"] != "", limit_s=300)
    summary = d.frames[-1]["summary"]
    assert ended and ended[0].reason is EndReason.COMPLETED
    assert summary.startswith("Session complete")
    assert "backward" in summary and "Time " in summary
    assert d.frames[-1]["phaseText"] == "FINISHED"
    assert d.page.bottom.currentWidget() is not d.page.controls
    with d.qtbot.waitSignal(d.page.done, timeout=1000):
        d.qtbot.mouseClick(d.page.done_button, _LEFT)


def test_emergency_stop_ends_the_session_with_its_reason(drive: Callable[..., Drive]) -> None:
    d = drive(workout(step("forward", "run", seconds=120)))
    d.until(lambda f: f["phaseText"] == "RUN")
    d.qtbot.mouseClick(d.page.stop_button, _LEFT)
    d.until(lambda f: f["summary"] != "", limit_s=60)
    assert d.frames[-1]["summary"].startswith("Emergency stop")
    assert d.treadmill.belt_speed_kmh == 0


def test_unbound_page_shows_no_session(drive: Callable[..., Drive]) -> None:
    d = drive(BACK_THEN_FORTH)
    d.tick()
    d.page.unbind()
    frame = d.tick()
    assert frame["directionWord"] == "NO SESSION"
    assert not d.page.stop_button.isEnabled()
