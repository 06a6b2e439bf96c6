"""The app's own Bluetooth clients (real bleak underneath) against the virtual treadmill,
over a private D-Bus and the BlueZ mock: what a session on a real machine relies on."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import pytest
from bluez_mock import BluezMock

from retrocoach.coach.events import Event
from retrocoach.devices import scanner
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
from retrocoach.peripheral.virtual_treadmill import VirtualTreadmill
from retrocoach.protocol.ftms import StatusCode
from retrocoach.station import RealClock, Station, run
from retrocoach.workouts.model import Direction, Gait, Step, TimeEnd, Workout
from retrocoach.workouts.profile import RunnerProfile

CENTRAL = "hci1"


class Recorder:
    """A device listener that keeps everything and lets a test wait for a condition."""

    def __init__(self) -> None:
        self.data: list[TreadmillData] = []
        self.statuses: list[MachineStatus] = []
        self.results: list[tuple[ControlRequest, ControlResult]] = []
        self.links: list[tuple[Role, LinkState]] = []
        self.heart: list[HeartRateData] = []
        self._changed = asyncio.Event()

    def _poke(self) -> None:
        self._changed.set()

    def on_treadmill_data(self, data: TreadmillData) -> None:
        self.data.append(data)
        self._poke()

    def on_machine_status(self, status: MachineStatus) -> None:
        self.statuses.append(status)
        self._poke()

    def on_control_result(self, request: ControlRequest, result: ControlResult, t: float) -> None:
        self.results.append((request, result))
        self._poke()

    def on_link_state(self, role: Role, state: LinkState, t: float) -> None:
        self.links.append((role, state))
        self._poke()

    def on_heart_rate(self, data: HeartRateData) -> None:
        self.heart.append(data)
        self._poke()

    async def until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("timed out waiting for a condition")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 0.2))

    async def result_of(self, treadmill: BleTreadmill, request: ControlRequest) -> ControlResult:
        before = len(self.results)
        treadmill.submit(request, time.monotonic())
        await self.until(lambda: len(self.results) > before)
        return self.results[before][1]


def run_async(test: Callable[[], Coroutine[Any, Any, None]], timeout: float = 30.0) -> None:
    asyncio.run(asyncio.wait_for(test(), timeout))


async def started(bluez: BluezMock, *, with_hrm: bool = False) -> VirtualTreadmill:
    vt = VirtualTreadmill(
        bus_address=bluez.bus_address, adapter=bluez.peripheral.name, with_hrm=with_hrm
    )
    await vt.start()
    return vt


async def connected_treadmill(
    bluez: BluezMock,
    vt: VirtualTreadmill,
    *,
    listener: Recorder | None = None,
    backoff_s: float = 0.3,
) -> tuple[BleTreadmill, Recorder]:
    rec = listener if listener is not None else Recorder()
    treadmill = BleTreadmill(bluez.peripheral.address, adapter=CENTRAL, backoff_s=(backoff_s,))
    treadmill.attach(rec)
    treadmill.connect(time.monotonic())
    await rec.until(lambda: (Role.TREADMILL, LinkState.CONNECTED) in rec.links, timeout=10)
    return treadmill, rec


async def closing(*things: Any) -> None:
    for thing in things:
        closer: Callable[[], Awaitable[None]] = getattr(thing, "aclose", None) or thing.stop
        await closer()


def test_scan_finds_the_virtual_treadmill_and_strap(bluez: BluezMock) -> None:
    async def test() -> None:
        vt = await started(bluez, with_hrm=True)
        try:
            found = await scanner.scan(timeout=1.5, adapter=CENTRAL)
            (device,) = [d for d in found if d.address == bluez.peripheral.address]
            assert device.roles == {Role.TREADMILL, Role.HRM}
            assert device.name == vt.name
            assert scanner.pick(found, vt.name.upper(), Role.TREADMILL) == device
        finally:
            await vt.stop()

    run_async(test)


def test_the_client_reads_the_ranges_and_receives_data_once_a_second(bluez: BluezMock) -> None:
    async def test() -> None:
        vt = await started(bluez)
        treadmill, rec = await connected_treadmill(bluez, vt)
        try:
            limits = treadmill.limits
            assert (limits.speed_min_kmh, limits.speed_max_kmh, limits.speed_step_kmh) == (
                0.8,
                20.0,
                0.1,
            )
            assert (limits.incline_min_pct, limits.incline_max_pct, limits.incline_step_pct) == (
                0.0,
                15.0,
                0.5,
            )
            await rec.until(lambda: len(rec.data) >= 3, timeout=5)
            gaps = [b.t - a.t for a, b in zip(rec.data, rec.data[1:], strict=False)]
            assert all(0.6 < gap < 1.5 for gap in gaps)
            assert rec.data[-1].speed_kmh == 0.0 and rec.data[-1].distance_m is not None
            assert treadmill.malformed_packets == 0
        finally:
            await closing(treadmill, vt)

    run_async(test)


def test_every_command_gets_its_answer_and_moves_the_belt(bluez: BluezMock) -> None:
    async def test() -> None:
        vt = await started(bluez)
        treadmill, rec = await connected_treadmill(bluez, vt)
        try:
            ok = ControlResult.SUCCESS
            assert await rec.result_of(treadmill, ControlRequest(ControlOp.REQUEST_CONTROL)) == ok
            # A target sent while the belt stands is held, not a way to start it.
            assert await rec.result_of(treadmill, ControlRequest(ControlOp.SET_SPEED, 6.0)) == ok
            await asyncio.sleep(1.2)
            assert vt.treadmill.belt_speed_kmh == 0
            assert await rec.result_of(treadmill, ControlRequest(ControlOp.START)) == ok
            await rec.until(lambda: (rec.data[-1].speed_kmh or 0) >= 2.0, timeout=8)
            assert vt.treadmill.target_speed_kmh == pytest.approx(6.0)
            assert await rec.result_of(treadmill, ControlRequest(ControlOp.SET_INCLINE, 2.2)) == ok
            assert vt.treadmill.incline_pct <= 2.5  # moving toward 2.0 (the step is 0.5)
            # Beyond the machine's range: clamped to it, not refused.
            assert await rec.result_of(treadmill, ControlRequest(ControlOp.SET_SPEED, 25.0)) == ok
            assert vt.treadmill.target_speed_kmh == pytest.approx(20.0)
            assert await rec.result_of(treadmill, ControlRequest(ControlOp.PAUSE)) == ok
            assert await rec.result_of(treadmill, ControlRequest(ControlOp.STOP)) == ok
            await rec.until(lambda: rec.data[-1].speed_kmh == 0.0, timeout=15)
            codes = [s.code for s in rec.statuses]
            assert StatusCode.STARTED_OR_RESUMED_BY_USER in codes
            assert StatusCode.TARGET_SPEED_CHANGED in codes
            assert StatusCode.STOPPED_OR_PAUSED_BY_USER in codes
            assert await rec.result_of(treadmill, ControlRequest(ControlOp.RESET)) == ok
        finally:
            await closing(treadmill, vt)

    run_async(test)


def test_safety_key_and_lost_control_are_reported_and_refusals_come_back(
    bluez: BluezMock,
) -> None:
    async def test() -> None:
        vt = await started(bluez)
        treadmill, rec = await connected_treadmill(bluez, vt)
        try:
            assert await rec.result_of(treadmill, ControlRequest(ControlOp.START)) is (
                ControlResult.SUCCESS
            )  # control is requested first, by itself
            vt.treadmill.pull_safety_key(time.monotonic())
            await rec.until(
                lambda: any(s.code == StatusCode.STOPPED_BY_SAFETY_KEY for s in rec.statuses)
            )
            # The machine refuses to start without its key: the refusal is reported.
            assert await rec.result_of(treadmill, ControlRequest(ControlOp.START)) is (
                ControlResult.FAILED
            )
            vt.treadmill.insert_safety_key(time.monotonic())
            # Another app took control (the machine says so): the next command asks again.
            vt.treadmill.revoke_control(time.monotonic())
            await rec.until(
                lambda: any(s.code == StatusCode.CONTROL_PERMISSION_LOST for s in rec.statuses)
            )
            assert not vt.treadmill.has_control
            assert await rec.result_of(treadmill, ControlRequest(ControlOp.SET_INCLINE, 1.0)) is (
                ControlResult.SUCCESS
            )
            assert vt.treadmill.has_control
        finally:
            await closing(treadmill, vt)

    run_async(test)


def test_the_strap_reports_heart_rate_rr_and_goes_stale_when_silent(bluez: BluezMock) -> None:
    async def test() -> None:
        vt = await started(bluez, with_hrm=True)
        rec = Recorder()
        strap = BleHeartRateStrap(
            bluez.peripheral.address, adapter=CENTRAL, stale_after_s=1.0, backoff_s=(0.3,)
        )
        strap.attach(rec)
        strap.connect(time.monotonic())
        try:
            await rec.until(lambda: len(rec.heart) >= 3, timeout=10)
            beat = rec.heart[-1]
            assert beat.bpm is not None and 40 < beat.bpm < 120
            assert beat.contact is True and beat.rr_s
            assert strap.sensor_location == "chest"
            assert vt.strap is not None
            vt.strap.drop_link(time.monotonic())  # the strap goes quiet, link still up
            await rec.until(lambda: (Role.HRM, LinkState.STALE) in rec.links, timeout=5)
        finally:
            await closing(strap, vt)

    run_async(test)


class DataTap:
    """Passes everything on to the station, noting when treadmill data arrived."""

    def __init__(self, station: Station) -> None:
        self.station = station
        self.times: list[float] = []

    def on_treadmill_data(self, data: TreadmillData) -> None:
        self.times.append(data.t)
        self.station.on_treadmill_data(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.station, name)


def _short_walk() -> Workout:
    return Workout(
        "bt-walk",
        "Bluetooth walk",
        (Step(Direction.FORWARD, Gait.WALK, TimeEnd(40)),),
    )


def test_a_session_survives_a_lost_link_and_the_belt_is_never_restarted_by_it(
    bluez: BluezMock,
) -> None:
    async def test() -> None:
        vt = await started(bluez, with_hrm=True)
        clock = RealClock()
        treadmill = BleTreadmill(
            bluez.peripheral.address, adapter=CENTRAL, clock=clock.now, backoff_s=(0.3,)
        )
        strap = BleHeartRateStrap(bluez.peripheral.address, adapter=CENTRAL, clock=clock.now)
        events: list[Event] = []
        station = Station(
            _short_walk(), RunnerProfile(), treadmill, strap, now=clock.now(), sinks=[events.append]
        )
        tap = DataTap(station)
        treadmill.attach(tap)  # in front of the station, to time the notifications

        def records() -> list[dict[str, Any]]:
            return [e.record() for e in events]

        station.connect(clock.now())
        session = asyncio.get_running_loop().create_task(run(station, clock))
        try:
            t0 = clock.now()
            while not any(
                r["event"] == "device" and r["role"] == "treadmill" and r["state"] == "connected"
                for r in records()
            ):
                await asyncio.sleep(0.05)
            station.start(clock.now())
            while not any(r["event"] == "segment_start" for r in records()):
                await asyncio.sleep(0.1)
                assert clock.now() - t0 < 20
            await asyncio.sleep(3)
            await vt.disconnect_centrals()
            while not any(r["event"] == "device" and r["state"] == "lost" for r in records()):
                await asyncio.sleep(0.05)
            lost_at = clock.now()
            while (
                sum(
                    r["event"] == "device"
                    and r["role"] == "treadmill"
                    and r["state"] == "connected"
                    for r in records()
                )
                < 2
            ):
                await asyncio.sleep(0.05)
                assert clock.now() - lost_at < 10, "no reconnection"
            await asyncio.sleep(3)
            station.stop(clock.now())
            await asyncio.wait_for(session, 20)
        finally:
            station.close()
            await closing(treadmill, strap, vt)
        log = records()
        assert log[-1]["event"] == "session_end" and log[-1]["reason"] == "stopped"
        starts = [r for r in log if r["event"] == "command" and r["op"] == "start"]
        assert len(starts) == 1, "a reconnect never starts the belt"
        states = [r["state"] for r in log if r["event"] == "device" and r["role"] == "treadmill"]
        assert states[:2] == ["connecting", "connected"] and "lost" in states
        assert states[-1] == "connected"
        # The session went on: samples every second through the gap.
        samples = [r["t"] for r in log if r["event"] == "sample"]
        assert all(0.99 < b - a < 1.01 for a, b in itertools.pairwise(samples))
        # Never a notification twice after the reconnect: the machine sends one a second.
        gaps = [b - a for a, b in zip(tap.times, tap.times[1:], strict=False)]
        assert min(gaps) > 0.5
        # The belt was stopped at the end.
        assert vt.treadmill.belt_speed_kmh < 0.5

    run_async(test, timeout=60)
