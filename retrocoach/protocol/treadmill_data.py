"""Treadmill Data (0x2ACD, FTMS section 4.4): bytes <-> `TreadmillRecord`.

A notification is a 16-bit flags field followed by the fields the flags announce, in
flag order. Bit 0 ("More Data") is inverted: when it is 0 the Instantaneous Speed is
present and the notification ends a Data Record; when it is 1 the speed is absent and
more notifications of the same record follow (section 4.19). `TreadmillDataMerger`
puts such split records back together.

Fields and resolutions (FTMS 4.4.1, the GATT XML of 2017-02-14):

    bit 0 = 0  instantaneous speed       uint16  0.01 km/h
    bit 1      average speed             uint16  0.01 km/h
    bit 2      total distance            uint24  1 m
    bit 3      inclination               sint16  0.1 %     0x7FFF = not available
               ramp angle setting        sint16  0.1 deg   0x7FFF = not available
    bit 4      positive elevation gain   uint16  0.1 m
               negative elevation gain   uint16  0.1 m
    bit 5      instantaneous pace        uint8   0.1 km/min
    bit 6      average pace              uint8   0.1 km/min
    bit 7      total energy              uint16  1 kcal    0xFFFF = not available
               energy per hour           uint16  1 kcal    0xFFFF = not available
               energy per minute         uint8   1 kcal    0xFF = not available
    bit 8      heart rate                uint8   1 bpm     (0 read as no reading)
    bit 9      metabolic equivalent      uint8   0.1
    bit 10     elapsed time              uint16  1 s
    bit 11     remaining time            uint16  1 s
    bit 12     force on belt             sint16  1 N       0x7FFF = not available
               power output              sint16  1 W       0x7FFF = not available
    bits 13-15 reserved

A field the packet does not carry, or carries as "not available", is None.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from retrocoach.protocol.ftms import ByteData, to_wire

MORE_DATA = 0x0001
_RESERVED = 0xE000


@dataclass(frozen=True, slots=True)
class TreadmillRecord:
    """One Treadmill Data notification, or a whole Data Record merged from several.

    `more_data` is the flag as received (True: a part, more follows). `flags` is the raw
    flags field (None when the packet was too short to hold one); it and `unavailable`
    are left out of comparisons because the encoder derives them from the fields.
    """

    speed_kmh: float | None = None
    average_speed_kmh: float | None = None
    total_distance_m: int | None = None
    inclination_pct: float | None = None
    ramp_angle_deg: float | None = None
    positive_elevation_gain_m: float | None = None
    negative_elevation_gain_m: float | None = None
    instantaneous_pace_km_min: float | None = None
    average_pace_km_min: float | None = None
    total_energy_kcal: int | None = None
    energy_per_hour_kcal: int | None = None
    energy_per_minute_kcal: int | None = None
    heart_rate_bpm: int | None = None
    metabolic_equivalent: float | None = None
    elapsed_time_s: int | None = None
    remaining_time_s: int | None = None
    force_on_belt_n: int | None = None
    power_output_w: int | None = None
    more_data: bool = False
    flags: int | None = field(default=None, compare=False)
    problems: tuple[str, ...] = ()
    # Fields that were on the wire with their 'not available' value (they read as None).
    unavailable: tuple[str, ...] = field(default=(), compare=False)


class _Field(NamedTuple):
    attr: str
    size: int
    signed: bool
    divisor: int
    sentinel: int | None  # the raw value that means "not available"


class _Group(NamedTuple):
    mask: int
    fields: tuple[_Field, ...]


# Everything after the speed, in flag (= wire) order.
_GROUPS = (
    _Group(1 << 1, (_Field("average_speed_kmh", 2, False, 100, None),)),
    _Group(1 << 2, (_Field("total_distance_m", 3, False, 1, None),)),
    _Group(
        1 << 3,
        (
            _Field("inclination_pct", 2, True, 10, 0x7FFF),
            _Field("ramp_angle_deg", 2, True, 10, 0x7FFF),
        ),
    ),
    _Group(
        1 << 4,
        (
            _Field("positive_elevation_gain_m", 2, False, 10, None),
            _Field("negative_elevation_gain_m", 2, False, 10, None),
        ),
    ),
    _Group(1 << 5, (_Field("instantaneous_pace_km_min", 1, False, 10, None),)),
    _Group(1 << 6, (_Field("average_pace_km_min", 1, False, 10, None),)),
    _Group(
        1 << 7,
        (
            _Field("total_energy_kcal", 2, False, 1, 0xFFFF),
            _Field("energy_per_hour_kcal", 2, False, 1, 0xFFFF),
            _Field("energy_per_minute_kcal", 1, False, 1, 0xFF),
        ),
    ),
    # Not a spec sentinel: machines send 0 when no hand is on the grips, and 0 bpm is
    # not a reading of a living runner.
    _Group(1 << 8, (_Field("heart_rate_bpm", 1, False, 1, 0),)),
    _Group(1 << 9, (_Field("metabolic_equivalent", 1, False, 10, None),)),
    _Group(1 << 10, (_Field("elapsed_time_s", 2, False, 1, None),)),
    _Group(1 << 11, (_Field("remaining_time_s", 2, False, 1, None),)),
    _Group(
        1 << 12,
        (
            _Field("force_on_belt_n", 2, True, 1, 0x7FFF),
            _Field("power_output_w", 2, True, 1, 0x7FFF),
        ),
    ),
)
_SPEED = _Field("speed_kmh", 2, False, 100, None)


def _read_uint24(data: bytes, offset: int) -> tuple[int]:
    return (data[offset] | data[offset + 1] << 8 | data[offset + 2] << 16,)


_Reader = Callable[[bytes, int], tuple[int]]
_READERS: dict[tuple[int, bool], _Reader] = {
    (1, False): struct.Struct("<B").unpack_from,
    (2, False): struct.Struct("<H").unpack_from,
    (2, True): struct.Struct("<h").unpack_from,
    (3, False): _read_uint24,
}
# The groups as plain tuples with a ready reader per field: decoding runs on every
# notification, and unpacking tuples is much cheaper than named attribute look-ups.
_DECODE_PLAN: tuple[tuple[int, tuple[tuple[str, int, _Reader, int, int | None], ...]], ...] = tuple(
    (
        g.mask,
        tuple(
            (f.attr, f.size, _READERS[f.size, f.signed], f.divisor, f.sentinel) for f in g.fields
        ),
    )
    for g in _GROUPS
)


class FieldInfo(NamedTuple):
    """How to show one record field: its attribute, a label, the unit and its flag bit."""

    attr: str
    label: str
    unit: str | None
    mask: int


def _label(attr: str) -> str:
    for suffix in ("_kmh", "_km_min", "_kcal", "_pct", "_deg", "_bpm", "_m", "_s", "_n", "_w"):
        if attr.endswith(suffix):
            return attr.removesuffix(suffix)
    return attr


_UNITS = {
    "_kmh": "km/h",
    "_km_min": "km/min",
    "_pct": "%",
    "_deg": "deg",
    "_bpm": "bpm",
    "_m": "m",
    "_s": "s",
    "_n": "N",
    "_w": "W",
}


def _unit(attr: str) -> str | None:
    if attr == "energy_per_hour_kcal":
        return "kcal/h"
    if attr == "energy_per_minute_kcal":
        return "kcal/min"
    if attr.endswith("_kcal"):
        return "kcal"
    for suffix, unit in _UNITS.items():
        if attr.endswith(suffix):
            return unit
    return None


#: Every data field in wire order, for describing a record.
TREADMILL_FIELDS: tuple[FieldInfo, ...] = (
    FieldInfo("speed_kmh", "instantaneous_speed", "km/h", MORE_DATA),
    *(FieldInfo(f.attr, _label(f.attr), _unit(f.attr), g.mask) for g in _GROUPS for f in g.fields),
)
_DATA_ATTRS = tuple(info.attr for info in TREADMILL_FIELDS)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def decode_treadmill_data(data: ByteData) -> TreadmillRecord:
    """Every field the flags announce, decoded as far as the bytes go. Never raises.

    Problems are reported, not raised: a packet shorter than its flags promise keeps the
    fields that are complete ("record truncated in elapsed_time_s ..."); bytes beyond
    the last announced field are counted ("3 trailing bytes"); reserved flag bits are
    named (their fields cannot be decoded, so they usually come with trailing bytes).
    """
    data = bytes(data)
    n = len(data)
    if n < 2:
        what = "empty packet" if n == 0 else "packet too short for the flags (1 of 2 bytes)"
        return TreadmillRecord(problems=(what,))
    flags = data[0] | data[1] << 8
    values: dict[str, float] = {}
    problems: list[str] = []
    unavailable: list[str] = []
    offset = 2
    truncated = False
    if not flags & MORE_DATA:
        if n >= 4:
            values["speed_kmh"] = (data[2] | data[3] << 8) / 100
            offset = 4
        else:
            problems.append(f"record truncated in speed_kmh ({n - 2} of 2 bytes)")
            truncated = True
    if not truncated:
        for mask, plan in _DECODE_PLAN:
            if not flags & mask:
                continue
            for attr, size, read, divisor, sentinel in plan:
                if offset + size > n:
                    problems.append(f"record truncated in {attr} ({n - offset} of {size} bytes)")
                    truncated = True
                    break
                raw = read(data, offset)[0]
                offset += size
                if raw != sentinel:
                    values[attr] = raw if divisor == 1 else raw / divisor
                else:
                    unavailable.append(attr)
            if truncated:
                break
    if flags & _RESERVED:
        problems.extend(
            f"reserved flag bit {bit} set" for bit in range(13, 16) if flags & (1 << bit)
        )
    if not truncated and offset < n:
        problems.append(_plural(n - offset, "trailing byte"))
    return TreadmillRecord(
        **values,  # type: ignore[arg-type]  # keys are TreadmillRecord's own field names
        more_data=bool(flags & MORE_DATA),
        flags=flags,
        problems=tuple(problems),
        unavailable=tuple(unavailable),
    )


def _encode_field(f: _Field, value: float | None, group: _Group) -> bytes:
    if value is None:
        if f.sentinel is None:
            others = ", ".join(g.attr for g in group.fields if g is not f)
            raise ValueError(f"{f.attr} is needed with {others}: they travel together")
        return f.sentinel.to_bytes(f.size, "little", signed=f.signed)
    wire = to_wire(value, f.divisor, f.size, f.signed, f.attr)
    if f.sentinel is not None and int.from_bytes(wire, "little", signed=f.signed) == f.sentinel:
        raise ValueError(f"{f.attr} = {value} is the 'not available' value")
    return wire


def _encoded_groups(record: TreadmillRecord) -> list[tuple[int, bytes]]:
    """(flag bit, bytes) for each group after the speed that the record carries."""
    out: list[tuple[int, bytes]] = []
    for group in _GROUPS:
        group_values = [getattr(record, f.attr) for f in group.fields]
        if all(v is None for v in group_values):
            continue
        chunk = b"".join(
            _encode_field(f, v, group) for f, v in zip(group.fields, group_values, strict=True)
        )
        out.append((group.mask, chunk))
    return out


def _encoded_speed(record: TreadmillRecord) -> bytes:
    if record.speed_kmh is None:
        raise ValueError("speed_kmh is required in a record that ends (more_data False)")
    return to_wire(record.speed_kmh, 100, 2, False, "speed_kmh")


def encode_treadmill_data(record: TreadmillRecord) -> bytes:
    """One notification carrying every field of `record` that is not None.

    `record.more_data` chooses between a final notification (False: speed required) and
    a part of a split record (True: speed must be None, as the speed only travels in the
    last part). Fields that travel in pairs or threes on the wire (inclination and ramp
    angle, the energies, force and power) are sent with the 'not available' value for a
    missing partner; the elevation pair has no such value and must be given whole.
    Raises ValueError for what the wire cannot carry. `flags` and `problems` are ignored.
    """
    if record.more_data:
        if record.speed_kmh is not None:
            raise ValueError("a part with more_data set cannot carry speed_kmh")
        flags, body = MORE_DATA, b""
    else:
        flags, body = 0, _encoded_speed(record)
    for mask, chunk in _encoded_groups(record):
        flags |= mask
        body += chunk
    return flags.to_bytes(2, "little") + body


def encode_treadmill_data_parts(record: TreadmillRecord, mtu_payload: int = 20) -> list[bytes]:
    """`record` as notifications of at most `mtu_payload` bytes (ATT_MTU - 3; 20 by default).

    Fields are packed in wire order, every part but the last with More Data set; the
    last one carries the speed (section 4.19). A record that fits is a single
    notification, the same bytes as `encode_treadmill_data`.
    """
    if record.more_data:
        raise ValueError("encode the whole record: more_data must be False")
    speed = _encoded_speed(record)
    groups = _encoded_groups(record)
    room = mtu_payload - 2
    widest = max([len(speed), *(len(chunk) for _, chunk in groups)])
    if room < widest:
        raise ValueError(f"mtu_payload {mtu_payload} cannot hold a {widest}-byte field")
    parts: list[bytes] = []
    flags, body = 0, b""
    for mask, chunk in groups:
        if len(body) + len(chunk) > room:
            parts.append((flags | MORE_DATA).to_bytes(2, "little") + body)
            flags, body = 0, b""
        flags |= mask
        body += chunk
    if len(body) + len(speed) > room:
        parts.append((flags | MORE_DATA).to_bytes(2, "little") + body)
        flags, body = 0, b""
    parts.append(flags.to_bytes(2, "little") + speed + body)
    return parts


def merge_records(parts: list[TreadmillRecord]) -> TreadmillRecord:
    """The Data Record made of `parts` in arrival order: later values fill in and override."""
    values: dict[str, object] = {}
    for part in parts:
        for attr in _DATA_ATTRS:
            value = getattr(part, attr)
            if value is not None:
                values[attr] = value
    problems: list[str] = []
    for i, part in enumerate(parts, 1):
        prefix = f"part {i} of {len(parts)}: " if len(parts) > 1 else ""
        problems.extend(prefix + p for p in part.problems)
    flags = 0
    for part in parts:
        flags |= part.flags or 0
    unavailable = {a for part in parts for a in part.unavailable if a not in values}
    return TreadmillRecord(
        **values,  # type: ignore[arg-type]  # keys are TreadmillRecord's own field names
        more_data=False,
        flags=flags & ~MORE_DATA,
        problems=tuple(problems),
        unavailable=tuple(a for a in _DATA_ATTRS if a in unavailable),
    )


class TreadmillDataMerger:
    """Puts Data Records split over several notifications back together (section 4.19).

    `feed(data)` takes one notification and returns:

    - None when it was a part with More Data set: it is kept, nothing is complete yet;
    - the whole Data Record when it ends one (More Data 0): the kept parts merged with
      it in arrival order (a later part's value wins), `more_data` False, the parts'
      problems prefixed "part i of n: ". With nothing kept, that is the packet itself;
    - the packet as decoded, problems and all, when it is too short to hold flags: it
      cannot belong to a record, and the kept parts stay kept;
    - the merged parts with a problem, when `max_parts` parts came without an end (a
      machine that never clears More Data would otherwise never be heard).

    Call `reset()` on link loss: a partly received record is discarded (section 4.18).
    """

    def __init__(self, max_parts: int = 8) -> None:
        self.max_parts = max_parts
        self._parts: list[TreadmillRecord] = []

    @property
    def pending(self) -> int:
        """How many parts are kept, waiting for the end of their record."""
        return len(self._parts)

    def reset(self) -> None:
        self._parts.clear()

    def feed(self, data: ByteData) -> TreadmillRecord | None:
        part = decode_treadmill_data(data)
        if part.flags is None:
            return part
        if part.more_data:
            self._parts.append(part)
            if len(self._parts) < self.max_parts:
                return None
            merged = merge_records(self._parts)
            self._parts.clear()
            return _with_problem(merged, f"{self.max_parts} parts without a final part")
        if not self._parts:
            return part
        self._parts.append(part)
        merged = merge_records(self._parts)
        self._parts.clear()
        return merged


def _with_problem(record: TreadmillRecord, problem: str) -> TreadmillRecord:
    return replace(record, problems=(*record.problems, problem))
