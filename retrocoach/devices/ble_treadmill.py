"""An FTMS treadmill over Bluetooth LE (bleak), filling the `Treadmill` port.

On every connection it reads the machine's features and supported ranges, subscribes to
Treadmill Data, Fitness Machine Status and the Control Point's indications, and has no
control until it asks. Commands are sent one at a time: each waits for its indication
(with a timeout) before the next is written, and its result goes to the listener.
Targets are clamped to the machine's range and step. A target speed sent while the belt
stands is held until it runs. A belt that settles away from the target without a status
saying so is reported as the runner's own change (rule 7).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace

from bleak import BleakClient
from bleak.exc import BleakError

from retrocoach.devices.ble_link import BleLink
from retrocoach.devices.ports import (
    ControlOp,
    ControlRequest,
    ControlResult,
    LinkState,
    MachineLimits,
    MachineStatus,
    Role,
    TreadmillData,
    TreadmillListener,
)
from retrocoach.devices.uuids import (
    FITNESS_MACHINE_CONTROL_POINT,
    FITNESS_MACHINE_FEATURE,
    FITNESS_MACHINE_STATUS,
    SUPPORTED_INCLINATION_RANGE,
    SUPPORTED_SPEED_RANGE,
    TREADMILL_DATA,
)
from retrocoach.protocol import ftms
from retrocoach.protocol.ftms import ControlOpCode, StatusCode, StopPauseParam
from retrocoach.protocol.treadmill_data import TreadmillDataMerger

log = logging.getLogger(__name__)

COMMAND_TIMEOUT_S = 3.0
# The belt counts as settled away from the target when it stays this far off, this long.
DEPARTURE_KMH = 0.3
DEPARTURE_S = 3.0
SETTLED_KMH = 0.1  # a belt whose speed moves less than this is settled
LATE_ANSWER_S = 1.0  # how long a late answer is waited for before the next request
MOVING_KMH = 0.05


def _encode(request: ControlRequest) -> bytes:
    op, value = request.op, request.value
    if op is ControlOp.REQUEST_CONTROL:
        return ftms.encode_request_control()
    if op is ControlOp.RESET:
        return ftms.encode_reset()
    if op is ControlOp.START:
        return ftms.encode_start_or_resume()
    if op is ControlOp.STOP:
        return ftms.encode_stop_or_pause(StopPauseParam.STOP)
    if op is ControlOp.PAUSE:
        return ftms.encode_stop_or_pause(StopPauseParam.PAUSE)
    assert value is not None, f"{op} needs a value"
    if op is ControlOp.SET_SPEED:
        return ftms.encode_set_target_speed(value)
    return ftms.encode_set_target_inclination(value)


_OPCODES = {
    ControlOp.REQUEST_CONTROL: ControlOpCode.REQUEST_CONTROL,
    ControlOp.RESET: ControlOpCode.RESET,
    ControlOp.START: ControlOpCode.START_OR_RESUME,
    ControlOp.STOP: ControlOpCode.STOP_OR_PAUSE,
    ControlOp.PAUSE: ControlOpCode.STOP_OR_PAUSE,
    ControlOp.SET_SPEED: ControlOpCode.SET_TARGET_SPEED,
    ControlOp.SET_INCLINE: ControlOpCode.SET_TARGET_INCLINATION,
}


def _on_step(value: float, low: float, high: float, step: float) -> float:
    value = min(max(value, low), high)
    if step > 0:
        value = low + round((value - low) / step) * step
    return round(min(value, high), 2)


class BleTreadmill(BleLink):
    role = Role.TREADMILL

    def __init__(
        self, *args: object, command_timeout_s: float = COMMAND_TIMEOUT_S, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.command_timeout_s = command_timeout_s
        self._listener: TreadmillListener | None = None
        self._limits = MachineLimits()
        self.features: ftms.FeatureRecord | None = None
        self._queue: asyncio.Queue[ControlRequest] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._pending: tuple[int, asyncio.Future[ControlResult]] | None = None
        self._merger = TreadmillDataMerger()
        self._has_control = False
        self._running = False  # the belt was started and not stopped since
        self._belt_kmh: float | None = None
        self._target_kmh: float | None = None  # what we last asked for
        self._held_kmh: float | None = None  # asked for while the belt stood
        self._off_target_since: float | None = None
        self._off_target_kmh = 0.0  # the belt's speed when it settled off target
        self._late: dict[int, asyncio.Event] = {}  # op codes whose answer is overdue

    # -- the port

    @property
    def limits(self) -> MachineLimits:
        return self._limits

    def attach(self, listener: TreadmillListener) -> None:
        self._listener = listener

    def connect(self, now: float) -> None:
        super().connect(now)
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._send_commands())

    def submit(self, request: ControlRequest, now: float) -> None:
        self._queue.put_nowait(request)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
        super().close()

    def report_state(self, state: LinkState) -> None:
        if self._listener is not None:
            self._listener.on_link_state(Role.TREADMILL, state, self.clock())

    # -- a connection

    async def on_connected(self, client: BleakClient) -> None:
        self._forget_belt()
        with contextlib.suppress(BleakError):
            self.features = ftms.decode_feature(
                await client.read_gatt_char(FITNESS_MACHINE_FEATURE)
            )
        self._limits = await self._read_limits(client)
        await self.subscribe(client, TREADMILL_DATA, self._on_data)
        await self.subscribe(client, FITNESS_MACHINE_STATUS, self._on_status)
        await self.subscribe(client, FITNESS_MACHINE_CONTROL_POINT, self._on_indication)

    def _forget_belt(self) -> None:
        """What we knew of the belt belongs to a connection that is gone: a new one
        learns it again from fresh data (so a target is held until the belt runs)."""
        self._has_control = False
        self._merger.reset()
        self._running = False
        self._belt_kmh = None
        self._target_kmh = None
        self._off_target_since = None

    def on_disconnected(self) -> None:
        self._forget_belt()
        if self._pending is not None and not self._pending[1].done():
            self._pending[1].set_result(ControlResult.TIMEOUT)

    async def _read_limits(self, client: BleakClient) -> MachineLimits:
        limits = MachineLimits()
        with contextlib.suppress(BleakError):
            speed = ftms.decode_speed_range(await client.read_gatt_char(SUPPORTED_SPEED_RANGE))
            if not speed.problems and speed.min_kmh is not None and speed.max_kmh is not None:
                limits = replace(
                    limits,
                    speed_min_kmh=speed.min_kmh,
                    speed_max_kmh=speed.max_kmh,
                    speed_step_kmh=speed.step_kmh or limits.speed_step_kmh,
                )
        with contextlib.suppress(BleakError):
            incline = ftms.decode_incline_range(
                await client.read_gatt_char(SUPPORTED_INCLINATION_RANGE)
            )
            if not incline.problems and incline.min_pct is not None and incline.max_pct is not None:
                limits = replace(
                    limits,
                    incline_min_pct=incline.min_pct,
                    incline_max_pct=incline.max_pct,
                    incline_step_pct=incline.step_pct or limits.incline_step_pct,
                )
        return limits

    # -- notifications

    def _on_data(self, data: bytes) -> None:
        record = self._merger.feed(data)
        if record is None:
            return  # a part of a longer record
        if record.problems:
            self.malformed_packets += 1
            log.debug("%s: treadmill data %s: %s", self.name, data.hex(" "), record.problems)
        if record.speed_kmh is None and record.total_distance_m is None:
            return  # nothing usable
        now = self.clock()
        self._belt_kmh = record.speed_kmh if record.speed_kmh is not None else self._belt_kmh
        if self._listener is not None:
            self._listener.on_treadmill_data(
                TreadmillData(
                    t=now,
                    speed_kmh=record.speed_kmh,
                    incline_pct=record.inclination_pct,
                    distance_m=(
                        float(record.total_distance_m)
                        if record.total_distance_m is not None
                        else None
                    ),
                    elapsed_s=record.elapsed_time_s,
                )
            )
        if self._belt_kmh is not None and self._belt_kmh > MOVING_KMH:
            self._release_held_speed()
        self._watch_departure(now)

    def _on_status(self, data: bytes) -> None:
        status = ftms.decode_machine_status(data)
        if status.problems:
            self.malformed_packets += 1
        if status.code is None:
            return
        code = status.code
        if code in (
            StatusCode.STARTED_OR_RESUMED_BY_USER,
            StatusCode.STOPPED_OR_PAUSED_BY_USER,
            StatusCode.STOPPED_BY_SAFETY_KEY,
            StatusCode.RESET,
        ):
            # A new belt state: no target of ours is known to hold until one is set again
            # (a machine's own start speed is not the runner's change).
            self._target_kmh = None
            self._off_target_since = None
        if code == StatusCode.STARTED_OR_RESUMED_BY_USER:
            self._running = True
            self._release_held_speed()
        elif code in (StatusCode.STOPPED_OR_PAUSED_BY_USER, StatusCode.STOPPED_BY_SAFETY_KEY):
            self._running = False
        if code in (StatusCode.CONTROL_PERMISSION_LOST, StatusCode.RESET):
            self._has_control = False
        elif code == StatusCode.TARGET_SPEED_CHANGED and status.value is not None:
            self._target_kmh = status.value
            self._off_target_since = None
        self._emit_status(code, status.value)

    def _emit_status(self, code: int, value: float | None) -> None:
        if self._listener is not None:
            self._listener.on_machine_status(MachineStatus(self.clock(), code, value))

    def _on_indication(self, data: bytes) -> None:
        response = ftms.decode_control_response(data)
        if response.problems:
            self.malformed_packets += 1
        late = (
            self._late.pop(response.request_op, None) if response.request_op is not None else None
        )
        if late is not None:
            late.set()  # the answer to a request that timed out: not this one's
            return
        pending = self._pending
        if pending is None or response.request_op != pending[0] or pending[1].done():
            log.debug("%s: unexpected control point indication %s", self.name, data.hex(" "))
            return
        pending[1].set_result(ControlResult(response.outcome))

    # -- commands, one at a time

    async def _send_commands(self) -> None:
        # Nothing may end this loop but close(): a STOP queued later must still go out.
        while True:
            request = await self._queue.get()
            try:
                result = await self._execute(request)
            except (BleakError, OSError, EOFError) as exc:
                log.warning("%s: %s failed: %s", self.name, request.op.value, exc)
                result = ControlResult.FAILED
            try:
                if self._listener is not None:
                    self._listener.on_control_result(request, result, self.clock())
            except Exception:
                log.exception("%s: the listener failed on a command result", self.name)

    async def _execute(self, request: ControlRequest) -> ControlResult:
        if request.op is ControlOp.REQUEST_CONTROL and self._has_control:
            return ControlResult.SUCCESS  # once per connection
        request = self._clamped(request)
        if request.op is ControlOp.SET_SPEED and not self._belt_moving():
            # Held until the belt runs: a target is never a way to start the belt.
            assert request.value is not None
            self._held_kmh = request.value
            return ControlResult.SUCCESS
        if request.op is not ControlOp.REQUEST_CONTROL and not self._has_control:
            result = await self._write(ControlRequest(ControlOp.REQUEST_CONTROL))
            if result is not ControlResult.SUCCESS:
                return result
        result = await self._write(request)
        if result is ControlResult.SUCCESS:
            self._after_success(request)
        elif result is ControlResult.NOT_PERMITTED:
            self._has_control = False
        return result

    def _after_success(self, request: ControlRequest) -> None:
        if request.op is ControlOp.REQUEST_CONTROL:
            self._has_control = True
        elif request.op is ControlOp.RESET:
            self._has_control = False
            self._running = False
        elif request.op is ControlOp.START:
            self._running = True
        elif request.op in (ControlOp.STOP, ControlOp.PAUSE):
            self._running = False
            self._held_kmh = None
        elif request.op is ControlOp.SET_SPEED:
            self._target_kmh = request.value
            self._off_target_since = None

    async def _write(self, request: ControlRequest) -> ControlResult:
        client = self.client
        if client is None or not client.is_connected:
            return ControlResult.TIMEOUT
        opcode = int(_OPCODES[request.op])
        if opcode in self._late:
            # A request with this op code timed out: give its late answer a moment to
            # arrive, so it is not taken for this one's.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._late[opcode].wait(), LATE_ANSWER_S)
            self._late.pop(opcode, None)
        future: asyncio.Future[ControlResult] = asyncio.get_running_loop().create_future()
        self._pending = (opcode, future)
        timed_out = False
        try:
            await asyncio.wait_for(
                client.write_gatt_char(
                    FITNESS_MACHINE_CONTROL_POINT, _encode(request), response=True
                ),
                self.command_timeout_s,
            )
            return await asyncio.wait_for(future, self.command_timeout_s)
        except TimeoutError:
            timed_out = True
            return ControlResult.TIMEOUT
        except (BleakError, OSError, EOFError) as exc:
            log.info("%s: %s failed: %s", self.name, request.op.value, exc)
            return ControlResult.FAILED
        finally:
            self._pending = None
            if timed_out:
                self._late[opcode] = asyncio.Event()

    def _clamped(self, request: ControlRequest) -> ControlRequest:
        limits, value = self._limits, request.value
        if value is None:
            return request
        if request.op is ControlOp.SET_SPEED:
            value = _on_step(
                value, limits.speed_min_kmh, limits.speed_max_kmh, limits.speed_step_kmh
            )
        elif request.op is ControlOp.SET_INCLINE:
            value = _on_step(
                value, limits.incline_min_pct, limits.incline_max_pct, limits.incline_step_pct
            )
        return ControlRequest(request.op, value)

    def _belt_moving(self) -> bool:
        return self._running or (self._belt_kmh is not None and self._belt_kmh > MOVING_KMH)

    def _release_held_speed(self) -> None:
        if self._held_kmh is not None:
            held, self._held_kmh = self._held_kmh, None
            self._queue.put_nowait(ControlRequest(ControlOp.SET_SPEED, held))

    def _watch_departure(self, now: float) -> None:
        """A belt that settles away from our target, with no status to say so, was
        changed on the console: report it as such (the engine adopts it, rule 7)."""
        target, belt = self._target_kmh, self._belt_kmh
        if target is None or belt is None or not self._running or self._pending is not None:
            self._off_target_since = None
            return
        if abs(belt - target) < DEPARTURE_KMH or belt <= MOVING_KMH:
            self._off_target_since = None
            return
        if self._off_target_since is None or abs(belt - self._off_target_kmh) > SETTLED_KMH:
            # Off target but still moving (a ramp, a slow belt): wait until it settles.
            self._off_target_since = now
            self._off_target_kmh = belt
        elif now - self._off_target_since >= DEPARTURE_S:
            self._target_kmh = round(belt, 1)
            self._off_target_since = None
            self._emit_status(StatusCode.TARGET_SPEED_CHANGED, self._target_kmh)
