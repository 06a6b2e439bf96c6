"""The devices screen, as a person uses it: scan, see what was found by role, connect,
read each link's state in words, fall back to the simulators in one click.

Running asyncio code under pytest-qt with qasync (what was found out for these tests):

* The fixture `loop` makes a `qasync.QEventLoop(qapp)` and sets it as the event loop;
  each test's body is a coroutine run by `loop.run_until_complete(...)`. That runs the
  Qt event loop (`QApplication.exec()`) until the coroutine is done, so clicks made
  inside it find a running asyncio loop (as in the app) and tasks they start progress
  while the body awaits. Wait with `await until(condition)` (asyncio sleeps, which
  process Qt events too), not with `qtbot.waitUntil`, which spins Qt events without
  giving the coroutine a turn.
* `qasync.QEventLoop(qapp, already_running=True)` also works (then `qtbot.waitUntil`
  drives the tasks, since qasync's timers are Qt timers), but its teardown must not call
  `loop.stop()`: that calls `QApplication.exit()` while no `exec()` runs, and the
  application then stops delivering timer events, so every later test's wait times out
  (a failure in someone else's test). `run_until_complete` has no such trap.
* Tasks still pending at the end are cancelled and run to their end before the loop is
  closed, so none is "destroyed but pending" in a later test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from bleak.backends.device import BLEDevice
from bleak.exc import BleakCharacteristicNotFoundError, BleakError
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from retrocoach.devices.ble_strap import BleHeartRateStrap
from retrocoach.devices.ble_treadmill import BleTreadmill
from retrocoach.devices.memory import DeviceMemory
from retrocoach.devices.ports import HeartRateData, LinkState, Role
from retrocoach.devices.scanner import FoundDevice
from retrocoach.devices.uuids import BATTERY_LEVEL, HEART_RATE_MEASUREMENT
from retrocoach.gui import devices_page
from retrocoach.gui.device_hub import BluetoothClient, DeviceHub, DeviceKind
from retrocoach.gui.devices_page import NO_ADAPTER, DevicesPage, ScanState

TREADMILL = FoundDevice(
    "C4:11:22:33:44:55",
    "Horizon 7.0AT",
    -58,
    frozenset({Role.TREADMILL}),
    BLEDevice("C4:11:22:33:44:55", "Horizon 7.0AT", None),
)
STRAP = FoundDevice(
    "E8:12:34:56:78:9A",
    "Polar H10",
    -71,
    frozenset({Role.HRM}),
    BLEDevice("E8:12:34:56:78:9A", "Polar H10", None),
)
BOTH = FoundDevice(  # a treadmill that relays a strap: both services on one address
    "00:AA:00:00:00:02",
    "retrocoach treadmill",
    None,
    frozenset({Role.TREADMILL, Role.HRM}),
    BLEDevice("00:AA:00:00:00:02", "retrocoach treadmill", None),
)


def run(loop: qasync.QEventLoop, body: Coroutine[Any, Any, None], timeout: float = 5.0) -> None:
    loop.run_until_complete(asyncio.wait_for(body, timeout))


async def until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for the screen")
        await asyncio.sleep(0.01)


class QuietTreadmill(BleTreadmill):
    """The real client, except that it never connects: the test says what its link does."""

    asked_to_connect = False

    def connect(self, now: float) -> None:
        self.asked_to_connect = True


class QuietStrap(BleHeartRateStrap):
    asked_to_connect = False

    def connect(self, now: float) -> None:
        self.asked_to_connect = True


@pytest.fixture
def made() -> list[BluetoothClient]:
    return []


@pytest.fixture
def bt_hub(tmp_path: Path, made: list[BluetoothClient]) -> Iterator[DeviceHub]:
    def quiet(role: Role, target: BLEDevice | str, name: str) -> BluetoothClient:
        client: BluetoothClient = (
            QuietTreadmill(target, name=name)
            if role is Role.TREADMILL
            else QuietStrap(target, name=name)
        )
        made.append(client)
        return client

    hub = DeviceHub(DeviceMemory(tmp_path / "devices.toml"), link_factory=quiet)
    yield hub
    hub.close()


def fake_scan(*found: FoundDevice) -> Callable[[float], Coroutine[Any, Any, list[FoundDevice]]]:
    async def scan(timeout: float) -> list[FoundDevice]:
        await asyncio.sleep(0)
        return list(found)

    return scan


def failing_scan(exc: BaseException) -> Callable[[float], Coroutine[Any, Any, list[FoundDevice]]]:
    async def scan(timeout: float) -> list[FoundDevice]:
        raise exc

    return scan


async def scanned(page: DevicesPage) -> None:
    page.scan_button.click()
    await until(lambda: page.scan_state is not ScanState.SCANNING)


def names(page: DevicesPage, role: Role) -> list[str]:
    return [row.found.address for row in page.found_rows(role)]


def test_found_devices_are_listed_under_the_roles_they_serve(
    qtbot: QtBot, loop: qasync.QEventLoop, bt_hub: DeviceHub
) -> None:
    page = DevicesPage(bt_hub, fake_scan(TREADMILL, STRAP, BOTH))
    qtbot.addWidget(page)

    async def body() -> None:
        await scanned(page)
        assert page.scan_state is ScanState.FOUND
        assert names(page, Role.TREADMILL) == [TREADMILL.address, BOTH.address]
        assert names(page, Role.HRM) == [STRAP.address, BOTH.address]
        assert page.found_titles[Role.TREADMILL].text().endswith(": 2")
        row = page.found_rows(Role.HRM)[0]
        shown = " ".join(label.text() for label in row.findChildren(QLabel))
        assert "Polar H10" in shown and STRAP.address in shown and "-71 dBm" in shown
        assert row.connect_button.isEnabled()

    run(loop, body())


def test_connect_hands_the_found_device_to_the_hub_and_shows_it_connecting(
    qtbot: QtBot, loop: qasync.QEventLoop, bt_hub: DeviceHub, made: list[BluetoothClient]
) -> None:
    page = DevicesPage(bt_hub, fake_scan(TREADMILL, STRAP))
    qtbot.addWidget(page)

    async def body() -> None:
        await scanned(page)
        row = page.found_rows(Role.TREADMILL)[0]
        row.connect_button.click()
        status = bt_hub.status(Role.TREADMILL)
        assert (status.kind, status.address, status.name) == (
            DeviceKind.BLUETOOTH,
            TREADMILL.address,
            "Horizon 7.0AT",
        )
        assert made[0].target is TREADMILL.device  # the scanned device, not a new lookup
        assert page.cards[Role.TREADMILL].state.text() == "… Connecting…"
        assert "Horizon 7.0AT" in page.cards[Role.TREADMILL].device_name.text()
        assert not row.connect_button.isEnabled() and row.connect_button.text() == "In use"
        assert not page.continue_button.isEnabled()  # not connected yet
        assert bt_hub.memory.load()[Role.TREADMILL].address == TREADMILL.address

    run(loop, body())


@pytest.mark.parametrize(
    "error",
    [
        BleakError("No Bluetooth adapters found."),
        FileNotFoundError(2, "No such file or directory", "/run/dbus/system_bus_socket"),
        ConnectionRefusedError(111, "Connection refused"),
        RuntimeError("something else entirely"),
    ],
    ids=["bleak", "no-dbus", "refused", "other"],
)
def test_a_failed_scan_says_there_is_no_bluetooth_and_offers_the_simulators(
    qtbot: QtBot, loop: qasync.QEventLoop, bt_hub: DeviceHub, error: BaseException
) -> None:
    page = DevicesPage(bt_hub, failing_scan(error))
    qtbot.addWidget(page)
    page.show()
    proceeded: list[bool] = []
    page.proceed.connect(lambda: proceeded.append(True))

    async def body() -> None:
        await scanned(page)
        assert page.scan_state is ScanState.FAILED
        assert NO_ADAPTER in page.offer_title.text()
        assert page.offer.isVisible() and page.simulator_button.isVisible()
        assert page.offer.property("prominent") == "true"
        assert page.scan_button.isEnabled()  # the person can try again
        assert not page.continue_button.isEnabled()

        page.simulator_button.click()
        assert bt_hub.ready and bt_hub.simulated
        assert page.cards[Role.TREADMILL].state.text() == "● Simulated — ready"
        assert page.continue_button.isEnabled()
        assert page.offer.property("prominent") == "false"  # the choice is made
        page.continue_button.click()
        assert proceeded == [True]

    run(loop, body())


def test_nothing_found_puts_the_simulators_first_with_a_hint(
    qtbot: QtBot, loop: qasync.QEventLoop, bt_hub: DeviceHub
) -> None:
    page = DevicesPage(bt_hub, fake_scan())
    qtbot.addWidget(page)
    page.show()

    async def body() -> None:
        assert page.offer.property("prominent") == "false"  # calm before any scan
        await scanned(page)
        assert page.scan_state is ScanState.NOTHING
        assert page.offer.property("prominent") == "true"
        assert "switched on" in page.offer_text.text()
        # first on the page, under its title
        assert page.layout().indexOf(page.offer) == 1

    run(loop, body())


def test_the_scan_button_is_busy_while_scanning_and_never_scans_twice(
    qtbot: QtBot, loop: qasync.QEventLoop, bt_hub: DeviceHub
) -> None:
    release = asyncio.Event()
    scans: list[float] = []

    async def slow_scan(timeout: float) -> list[FoundDevice]:
        scans.append(timeout)
        await release.wait()
        return [TREADMILL]

    page = DevicesPage(bt_hub, slow_scan)
    qtbot.addWidget(page)

    async def body() -> None:
        page.scan_button.click()
        await until(lambda: bool(scans))
        assert not page.scan_button.isEnabled()
        assert page.scan_button.text().startswith("Scanning…")
        page.start_scan()  # a second press (e.g. from a shortcut) while busy
        release.set()
        await until(lambda: page.scan_state is ScanState.FOUND)
        assert scans == [devices_page.SCAN_TIMEOUT_S]
        assert page.scan_button.isEnabled() and page.scan_button.text() == "Scan again"

    run(loop, body())


@pytest.mark.parametrize(
    ("state", "shown", "ready"),
    [
        (LinkState.CONNECTING, "… Connecting…", False),
        (LinkState.CONNECTED, "✓ Connected", True),
        (LinkState.RECONNECTING, "↻ Reconnecting…", False),
        (LinkState.LOST, "✕ Lost — trying again", False),
        (LinkState.STALE, "⚠ No data (stale)", True),
    ],
)
def test_each_link_state_is_shown_in_a_symbol_and_words(
    qtbot: QtBot,
    loop: qasync.QEventLoop,
    bt_hub: DeviceHub,
    state: LinkState,
    shown: str,
    ready: bool,
) -> None:
    page = DevicesPage(bt_hub, fake_scan())
    qtbot.addWidget(page)

    async def body() -> None:
        bt_hub.use_bluetooth(Role.TREADMILL, "C4:11:22:33:44:55", "Horizon 7.0AT")
        bt_hub.use_none(Role.HRM)
        bt_hub.on_link_state(Role.TREADMILL, LinkState.CONNECTED, 0.0)
        bt_hub.on_link_state(Role.TREADMILL, state, 1.0)
        assert page.cards[Role.TREADMILL].state.text() == shown
        assert page.continue_button.isEnabled() is ready
        if not ready:
            assert "Waiting for the treadmill" in page.continue_hint.text()

    run(loop, body())


def test_the_strap_shows_heart_rate_skin_contact_and_battery(
    qtbot: QtBot, loop: qasync.QEventLoop, bt_hub: DeviceHub, made: list[BluetoothClient]
) -> None:
    page = DevicesPage(bt_hub, fake_scan())
    qtbot.addWidget(page)
    card = page.cards[Role.HRM]

    async def body() -> None:
        bt_hub.use_bluetooth(Role.HRM, STRAP.address, "Polar H10")
        strap = made[0]
        assert isinstance(strap, QuietStrap)
        gatt = FakeGatt({BATTERY_LEVEL: bytes([83])})
        await strap.on_connected(gatt)  # type: ignore[arg-type]
        bt_hub.on_link_state(Role.HRM, LinkState.CONNECTED, 0.0)
        assert "Battery 83 %" in card.details.text()

        gatt.notify(HEART_RATE_MEASUREMENT, bytes([0x06, 72]))  # contact, 72 bpm
        assert card.heart.text() == "♥ 72 bpm"
        gatt.notify(HEART_RATE_MEASUREMENT, bytes([0x04, 0]))  # contact lost
        assert "No skin contact" in card.heart.text()
        bt_hub.on_heart_rate(HeartRateData(1.0, 75, True))
        bt_hub.on_link_state(Role.HRM, LinkState.STALE, 2.0)
        assert "75" not in card.heart.text()  # an old heart rate is not shown as current

    run(loop, body())


def test_a_strap_without_a_battery_service_connects_all_the_same(
    qtbot: QtBot, loop: qasync.QEventLoop, bt_hub: DeviceHub, made: list[BluetoothClient]
) -> None:
    page = DevicesPage(bt_hub, fake_scan())
    qtbot.addWidget(page)

    async def body() -> None:
        bt_hub.use_bluetooth(Role.HRM, STRAP.address, "Polar H10")
        strap = made[0]
        assert isinstance(strap, QuietStrap)
        gatt = FakeGatt({BATTERY_LEVEL: bytes([250])})  # nonsense: ignored
        await strap.on_connected(gatt)  # type: ignore[arg-type]
        gatt = FakeGatt({})  # no Battery Service at all
        await strap.on_connected(gatt)  # type: ignore[arg-type]
        assert HEART_RATE_MEASUREMENT in gatt.subscribed
        bt_hub.on_link_state(Role.HRM, LinkState.CONNECTED, 0.0)
        assert strap.battery_pct is None
        assert "Battery" not in page.cards[Role.HRM].details.text()
        assert page.cards[Role.HRM].state.text() == "✓ Connected"

    run(loop, body())


def test_no_strap_and_forget_change_the_choice(
    qtbot: QtBot, loop: qasync.QEventLoop, bt_hub: DeviceHub
) -> None:
    page = DevicesPage(bt_hub, fake_scan(TREADMILL, STRAP))
    qtbot.addWidget(page)
    page.show()

    async def body() -> None:
        await scanned(page)
        page.found_rows(Role.TREADMILL)[0].connect_button.click()
        page.found_rows(Role.HRM)[0].connect_button.click()
        bt_hub.on_link_state(Role.TREADMILL, LinkState.CONNECTED, 0.0)
        assert not page.continue_button.isEnabled()  # the strap is still connecting
        assert "heart-rate strap" in page.continue_hint.text()

        no_strap = page.cards[Role.HRM].no_strap_button
        assert no_strap is not None and no_strap.isVisible()
        no_strap.click()
        assert bt_hub.status(Role.HRM).kind is DeviceKind.NONE
        assert page.cards[Role.HRM].state.text() == "○ No strap"
        assert page.continue_button.isEnabled()  # a session without heart rate
        assert page.found_rows(Role.HRM)[0].connect_button.text() == "Connect"

        page.cards[Role.TREADMILL].forget_button.click()
        assert Role.TREADMILL not in bt_hub.memory.load()
        assert page.cards[Role.TREADMILL].state.text() == "○ Not chosen"
        assert not page.continue_button.isEnabled()

    run(loop, body())


def test_a_connection_that_cannot_start_is_reported_not_raised(
    qtbot: QtBot, loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    def broken(role: Role, target: BLEDevice | str, name: str) -> BluetoothClient:
        raise BleakError("adapter vanished")

    hub = DeviceHub(DeviceMemory(tmp_path / "devices.toml"), link_factory=broken)
    page = DevicesPage(hub, fake_scan(TREADMILL))
    qtbot.addWidget(page)
    page.show()

    async def body() -> None:
        await scanned(page)
        page.found_rows(Role.TREADMILL)[0].connect_button.click()
        assert page.message.isVisible()
        assert "Horizon 7.0AT" in page.message.text() and "adapter vanished" in page.message.text()

    run(loop, body())
    hub.close()


class FakeGatt:
    """What a strap's connection offers once connected: reads and notifications."""

    def __init__(self, values: dict[str, bytes]) -> None:
        self.values = values
        self.subscribed: dict[str, Callable[[Any, bytearray], None]] = {}

    async def read_gatt_char(self, uuid: str) -> bytearray:
        if uuid not in self.values:
            raise BleakCharacteristicNotFoundError(uuid)
        return bytearray(self.values[uuid])

    async def start_notify(self, uuid: str, callback: Callable[[Any, bytearray], None]) -> None:
        self.subscribed[uuid] = callback

    def notify(self, uuid: str, data: bytes) -> None:
        self.subscribed[uuid](None, bytearray(data))
