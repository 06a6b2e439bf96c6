"""The devices screen on real bleak: under the qasync loop the app runs on, it scans the
BlueZ mock, finds the virtual treadmill and its strap, connects them through the hub and
shows them connected with a live heart rate; a new hub (the next start of the app)
connects the remembered devices again by itself.

The test's body is a coroutine run by `loop.run_until_complete` on a
`qasync.QEventLoop` (see tests/gui/test_devices_page.py for why), so bleak, dbus-fast,
the virtual peripheral and the widgets all share the Qt event loop, as in the app.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import qasync
from bluez_mock import BluezMock
from pytestqt.qtbot import QtBot

from retrocoach.devices.memory import DeviceMemory
from retrocoach.devices.ports import Role
from retrocoach.gui import devices_page
from retrocoach.gui.device_hub import DeviceHub, DeviceKind
from retrocoach.gui.devices_page import DevicesPage, ScanState
from retrocoach.peripheral.virtual_treadmill import VirtualTreadmill

CENTRAL = "hci1"
CONNECTED = "✓ Connected"
HEART_RATE = re.compile(r"♥ \d+ bpm")


async def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def shows_connected(page: DevicesPage) -> bool:
    return all(card.state.text() == CONNECTED for card in page.cards.values())


def test_the_devices_screen_finds_connects_and_reconnects_the_virtual_treadmill(
    bluez: BluezMock,
    qtbot: QtBot,
    loop: qasync.QEventLoop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(devices_page, "SCAN_TIMEOUT_S", 1.5)  # the mock answers at once
    memory = DeviceMemory(tmp_path / "devices.toml")
    address = bluez.peripheral.address

    async def body() -> None:
        vt = VirtualTreadmill(
            bus_address=bluez.bus_address, adapter=bluez.peripheral.name, with_hrm=True
        )
        await vt.start()
        hub = DeviceHub(memory, adapter=CENTRAL)
        second: DeviceHub | None = None
        try:
            # The real scanner, as the page uses it by default (with the hub's adapter).
            page = DevicesPage(hub)
            qtbot.addWidget(page)
            page.show()
            page.scan_button.click()
            await until(lambda: page.scan_state is not ScanState.SCANNING, 10, "the scan")
            assert page.scan_state is ScanState.FOUND, page.offer_detail.text()
            for role in Role:
                rows = [r for r in page.found_rows(role) if r.found.address == address]
                assert rows, f"the virtual treadmill is not listed for {role}"
                assert rows[0].found.name == vt.name
                rows[0].connect_button.click()

            await until(lambda: shows_connected(page), 10, "both devices connected")
            await until(
                lambda: HEART_RATE.fullmatch(page.cards[Role.HRM].heart.text()) is not None,
                5,
                "a heart rate on the screen",
            )
            assert page.continue_button.isEnabled()
            assert page.cards[Role.TREADMILL].device_name.text() == vt.name
            assert set(memory.load()) == {Role.TREADMILL, Role.HRM}

            # The next start of the app: a new hub connects the remembered devices.
            await hub.aclose()
            second = DeviceHub(memory, adapter=CENTRAL)
            again = DevicesPage(second)
            qtbot.addWidget(again)
            assert sorted(second.reconnect_remembered()) == sorted(Role)
            assert all(second.status(role).kind is DeviceKind.BLUETOOTH for role in Role)
            await until(lambda: shows_connected(again), 10, "the remembered devices")
            assert again.continue_button.isEnabled()
        finally:
            await hub.aclose()
            if second is not None:
                await second.aclose()
            await vt.stop()

    loop.run_until_complete(asyncio.wait_for(body(), 20))
