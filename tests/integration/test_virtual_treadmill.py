"""The real bleak client on hci1 against `VirtualTreadmill` on hci0, over bluezoo.

What an FTMS app sees of the virtual treadmill: the advertisement, the feature and the
ranges, Treadmill Data at 1 Hz, every control point request answered by its indication
(and the machine status that goes with it), errors for what a treadmill cannot do, the
safety key, the heart rate, a link loss from the treadmill's side; and the app's own
`BleTreadmill` / `BleHeartRateStrap` driving it.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import sys
import time
from asyncio.subprocess import PIPE, STDOUT
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from bleak import BleakClient, BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bleak.exc import BleakError
from bluez_mock import BluezMock

from retrocoach.devices.ble_strap import BleHeartRateStrap
from retrocoach.devices.ble_treadmill import BleTreadmill
from retrocoach.devices.ports import (
    ControlOp,
    ControlRequest,
    ControlResult,
    HeartRateData,
    LinkState,
    MachineStatus,
    Role,
    TreadmillData,
)
from retrocoach.devices.simulator import SimulatedTreadmill
from retrocoach.devices.uuids import (
    BODY_SENSOR_LOCATION,
    FITNESS_MACHINE_CONTROL_POINT,
    FITNESS_MACHINE_FEATURE,
    FITNESS_MACHINE_STATUS,
    FTMS_SERVICE,
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
    SUPPORTED_INCLINATION_RANGE,
    SUPPORTED_SPEED_RANGE,
    TRAINING_STATUS,
    TREADMILL_DATA,
)
from retrocoach.peripheral.cli import main_virtual_treadmill
from retrocoach.peripheral.virtual_treadmill import FTMS_SERVICE_DATA, VirtualTreadmill
from retrocoach.protocol import ftms
from retrocoach.protocol.ftms import MachineFeature, StatusCode, TargetSettingFeature
from retrocoach.protocol.heart_rate import decode_body_sensor_location, decode_heart_rate
from retrocoach.protocol.treadmill_data import TreadmillRecord, decode_treadmill_data

TEST_TIMEOUT_S = 9.0
STEP_TIMEOUT_S = 3.0
NAME = "RC Virtual"


def fast_belt() -> SimulatedTreadmill:
    """A belt that reaches its targets in a fraction of a second and reports at 5 Hz, so a
    test of every command stays short (the 1 Hz test uses the default simulator)."""
    return SimulatedTreadmill(
        acceleration_kmh_per_s=20.0,
        deceleration_kmh_per_s=20.0,
        stop_deceleration_kmh_per_s=20.0,
        notify_interval_s=0.2,
    )


def run(body: Coroutine[Any, Any, None], timeout: float = TEST_TIMEOUT_S) -> None:
    """Run one test body in a fresh event loop (and so a fresh bleak manager)."""

    async def bounded() -> None:
        async with asyncio.timeout(timeout):
            await body

    asyncio.run(bounded())


class Inbox:
    """Values delivered to a bleak notification callback, read in order."""

    def __init__(self) -> None:
        self.values: list[tuple[float, bytes]] = []
        self.cursor = 0
        self._changed = asyncio.Event()

    def __call__(self, _characteristic: object, value: bytearray) -> None:
        self.values.append((time.monotonic(), bytes(value)))
        self._changed.set()

    async def next(self, timeout: float = STEP_TIMEOUT_S) -> bytes:
        """The next value not read yet (waits for it)."""
        return await self.until(lambda _: True, timeout)

    async def until(
        self, wanted: Callable[[bytes], bool], timeout: float = STEP_TIMEOUT_S
    ) -> bytes:
        """The next value for which `wanted` is true; the ones before it are skipped."""
        async with asyncio.timeout(timeout):
            while True:
                while self.cursor < len(self.values):
                    value = self.values[self.cursor][1]
                    self.cursor += 1
                    if wanted(value):
                        return value
                self._changed.clear()
                await self._changed.wait()

    def skip_all(self) -> None:
        self.cursor = len(self.values)


async def scan(bluez: BluezMock) -> tuple[BLEDevice, AdvertisementData]:
    found: asyncio.Future[tuple[BLEDevice, AdvertisementData]]
    found = asyncio.get_running_loop().create_future()

    def seen(device: BLEDevice, adv: AdvertisementData) -> None:
        if FTMS_SERVICE in adv.service_uuids and adv.local_name == NAME and not found.done():
            found.set_result((device, adv))

    async with BleakScanner(seen, service_uuids=[FTMS_SERVICE], **bluez.bleak_args):
        return await asyncio.wait_for(found, STEP_TIMEOUT_S)


def virtual(bluez: BluezMock, **kwargs: Any) -> VirtualTreadmill:
    return VirtualTreadmill(bluez.bus_address, adapter=bluez.peripheral.name, name=NAME, **kwargs)


def connect(bluez: BluezMock, device: BLEDevice, **kwargs: Any) -> BleakClient:
    return BleakClient(device, timeout=STEP_TIMEOUT_S, **kwargs, **bluez.bleak_args)


def data(value: bytes) -> TreadmillRecord:
    record = decode_treadmill_data(value)
    assert record.problems == (), (value.hex(" "), record.problems)
    return record


def status(code: StatusCode, *values: float) -> bytes:
    return ftms.encode_machine_status(code, *values)


def response(op: int, result: int) -> bytes:
    return ftms.encode_control_response(op, result)


OK, NOT_SUPPORTED, INVALID, FAILED, NOT_PERMITTED = (0x01, 0x02, 0x03, 0x04, 0x05)


class ControlPoint:
    """Writes requests and reads their indications, in order."""

    def __init__(self, client: BleakClient) -> None:
        self.client = client
        self.indications = Inbox()

    async def subscribe(self) -> ControlPoint:
        await self.client.start_notify(FITNESS_MACHINE_CONTROL_POINT, self.indications)
        return self

    async def send(self, request: bytes) -> bytes:
        await self.client.write_gatt_char(FITNESS_MACHINE_CONTROL_POINT, request, response=True)
        return await self.indications.next()


def test_a_scan_finds_it_by_ftms_uuid_and_name(bluez: BluezMock) -> None:
    async def body() -> None:
        async with virtual(bluez):
            device, adv = await scan(bluez)
        assert device.address == bluez.peripheral.address
        assert device.name == NAME
        assert adv.service_uuids == [FTMS_SERVICE]
        # FTMS service data: a fitness machine is available, and it is a treadmill.
        assert adv.service_data == {FTMS_SERVICE: FTMS_SERVICE_DATA}

    run(body())


def test_feature_and_ranges_read_as_the_simulators_limits(bluez: BluezMock) -> None:
    async def body() -> None:
        async with virtual(bluez):
            device, _ = await scan(bluez)
            async with connect(bluez, device) as client:
                service = client.services.get_service(FTMS_SERVICE)
                assert service is not None
                props = {c.uuid: sorted(c.properties) for c in service.characteristics}
                assert props == {
                    FITNESS_MACHINE_FEATURE: ["read"],
                    TREADMILL_DATA: ["notify"],
                    TRAINING_STATUS: ["notify", "read"],
                    SUPPORTED_SPEED_RANGE: ["read"],
                    SUPPORTED_INCLINATION_RANGE: ["read"],
                    FITNESS_MACHINE_CONTROL_POINT: ["indicate", "write"],
                    FITNESS_MACHINE_STATUS: ["notify"],
                }
                assert client.services.get_service(HEART_RATE_SERVICE) is None

                feature = ftms.decode_feature(await client.read_gatt_char(FITNESS_MACHINE_FEATURE))
                speed = ftms.decode_speed_range(await client.read_gatt_char(SUPPORTED_SPEED_RANGE))
                incline = ftms.decode_incline_range(
                    await client.read_gatt_char(SUPPORTED_INCLINATION_RANGE)
                )
                training = ftms.decode_training_status(await client.read_gatt_char(TRAINING_STATUS))

        assert feature.problems == ()
        assert feature.machine == {
            MachineFeature.TOTAL_DISTANCE,
            MachineFeature.INCLINATION,
            MachineFeature.ELAPSED_TIME,
        }
        assert feature.targets == {TargetSettingFeature.SPEED, TargetSettingFeature.INCLINATION}
        assert (speed.min_kmh, speed.max_kmh, speed.step_kmh, speed.problems) == (0.8, 20, 0.1, ())
        assert (incline.min_pct, incline.max_pct, incline.step_pct, incline.problems) == (
            0,
            15,
            0.5,
            (),
        )
        assert training.name == "idle"

    run(body())


def test_treadmill_data_arrives_at_1_hz(bluez: BluezMock) -> None:
    async def body() -> None:
        async with virtual(bluez) as vt:
            device, _ = await scan(bluez)
            async with connect(bluez, device) as client:
                inbox = Inbox()
                await client.start_notify(TREADMILL_DATA, inbox)
                records = [data(await inbox.next()) for _ in range(3)]
            sent = vt.notifications_sent
        times = [t for t, _ in inbox.values[:3]]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert all(0.8 < gap < 1.2 for gap in gaps), gaps
        for record in records:
            assert record.speed_kmh == 0
            assert record.total_distance_m == 0
            assert record.inclination_pct == 0
            assert record.ramp_angle_deg == 0
            assert record.elapsed_time_s == 0
        assert sent >= 3

    run(body())


def test_every_control_point_request_gets_its_indication(bluez: BluezMock) -> None:
    async def body() -> None:
        async with virtual(bluez, treadmill=fast_belt()) as vt:
            device, _ = await scan(bluez)
            async with connect(bluez, device) as client:
                statuses, belt, training = Inbox(), Inbox(), Inbox()
                await client.start_notify(FITNESS_MACHINE_STATUS, statuses)
                await client.start_notify(TREADMILL_DATA, belt)
                await client.start_notify(TRAINING_STATUS, training)
                cp = await ControlPoint(client).subscribe()

                # No control yet: refused.
                assert await cp.send(ftms.encode_set_target_speed(8.0)) == response(
                    0x02, NOT_PERMITTED
                )
                assert await cp.send(ftms.encode_request_control()) == response(0x00, OK)

                assert await cp.send(ftms.encode_start_or_resume()) == response(0x07, OK)
                assert await statuses.next() == status(StatusCode.STARTED_OR_RESUMED_BY_USER)
                assert ftms.decode_training_status(await training.next()).name == "manual_mode"

                assert await cp.send(ftms.encode_set_target_speed(8.0)) == response(0x02, OK)
                assert await statuses.next() == status(StatusCode.TARGET_SPEED_CHANGED, 8.0)
                await belt.until(lambda v: data(v).speed_kmh == 8.0)

                assert await cp.send(ftms.encode_set_target_inclination(2.0)) == response(0x03, OK)
                assert await statuses.next() == status(StatusCode.TARGET_INCLINE_CHANGED, 2.0)
                # The incline motor is slow (0.1 %/s): it has started to climb.
                record = data(await belt.until(lambda v: (data(v).inclination_pct or 0) > 0))
                assert record.ramp_angle_deg is not None and record.ramp_angle_deg >= 0

                # Outside 0.8-20 km/h: refused, and nothing changes.
                assert await cp.send(ftms.encode_set_target_speed(25.0)) == response(0x02, INVALID)
                assert vt.treadmill.target_speed_kmh == 8.0

                assert await cp.send(ftms.encode_stop_or_pause(ftms.StopPauseParam.PAUSE)) == (
                    response(0x08, OK)
                )
                assert await statuses.next() == status(StatusCode.STOPPED_OR_PAUSED_BY_USER, 2)
                await belt.until(lambda v: data(v).speed_kmh == 0)
                assert await cp.send(ftms.encode_start_or_resume()) == response(0x07, OK)
                assert await statuses.next() == status(StatusCode.STARTED_OR_RESUMED_BY_USER)
                await belt.until(lambda v: data(v).speed_kmh == 8.0)  # a pause keeps the target

                assert await cp.send(ftms.encode_stop_or_pause(ftms.StopPauseParam.STOP)) == (
                    response(0x08, OK)
                )
                assert await statuses.next() == status(StatusCode.STOPPED_OR_PAUSED_BY_USER, 1)
                record = data(await belt.until(lambda v: data(v).speed_kmh == 0))
                assert record.total_distance_m is not None and record.total_distance_m > 0
                assert record.elapsed_time_s is not None and record.elapsed_time_s >= 1
                assert await cp.send(ftms.encode_reset()) == response(0x01, OK)
                assert await statuses.next() == status(StatusCode.RESET)
                # A reset gives control up.
                assert await cp.send(ftms.encode_start_or_resume()) == response(0x07, NOT_PERMITTED)
        # Running (manual mode) from each start to the next pause or stop.
        names = [ftms.decode_training_status(v).name for _, v in training.values]
        assert names == ["manual_mode", "idle", "manual_mode", "idle"]

    run(body())


def test_malformed_and_unsupported_requests_are_answered_and_harmless(bluez: BluezMock) -> None:
    async def body() -> None:
        async with virtual(bluez) as vt:
            device, _ = await scan(bluez)
            async with connect(bluez, device) as client:
                # FTMS: a write before indications are enabled is refused (an ATT error).
                with pytest.raises(BleakError):
                    await client.write_gatt_char(
                        FITNESS_MACHINE_CONTROL_POINT, ftms.encode_request_control(), response=True
                    )
                cp = await ControlPoint(client).subscribe()
                assert await cp.send(bytes([0x30])) == response(0x30, NOT_SUPPORTED)  # reserved
                # A bike's request, well-formed, but not a treadmill's.
                assert await cp.send(ftms.encode_control_request(0x05, 150)) == response(
                    0x05, NOT_SUPPORTED
                )
                assert await cp.send(b"\x80\x00\x01") == response(0x80, NOT_SUPPORTED)
                assert await cp.send(b"\x02\x20") == response(0x02, INVALID)  # truncated
                assert await cp.send(b"\x02\x20\x03\x00") == response(0x02, INVALID)  # too long
                assert await cp.send(b"\x08\x07") == response(0x08, INVALID)  # reserved stop/pause
                assert await cp.send(b"\x00\x00") == response(0x00, INVALID)  # trailing byte
                with pytest.raises(BleakError):
                    await client.write_gatt_char(FITNESS_MACHINE_CONTROL_POINT, b"", response=True)

                # Still a working treadmill.
                assert await cp.send(ftms.encode_request_control()) == response(0x00, OK)
                assert await cp.send(ftms.encode_set_target_inclination(1.0)) == response(0x03, OK)
                assert cp.indications.values[-1][1] == response(0x03, OK)
        assert vt.commands_received == 11
        assert vt.rejected_commands == 9
        assert vt.treadmill.has_control is False  # given up when the central left

    run(body())


def test_pulling_the_safety_key_is_reported(bluez: BluezMock) -> None:
    async def body() -> None:
        async with virtual(bluez, treadmill=fast_belt()) as vt:
            device, _ = await scan(bluez)
            async with connect(bluez, device) as client:
                statuses, belt = Inbox(), Inbox()
                await client.start_notify(FITNESS_MACHINE_STATUS, statuses)
                await client.start_notify(TREADMILL_DATA, belt)
                cp = await ControlPoint(client).subscribe()
                assert await cp.send(ftms.encode_request_control()) == response(0x00, OK)
                assert await cp.send(ftms.encode_start_or_resume()) == response(0x07, OK)
                await belt.until(lambda v: (data(v).speed_kmh or 0) > 0)
                statuses.skip_all()

                vt.treadmill.pull_safety_key(vt.clock())
                assert await statuses.next() == status(StatusCode.STOPPED_BY_SAFETY_KEY)
                await belt.until(lambda v: data(v).speed_kmh == 0)
                # The key is out: the belt cannot be started from the app.
                assert await cp.send(ftms.encode_start_or_resume()) == response(0x07, FAILED)

                # The console's own changes reach the app too.
                vt.treadmill.insert_safety_key(vt.clock())
                vt.treadmill.console_set_speed(6.0, vt.clock())
                assert await statuses.next() == status(StatusCode.TARGET_SPEED_CHANGED, 6.0)
                vt.treadmill.revoke_control(vt.clock())
                assert await statuses.next() == status(StatusCode.CONTROL_PERMISSION_LOST)
        # Stopped, the machine's console still works; nothing goes out any more.
        sent = vt.notifications_sent
        vt.treadmill.pull_safety_key(vt.clock())
        assert vt.notifications_sent == sent

    run(body())


def test_heart_rate_is_served_beside_the_treadmill(bluez: BluezMock) -> None:
    async def body() -> None:
        async with virtual(bluez, with_hrm=True) as vt:
            device, adv = await scan(bluez)
            # One advertisement carries both services.
            assert sorted(adv.service_uuids) == sorted([FTMS_SERVICE, HEART_RATE_SERVICE])
            async with connect(bluez, device) as client:
                where = await client.read_gatt_char(BODY_SENSOR_LOCATION)
                assert decode_body_sensor_location(where).name == "chest"
                inbox = Inbox()
                await client.start_notify(HEART_RATE_MEASUREMENT, inbox)
                record = decode_heart_rate(
                    await inbox.until(lambda v: bool(decode_heart_rate(v).rr_s))
                )
        assert vt.strap is not None
        assert record.problems == ()
        assert record.contact is True
        assert record.bpm is not None and 50 <= record.bpm <= 75  # a runner standing still
        assert all(0.7 < rr < 1.3 for rr in record.rr_s), record.rr_s

    run(body())


def test_a_link_loss_from_the_treadmills_side_reaches_the_central(bluez: BluezMock) -> None:
    async def body() -> None:
        async with virtual(bluez) as vt:
            device, _ = await scan(bluez)
            disconnected = asyncio.Event()
            client = connect(bluez, device, disconnected_callback=lambda _: disconnected.set())
            await client.connect()
            try:
                cp = await ControlPoint(client).subscribe()
                assert await cp.send(ftms.encode_request_control()) == response(0x00, OK)
                had_control = vt.treadmill.has_control
                assert await vt.disconnect_centrals() == [bluez.central_path_on_peripheral]
                await asyncio.wait_for(disconnected.wait(), STEP_TIMEOUT_S)
            finally:
                await client.disconnect()
            assert not vt.control_point.notifying
            # Control belonged to that connection.
            assert (had_control, vt.treadmill.has_control) == (True, False)
            assert vt.centrals == set()

    run(body())


class Recorder:
    """The station's side of the app's BLE devices: everything they report."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self._changed = asyncio.Event()

    def _add(self, event: Any) -> None:
        self.events.append(event)
        self._changed.set()

    def on_treadmill_data(self, data: TreadmillData) -> None:
        self._add(data)

    def on_machine_status(self, status: MachineStatus) -> None:
        self._add(status)

    def on_control_result(self, request: ControlRequest, result: ControlResult, t: float) -> None:
        self._add((request, result))  # a tuple, like a link state

    def on_link_state(self, role: Role, state: LinkState, t: float) -> None:
        self._add((role, state))

    def on_heart_rate(self, data: HeartRateData) -> None:
        self._add(data)

    async def until(self, wanted: Callable[[Any], bool], timeout: float = STEP_TIMEOUT_S) -> Any:
        async with asyncio.timeout(timeout):
            seen = 0
            while True:
                for event in self.events[seen:]:
                    if wanted(event):
                        return event
                seen = len(self.events)
                self._changed.clear()
                await self._changed.wait()


def test_the_apps_own_ble_devices_drive_it(bluez: BluezMock) -> None:
    async def body() -> None:
        async with virtual(bluez, with_hrm=True, treadmill=fast_belt()):
            await scan(bluez)  # so that hci1 knows the address
            address = bluez.peripheral.address
            treadmill = BleTreadmill(address, adapter=bluez.central.name)
            strap = BleHeartRateStrap(address, adapter=bluez.central.name)
            seen = Recorder()
            treadmill.attach(seen)
            strap.attach(seen)
            treadmill.connect(time.monotonic())
            strap.connect(time.monotonic())
            try:
                await seen.until(lambda e: e == (Role.TREADMILL, LinkState.CONNECTED))
                assert treadmill.limits.speed_max_kmh == 20.0
                assert treadmill.limits.incline_step_pct == 0.5
                treadmill.submit(ControlRequest(ControlOp.START), time.monotonic())
                started = await seen.until(
                    lambda e: isinstance(e, tuple) and e[0] == ControlRequest(ControlOp.START)
                )
                assert started == (ControlRequest(ControlOp.START), ControlResult.SUCCESS)
                treadmill.submit(ControlRequest(ControlOp.SET_SPEED, 5.0), time.monotonic())
                await seen.until(lambda e: isinstance(e, TreadmillData) and e.speed_kmh == 5.0)
                beat = await seen.until(lambda e: isinstance(e, HeartRateData))
                assert beat.bpm is not None
            finally:
                await treadmill.aclose()
                await strap.aclose()
        assert treadmill.malformed_packets == 0
        assert strap.sensor_location == "chest"

    run(body())


def test_the_command_serves_until_interrupted(bluez: BluezMock) -> None:
    """`retrocoach virtual-treadmill` on the "system" bus (here the private one, through
    DBUS_SYSTEM_BUS_ADDRESS), stopped by Ctrl-C."""

    async def body() -> None:
        script = (
            "import sys\n"
            "from retrocoach.peripheral.cli import main_virtual_treadmill\n"
            f"sys.exit(main_virtual_treadmill(True, {bluez.peripheral.name!r}, {NAME!r}))\n"
        )
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-u", "-c", script, stdout=PIPE, stderr=STDOUT
        )
        lines: list[str] = []

        async def read_until(text: str) -> None:
            assert proc.stdout is not None
            while not any(text in line for line in lines):
                line = await asyncio.wait_for(proc.stdout.readline(), STEP_TIMEOUT_S)
                assert line, "the command ended early:\n" + "".join(lines)
                lines.append(line.decode())

        try:
            await read_until("Ctrl-C to stop")
            device, _ = await scan(bluez)
            async with connect(bluez, device) as client:
                cp = await ControlPoint(client).subscribe()
                assert await cp.send(ftms.encode_request_control()) == response(0x00, OK)
            await read_until("disconnected")
            proc.send_signal(signal.SIGINT)
            assert proc.stdout is not None
            rest = await asyncio.wait_for(proc.stdout.read(), STEP_TIMEOUT_S)
            lines.append(rest.decode())
            assert await proc.wait() == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        out = "".join(lines)
        assert f"'{NAME}' is a Bluetooth FTMS treadmill with a heart-rate strap on hci0" in out
        assert f"central {bluez.central.address} connected" in out
        assert "command request_control: success" in out
        assert "stopped after 0.00 km on the belt; 1 commands" in out

    run(body())


def test_the_command_names_a_missing_adapter(
    bluez: BluezMock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main_virtual_treadmill(False, "hci7", NAME) == 2
    assert "no Bluetooth adapter 'hci7' (found: hci0, hci1)" in capsys.readouterr().err
