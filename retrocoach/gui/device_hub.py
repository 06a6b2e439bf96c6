"""The treadmill and strap the person chose, kept connected for as long as the app runs.

A Bluetooth device is connected once it is chosen (or, at start-up, once it is found
remembered) and stays connected across sessions: the hub is its listener, shows its
state between sessions and relays everything to the station while one runs. Simulated
devices are made fresh for each session (they live on the session's clock).

Qt only for the signal; the devices themselves come from `devices/`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from bleak.backends.device import BLEDevice
from PySide6.QtCore import QObject, Signal

from retrocoach.coach.events import Event
from retrocoach.devices.ble_strap import BleHeartRateStrap
from retrocoach.devices.ble_treadmill import BleTreadmill
from retrocoach.devices.memory import DeviceMemory, RememberedDevice
from retrocoach.devices.ports import (
    ControlOp,
    ControlRequest,
    ControlResult,
    HeartRateData,
    HeartRateMonitor,
    LinkState,
    MachineStatus,
    Role,
    Treadmill,
    TreadmillData,
)
from retrocoach.devices.simulator import SimulatedTreadmill
from retrocoach.gui.session_runner import MonotonicClock, ScaledClock, SessionClock
from retrocoach.station import Station, simulated_station, strap_following
from retrocoach.workouts.model import Workout
from retrocoach.workouts.profile import RunnerProfile

log = logging.getLogger(__name__)

BluetoothClient = BleTreadmill | BleHeartRateStrap
# Makes the Bluetooth client for a role: (role, device or address, name). Tests pass one
# whose clients do not connect, to drive the link states themselves.
LinkFactory = Callable[[Role, BLEDevice | str, str], BluetoothClient]


class DeviceKind(StrEnum):
    NONE = "none"  # no strap: the session runs without heart rate
    SIMULATED = "simulated"
    BLUETOOTH = "bluetooth"


@dataclass(frozen=True)
class DeviceStatus:
    """What the devices screen and the session's banner show for one role."""

    kind: DeviceKind
    name: str = ""
    address: str = ""
    state: LinkState | None = None  # None: not connected yet (or nothing chosen)
    contact: bool | None = None  # the strap's skin contact, where it says
    bpm: int | None = None  # the latest heart rate, between sessions too
    battery_pct: int | None = None
    problem: str = ""  # why the last connection attempt failed, until one succeeds

    @property
    def usable(self) -> bool:
        """Ready for a session: simulated, none (strap only) or connected."""
        if self.kind is not DeviceKind.BLUETOOTH:
            return True
        return self.state in (LinkState.CONNECTED, LinkState.STALE)


SIMULATED_TREADMILL = DeviceStatus(DeviceKind.SIMULATED, "Simulated treadmill")
SIMULATED_STRAP = DeviceStatus(DeviceKind.SIMULATED, "Simulated strap")


class DevicesInUse(RuntimeError):
    """The devices cannot change while a session runs on them."""


class DeviceHub(QObject):
    changed = Signal(object)  # the Role whose status changed (a choice or its link)
    choice_changed = Signal()  # a device was chosen, replaced or dropped
    connection_failed = Signal(object, str)  # (Role, the system's words); it keeps trying

    def __init__(
        self,
        memory: DeviceMemory | None = None,
        parent: QObject | None = None,
        *,
        adapter: str | None = None,
        simulator_speedup: float = 1.0,
        link_factory: LinkFactory | None = None,
    ) -> None:
        super().__init__(parent)
        self.memory = memory or DeviceMemory()
        self.adapter = adapter
        # None: bleak clients. Not `self._bleak_client` kept here: a bound method of its
        # own would tie the hub in a cycle only the garbage collector frees, on whatever
        # thread it happens to run (a recorder's writer), which a QObject cannot bear.
        self._link_factory = link_factory
        self.simulator_speedup = simulator_speedup
        # How simulated time runs (the screenshot script stops it at chosen moments).
        self.simulated_clock: Callable[[float], SessionClock] = ScaledClock
        self._status: dict[Role, DeviceStatus] = {
            Role.TREADMILL: DeviceStatus(DeviceKind.NONE),
            Role.HRM: DeviceStatus(DeviceKind.NONE),
        }
        self._treadmill: BleTreadmill | None = None
        self._strap: BleHeartRateStrap | None = None
        self._station: Station | None = None
        # While a session runs on them, the devices stay as they are: closing a link
        # under a running belt would leave its stop nowhere to go.
        self.locked = False

    def sibling(self, memory: DeviceMemory) -> DeviceHub:
        """A hub for another station (gym mode): the same adapter and the same way of
        making Bluetooth clients, its own devices and memory."""
        hub = DeviceHub(
            memory,
            adapter=self.adapter,
            simulator_speedup=self.simulator_speedup,
            link_factory=self._link_factory,
        )
        hub.simulated_clock = self.simulated_clock
        return hub

    def bluetooth_address(self, role: Role) -> str:
        """The address this role's Bluetooth device uses ("" if simulated or none)."""
        status = self._status[role]
        return status.address if status.kind is DeviceKind.BLUETOOTH else ""

    # ------------------------------------------------------------------- state

    def status(self, role: Role) -> DeviceStatus:
        return self._status[role]

    @property
    def has_treadmill(self) -> bool:
        return self._status[Role.TREADMILL].kind is not DeviceKind.NONE

    @property
    def ready(self) -> bool:
        """A session can start: a treadmill chosen and every chosen device usable."""
        return self.has_treadmill and all(s.usable for s in self._status.values())

    @property
    def simulated(self) -> bool:
        return all(s.kind is not DeviceKind.BLUETOOTH for s in self._status.values())

    # ------------------------------------------------------------------ choices

    def use_simulators(self) -> None:
        """The simulated treadmill and strap in one go: try everything without hardware."""
        self._check_unlocked()
        self._drop(Role.TREADMILL)
        self._drop(Role.HRM)
        self._set(Role.TREADMILL, SIMULATED_TREADMILL)
        self._set(Role.HRM, SIMULATED_STRAP)
        self.choice_changed.emit()

    def use_simulated(self, role: Role) -> None:
        self._check_unlocked()
        self._drop(role)
        self._set(role, SIMULATED_TREADMILL if role is Role.TREADMILL else SIMULATED_STRAP)
        self.choice_changed.emit()

    def use_none(self, role: Role) -> None:
        """No device for this role (a session without heart rate)."""
        self._check_unlocked()
        self._drop(role)
        self._set(role, DeviceStatus(DeviceKind.NONE))
        self.choice_changed.emit()

    def use_bluetooth(
        self, role: Role, target: BLEDevice | str, name: str = "", *, remember: bool = True
    ) -> None:
        """Connect to this device (needs the running asyncio loop: RuntimeError before
        anything changes) and keep it connected; remembered for the next start."""
        self._check_unlocked()
        self._drop(role)
        address = target if isinstance(target, str) else target.address
        label = name or (target.name if isinstance(target, BLEDevice) else "") or address
        try:
            make = self._link_factory or self._bleak_client
            device = make(role, target, label)
            if role is Role.TREADMILL and isinstance(device, BleTreadmill):
                self._treadmill = device
            elif role is Role.HRM and isinstance(device, BleHeartRateStrap):
                self._strap = device
            else:
                raise TypeError(f"the link factory made a {type(device).__name__} for {role}")
            device.attach(self)
            device.on_failure = lambda message: self._connection_failed(role, message)
            # A treadmill that also serves the heart rate is one device: BleLink makes
            # the two links take turns connecting to it.
            device.connect(MonotonicClock().now())
        except Exception:
            # Nothing half-chosen: no link kept, and the role shows nothing chosen.
            self._drop(role)
            self._set(role, DeviceStatus(DeviceKind.NONE))
            self.choice_changed.emit()
            raise
        self._set(role, DeviceStatus(DeviceKind.BLUETOOTH, label, address, LinkState.CONNECTING))
        self.choice_changed.emit()
        if remember:
            try:
                self.memory.remember(role, RememberedDevice(address, label))
            except OSError as exc:  # a read-only folder must not stop the connection
                log.warning("could not remember %s: %s", label, exc)

    def reconnect_remembered(self) -> list[Role]:
        """Connect to the devices chosen last time; the roles it is trying."""
        trying = []
        for role, device in self.memory.load().items():
            self.use_bluetooth(role, device.address, device.name, remember=False)
            trying.append(role)
        return trying

    def forget(self, role: Role) -> None:
        self.use_none(role)
        with contextlib.suppress(OSError):
            self.memory.forget(role)

    # ---------------------------------------------------------------- sessions

    def make_station(
        self,
        workout: Workout,
        profile: RunnerProfile,
        sinks: list[Callable[[Event], None]] | None = None,
    ) -> tuple[Station, SessionClock]:
        """A station on the chosen devices and the clock to run it on. PlanError if
        this runner cannot use this treadmill safely (its real ranges are known once
        connected)."""
        if not self.has_treadmill:
            raise RuntimeError("no treadmill chosen")
        tread_kind = self._status[Role.TREADMILL].kind
        strap_kind = self._status[Role.HRM].kind
        if self.simulated:
            clock: SessionClock = self.simulated_clock(self.simulator_speedup)
            station = simulated_station(
                workout,
                profile,
                now=clock.now(),
                with_strap=strap_kind is DeviceKind.SIMULATED,
                sinks=sinks,
            )
            self._station = station
            return station, clock
        clock = MonotonicClock()
        treadmill: Treadmill = (
            self._treadmill if self._treadmill is not None else SimulatedTreadmill()
        )
        hrm: HeartRateMonitor | None = None
        if strap_kind is DeviceKind.BLUETOOTH:
            hrm = self._strap
        built: list[Station] = []
        if strap_kind is DeviceKind.SIMULATED:
            hrm = strap_following(built, profile)
        station = Station(workout, profile, treadmill, hrm, now=clock.now(), sinks=sinks)
        built.append(station)
        # The hub stays the Bluetooth devices' listener and relays to the station.
        for role, device in ((Role.TREADMILL, self._treadmill), (Role.HRM, self._strap)):
            if device is not None and self._status[role].kind is DeviceKind.BLUETOOTH:
                device.attach(self)
        if tread_kind is DeviceKind.BLUETOOTH:
            station.use_treadmill_limits()
        self._station = station
        return station, clock

    def announce_links(self) -> None:
        """Tell the session how its Bluetooth links are (they connected before it began);
        called once whoever shows the session listens."""
        station = self._station
        if station is None:
            return
        now = MonotonicClock().now()
        for role in Role:
            status = self._status[role]
            known = status.kind is DeviceKind.BLUETOOTH and status.state is not None
            if known and status.state is not None and self._relay_to(role) is not None:
                station.on_link_state(role, status.state, now)

    def stop_treadmill(self) -> None:
        """Send a stop to the connected Bluetooth treadmill, with no session to do it
        (a belt left running after a session ended in a fault)."""
        if self._treadmill is not None and not self._treadmill.closed:
            self._treadmill.submit(ControlRequest(ControlOp.STOP), MonotonicClock().now())

    def release_station(self) -> None:
        """The session is over: readings are no longer relayed. Bluetooth devices stay
        connected; simulated ones go with their station."""
        station, self._station = self._station, None
        if station is None:
            return
        for device in (station.treadmill, station.hrm):
            if device is not None and device not in (self._treadmill, self._strap):
                device.close()

    async def aclose(self) -> None:
        self.release_station()
        for device in (self._treadmill, self._strap):
            if device is not None:
                await device.aclose()
        self._treadmill = self._strap = None

    def close(self) -> None:
        self.release_station()
        for device in (self._treadmill, self._strap):
            if device is not None:
                device.close()

    # ------------------------------------------------- listener (Bluetooth devices)

    def _relay_to(self, role: Role) -> Station | None:
        """The station of the moment, if this role's device is the one it runs on."""
        station = self._station
        if station is None:
            return None
        device = self._treadmill if role is Role.TREADMILL else self._strap
        own = station.treadmill if role is Role.TREADMILL else station.hrm
        return station if device is not None and own is device else None

    def on_treadmill_data(self, data: TreadmillData) -> None:
        if (station := self._relay_to(Role.TREADMILL)) is not None:
            station.on_treadmill_data(data)

    def on_machine_status(self, status: MachineStatus) -> None:
        if (station := self._relay_to(Role.TREADMILL)) is not None:
            station.on_machine_status(status)

    def on_control_result(self, request: ControlRequest, result: ControlResult, t: float) -> None:
        if (station := self._relay_to(Role.TREADMILL)) is not None:
            station.on_control_result(request, result, t)

    def on_heart_rate(self, data: HeartRateData) -> None:
        current = self._status[Role.HRM]
        if current.kind is DeviceKind.BLUETOOTH and (
            current.bpm != data.bpm or current.contact != data.contact
        ):
            self._set(Role.HRM, replace(current, bpm=data.bpm, contact=data.contact))
        if (station := self._relay_to(Role.HRM)) is not None:
            station.on_heart_rate(data)

    def on_link_state(self, role: Role, state: LinkState, t: float) -> None:
        current = self._status[role]
        if current.kind is DeviceKind.BLUETOOTH:
            updated = replace(current, state=state)
            if state is LinkState.CONNECTED:
                updated = replace(updated, problem="")
            if role is Role.HRM and self._strap is not None and self._strap.battery_pct is not None:
                # Read once per connection, before the link says it is connected.
                updated = replace(updated, battery_pct=self._strap.battery_pct)
            self._set(role, updated)
        if (station := self._relay_to(role)) is not None:
            station.on_link_state(role, state, t)

    # ---------------------------------------------------------------- internals

    def _connection_failed(self, role: Role, message: str) -> None:
        current = self._status[role]
        if current.kind is DeviceKind.BLUETOOTH:
            self._set(role, replace(current, problem=message))
        self.connection_failed.emit(role, message)

    def _check_unlocked(self) -> None:
        if self.locked:
            raise DevicesInUse("the devices cannot change while a session runs")

    def _set(self, role: Role, status: DeviceStatus) -> None:
        self._status[role] = status
        self.changed.emit(role)

    def _bleak_client(self, role: Role, target: BLEDevice | str, name: str) -> BluetoothClient:
        now = MonotonicClock().now
        if role is Role.TREADMILL:
            return BleTreadmill(target, name=name, clock=now, adapter=self.adapter)
        return BleHeartRateStrap(target, name=name, clock=now, adapter=self.adapter)

    def _drop(self, role: Role) -> None:
        device: BleTreadmill | BleHeartRateStrap | None
        if role is Role.TREADMILL:
            device, self._treadmill = self._treadmill, None
        else:
            device, self._strap = self._strap, None
        if device is not None:
            device.close()
