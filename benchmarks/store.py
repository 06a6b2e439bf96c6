"""What keeping sessions costs: recording (CPU per sample) and opening the history.

Recording: the events of a one-hour simulated session are handed to the recorder as a
real session would, a second at a time, with a commit after each second (what the
writer does at real time: it commits at least every half second, and a sample comes
each second). The CPU time of the whole process (the writer's thread included) per
sample is printed, with two ratios measured in the same run:
  - to the JSON Lines event log writing the same events (`--events`), the cheapest
    record there is;
  - to the coach itself making those events (engine, station and simulators).
At real time, the CPU per sample divided by a second is the share of one core.

History: a store with 1,000 sessions of 30 minutes (1.8 million samples) is opened and
the history page shown, from a new QApplication in this process; the goal is under
300 ms. The baseline is the same page over an empty store.

    python benchmarks/store.py [--runs N] [--sessions N]
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from retrocoach.coach.events import Event, Sample
from retrocoach.record.eventlog import EventLog
from retrocoach.record.recorder import SessionRecorder
from retrocoach.station import run_to_end, simulated_station
from retrocoach.workouts import library
from retrocoach.workouts.model import Workout
from retrocoach.workouts.profile import RunnerProfile

HISTORY_GOAL_MS = 300.0


def session_events(workout: Workout) -> list[Event]:
    """Every event of a whole simulated session of `workout`."""
    events: list[Event] = []
    station = simulated_station(workout, RunnerProfile(), now=0.0, sinks=[events.append])
    station.connect(0.0)
    station.start(0.0)
    run_to_end(station)
    return events


def coach_cpu(workout: Workout) -> float:
    start = time.process_time()
    session_events(workout)
    return time.process_time() - start


def by_second(events: list[Event]) -> list[list[Event]]:
    """The events in the batches a real-time session hands over: up to each sample."""
    batches: list[list[Event]] = [[]]
    for event in events:
        batches[-1].append(event)
        if isinstance(event, Sample):
            batches.append([])
    return batches


def recorder_cpu(workout: Workout, events: list[Event], folder: Path) -> float:
    path = folder / f"bench-{time.monotonic_ns()}.sqlite"
    recorder = SessionRecorder(workout, path)
    start = time.process_time()
    for batch in by_second(events):
        for event in batch:
            recorder(event)
        if recorder.writer is not None:
            recorder.writer.commit()
    recorder.close()
    cpu = time.process_time() - start
    assert recorder.problem is None, recorder.problem
    return cpu


def eventlog_cpu(events: list[Event], folder: Path) -> float:
    path = folder / f"bench-{time.monotonic_ns()}.jsonl"
    start = time.process_time()
    with EventLog(path) as log:
        for event in events:
            log(event)
    return time.process_time() - start


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def bench_recording(runs: int, folder: Path) -> None:
    workout = library.get("backward-5k")  # about an hour
    events = session_events(workout)
    samples = sum(1 for e in events if isinstance(e, Sample))
    ours = median_of(runs, lambda: recorder_cpu(workout, events, folder))
    log = median_of(runs, lambda: eventlog_cpu(events, folder))
    coach = median_of(runs, lambda: coach_cpu(workout))
    per_sample_us = ours / samples * 1e6
    print(f"recording: {samples} samples and {len(events) - samples} other events (1 hour)")
    print(f"  recorder (SQLite, a commit a second): {ours * 1000:7.1f} ms CPU")
    print(f"  baseline, event log (JSON Lines):     {log * 1000:7.1f} ms CPU")
    print(f"  baseline, the coach making them:      {coach * 1000:7.1f} ms CPU")
    print(f"  CPU per sample: {per_sample_us:.0f} µs, {per_sample_us / 1e4:.3f} % of a core")
    print(f"  ratio to the event log: {ours / log:.2f}x; to the coach: {ours / coach:.2f}x")


# ----------------------------------------------------------------- history


def make_history(folder: Path, sessions: int) -> Path:
    """A store with `sessions` copies of one recorded 30-minute session, a day apart."""
    path = folder / "history.sqlite"
    recorder = SessionRecorder(library.get("back-forth-50"), path)
    for event in session_events(library.get("back-forth-50")):
        recorder(event)
    recorder.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    (first,) = conn.execute("SELECT id FROM sessions").fetchone()
    columns = [row[1] for row in conn.execute("PRAGMA table_info(sessions)") if row[1] != "id"]
    names = ", ".join(columns)
    origin = datetime.datetime(2024, 1, 1, 7, 0, tzinfo=datetime.UTC)
    for n in range(1, sessions):
        started = (origin + datetime.timedelta(days=n)).isoformat()
        picks = ", ".join("?" if c == "started_at" else c for c in columns)
        cursor = conn.execute(
            f"INSERT INTO sessions ({names}) SELECT {picks} FROM sessions WHERE id = ?",
            (started, first),
        )
        new = cursor.lastrowid
        for table in ("samples", "events", "device_gaps"):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            rest = ", ".join(c for c in cols if c != "session_id")
            conn.execute(
                f"INSERT INTO {table} (session_id, {rest}) "
                f"SELECT ?, {rest} FROM {table} WHERE session_id = ?",
                (new, first),
            )
    conn.execute("COMMIT")
    conn.close()
    return path


def bench_history(runs: int, folder: Path, sessions: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtWidgets import QApplication

        from retrocoach.gui.history_page import HistoryPage
    except ImportError as exc:
        print(f"history: not measured ({exc})")
        return
    app = QApplication.instance() or QApplication(sys.argv)
    full = make_history(folder, sessions)
    empty = folder / "empty.sqlite"

    def open_page(path: Path, rows: int) -> float:
        start = time.perf_counter()
        page = HistoryPage(path)
        page.resize(1280, 800)
        page.show()
        app.processEvents()
        page.grab()  # painted, every visible row drawn
        elapsed = time.perf_counter() - start
        assert page.model.rowCount() == rows, page.model.rowCount()
        page.close()
        page.deleteLater()
        app.processEvents()
        return elapsed

    open_page(empty, 0)  # the first page pays for Qt's own warm-up
    ours = median_of(runs, lambda: open_page(full, sessions))
    base = median_of(runs, lambda: open_page(empty, 0))
    verdict = "within" if ours * 1000 < HISTORY_GOAL_MS else "OVER"
    print(f"history: {sessions} sessions ({full.stat().st_size / 1e6:.0f} MB store)")
    print(f"  open and show: {ours * 1000:.0f} ms ({verdict} the {HISTORY_GOAL_MS:.0f} ms goal)")
    print(f"  baseline, the same page over an empty store: {base * 1000:.0f} ms")
    print("  (created, shown, its events processed and painted; median of the runs)")
    print(f"  ratio: {ours / base:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=1000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="retrocoach-bench-"))
    try:
        bench_recording(args.runs, folder)
        bench_history(args.runs, folder, args.sessions)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
