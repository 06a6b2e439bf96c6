"""The event log contract of DESIGN.md, as data a test can check a log against."""

from __future__ import annotations

from typing import Any

NUMBER = (int, float)
OPTIONAL_NUMBER = (int, float, type(None))

# Required fields of each event and the types they may have.
REQUIRED: dict[str, dict[str, Any]] = {
    "session_start": {"workout": str, "profile": dict, "treadmill": str, "hrm": (str, type(None))},
    "segment_start": {
        "index": int,
        "label": str,
        "direction": str,
        "gait": str,
        "target_speed_kmh": NUMBER,
        "incline_pct": NUMBER,
        "end": dict,
    },
    "phase": {"phase": str, "segment": int},
    "cue": {"id": str, "text": str, "sound": (str, type(None))},
    "command": {"op": str, "value": OPTIONAL_NUMBER, "source": str},
    "command_result": {"op": str, "result": str},
    "sample": {
        "speed_kmh": NUMBER,
        "incline_pct": NUMBER,
        "distance_m": NUMBER,
        "hr_bpm": (int, type(None)),
        "direction": str,
        "segment": int,
    },
    "machine_status": {"code": int, "name": str, "value": OPTIONAL_NUMBER},
    "device": {"role": str, "state": str},
    "safety": {"rule": int, "action": str, "detail": str},
    "user": {"action": str},
    "session_end": {
        "reason": str,
        "duration_s": NUMBER,
        "distance_m": NUMBER,
        "backward_time_s": NUMBER,
        "backward_distance_m": NUMBER,
    },
}

PROFILE_FIELDS = {
    "walk_kmh",
    "run_kmh",
    "backward_factor",
    "backward_max_kmh",
    "forward_max_kmh",
    "hr_max",
    "hr_rest",
    "hr_ceiling",
    "turn_speed_kmh",
    "turn_time_s",
}
VALUES: dict[tuple[str, str], set[Any]] = {
    ("segment_start", "direction"): {"backward", "forward"},
    ("segment_start", "gait"): {"walk", "run"},
    ("sample", "direction"): {"backward", "forward"},
    ("phase", "phase"): {"countdown", "announce", "slow_down", "turn", "ramp", "steady"},
    ("command", "op"): {
        "request_control",
        "start",
        "stop",
        "pause",
        "set_speed",
        "set_incline",
        "reset",
    },
    ("command", "source"): {"coach", "user", "safety"},
    ("command_result", "result"): {
        "success",
        "not_supported",
        "invalid_parameter",
        "failed",
        "not_permitted",
        "timeout",
    },
    ("device", "role"): {"treadmill", "hrm"},
    ("device", "state"): {"connecting", "connected", "reconnecting", "lost", "stale"},
    ("safety", "rule"): {1, 2, 3, 4, 5, 6, 7},
    ("user", "action"): {
        "start",
        "pause",
        "resume",
        "skip",
        "stop",
        "emergency_stop",
        "speed_up",
        "speed_down",
    },
    ("session_end", "reason"): {"completed", "stopped", "emergency_stop", "fault"},
}


def contract_problems(records: list[dict[str, Any]]) -> list[str]:
    """Every way the log departs from the contract; empty when it follows it."""
    problems: list[str] = []
    last_t = float("-inf")
    for n, rec in enumerate(records, 1):
        t, kind = rec.get("t"), rec.get("event")
        if not isinstance(t, NUMBER) or isinstance(t, bool):
            problems.append(f"line {n}: t missing or not a number")
            continue
        if t < last_t - 1e-9:
            problems.append(f"line {n}: t goes back from {last_t} to {t}")
        last_t = t
        fields = REQUIRED.get(str(kind))
        if fields is None:
            continue  # more events may be added
        for name, types in fields.items():
            if name not in rec:
                problems.append(f"line {n}: {kind} has no {name}")
            elif not isinstance(rec[name], types) or isinstance(rec[name], bool):
                problems.append(f"line {n}: {kind}.{name} is {rec[name]!r}")
            elif (str(kind), name) in VALUES and rec[name] not in VALUES[(str(kind), name)]:
                problems.append(f"line {n}: {kind}.{name} = {rec[name]!r} is not in the contract")
        if kind == "session_start" and isinstance(rec.get("profile"), dict):
            missing = PROFILE_FIELDS - set(rec["profile"])
            if missing:
                problems.append(f"line {n}: profile lacks {sorted(missing)}")
        end = rec.get("end") if kind == "segment_start" else None
        if isinstance(end, dict) and set(end) not in ({"time_s"}, {"distance_m"}):
            problems.append(f"line {n}: segment end is {rec['end']!r}")
    if not records or records[0].get("event") != "session_start":
        problems.append("the log does not begin with session_start")
    if not records or records[-1].get("event") != "session_end":
        problems.append("the log does not end with session_end")
    return problems
