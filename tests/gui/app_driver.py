"""Driving the whole app in tests: the main window on a session clock the test moves
(a quarter second at a time, so every short moment of a session is on screen when
looked at), and Bluetooth clients that never connect (the test plays their link)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bleak.backends.device import BLEDevice
from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot
from support import recording_player

from retrocoach.coach.events import Event
from retrocoach.devices.ble_strap import BleHeartRateStrap
from retrocoach.devices.ble_treadmill import BleTreadmill
from retrocoach.devices.ports import Role
from retrocoach.devices.simulator import SimulatedTreadmill
from retrocoach.gui.device_hub import BluetoothClient, DeviceHub
from retrocoach.gui.main_window import MainWindow
from retrocoach.gui.session_runner import ManualClock, SessionRunner
from retrocoach.userdata import UserData
from retrocoach.workouts.model import Workout

TICK_S = 0.25


class QuietTreadmill(BleTreadmill):
    """The real client, except that it never connects: the test plays its link."""

    def connect(self, now: float) -> None:
        pass


class QuietStrap(BleHeartRateStrap):
    def connect(self, now: float) -> None:
        pass


def quiet(role: Role, target: BLEDevice | str, name: str) -> BluetoothClient:
    """A link factory for DeviceHub: quiet clients."""
    if role is Role.TREADMILL:
        return QuietTreadmill(target, name=name)
    return QuietStrap(target, name=name)


class App:
    """The main window on a session clock the test moves."""

    def __init__(self, window: MainWindow, qtbot: QtBot | None = None) -> None:
        self.window = window
        self.qtbot = qtbot
        self.clock = ManualClock()
        window.hub.simulated_clock = lambda _speedup: self.clock
        self.events: list[Event] = []
        window.session_prepared.connect(self._watch)

    def _watch(self, runner: SessionRunner) -> None:
        self.events = []
        runner.happened.connect(self.events.append)

    @property
    def runner(self) -> SessionRunner:
        assert self.window.runner is not None
        return self.window.runner

    @property
    def treadmill(self) -> SimulatedTreadmill:
        device = self.runner.station.treadmill
        assert isinstance(device, SimulatedTreadmill)
        return device

    def shown(self) -> dict[str, str]:
        return self.window.session_page.shown()

    def advance(self, seconds: float) -> None:
        end = self.clock.now() + seconds
        while self.clock.now() < end - 1e-9:
            self.clock.set(min(self.clock.now() + TICK_S, end))
            if self.window.runner is not None:
                self.window.runner.catch_up()

    def advance_until(
        self,
        done: Callable[[], bool],
        limit_s: float = 600.0,
        each: Callable[[], None] = lambda: None,
    ) -> None:
        end = self.clock.now() + limit_s
        while not done():
            assert self.clock.now() < end, f"not reached within {limit_s} s of session time"
            self.advance(TICK_S)
            each()

    def click(self, button: QPushButton) -> None:
        assert button.isEnabled(), f"{button.objectName()} is disabled"
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    def key(self, key: Qt.Key) -> None:
        target = QApplication.focusWidget() or self.window
        QTest.keyClick(target, key)

    def ready_session(self, chosen: Workout) -> None:
        assert self.window.prepare_session(chosen)
        assert self.window.current_page() == "session"


@contextmanager
def shown_window(user_data: UserData, hub: DeviceHub) -> Iterator[MainWindow]:
    """The main window at a laptop's size, its sound recorded (not played), closed
    afterwards by the test itself: pytest-qt would close it first, and closing during a
    session asks a (modal) question."""
    window = MainWindow(user_data, hub, audio=recording_player())
    window.resize(1366, 768)
    window.show()
    yield window
    if window.runner is not None and window.session_active:
        window.runner.emergency_stop()
    window._discard_session()
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
