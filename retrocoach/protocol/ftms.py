"""Fitness Machine Service (FTMS 1.0) numbers and the small characteristics.

Op codes, result codes and machine status op codes as the specification assigns them,
and bytes <-> values for Fitness Machine Feature (0x2ACC), Supported Speed Range
(0x2AD4), Supported Inclination Range (0x2AD5), Training Status (0x2AD3), Fitness
Machine Status (0x2ADA) and the Fitness Machine Control Point (0x2AD9). Treadmill Data
(0x2ACD) lives in `treadmill_data`.

Decoders never raise: whatever arrives, they return a record with what could be read
and a `problems` tuple saying what could not (the device layer counts malformed
packets from it). Encoders raise ValueError for values the wire cannot carry.
Section numbers in comments refer to FTMS v1.0.1, which fixes errata in 1.0 without
changing the layouts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum, IntFlag
from typing import NamedTuple

#: What the decoders accept: bleak hands over bytearray, tests use bytes.
ByteData = bytes | bytearray | memoryview


class ControlOpCode(IntEnum):
    """Fitness Machine Control Point (0x2AD9) request op codes (Table 4.15)."""

    REQUEST_CONTROL = 0x00
    RESET = 0x01
    SET_TARGET_SPEED = 0x02
    SET_TARGET_INCLINATION = 0x03
    SET_TARGET_RESISTANCE_LEVEL = 0x04
    SET_TARGET_POWER = 0x05
    SET_TARGET_HEART_RATE = 0x06
    START_OR_RESUME = 0x07
    STOP_OR_PAUSE = 0x08
    SET_TARGETED_EXPENDED_ENERGY = 0x09
    SET_TARGETED_NUMBER_OF_STEPS = 0x0A
    SET_TARGETED_NUMBER_OF_STRIDES = 0x0B
    SET_TARGETED_DISTANCE = 0x0C
    SET_TARGETED_TRAINING_TIME = 0x0D
    SET_TARGETED_TIME_IN_TWO_HR_ZONES = 0x0E
    SET_TARGETED_TIME_IN_THREE_HR_ZONES = 0x0F
    SET_TARGETED_TIME_IN_FIVE_HR_ZONES = 0x10
    SET_INDOOR_BIKE_SIMULATION = 0x11
    SET_WHEEL_CIRCUMFERENCE = 0x12
    SPIN_DOWN_CONTROL = 0x13
    SET_TARGETED_CADENCE = 0x14
    RESPONSE = 0x80


class ResultCode(IntEnum):
    """Result codes in a control point response (0x80, request op code, result)."""

    SUCCESS = 0x01
    NOT_SUPPORTED = 0x02
    INVALID_PARAMETER = 0x03
    FAILED = 0x04
    NOT_PERMITTED = 0x05


class StopPauseParam(IntEnum):
    """Parameter of STOP_OR_PAUSE (request) and of STOPPED_OR_PAUSED_BY_USER (status)."""

    STOP = 0x01
    PAUSE = 0x02


class StatusCode(IntEnum):
    """Fitness Machine Status (0x2ADA) op codes."""

    RESET = 0x01
    STOPPED_OR_PAUSED_BY_USER = 0x02
    STOPPED_BY_SAFETY_KEY = 0x03
    STARTED_OR_RESUMED_BY_USER = 0x04
    TARGET_SPEED_CHANGED = 0x05
    TARGET_INCLINE_CHANGED = 0x06
    TARGET_RESISTANCE_CHANGED = 0x07
    TARGET_POWER_CHANGED = 0x08
    TARGET_HEART_RATE_CHANGED = 0x09
    TARGETED_EXPENDED_ENERGY_CHANGED = 0x0A
    TARGETED_STEPS_CHANGED = 0x0B
    TARGETED_STRIDES_CHANGED = 0x0C
    TARGETED_DISTANCE_CHANGED = 0x0D
    TARGETED_TRAINING_TIME_CHANGED = 0x0E
    TARGETED_TIME_IN_HR_ZONES_CHANGED = 0x0F
    TARGETED_TIME_IN_3_HR_ZONES_CHANGED = 0x10
    TARGETED_TIME_IN_5_HR_ZONES_CHANGED = 0x11
    INDOOR_BIKE_SIMULATION_CHANGED = 0x12
    WHEEL_CIRCUMFERENCE_CHANGED = 0x13
    SPIN_DOWN_STATUS = 0x14
    TARGETED_CADENCE_CHANGED = 0x15
    CONTROL_PERMISSION_LOST = 0xFF


class TrainingStatusCode(IntEnum):
    """Training Status (0x2AD3) values (Table 4.13)."""

    OTHER = 0x00
    IDLE = 0x01
    WARMING_UP = 0x02
    LOW_INTENSITY_INTERVAL = 0x03
    HIGH_INTENSITY_INTERVAL = 0x04
    RECOVERY_INTERVAL = 0x05
    ISOMETRIC = 0x06
    HEART_RATE_CONTROL = 0x07
    FITNESS_TEST = 0x08
    SPEED_OUTSIDE_CONTROL_REGION_LOW = 0x09
    SPEED_OUTSIDE_CONTROL_REGION_HIGH = 0x0A
    COOL_DOWN = 0x0B
    WATT_CONTROL = 0x0C
    MANUAL_MODE = 0x0D
    PRE_WORKOUT = 0x0E
    POST_WORKOUT = 0x0F


class MachineFeature(IntFlag):
    """Fitness Machine Features field, the first uint32 of 0x2ACC (Table 4.3)."""

    AVERAGE_SPEED = 1 << 0
    CADENCE = 1 << 1
    TOTAL_DISTANCE = 1 << 2
    INCLINATION = 1 << 3
    ELEVATION_GAIN = 1 << 4
    PACE = 1 << 5
    STEP_COUNT = 1 << 6
    RESISTANCE_LEVEL = 1 << 7
    STRIDE_COUNT = 1 << 8
    EXPENDED_ENERGY = 1 << 9
    HEART_RATE_MEASUREMENT = 1 << 10
    METABOLIC_EQUIVALENT = 1 << 11
    ELAPSED_TIME = 1 << 12
    REMAINING_TIME = 1 << 13
    POWER_MEASUREMENT = 1 << 14
    FORCE_ON_BELT_AND_POWER_OUTPUT = 1 << 15
    USER_DATA_RETENTION = 1 << 16


class TargetSettingFeature(IntFlag):
    """Target Setting Features field, the second uint32 of 0x2ACC (Table 4.4)."""

    SPEED = 1 << 0
    INCLINATION = 1 << 1
    RESISTANCE = 1 << 2
    POWER = 1 << 3
    HEART_RATE = 1 << 4
    EXPENDED_ENERGY = 1 << 5
    STEP_NUMBER = 1 << 6
    STRIDE_NUMBER = 1 << 7
    DISTANCE = 1 << 8
    TRAINING_TIME = 1 << 9
    TIME_IN_TWO_HR_ZONES = 1 << 10
    TIME_IN_THREE_HR_ZONES = 1 << 11
    TIME_IN_FIVE_HR_ZONES = 1 << 12
    INDOOR_BIKE_SIMULATION = 1 << 13
    WHEEL_CIRCUMFERENCE = 1 << 14
    SPIN_DOWN_CONTROL = 1 << 15
    CADENCE = 1 << 16


# (bit as a plain int, flag): IntFlag arithmetic is slow, and decoders run per packet.
_MACHINE_MEMBERS = tuple((int(f), f) for f in MachineFeature)
_TARGET_MEMBERS = tuple((int(f), f) for f in TargetSettingFeature)
_MACHINE_DEFINED = sum(bit for bit, _ in _MACHINE_MEMBERS)
_TARGET_DEFINED = sum(bit for bit, _ in _TARGET_MEMBERS)


def code_name(enum: type[IntEnum], code: int | None) -> str:
    """The lower-case name of `code` in `enum`, or `unknown_0x..` for a reserved value."""
    if code is None:
        return "missing"
    try:
        return enum(code).name.lower()
    except ValueError:
        return f"unknown_0x{code:02x}"


# --- integers on the wire ----------------------------------------------------------------


def _uint(data: bytes, offset: int, size: int) -> int:
    return int.from_bytes(data[offset : offset + size], "little")


def _sint(data: bytes, offset: int, size: int) -> int:
    return int.from_bytes(data[offset : offset + size], "little", signed=True)


def to_wire(value: float, divisor: int, size: int, signed: bool, what: str) -> bytes:
    """`value` in units of 1/`divisor`, little-endian; ValueError when it does not fit."""
    if not math.isfinite(value):
        raise ValueError(f"{what} = {value} is not a number the field can carry")
    raw = round(value * divisor)
    bits = 8 * size
    low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if not low <= raw <= high:
        raise ValueError(
            f"{what} = {value} does not fit the field ({low / divisor}..{high / divisor})"
        )
    return raw.to_bytes(size, "little", signed=signed)


def scaled(raw: int, divisor: int) -> float:
    """A raw field in the value's unit; ints stay ints so JSON shows 120, not 120.0."""
    return raw if divisor == 1 else raw / divisor


# --- parameters of control point requests, responses and status op codes --------------


class Param(NamedTuple):
    """One decoded parameter value of an op code, in its unit."""

    name: str
    value: float
    unit: str | None


@dataclass(frozen=True)
class _Slot:
    name: str
    size: int
    signed: bool
    divisor: int
    unit: str | None


_Layout = tuple[_Slot, ...]


def _slot(name: str, code: str, divisor: int = 1, unit: str | None = None) -> _Slot:
    size, signed = {"B": (1, False), "H": (2, False), "T": (3, False), "h": (2, True)}[code]
    return _Slot(name, size, signed, divisor, unit)


def _layout_size(layout: _Layout) -> int:
    return sum(s.size for s in layout)


_SPEED = (_slot("target_speed", "H", 100, "km/h"),)
_INCLINE = (_slot("target_inclination", "h", 10, "%"),)
# FTMS 1.0 gives the target resistance level as uint8 (0.1), v1.0.1's status table as
# sint16 (0.1): accept either, chosen by the parameter's length; encode the 1.0 form.
_RESISTANCE = (
    (_slot("target_resistance_level", "B", 10),),
    (_slot("target_resistance_level", "h", 10),),
)
_POWER = (_slot("target_power", "h", 1, "W"),)
_HEART_RATE = (_slot("target_heart_rate", "B", 1, "bpm"),)
_ENERGY = (_slot("targeted_expended_energy", "H", 1, "kcal"),)
_STEPS = (_slot("targeted_steps", "H", 1, "steps"),)
_STRIDES = (_slot("targeted_strides", "H", 1, "strides"),)
_DISTANCE = (_slot("targeted_distance", "T", 1, "m"),)
_TIME = (_slot("targeted_training_time", "H", 1, "s"),)
_TWO_ZONES = (_slot("fat_burn_zone_time", "H", 1, "s"), _slot("fitness_zone_time", "H", 1, "s"))
_THREE_ZONES = (
    _slot("light_zone_time", "H", 1, "s"),
    _slot("moderate_zone_time", "H", 1, "s"),
    _slot("hard_zone_time", "H", 1, "s"),
)
_FIVE_ZONES = (
    _slot("very_light_zone_time", "H", 1, "s"),
    _slot("light_zone_time", "H", 1, "s"),
    _slot("moderate_zone_time", "H", 1, "s"),
    _slot("hard_zone_time", "H", 1, "s"),
    _slot("maximum_zone_time", "H", 1, "s"),
)
_BIKE_SIMULATION = (
    _slot("wind_speed", "h", 1000, "m/s"),
    _slot("grade", "h", 100, "%"),
    _slot("rolling_resistance_coefficient", "B", 10000),
    _slot("wind_resistance_coefficient", "B", 100, "kg/m"),
)
_WHEEL = (_slot("wheel_circumference", "H", 10, "mm"),)
_CADENCE = (_slot("targeted_cadence", "H", 2, "1/min"),)
_CONTROL_INFO = (_slot("control_information", "B"),)
_NOTHING: tuple[_Layout, ...] = ((),)

# Each op code maps to the layouts its parameter may have (the first one is encoded).
_REQUEST_LAYOUTS: dict[int, tuple[_Layout, ...]] = {
    ControlOpCode.REQUEST_CONTROL: _NOTHING,
    ControlOpCode.RESET: _NOTHING,
    ControlOpCode.SET_TARGET_SPEED: (_SPEED,),
    ControlOpCode.SET_TARGET_INCLINATION: (_INCLINE,),
    ControlOpCode.SET_TARGET_RESISTANCE_LEVEL: _RESISTANCE,
    ControlOpCode.SET_TARGET_POWER: (_POWER,),
    ControlOpCode.SET_TARGET_HEART_RATE: (_HEART_RATE,),
    ControlOpCode.START_OR_RESUME: _NOTHING,
    ControlOpCode.STOP_OR_PAUSE: (_CONTROL_INFO,),
    ControlOpCode.SET_TARGETED_EXPENDED_ENERGY: (_ENERGY,),
    ControlOpCode.SET_TARGETED_NUMBER_OF_STEPS: (_STEPS,),
    ControlOpCode.SET_TARGETED_NUMBER_OF_STRIDES: (_STRIDES,),
    ControlOpCode.SET_TARGETED_DISTANCE: (_DISTANCE,),
    ControlOpCode.SET_TARGETED_TRAINING_TIME: (_TIME,),
    ControlOpCode.SET_TARGETED_TIME_IN_TWO_HR_ZONES: (_TWO_ZONES,),
    ControlOpCode.SET_TARGETED_TIME_IN_THREE_HR_ZONES: (_THREE_ZONES,),
    ControlOpCode.SET_TARGETED_TIME_IN_FIVE_HR_ZONES: (_FIVE_ZONES,),
    ControlOpCode.SET_INDOOR_BIKE_SIMULATION: (_BIKE_SIMULATION,),
    ControlOpCode.SET_WHEEL_CIRCUMFERENCE: (_WHEEL,),
    ControlOpCode.SPIN_DOWN_CONTROL: ((_slot("spin_down_control", "B"),),),
    ControlOpCode.SET_TARGETED_CADENCE: (_CADENCE,),
}

_STATUS_LAYOUTS: dict[int, tuple[_Layout, ...]] = {
    StatusCode.RESET: _NOTHING,
    StatusCode.STOPPED_OR_PAUSED_BY_USER: (_CONTROL_INFO,),
    StatusCode.STOPPED_BY_SAFETY_KEY: _NOTHING,
    StatusCode.STARTED_OR_RESUMED_BY_USER: _NOTHING,
    StatusCode.TARGET_SPEED_CHANGED: (_SPEED,),
    StatusCode.TARGET_INCLINE_CHANGED: (_INCLINE,),
    StatusCode.TARGET_RESISTANCE_CHANGED: _RESISTANCE,
    StatusCode.TARGET_POWER_CHANGED: (_POWER,),
    StatusCode.TARGET_HEART_RATE_CHANGED: (_HEART_RATE,),
    StatusCode.TARGETED_EXPENDED_ENERGY_CHANGED: (_ENERGY,),
    StatusCode.TARGETED_STEPS_CHANGED: (_STEPS,),
    StatusCode.TARGETED_STRIDES_CHANGED: (_STRIDES,),
    StatusCode.TARGETED_DISTANCE_CHANGED: (_DISTANCE,),
    StatusCode.TARGETED_TRAINING_TIME_CHANGED: (_TIME,),
    StatusCode.TARGETED_TIME_IN_HR_ZONES_CHANGED: (_TWO_ZONES,),
    StatusCode.TARGETED_TIME_IN_3_HR_ZONES_CHANGED: (_THREE_ZONES,),
    StatusCode.TARGETED_TIME_IN_5_HR_ZONES_CHANGED: (_FIVE_ZONES,),
    StatusCode.INDOOR_BIKE_SIMULATION_CHANGED: (_BIKE_SIMULATION,),
    StatusCode.WHEEL_CIRCUMFERENCE_CHANGED: (_WHEEL,),
    StatusCode.SPIN_DOWN_STATUS: ((_slot("spin_down_status", "B"),),),
    StatusCode.TARGETED_CADENCE_CHANGED: (_CADENCE,),
    StatusCode.CONTROL_PERMISSION_LOST: _NOTHING,
}

# A response parameter exists only for a successful spin down (Table 4.22).
_SPIN_DOWN_RESPONSE = (
    _slot("target_speed_low", "H", 100, "km/h"),
    _slot("target_speed_high", "H", 100, "km/h"),
)


def _decode_params(
    layouts: tuple[_Layout, ...] | None, payload: bytes, problems: list[str]
) -> tuple[Param, ...]:
    """The parameter values of one op code; whatever does not fit goes to `problems`."""
    if layouts is None:  # reserved op code: nothing is known about its parameter
        return ()
    layout = layouts[0]
    for candidate in layouts:
        if _layout_size(candidate) == len(payload):
            layout = candidate
            break
    params: list[Param] = []
    offset = 0
    for slot in layout:
        if offset + slot.size > len(payload):
            problems.append(
                f"parameter truncated in {slot.name} "
                f"({len(payload)} of {_layout_size(layout)} bytes)"
            )
            return tuple(params)
        raw = (_sint if slot.signed else _uint)(payload, offset, slot.size)
        params.append(Param(slot.name, scaled(raw, slot.divisor), slot.unit))
        offset += slot.size
    if offset < len(payload):
        extra = len(payload) - offset
        problems.append(f"{extra} trailing byte{'s' if extra != 1 else ''}")
    return tuple(params)


def _encode_params(layout: _Layout, values: tuple[float, ...], what: str) -> bytes:
    if len(values) != len(layout):
        names = ", ".join(s.name for s in layout) or "no parameter"
        raise ValueError(f"{what} takes {len(layout)} value(s) ({names}), got {len(values)}")
    return b"".join(
        to_wire(v, s.divisor, s.size, s.signed, s.name) for s, v in zip(layout, values, strict=True)
    )


def _check_stop_pause(params: tuple[Param, ...], problems: list[str]) -> None:
    if params and params[0].value not in (StopPauseParam.STOP, StopPauseParam.PAUSE):
        problems.append(f"reserved stop/pause value 0x{int(params[0].value):02x}")


def _single_value(params: tuple[Param, ...]) -> float | None:
    return params[0].value if len(params) == 1 else None


# --- Fitness Machine Feature 0x2ACC -----------------------------------------------------


@dataclass(frozen=True)
class FeatureRecord:
    """What the machine supports: named flags, and the raw bit fields (None if missing)."""

    machine: frozenset[MachineFeature]
    targets: frozenset[TargetSettingFeature]
    machine_bits: int | None
    target_bits: int | None
    problems: tuple[str, ...] = ()

    @property
    def can_set_speed(self) -> bool:
        return TargetSettingFeature.SPEED in self.targets

    @property
    def can_set_inclination(self) -> bool:
        return TargetSettingFeature.INCLINATION in self.targets


def decode_feature(data: ByteData) -> FeatureRecord:
    data = bytes(data)
    problems: list[str] = []
    machine_bits = _uint(data, 0, 4) if len(data) >= 4 else None
    target_bits = _uint(data, 4, 4) if len(data) >= 8 else None
    if len(data) < 8:
        problems.append(f"feature value truncated ({len(data)} of 8 bytes)")
    elif len(data) > 8:
        problems.append(f"{len(data) - 8} trailing byte{'s' if len(data) != 9 else ''}")
    if machine_bits is not None and machine_bits & ~_MACHINE_DEFINED:
        problems.append(
            f"reserved machine feature bits set: 0x{machine_bits & ~_MACHINE_DEFINED:08x}"
        )
    if target_bits is not None and target_bits & ~_TARGET_DEFINED:
        problems.append(f"reserved target setting bits set: 0x{target_bits & ~_TARGET_DEFINED:08x}")
    m = machine_bits or 0
    t = target_bits or 0
    return FeatureRecord(
        frozenset(f for bit, f in _MACHINE_MEMBERS if m & bit),
        frozenset(f for bit, f in _TARGET_MEMBERS if t & bit),
        machine_bits,
        target_bits,
        tuple(problems),
    )


def encode_feature(
    machine: int | Iterable[MachineFeature], targets: int | Iterable[TargetSettingFeature]
) -> bytes:
    """Two uint32 bit fields; each given as an int (or IntFlag) or as a set of flags."""
    m = machine if isinstance(machine, int) else sum(machine)
    t = targets if isinstance(targets, int) else sum(targets)
    return to_wire(m, 1, 4, False, "machine features") + to_wire(t, 1, 4, False, "target features")


# --- Supported Speed Range 0x2AD4, Supported Inclination Range 0x2AD5 --------------------


@dataclass(frozen=True)
class SpeedRange:
    min_kmh: float | None
    max_kmh: float | None
    step_kmh: float | None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class InclineRange:
    min_pct: float | None
    max_pct: float | None
    step_pct: float | None
    problems: tuple[str, ...] = ()


def _decode_range(
    data: bytes, signed: bool, divisor: int, names: tuple[str, str, str]
) -> tuple[tuple[float | None, float | None, float | None], tuple[str, ...]]:
    problems: list[str] = []
    values: list[float | None] = []
    for i, name in enumerate(names):
        if len(data) >= 2 * i + 2:
            # The increment is unsigned even in the inclination range.
            is_signed = signed and i < 2
            raw = (_sint if is_signed else _uint)(data, 2 * i, 2)
            values.append(raw / divisor)
        else:
            if not problems:
                problems.append(f"range truncated in {name} ({len(data)} of 6 bytes)")
            values.append(None)
    if len(data) > 6:
        problems.append(f"{len(data) - 6} trailing byte{'s' if len(data) != 7 else ''}")
    low, high, step = values
    if low is not None and high is not None and low > high:
        problems.append(f"minimum {low} above maximum {high}")
    if step == 0:
        problems.append("minimum increment is 0")
    return (low, high, step), tuple(problems)


def decode_speed_range(data: ByteData) -> SpeedRange:
    """uint16 minimum, maximum and minimum increment, all 0.01 km/h."""
    values, problems = _decode_range(bytes(data), False, 100, ("min", "max", "increment"))
    return SpeedRange(*values, problems=problems)


def encode_speed_range(min_kmh: float, max_kmh: float, step_kmh: float) -> bytes:
    return b"".join(
        to_wire(v, 100, 2, False, n)
        for v, n in ((min_kmh, "min_kmh"), (max_kmh, "max_kmh"), (step_kmh, "step_kmh"))
    )


def decode_incline_range(data: ByteData) -> InclineRange:
    """sint16 minimum and maximum, uint16 minimum increment, all 0.1 %."""
    values, problems = _decode_range(bytes(data), True, 10, ("min", "max", "increment"))
    return InclineRange(*values, problems=problems)


def encode_incline_range(min_pct: float, max_pct: float, step_pct: float) -> bytes:
    return (
        to_wire(min_pct, 10, 2, True, "min_pct")
        + to_wire(max_pct, 10, 2, True, "max_pct")
        + to_wire(step_pct, 10, 2, False, "step_pct")
    )


# --- Training Status 0x2AD3 ----------------------------------------------------------------

_STRING_PRESENT = 0x01
_EXTENDED_STRING = 0x02


@dataclass(frozen=True)
class TrainingStatusRecord:
    code: int | None
    text: str | None  # the Training Status String, when the flags say it is there
    # The string continues beyond this notification; read the characteristic for all of it.
    extended: bool = False
    problems: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return code_name(TrainingStatusCode, self.code)


def decode_training_status(data: ByteData) -> TrainingStatusRecord:
    data = bytes(data)
    if len(data) < 2:
        what = "empty value" if not data else "training status missing (1 of 2 bytes)"
        return TrainingStatusRecord(None, None, False, (what,))
    flags, code = data[0], data[1]
    problems: list[str] = []
    if flags & ~(_STRING_PRESENT | _EXTENDED_STRING):
        problems.append(f"reserved flag bits set: 0x{flags & 0xFC:02x}")
    if code > max(TrainingStatusCode):
        problems.append(f"reserved training status 0x{code:02x}")
    text: str | None = None
    rest = data[2:]
    if flags & _STRING_PRESENT:
        try:
            text = rest.decode("utf-8")
        except UnicodeDecodeError:
            # A cut in a multi-byte character is normal at the MTU edge of an extended string.
            text = rest.decode("utf-8", errors="replace")
            if not flags & _EXTENDED_STRING:
                problems.append("training status string is not valid UTF-8")
    elif rest:
        problems.append(f"{len(rest)} trailing byte{'s' if len(rest) != 1 else ''}")
    return TrainingStatusRecord(code, text, bool(flags & _EXTENDED_STRING), tuple(problems))


def encode_training_status(code: int, text: str | None = None, extended: bool = False) -> bytes:
    flags = (_STRING_PRESENT if text is not None else 0) | (_EXTENDED_STRING if extended else 0)
    body = to_wire(flags, 1, 1, False, "flags") + to_wire(code, 1, 1, False, "training status")
    return body + (text.encode("utf-8") if text is not None else b"")


# --- Fitness Machine Status 0x2ADA ---------------------------------------------------------


@dataclass(frozen=True)
class MachineStatusRecord:
    """A status notification: op code, its decoded parameter values and the raw bytes."""

    code: int | None
    params: tuple[Param, ...] = ()
    parameter: bytes = b""  # the raw parameter bytes, whatever their op code
    problems: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return code_name(StatusCode, self.code)

    @property
    def value(self) -> float | None:
        """The single parameter (stop/pause, target speed km/h, incline %...), else None."""
        return _single_value(self.params)


def decode_machine_status(data: ByteData) -> MachineStatusRecord:
    data = bytes(data)
    if not data:
        return MachineStatusRecord(None, problems=("empty value",))
    code, payload = data[0], data[1:]
    problems: list[str] = []
    layouts = _STATUS_LAYOUTS.get(code)
    if layouts is None:
        problems.append(f"reserved status op code 0x{code:02x}")
    params = _decode_params(layouts, payload, problems)
    if code == StatusCode.STOPPED_OR_PAUSED_BY_USER:
        _check_stop_pause(params, problems)
    return MachineStatusRecord(code, params, payload, tuple(problems))


def encode_machine_status(code: int, *values: float) -> bytes:
    """The status op code and its parameter values in their units (as `params` lists them)."""
    layouts = _STATUS_LAYOUTS.get(code)
    if layouts is None:
        raise ValueError(f"0x{code:02x} is not a status op code")
    return bytes([code]) + _encode_params(layouts[0], values, code_name(StatusCode, code))


# --- Fitness Machine Control Point 0x2AD9 ----------------------------------------------------


@dataclass(frozen=True)
class ControlPointRequest:
    """A request written to the control point: op code and its parameter values."""

    op: int | None
    params: tuple[Param, ...] = ()
    parameter: bytes = b""
    problems: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return code_name(ControlOpCode, self.op)

    @property
    def value(self) -> float | None:
        return _single_value(self.params)


@dataclass(frozen=True)
class ControlPointResponse:
    """The machine's answer: 0x80, the request's op code, the result (and a parameter)."""

    request_op: int | None
    result: int | None
    params: tuple[Param, ...] = ()
    parameter: bytes = b""
    problems: tuple[str, ...] = ()

    @property
    def request_name(self) -> str:
        return code_name(ControlOpCode, self.request_op)

    @property
    def result_name(self) -> str:
        return code_name(ResultCode, self.result)

    @property
    def outcome(self) -> str:
        """The result in the ports' `ControlResult` words (success, not_supported, ...).

        A result code the specification reserves, or a missing one, reads as "failed":
        the machine did not say it did what was asked.
        """
        if self.result is None or self.result not in _RESULT_WORDS:
            return "failed"
        return _RESULT_WORDS[self.result]


_RESULT_WORDS: dict[int, str] = {
    ResultCode.SUCCESS: "success",
    ResultCode.NOT_SUPPORTED: "not_supported",
    ResultCode.INVALID_PARAMETER: "invalid_parameter",
    ResultCode.FAILED: "failed",
    ResultCode.NOT_PERMITTED: "not_permitted",
}


def decode_control_request(data: ByteData) -> ControlPointRequest:
    data = bytes(data)
    if not data:
        return ControlPointRequest(None, problems=("empty value",))
    op, payload = data[0], data[1:]
    problems: list[str] = []
    layouts = _REQUEST_LAYOUTS.get(op)
    if layouts is None:
        what = "a response, not a request" if op == ControlOpCode.RESPONSE else "reserved op code"
        problems.append(f"{what} (0x{op:02x})")
    params = _decode_params(layouts, payload, problems)
    if op == ControlOpCode.STOP_OR_PAUSE:
        _check_stop_pause(params, problems)
    return ControlPointRequest(op, params, payload, tuple(problems))


def encode_control_request(op: int, *values: float) -> bytes:
    """Any request op code with its parameter values in their units."""
    layouts = _REQUEST_LAYOUTS.get(op)
    if layouts is None:
        raise ValueError(f"0x{op:02x} is not a control point request op code")
    return bytes([op]) + _encode_params(layouts[0], values, code_name(ControlOpCode, op))


def encode_request_control() -> bytes:
    return bytes([ControlOpCode.REQUEST_CONTROL])


def encode_reset() -> bytes:
    return bytes([ControlOpCode.RESET])


def encode_set_target_speed(kmh: float) -> bytes:
    """uint16 in 0.01 km/h."""
    return bytes([ControlOpCode.SET_TARGET_SPEED]) + to_wire(kmh, 100, 2, False, "target speed")


def encode_set_target_inclination(pct: float) -> bytes:
    """sint16 in 0.1 %."""
    return bytes([ControlOpCode.SET_TARGET_INCLINATION]) + to_wire(
        pct, 10, 2, True, "target inclination"
    )


def encode_start_or_resume() -> bytes:
    return bytes([ControlOpCode.START_OR_RESUME])


def encode_stop_or_pause(param: StopPauseParam | int) -> bytes:
    return bytes([ControlOpCode.STOP_OR_PAUSE]) + to_wire(param, 1, 1, False, "stop/pause")


def decode_control_response(data: ByteData) -> ControlPointResponse:
    data = bytes(data)
    problems: list[str] = []
    if not data:
        return ControlPointResponse(None, None, problems=("empty value",))
    if data[0] != ControlOpCode.RESPONSE:
        problems.append(f"not a response: op code 0x{data[0]:02x}, not 0x80")
    request_op = data[1] if len(data) >= 2 else None
    result = data[2] if len(data) >= 3 else None
    if len(data) < 3:
        problems.append(f"response truncated ({len(data)} of 3 bytes)")
    elif result not in _RESULT_WORDS:
        problems.append(f"reserved result code 0x{data[2]:02x}")
    payload = data[3:]
    params: tuple[Param, ...] = ()
    if request_op == ControlOpCode.SPIN_DOWN_CONTROL and result == ResultCode.SUCCESS:
        params = _decode_params((_SPIN_DOWN_RESPONSE,), payload, problems)
    elif payload:
        problems.append(f"{len(payload)} trailing byte{'s' if len(payload) != 1 else ''}")
    return ControlPointResponse(request_op, result, params, payload, tuple(problems))


def encode_control_response(request_op: int, result: int, *values: float) -> bytes:
    """0x80, the request's op code, the result code (and the spin-down speeds on success)."""
    head = bytes([ControlOpCode.RESPONSE]) + to_wire(request_op, 1, 1, False, "request op")
    head += to_wire(result, 1, 1, False, "result")
    if request_op == ControlOpCode.SPIN_DOWN_CONTROL and result == ResultCode.SUCCESS:
        return head + _encode_params(_SPIN_DOWN_RESPONSE, values, "spin down response")
    return head + _encode_params((), values, "response")


def decode_control_point(data: ByteData) -> ControlPointRequest | ControlPointResponse:
    """Either direction: a value starting with 0x80 is a response, anything else a request."""
    data = bytes(data)
    if data and data[0] == ControlOpCode.RESPONSE:
        return decode_control_response(data)
    return decode_control_request(data)
