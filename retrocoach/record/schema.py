"""The session store's SQLite schema, its versions and the migrations between them.

`PRAGMA user_version` is the schema version. Each migration takes a database from one
version to the next inside one transaction, so a failed migration leaves the old
version whole; before migrating, the file is copied beside itself
(`sessions.sqlite.v1.bak`). A database newer than this code is refused, never touched.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from retrocoach.record.session import SampleRecord, build_session


class StoreError(Exception):
    """The store cannot be opened, read or written; the message says why for a person."""


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the settings every user of the store relies on."""
    conn = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=True)
    conn.execute("PRAGMA foreign_keys = ON")
    # WAL: the history reads while a session writes (even from another app). FULL: a
    # commit is on the disk when it returns, so a power cut costs only what was not
    # yet committed (the recorder commits twice a second).
    _set_wal(conn)
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def _set_wal(conn: sqlite3.Connection, attempts: int = 100) -> None:
    """Switch a new file to WAL. The switch needs the file to itself and, unlike other
    statements, does not wait for it: several stations' writers opening a new store at
    once (gym mode's first day) would see "database is locked". Try again a while."""
    for attempt in range(attempts):
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.02)


# Version 1: the session, its samples and events, device gaps.
_V1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,            -- ISO 8601, UTC, the wall clock at t = 0
    workout_name TEXT NOT NULL,
    workout_title TEXT NOT NULL,
    workout_toml TEXT,                   -- the workout as it was run
    profile_json TEXT NOT NULL,          -- the profile as it was (session_start's object)
    treadmill TEXT NOT NULL,
    hrm TEXT,
    state TEXT NOT NULL,                 -- recording, finished, interrupted
    end_reason TEXT,
    owner_pid INTEGER,                   -- the process recording it, while recording
    heartbeat_at TEXT                    -- its last commit (wall clock, UTC)
);
CREATE TABLE samples (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t REAL NOT NULL,
    speed_kmh REAL NOT NULL,
    incline_pct REAL NOT NULL,
    distance_m REAL NOT NULL,
    hr_bpm INTEGER,
    rr_ms TEXT,                          -- comma-separated milliseconds, or NULL
    direction TEXT NOT NULL,
    segment INTEGER NOT NULL
);
CREATE INDEX samples_by_session ON samples(session_id, t);
CREATE TABLE events (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    t REAL NOT NULL,
    event TEXT NOT NULL,
    data TEXT NOT NULL,                  -- the event log's JSON object
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
CREATE TABLE device_gaps (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    start_t REAL NOT NULL,
    end_t REAL,
    state TEXT NOT NULL
);
CREATE INDEX device_gaps_by_session ON device_gaps(session_id);
"""


def _v1(conn: sqlite3.Connection) -> None:
    for statement in _V1.split(";"):
        if statement.strip():
            conn.execute(statement)


# Version 2: each session's totals kept on its row, so the history opens without
# reading every sample (1,000 sessions are 3 million samples).
SUMMARY_COLUMNS = (
    "duration_s",
    "distance_m",
    "backward_time_s",
    "backward_distance_m",
    "avg_hr",
    "max_hr",
)


def _v2(conn: sqlite3.Connection) -> None:
    for column in SUMMARY_COLUMNS:
        kind = "INTEGER" if column == "max_hr" else "REAL"
        conn.execute(f"ALTER TABLE sessions ADD COLUMN {column} {kind}")
    conn.execute("CREATE INDEX sessions_by_start ON sessions(started_at)")
    ids = [row[0] for row in conn.execute("SELECT id FROM sessions WHERE state != 'recording'")]
    for session_id in ids:
        write_totals(conn, session_id)


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1, _v2)
VERSION = len(MIGRATIONS)


def version_of(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path | None, *, upto: int = VERSION) -> None:
    """Bring the database to version `upto` (the newest by default)."""
    found = version_of(conn)
    if found > VERSION:
        raise StoreError(
            f"{path}: the sessions were saved by a newer retrocoach (schema version "
            f"{found}; this one reads up to {VERSION}). Update retrocoach to see them."
        )
    if found >= upto:
        return
    if found > 0 and path is not None:
        _backup(conn, path.with_name(f"{path.name}.v{found}.bak"))
    for version in range(found, upto):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if version_of(conn) > version:
                # Another connection (a second station's writer in gym mode) made this
                # step while this one waited for the lock: nothing left to do here.
                conn.execute("COMMIT")
                continue
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _backup(conn: sqlite3.Connection, target: Path) -> None:
    copy = sqlite3.connect(target)
    try:
        conn.backup(copy)
    finally:
        copy.close()


def load_samples(conn: sqlite3.Connection, session_id: int) -> list[SampleRecord]:
    rows = conn.execute(
        "SELECT t, speed_kmh, incline_pct, distance_m, hr_bpm, direction, segment, rr_ms "
        "FROM samples WHERE session_id = ? ORDER BY t",
        (session_id,),
    )
    return [
        SampleRecord(t, speed, incline, distance, hr, direction, segment, _rr_from_text(rr))
        for t, speed, incline, distance, hr, direction, segment, rr in rows
    ]


def load_events(conn: sqlite3.Connection, session_id: int) -> list[dict[str, object]]:
    rows = conn.execute("SELECT data FROM events WHERE session_id = ? ORDER BY seq", (session_id,))
    return [json.loads(data) for (data,) in rows]


def write_totals(conn: sqlite3.Connection, session_id: int) -> None:
    """Compute a session's totals from its samples and events and keep them on its row."""
    built = build_session(load_events(conn, session_id), load_samples(conn, session_id))
    t = built.totals
    conn.execute(
        "UPDATE sessions SET duration_s = ?, distance_m = ?, backward_time_s = ?, "
        "backward_distance_m = ?, avg_hr = ?, max_hr = ? WHERE id = ?",
        (
            t.duration_s,
            t.distance_m,
            t.backward_time_s,
            t.backward_distance_m,
            t.avg_hr,
            t.max_hr,
            session_id,
        ),
    )


def rr_to_text(rr_ms: tuple[int, ...]) -> str | None:
    return ",".join(str(x) for x in rr_ms) if rr_ms else None


def _rr_from_text(text: str | None) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",")) if text else ()
