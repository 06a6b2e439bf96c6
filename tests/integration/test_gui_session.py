"""A session in the desktop app on real bleak: the main window, on the qasync loop, runs
a workout on the virtual treadmill and strap served over the BlueZ mock. The station is
planned with the treadmill's real ranges, the belt is started by the person's start and
counted down, the screen follows the belt, and Esc stops it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import qasync
from bluez_mock import BluezMock
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from support import recording_player, step, workout

from retrocoach.coach.audit import audit
from retrocoach.coach.events import Event, SessionEnd
from retrocoach.devices.ble_treadmill import BleTreadmill
from retrocoach.devices.memory import DeviceMemory
from retrocoach.devices.ports import Role
from retrocoach.gui.device_hub import DeviceHub
from retrocoach.gui.main_window import MainWindow
from retrocoach.gui.session_runner import MonotonicClock, SessionRunner
from retrocoach.peripheral.virtual_treadmill import VirtualTreadmill
from retrocoach.userdata import UserData
from retrocoach.workouts.model import Direction
from retrocoach.workouts.profile import RunnerProfile

CENTRAL = "hci1"


async def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def test_a_session_in_the_app_on_the_bluetooth_treadmill_stops_on_escape(
    bluez: BluezMock, qtbot: QtBot, loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    user_data = UserData(tmp_path / "retrocoach")
    user_data.save_profile(RunnerProfile())
    address = bluez.peripheral.address

    async def body() -> None:
        vt = VirtualTreadmill(
            bus_address=bluez.bus_address, adapter=bluez.peripheral.name, with_hrm=True
        )
        await vt.start()
        hub = DeviceHub(DeviceMemory(tmp_path / "devices.toml"), adapter=CENTRAL)
        window = MainWindow(user_data, hub, audio=recording_player())
        events: list[Event] = []
        try:
            hub.use_bluetooth(Role.TREADMILL, address, vt.name)
            hub.use_bluetooth(Role.HRM, address, vt.name)
            await until(lambda: hub.ready, 15, "both devices connected")
            window.resize(1366, 768)
            window.show()

            def watch(runner: SessionRunner) -> None:
                runner.happened.connect(events.append)

            window.session_prepared.connect(watch)
            short = workout(step(Direction.BACKWARD, "walk", seconds=60), name="ble-short")
            assert window.prepare_session(short)
            runner = window.runner
            assert runner is not None and isinstance(runner.clock, MonotonicClock)
            assert isinstance(runner.station.treadmill, BleTreadmill)
            assert vt.treadmill.belt_speed_kmh == 0.0  # preparing never starts the belt

            window.session_page.start()
            await until(lambda: vt.treadmill.belt_speed_kmh > 1.0, 15, "the belt running")
            await until(
                lambda: (
                    window.session_page.shown()["directionWord"] == "BACKWARD"
                    and window.session_page.shown()["phaseText"] in ("WALK", "SPEEDING UP")
                ),
                5,
                "the screen showing the backward walk",
            )
            QTest.keyClick(window, Qt.Key.Key_Escape)
            await until(lambda: runner.engine_finished, 15, "the session's end")
            assert vt.treadmill.belt_speed_kmh == 0.0
            end = next(e for e in events if isinstance(e, SessionEnd))
            assert end.reason == "emergency_stop"
            assert audit([e.record() for e in events]) == []
        finally:
            window._discard_session()
            window.hide()  # closing the last window would quit the app, and stop the loop
            await hub.aclose()
            await vt.stop()

    loop.run_until_complete(asyncio.wait_for(body(), 40))
