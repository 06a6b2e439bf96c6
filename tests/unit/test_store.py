"""The session store: what a recorded session keeps, recovery of an interrupted one,
schema migrations, and a disk that fails while a session goes on."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from recorded import START, record

from retrocoach.record import schema, store
from retrocoach.record.schema import StoreError, migrate
from retrocoach.record.session import LapKind, SessionState
from retrocoach.record.store import SessionStore, SessionWriter


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "sessions.sqlite"


def test_a_finished_session_is_kept_whole(db: Path) -> None:
    recorder = record("back-forth-50", db)
    assert recorder.problem is None
    memory = recorder.session()
    with SessionStore(db) as s:
        [summary] = s.list_sessions()
        saved = s.load(summary.id)
    end = next(e for e in memory.events if e["event"] == "session_end")
    assert summary.state is SessionState.FINISHED
    assert summary.end_reason == "completed"
    assert summary.started_at == START
    assert summary.workout_name == "back-forth-50"
    assert summary.totals.duration_s == pytest.approx(end["duration_s"])
    assert summary.totals.distance_m == pytest.approx(end["distance_m"])
    assert summary.totals.backward_time_s == pytest.approx(end["backward_time_s"])
    assert summary.totals.backward_distance_m == pytest.approx(end["backward_distance_m"])
    assert summary.totals.max_hr == max(s.hr_bpm for s in memory.samples if s.hr_bpm)
    # Every sample (one a second, RR included) and every event, in order.
    assert saved.samples == memory.samples
    assert any(s.rr_ms for s in saved.samples)
    assert saved.events == memory.events
    assert saved.laps == memory.laps
    assert saved.profile["hr_max"] == 190
    workout = saved.workout()
    assert workout is not None and workout.name == "back-forth-50"


def test_laps_follow_the_segments_with_their_direction(db: Path) -> None:
    session = record("back-forth-50", db).session()
    segments = [lap for lap in session.laps if lap.kind is LapKind.SEGMENT]
    starts = [e for e in session.events if e["event"] == "segment_start"]
    ends = {e["index"]: e for e in session.events if e["event"] == "segment_end"}
    assert [lap.segment for lap in segments] == [e["index"] for e in starts]
    for lap, start in zip(segments, starts, strict=True):
        assert lap.direction == start["direction"]
        assert start["direction"] in lap.name.lower()
        assert lap.distance_m == pytest.approx(ends[lap.segment]["distance_m"], abs=1.5)
    # A turn-around between every change of direction, and the laps leave no hole.
    turns = [lap for lap in session.laps if lap.kind is LapKind.TURN]
    changes = sum(1 for a, b in itertools.pairwise(starts) if a["direction"] != b["direction"])
    assert len(turns) == changes
    for a, b in itertools.pairwise(session.laps):
        assert b.start_t == pytest.approx(a.end_t)


def test_a_session_never_started_leaves_nothing(db: Path) -> None:
    recorder = record("first-steps", db, until=30.0)
    recorder2 = _unstarted(db)
    recorder2.close()
    recorder.close()
    with SessionStore(db) as s:
        assert [x.workout_name for x in s.list_sessions()] == ["first-steps"]


def _unstarted(db: Path) -> Any:
    from recorded import library
    from support import start_session

    from retrocoach.record.recorder import SessionRecorder

    workout = library.get("backward-tempo")
    recorder = SessionRecorder(workout, db)
    session = start_session(workout, start=False)
    for event in session.events:
        recorder(event)
    session.station.sinks.append(recorder)
    session.station.step(20.0)
    return recorder


def test_a_stopped_session_ends_its_last_lap_where_it_stopped(db: Path) -> None:
    recorder = record("back-forth-50", db, actions={700.0: lambda s, t: s.station.stop(t)})
    with SessionStore(db) as s:
        saved = s.load(recorder.session_id or 0)
    assert saved.summary.end_reason == "stopped"
    # Stopped in a turn-around: the laps still reach the end, and add up to the distance.
    end = next(e for e in saved.events if e["event"] == "session_end")
    assert saved.laps[-1].kind is LapKind.STOP
    assert saved.laps[-1].end_t == pytest.approx(end["t"])
    assert sum(lap.distance_m for lap in saved.laps) == pytest.approx(
        saved.summary.totals.distance_m - saved.laps[0].start_distance_m, abs=1.0
    )
    assert saved.summary.totals.duration_s < 800


# ------------------------------------------------------------------ recovery


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_an_interrupted_session_is_closed_and_kept(db: Path) -> None:
    recorder = record("back-forth-50", db, until=700.0)
    assert recorder.writer is not None
    recorder.writer.close()  # as far as it got, as a killed app leaves it
    session_id = recorder.session_id
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE sessions SET owner_pid = ?", (_dead_pid(),))
    with SessionStore(db) as s:
        [recovered] = s.recover_interrupted()
        assert recovered.id == session_id
        assert recovered.state is SessionState.INTERRUPTED
        assert recovered.end_reason == "interrupted"
        saved = s.load(recovered.id)
        assert s.recover_interrupted() == []  # once
    memory = recorder.session()
    assert saved.samples == memory.samples
    t = recovered.totals
    assert t.duration_s == pytest.approx(700.0 - 0.0, abs=1.0)
    assert t.distance_m == pytest.approx(memory.samples[-1].distance_m)
    # Backward time as the engine counts it: its backward segments, the open one too.
    back = [
        lap for lap in memory.laps if lap.kind is LapKind.SEGMENT and lap.direction == "backward"
    ]
    assert t.backward_time_s == pytest.approx(sum(lap.elapsed_s for lap in back))
    assert t.backward_time_s > 0
    assert saved.laps[-1].end_t == pytest.approx(memory.samples[-1].t)


def test_a_session_still_being_written_is_left_alone(db: Path) -> None:
    recorder = record("back-forth-50", db, until=200.0)
    _wait_for_commits(recorder.writer, 3)
    try:
        with SessionStore(db) as s:
            assert s.recover_interrupted() == []  # its writer (this process) is alive
            [summary] = s.list_sessions()
            assert summary.state is SessionState.RECORDING
            assert s.load(summary.id).summary.totals.duration_s > 150  # as far as it got
            assert summary.totals.duration_s > 150  # the history's line too
            with pytest.raises(StoreError, match="being recorded"):
                s.delete(summary.id)  # its writer would lose what comes next
            # ...until it has not been heard of for minutes (its process id reused).
            later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=10)
            assert [x.id for x in s.recover_interrupted(now=later)] == [summary.id]
    finally:
        assert recorder.writer is not None
        recorder.writer.close()


def _wait_for_commits(writer: SessionWriter | None, count: int) -> None:
    """The writer writes on its own thread: wait (a little) until it has committed."""
    import time

    assert writer is not None
    deadline = time.monotonic() + 5.0
    while writer.commits < count and time.monotonic() < deadline:
        time.sleep(0.01)


# ------------------------------------------------------------------ migrations


def _v1_database(path: Path) -> None:
    """The oldest schema, as the first release wrote it, with one finished session."""
    source = record("backward-hills", path.with_name("source.sqlite")).session()
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, None, upto=1)
    conn.execute(
        "INSERT INTO sessions (id, started_at, workout_name, workout_title, workout_toml, "
        "profile_json, treadmill, hrm, state, end_reason) "
        "VALUES (7, ?, 'backward-hills', 'Backward hill repeats', ?, ?, 'sim', 'strap', "
        "'finished', 'completed')",
        (START.isoformat(), source.workout_toml, json.dumps(source.profile)),
    )
    for n, event in enumerate(source.events):
        conn.execute(
            "INSERT INTO events VALUES (7, ?, ?, ?, ?)",
            (n, event["t"], event["event"], json.dumps(event)),
        )
    for s in source.samples:
        conn.execute(
            "INSERT INTO samples VALUES (7, ?, ?, ?, ?, ?, ?, ?, ?)",
            (s.t, s.speed_kmh, s.incline_pct, s.distance_m, s.hr_bpm, None, s.direction, s.segment),
        )
    conn.close()


def test_the_oldest_schema_is_migrated_with_its_sessions(db: Path) -> None:
    db.parent.mkdir(parents=True)
    _v1_database(db)
    with sqlite3.connect(db) as conn:
        assert schema.version_of(conn) == 1
        assert "duration_s" not in {row[1] for row in conn.execute("PRAGMA table_info(sessions)")}
    with SessionStore(db) as s:
        [summary] = s.list_sessions()
        session = s.load(7)
    with sqlite3.connect(db) as conn:
        assert schema.version_of(conn) == schema.VERSION == 2
    # The new totals were worked out from the old session's samples and events.
    end = next(e for e in session.events if e["event"] == "session_end")
    assert summary.totals.duration_s == pytest.approx(end["duration_s"])
    assert summary.totals.backward_distance_m == pytest.approx(end["backward_distance_m"])
    assert summary.totals.avg_hr is not None and summary.totals.avg_hr > 60
    assert len(session.laps) > 10
    # The old file was copied before it was changed.
    backup = db.with_name("sessions.sqlite.v1.bak")
    with sqlite3.connect(backup) as conn:
        assert schema.version_of(conn) == 1


def test_a_failing_migration_leaves_the_old_version_whole(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.parent.mkdir(parents=True)
    _v1_database(db)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE sessions ADD COLUMN duration_s REAL")
        raise sqlite3.OperationalError("power cut")

    monkeypatch.setattr(schema, "MIGRATIONS", (schema.MIGRATIONS[0], broken))
    with pytest.raises(StoreError):
        SessionStore(db)
    with sqlite3.connect(db) as conn:
        assert schema.version_of(conn) == 1
        assert "duration_s" not in {row[1] for row in conn.execute("PRAGMA table_info(sessions)")}


def test_a_newer_schema_is_refused_untouched(db: Path) -> None:
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer retrocoach"):
        SessionStore(db)
    with sqlite3.connect(db) as conn:
        assert schema.version_of(conn) == 99


def test_a_damaged_file_is_named(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database, just some text" * 100)
    with pytest.raises(StoreError, match="damaged") as err:
        SessionStore(db)
    assert str(db) in str(err.value)


# ------------------------------------------------------------------ a failing disk


def _disk_full_after(monkeypatch: pytest.MonkeyPatch, spare_pages: int) -> list[bool]:
    """SQLite's own "disk is full", on the writer's connections while `full[0]`, once
    `spare_pages` more pages are written."""
    full = [True]
    real_connect = store.connect

    def small(path: Path) -> sqlite3.Connection:
        conn = real_connect(path)
        if full[0]:
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages + spare_pages}")
        return conn

    monkeypatch.setattr(store, "connect", small)
    return full


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    yield _disk_full_after(monkeypatch, 3)


def test_a_full_disk_is_told_once_and_the_session_goes_on_in_memory(
    db: Path, full_disk: list[bool]
) -> None:
    told: list[str] = []
    recorder = _record_telling("back-forth-50", db, told)
    assert told and "disk is full" in told[0] and str(db) in told[0]
    assert len(told) == 1
    session = recorder.session()
    assert session.summary.end_reason == "completed"
    assert session.samples[-1].t > 1800  # nothing lost in memory
    assert recorder.problem is not None  # and still not on disk


def test_a_session_kept_in_memory_is_saved_whole_once_space_is_back(
    db: Path, full_disk: list[bool]
) -> None:
    told: list[str] = []
    recorder = _record_telling("back-forth-50", db, told, free_at_end=full_disk)
    assert told
    assert recorder.problem is None
    with SessionStore(db) as s:
        [summary] = s.list_sessions()
        saved = s.load(summary.id)
    assert summary.id == recorder.session_id
    assert summary.state is SessionState.FINISHED
    assert saved.samples == recorder.session().samples


def test_a_disk_that_fills_mid_session_keeps_the_session_once_not_twice(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full only after part of the session is on disk: the part (left marked as being
    recorded by a writer that has stopped) gives way to the whole, saved at the end."""
    full = _disk_full_after(monkeypatch, 40)
    told: list[str] = []
    recorder = _record_telling("back-forth-50", db, told, free_at_end=full)
    assert told and "disk is full" in told[0]
    assert recorder.writer.session_id is not None  # a part had been written
    assert recorder.problem is None
    with SessionStore(db) as s:
        [summary] = s.list_sessions()
        saved = s.load(summary.id)
    assert summary.state is SessionState.FINISHED
    assert saved.samples == recorder.session().samples


def _record_telling(
    name: str, db: Path, told: list[str], free_at_end: list[bool] | None = None
) -> Any:
    from recorded import library
    from support import run_until, start_session

    from retrocoach.record.recorder import SessionRecorder

    workout = library.get(name)
    recorder = SessionRecorder(workout, db, on_problem=told.append)
    session = start_session(workout, start=False)
    for event in session.events:
        recorder(event)
    session.station.sinks.append(recorder)
    session.station.start(0.0)
    run_until(session)
    if free_at_end is not None:
        free_at_end[0] = False
    recorder.close()
    return recorder


def test_a_folder_that_cannot_be_written_is_told(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be")
    told: list[str] = []
    recorder = _record_telling("first-steps", blocker / "retrocoach" / "sessions.sqlite", told)
    assert len(told) == 1 and str(blocker) in told[0]
    assert recorder.session().summary.end_reason == "completed"


def test_the_writer_commits_at_least_twice_a_second(db: Path) -> None:
    """The crash guarantee in numbers: what was handed over is on disk within a second."""
    import time

    writer = SessionWriter(db, _header())
    writer.event({"t": 0.0, "event": "user", "action": "start"})
    deadline = time.monotonic() + 1.0
    seen = 0
    while time.monotonic() < deadline and not seen:
        time.sleep(0.05)
        with sqlite3.connect(db) as conn:
            seen = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    writer.close()
    assert seen == 1


def _header() -> store.SessionHeader:
    return store.SessionHeader(
        started_at=START,
        workout_name="x",
        workout_title="X",
        workout_toml=None,
        profile={},
        treadmill="sim",
        hrm=None,
    )


def test_deleting_a_session_removes_all_of_it(db: Path) -> None:
    first = record("first-steps", db).session_id
    second = record("backward-hills", db).session_id
    with SessionStore(db) as s:
        s.delete(first or 0)
        assert [x.id for x in s.list_sessions()] == [second]
        with pytest.raises(KeyError):
            s.load(first or 0)
    with sqlite3.connect(db) as conn:
        for table in ("samples", "events"):
            ids = {row[0] for row in conn.execute(f"SELECT DISTINCT session_id FROM {table}")}
            assert ids == {second}


def test_seven_writers_opening_a_new_store_at_once_all_keep_their_session(db: Path) -> None:
    """Gym mode: every station's writer opens the store at the same moment on the first
    day; the one that migrates first must not make the others fail."""
    import threading

    barrier = threading.Barrier(7)
    writers: list[SessionWriter] = []
    lock = threading.Lock()

    def open_one(n: int) -> None:
        barrier.wait()
        made = SessionWriter(db, dataclasses.replace(_header(), profile={"name": f"M{n}"}))
        made.event({"t": 0.0, "event": "user", "action": "start"})
        with lock:
            writers.append(made)

    threads = [threading.Thread(target=open_one, args=(n,)) for n in range(7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for writer in writers:
        writer.finish()
        writer.close()
    assert [w.problem for w in writers] == [None] * 7
    with SessionStore(db) as kept:
        assert sorted(s.runner for s in kept.list_sessions()) == [f"M{n}" for n in range(7)]
