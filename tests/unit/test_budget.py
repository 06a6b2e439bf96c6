"""The room's Bluetooth budget: how many connections the stations need, how many more
fit on the adapter, and when a failed connection is the adapter refusing one more."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from bleak.exc import BleakError

from retrocoach.devices import ble_link
from retrocoach.devices.ble_strap import BleHeartRateStrap
from retrocoach.devices.budget import (
    TYPICAL_ADAPTER_CONNECTIONS,
    ConnectionBudget,
    StationDevices,
    looks_refused,
)
from retrocoach.gym_setup import GymSetup, load_setup, save_setup, setup_path

TREADMILLS = [f"AA:00:00:00:00:0{n}" for n in range(1, 9)]
STRAPS = [f"BB:00:00:00:00:0{n}" for n in range(1, 9)]


def stations(count: int, *, straps: bool = True) -> list[StationDevices]:
    return [StationDevices(TREADMILLS[n], STRAPS[n] if straps else "") for n in range(count)]


def test_each_bluetooth_device_is_one_connection_and_simulators_are_none() -> None:
    assert StationDevices(TREADMILLS[0], STRAPS[0]).connections == 2
    assert StationDevices(TREADMILLS[0], "").connections == 1
    assert StationDevices("", "").connections == 0
    # A treadmill that serves the heart rate too is one device.
    assert StationDevices(TREADMILLS[0], TREADMILLS[0].lower()).connections == 1


def test_the_page_says_how_many_more_stations_fit() -> None:
    budget = ConnectionBudget.of(stations(2))
    assert (budget.capacity, budget.in_use, budget.free) == (TYPICAL_ADAPTER_CONNECTIONS, 4, 3)
    assert budget.stations_that_fit(2) == 1 and budget.stations_that_fit(1) == 3
    assert budget.describe() == (
        "Bluetooth: 4 of about 7 connections in use. Room for 1 station more with a "
        "treadmill and a strap each, or 3 stations with a treadmill alone."
    )


def test_a_full_adapter_and_an_overfull_one_are_said_in_words() -> None:
    full = ConnectionBudget.of([*stations(3), StationDevices(TREADMILLS[3])])
    assert full.in_use == 7 and full.full and not full.over
    assert "full" in full.describe()
    over = ConnectionBudget.of(stations(4))
    assert over.in_use == 8 and over.over
    assert "may be refused" in over.describe()


@pytest.mark.parametrize(
    "words",
    [
        "[org.bluez.Error.Failed] le-connection-abort-by-local",
        "Too many links (31)",
        "Connection Rejected due to Limited Resources (0x0D)",
        "Memory Capacity Exceeded",
    ],
)
def test_a_refusal_is_known_by_its_words(words: str) -> None:
    assert looks_refused(words)


def test_any_failure_is_a_refusal_once_the_adapter_is_full() -> None:
    plain = "Device with address AA:00:00:00:00:08 was not found."
    assert not looks_refused(plain, ConnectionBudget.of(stations(2)))
    assert looks_refused(plain, ConnectionBudget.of([*stations(3), StationDevices(TREADMILLS[3])]))


def test_a_failed_connection_is_reported_in_the_systems_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class RefusingClient:
        def __init__(self, target: str, **_: object) -> None:
            self.address = target
            self.is_connected = False

        async def connect(self) -> None:
            raise BleakError("[org.bluez.Error.Failed] le-connection-abort-by-local")

        async def disconnect(self) -> None:
            pass

    monkeypatch.setattr(ble_link, "BleakClient", RefusingClient)
    heard: list[str] = []

    async def scenario() -> None:
        strap = BleHeartRateStrap("BB:00:00:00:00:01", backoff_s=(0.01,))
        strap.on_failure = heard.append
        strap.connect(0.0)
        for _ in range(100):
            await asyncio.sleep(0.01)
            if len(heard) >= 2:
                break
        await strap.aclose()

    asyncio.run(scenario())
    assert len(heard) >= 2  # it keeps trying, and says so each time
    assert all("le-connection-abort-by-local" in h for h in heard)


def test_the_rooms_setup_is_kept_and_a_broken_file_is_an_empty_room(tmp_path: Path) -> None:
    assert load_setup(tmp_path) == GymSetup()
    setup = GymSetup(members=("Anna", "", "Ben"), workout="backward-hills", capacity=5)
    save_setup(tmp_path, setup)
    assert load_setup(tmp_path) == setup
    setup_path(tmp_path).write_text("members = [", encoding="utf-8")
    assert load_setup(tmp_path) == GymSetup()
    setup_path(tmp_path).write_text('members = ["A"]\ncapacity = 99\n', encoding="utf-8")
    assert load_setup(tmp_path) == GymSetup(members=("A",))
