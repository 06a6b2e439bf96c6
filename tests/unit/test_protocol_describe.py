"""`retrocoach decode`'s engine: hex parsing and the field lists of every kind."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrocoach.protocol.describe import KINDS, Field, as_json, describe, format_field, parse_hex


@pytest.mark.parametrize(
    "text",
    [
        "01 02 ff",
        "0102ff",
        "01:02:FF",
        "0x01,0x02,0xff",
        "0x01, 0x02, 0xFF",
        "01-02-ff",
        "0x1 0x2 0xff",
    ],
)
def test_parse_hex_accepts_what_people_paste(text: str) -> None:
    assert parse_hex(text) == b"\x01\x02\xff"


def test_parse_hex_edge_cases() -> None:
    assert parse_hex("") == b""
    assert parse_hex("  0x0102 ") == b"\x01\x02"
    assert parse_hex("0x1") == b"\x01"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("01 0g", "not hex: 'g' in '0g'"),
        ("012", "odd number of hex digits in '012'"),
        ("1", "odd number of hex digits in '1'"),
        ("0x", "not hex: 'x' in '0x'"),
        ("01 zz", "not hex: 'z'"),
    ],
)
def test_parse_hex_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_hex(text)


def named(fields: list[Field]) -> dict[str, object]:
    return {f.name: f.value for f in fields}


def test_treadmill_data() -> None:
    fields = describe("treadmill-data", parse_hex("0c 04 52 03 f3 05 00 2d 00 ff 7f 4e 03 aa"))
    assert [format_field(f) for f in fields] == [
        "flags: 0x040c",
        "more_data: no",
        "instantaneous_speed: 8.5 km/h",
        "total_distance: 1523 m",
        "inclination: 4.5 %",
        "ramp_angle: n/a",
        "elapsed_time: 846 s",
        "problem: 1 trailing byte",
    ]


def test_heart_rate() -> None:
    fields = named(describe("heart-rate", parse_hex("1e 96 d2 04 90 01 00 04")))
    assert fields["sensor_contact"] == "detected"
    assert fields["heart_rate"] == 150
    assert fields["energy_expended"] == 1234
    units = {f.name: f.unit for f in describe("heart-rate", parse_hex("1e 96 d2 04 90 01"))}
    assert units["rr_interval"] == "s" and units["energy_expended"] == "kJ"
    rr = [f.value for f in describe("heart-rate", parse_hex("10 48 00 02 00 04"))]
    assert rr[-2:] == [0.5, 1.0]
    no_contact = named(describe("heart-rate", parse_hex("04 48")))
    assert no_contact["heart_rate"] is None and no_contact["value_sent"] == 72


def test_feature() -> None:
    fields = named(describe("feature", parse_hex("0c 16 00 00 03 00 00 00")))
    assert fields["targets"] == ["inclination", "speed"]
    assert "elapsed_time" in fields["machine"]  # type: ignore[operator]


def test_ranges() -> None:
    assert describe("speed-range", parse_hex("50 00 d0 07 0a 00")) == [
        Field("minimum_speed", 0.8, "km/h"),
        Field("maximum_speed", 20.0, "km/h"),
        Field("minimum_increment", 0.1, "km/h"),
    ]
    assert (
        named(describe("incline-range", parse_hex("ce ff 96 00 05 00")))["minimum_inclination"]
        == -5.0
    )


def test_machine_status_and_training_status() -> None:
    assert named(describe("machine-status", parse_hex("06 e2 ff"))) == {
        "op_code": "0x06",
        "status": "target_incline_changed",
        "target_inclination": -3.0,
    }
    reserved = named(describe("machine-status", parse_hex("40 01 02")))
    assert reserved["parameter"] == "01 02"
    assert named(describe("training-status", parse_hex("01 0d 51")))["text"] == "Q"


def test_control_point_request_or_response() -> None:
    request = named(describe("control-point", parse_hex("02 e8 03")))
    assert request["direction"] == "request"
    assert request["request"] == "set_target_speed"
    assert request["target_speed"] == 10.0
    response = named(describe("control-point", parse_hex("80 02 05")))
    assert response["direction"] == "response"
    assert response["result"] == "not_permitted"


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind 'rower-data'; one of: treadmill-data"):
        describe("rower-data", b"")


def test_as_json_separates_problems() -> None:
    out = as_json("treadmill-data", parse_hex("00 00 52"))
    assert out == {
        "kind": "treadmill-data",
        "hex": "00 00 52",
        "fields": [
            {"name": "flags", "value": "0x0000", "unit": None},
            {"name": "more_data", "value": False, "unit": None},
        ],
        "problems": ["record truncated in speed_kmh (1 of 2 bytes)"],
    }


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(KINDS), st.binary(max_size=40))
def test_any_bytes_of_any_kind_describe_as_json(kind: str, data: bytes) -> None:
    json.dumps(as_json(kind, data))
    for f in describe(kind, data):
        format_field(f)
