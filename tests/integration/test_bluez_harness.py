"""The real bleak client on hci1 against the minimal peripheral on hci0, over bluezoo.

These prove the harness (README.md beside this file): scanning, connecting, reading,
notifications, write-with-response answered by an indication, a disconnect made by the
peripheral, and reconnects after which each notification arrives exactly once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from bleak import BleakClient, BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bluez_mock import BluezMock
from minimal_peripheral import (
    CONTROL_UUID,
    DATA_UUID,
    LOCAL_NAME,
    SERVICE_UUID,
    MinimalPeripheral,
)

TEST_TIMEOUT_S = 5.0
STEP_TIMEOUT_S = 3.0
SENTINEL = b"\xff\xff"


def run(body: Coroutine[Any, Any, None], timeout: float = TEST_TIMEOUT_S) -> None:
    """Run one test body in a fresh event loop (and so a fresh bleak manager)."""

    async def bounded() -> None:
        async with asyncio.timeout(timeout):
            await body

    asyncio.run(bounded())


def is_proof_peripheral(device: BLEDevice, adv: AdvertisementData) -> bool:
    return SERVICE_UUID in adv.service_uuids and adv.local_name == LOCAL_NAME


async def scan(bluez: BluezMock) -> BLEDevice:
    device = await BleakScanner.find_device_by_filter(
        is_proof_peripheral,
        timeout=STEP_TIMEOUT_S,
        service_uuids=[SERVICE_UUID],
        **bluez.bleak_args,
    )
    assert device is not None, "the scan did not find the peripheral"
    return device


class Received:
    """Values delivered to a bleak notification callback, awaitable."""

    def __init__(self) -> None:
        self.values: list[bytes] = []
        self._changed = asyncio.Event()

    def __call__(self, _characteristic: object, value: bytearray) -> None:
        self.values.append(bytes(value))
        self._changed.set()

    async def until(self, last: bytes, timeout: float = STEP_TIMEOUT_S) -> list[bytes]:
        """All values received up to and including `last` (waits for it)."""
        async with asyncio.timeout(timeout):
            while last not in self.values:
                self._changed.clear()
                await self._changed.wait()
        return self.values[: self.values.index(last) + 1]


async def send_and_collect(
    peripheral: MinimalPeripheral, received: Received, values: list[bytes]
) -> list[bytes]:
    """Notify `values` then a sentinel; return what the central got up to the sentinel.

    Notifications are delivered in order, so a duplicate of any value would arrive before
    the sentinel does.
    """
    for value in [*values, SENTINEL]:
        assert peripheral.notify(value), "nobody subscribed to the data characteristic"
    got = await received.until(SENTINEL)
    received.values.clear()
    return got


def test_scans_find_the_peripheral_by_service_uuid_and_name(bluez: BluezMock) -> None:
    async def body() -> None:
        async with MinimalPeripheral(bluez.bus_address):
            first = await scan(bluez)
            # A second scan reports the device again, although hci1 already knows it.
            second = await scan(bluez)
        for device in (first, second):
            assert device.address == bluez.peripheral.address
            assert device.name == LOCAL_NAME
            assert device.details["path"] == bluez.peripheral_path_on_central

    run(body())


def test_a_scan_sees_an_advertisement_registered_after_discovery_started(
    bluez: BluezMock,
) -> None:
    async def body() -> None:
        async with MinimalPeripheral(bluez.bus_address, advertise_on_start=False) as peripheral:
            found: asyncio.Future[AdvertisementData] = asyncio.get_running_loop().create_future()

            def seen(device: BLEDevice, adv: AdvertisementData) -> None:
                if is_proof_peripheral(device, adv) and not found.done():
                    found.set_result(adv)

            async with BleakScanner(seen, service_uuids=[SERVICE_UUID], **bluez.bleak_args):
                await peripheral.advertise()
                # Stock bluezoo waited for its next pass (10 s by default); fix 3 starts
                # one when the advertisement is registered.
                adv = await asyncio.wait_for(found, STEP_TIMEOUT_S)
        assert adv.local_name == LOCAL_NAME

    run(body())


def test_connect_and_read(bluez: BluezMock) -> None:
    async def body() -> None:
        async with MinimalPeripheral(bluez.bus_address, data_value=b"\x2a\x00") as peripheral:
            device = await scan(bluez)
            async with BleakClient(device, timeout=STEP_TIMEOUT_S, **bluez.bleak_args) as client:
                service = client.services.get_service(SERVICE_UUID)
                assert service is not None
                data = service.get_characteristic(DATA_UUID)
                control = service.get_characteristic(CONTROL_UUID)
                assert data is not None and sorted(data.properties) == ["notify", "read"]
                assert control is not None
                assert sorted(control.properties) == ["indicate", "write"]

                assert await client.read_gatt_char(DATA_UUID) == b"\x2a\x00"

        reads = [c for c in peripheral.calls if c[0] == "ReadValue"]
        assert len(reads) == 1
        # BlueZ tells the application which central is asking.
        assert reads[0][3]["device"] == bluez.central_path_on_peripheral

    run(body())


def test_notifications_arrive_in_order(bluez: BluezMock) -> None:
    async def body() -> None:
        async with MinimalPeripheral(bluez.bus_address) as peripheral:
            device = await scan(bluez)
            async with BleakClient(device, timeout=STEP_TIMEOUT_S, **bluez.bleak_args) as client:
                received = Received()
                await client.start_notify(DATA_UUID, received)
                assert peripheral.data.notifying
                values = [bytes([i, 0]) for i in range(10)]
                assert await send_and_collect(peripheral, received, values) == [
                    *values,
                    SENTINEL,
                ]
                await client.stop_notify(DATA_UUID)
                await peripheral.data.wait_notifying(False)
                assert not peripheral.notify(b"\x01\x01")

    run(body())


def test_write_with_response_is_answered_by_an_indication(bluez: BluezMock) -> None:
    async def body() -> None:
        async with MinimalPeripheral(bluez.bus_address) as peripheral:
            device = await scan(bluez)
            async with BleakClient(device, timeout=STEP_TIMEOUT_S, **bluez.bleak_args) as client:
                received = Received()
                await client.start_notify(CONTROL_UUID, received)
                await client.write_gatt_char(CONTROL_UUID, b"\x07\x2a", response=True)
                assert await received.until(b"\x80\x07\x01") == [b"\x80\x07\x01"]

        writes = [c for c in peripheral.calls if c[0] == "WriteValue"]
        assert [(w[1], w[2], w[3]["type"]) for w in writes] == [
            (CONTROL_UUID, b"\x07\x2a", "request")
        ]

    run(body())


def test_a_disconnect_by_the_peripheral_reaches_the_central(bluez: BluezMock) -> None:
    async def body() -> None:
        async with MinimalPeripheral(bluez.bus_address) as peripheral:
            device = await scan(bluez)
            disconnected = asyncio.Event()
            client = BleakClient(
                device,
                disconnected_callback=lambda _: disconnected.set(),
                timeout=STEP_TIMEOUT_S,
                **bluez.bleak_args,
            )
            await client.connect()
            try:
                await client.start_notify(DATA_UUID, Received())
                assert await peripheral.connected_centrals() == [bluez.central_path_on_peripheral]

                assert await peripheral.disconnect_centrals() == [bluez.central_path_on_peripheral]
                await asyncio.wait_for(disconnected.wait(), STEP_TIMEOUT_S)
                assert not client.is_connected
                # As BlueZ does, the link's subscriptions end with it.
                await peripheral.data.wait_notifying(False)
                assert await peripheral.connected_centrals() == []
            finally:
                await client.disconnect()

    run(body())


def test_reconnect_after_a_peripheral_disconnect(bluez: BluezMock) -> None:
    async def body() -> None:
        async with MinimalPeripheral(bluez.bus_address) as peripheral:
            device = await scan(bluez)
            disconnected = asyncio.Event()
            first = BleakClient(
                device,
                disconnected_callback=lambda _: disconnected.set(),
                timeout=STEP_TIMEOUT_S,
                **bluez.bleak_args,
            )
            await first.connect()
            try:
                received = Received()
                await first.start_notify(DATA_UUID, received)
                assert await send_and_collect(peripheral, received, [b"\x01"]) == [
                    b"\x01",
                    SENTINEL,
                ]
                await peripheral.disconnect_centrals()
                await asyncio.wait_for(disconnected.wait(), STEP_TIMEOUT_S)
            finally:
                await first.disconnect()

            # As an app does after a link loss: a new client by address (it scans again).
            async with BleakClient(
                bluez.peripheral.address, timeout=STEP_TIMEOUT_S, **bluez.bleak_args
            ) as second:
                received = Received()
                indications = Received()
                await second.start_notify(DATA_UUID, received)
                await second.start_notify(CONTROL_UUID, indications)
                values = [bytes([0x10 + i]) for i in range(5)]
                assert await send_and_collect(peripheral, received, values) == [
                    *values,
                    SENTINEL,
                ]
                await second.write_gatt_char(CONTROL_UUID, b"\x01", response=True)
                await second.write_gatt_char(CONTROL_UUID, b"\x02", response=True)
                assert await indications.until(b"\x80\x02\x01") == [
                    b"\x80\x01\x01",
                    b"\x80\x02\x01",
                ]

    run(body())


def test_reconnect_after_a_central_disconnect(bluez: BluezMock) -> None:
    async def body() -> None:
        async with MinimalPeripheral(bluez.bus_address) as peripheral:
            device = await scan(bluez)
            client = BleakClient(device, timeout=STEP_TIMEOUT_S, **bluez.bleak_args)
            for round_ in range(3):
                # The same client connects again, to the same D-Bus path (no scan).
                await client.connect()
                try:
                    received = Received()
                    await client.start_notify(DATA_UUID, received)
                    values = [bytes([round_, i]) for i in range(3)]
                    assert await send_and_collect(peripheral, received, values) == [
                        *values,
                        SENTINEL,
                    ]
                finally:
                    await client.disconnect()
                await peripheral.data.wait_notifying(False)

    run(body())
