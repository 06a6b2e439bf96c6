"""The treadmill client's own logic, fed notifications by hand (no Bluetooth needed)."""

from __future__ import annotations

import asyncio

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
from retrocoach.protocol.ftms import StatusCode, encode_machine_status
from retrocoach.protocol.treadmill_data import TreadmillRecord, encode_treadmill_data


class Listener:
    def __init__(self) -> None:
        self.data: list[TreadmillData] = []
        self.statuses: list[MachineStatus] = []

    def on_treadmill_data(self, data: TreadmillData) -> None:
        self.data.append(data)

    def on_machine_status(self, status: MachineStatus) -> None:
        self.statuses.append(status)

    def on_control_result(self, request: ControlRequest, result: ControlResult, t: float) -> None:
        pass

    def on_link_state(self, role: Role, state: LinkState, t: float) -> None:
        pass

    def on_heart_rate(self, data: HeartRateData) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def client() -> tuple[BleTreadmill, Listener, Clock]:
    clock = Clock()
    treadmill = BleTreadmill("AA:BB:CC:DD:EE:FF", clock=clock)  # never connected
    listener = Listener()
    treadmill.attach(listener)
    return treadmill, listener, clock


def packet(kmh: float, distance: int = 0) -> bytes:
    return encode_treadmill_data(TreadmillRecord(speed_kmh=kmh, total_distance_m=distance))


def test_malformed_packets_are_counted_and_skipped_without_raising() -> None:
    treadmill, listener, _ = client()
    for bad in (b"", b"\x00", b"\xff\xff\xff", bytes(3) + b"junk", packet(5.0) + b"\x01\x02"):
        treadmill._on_data(bad)
    assert treadmill.malformed_packets >= 4
    # What was complete got through (the packet with trailing bytes carried a speed).
    assert any(d.speed_kmh == 5.0 for d in listener.data)
    treadmill._on_status(b"")
    treadmill._on_indication(b"\x80")
    assert treadmill.malformed_packets >= 6


def test_a_belt_settled_away_from_the_target_is_reported_as_the_runners_change() -> None:
    treadmill, listener, clock = client()
    treadmill._on_status(encode_machine_status(StatusCode.STARTED_OR_RESUMED_BY_USER))
    treadmill._on_status(encode_machine_status(StatusCode.TARGET_SPEED_CHANGED, 8.0))
    # Ramping toward 8: off target but moving, so nothing is said.
    for kmh in (3.0, 4.0, 5.0, 6.0, 7.0, 8.0):
        clock.t += 1
        treadmill._on_data(packet(kmh))
    codes = [s.code for s in listener.statuses]
    assert codes.count(StatusCode.TARGET_SPEED_CHANGED) == 1  # only the machine's own
    # Someone pressed "-" on the console of a machine that does not report it.
    for _ in range(5):
        clock.t += 1
        treadmill._on_data(packet(6.5))
    changes = [s for s in listener.statuses if s.code == StatusCode.TARGET_SPEED_CHANGED]
    assert len(changes) == 2 and changes[-1].value == 6.5


def test_a_target_sent_to_a_standing_belt_is_held_until_it_runs() -> None:
    async def scenario() -> None:
        treadmill, _, _ = client()
        result = await treadmill._execute(ControlRequest(ControlOp.SET_SPEED, 7.0))
        assert result is ControlResult.SUCCESS  # accepted, held: nothing was written
        assert treadmill._queue.empty()
        treadmill._on_status(encode_machine_status(StatusCode.STARTED_OR_RESUMED_BY_USER))
        held = treadmill._queue.get_nowait()
        assert held == ControlRequest(ControlOp.SET_SPEED, 7.0)

    asyncio.run(scenario())


def test_commands_are_clamped_to_the_machines_range_and_step() -> None:
    treadmill, _, _ = client()
    assert treadmill._clamped(ControlRequest(ControlOp.SET_SPEED, 25.0)).value == 20.0
    assert treadmill._clamped(ControlRequest(ControlOp.SET_SPEED, 6.04)).value == 6.0
    assert treadmill._clamped(ControlRequest(ControlOp.SET_INCLINE, 2.2)).value == 2.0
    assert treadmill._clamped(ControlRequest(ControlOp.SET_INCLINE, -3)).value == 0.0


def test_two_links_to_one_device_take_turns_connecting(monkeypatch: object) -> None:
    # A treadmill that also serves the heart rate is one device: BlueZ refuses a second
    # connect while the first is under way (and bleak's answer drops both).
    import pytest

    from retrocoach.devices import ble_link
    from retrocoach.devices.ble_strap import BleHeartRateStrap

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    connecting: list[str] = []
    overlaps: list[tuple[str, ...]] = []

    class FakeClient:
        def __init__(self, target: str, **_: object) -> None:
            self.address = target
            self.is_connected = False

        async def connect(self) -> None:
            connecting.append(self.address)
            if len(connecting) > 1:
                overlaps.append(tuple(connecting))
            await asyncio.sleep(0.02)
            connecting.remove(self.address)
            self.is_connected = True

        async def disconnect(self) -> None:
            self.is_connected = False

    async def nothing(self: object, client: object) -> None:
        await asyncio.sleep(0.01)

    monkeypatch.setattr(ble_link, "BleakClient", FakeClient)
    monkeypatch.setattr(BleTreadmill, "on_connected", nothing)
    monkeypatch.setattr(BleHeartRateStrap, "on_connected", nothing)

    async def both() -> list[bool]:
        treadmill = BleTreadmill("AA:BB:CC:DD:EE:FF", clock=Clock())
        strap = BleHeartRateStrap("aa:bb:cc:dd:ee:ff", clock=Clock())
        treadmill.connect(0.0)
        strap.connect(0.0)
        for _ in range(100):
            await asyncio.sleep(0.01)
            if treadmill.connected and strap.connected:
                break
        up = [treadmill.connected, strap.connected]
        await treadmill.aclose()
        await strap.aclose()
        return up

    assert asyncio.run(both()) == [True, True]
    assert overlaps == []
