"""The session store: every session in one SQLite file in the platform's user data folder.

`SessionStore` reads the history, loads, deletes and recovers sessions; a
`SessionWriter` writes one session as it happens, on a thread of its own so a slow
disk never stalls the screen or the cues, committing at least twice a second: a crash
or a power cut costs at most the last second. A session whose writer died (the app
was killed, the laptop lost power) is found at the next start, closed as
"interrupted" with its totals, and kept.
"""

from __future__ import annotations

import datetime
import json
import os
import queue
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from retrocoach.record.schema import (
    StoreError,
    connect,
    load_events,
    load_samples,
    migrate,
    rr_to_text,
    write_totals,
)
from retrocoach.record.session import (
    GAP_STATES,
    Built,
    DeviceGap,
    RecordedSession,
    SampleRecord,
    SessionState,
    SessionSummary,
    Totals,
    build_session,
)

__all__ = ["SessionHeader", "SessionStore", "SessionWriter", "StoreError", "default_store_path"]

STORE_NAME = "sessions.sqlite"
COMMIT_EVERY_S = 0.5
# A writer that has not committed for this long is dead even if its process id now
# belongs to someone else (ids are reused after a restart).
STALE_AFTER_S = 120.0


def default_store_path() -> Path:
    return Path(platformdirs.user_data_dir("retrocoach")) / STORE_NAME


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True)
class SessionHeader:
    """What a session is, known at its start."""

    started_at: datetime.datetime
    workout_name: str
    workout_title: str
    workout_toml: str | None
    profile: dict[str, Any]
    treadmill: str
    hrm: str | None


def open_database(path: Path) -> sqlite3.Connection:
    """Open (creating the folder and file if needed) and migrate; StoreError says why not."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = connect(path)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"{path}: {describe_failure(exc)}") from exc
    try:
        migrate(conn, path)
    except StoreError:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(f"{path}: {describe_failure(exc)}") from exc
    return conn


def describe_failure(exc: BaseException) -> str:
    """A disk problem in a person's words."""
    text = str(exc)
    lowered = text.lower()
    if "disk is full" in lowered or "no space" in lowered:
        return "the disk is full"
    if "readonly" in lowered or "read-only" in lowered or isinstance(exc, PermissionError):
        return "the folder cannot be written (read-only or no permission)"
    if "not a database" in lowered or "malformed" in lowered:
        return f"the file is damaged ({text})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return text


class SessionStore:
    """The history: list, load, delete, recover. Use from one thread."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_store_path()
        self._conn = open_database(self.path)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def list_sessions(self) -> list[SessionSummary]:
        """Every session, newest first (from the rows alone: no samples are read)."""
        rows = self._conn.execute(f"{_SUMMARY_SELECT} ORDER BY started_at DESC, id DESC").fetchall()
        return [self._current(_summary(row)) for row in rows]

    def _current(self, summary: SessionSummary) -> SessionSummary:
        """A session being recorded has no totals on its row yet: as far as it got."""
        if summary.state is not SessionState.RECORDING:
            return summary
        samples = load_samples(self._conn, summary.id)
        built = build_session(load_events(self._conn, summary.id), samples)
        return _with_totals(summary, built.totals)

    def summary(self, session_id: int) -> SessionSummary:
        return self._current(_summary_row(self._conn, session_id))

    def load(self, session_id: int) -> RecordedSession:
        """The whole session; KeyError if there is none with this id."""
        row = self._conn.execute(
            "SELECT workout_toml, profile_json, treadmill, hrm FROM sessions WHERE id = ?",
            (session_id,),
        ).fetchone()
        if row is None:
            raise KeyError(session_id)
        workout_toml, profile_json, treadmill, hrm = row
        samples = load_samples(self._conn, session_id)
        events = load_events(self._conn, session_id)
        built = build_session(events, samples)
        summary = _summary_row(self._conn, session_id)
        if summary.state is SessionState.RECORDING:
            # Still being written (here or by another app): totals as far as it got.
            summary = _with_totals(summary, built.totals)
        return RecordedSession(
            summary=summary,
            workout_toml=workout_toml,
            profile=json.loads(profile_json),
            treadmill=treadmill,
            hrm=hrm,
            samples=tuple(samples),
            laps=built.laps,
            gaps=self._gaps(session_id),
            events=tuple(events),
        )

    def _gaps(self, session_id: int) -> tuple[DeviceGap, ...]:
        rows = self._conn.execute(
            "SELECT role, start_t, end_t, state FROM device_gaps WHERE session_id = ? "
            "ORDER BY start_t",
            (session_id,),
        )
        return tuple(DeviceGap(role, start, end, state) for role, start, end, state in rows)

    def delete(self, session_id: int, *, writer_stopped: bool = False) -> None:
        """Delete a session and all it kept; StoreError for one still being recorded
        (its writer would lose what comes next), unless its own recorder says its
        writer has stopped (`writer_stopped`: the part written before a failure)."""
        with _transaction(self._conn):
            row = self._conn.execute(
                "SELECT state FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            if row is not None and row[0] == SessionState.RECORDING and not writer_stopped:
                raise StoreError(f"session {session_id} is being recorded: stop it first")
            self._conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def recover_interrupted(self, *, now: datetime.datetime | None = None) -> list[SessionSummary]:
        """Close the sessions whose writer died; their summaries, oldest first."""
        now = now or utc_now()
        rows = self._conn.execute(
            "SELECT id, owner_pid, heartbeat_at FROM sessions WHERE state = 'recording' "
            "ORDER BY started_at"
        ).fetchall()
        recovered: list[SessionSummary] = []
        for session_id, pid, heartbeat in rows:
            if not _writer_dead(pid, heartbeat, now):
                continue
            with _transaction(self._conn):
                write_totals(self._conn, session_id)
                self._conn.execute(
                    "UPDATE sessions SET state = 'interrupted', end_reason = 'interrupted', "
                    "owner_pid = NULL WHERE id = ? AND state = 'recording'",
                    (session_id,),
                )
            recovered.append(self.summary(session_id))
        return recovered

    def save_whole(self, session: RecordedSession, header: SessionHeader) -> int:
        """Write a session kept in memory (its writer failed) in one go; its new id."""
        writer = SessionWriter(self.path, header, threaded=False)
        for event in session.events:  # (samples are kept apart from the events)
            writer.event(event)
        for sample in session.samples:
            writer.sample(sample)
        writer.finish()
        writer.close()
        if writer.problem is not None or writer.session_id is None:
            raise StoreError(writer.problem or "the session could not be saved")
        return writer.session_id


_SUMMARY_SELECT = (
    "SELECT id, started_at, workout_name, workout_title, state, end_reason, duration_s, "
    "distance_m, backward_time_s, backward_distance_m, avg_hr, max_hr, profile_json "
    "FROM sessions"
)


def _summary_row(conn: sqlite3.Connection, session_id: int) -> SessionSummary:
    row = conn.execute(f"{_SUMMARY_SELECT} WHERE id = ?", (session_id,)).fetchone()
    if row is None:
        raise KeyError(session_id)
    return _summary(row)


def _summary(row: tuple[Any, ...]) -> SessionSummary:
    (session_id, started_at, name, title, state, reason, *totals, profile_json) = row
    duration, distance, back_time, back_distance, avg_hr, max_hr = totals
    return SessionSummary(
        id=session_id,
        started_at=datetime.datetime.fromisoformat(started_at),
        workout_name=name,
        workout_title=title,
        state=SessionState(state),
        end_reason=reason,
        totals=Totals(
            duration_s=duration or 0.0,
            distance_m=distance or 0.0,
            backward_time_s=back_time or 0.0,
            backward_distance_m=back_distance or 0.0,
            avg_hr=avg_hr,
            max_hr=max_hr,
        ),
        runner=_runner_name(profile_json),
    )


def _runner_name(profile_json: str | None) -> str:
    """Who ran (the profile's name): gym mode keeps several members' sessions."""
    try:
        name = json.loads(profile_json or "{}").get("name", "")
    except (ValueError, AttributeError):
        return ""
    return name if isinstance(name, str) else ""


def _with_totals(summary: SessionSummary, totals: Totals) -> SessionSummary:
    return SessionSummary(
        summary.id,
        summary.started_at,
        summary.workout_name,
        summary.workout_title,
        summary.state,
        summary.end_reason,
        totals,
        summary.runner,
    )


def _writer_dead(pid: int | None, heartbeat: str | None, now: datetime.datetime) -> bool:
    if heartbeat is not None:
        age = (now - datetime.datetime.fromisoformat(heartbeat)).total_seconds()
        if age > STALE_AFTER_S:
            return True
    if pid is None:
        return True
    if pid == os.getpid():
        return False  # this process: a session of ours still being written
    return not _process_alive(pid)


def _process_alive(pid: int) -> bool:
    if sys.platform == "win32":
        return True  # (os.kill would signal it); the heartbeat decides there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


class _transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_: object) -> None:
        self._conn.execute("COMMIT" if kind is None else "ROLLBACK")


# ------------------------------------------------------------------- writing


_Op = tuple[Any, ...]
_STOP: _Op = ("stop",)


class SessionWriter:
    """Writes one session into the store as it happens.

    Calls return at once; a thread does the writing and commits whatever is new at
    least every `commit_every_s`. If the disk fails (full, read-only, gone) the writer
    stops writing and says so in `problem`; the caller keeps the session in memory.
    """

    def __init__(
        self,
        path: Path,
        header: SessionHeader,
        *,
        threaded: bool = True,
        commit_every_s: float = COMMIT_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.header = header
        self.problem: str | None = None
        self.session_id: int | None = None
        self.commits = 0
        self._commit_every_s = commit_every_s
        self._clock = clock
        self._seq = 0
        self._open_gaps: dict[str, float] = {}
        self._conn: sqlite3.Connection | None = None
        self._queue: queue.SimpleQueue[_Op] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._run, name="session-writer", daemon=True)
            self._thread.start()
        else:
            self._apply(("begin",))

    # The caller's side: never blocks, never raises.
    def sample(self, sample: SampleRecord) -> None:
        self._put(("sample", sample))

    def event(self, record: dict[str, Any]) -> None:
        self._seq += 1
        self._put(("event", self._seq, record))

    def commit(self) -> None:
        """Commit now (a writer without a thread commits only when told, or at close)."""
        self._put(("commit",))

    def finish(self) -> None:
        """The session ended: keep its totals and mark it finished."""
        self._put(("finish",))

    def close(self, timeout: float = 10.0) -> None:
        """Write what is left and stop. After this, `problem` and `session_id` are final."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout)
            if self._thread.is_alive() and self.problem is None:
                self.problem = f"{self.path}: the disk did not answer in {timeout:g} s"
            self._thread = None
        else:
            self._apply(_STOP)

    def _put(self, op: _Op) -> None:
        if self._thread is not None:
            self._queue.put(op)
        else:
            self._apply(op)

    # The writing side.
    def _run(self) -> None:
        self._apply(("begin",))
        last_commit = self._clock()
        pending = False
        while True:
            due = last_commit + self._commit_every_s
            wait = max(due - self._clock(), 0.0) if pending else None
            try:
                op = self._queue.get(timeout=wait)
            except queue.Empty:
                op = ("commit",)
            if op is _STOP:
                self._apply(_STOP)  # commits what is left
                return
            if op[0] != "commit":
                self._apply(op)
                pending = True
            # What is handed over is committed within `commit_every_s`, however
            # busy the queue: a crash costs at most that.
            if op[0] == "commit" or self._clock() - last_commit >= self._commit_every_s:
                self._apply(("commit",))
                last_commit = self._clock()
                pending = False

    def _apply(self, op: _Op) -> None:
        if self.problem is not None:
            return  # failed once: the session lives on in memory only
        try:
            self._do(op)
        except (sqlite3.Error, OSError, StoreError) as exc:
            self.problem = (
                str(exc)
                if isinstance(exc, StoreError)
                else (f"{self.path}: {describe_failure(exc)}")
            )
            self._close_connection()

    def _do(self, op: _Op) -> None:
        kind = op[0]
        if kind == "begin":
            self._conn = open_database(self.path)
            self._conn.execute("BEGIN IMMEDIATE")
            h = self.header
            cursor = self._conn.execute(
                "INSERT INTO sessions (started_at, workout_name, workout_title, workout_toml, "
                "profile_json, treadmill, hrm, state, owner_pid, heartbeat_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'recording', ?, ?)",
                (
                    h.started_at.isoformat(),
                    h.workout_name,
                    h.workout_title,
                    h.workout_toml,
                    json.dumps(h.profile),
                    h.treadmill,
                    h.hrm,
                    os.getpid(),
                    utc_now().isoformat(),
                ),
            )
            self.session_id = cursor.lastrowid
            self._commit()
            return
        conn = self._conn
        assert conn is not None
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        if kind == "sample":
            s: SampleRecord = op[1]
            conn.execute(
                "INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.session_id,
                    s.t,
                    s.speed_kmh,
                    s.incline_pct,
                    s.distance_m,
                    s.hr_bpm,
                    rr_to_text(s.rr_ms),
                    s.direction,
                    s.segment,
                ),
            )
        elif kind == "event":
            _, seq, record = op
            conn.execute(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                (
                    self.session_id,
                    seq,
                    float(record["t"]),
                    str(record["event"]),
                    json.dumps(record, ensure_ascii=False, separators=(",", ":")),
                ),
            )
            if record["event"] == "device":
                self._track_gap(conn, record)
            elif record["event"] == "session_end":
                conn.execute(
                    "UPDATE sessions SET end_reason = ? WHERE id = ?",
                    (record["reason"], self.session_id),
                )
        elif kind == "finish":
            write_totals(conn, self._id())
            conn.execute(
                "UPDATE sessions SET state = 'finished', owner_pid = NULL WHERE id = ?",
                (self.session_id,),
            )
            self._commit()
        elif kind == "commit":
            self._commit()
        elif kind == "stop":
            self._commit()
            self._close_connection()

    def _id(self) -> int:
        assert self.session_id is not None
        return self.session_id

    def _track_gap(self, conn: sqlite3.Connection, record: dict[str, Any]) -> None:
        role, state, t = str(record["role"]), str(record["state"]), float(record["t"])
        if state in GAP_STATES and role not in self._open_gaps:
            self._open_gaps[role] = t
            conn.execute(
                "INSERT INTO device_gaps VALUES (?, ?, ?, NULL, ?)",
                (self.session_id, role, t, state),
            )
        elif state == "connected" and role in self._open_gaps:
            start = self._open_gaps.pop(role)
            conn.execute(
                "UPDATE device_gaps SET end_t = ? WHERE session_id = ? AND role = ? "
                "AND start_t = ?",
                (t, self.session_id, role, start),
            )

    def _commit(self) -> None:
        conn = self._conn
        if conn is None:
            return
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "UPDATE sessions SET heartbeat_at = ? WHERE id = ?",
            (utc_now().isoformat(), self.session_id),
        )
        conn.execute("COMMIT")
        self.commits += 1

    def _close_connection(self) -> None:
        if self._conn is not None:
            try:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            self._conn.close()
            self._conn = None


def summary_of(
    session_id: int, header: SessionHeader, built: Built, state: SessionState
) -> SessionSummary:
    """The summary of a session held in memory (its writer failed, or none was wanted)."""
    return SessionSummary(
        id=session_id,
        started_at=header.started_at,
        workout_name=header.workout_name,
        workout_title=header.workout_title,
        state=state,
        end_reason=built.end_reason,
        totals=built.totals,
        runner=str(header.profile.get("name", "")),
    )
