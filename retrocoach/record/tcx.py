"""The TCX export: Garmin's Training Center Database v2, one Activity without GPS.

Elements are written in the order the schema's sequences demand (tests validate every
export against TrainingCenterDatabasev2.xsd). Speeds ride in Garmin's
ActivityExtension v2 (TPX per trackpoint, LX per lap), which Garmin Connect and
Strava read; the schema lets extensions through unchecked.
"""

from __future__ import annotations

import datetime
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from retrocoach import __version__
from retrocoach.record.export import Activity, activity_of, valid_hr
from retrocoach.record.session import Lap, LapKind, RecordedSession, SampleRecord

TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
EXT_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{TCX_NS} http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd"

ET.register_namespace("", TCX_NS)
ET.register_namespace("ax", EXT_NS)
ET.register_namespace("xsi", XSI_NS)

_T = f"{{{TCX_NS}}}"
_X = f"{{{EXT_NS}}}"
_XSI_TYPE = f"{{{XSI_NS}}}type"


def encode(session: RecordedSession) -> bytes:
    """The session as a TCX document (UTF-8)."""
    activity = activity_of(session)
    root = ET.Element(
        _T + "TrainingCenterDatabase", {f"{{{XSI_NS}}}schemaLocation": SCHEMA_LOCATION}
    )
    activities = ET.SubElement(root, _T + "Activities")
    element = ET.SubElement(activities, _T + "Activity", Sport="Running")
    _text(element, "Id", _time(activity.wall(activity.start_t)))
    tracks = _tracks(activity)
    for lap, points in zip(activity.laps, tracks, strict=True):
        _lap(element, activity, lap, points)
    _text(
        element,
        "Notes",
        f"{session.summary.workout_title}: backward and forward running on a treadmill "
        f"({session.treadmill}), recorded by retrocoach.",
    )
    creator = ET.SubElement(element, _T + "Creator", {_XSI_TYPE: "Device_t"})
    _text(creator, "Name", "retrocoach")
    _text(creator, "UnitId", "0")
    _text(creator, "ProductID", "0")
    _version(creator)
    author = ET.SubElement(root, _T + "Author", {_XSI_TYPE: "Application_t"})
    _text(author, "Name", "retrocoach")
    build = ET.SubElement(author, _T + "Build")
    _version(build)
    _text(author, "LangID", "en")
    _text(author, "PartNumber", "000-00000-00")  # Garmin's pattern; no part number of ours
    ET.indent(root, space=" ")
    out = io.BytesIO()
    ET.ElementTree(root).write(out, encoding="UTF-8", xml_declaration=True)
    return out.getvalue() + b"\n"


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    child = ET.SubElement(parent, _T + name)
    child.text = value
    return child


def _time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _version(parent: ET.Element) -> None:
    match = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", __version__)
    major, minor, patch = match.groups() if match else ("0", "0", None)
    version = ET.SubElement(parent, _T + "Version")
    _text(version, "VersionMajor", str(min(int(major), 65535)))
    _text(version, "VersionMinor", str(min(int(minor), 65535)))
    if patch is not None:
        _text(version, "BuildMajor", str(min(int(patch), 65535)))


def _tracks(activity: Activity) -> list[list[SampleRecord]]:
    """Each lap's trackpoints. A record outside every lap (the countdown before the first
    segment) joins the lap before it (or the first), so that no second of the activity
    is lost to a platform that reads the trackpoints."""
    laps = activity.laps
    tracks: list[list[SampleRecord]] = [[] for _ in laps]
    i = 0
    for sample in activity.records:
        while i + 1 < len(laps) and sample.t > laps[i].end_t:
            if sample.t <= laps[i + 1].start_t:
                break  # between two laps: stays with the earlier one
            i += 1
        tracks[i].append(sample)
    return tracks


def _lap(parent: ET.Element, activity: Activity, lap: Lap, points: Sequence[SampleRecord]) -> None:
    element = ET.SubElement(parent, _T + "Lap", StartTime=_time(activity.wall(lap.start_t)))
    timer_s = activity.lap_timer_s(lap)
    _text(element, "TotalTimeSeconds", _number(timer_s))
    _text(element, "DistanceMeters", _number(lap.distance_m))
    _text(element, "MaximumSpeed", _number(lap.max_speed_kmh / 3.6))
    # Required by the schema; without the runner's weight there is no honest estimate,
    # and 0 lets a platform compute its own.
    _text(element, "Calories", "0")
    avg_hr = valid_hr(round(lap.avg_hr)) if lap.avg_hr is not None else None
    if avg_hr is not None:
        _heart_rate(element, "AverageHeartRateBpm", avg_hr)
    max_hr = valid_hr(lap.max_hr)
    if max_hr is not None:
        _heart_rate(element, "MaximumHeartRateBpm", max_hr)
    _text(element, "Intensity", "Active" if lap.kind is LapKind.SEGMENT else "Resting")
    _text(element, "TriggerMethod", "Manual")
    for run in _runs(activity, points):
        track = ET.SubElement(element, _T + "Track")
        for sample in run:
            _trackpoint(track, activity, sample)
    _text(element, "Notes", lap.name)
    extensions = ET.SubElement(element, _T + "Extensions")
    lx = ET.SubElement(extensions, _X + "LX")
    avg = lap.distance_m / timer_s if timer_s > 0 else 0.0
    ET.SubElement(lx, _X + "AvgSpeed").text = _number(avg)


def _heart_rate(parent: ET.Element, name: str, bpm: int) -> None:
    _text(ET.SubElement(parent, _T + name), "Value", str(bpm))


def _runs(activity: Activity, points: Sequence[SampleRecord]) -> list[list[SampleRecord]]:
    """The trackpoints split at each pause: Garmin starts a new Track when the timer
    stops, so a platform does not draw a line across the pause."""
    runs: list[list[SampleRecord]] = []
    previous: SampleRecord | None = None
    for sample in points:
        if previous is None or any(previous.t <= p0 < sample.t for p0, _ in activity.pauses):
            runs.append([])
        runs[-1].append(sample)
        previous = sample
    return runs


def _trackpoint(track: ET.Element, activity: Activity, sample: SampleRecord) -> None:
    point = ET.SubElement(track, _T + "Trackpoint")
    _text(point, "Time", _time(activity.wall(sample.t)))
    _text(point, "DistanceMeters", _number(sample.distance_m))
    bpm = valid_hr(sample.hr_bpm)
    if bpm is not None:
        _heart_rate(point, "HeartRateBpm", bpm)
    extensions = ET.SubElement(point, _T + "Extensions")
    tpx = ET.SubElement(extensions, _X + "TPX")
    ET.SubElement(tpx, _X + "Speed").text = _number(max(sample.speed_kmh, 0.0) / 3.6)
