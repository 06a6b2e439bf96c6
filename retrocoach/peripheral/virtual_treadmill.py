"""A `SimulatedTreadmill` served as a Bluetooth LE FTMS treadmill through BlueZ.

`VirtualTreadmill` registers a GATT application and an advertisement on one adapter and
drives the simulator (and, with ``with_hrm``, a `SimulatedStrap` on a runner on that belt)
in real time. Every value the simulator emits goes out over the air, encoded by
`retrocoach.protocol`; every control point request goes into the simulator, and its
answer comes back as the control point indication. Tests in the same process reach the
machine's console through `vt.treadmill` (``vt.treadmill.pull_safety_key(vt.clock())``).

Served:

* Fitness Machine 0x1826: Feature 0x2ACC (read), Treadmill Data 0x2ACD (notify, 1 Hz:
  speed, total distance, inclination and ramp angle, elapsed time), Training Status
  0x2AD3 (read, notify), Supported Speed Range 0x2AD4 and Inclination Range 0x2AD5
  (read), Control Point 0x2AD9 (write, indicate), Machine Status 0x2ADA (notify).
* with ``with_hrm``, Heart Rate 0x180D: Measurement 0x2A37 (notify, contact and RR),
  Body Sensor Location 0x2A38 (read: chest).

Both services share one advertisement: a BlueZ mock reports only the first one an
adapter registers, and real BlueZ has few advertising instances to spare.

Control belongs to one central at a time, as on a real FTMS machine: the one whose
Request Control was granted last (`controller`, its D-Bus path on our adapter). When
another central asks while one holds it, control passes to the newcomer and the machine
says "control permission lost" (Machine Status 0xFF); other commands from a central
without control are answered "not permitted" (0x05) and never reach the machine. BlueZ
sends a notification or indication to every subscribed central (there is no addressing
one through `PropertiesChanged`), so each central hears the answers to the others'
requests too; an FTMS client matches an answer to its own pending request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable

from dbus_fast import BusType, DBusError, Message, MessageType
from dbus_fast.aio import MessageBus

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
from retrocoach.devices.simulator import Effort, SimulatedStrap, SimulatedTreadmill
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
from retrocoach.peripheral.gatt import (
    ADAPTER,
    DEFAULT_ATT_MTU,
    DEVICE,
    ERROR_IMPROPERLY_CONFIGURED,
    ERROR_INVALID_VALUE_LENGTH,
    OBJECT_MANAGER,
    Access,
    Advertisement,
    BluezCallError,
    Characteristic,
    GattApplication,
    call_bluez,
)
from retrocoach.protocol.ftms import (
    ControlOpCode,
    MachineFeature,
    ResultCode,
    StatusCode,
    StopPauseParam,
    TargetSettingFeature,
    TrainingStatusCode,
    decode_control_request,
    encode_control_response,
    encode_feature,
    encode_incline_range,
    encode_machine_status,
    encode_speed_range,
    encode_training_status,
)
from retrocoach.protocol.heart_rate import (
    HeartRateRecord,
    encode_body_sensor_location,
    encode_heart_rate,
)
from retrocoach.protocol.treadmill_data import TreadmillRecord, encode_treadmill_data_parts
from retrocoach.workouts.model import Direction

log = logging.getLogger(__name__)

TICK_S = 0.1  # the simulator is advanced at least this often
APP_PATH = "/org/retrocoach/treadmill"
ADVERTISEMENT_PATH = "/org/retrocoach/advertisement0"

MACHINE_FEATURES = (
    MachineFeature.TOTAL_DISTANCE | MachineFeature.INCLINATION | MachineFeature.ELAPSED_TIME
)
TARGET_FEATURES = TargetSettingFeature.SPEED | TargetSettingFeature.INCLINATION
# FTMS service data (FTMS 3.1): flags "fitness machine available", type "treadmill".
FTMS_SERVICE_DATA = bytes([0x01, 0x01, 0x00])

_OPCODES: dict[ControlOp, ControlOpCode] = {
    ControlOp.REQUEST_CONTROL: ControlOpCode.REQUEST_CONTROL,
    ControlOp.RESET: ControlOpCode.RESET,
    ControlOp.SET_SPEED: ControlOpCode.SET_TARGET_SPEED,
    ControlOp.SET_INCLINE: ControlOpCode.SET_TARGET_INCLINATION,
    ControlOp.START: ControlOpCode.START_OR_RESUME,
    ControlOp.STOP: ControlOpCode.STOP_OR_PAUSE,
    ControlOp.PAUSE: ControlOpCode.STOP_OR_PAUSE,
}
_RESULT_CODES: dict[ControlResult, ResultCode] = {
    ControlResult.SUCCESS: ResultCode.SUCCESS,
    ControlResult.NOT_SUPPORTED: ResultCode.NOT_SUPPORTED,
    ControlResult.INVALID_PARAMETER: ResultCode.INVALID_PARAMETER,
    ControlResult.FAILED: ResultCode.FAILED,
    ControlResult.NOT_PERMITTED: ResultCode.NOT_PERMITTED,
}
_NAMES = {
    FITNESS_MACHINE_FEATURE: "feature",
    TREADMILL_DATA: "treadmill data",
    TRAINING_STATUS: "training status",
    SUPPORTED_SPEED_RANGE: "speed range",
    SUPPORTED_INCLINATION_RANGE: "inclination range",
    FITNESS_MACHINE_CONTROL_POINT: "control point",
    FITNESS_MACHINE_STATUS: "machine status",
    HEART_RATE_MEASUREMENT: "heart rate",
    BODY_SENSOR_LOCATION: "body sensor location",
}


class PeripheralError(RuntimeError):
    """BlueZ cannot serve the peripheral; the message says why and what to do."""


class AdapterNotFound(PeripheralError):
    pass


def address_of(device_path: str) -> str:
    """ "/org/bluez/hci0/dev_00_AA_00_00_00_02" -> "00:AA:00:00:00:02"."""
    return device_path.rsplit("/dev_", 1)[-1].replace("_", ":")


class VirtualTreadmill:
    """The simulator as an FTMS treadmill (and optionally a strap) on a BlueZ adapter.

    `bus_address` None means the system bus (a real machine: BlueZ's bluetoothd); tests
    pass their private bus. `clock` is the simulator's clock (seconds, monotonic, moving
    at real speed). Use ``await start()`` / ``await stop()`` or ``async with``.
    """

    def __init__(
        self,
        bus_address: str | None = None,
        adapter: str = "hci0",
        name: str = "retrocoach treadmill",
        with_hrm: bool = False,
        treadmill: SimulatedTreadmill | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bus_address = bus_address
        self.adapter = adapter
        self.name = name
        self.clock = clock
        self.treadmill = treadmill if treadmill is not None else SimulatedTreadmill(name)
        self.strap: SimulatedStrap | None = (
            SimulatedStrap(self._effort, name=f"{name} HR") if with_hrm else None
        )
        self.centrals: set[str] = set()  # D-Bus paths of the connected centrals
        self.notifications_sent = 0  # notifications and indications that went out
        self.commands_received = 0  # control point writes, well-formed or not
        self.rejected_commands = 0  # answered without reaching the machine
        self.mtu = DEFAULT_ATT_MTU  # of the last central that said
        # The central holding control (D-Bus path; "" when BlueZ does not say who wrote).
        self.controller: str | None = None

        self.bus: MessageBus | None = None
        self._driver: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._training_status: TrainingStatusCode | None = None
        self._app = self._build_application(with_hrm)

    # -- the GATT database

    def _build_application(self, with_hrm: bool) -> GattApplication:
        uuids = [FTMS_SERVICE, HEART_RATE_SERVICE] if with_hrm else [FTMS_SERVICE]
        app = GattApplication(
            APP_PATH,
            Advertisement(ADVERTISEMENT_PATH, self.name, uuids, {FTMS_SERVICE: FTMS_SERVICE_DATA}),
        )
        limits = self.treadmill.limits
        ftms = app.add_service(FTMS_SERVICE)
        self.feature = ftms.add(
            FITNESS_MACHINE_FEATURE, ["read"], encode_feature(MACHINE_FEATURES, TARGET_FEATURES)
        )
        self.treadmill_data = ftms.add(TREADMILL_DATA, ["notify"])
        self.training_status = ftms.add(
            TRAINING_STATUS, ["read", "notify"], encode_training_status(TrainingStatusCode.IDLE)
        )
        self.speed_range = ftms.add(
            SUPPORTED_SPEED_RANGE,
            ["read"],
            encode_speed_range(limits.speed_min_kmh, limits.speed_max_kmh, limits.speed_step_kmh),
        )
        self.incline_range = ftms.add(
            SUPPORTED_INCLINATION_RANGE,
            ["read"],
            encode_incline_range(
                limits.incline_min_pct, limits.incline_max_pct, limits.incline_step_pct
            ),
        )
        self.control_point = ftms.add(
            FITNESS_MACHINE_CONTROL_POINT, ["write", "indicate"], on_write=self._on_control_write
        )
        self.machine_status = ftms.add(FITNESS_MACHINE_STATUS, ["notify"])
        self.heart_rate: Characteristic | None = None
        if with_hrm:
            hrs = app.add_service(HEART_RATE_SERVICE)
            self.heart_rate = hrs.add(HEART_RATE_MEASUREMENT, ["notify"])
            hrs.add(BODY_SENSOR_LOCATION, ["read"], encode_body_sensor_location("chest"))
        for service in app.services:
            for char in service.characteristics:
                char.on_access = self._on_access
                char.on_notifying = self._on_notifying
        return app

    @property
    def adapter_path(self) -> str:
        return f"/org/bluez/{self.adapter}"

    # -- life cycle

    async def start(self) -> VirtualTreadmill:
        if self.bus is not None:
            return self
        if self.bus_address is not None:
            bus = MessageBus(bus_address=self.bus_address, bus_type=BusType.SYSTEM)
        else:
            bus = MessageBus(bus_type=BusType.SYSTEM)
        try:
            self.bus = await bus.connect()
        except (OSError, ConnectionError) as exc:
            raise PeripheralError(f"cannot connect to the D-Bus system bus: {exc}") from exc
        try:
            await self._check_adapter()
            self._app.export(bus)
            await self._watch_centrals()
            await self._app.register(bus, self.adapter_path)
        except BluezCallError as exc:
            await self._close_bus()
            raise PeripheralError(_explain(exc, self.adapter)) from exc
        except BaseException:
            await self._close_bus()
            raise
        now = self.clock()
        self.treadmill.attach(self)
        self.treadmill.connect(now)
        if self.strap is not None:
            self.strap.attach(self)
            self.strap.connect(now)
        self._update_training_status()
        self._driver = asyncio.get_running_loop().create_task(self._drive())
        services = "FTMS + heart rate" if self.strap is not None else "FTMS"
        log.info("advertising %r (%s) on %s", self.name, services, self.adapter)
        return self

    async def stop(self) -> None:
        if self._driver is not None:
            self._driver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._driver
            self._driver = None
        if self.bus is None:
            return
        await self._app.unregister(self.bus, self.adapter_path)
        await self._close_bus()
        log.info("stopped; %d notifications sent", self.notifications_sent)

    async def __aenter__(self) -> VirtualTreadmill:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _close_bus(self) -> None:
        bus, self.bus = self.bus, None
        if bus is None:
            return
        bus.disconnect()
        with contextlib.suppress(Exception):
            await bus.wait_for_disconnect()  # type: ignore[no-untyped-call]

    async def _check_adapter(self) -> None:
        assert self.bus is not None
        try:
            objects = (await call_bluez(self.bus, "/", OBJECT_MANAGER, "GetManagedObjects"))[0]
        except BluezCallError as exc:
            raise PeripheralError(_explain(exc, self.adapter)) from exc
        adapters = sorted(p.rsplit("/", 1)[-1] for p, i in objects.items() if ADAPTER in i)
        if self.adapter_path not in objects or ADAPTER not in objects[self.adapter_path]:
            found = ", ".join(adapters) or "none"
            raise AdapterNotFound(f"no Bluetooth adapter {self.adapter!r} (found: {found})")
        if not objects[self.adapter_path][ADAPTER]["Powered"].value:
            raise PeripheralError(
                f"adapter {self.adapter} is powered off: `bluetoothctl power on` first"
            )
        prefix = self.adapter_path + "/dev_"
        self.centrals = {
            path
            for path, interfaces in objects.items()
            if path.startswith(prefix)
            and DEVICE in interfaces
            and interfaces[DEVICE]["Connected"].value
        }

    # -- the clock

    async def _drive(self) -> None:
        """Advance the simulators in real time: to each deadline, and every TICK_S."""
        while True:
            now = self.clock()
            try:
                self.treadmill.advance(now)
                if self.strap is not None:
                    self.strap.advance(now)
            except Exception:  # a bug in one emission must not stop the machine
                log.exception("advancing the simulator failed")
            deadlines = [now + TICK_S, self.treadmill.next_deadline()]
            if self.strap is not None:
                deadlines.append(self.strap.next_deadline())
            wake_at = min(d for d in deadlines if d is not None)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, wake_at - self.clock()))

    def _effort(self) -> Effort:
        return Effort(self.treadmill.belt_speed_kmh, self.treadmill.incline_pct, Direction.FORWARD)

    # -- centrals

    async def connected_centrals(self) -> list[str]:
        """D-Bus paths of the devices connected to our adapter (asks BlueZ)."""
        assert self.bus is not None, "start() first"
        objects = (await call_bluez(self.bus, "/", OBJECT_MANAGER, "GetManagedObjects"))[0]
        prefix = self.adapter_path + "/dev_"
        return sorted(
            path
            for path, interfaces in objects.items()
            if path.startswith(prefix)
            and DEVICE in interfaces
            and interfaces[DEVICE]["Connected"].value
        )

    async def disconnect_centrals(self) -> list[str]:
        """Drop every connection from the treadmill's side (a link loss to the app)."""
        assert self.bus is not None, "start() first"
        paths = await self.connected_centrals()
        for path in paths:
            log.info("disconnecting %s", address_of(path))
            await call_bluez(self.bus, path, DEVICE, "Disconnect")
        return paths

    async def _watch_centrals(self) -> None:
        """Follow Device1.Connected on our adapter, to log and to end control on loss."""
        assert self.bus is not None
        rules = [
            "type='signal',sender='org.bluez',interface='org.freedesktop.DBus.Properties',"
            f"member='PropertiesChanged',path_namespace='{self.adapter_path}'",
            "type='signal',sender='org.bluez',interface='org.freedesktop.DBus.ObjectManager'",
        ]
        for rule in rules:
            reply = await self.bus.call(
                Message(
                    destination="org.freedesktop.DBus",
                    path="/org/freedesktop/DBus",
                    interface="org.freedesktop.DBus",
                    member="AddMatch",
                    signature="s",
                    body=[rule],
                )
            )
            if reply.message_type == MessageType.ERROR:
                log.warning("cannot follow connections: %s", reply.body)
        self.bus.add_message_handler(self._on_bus_message)

    def _on_bus_message(self, msg: Message) -> None:
        if msg.message_type != MessageType.SIGNAL:
            return
        prefix = self.adapter_path + "/dev_"
        path = msg.path or ""
        try:
            if msg.member == "PropertiesChanged" and path.startswith(prefix):
                interface, changed = msg.body[0], msg.body[1]
                if interface == DEVICE and "Connected" in changed:
                    self._set_connected(path, bool(changed["Connected"].value))
            elif msg.member == "InterfacesAdded" and msg.body[0].startswith(prefix):
                props = msg.body[1].get(DEVICE)
                if props is not None and "Connected" in props:
                    self._set_connected(msg.body[0], bool(props["Connected"].value))
            elif (
                msg.member == "InterfacesRemoved"
                and msg.body[0].startswith(prefix)
                and DEVICE in msg.body[1]
            ):
                self._set_connected(msg.body[0], False)
        except (IndexError, AttributeError, TypeError):
            log.debug("unexpected signal %s %s", msg.member, msg.body)

    def _set_connected(self, path: str, connected: bool) -> None:
        if connected == (path in self.centrals):
            return
        if connected:
            self.centrals.add(path)
            log.info("central %s connected", address_of(path))
            return
        self.centrals.discard(path)
        log.info("central %s disconnected", address_of(path))
        if path == self.controller or not self.centrals:
            # FTMS control belongs to a connection; the belt itself runs on, as on a
            # real machine (the runner has the console and the safety key).
            self.controller = None
            if self.treadmill.has_control:
                self.treadmill.revoke_control(self.clock())

    def _on_access(self, access: Access) -> None:
        if access.mtu:
            self.mtu = access.mtu
        if access.device and access.device not in self.centrals:
            self._set_connected(access.device, True)  # in case its signal is late

    def _on_notifying(self, char: Characteristic, on: bool) -> None:
        what = _NAMES.get(char.uuid, char.uuid)
        log.info("%s %s", "subscribed to" if on else "unsubscribed from", what)

    # -- the control point

    def _on_control_write(self, value: bytes, access: Access) -> None:
        self.commands_received += 1
        if not value:
            self.rejected_commands += 1
            raise DBusError(ERROR_INVALID_VALUE_LENGTH, "empty control point request")
        if not self.control_point.notifying:
            # FTMS 4.16.1: a write without indications enabled is an ATT error.
            self.rejected_commands += 1
            raise DBusError(ERROR_IMPROPERLY_CONFIGURED, "control point indications are off")
        decoded = decode_control_request(value)
        op = value[0]
        request_or_result = _to_request(decoded.op, decoded.value, decoded.problems)
        if isinstance(request_or_result, ResultCode):
            self.rejected_commands += 1
            log.info(
                "command %s (%s): %s",
                decoded.name,
                value.hex(" "),
                request_or_result.name.lower(),
            )
            response = encode_control_response(op, request_or_result)
            # After WriteValue returns: the central gets its write response first.
            asyncio.get_running_loop().call_soon(self._indicate, response)
            return
        request = request_or_result
        central = access.device or ""
        if request.op is ControlOp.REQUEST_CONTROL:
            self._grant_control(central)
        elif central != self.controller:
            # FTMS 4.16.2.1: only the client that holds control may command the machine.
            self.rejected_commands += 1
            log.info("command %s from %s: not permitted", _describe(request), _who(central))
            response = encode_control_response(op, ResultCode.NOT_PERMITTED)
            asyncio.get_running_loop().call_soon(self._indicate, response)
            return
        log.info("command %s", _describe(request))
        self.treadmill.submit(request, self.clock())
        self._wake.set()  # its answer falls due within the response latency

    def _grant_control(self, central: str) -> None:
        """Control goes to `central` (its request goes on to the machine, which grants
        it); a central that held it is told first that it lost it."""
        previous = self.controller
        if previous is not None and previous != central:
            log.info("control passes from %s to %s", _who(previous), _who(central))
            # Machine Status 0xFF "control permission lost", and the machine's flag cleared:
            # the newcomer's request, submitted next, sets it again.
            self.treadmill.revoke_control(self.clock())
        self.controller = central

    def _indicate(self, response: bytes) -> None:
        if not self._send(self.control_point, response):
            log.info("control point response %s not sent: indications off", response.hex(" "))

    # -- the simulators' listener (TreadmillListener and HeartRateListener)

    def on_treadmill_data(self, data: TreadmillData) -> None:
        incline = data.incline_pct
        record = TreadmillRecord(
            speed_kmh=data.speed_kmh or 0.0,
            total_distance_m=int(data.distance_m) if data.distance_m is not None else None,
            inclination_pct=incline,
            ramp_angle_deg=(
                round(math.degrees(math.atan(incline / 100)), 1) if incline is not None else None
            ),
            elapsed_time_s=int(data.elapsed_s) if data.elapsed_s is not None else None,
        )
        try:
            parts = encode_treadmill_data_parts(record, max(20, self.mtu - 3))
        except ValueError as exc:
            log.warning("treadmill data not sent: %s", exc)
            return
        for part in parts:
            self._send(self.treadmill_data, part)
        self._update_training_status()

    def on_machine_status(self, status: MachineStatus) -> None:
        value = status.value
        try:
            encoded = encode_machine_status(status.code, *(() if value is None else (value,)))
        except ValueError as exc:
            log.warning("machine status %s not sent: %s", status.name, exc)
            return
        log.info("machine status %s%s", status.name, "" if value is None else f" {value:g}")
        if status.code in (StatusCode.CONTROL_PERMISSION_LOST, StatusCode.RESET):
            self.controller = None  # nobody holds control now (a reset gives it up)
        self._send(self.machine_status, encoded)
        self._update_training_status()

    def on_control_result(self, request: ControlRequest, result: ControlResult, t: float) -> None:
        log.info("command %s: %s", _describe(request), result.value)
        code = _RESULT_CODES.get(result)
        if code is None:
            return  # a timeout: the machine never saw the request, so it does not answer
        self._indicate(encode_control_response(_OPCODES[request.op], code))
        self._update_training_status()

    def on_link_state(self, role: Role, state: LinkState, t: float) -> None:
        log.debug("simulated %s link %s", role.value, state.value)

    def on_heart_rate(self, data: HeartRateData) -> None:
        if self.heart_rate is None:
            return
        # Flags, a uint8 value and as many RR intervals as the payload holds (newest).
        room = max(0, (max(20, self.mtu - 3) - 2) // 2)
        rr = data.rr_s[-room:] if room else ()
        try:
            encoded = encode_heart_rate(HeartRateRecord(data.bpm, data.contact, rr_s=rr))
        except ValueError as exc:
            log.warning("heart rate not sent: %s", exc)
            return
        self._send(self.heart_rate, encoded)

    def _send(self, char: Characteristic, value: bytes) -> bool:
        """Notify or indicate; False while nobody subscribed, or once stopped (the
        simulator outlives the bus: a test may still press its console)."""
        if self.bus is None or not self.bus.connected:
            char.value = value
            return False
        sent = char.send(value)
        self.notifications_sent += sent
        return sent

    def _update_training_status(self) -> None:
        code = TrainingStatusCode.MANUAL_MODE if self.treadmill.running else TrainingStatusCode.IDLE
        if code is self._training_status:
            return
        self._training_status = code
        self._send(self.training_status, encode_training_status(code))


def _to_request(
    op: int | None, value: float | None, problems: tuple[str, ...]
) -> ControlRequest | ResultCode:
    """The simulator's request for a control point write, or the result to answer at once."""
    simple = {
        ControlOpCode.REQUEST_CONTROL: ControlOp.REQUEST_CONTROL,
        ControlOpCode.RESET: ControlOp.RESET,
        ControlOpCode.START_OR_RESUME: ControlOp.START,
    }
    valued = {
        ControlOpCode.SET_TARGET_SPEED: ControlOp.SET_SPEED,
        ControlOpCode.SET_TARGET_INCLINATION: ControlOp.SET_INCLINE,
    }
    if op is None or (op not in simple and op not in valued and op != ControlOpCode.STOP_OR_PAUSE):
        return ResultCode.NOT_SUPPORTED  # reserved, or not a treadmill's (resistance, power)
    if problems:
        return ResultCode.INVALID_PARAMETER  # a parameter too short, too long or reserved
    if op in simple:
        return ControlRequest(simple[ControlOpCode(op)])
    if op in valued:
        return ControlRequest(valued[ControlOpCode(op)], value)
    if value == StopPauseParam.STOP:
        return ControlRequest(ControlOp.STOP)
    if value == StopPauseParam.PAUSE:
        return ControlRequest(ControlOp.PAUSE)
    return ResultCode.INVALID_PARAMETER


def _who(central: str) -> str:
    return address_of(central) if central else "an unnamed central"


def _describe(request: ControlRequest) -> str:
    return request.op.value if request.value is None else f"{request.op.value} {request.value:g}"


def _explain(exc: BluezCallError, adapter: str) -> str:
    """What a BlueZ error means for someone starting the peripheral."""
    if exc.name in (
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner",
    ):
        return "BlueZ is not running (start bluetoothd: `systemctl start bluetooth`)"
    if exc.name == "org.freedesktop.DBus.Error.AccessDenied":
        return f"the system bus denies access to BlueZ: {exc} (is your user allowed to use it?)"
    if exc.name == "org.freedesktop.DBus.Error.UnknownObject":
        return f"no Bluetooth adapter {adapter!r}: {exc}"
    if exc.name == "org.freedesktop.DBus.Error.UnknownMethod":
        return f"this BlueZ cannot act as a peripheral on {adapter}: {exc}"
    return str(exc)
