"""What a treadmill and a heart-rate strap look like to the rest of the app.

Every device, simulated or Bluetooth, fills these ports. Commands go in through
`submit()` and never block; everything a device has to say (data, machine status,
the result of a command, the state of its link) comes back through its listener. That
keeps the station synchronous and lets the same station run on a virtual clock (the
simulators answer at once) or on real time (the bleak clients answer from the loop).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from retrocoach.protocol.ftms import StatusCode


class Role(StrEnum):
    TREADMILL = "treadmill"
    HRM = "hrm"


class LinkState(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    LOST = "lost"
    STALE = "stale"


class ControlOp(StrEnum):
    REQUEST_CONTROL = "request_control"
    RESET = "reset"
    START = "start"
    STOP = "stop"
    PAUSE = "pause"
    SET_SPEED = "set_speed"
    SET_INCLINE = "set_incline"


class ControlResult(StrEnum):
    SUCCESS = "success"
    NOT_SUPPORTED = "not_supported"
    INVALID_PARAMETER = "invalid_parameter"
    FAILED = "failed"
    NOT_PERMITTED = "not_permitted"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class ControlRequest:
    op: ControlOp
    value: float | None = None  # km/h for SET_SPEED, % for SET_INCLINE


@dataclass(frozen=True)
class MachineLimits:
    """Supported speed and inclination ranges (FTMS 0x2AD4, 0x2AD5)."""

    speed_min_kmh: float = 0.8
    speed_max_kmh: float = 20.0
    speed_step_kmh: float = 0.1
    incline_min_pct: float = 0.0
    incline_max_pct: float = 15.0
    incline_step_pct: float = 0.5


@dataclass(frozen=True)
class TreadmillData:
    """One complete Treadmill Data record; a field the machine does not send is None."""

    t: float  # station clock, seconds
    speed_kmh: float | None
    incline_pct: float | None = None
    distance_m: float | None = None
    elapsed_s: float | None = None


@dataclass(frozen=True)
class MachineStatus:
    t: float
    code: int
    value: float | None = None  # target speed/incline, or the stop/pause parameter

    @property
    def name(self) -> str:
        try:
            return StatusCode(self.code).name.lower()
        except ValueError:
            return f"unknown_0x{self.code:02x}"


@dataclass(frozen=True)
class HeartRateData:
    t: float
    bpm: int | None  # None: no skin contact, or the strap said nothing usable
    contact: bool | None = None  # None: the strap does not report contact
    rr_s: tuple[float, ...] = ()


class TreadmillListener(Protocol):
    def on_treadmill_data(self, data: TreadmillData) -> None: ...
    def on_machine_status(self, status: MachineStatus) -> None: ...
    def on_control_result(
        self, request: ControlRequest, result: ControlResult, t: float
    ) -> None: ...
    def on_link_state(self, role: Role, state: LinkState, t: float) -> None: ...


class HeartRateListener(Protocol):
    def on_heart_rate(self, data: HeartRateData) -> None: ...
    def on_link_state(self, role: Role, state: LinkState, t: float) -> None: ...


class Treadmill(Protocol):
    name: str

    @property
    def limits(self) -> MachineLimits: ...
    def attach(self, listener: TreadmillListener) -> None: ...
    def connect(self, now: float) -> None: ...
    def submit(self, request: ControlRequest, now: float) -> None: ...
    def close(self) -> None: ...


class HeartRateMonitor(Protocol):
    name: str

    def attach(self, listener: HeartRateListener) -> None: ...
    def connect(self, now: float) -> None: ...
    def close(self) -> None: ...


class Clocked(Protocol):
    """A device that lives on the station's clock (the simulators)."""

    def advance(self, now: float) -> None: ...
    def next_deadline(self) -> float | None: ...
