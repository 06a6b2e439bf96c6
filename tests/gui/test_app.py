"""The whole app, clicked through as a person would: first run, devices, a workout, a
session from start to finish on the simulators, and the keys that must always work.

The session's clock is moved by the test (a quarter second at a time) so every short
moment of a session (a countdown digit, a turn-around) is on screen when looked at; the
runner, the station and the screens are the real ones.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from app_driver import TICK_S, App, shown_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from support import step, workout

from retrocoach.coach.audit import audit
from retrocoach.coach.events import Command, SessionEnd, UserEvent
from retrocoach.devices.simulator import SimulatedTreadmill
from retrocoach.gui.device_hub import DeviceHub
from retrocoach.gui.first_run import FirstRunDialog
from retrocoach.gui.main_window import PAGES
from retrocoach.userdata import UserData
from retrocoach.workouts.model import Direction
from retrocoach.workouts.profile import RunnerProfile

SHORT = workout(
    step(Direction.BACKWARD, "walk", seconds=40),
    step(Direction.FORWARD, "run", seconds=40),
    name="gui-short",
)


@pytest.fixture
def app(qtbot: QtBot, user_data: UserData, hub: DeviceHub) -> Iterator[App]:
    with shown_window(user_data, hub) as window:
        yield App(window, qtbot)


@pytest.fixture
def ready_app(app: App, user_data: UserData) -> App:
    """Past the first run, with the simulators chosen."""
    user_data.save_profile(RunnerProfile())
    app.window.profile = RunnerProfile()
    app.window.hub.use_simulators()
    return app


def test_first_run_to_the_end_of_a_session(app: App, user_data: UserData, qtbot: QtBot) -> None:
    window = app.window
    user_data.save_workout(SHORT)

    # First run: the profile, with its defaults.
    window.startup()
    dialog = window.findChild(FirstRunDialog)
    assert dialog is not None and dialog.isVisible()
    app.click(dialog.continue_button)
    assert user_data.has_profile()
    assert window.current_page() == "devices"

    # No hardware here: the simulators in one click, then on to the workouts.
    devices = window.devices_page
    app.click(devices.simulator_button)
    app.click(devices.continue_button)
    assert window.current_page() == "workouts"

    # Pick the workout and use it: the session screen, ready, the belt standing.
    assert window.picker.select("gui-short")
    app.click(window.picker.findChild(QPushButton, "useButton"))
    assert window.current_page() == "session"
    assert app.shown()["phaseText"] == "READY"
    assert app.shown()["directionWord"] == "BACKWARD"  # what the first segment will be
    assert not app.treadmill.running

    page = window.session_page
    app.click(page.findChild(QPushButton, "startButton"))
    seen: list[tuple[str, str]] = []

    def look() -> None:
        shown = app.shown()
        pair = (shown["directionWord"], shown["phaseText"])
        if not seen or seen[-1] != pair:
            seen.append(pair)

    app.advance_until(lambda: app.shown()["phaseText"] == "WALK", 30, look)
    phases = [phase for _, phase in seen]
    for digit in ("3", "2", "1"):
        assert any(digit == p or p.endswith(digit) for p in phases), phases
    assert app.treadmill.running

    # Time left counts down, and what comes next is said.
    before = app.shown()["timeLeft"]
    app.advance(3.0)
    assert app.shown()["timeLeft"] != before
    assert "FORWARD" in app.shown()["nextUp"]

    # Space pauses (the segment's clock stops), Space again resumes.
    app.key(Qt.Key.Key_Space)
    assert any(isinstance(e, UserEvent) and e.action == "pause" for e in app.events)
    app.advance(6.0)
    frozen = app.shown()["timeLeft"]
    app.advance(3.0)
    assert app.shown()["timeLeft"] == frozen
    assert app.shown()["pauseButton"].upper().startswith("RESUME")
    app.key(Qt.Key.Key_Space)
    assert any(isinstance(e, UserEvent) and e.action == "resume" for e in app.events)

    # The turn-around, into the forward segment, to the end.
    app.advance_until(lambda: app.runner.engine_finished, 400, look)
    words = [word for word, _ in seen]
    turn_at = next(i for i, (_, phase) in enumerate(seen) if "TURN" in phase)
    assert "FORWARD" in words[turn_at:]
    assert words.index("BACKWARD") < turn_at
    end = next(e for e in app.events if isinstance(e, SessionEnd))
    assert end.reason == "completed"
    assert audit([e.record() for e in app.events]) == []

    # The summary, then back to the workouts.
    qtbot.waitUntil(lambda: app.shown()["summary"] != "", timeout=2000)
    summary = app.shown()["summary"]
    assert "Session complete" in summary and "backward 0:40" in summary
    assert app.shown()["directionWord"] == "DONE"
    app.click(page.findChild(QPushButton, "doneButton"))
    assert window.current_page() == "workouts"
    assert window.runner is None


@pytest.mark.parametrize("where", [*PAGES, "dialog"])
def test_escape_stops_the_belt_from_every_screen(ready_app: App, where: str) -> None:
    app = ready_app
    app.ready_session(SHORT)
    app.runner.start()
    app.advance_until(lambda: app.treadmill.belt_speed_kmh > 1.0, 60)
    if where == "dialog":
        box = QMessageBox(
            QMessageBox.Icon.Information, "Hello", "A dialog is open", parent=app.window
        )
        box.open()
        box.setFocus()
        assert box.isVisible()
    else:
        app.window.show_page(where)
        app.window.activateWindow()
    app.key(Qt.Key.Key_Escape)
    assert any(isinstance(e, UserEvent) and e.action == "emergency_stop" for e in app.events)
    assert any(isinstance(e, Command) and e.op == "stop" for e in app.events)
    app.advance_until(lambda: app.runner.engine_finished, 60)
    assert app.treadmill.belt_speed_kmh == 0.0
    assert app.window.current_page() == "session"
    assert app.shown()["directionWord"] == "STOPPED"


def test_arrow_keys_change_the_speed_and_f11_toggles_full_screen(ready_app: App) -> None:
    app = ready_app
    app.ready_session(SHORT)
    app.runner.start()
    app.advance_until(lambda: app.shown()["phaseText"] in ("WALK", "RUN"), 30)
    app.advance(8.0)  # ramped and steady
    app.key(Qt.Key.Key_Up)
    assert any(isinstance(e, UserEvent) and e.action == "speed_up" for e in app.events)
    app.key(Qt.Key.Key_Down)
    assert any(isinstance(e, UserEvent) and e.action == "speed_down" for e in app.events)
    assert not app.window.isFullScreen()
    app.key(Qt.Key.Key_F11)
    assert app.window.isFullScreen()
    app.key(Qt.Key.Key_F11)
    assert not app.window.isFullScreen()


def test_a_device_lost_mid_session_shows_a_banner_and_the_session_goes_on(ready_app: App) -> None:
    app = ready_app
    app.ready_session(SHORT)
    app.runner.start()
    app.advance_until(lambda: app.shown()["phaseText"] in ("WALK", "RUN"), 30)
    app.advance(5.0)
    app.treadmill.drop_link(app.clock.now())
    app.advance_until(lambda: app.shown()["deviceBanner"] != "", 15)
    assert "readmill" in app.shown()["deviceBanner"]
    left = app.shown()["timeLeft"]
    app.advance(4.0)
    assert app.shown()["timeLeft"] != left, "the session stopped counting"
    app.treadmill.restore_link(app.clock.now())
    app.advance_until(lambda: app.shown()["deviceBanner"] == "", 20)
    app.advance_until(lambda: app.runner.engine_finished, 400)
    end = next(e for e in app.events if isinstance(e, SessionEnd))
    assert end.reason == "completed"


def test_closing_during_a_session_asks_then_stops_the_belt(
    ready_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = ready_app
    app.ready_session(SHORT)
    app.runner.start()
    app.advance_until(lambda: app.treadmill.belt_speed_kmh > 1.0, 60)
    asked: list[str] = []

    def answer(answer: QMessageBox.StandardButton) -> Callable[..., QMessageBox.StandardButton]:
        def ask(_parent: QWidget, _title: str, text: str, *_: object) -> QMessageBox.StandardButton:
            asked.append(text)
            return answer

        return ask

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    app.window.close()
    assert asked and app.window.isVisible()
    assert not any(isinstance(e, Command) and e.op == "stop" for e in app.events)

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    runner, treadmill = app.runner, app.treadmill
    app.window.close()
    assert app.window.isVisible(), "closed before the belt stopped"
    assert any(isinstance(e, Command) and e.op == "stop" for e in app.events)
    for _ in range(240):  # a minute of session time at most
        if not app.window.isVisible():
            break
        app.clock.set(app.clock.now() + TICK_S)
        runner.catch_up()
    assert not app.window.isVisible()
    assert treadmill.belt_speed_kmh == 0.0


def test_a_completed_plan_session_is_marked_done(ready_app: App, user_data: UserData) -> None:
    from retrocoach.workouts.progression import PROGRESSION

    app = ready_app
    first = PROGRESSION.sessions()[0]
    app.window.show_page("plan")
    app.click(app.window.plan_page.start_next_button)
    assert app.window.workout == first
    app.runner.start()
    app.advance_until(lambda: app.runner.engine_finished, 3600)
    assert first.name in user_data.progress()
    assert app.window.plan_page.next_session() == PROGRESSION.sessions()[1]


def test_a_workout_this_treadmill_cannot_run_safely_is_refused(
    ready_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = ready_app
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: told.append(str(a[2])))
    # A profile whose backward cap is below the machine's slowest speed.
    app.window.profile = RunnerProfile(backward_max_kmh=1.0, turn_speed_kmh=1.0)
    from retrocoach.gui import device_hub

    monkeypatch.setattr(
        device_hub,
        "simulated_station",
        _with_treadmill(SimulatedTreadmill(limits=_limits(speed_min_kmh=2.0))),
    )
    assert not app.window.prepare_session(SHORT)
    assert told and "cannot run" in told[0]
    assert app.window.runner is None


def _limits(**changes: float) -> object:
    from dataclasses import replace

    from retrocoach.devices.ports import MachineLimits

    return replace(MachineLimits(), **changes)


def _with_treadmill(treadmill: SimulatedTreadmill) -> Callable[..., object]:
    from retrocoach.station import simulated_station

    def make(*args: object, **kwargs: object) -> object:
        return simulated_station(*args, treadmill=treadmill, **kwargs)  # type: ignore[arg-type]

    return make


def test_retrocoach_alone_opens_the_app_and_sigint_closes_it(tmp_path: Path) -> None:
    config = tmp_path / "config"
    UserData(config / "retrocoach").save_profile(RunnerProfile())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(config))
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    process = subprocess.Popen(
        [sys.executable, "-m", "retrocoach"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(3.0)
        assert process.poll() is None, process.communicate()[1]
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err
