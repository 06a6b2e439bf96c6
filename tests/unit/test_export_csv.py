"""The CSV export read back with the csv module, and `export_session` itself: the
format from the suffix, and a file written whole or not at all."""

from __future__ import annotations

import csv
import datetime
import errno
import functools
import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from recorded import recorded_session
from support import Session, repeat, step, workout

from retrocoach.record import export
from retrocoach.record.export import FORMATS, ExportError, export_session
from retrocoach.record.session import RecordedSession

HEADER = [
    "time",
    "elapsed_s",
    "speed_kmh",
    "incline_pct",
    "distance_m",
    "hr_bpm",
    "direction",
    "segment",
    "lap",
    "rr_ms",
]


def _pause(s: Session, t: float) -> None:
    s.station.pause(t)


def _resume(s: Session, t: float) -> None:
    s.station.resume(t)


SESSIONS: dict[str, dict[str, Any]] = {
    "completed": {},
    "paused": {"actions": {300.0: _pause, 360.0: _resume}},
    "no-strap": {"with_strap": False},
}


@functools.cache
def session(name: str) -> RecordedSession:
    return recorded_session("back-forth-50", **SESSIONS[name])


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == HEADER
        return list(reader)


@pytest.mark.parametrize("name", list(SESSIONS))
def test_one_row_per_sample(name: str, tmp_path: Path) -> None:
    s = session(name)
    export_session(s, tmp_path / "s.csv")
    rows = rows_of(tmp_path / "s.csv")
    assert len(rows) == len(s.samples)
    for row, sample in zip(rows, s.samples, strict=True):
        moment = datetime.datetime.fromisoformat(row["time"].replace("Z", "+00:00"))
        assert moment == s.summary.started_at + datetime.timedelta(seconds=sample.t)
        assert float(row["elapsed_s"]) == sample.t
        assert float(row["speed_kmh"]) == pytest.approx(sample.speed_kmh, abs=0.001)
        assert float(row["incline_pct"]) == pytest.approx(sample.incline_pct, abs=0.001)
        assert float(row["distance_m"]) == pytest.approx(sample.distance_m, abs=0.001)
        assert (int(row["hr_bpm"]) if row["hr_bpm"] else None) == sample.hr_bpm
        assert row["direction"] == sample.direction
        assert int(row["segment"]) == sample.segment
        assert tuple(int(x) for x in row["rr_ms"].split()) == sample.rr_ms


def test_times_are_utc_with_a_z() -> None:
    rows = list(csv.DictReader(io.StringIO(_csv(session("completed")))))
    assert rows[0]["time"] == "2026-11-02T07:30:01.000Z"


def _csv(s: RecordedSession) -> str:
    from retrocoach.record.csv_export import encode

    return encode(s).decode("utf-8")


def test_rows_name_their_lap_with_its_direction(tmp_path: Path) -> None:
    s = session("completed")
    export_session(s, tmp_path / "s.csv")
    rows = rows_of(tmp_path / "s.csv")
    for lap in s.laps:
        inside = [r for r in rows if lap.start_t < float(r["elapsed_s"]) <= lap.end_t]
        assert inside, lap.name
        assert {r["lap"] for r in inside} == {lap.name}
        assert lap.direction in lap.name.lower()
    # The countdown before the first segment belongs to no lap.
    assert rows[0]["lap"] == ""


def test_no_strap_leaves_the_heart_rate_empty(tmp_path: Path) -> None:
    export_session(session("no-strap"), tmp_path / "s.csv")
    rows = rows_of(tmp_path / "s.csv")
    assert {r["hr_bpm"] for r in rows} == {""}
    assert {r["rr_ms"] for r in rows} == {""}


# -- export_session: which format, and writing the file


def test_the_suffix_chooses_the_format_in_any_case(tmp_path: Path) -> None:
    s = session("completed")
    export_session(s, tmp_path / "a.CSV")
    export_session(s, tmp_path / "a.Tcx")
    export_session(s, tmp_path / "a.fit")
    assert (tmp_path / "a.CSV").read_text(encoding="utf-8").startswith("time,elapsed_s,")
    assert b"<TrainingCenterDatabase" in (tmp_path / "a.Tcx").read_bytes()
    assert (tmp_path / "a.fit").read_bytes()[8:12] == b".FIT"
    assert set(FORMATS) == {".fit", ".tcx", ".csv"}


def test_fmt_overrides_the_suffix(tmp_path: Path) -> None:
    export_session(session("completed"), tmp_path / "data.txt", fmt="csv")
    assert rows_of(tmp_path / "data.txt")
    export_session(session("completed"), tmp_path / "data.bin", fmt=".FIT")
    assert (tmp_path / "data.bin").read_bytes()[8:12] == b".FIT"


def test_an_unknown_format_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"run\.gpx.*'\.gpx'.*\.fit, \.tcx, \.csv"):
        export_session(session("completed"), tmp_path / "run.gpx")
    with pytest.raises(ExportError, match="no suffix"):
        export_session(session("completed"), tmp_path / "run")
    with pytest.raises(ExportError, match="'gpx'"):
        export_session(session("completed"), tmp_path / "run.fit", fmt="gpx")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "run.fit"
    with pytest.raises(ExportError, match=r"run\.fit: the folder .*nowhere does not exist"):
        export_session(session("completed"), target)


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "run.csv").mkdir()
    with pytest.raises(ExportError, match="is a folder"):
        export_session(session("completed"), tmp_path / "run.csv")


def test_permission_refused_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(export.os, "open", refuse)
    with pytest.raises(ExportError, match=rf"run\.csv: no permission to write in {tmp_path}"):
        export_session(session("completed"), tmp_path / "run.csv")


def test_a_full_disk_leaves_the_old_file_whole_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "run.tcx"
    target.write_text("the export of last week", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export.os, "fsync", full)
    with pytest.raises(ExportError, match=r"run\.tcx: the disk is full"):
        export_session(session("completed"), target)
    assert target.read_text(encoding="utf-8") == "the export of last week"
    assert [p.name for p in tmp_path.iterdir()] == ["run.tcx"]


def test_an_export_replaces_an_older_file(tmp_path: Path) -> None:
    target = tmp_path / "run.csv"
    target.write_text("old", encoding="utf-8")
    export_session(session("completed"), target)
    assert rows_of(target)
    assert [p.name for p in tmp_path.iterdir()] == ["run.csv"]


@pytest.mark.skipif(not hasattr(os, "umask"), reason="POSIX modes")
def test_the_file_gets_the_usual_mode_not_a_private_one(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        export_session(session("completed"), tmp_path / "run.csv")
    finally:
        os.umask(old)
    assert (tmp_path / "run.csv").stat().st_mode & 0o777 == 0o644


def test_a_two_hour_session_exports_in_well_under_a_second_each(tmp_path: Path) -> None:
    long = workout(
        repeat(30, step("backward", "walk", seconds=110), step("forward", "run", seconds=110)),
        name="two-hours",
    )
    s = recorded_session(long)
    assert len(s.samples) >= 7200
    for suffix in FORMATS:
        began = time.perf_counter()
        export_session(s, tmp_path / f"long{suffix}")
        took = time.perf_counter() - began
        # Measured about 0.35 s (FIT), 0.2 s (TCX), 0.05 s (CSV); the bound leaves room
        # for a slow CI machine but catches a slip into quadratic time.
        assert took < 3.0, (suffix, took)
