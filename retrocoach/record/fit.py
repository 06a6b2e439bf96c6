"""The FIT export: a FIT activity file, encoded with Garmin's own FIT SDK.

The file follows Garmin's "summary last" order, as their devices write it: file_id,
device_info, sport, the workout as it was run (one workout_step per lap), then in time
order the timer events, records, hrv (RR intervals) and laps, and last the session
and the activity. FIT's lap message has no name: each lap points at its workout_step
(`wkt_step_index`), whose `wkt_step_name` is the lap's name with its direction in it,
which is how Garmin names the laps of a structured workout.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Mapping
from typing import Any

from garmin_fit_sdk import FIT_EPOCH_S, Encoder, Profile

from retrocoach import __version__
from retrocoach.record.export import Activity, activity_of, segment_ends, valid_hr
from retrocoach.record.session import Lap, LapKind, RecordedSession

MESG: Mapping[str, int] = Profile["mesg_num"]

PRODUCT = "retrocoach"
MAX_TEXT_BYTES = 100  # a FIT field holds at most 255 bytes; names longer than this are cut
MAX_SPEED_MS = 65.5  # `speed` is uint16 in mm/s: the SDK would wrap a larger value
HRV_PER_MESG = 5  # RR intervals to an hrv message, as Garmin's devices write them

# At one moment: the timer starts before that second's record, and stops after the
# record and the lap that end there.
_START, _RECORD, _LAP, _STOP = 0, 1, 2, 3


def encode(session: RecordedSession) -> bytes:
    """The session as a FIT activity file. The SDK raises ValueError for a value it
    cannot encode."""
    activity = activity_of(session)
    stamp = _Stamps(activity)
    encoder = Encoder()
    start, end = stamp(activity.start_t), stamp(activity.end_t)
    encoder.write_mesg(
        {
            "mesg_num": MESG["FILE_ID"],
            "type": "activity",
            "manufacturer": "development",
            "product": 0,
            "product_name": PRODUCT,
            "time_created": start,
        }
    )
    for mesg in _device_infos(session, start):
        encoder.write_mesg(mesg)
    encoder.write_mesg(
        {
            "mesg_num": MESG["SPORT"],
            "sport": "running",
            "sub_sport": "treadmill",
            "name": "Treadmill",
        }
    )
    for mesg in _workout(session, activity):
        encoder.write_mesg(mesg)
    for mesg in _timeline(activity, stamp, session):
        encoder.write_mesg(mesg)
    encoder.write_mesg(_session(session, activity, start, end))
    encoder.write_mesg(
        {
            "mesg_num": MESG["ACTIVITY"],
            "timestamp": end,
            "total_timer_time": activity.timer_s,
            "num_sessions": 1,
            "type": "manual",
            "event": "activity",
            "event_type": "stop",
            # Without GPS this is what tells a platform the local time of day.
            "local_timestamp": end + _utc_offset_s(activity.started_at),
        }
    )
    return encoder.close()


class _Stamps:
    """FIT timestamps: whole seconds since 1989-12-31 00:00 UTC."""

    def __init__(self, activity: Activity) -> None:
        self._activity = activity

    def __call__(self, t: float) -> int:
        # Half up, not round()'s half to even: with a start at .5 s, even rounding would
        # give two seconds' records one timestamp.
        return math.floor(self._activity.epoch_s(t) + 0.5) - FIT_EPOCH_S


def _utc_offset_s(started_at: datetime.datetime) -> int:
    offset = started_at.astimezone().utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _text(value: str) -> str:
    """A FIT string: no NUL (it ends a string), at most MAX_TEXT_BYTES of UTF-8."""
    raw = value.replace("\0", " ").encode()[:MAX_TEXT_BYTES]
    return raw.decode(errors="ignore") or "-"


def _speed(kmh: float) -> float:
    return min(max(kmh / 3.6, 0.0), MAX_SPEED_MS)


def _software_version() -> float:
    # device_info.software_version has a scale of 100: "0.1.0" is written as 0.10.
    match = re.match(r"(\d+)\.(\d+)", __version__)
    value = float(f"{match.group(1)}.{match.group(2)}") if match else 0.0
    return min(value, 655.0)


def _device_infos(session: RecordedSession, start: int) -> list[dict[str, Any]]:
    infos: list[dict[str, Any]] = [
        {
            "mesg_num": MESG["DEVICE_INFO"],
            "timestamp": start,
            "device_index": "creator",
            "manufacturer": "development",
            "product": 0,
            "product_name": PRODUCT,
            "software_version": _software_version(),
            "source_type": "local",
        }
    ]
    # The treadmill and the strap, by name: which machine the speeds came from.
    for index, name in enumerate((session.treadmill, session.hrm), start=1):
        if name:
            infos.append(
                {
                    "mesg_num": MESG["DEVICE_INFO"],
                    "timestamp": start,
                    "device_index": index,
                    "product_name": _text(name),
                }
            )
    return infos


def _workout(session: RecordedSession, activity: Activity) -> list[dict[str, Any]]:
    """The workout as it was run: one step per lap, turn-arounds included, so that each
    lap's wkt_step_index finds its name."""
    ends = segment_ends(session.events)
    mesgs: list[dict[str, Any]] = [
        {
            "mesg_num": MESG["WORKOUT"],
            "wkt_name": _text(session.summary.workout_title),
            "sport": "running",
            "sub_sport": "treadmill",
            "num_valid_steps": len(activity.laps),
        }
    ]
    for index, lap in enumerate(activity.laps):
        step: dict[str, Any] = {
            "mesg_num": MESG["WORKOUT_STEP"],
            "message_index": index,
            "wkt_step_name": _text(lap.name),
            "intensity": _intensity(lap),
            "duration_type": "open",
            "target_type": "open",
        }
        end = ends.get(lap.segment, {}) if lap.kind is LapKind.SEGMENT else {}
        # The SDK writes a field by its own name only, not by a sub-field's: the raw
        # values of duration_time (ms) and duration_distance (cm) go in duration_value.
        if "time_s" in end:
            step["duration_type"] = "time"
            step["duration_value"] = round(float(end["time_s"]) * 1000)
        elif "distance_m" in end:
            step["duration_type"] = "distance"
            step["duration_value"] = round(float(end["distance_m"]) * 100)
        if lap.target_speed_kmh is not None and lap.kind is LapKind.SEGMENT:
            target = round(_speed(lap.target_speed_kmh) * 1000)  # custom_target_speed, mm/s
            step["target_type"] = "speed"
            step["target_value"] = 0  # 0: a custom range, not a speed zone
            step["custom_target_value_low"] = target
            step["custom_target_value_high"] = target
        mesgs.append(step)
    return mesgs


def _intensity(lap: Lap) -> str:
    # A turn-around and the closing slow-down are the belt at walking pace or less.
    return "active" if lap.kind is LapKind.SEGMENT else "rest"


def _timeline(activity: Activity, stamp: _Stamps, session: RecordedSession) -> list[dict[str, Any]]:
    """Timer events, records, hrv and laps, in time order."""
    entries: list[tuple[float, int, dict[str, Any]]] = []

    def timer(t: float, rank: int) -> None:
        event_type = "start" if rank == _START else "stop_all"
        entries.append(
            (
                t,
                rank,
                {
                    "mesg_num": MESG["EVENT"],
                    "timestamp": stamp(t),
                    "event": "timer",
                    "event_type": event_type,
                    "data": 0,  # timer_trigger: manual (a person's start, pause, resume)
                },
            )
        )

    timer(activity.start_t, _START)
    running = True
    for paused, resumed in activity.pauses:
        timer(paused, _STOP)
        running = resumed < activity.end_t
        if running:
            timer(resumed, _START)
    if running:  # (a session stopped while paused has its timer stopped already)
        timer(activity.end_t, _STOP)

    distance = 0.0
    for sample in activity.records:
        distance = max(distance, sample.distance_m)  # platforms expect it never to fall
        speed = _speed(sample.speed_kmh)
        entries.append(
            (
                sample.t,
                _RECORD,
                {
                    "mesg_num": MESG["RECORD"],
                    "timestamp": stamp(sample.t),
                    "distance": distance,
                    "speed": speed,
                    "enhanced_speed": speed,
                    "heart_rate": valid_hr(sample.hr_bpm),
                    "grade": sample.incline_pct,  # a treadmill's incline is the grade
                },
            )
        )
    # The RR intervals of every beat from the start to the end, pauses included: the
    # beat-to-beat series is only usable unbroken. Five to a message rather than one
    # message a second, which would almost double the messages (and the time to write).
    beats: list[float] = []
    for sample in activity.samples_in(session.samples):
        beats.extend(min(ms, 65534) / 1000 for ms in sample.rr_ms if ms > 0)
        while len(beats) >= HRV_PER_MESG:
            entries.append((sample.t, _RECORD, _hrv(beats[:HRV_PER_MESG])))
            del beats[:HRV_PER_MESG]
    if beats:
        entries.append((activity.end_t, _RECORD, _hrv(beats)))

    ends = segment_ends(session.events)
    for index, lap in enumerate(activity.laps):
        entries.append((lap.end_t, _LAP, _lap(activity, stamp, lap, index, ends)))
    # A stable sort: a second's hrv stays after its record.
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return [mesg for _, _, mesg in entries]


def _hrv(seconds: list[float]) -> dict[str, Any]:
    return {"mesg_num": MESG["HRV"], "time": seconds}


def _lap(
    activity: Activity,
    stamp: _Stamps,
    lap: Lap,
    index: int,
    ends: Mapping[int, Mapping[str, Any]],
) -> dict[str, Any]:
    timer_s = activity.lap_timer_s(lap)
    avg = _speed(lap.distance_m / timer_s * 3.6) if timer_s > 0 else 0.0
    top = _speed(lap.max_speed_kmh)
    return {
        "mesg_num": MESG["LAP"],
        "message_index": index,
        "timestamp": stamp(lap.end_t),
        "event": "lap",
        "event_type": "stop",
        "start_time": stamp(lap.start_t),
        "total_elapsed_time": max(lap.end_t - lap.start_t, 0.0),
        "total_timer_time": timer_s,
        "total_distance": lap.distance_m,
        "avg_speed": avg,
        "enhanced_avg_speed": avg,
        "max_speed": top,
        "enhanced_max_speed": top,
        "avg_heart_rate": valid_hr(round(lap.avg_hr)) if lap.avg_hr is not None else None,
        "max_heart_rate": valid_hr(lap.max_hr),
        "avg_grade": lap.avg_incline_pct,
        "intensity": _intensity(lap),
        "lap_trigger": _trigger(lap, ends),
        "sport": "running",
        "sub_sport": "treadmill",
        "wkt_step_index": index,
    }


def _trigger(lap: Lap, ends: Mapping[int, Mapping[str, Any]]) -> str:
    if lap.end_reason == "stopped":
        return "session_end"
    if lap.kind is LapKind.SEGMENT and lap.end_reason == "completed":
        end = ends.get(lap.segment, {})
        if "time_s" in end:
            return "time"
        if "distance_m" in end:
            return "distance"
    return "manual"  # a skip, or a turn-around done


def _session(session: RecordedSession, activity: Activity, start: int, end: int) -> dict[str, Any]:
    totals = session.summary.totals
    timer_s = activity.timer_s
    avg = _speed(totals.distance_m / timer_s * 3.6) if timer_s > 0 else 0.0
    top = _speed(max((s.speed_kmh for s in activity.records), default=0.0))
    return {
        "mesg_num": MESG["SESSION"],
        "message_index": 0,
        "timestamp": end,
        "event": "session",
        "event_type": "stop",
        "start_time": start,
        "sport": "running",
        "sub_sport": "treadmill",
        "total_elapsed_time": activity.elapsed_s,
        "total_timer_time": timer_s,
        "total_distance": totals.distance_m,
        "avg_speed": avg,
        "enhanced_avg_speed": avg,
        "max_speed": top,
        "enhanced_max_speed": top,
        "avg_heart_rate": valid_hr(round(totals.avg_hr)) if totals.avg_hr is not None else None,
        "max_heart_rate": valid_hr(totals.max_hr),
        "first_lap_index": 0,
        "num_laps": len(activity.laps),
        "trigger": "activity_end",
    }
