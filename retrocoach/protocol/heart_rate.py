"""Heart Rate Service: Heart Rate Measurement (0x2A37) and Body Sensor Location (0x2A38).

Heart Rate Measurement layout (HRS 1.0, section 3.1):

    flags              uint8   bit 0: value format (0 uint8, 1 uint16)
                               bits 1-2: sensor contact (bit 2 "supported", bit 1
                                         "detected"; 0b00/0b01 not supported)
                               bit 3: Energy Expended present
                               bit 4: RR-Interval present
                               bits 5-7: reserved
    heart rate value   uint8 or uint16, bpm
    energy expended    uint16, kJ since the last reset (it stays at 0xFFFF when full)
    RR-intervals       uint16 each, 1/1024 s, as many as fit, oldest first

Decoders never raise; they report what they could not read in `problems`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

ByteData = bytes | bytearray | memoryview

_UINT16_VALUE = 0x01
_CONTACT_DETECTED = 0x02
_CONTACT_SUPPORTED = 0x04
_ENERGY_PRESENT = 0x08
_RR_PRESENT = 0x10
_RESERVED = 0xE0

RR_RESOLUTION = 1024  # RR-intervals count 1/1024 s

BODY_SENSOR_LOCATIONS = ("other", "chest", "wrist", "finger", "hand", "ear lobe", "foot")


@dataclass(frozen=True)
class HeartRateRecord:
    """One measurement. `bpm` is None when there is no reading (0, or no skin contact).

    `contact` is None when the strap does not report contact. `raw_bpm` is the value as
    sent and `flags` the flags byte (both kept for describing a packet; the encoder
    derives its own, so they are left out of comparisons).
    """

    bpm: int | None
    contact: bool | None = None
    energy_kj: int | None = None
    rr_s: tuple[float, ...] = ()
    problems: tuple[str, ...] = ()
    raw_bpm: int | None = field(default=None, compare=False)
    flags: int | None = field(default=None, compare=False)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def decode_heart_rate(data: ByteData) -> HeartRateRecord:
    """Decode a Heart Rate Measurement; never raises.

    A strap without skin contact sends 0 or a stale value with "contact not detected":
    both give bpm None, because neither is the runner's heart rate.
    """
    data = bytes(data)
    n = len(data)
    if n == 0:
        return HeartRateRecord(None, problems=("empty packet",))
    flags = data[0]
    problems: list[str] = []
    if flags & _RESERVED:
        problems.append(f"reserved flag bits set: 0x{flags & _RESERVED:02x}")
    contact = bool(flags & _CONTACT_DETECTED) if flags & _CONTACT_SUPPORTED else None
    size = 2 if flags & _UINT16_VALUE else 1
    offset = 1
    raw_bpm: int | None = None
    energy: int | None = None
    rr: list[float] = []
    if n < offset + size:
        problems.append(f"heart rate value truncated ({n - offset} of {size} bytes)")
        return HeartRateRecord(None, contact, None, (), tuple(problems), None, flags)
    raw_bpm = int.from_bytes(data[offset : offset + size], "little")
    offset += size
    if flags & _ENERGY_PRESENT:
        if n < offset + 2:
            problems.append(f"energy expended truncated ({n - offset} of 2 bytes)")
            offset = n
        else:
            energy = data[offset] | data[offset + 1] << 8
            offset += 2
    if flags & _RR_PRESENT:
        while offset + 2 <= n:
            rr.append((data[offset] | data[offset + 1] << 8) / RR_RESOLUTION)
            offset += 2
        if not rr:
            problems.append("RR-interval flag set but no RR-interval")
    if offset < n:
        problems.append(_plural(n - offset, "trailing byte"))
    bpm = raw_bpm if raw_bpm and contact is not False else None
    return HeartRateRecord(bpm, contact, energy, tuple(rr), tuple(problems), raw_bpm, flags)


def encode_heart_rate(record: HeartRateRecord, wide: bool = False) -> bytes:
    """The measurement as a strap sends it; bpm None goes out as 0.

    The value is uint8 unless it needs 16 bits or `wide` asks for them. Raises ValueError
    for values the fields cannot hold.
    """
    bpm = record.bpm or 0
    if not 0 <= bpm <= 0xFFFF:
        raise ValueError(f"bpm = {record.bpm} does not fit uint16")
    flags = 0
    wide = wide or bpm > 0xFF
    if wide:
        flags |= _UINT16_VALUE
    if record.contact is not None:
        flags |= _CONTACT_SUPPORTED | (_CONTACT_DETECTED if record.contact else 0)
    body = bpm.to_bytes(2 if wide else 1, "little")
    if record.energy_kj is not None:
        if not 0 <= record.energy_kj <= 0xFFFF:
            raise ValueError(f"energy_kj = {record.energy_kj} does not fit uint16")
        flags |= _ENERGY_PRESENT
        body += record.energy_kj.to_bytes(2, "little")
    if record.rr_s:
        flags |= _RR_PRESENT
        for rr in record.rr_s:
            raw = round(rr * RR_RESOLUTION) if math.isfinite(rr) else -1
            if not 0 <= raw <= 0xFFFF:
                raise ValueError(f"RR-interval {rr} s does not fit uint16 in 1/1024 s")
            body += raw.to_bytes(2, "little")
    return bytes([flags]) + body


@dataclass(frozen=True)
class BodySensorLocationRecord:
    code: int | None
    problems: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        if self.code is None:
            return "unknown"
        if self.code < len(BODY_SENSOR_LOCATIONS):
            return BODY_SENSOR_LOCATIONS[self.code]
        return f"reserved_0x{self.code:02x}"


def decode_body_sensor_location(data: ByteData) -> BodySensorLocationRecord:
    data = bytes(data)
    if not data:
        return BodySensorLocationRecord(None, ("empty value",))
    problems: list[str] = []
    if data[0] >= len(BODY_SENSOR_LOCATIONS):
        problems.append(f"reserved location 0x{data[0]:02x}")
    if len(data) > 1:
        problems.append(_plural(len(data) - 1, "trailing byte"))
    return BodySensorLocationRecord(data[0], tuple(problems))


def encode_body_sensor_location(location: str | int) -> bytes:
    """A location by name ("chest", "ear lobe", ...) or by its number."""
    if isinstance(location, str):
        try:
            return bytes([BODY_SENSOR_LOCATIONS.index(location)])
        except ValueError:
            raise ValueError(
                f"unknown body sensor location {location!r}; "
                f"one of: {', '.join(BODY_SENSOR_LOCATIONS)}"
            ) from None
    if not 0 <= location <= 0xFF:
        raise ValueError(f"body sensor location {location} does not fit uint8")
    return bytes([location])
