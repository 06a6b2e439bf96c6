"""The TCX export: valid against Garmin's TrainingCenterDatabase v2 schema (the copy in
tests/data), and its laps and trackpoints match the recorded session."""

from __future__ import annotations

import datetime
import functools
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from recorded import recorded_session
from support import Session

from retrocoach.record.export import export_session
from retrocoach.record.session import LapKind, RecordedSession

SCHEMA_FILE = Path(__file__).parent.parent / "data" / "TrainingCenterDatabasev2.xsd"
NS = {
    "tc": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2",
    "ax": "http://www.garmin.com/xmlschemas/ActivityExtension/v2",
}


def _pause(s: Session, t: float) -> None:
    s.station.pause(t)


def _resume(s: Session, t: float) -> None:
    s.station.resume(t)


def _stop(s: Session, t: float) -> None:
    s.station.stop(t)


SESSIONS: dict[str, dict[str, Any]] = {
    "completed": {},
    "paused": {"actions": {300.0: _pause, 360.0: _resume}},
    "stopped": {"actions": {700.0: _stop}},
    "no-strap": {"with_strap": False},
    "stopped-at-once": {"actions": {2.0: _stop}},  # no lap at all
    "interrupted": {"until": 400.0},  # no session_end
}


@functools.cache
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA_FILE))


@functools.cache
def session(name: str) -> RecordedSession:
    return recorded_session("back-forth-50", **SESSIONS[name])


@functools.cache
def tcx_text(name: str, tmp: Path) -> str:
    path = tmp / f"{name}.tcx"
    export_session(session(name), path)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tcx")


@pytest.fixture(params=list(SESSIONS))
def case(request: pytest.FixtureRequest, folder: Path) -> tuple[RecordedSession, ET.Element]:
    name = str(request.param)
    return session(name), ET.fromstring(tcx_text(name, folder))


def when(text: str | None) -> datetime.datetime:
    assert text is not None
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def wall(s: RecordedSession, t: float) -> datetime.datetime:
    return s.summary.started_at + datetime.timedelta(seconds=t)


def number(element: ET.Element, path: str) -> float:
    found = element.find(path, NS)
    assert found is not None and found.text is not None, path
    return float(found.text)


def test_every_export_is_valid_against_the_schema(folder: Path) -> None:
    for name in SESSIONS:
        schema().validate(tcx_text(name, folder))


def test_the_schema_copy_catches_a_wrong_element_order(folder: Path) -> None:
    # The validation above means something: DistanceMeters before TotalTimeSeconds fails.
    text = tcx_text("stopped-at-once", folder)
    assert schema().is_valid(text)
    first = text.index("<TotalTimeSeconds>")
    end = text.index("</TotalTimeSeconds>", first) + len("</TotalTimeSeconds>")
    moved = text[:first] + text[end:].replace(
        "</DistanceMeters>", "</DistanceMeters>" + text[first:end], 1
    )
    assert not schema().is_valid(moved)


def test_one_running_activity_from_the_persons_start(
    case: tuple[RecordedSession, ET.Element],
) -> None:
    s, root = case
    (activity,) = root.findall("tc:Activities/tc:Activity", NS)
    assert activity.get("Sport") == "Running"
    start = next(e["t"] for e in s.events if e["event"] == "user" and e["action"] == "start")
    assert when(activity.findtext("tc:Id", namespaces=NS)) == wall(s, start)
    notes = activity.findtext("tc:Notes", namespaces=NS) or ""
    assert "treadmill" in notes and "retrocoach" in notes
    assert activity.findtext("tc:Creator/tc:Name", namespaces=NS) == "retrocoach"
    assert root.find(".//tc:Position", NS) is None  # no GPS


def test_one_lap_per_lap(case: tuple[RecordedSession, ET.Element]) -> None:
    s, root = case
    laps = root.findall(".//tc:Lap", NS)
    assert len(laps) == max(len(s.laps), 1)
    for lap, element in zip(s.laps, laps, strict=False):
        started = when(element.get("StartTime"))
        assert abs((started - wall(s, lap.start_t)).total_seconds()) < 0.001
        assert number(element, "tc:DistanceMeters") == pytest.approx(lap.distance_m, abs=0.001)
        if lap.kind is LapKind.SEGMENT:
            assert number(element, "tc:TotalTimeSeconds") == pytest.approx(lap.elapsed_s, abs=0.001)
        assert number(element, "tc:MaximumSpeed") == pytest.approx(
            lap.max_speed_kmh / 3.6, abs=0.001
        )
        if lap.avg_hr is None:
            assert element.find("tc:AverageHeartRateBpm", NS) is None
        else:
            assert number(element, "tc:AverageHeartRateBpm/tc:Value") == round(lap.avg_hr)
            assert number(element, "tc:MaximumHeartRateBpm/tc:Value") == lap.max_hr
        intensity = "Active" if lap.kind is LapKind.SEGMENT else "Resting"
        assert element.findtext("tc:Intensity", namespaces=NS) == intensity
        assert element.findtext("tc:TriggerMethod", namespaces=NS) == "Manual"
        name = element.findtext("tc:Notes", namespaces=NS)
        assert name == lap.name
        assert lap.direction in name.lower()


def test_trackpoints_carry_the_samples(case: tuple[RecordedSession, ET.Element]) -> None:
    s, root = case
    by_time = {wall(s, x.t): x for x in s.samples}
    points = root.findall(".//tc:Trackpoint", NS)
    assert points
    for point in points:
        sample = by_time[when(point.findtext("tc:Time", namespaces=NS))]
        assert number(point, "tc:DistanceMeters") == pytest.approx(sample.distance_m, abs=0.001)
        hr = point.findtext("tc:HeartRateBpm/tc:Value", namespaces=NS)
        assert (int(hr) if hr is not None else None) == sample.hr_bpm
        speed = number(point, "tc:Extensions/ax:TPX/ax:Speed")
        assert speed == pytest.approx(sample.speed_kmh / 3.6, abs=0.001)
    times = [when(p.findtext("tc:Time", namespaces=NS)) for p in points]
    assert times == sorted(times)


def test_trackpoints_cover_the_activity_but_not_the_pauses(folder: Path) -> None:
    for name in ("completed", "paused", "stopped"):
        s = session(name)
        root = ET.fromstring(tcx_text(name, folder))
        times = [when(t.text) for t in root.iterfind(".//tc:Trackpoint/tc:Time", NS)]
        end = next(e["t"] for e in s.events if e["event"] == "session_end")
        assert times[0] == wall(s, 1.0)
        assert times[-1] == wall(s, end) or times[-1] == wall(s, s.samples[-1].t)
        paused = sum((lap.end_t - lap.start_t) - lap.elapsed_s for lap in s.laps)
        assert len(times) == pytest.approx(len(s.samples) - paused, abs=2)


def test_a_pause_splits_its_laps_track(folder: Path) -> None:
    s = session("paused")
    root = ET.fromstring(tcx_text("paused", folder))
    paused_index = next(
        i for i, lap in enumerate(s.laps) if lap.end_t - lap.start_t - lap.elapsed_s > 1
    )
    laps = root.findall(".//tc:Lap", NS)
    tracks = laps[paused_index].findall("tc:Track", NS)
    assert len(tracks) == 2
    last_before = when(tracks[0].findall("tc:Trackpoint/tc:Time", NS)[-1].text)
    first_after = when(tracks[1].find("tc:Trackpoint/tc:Time", NS).text)  # type: ignore[union-attr]
    assert last_before == wall(s, 300.0)
    assert first_after - last_before > datetime.timedelta(seconds=60)
    assert all(
        len(lap.findall("tc:Track", NS)) <= 1 for i, lap in enumerate(laps) if i != paused_index
    )


def test_no_strap_no_heart_rate(folder: Path) -> None:
    root = ET.fromstring(tcx_text("no-strap", folder))
    assert root.find(".//tc:HeartRateBpm", NS) is None
    assert root.find(".//tc:AverageHeartRateBpm", NS) is None
