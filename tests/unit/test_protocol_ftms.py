"""FTMS bytes <-> values: Treadmill Data, its split records, and the small characteristics.

Vectors marked "spec" were built by hand from the field layouts of the Fitness Machine
Service specification (v1.0 / v1.0.1, sections 4.3-4.19). Vectors marked "capture" are
real notifications published by people debugging their machines, or plausible ones
built after real machines' habits; each says which.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrocoach.protocol.ftms import (
    ControlOpCode,
    ControlPointRequest,
    ControlPointResponse,
    MachineFeature,
    ResultCode,
    StatusCode,
    StopPauseParam,
    TargetSettingFeature,
    TrainingStatusCode,
    decode_control_point,
    decode_control_request,
    decode_control_response,
    decode_feature,
    decode_incline_range,
    decode_machine_status,
    decode_speed_range,
    decode_training_status,
    encode_control_request,
    encode_control_response,
    encode_feature,
    encode_incline_range,
    encode_machine_status,
    encode_request_control,
    encode_reset,
    encode_set_target_inclination,
    encode_set_target_speed,
    encode_speed_range,
    encode_start_or_resume,
    encode_stop_or_pause,
    encode_training_status,
)
from retrocoach.protocol.treadmill_data import (
    TreadmillDataMerger,
    TreadmillRecord,
    decode_treadmill_data,
    encode_treadmill_data,
    encode_treadmill_data_parts,
)

FAST = settings(max_examples=100, deadline=None)
# Whole records take ~20 draws each: fewer of them keep the three files under 3 s.
RECORDS = settings(max_examples=60, deadline=None)


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace("-", " "))


# --- Treadmill Data: vectors -------------------------------------------------------------

# spec: flags 0x1FFE (bits 1-12 set, bit 0 clear so the speed is present), then every
# field in flag order with the resolutions of section 4.4.1: 34 bytes.
EVERY_FIELD = h(
    "fe 1f"  # flags
    " 1a 04"  # instantaneous speed 1050 -> 10.50 km/h
    " 98 03"  # average speed 920 -> 9.20 km/h
    " d2 04 00"  # total distance 1234 m (uint24)
    " e2 ff"  # inclination -30 -> -3.0 %
    " f1 ff"  # ramp angle -15 -> -1.5 deg
    " 7b 00"  # positive elevation gain 123 -> 12.3 m
    " 2d 00"  # negative elevation gain 45 -> 4.5 m
    " 02"  # instantaneous pace 2 -> 0.2 km/min
    " 03"  # average pace 3 -> 0.3 km/min
    " 64 00"  # total energy 100 kcal
    " 58 02"  # energy per hour 600 kcal
    " 0a"  # energy per minute 10 kcal
    " 8c"  # heart rate 140 bpm
    " 5f"  # metabolic equivalent 95 -> 9.5
    " 58 02"  # elapsed time 600 s
    " b0 04"  # remaining time 1200 s
    " f6 ff"  # force on belt -10 N
    " fa 00"  # power output 250 W
)


def test_every_field_in_flag_order_with_its_resolution() -> None:
    assert len(EVERY_FIELD) == 34
    record = decode_treadmill_data(EVERY_FIELD)
    assert record == TreadmillRecord(
        speed_kmh=10.5,
        average_speed_kmh=9.2,
        total_distance_m=1234,
        inclination_pct=-3.0,
        ramp_angle_deg=-1.5,
        positive_elevation_gain_m=12.3,
        negative_elevation_gain_m=4.5,
        instantaneous_pace_km_min=0.2,
        average_pace_km_min=0.3,
        total_energy_kcal=100,
        energy_per_hour_kcal=600,
        energy_per_minute_kcal=10,
        heart_rate_bpm=140,
        metabolic_equivalent=9.5,
        elapsed_time_s=600,
        remaining_time_s=1200,
        force_on_belt_n=-10,
        power_output_w=250,
    )
    assert record.flags == 0x1FFE
    assert encode_treadmill_data(record) == EVERY_FIELD


def test_kettler_alpha_run_600_capture() -> None:
    # capture: a Kettler Alpha Run 600 at 1 km/h, published at knallfahrrad.de (?p=1236).
    # Flags 0x058C: distance, inclination+ramp, energy, heart rate, elapsed time.
    record = decode_treadmill_data(h("8C-05-64-00-14-00-00-00-00-00-00-05-00-E7-00-03-00-5B-00"))
    assert record.problems == ()
    assert record.speed_kmh == 1.0
    assert record.total_distance_m == 20
    assert (record.inclination_pct, record.ramp_angle_deg) == (0.0, 0.0)
    assert (record.total_energy_kcal, record.energy_per_hour_kcal) == (5, 231)
    assert record.energy_per_minute_kcal == 3
    assert record.heart_rate_bpm is None  # 0: no hands on the grips
    assert record.elapsed_time_s == 91


def test_typical_one_hertz_packet() -> None:
    # capture (constructed after common machines): speed, distance, inclination and
    # ramp, elapsed time; flags 0x040C. 8.5 km/h, 1523 m, 4.5 %, ramp not available.
    packet = h("0c 04 52 03 f3 05 00 2d 00 ff 7f 4e 03")
    record = decode_treadmill_data(packet)
    assert record.problems == ()
    assert record.speed_kmh == 8.5
    assert record.total_distance_m == 1523
    assert record.inclination_pct == 4.5
    assert record.ramp_angle_deg is None
    assert record.unavailable == ("ramp_angle_deg",)
    assert record.elapsed_time_s == 846
    assert encode_treadmill_data(record) == packet


def test_star_trac_full_record_is_32_bytes() -> None:
    # capture: Star Trac treadmills send flags 0x17FE in 32-byte notifications (reported
    # on r/bluetoothlowenergy, Oct 2024): every field but remaining time. 32 bytes is
    # what the layout gives with 1-byte paces, as the GATT XML says.
    packet = h("fe 17") + bytes(30)
    record = decode_treadmill_data(packet)
    assert record.problems == ()
    assert record.power_output_w == 0
    assert record.remaining_time_s is None


def test_all_zero_packet_while_waking_is_speed_zero() -> None:
    record = decode_treadmill_data(bytes(4))
    assert record.speed_kmh == 0.0
    assert record.problems == ()
    assert not record.more_data


@pytest.mark.parametrize(
    ("packet", "problem"),
    [
        (b"", "empty packet"),
        (b"\x00", "packet too short for the flags (1 of 2 bytes)"),
        (b"\x00\x00", "record truncated in speed_kmh (0 of 2 bytes)"),
        (h("0c 04 64"), "record truncated in speed_kmh (1 of 2 bytes)"),
    ],
)
def test_short_packets_at_power_on(packet: bytes, problem: str) -> None:
    record = decode_treadmill_data(packet)
    assert record.problems == (problem,)
    assert record.speed_kmh is None


def test_truncated_record_keeps_the_complete_fields() -> None:
    packet = h("0c 04 52 03 f3 05 00 2d 00 ff 7f 4e")
    record = decode_treadmill_data(packet)
    assert record.problems == ("record truncated in elapsed_time_s (1 of 2 bytes)",)
    assert (record.speed_kmh, record.total_distance_m, record.inclination_pct) == (8.5, 1523, 4.5)
    assert record.elapsed_time_s is None


def test_truncated_inside_a_pair_keeps_the_first_of_the_pair() -> None:
    record = decode_treadmill_data(h("08 00 00 00 2d 00 ff"))
    assert record.inclination_pct == 4.5
    assert record.problems == ("record truncated in ramp_angle_deg (1 of 2 bytes)",)


def test_trailing_bytes_are_counted() -> None:
    record = decode_treadmill_data(h("00 00 52 03 01 02 03"))
    assert record.speed_kmh == 8.5
    assert record.problems == ("3 trailing bytes",)


def test_reserved_bit_13_with_steps_after_elapsed_time() -> None:
    # capture (layout from a CITYSPORTS-Linker walking pad, github hughesjs/FitnessMachine):
    # flags 0x2484 = distance, energy, elapsed time and reserved bit 13, which this
    # machine uses for a step count after the elapsed time; energies per hour and per
    # minute 'not available'.
    packet = h("84 24 e8 03 10 27 00 0c 00 ff ff ff 58 02 d2 04 00")
    record = decode_treadmill_data(packet)
    assert record.speed_kmh == 10.0
    assert record.total_distance_m == 10000
    assert record.total_energy_kcal == 12
    assert record.energy_per_hour_kcal is None
    assert record.energy_per_minute_kcal is None
    assert record.elapsed_time_s == 600
    assert record.problems == ("reserved flag bit 13 set", "3 trailing bytes")


def test_not_available_values_read_as_none() -> None:
    # spec: 0x7FFF for inclination, ramp angle, force and power; 0xFFFF, 0xFFFF, 0xFF
    # for the three energies (sections 4.4.1.5-6, 4.4.1.10-12, 4.4.1.17-18).
    packet = h("88 10 00 00 ff 7f ff 7f ff ff ff ff ff ff 7f ff 7f")
    record = decode_treadmill_data(packet)
    assert record.problems == ()
    assert record == TreadmillRecord(speed_kmh=0.0)
    assert record.unavailable == (
        "inclination_pct",
        "ramp_angle_deg",
        "total_energy_kcal",
        "energy_per_hour_kcal",
        "energy_per_minute_kcal",
        "force_on_belt_n",
        "power_output_w",
    )
    assert encode_treadmill_data(
        TreadmillRecord(speed_kmh=0.0, inclination_pct=2.0, total_energy_kcal=7)
    ) == h("88 00 00 00 14 00 ff 7f 07 00 ff ff ff")


def test_a_part_with_more_data_has_no_speed() -> None:
    record = decode_treadmill_data(h("05 00 10 27 00"))
    assert record.more_data
    assert record.speed_kmh is None
    assert record.total_distance_m == 10000
    assert record.problems == ()


# --- Treadmill Data: encoder refusals -------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (TreadmillRecord(), "speed_kmh is required"),
        (TreadmillRecord(speed_kmh=1.0, more_data=True), "cannot carry speed_kmh"),
        (TreadmillRecord(speed_kmh=-1.0), "speed_kmh = -1.0 does not fit"),
        (TreadmillRecord(speed_kmh=700.0), "does not fit"),
        (TreadmillRecord(speed_kmh=1.0, inclination_pct=3276.7), "'not available' value"),
        (TreadmillRecord(speed_kmh=1.0, heart_rate_bpm=0), "'not available' value"),
        (TreadmillRecord(speed_kmh=1.0, positive_elevation_gain_m=1.0), "travel together"),
        (TreadmillRecord(speed_kmh=1.0, total_distance_m=1 << 24), "does not fit"),
    ],
)
def test_encoder_refuses_what_the_wire_cannot_carry(record: TreadmillRecord, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        encode_treadmill_data(record)


def test_parts_need_room_for_the_widest_field() -> None:
    with pytest.raises(ValueError, match="cannot hold a 5-byte field"):
        encode_treadmill_data_parts(TreadmillRecord(speed_kmh=1.0, total_energy_kcal=1), 6)


# --- Treadmill Data: split records ---------------------------------------------------------


def test_merger_joins_the_parts_of_a_record() -> None:
    # spec (Appendix 1): first parts with More Data 1 and without the speed, the last
    # part with More Data 0 and the speed.
    merger = TreadmillDataMerger()
    assert merger.feed(h("05 00 10 27 00")) is None  # distance 10000 m
    assert merger.feed(h("09 00 2d 00 00 00")) is None  # inclination 4.5 %, ramp 0
    assert merger.pending == 2
    record = merger.feed(h("00 04 52 03 58 02"))  # speed 8.5 km/h, elapsed 600 s
    assert record == TreadmillRecord(
        speed_kmh=8.5,
        total_distance_m=10000,
        inclination_pct=4.5,
        ramp_angle_deg=0.0,
        elapsed_time_s=600,
    )
    assert record.flags == 0x040C
    assert merger.pending == 0


def test_later_parts_override_earlier_ones() -> None:
    merger = TreadmillDataMerger()
    merger.feed(h("05 00 10 27 00"))
    record = merger.feed(h("04 00 52 03 11 27 00"))
    assert record is not None
    assert record.total_distance_m == 10001


def test_a_single_notification_passes_straight_through() -> None:
    merger = TreadmillDataMerger()
    assert merger.feed(EVERY_FIELD) == decode_treadmill_data(EVERY_FIELD)


def test_problems_of_parts_are_kept_and_numbered() -> None:
    merger = TreadmillDataMerger()
    merger.feed(h("05 00 10 27 00 ee"))
    record = merger.feed(h("00 00 52 03"))
    assert record is not None
    assert record.problems == ("part 1 of 2: 1 trailing byte",)


def test_garbage_between_parts_is_returned_and_the_parts_kept() -> None:
    merger = TreadmillDataMerger()
    merger.feed(h("05 00 10 27 00"))
    garbage = merger.feed(b"\x07")
    assert garbage is not None and garbage.problems
    assert merger.pending == 1
    record = merger.feed(h("00 00 52 03"))
    assert record is not None and record.total_distance_m == 10000


def test_reset_discards_a_partly_received_record() -> None:
    merger = TreadmillDataMerger()
    merger.feed(h("05 00 10 27 00"))
    merger.reset()
    record = merger.feed(h("00 00 52 03"))
    assert record == TreadmillRecord(speed_kmh=8.5)


def test_a_machine_that_never_ends_its_record_is_still_heard() -> None:
    merger = TreadmillDataMerger(max_parts=3)
    assert merger.feed(h("05 00 01 00 00")) is None
    assert merger.feed(h("05 00 02 00 00")) is None
    record = merger.feed(h("05 00 03 00 00"))
    assert record is not None
    assert record.total_distance_m == 3
    assert record.speed_kmh is None
    assert record.problems == ("3 parts without a final part",)


def test_full_record_splits_into_mtu_sized_parts() -> None:
    record = decode_treadmill_data(EVERY_FIELD)
    parts = encode_treadmill_data_parts(record)
    assert len(parts) == 2
    assert all(len(p) <= 20 for p in parts)
    assert [p[0] & 1 for p in parts] == [1, 0]
    merger = TreadmillDataMerger()
    assert [merger.feed(p) for p in parts] == [None, record]


# --- Treadmill Data: properties --------------------------------------------------------------


def _tenths(low: int, high: int) -> st.SearchStrategy[float]:
    return st.integers(low, high).map(lambda raw: raw / 10)


def _pair(
    a: str, b: str, values: st.SearchStrategy[float], both: bool = False
) -> st.SearchStrategy[dict[str, float | None]]:
    """Both, or (unless `both`) one of the two, or neither."""
    options: list[st.SearchStrategy[dict[str, float | None]]] = [
        st.just({}),
        st.fixed_dictionaries({a: values, b: values}),
    ]
    if not both:
        options += [st.fixed_dictionaries({a: values}), st.fixed_dictionaries({b: values})]
    return st.one_of(options)


@st.composite
def treadmill_records(draw: st.DrawFn) -> TreadmillRecord:
    """Records the wire can carry: raw values in range, no 'not available' values."""
    values: dict[str, float | None] = {"speed_kmh": draw(st.integers(0, 0xFFFF)) / 100}
    optional: dict[str, st.SearchStrategy[float]] = {
        "average_speed_kmh": st.integers(0, 0xFFFF).map(lambda raw: raw / 100),
        "total_distance_m": st.integers(0, 0xFFFFFF),
        "instantaneous_pace_km_min": _tenths(0, 0xFF),
        "average_pace_km_min": _tenths(0, 0xFF),
        "heart_rate_bpm": st.integers(1, 0xFF),
        "metabolic_equivalent": _tenths(0, 0xFF),
        "elapsed_time_s": st.integers(0, 0xFFFF),
        "remaining_time_s": st.integers(0, 0xFFFF),
        "total_energy_kcal": st.integers(0, 0xFFFE),
        "energy_per_hour_kcal": st.integers(0, 0xFFFE),
        "energy_per_minute_kcal": st.integers(0, 0xFE),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            values[name] = draw(strategy)
    values |= draw(_pair("inclination_pct", "ramp_angle_deg", _tenths(-0x8000, 0x7FFE)))
    values |= draw(
        _pair(
            "positive_elevation_gain_m",
            "negative_elevation_gain_m",
            _tenths(0, 0xFFFF),
            both=True,
        )
    )
    values |= draw(_pair("force_on_belt_n", "power_output_w", st.integers(-0x8000, 0x7FFE)))
    return TreadmillRecord(**values)  # type: ignore[arg-type]


@RECORDS
@given(treadmill_records())
def test_treadmill_round_trip(record: TreadmillRecord) -> None:
    decoded = decode_treadmill_data(encode_treadmill_data(record))
    assert decoded == record
    assert decoded.problems == ()


@RECORDS
@given(treadmill_records(), st.integers(7, 40))
def test_split_records_merge_back(record: TreadmillRecord, mtu_payload: int) -> None:
    parts = encode_treadmill_data_parts(record, mtu_payload)
    assert all(len(p) <= mtu_payload for p in parts)
    merger = TreadmillDataMerger(max_parts=len(parts) + 1)
    fed = [merger.feed(p) for p in parts]
    assert fed[:-1] == [None] * (len(parts) - 1)
    assert fed[-1] == record
    assert fed[-1] is not None and fed[-1].problems == ()


@FAST
@given(st.binary(max_size=40))
def test_treadmill_decoder_never_raises(data: bytes) -> None:
    record = decode_treadmill_data(data)
    assert isinstance(record.problems, tuple)


@FAST
@given(st.lists(st.binary(max_size=40), max_size=12))
def test_merger_never_raises(packets: list[bytes]) -> None:
    merger = TreadmillDataMerger(max_parts=4)
    for packet in packets:
        merger.feed(packet)
    assert merger.pending < 4


# --- Fitness Machine Feature ---------------------------------------------------------------


def test_feature_of_a_typical_treadmill() -> None:
    # spec: machine features bits 2, 3, 9, 10, 12 (distance, inclination, energy, heart
    # rate, elapsed time) = 0x0000160C; targets bits 0, 1 (speed, inclination).
    record = decode_feature(h("0c 16 00 00 03 00 00 00"))
    assert record.problems == ()
    assert record.machine == {
        MachineFeature.TOTAL_DISTANCE,
        MachineFeature.INCLINATION,
        MachineFeature.EXPENDED_ENERGY,
        MachineFeature.HEART_RATE_MEASUREMENT,
        MachineFeature.ELAPSED_TIME,
    }
    assert record.targets == {TargetSettingFeature.SPEED, TargetSettingFeature.INCLINATION}
    assert record.can_set_speed and record.can_set_inclination


def test_feature_problems() -> None:
    short = decode_feature(h("0c 16 00 00"))
    assert short.machine_bits == 0x160C and short.target_bits is None
    assert short.targets == frozenset()
    assert short.problems == ("feature value truncated (4 of 8 bytes)",)
    reserved = decode_feature(h("00 00 02 00 00 00 00 80 ff"))
    assert reserved.problems == (
        "1 trailing byte",
        "reserved machine feature bits set: 0x00020000",
        "reserved target setting bits set: 0x80000000",
    )


@FAST
@given(st.integers(0, 0x1FFFF), st.integers(0, 0x1FFFF))
def test_feature_round_trip(machine: int, targets: int) -> None:
    record = decode_feature(encode_feature(machine, targets))
    assert (record.machine_bits, record.target_bits, record.problems) == (machine, targets, ())
    assert sum(record.machine) == machine and sum(record.targets) == targets
    assert encode_feature(record.machine, record.targets) == encode_feature(machine, targets)


# --- Supported Speed Range, Supported Inclination Range ------------------------------------


def test_speed_range() -> None:
    # spec: uint16 min 80, max 2000, increment 10, in 0.01 km/h.
    r = decode_speed_range(h("50 00 d0 07 0a 00"))
    assert (r.min_kmh, r.max_kmh, r.step_kmh, r.problems) == (0.8, 20.0, 0.1, ())
    assert encode_speed_range(0.8, 20.0, 0.1) == h("50 00 d0 07 0a 00")


def test_incline_range_with_a_decline() -> None:
    # spec: sint16 min -50, max 150, uint16 increment 5, in 0.1 %.
    r = decode_incline_range(h("ce ff 96 00 05 00"))
    assert (r.min_pct, r.max_pct, r.step_pct, r.problems) == (-5.0, 15.0, 0.5, ())


def test_range_problems() -> None:
    assert decode_speed_range(h("50 00 d0")).problems == ("range truncated in max (3 of 6 bytes)",)
    assert decode_speed_range(h("50 00 d0")).max_kmh is None
    assert decode_speed_range(h("d0 07 50 00 00 00 01")).problems == (
        "1 trailing byte",
        "minimum 20.0 above maximum 0.8",
        "minimum increment is 0",
    )


@FAST
@given(st.integers(0, 0xFFFF), st.integers(0, 0xFFFF), st.integers(0, 0xFFFF))
def test_speed_range_round_trip(low: int, high: int, step: int) -> None:
    r = decode_speed_range(encode_speed_range(low / 100, high / 100, step / 100))
    assert (r.min_kmh, r.max_kmh, r.step_kmh) == (low / 100, high / 100, step / 100)


@FAST
@given(st.integers(-0x8000, 0x7FFF), st.integers(-0x8000, 0x7FFF), st.integers(0, 0xFFFF))
def test_incline_range_round_trip(low: int, high: int, step: int) -> None:
    r = decode_incline_range(encode_incline_range(low / 10, high / 10, step / 10))
    assert (r.min_pct, r.max_pct, r.step_pct) == (low / 10, high / 10, step / 10)


# --- Training Status -----------------------------------------------------------------------


def test_training_status() -> None:
    idle = decode_training_status(h("00 01"))
    assert (idle.code, idle.name, idle.text, idle.problems) == (1, "idle", None, ())
    quick = decode_training_status(h("01 0d") + b"Quick Start")
    assert (quick.name, quick.text) == ("manual_mode", "Quick Start")
    assert decode_training_status(h("02 02")).extended


def test_training_status_problems() -> None:
    assert decode_training_status(b"").problems == ("empty value",)
    assert decode_training_status(h("00")).problems == ("training status missing (1 of 2 bytes)",)
    odd = decode_training_status(h("f0 20 41"))
    assert odd.name == "unknown_0x20"
    assert odd.problems == (
        "reserved flag bits set: 0xf0",
        "reserved training status 0x20",
        "1 trailing byte",
    )
    assert decode_training_status(h("01 01 ff")).problems == (
        "training status string is not valid UTF-8",
    )
    # A multi-byte character cut at the MTU edge of an extended string is normal.
    assert decode_training_status(h("03 01 c3")).problems == ()


@FAST
@given(st.sampled_from(TrainingStatusCode), st.none() | st.text(max_size=20), st.booleans())
def test_training_status_round_trip(code: int, text: str | None, extended: bool) -> None:
    record = decode_training_status(encode_training_status(code, text, extended))
    assert (record.code, record.text, record.extended, record.problems) == (
        code,
        text,
        extended,
        (),
    )


# --- Fitness Machine Status ----------------------------------------------------------------

# spec (Table 4.26): one parameter set per op code, encoded by hand.
STATUS_VECTORS = [
    ("01", StatusCode.RESET, ()),
    ("02 01", StatusCode.STOPPED_OR_PAUSED_BY_USER, (1,)),
    ("02 02", StatusCode.STOPPED_OR_PAUSED_BY_USER, (2,)),
    ("03", StatusCode.STOPPED_BY_SAFETY_KEY, ()),
    ("04", StatusCode.STARTED_OR_RESUMED_BY_USER, ()),
    ("05 e8 03", StatusCode.TARGET_SPEED_CHANGED, (10.0,)),
    ("06 e2 ff", StatusCode.TARGET_INCLINE_CHANGED, (-3.0,)),
    ("07 32", StatusCode.TARGET_RESISTANCE_CHANGED, (5.0,)),  # FTMS 1.0: uint8
    ("07 32 00", StatusCode.TARGET_RESISTANCE_CHANGED, (5.0,)),  # FTMS 1.0.1: sint16
    ("08 c8 00", StatusCode.TARGET_POWER_CHANGED, (200,)),
    ("09 96", StatusCode.TARGET_HEART_RATE_CHANGED, (150,)),
    ("0a f4 01", StatusCode.TARGETED_EXPENDED_ENERGY_CHANGED, (500,)),
    ("0b 10 27", StatusCode.TARGETED_STEPS_CHANGED, (10000,)),
    ("0c e8 03", StatusCode.TARGETED_STRIDES_CHANGED, (1000,)),
    ("0d 88 13 00", StatusCode.TARGETED_DISTANCE_CHANGED, (5000,)),
    ("0e 08 07", StatusCode.TARGETED_TRAINING_TIME_CHANGED, (1800,)),
    ("0f 2c 01 58 02", StatusCode.TARGETED_TIME_IN_HR_ZONES_CHANGED, (300, 600)),
    ("10 3c 00 78 00 b4 00", StatusCode.TARGETED_TIME_IN_3_HR_ZONES_CHANGED, (60, 120, 180)),
    (
        "11 01 00 02 00 03 00 04 00 05 00",
        StatusCode.TARGETED_TIME_IN_5_HR_ZONES_CHANGED,
        (1, 2, 3, 4, 5),
    ),
    (
        "12 e8 03 f4 01 28 33",
        StatusCode.INDOOR_BIKE_SIMULATION_CHANGED,
        (1.0, 5.0, 0.004, 0.51),
    ),
    ("13 44 54", StatusCode.WHEEL_CIRCUMFERENCE_CHANGED, (2157.2,)),
    ("14 02", StatusCode.SPIN_DOWN_STATUS, (2,)),
    ("15 b4 00", StatusCode.TARGETED_CADENCE_CHANGED, (90.0,)),
    ("ff", StatusCode.CONTROL_PERMISSION_LOST, ()),
]


@pytest.mark.parametrize(("packet", "code", "values"), STATUS_VECTORS)
def test_every_machine_status(packet: str, code: StatusCode, values: tuple[float, ...]) -> None:
    record = decode_machine_status(h(packet))
    assert record.code == code
    assert record.name == code.name.lower()
    assert tuple(p.value for p in record.params) == values
    assert record.problems == ()
    assert record.value == (values[0] if len(values) == 1 else None)
    if packet != "07 32 00":  # the encoder writes the FTMS 1.0 form
        assert encode_machine_status(code, *values) == h(packet)


def test_every_status_code_has_a_vector() -> None:
    assert {code for _, code, _ in STATUS_VECTORS} == set(StatusCode)


def test_status_values_for_the_station() -> None:
    assert decode_machine_status(h("02 02")).value == StopPauseParam.PAUSE
    speed = decode_machine_status(h("05 1a 04"))
    assert speed.params[0].unit == "km/h" and speed.value == 10.5


def test_machine_status_problems() -> None:
    assert decode_machine_status(b"").problems == ("empty value",)
    assert decode_machine_status(h("05 e8")).problems == (
        "parameter truncated in target_speed (1 of 2 bytes)",
    )
    assert decode_machine_status(h("05 e8")).value is None
    assert decode_machine_status(h("04 00")).problems == ("1 trailing byte",)
    assert decode_machine_status(h("02 07")).problems == ("reserved stop/pause value 0x07",)
    reserved = decode_machine_status(h("40 01 02"))
    assert reserved.name == "unknown_0x40"
    assert reserved.parameter == h("01 02")
    assert reserved.problems == ("reserved status op code 0x40",)


def test_status_encoder_refusals() -> None:
    with pytest.raises(ValueError, match="not a status op code"):
        encode_machine_status(0x40)
    with pytest.raises(ValueError, match="takes 1 value"):
        encode_machine_status(StatusCode.TARGET_SPEED_CHANGED)
    with pytest.raises(ValueError, match="does not fit"):
        encode_machine_status(StatusCode.TARGET_SPEED_CHANGED, -1.0)


@FAST
@given(st.binary(max_size=40))
def test_status_decoder_never_raises(data: bytes) -> None:
    decode_machine_status(data)


# --- Control Point -------------------------------------------------------------------------


def test_treadmill_requests() -> None:
    # spec: Table 4.15; 10 km/h and 2 % are the values of Appendix 2's sequence charts.
    assert encode_request_control() == h("00")
    assert encode_reset() == h("01")
    assert encode_set_target_speed(10.0) == h("02 e8 03")
    assert encode_set_target_speed(2.35) == h("02 eb 00")
    assert encode_set_target_inclination(2.0) == h("03 14 00")
    assert encode_set_target_inclination(-1.5) == h("03 f1 ff")
    assert encode_start_or_resume() == h("07")
    assert encode_stop_or_pause(StopPauseParam.STOP) == h("08 01")
    assert encode_stop_or_pause(StopPauseParam.PAUSE) == h("08 02")


def test_request_decoding() -> None:
    speed = decode_control_request(h("02 e8 03"))
    assert (speed.op, speed.name, speed.value, speed.problems) == (2, "set_target_speed", 10.0, ())
    incline = decode_control_request(h("03 f1 ff"))
    assert incline.value == -1.5 and incline.params[0].unit == "%"
    stop = decode_control_request(h("08 02"))
    assert stop.value == StopPauseParam.PAUSE
    assert decode_control_request(h("00")).params == ()


def test_request_problems() -> None:
    assert decode_control_request(b"").problems == ("empty value",)
    assert decode_control_request(h("02 e8")).problems == (
        "parameter truncated in target_speed (1 of 2 bytes)",
    )
    assert decode_control_request(h("07 00")).problems == ("1 trailing byte",)
    assert decode_control_request(h("08 03")).problems == ("reserved stop/pause value 0x03",)
    assert decode_control_request(h("15 01")).problems == ("reserved op code (0x15)",)
    assert decode_control_request(h("80 02 01")).problems == ("a response, not a request (0x80)",)


def test_request_encoder_refusals() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        encode_set_target_speed(-0.5)
    with pytest.raises(ValueError, match="does not fit"):
        encode_set_target_inclination(4000)
    with pytest.raises(ValueError, match="not a control point request"):
        encode_control_request(0x80)
    with pytest.raises(ValueError, match="not a number"):
        encode_set_target_speed(float("nan"))


def test_responses() -> None:
    # spec: 0x80, request op code, result code (Table 4.23).
    ok = decode_control_response(h("80 02 01"))
    assert (ok.request_op, ok.result, ok.problems) == (ControlOpCode.SET_TARGET_SPEED, 1, ())
    assert (ok.request_name, ok.result_name, ok.outcome) == (
        "set_target_speed",
        "success",
        "success",
    )
    outcomes = {
        code: decode_control_response(bytes([0x80, 0x03, code])).outcome for code in ResultCode
    }
    assert outcomes == {
        ResultCode.SUCCESS: "success",
        ResultCode.NOT_SUPPORTED: "not_supported",
        ResultCode.INVALID_PARAMETER: "invalid_parameter",
        ResultCode.FAILED: "failed",
        ResultCode.NOT_PERMITTED: "not_permitted",
    }
    assert encode_control_response(ControlOpCode.START_OR_RESUME, ResultCode.FAILED) == h(
        "80 07 04"
    )


def test_spin_down_success_carries_two_speeds() -> None:
    # spec: Table 4.22, target speed low and high, uint16 0.01 km/h.
    response = decode_control_response(h("80 13 01 e8 03 d0 07"))
    assert [(p.name, p.value) for p in response.params] == [
        ("target_speed_low", 10.0),
        ("target_speed_high", 20.0),
    ]
    assert encode_control_response(0x13, 1, 10.0, 20.0) == h("80 13 01 e8 03 d0 07")


def test_response_problems() -> None:
    reserved = decode_control_response(h("80 02 09"))
    assert reserved.problems == ("reserved result code 0x09",)
    assert reserved.outcome == "failed"
    short = decode_control_response(h("80 02"))
    assert short.result is None and short.outcome == "failed"
    assert short.problems == ("response truncated (2 of 3 bytes)",)
    assert decode_control_response(h("80 02 01 00")).problems == ("1 trailing byte",)
    assert decode_control_response(h("02 02 01")).problems[0] == (
        "not a response: op code 0x02, not 0x80"
    )
    assert decode_control_response(b"").outcome == "failed"


def test_control_point_either_direction() -> None:
    assert isinstance(decode_control_point(h("80 07 01")), ControlPointResponse)
    assert isinstance(decode_control_point(h("07")), ControlPointRequest)
    assert isinstance(decode_control_point(b""), ControlPointRequest)


# Strategies for every request op code's parameters, in raw units then scaled.
_U16 = st.integers(0, 0xFFFF)
_REQUEST_VALUES: dict[int, st.SearchStrategy[tuple[float, ...]]] = {
    ControlOpCode.REQUEST_CONTROL: st.just(()),
    ControlOpCode.RESET: st.just(()),
    ControlOpCode.SET_TARGET_SPEED: st.tuples(_U16.map(lambda r: r / 100)),
    ControlOpCode.SET_TARGET_INCLINATION: st.tuples(_tenths(-0x8000, 0x7FFF)),
    ControlOpCode.SET_TARGET_RESISTANCE_LEVEL: st.tuples(_tenths(0, 0xFF)),
    ControlOpCode.SET_TARGET_POWER: st.tuples(st.integers(-0x8000, 0x7FFF)),
    ControlOpCode.SET_TARGET_HEART_RATE: st.tuples(st.integers(0, 0xFF)),
    ControlOpCode.START_OR_RESUME: st.just(()),
    ControlOpCode.STOP_OR_PAUSE: st.tuples(st.sampled_from([1, 2])),
    ControlOpCode.SET_TARGETED_EXPENDED_ENERGY: st.tuples(_U16),
    ControlOpCode.SET_TARGETED_NUMBER_OF_STEPS: st.tuples(_U16),
    ControlOpCode.SET_TARGETED_NUMBER_OF_STRIDES: st.tuples(_U16),
    ControlOpCode.SET_TARGETED_DISTANCE: st.tuples(st.integers(0, 0xFFFFFF)),
    ControlOpCode.SET_TARGETED_TRAINING_TIME: st.tuples(_U16),
    ControlOpCode.SET_TARGETED_TIME_IN_TWO_HR_ZONES: st.tuples(_U16, _U16),
    ControlOpCode.SET_TARGETED_TIME_IN_THREE_HR_ZONES: st.tuples(_U16, _U16, _U16),
    ControlOpCode.SET_TARGETED_TIME_IN_FIVE_HR_ZONES: st.tuples(_U16, _U16, _U16, _U16, _U16),
    ControlOpCode.SET_INDOOR_BIKE_SIMULATION: st.tuples(
        st.integers(-0x8000, 0x7FFF).map(lambda r: r / 1000),
        st.integers(-0x8000, 0x7FFF).map(lambda r: r / 100),
        st.integers(0, 0xFF).map(lambda r: r / 10000),
        st.integers(0, 0xFF).map(lambda r: r / 100),
    ),
    ControlOpCode.SET_WHEEL_CIRCUMFERENCE: st.tuples(_U16.map(lambda r: r / 10)),
    ControlOpCode.SPIN_DOWN_CONTROL: st.tuples(st.sampled_from([1, 2])),
    ControlOpCode.SET_TARGETED_CADENCE: st.tuples(_U16.map(lambda r: r / 2)),
}


def test_every_request_op_code_has_a_strategy() -> None:
    assert set(_REQUEST_VALUES) == set(ControlOpCode) - {ControlOpCode.RESPONSE}


@FAST
@given(
    st.sampled_from(sorted(_REQUEST_VALUES)).flatmap(
        lambda op: st.tuples(st.just(op), _REQUEST_VALUES[op])
    )
)
def test_request_round_trip(case: tuple[int, tuple[float, ...]]) -> None:
    op, values = case
    record = decode_control_request(encode_control_request(op, *values))
    assert (record.op, tuple(p.value for p in record.params), record.problems) == (op, values, ())


@FAST
@given(
    st.sampled_from(StatusCode),
    st.integers(0, 0xFFFF),
    st.integers(-0x8000, 0x7FFF),
)
def test_status_round_trip(code: StatusCode, unsigned: int, signed: int) -> None:
    values: tuple[float, ...]
    if code == StatusCode.TARGET_SPEED_CHANGED:
        values = (unsigned / 100,)
    elif code == StatusCode.TARGET_INCLINE_CHANGED:
        values = (signed / 10,)
    elif code == StatusCode.TARGET_POWER_CHANGED:
        values = (signed,)
    else:
        values = next(v[2] for v in STATUS_VECTORS if v[1] == code)
    record = decode_machine_status(encode_machine_status(code, *values))
    assert (record.code, tuple(p.value for p in record.params), record.problems) == (
        code,
        values,
        (),
    )


@FAST
@given(
    st.integers(0, 0xFF),
    st.sampled_from(ResultCode),
    st.integers(0, 0xFFFF),
    st.integers(0, 0xFFFF),
)
def test_response_round_trip(op: int, result: ResultCode, low: int, high: int) -> None:
    values: tuple[float, ...] = ()
    if op == ControlOpCode.SPIN_DOWN_CONTROL and result == ResultCode.SUCCESS:
        values = (low / 100, high / 100)
    record = decode_control_response(encode_control_response(op, result, *values))
    assert (record.request_op, record.result, record.problems) == (op, result, ())
    assert tuple(p.value for p in record.params) == values


@FAST
@given(st.binary(max_size=40))
def test_small_decoders_never_raise(data: bytes) -> None:
    decode_feature(data)
    decode_speed_range(data)
    decode_incline_range(data)
    decode_training_status(data)
    decode_control_point(data)
    decode_control_request(data)
    decode_control_response(data)
