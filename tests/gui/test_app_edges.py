"""Review findings for the desktop app: each test shows one bug (it fails on the code as
reviewed). Run: QT_QPA_PLATFORM=offscreen .venv/bin/pytest -q -p no:cacheprovider
tests/gui/test_review_findings.py"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_driver import App, QuietTreadmill, quiet, shown_window
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from support import step, workout

from retrocoach.coach.engine import EngineState
from retrocoach.coach.events import Command, SessionEnd, UserEvent
from retrocoach.devices.ble_strap import BleHeartRateStrap
from retrocoach.devices.ble_treadmill import BleTreadmill
from retrocoach.devices.memory import DeviceMemory, RememberedDevice
from retrocoach.devices.ports import LinkState, Role, TreadmillData
from retrocoach.gui.device_hub import DeviceHub, DevicesInUse
from retrocoach.userdata import UserData
from retrocoach.workouts.model import Direction
from retrocoach.workouts.profile import RunnerProfile
from retrocoach.workouts.progression import PROGRESSION

SHORT = workout(
    step(Direction.BACKWARD, "walk", seconds=40),
    step(Direction.FORWARD, "run", seconds=40),
    name="gui-short",
)


@pytest.fixture
def qhub(tmp_path: Path) -> Iterator[DeviceHub]:
    devices = DeviceHub(DeviceMemory(tmp_path / "devices.toml"), link_factory=quiet)
    yield devices
    devices.close()


@pytest.fixture
def app(qtbot: QtBot, user_data: UserData, qhub: DeviceHub) -> Iterator[App]:
    user_data.save_profile(RunnerProfile())
    with shown_window(user_data, qhub) as window:
        yield App(window)


def bluetooth_treadmill(hub: DeviceHub) -> None:
    hub.use_bluetooth(Role.TREADMILL, "AA:BB:CC:DD:EE:01", "Horizon")
    hub.on_link_state(Role.TREADMILL, LinkState.CONNECTED, time.monotonic())
    hub.use_none(Role.HRM)


# --------------------------------------------------------------------- safety


@pytest.mark.parametrize("button", ["simulatorButton", "forgetButton"])
def test_a_device_choice_mid_session_must_not_cut_the_link_the_stop_needs(
    app: App, button: str
) -> None:
    """A Bluetooth session runs; on the Devices page (reachable at any time) the person
    presses "Use the simulated treadmill and strap" or "Forget this device". The hub
    closes the running treadmill's link under the station: the STOP/Esc that follows is
    queued on a closed client whose command worker is cancelled, so it never goes out."""
    window = app.window
    bluetooth_treadmill(window.hub)
    assert window.prepare_session(SHORT)
    treadmill = app.runner.station.treadmill
    assert isinstance(treadmill, QuietTreadmill)
    window.session_page.start()
    assert window.session_active

    window.show_page("devices")
    target = window.devices_page.findChild(QPushButton, button)
    assert target is not None
    target.click()
    window.emergency_stop()
    assert any(isinstance(e, Command) and e.op == "stop" for e in app.events)
    assert not treadmill.closed, "the stop went to a treadmill whose link was closed"


def test_connecting_a_bluetooth_treadmill_mid_session_does_not_drive_the_session(
    app: App,
) -> None:
    """A simulated session runs; the person connects a Bluetooth treadmill on the Devices
    page. The hub relays that device's link state (stamped with time.monotonic()) to
    the simulated station, whose engine jumps to that time: the session is over at once
    (or, with a Bluetooth session, readings of another belt drive it)."""
    window = app.window
    window.hub.use_simulators()
    assert window.prepare_session(SHORT)
    window.session_page.start()
    app.advance(5.0)
    engine = app.runner.station.engine
    before = engine.now

    with pytest.raises(DevicesInUse):  # the devices stay as they are during a session
        window.hub.use_bluetooth(Role.TREADMILL, "AA:BB:CC:DD:EE:09", "Gym treadmill")
    assert not window.devices_page.isEnabled()
    # And a device that is not the station's is never relayed to it.
    stranger = QuietTreadmill("AA:BB:CC:DD:EE:09", name="Gym treadmill")
    stranger.attach(window.hub)
    stranger.report_state(LinkState.CONNECTING)
    app.runner.catch_up()
    assert engine.now - before < 1.0, f"the session jumped {engine.now - before:.0f} s"
    assert engine.state is EngineState.RUNNING


# ---------------------------------------------------------------- correctness


def test_a_stale_treadmill_at_preparation_is_shown_on_the_session_page(app: App) -> None:
    """make_station tells the new station the links' states before the runner listens:
    the DeviceEvent is drained to no sink, so the page never says the treadmill sends no
    data (until the state changes again)."""
    window = app.window
    bluetooth_treadmill(window.hub)
    window.hub.on_link_state(Role.TREADMILL, LinkState.STALE, time.monotonic())
    assert window.hub.ready  # stale counts as usable
    assert window.prepare_session(SHORT)
    app.runner.catch_up()
    assert "sends no data" in window.session_page.shown()["deviceBanner"]


def test_a_workout_refused_for_devices_does_not_relabel_the_prepared_one(
    app: App, user_data: UserData
) -> None:
    """Session A is prepared; the strap is reconnecting when the person picks plan
    session B: refused ("choose a treadmill first"), but window.workout becomes B while
    the runner still runs A. Continue shows A; once A completes, B is marked done."""
    window = app.window
    window.hub.use_simulators()
    assert window.prepare_session(SHORT)
    window.hub.use_bluetooth(Role.HRM, "AA:BB:CC:DD:EE:02", "Polar")  # connecting
    plan_session = PROGRESSION.sessions()[0]
    assert not window.prepare_session(plan_session)
    window.hub.use_simulated(Role.HRM)
    window.devices_page.continue_button.click()
    assert window.current_page() == "session"
    # What is prepared is the workout chosen last, and it is the one the runner runs
    # (the plan marks `session_workout` done when its session completes).
    assert window.session_workout == plan_session
    assert app.runner.station.engine.workout.name == plan_session.name


def test_answering_yes_after_the_session_ended_closes_at_once(
    app: App, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """closeEvent asks (a modal question); the session ends while it is open (Esc, or
    the workout's end). Yes then calls stop_and_close, which waits for an `ended` that
    already came: the window stays open for CLOSE_WAIT_MS (15 s)."""
    window = app.window
    window.hub.use_simulators()
    assert window.prepare_session(SHORT)
    window.session_page.start()
    app.advance(10.0)

    def ask(*_: object) -> QMessageBox.StandardButton:
        window.emergency_stop()  # Esc pressed while the question is open
        app.advance_until(lambda: app.runner.engine_finished, 60)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", ask)
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=2000)


def test_saving_settings_after_a_session_keeps_its_summary_and_the_page(
    app: App,
) -> None:
    """After a session ended (summary on screen), saving any setting (the theme) runs
    prepare_session again: the summary is gone and the person is taken off Settings."""
    window = app.window
    window.hub.use_simulators()
    assert window.prepare_session(SHORT)
    window.session_page.start()
    app.advance(10.0)
    window.emergency_stop()
    app.advance_until(lambda: app.runner.engine_finished, 60)
    summary = window.session_page.shown()["summary"]
    assert summary
    window.show_page("settings")
    page = window.settings_page
    page._light.setChecked(True)
    page.save()
    assert window.current_page() == "settings"
    assert window.session_page.shown()["summary"] == summary


def test_remembered_devices_without_a_running_loop_are_not_left_connecting(
    app: App,
) -> None:
    """startup() catches the RuntimeError of reconnect_remembered without a running
    loop, but use_bluetooth has already set the treadmill to BLUETOOTH/CONNECTING with
    a link that never connects, and the strap is not tried at all."""

    class NoLoopTreadmill(BleTreadmill):
        pass  # the real connect(): needs the running loop

    window = app.window
    hub = window.hub
    hub._link_factory = lambda role, target, name: (
        NoLoopTreadmill(target, name=name)
        if role is Role.TREADMILL
        else BleHeartRateStrap(target, name=name)
    )
    hub.memory.remember(Role.TREADMILL, RememberedDevice("AA:BB:CC:DD:EE:01", "Horizon"))
    hub.memory.remember(Role.HRM, RememberedDevice("AA:BB:CC:DD:EE:02", "Polar"))
    window.startup()
    status = hub.status(Role.TREADMILL)
    assert not (status.kind.value == "bluetooth" and status.state is LinkState.CONNECTING), (
        "the treadmill shows Connecting… forever"
    )


def test_escape_still_stops_a_belt_left_running_by_a_fault_end(app: App) -> None:
    """The link drops while the belt runs and Esc is pressed: the stop cannot be
    confirmed, and after finish_timeout_s the session ends as a FAULT with the belt still
    running. The link comes back, the belt is seen running on the screen, but Esc is
    gated on session_active (FINISHED is not active) and the STOP button is disabled and
    hidden: nothing in the app can send a stop any more."""
    window = app.window
    window.hub.use_simulators()
    assert window.prepare_session(SHORT)
    window.session_page.start()
    treadmill = app.runner.station.treadmill
    app.advance_until(lambda: treadmill.belt_speed_kmh > 1.0, 60)
    treadmill.drop_link(app.clock.now())
    window.emergency_stop()
    app.advance_until(lambda: app.runner.engine_finished, 120)
    end = next(e for e in app.events if isinstance(e, SessionEnd))
    assert end.reason == "fault"
    treadmill.restore_link(app.clock.now())
    app.advance(3.0)
    assert treadmill.belt_speed_kmh > 1.0  # the belt runs, and the screen shows it
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_Escape)
    app.advance(15.0)
    assert treadmill.belt_speed_kmh == 0.0, "Esc did nothing: the belt runs on"
    # The summary keeps a stop within reach too.
    assert window.session_page.stop_again_button.isVisible()
    treadmill.console_start(app.clock.now())
    treadmill.console_set_speed(5.0, app.clock.now())
    app.advance(10.0)
    assert treadmill.belt_speed_kmh > 1.0
    window.session_page.stop_again_button.click()
    app.advance(15.0)
    assert treadmill.belt_speed_kmh == 0.0, "STOP did nothing: the belt runs on"


def test_space_on_a_settings_checkbox_does_not_resume_a_paused_belt(app: App, qtbot: QtBot) -> None:
    """The session is paused (belt still); the person, at the laptop on the Settings
    page, presses Space on the focused "Voice" checkbox (or a button on the Devices page).
    The application-wide filter takes Space on every page unless a *text* field has the
    focus, so it resumes the session: the belt starts again after its countdown."""
    window = app.window
    window.hub.use_simulators()
    assert window.prepare_session(SHORT)
    window.session_page.start()
    app.advance(15.0)
    window.session_page.toggle_pause()
    app.advance(5.0)
    assert app.runner.station.engine.state is EngineState.PAUSED
    window.show_page("settings")
    window.activateWindow()
    checkbox = window.settings_page._voice
    checkbox.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is checkbox, timeout=1000)
    was = checkbox.isChecked()
    QTest.keyClick(checkbox, Qt.Key.Key_Space)
    assert app.runner.station.engine.state is EngineState.PAUSED, "Space resumed the belt"
    assert checkbox.isChecked() != was


def test_one_escape_press_is_one_emergency_stop(app: App, qtbot: QtBot) -> None:
    """A key press reaches the application's event filter once per receiver: the QWindow,
    then the focus widget and each parent it propagates to (nobody accepts Esc). One Esc
    logs five `user` `emergency_stop` events and sends several stop commands."""
    window = app.window
    window.hub.use_simulators()
    assert window.prepare_session(SHORT)
    window.session_page.start()
    app.advance(15.0)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=1000)
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Escape)  # as the platform delivers it
    stops = [e for e in app.events if isinstance(e, UserEvent) and e.action == "emergency_stop"]
    assert len(stops) == 1, f"{len(stops)} emergency stops logged for one key press"


def queued_ops(treadmill: QuietTreadmill) -> list[str]:
    """What was submitted to a quiet treadmill and not sent (it never connects)."""
    ops = []
    while not treadmill._queue.empty():
        ops.append(treadmill._queue.get_nowait().op.value)
    return ops


def test_escape_without_a_session_leaves_a_bluetooth_treadmill_alone(app: App) -> None:
    # It may be in use by another app; Esc closing a dialog must not stop that belt.
    window = app.window
    bluetooth_treadmill(window.hub)
    treadmill = window.hub._treadmill
    assert isinstance(treadmill, QuietTreadmill)
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_Escape)
    assert queued_ops(treadmill) == []


def test_escape_after_a_fault_session_was_put_away_still_stops_the_treadmill(app: App) -> None:
    window = app.window
    bluetooth_treadmill(window.hub)
    assert window.prepare_session(SHORT)
    treadmill = app.runner.station.treadmill
    assert isinstance(treadmill, QuietTreadmill)
    window.session_page.start()
    window.hub.on_treadmill_data(TreadmillData(time.monotonic(), 5.0, 0.0, 10.0))
    window.emergency_stop()
    # The quiet treadmill never answers: after the wait, the session ends as a fault
    # (the belt was last seen moving).
    app.runner.station.step(app.runner.station.engine.now + 120.0)
    app.runner.catch_up()
    assert app.runner.engine_finished
    assert next(e for e in app.events if isinstance(e, SessionEnd)).reason == "fault"
    window.session_page.done_button.click()
    assert window.runner is None
    queued_ops(treadmill)  # what the session sent
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_Escape)
    assert "stop" in queued_ops(treadmill)
