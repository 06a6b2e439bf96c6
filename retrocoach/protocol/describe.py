"""Human- and JSON-readable descriptions of one characteristic value.

Backs `retrocoach decode KIND HEX [--json]`, for debugging a machine with a BLE
sniffer: `parse_hex` reads the bytes as people paste them, `describe` lists every field
present with its unit (problems last, as fields named "problem"), `as_json` gives the
same as a JSON-ready dict.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from retrocoach.protocol import ftms, heart_rate, treadmill_data
from retrocoach.protocol.ftms import (
    ControlPointRequest,
    ControlPointResponse,
    Param,
)

KINDS = (
    "treadmill-data",
    "heart-rate",
    "feature",
    "speed-range",
    "incline-range",
    "machine-status",
    "training-status",
    "control-point",
)

PROBLEM = "problem"


@dataclass(frozen=True)
class Field:
    """One field of a decoded value. `value` None: sent as 'not available'."""

    name: str
    value: object
    unit: str | None = None


def format_field(f: Field) -> str:
    """`name: value unit`, for a console."""
    if f.value is None:
        shown = "n/a"
    elif isinstance(f.value, list):
        shown = ", ".join(str(v) for v in f.value) or "(none)"
    elif isinstance(f.value, bool):
        shown = "yes" if f.value else "no"
    else:
        shown = str(f.value)
    return f"{f.name}: {shown}" + (f" {f.unit}" if f.unit and f.value is not None else "")


# "0x01", "0X01" prefixes, and the separators people paste between bytes.
_PREFIX = re.compile(r"0[xX](?=[0-9a-fA-F])")
_SEPARATORS = re.compile(r"[\s,:;\-]+")


def parse_hex(text: str) -> bytes:
    """Bytes from "01 02", "0102", "01:02", "01-02" or "0x01,0x02"; ValueError if not hex."""
    tokens = [t for t in _SEPARATORS.split(text.strip()) if t]
    out = bytearray()
    for token in tokens:
        digits = _PREFIX.sub("", token)
        bad = next((c for c in digits if c not in "0123456789abcdefABCDEF"), None)
        if bad is not None:
            raise ValueError(f"not hex: {bad!r} in {token!r}")
        if len(digits) % 2:
            # "0x1,0x2" or "1 2": a lone digit is a byte; in "012" a digit is missing.
            if len(digits) > 1 or (len(tokens) == 1 and digits == token):
                raise ValueError(f"odd number of hex digits in {token!r}: each byte is two digits")
            digits = "0" + digits
        out += bytes.fromhex(digits)
    return bytes(out)


def _problems(problems: tuple[str, ...]) -> list[Field]:
    return [Field(PROBLEM, p) for p in problems]


def _params(params: tuple[Param, ...]) -> list[Field]:
    return [Field(p.name, p.value, p.unit) for p in params]


def _describe_treadmill(data: bytes) -> list[Field]:
    record = treadmill_data.decode_treadmill_data(data)
    if record.flags is None:
        return _problems(record.problems)
    out = [Field("flags", f"0x{record.flags:04x}"), Field("more_data", record.more_data)]
    for info in treadmill_data.TREADMILL_FIELDS:
        value = getattr(record, info.attr)
        if value is not None or info.attr in record.unavailable:
            out.append(Field(info.label, value, info.unit))
    return out + _problems(record.problems)


def _describe_heart_rate(data: bytes) -> list[Field]:
    record = heart_rate.decode_heart_rate(data)
    if record.flags is None:
        return _problems(record.problems)
    contact = {None: "not supported", True: "detected", False: "not detected"}[record.contact]
    out = [
        Field("flags", f"0x{record.flags:02x}"),
        Field("value_format", "uint16" if record.flags & 0x01 else "uint8"),
        Field("sensor_contact", contact),
    ]
    if record.raw_bpm is not None:
        out.append(Field("heart_rate", record.bpm, "bpm"))
        if record.bpm is None:
            out.append(Field("value_sent", record.raw_bpm, "bpm"))
    if record.energy_kj is not None:
        out.append(Field("energy_expended", record.energy_kj, "kJ"))
    out += [Field("rr_interval", round(rr, 4), "s") for rr in record.rr_s]
    return out + _problems(record.problems)


def _describe_feature(data: bytes) -> list[Field]:
    record = ftms.decode_feature(data)
    out: list[Field] = []
    if record.machine_bits is not None:
        out.append(Field("fitness_machine_features", f"0x{record.machine_bits:08x}"))
        out.append(Field("machine", sorted(_name(f) for f in record.machine)))
    if record.target_bits is not None:
        out.append(Field("target_setting_features", f"0x{record.target_bits:08x}"))
        out.append(Field("targets", sorted(_name(f) for f in record.targets)))
    return out + _problems(record.problems)


def _name(flag: ftms.MachineFeature | ftms.TargetSettingFeature) -> str:
    return (flag.name or str(int(flag))).lower()


def _describe_range(
    values: tuple[float | None, float | None, float | None],
    names: tuple[str, str, str],
    unit: str,
    problems: tuple[str, ...],
) -> list[Field]:
    fields = [Field(n, v, unit) for n, v in zip(names, values, strict=True) if v is not None]
    return fields + _problems(problems)


def _describe_speed_range(data: bytes) -> list[Field]:
    r = ftms.decode_speed_range(data)
    names = ("minimum_speed", "maximum_speed", "minimum_increment")
    return _describe_range((r.min_kmh, r.max_kmh, r.step_kmh), names, "km/h", r.problems)


def _describe_incline_range(data: bytes) -> list[Field]:
    r = ftms.decode_incline_range(data)
    names = ("minimum_inclination", "maximum_inclination", "minimum_increment")
    return _describe_range((r.min_pct, r.max_pct, r.step_pct), names, "%", r.problems)


def _describe_machine_status(data: bytes) -> list[Field]:
    record = ftms.decode_machine_status(data)
    if record.code is None:
        return _problems(record.problems)
    out = [Field("op_code", f"0x{record.code:02x}"), Field("status", record.name)]
    out += _params(record.params)
    if record.parameter and not record.params:
        out.append(Field("parameter", record.parameter.hex(" ")))
    return out + _problems(record.problems)


def _describe_training_status(data: bytes) -> list[Field]:
    record = ftms.decode_training_status(data)
    if record.code is None:
        return _problems(record.problems)
    out = [
        Field("flags", f"0x{data[0]:02x}"),
        Field("training_status", record.name),
        Field("code", f"0x{record.code:02x}"),
    ]
    if record.text is not None:
        out.append(Field("text", record.text))
    if record.extended:
        out.append(Field("extended_string", True))
    return out + _problems(record.problems)


def _describe_control_point(data: bytes) -> list[Field]:
    record = ftms.decode_control_point(data)
    out: list[Field] = []
    if isinstance(record, ControlPointResponse):
        out.append(Field("direction", "response"))
        if record.request_op is not None:
            out.append(Field("request_op_code", f"0x{record.request_op:02x}"))
            out.append(Field("request", record.request_name))
        if record.result is not None:
            out.append(Field("result_code", f"0x{record.result:02x}"))
            out.append(Field("result", record.result_name))
        out += _params(record.params)
        return out + _problems(record.problems)
    request: ControlPointRequest = record
    if request.op is not None:
        out.append(Field("direction", "request"))
        out.append(Field("op_code", f"0x{request.op:02x}"))
        out.append(Field("request", request.name))
    out += _params(request.params)
    if request.parameter and not request.params:
        out.append(Field("parameter", request.parameter.hex(" ")))
    return out + _problems(request.problems)


_DESCRIBERS: dict[str, Callable[[bytes], list[Field]]] = {
    "treadmill-data": _describe_treadmill,
    "heart-rate": _describe_heart_rate,
    "feature": _describe_feature,
    "speed-range": _describe_speed_range,
    "incline-range": _describe_incline_range,
    "machine-status": _describe_machine_status,
    "training-status": _describe_training_status,
    "control-point": _describe_control_point,
}


def describe(kind: str, data: bytes) -> list[Field]:
    """Every field present in `data` read as `kind`, with units; problems last.

    Raises ValueError only for an unknown kind: any bytes can be described.
    """
    try:
        describer = _DESCRIBERS[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}") from None
    return describer(bytes(data))


def as_json(kind: str, data: bytes) -> dict[str, object]:
    """{"kind", "hex", "fields": [{"name", "value", "unit"}...], "problems": [...]}."""
    described = describe(kind, data)
    return {
        "kind": kind,
        "hex": bytes(data).hex(" "),
        "fields": [
            {"name": f.name, "value": f.value, "unit": f.unit}
            for f in described
            if f.name != PROBLEM
        ],
        "problems": [f.value for f in described if f.name == PROBLEM],
    }
