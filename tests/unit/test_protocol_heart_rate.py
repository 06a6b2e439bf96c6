"""Heart Rate Measurement (0x2A37) and Body Sensor Location (0x2A38).

Vectors marked "spec" were built by hand from the Heart Rate Service 1.0 field layout
(flags, value, energy expended, RR-intervals); "capture" vectors are plausible
notifications in the shape real chest straps send.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrocoach.protocol.heart_rate import (
    BODY_SENSOR_LOCATIONS,
    HeartRateRecord,
    decode_body_sensor_location,
    decode_heart_rate,
    encode_body_sensor_location,
    encode_heart_rate,
)

FAST = settings(max_examples=100, deadline=None)


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def test_chest_strap_with_contact_and_one_rr_interval() -> None:
    # capture (the shape Polar and Garmin straps send): flags 0x16 = contact supported
    # and detected, RR present; 72 bpm; RR 0x031F = 799/1024 s.
    record = decode_heart_rate(h("16 48 1f 03"))
    assert record == HeartRateRecord(72, True, None, (799 / 1024,))
    assert record.problems == ()


def test_uint16_value() -> None:
    # spec: bit 0 set, the value is a uint16.
    assert decode_heart_rate(h("01 48 00")).bpm == 72
    assert decode_heart_rate(h("01 2c 01")).bpm == 300


def test_energy_and_several_rr_intervals() -> None:
    # spec: flags 0x1E = contact supported and detected, energy present, RR present;
    # 150 bpm, 1234 kJ, three RR intervals of 400, 410 and 1024/1024 s.
    record = decode_heart_rate(h("1e 96 d2 04 90 01 9a 01 00 04"))
    assert record.bpm == 150
    assert record.contact is True
    assert record.energy_kj == 1234
    assert record.rr_s == (400 / 1024, 410 / 1024, 1.0)
    assert record.problems == ()


def test_no_contact_means_no_reading() -> None:
    # capture: a strap off the skin sends 0 with "contact not detected" (flags 0x04).
    lost = decode_heart_rate(h("04 00"))
    assert (lost.bpm, lost.contact, lost.problems) == (None, False, ())
    # Some straps keep sending the last value: it is not the runner's heart rate.
    stale = decode_heart_rate(h("04 48"))
    assert (stale.bpm, stale.raw_bpm, stale.contact) == (None, 72, False)


def test_zero_without_contact_support_is_no_reading() -> None:
    record = decode_heart_rate(h("00 00"))
    assert (record.bpm, record.contact) == (None, None)


@pytest.mark.parametrize("flags", [0x00, 0x02])
def test_contact_not_supported(flags: int) -> None:
    # spec: bits 1-2 = 0b00 or 0b01 both mean "sensor contact not supported".
    record = decode_heart_rate(bytes([flags, 60]))
    assert (record.bpm, record.contact) == (60, None)


@pytest.mark.parametrize(
    ("packet", "problems"),
    [
        ("", ("empty packet",)),
        ("00", ("heart rate value truncated (0 of 1 bytes)",)),
        ("01 48", ("heart rate value truncated (1 of 2 bytes)",)),
        ("08 48 d2", ("energy expended truncated (1 of 2 bytes)",)),
        ("10 48", ("RR-interval flag set but no RR-interval",)),
        ("10 48 1f 03 01", ("1 trailing byte",)),
        ("00 48 01 02", ("2 trailing bytes",)),
        ("e0 48", ("reserved flag bits set: 0xe0",)),
    ],
)
def test_problems(packet: str, problems: tuple[str, ...]) -> None:
    assert decode_heart_rate(h(packet)).problems == problems


def test_truncated_packet_keeps_what_is_complete() -> None:
    record = decode_heart_rate(h("18 48 d2"))
    assert record.bpm == 72
    assert record.energy_kj is None


def test_encoder() -> None:
    assert encode_heart_rate(HeartRateRecord(72, True, None, (799 / 1024,))) == h("16 48 1f 03")
    assert encode_heart_rate(HeartRateRecord(None, False)) == h("04 00")
    assert encode_heart_rate(HeartRateRecord(72), wide=True) == h("01 48 00")
    assert encode_heart_rate(HeartRateRecord(300)) == h("01 2c 01")
    with pytest.raises(ValueError, match="uint16"):
        encode_heart_rate(HeartRateRecord(70_000))
    with pytest.raises(ValueError, match="energy_kj"):
        encode_heart_rate(HeartRateRecord(70, energy_kj=-1))
    with pytest.raises(ValueError, match="RR-interval"):
        encode_heart_rate(HeartRateRecord(70, rr_s=(64.0,)))
    with pytest.raises(ValueError, match="RR-interval"):
        encode_heart_rate(HeartRateRecord(70, rr_s=(float("inf"),)))


@st.composite
def heart_rate_records(draw: st.DrawFn) -> HeartRateRecord:
    """Consistent measurements: no contact means no reading."""
    contact = draw(st.sampled_from([None, True, False]))
    bpm = None if contact is False else draw(st.none() | st.integers(1, 0xFFFF))
    energy = draw(st.none() | st.integers(0, 0xFFFF))
    rr = draw(st.lists(st.integers(0, 0xFFFF).map(lambda raw: raw / 1024), max_size=9))
    return HeartRateRecord(bpm, contact, energy, tuple(rr))


@FAST
@given(heart_rate_records(), st.booleans())
def test_round_trip(record: HeartRateRecord, wide: bool) -> None:
    decoded = decode_heart_rate(encode_heart_rate(record, wide=wide))
    assert decoded == record
    assert decoded.problems == ()


@FAST
@given(st.binary(max_size=40))
def test_decoders_never_raise(data: bytes) -> None:
    decode_heart_rate(data)
    decode_body_sensor_location(data)


def test_body_sensor_locations() -> None:
    names = [decode_body_sensor_location(bytes([code])).name for code in range(7)]
    assert names == ["other", "chest", "wrist", "finger", "hand", "ear lobe", "foot"]
    assert encode_body_sensor_location("chest") == b"\x01"
    assert encode_body_sensor_location(6) == b"\x06"
    for code, name in enumerate(BODY_SENSOR_LOCATIONS):
        assert decode_body_sensor_location(encode_body_sensor_location(name)).code == code


def test_body_sensor_location_problems() -> None:
    assert decode_body_sensor_location(b"").name == "unknown"
    assert decode_body_sensor_location(b"").problems == ("empty value",)
    reserved = decode_body_sensor_location(b"\x09")
    assert (reserved.name, reserved.problems) == ("reserved_0x09", ("reserved location 0x09",))
    assert decode_body_sensor_location(b"\x01\x00").problems == ("1 trailing byte",)
    with pytest.raises(ValueError, match="one of: other, chest"):
        encode_body_sensor_location("ankle")
    with pytest.raises(ValueError, match="uint8"):
        encode_body_sensor_location(256)
