"""The command line's sessions: recording `retrocoach run`, `retrocoach sessions` and
`retrocoach export ID FILE`.

Every run is kept in the session store unless `--no-record` is given; a store that
cannot be written prints one warning and the session goes on (in memory, so
`--export` still works). The store is opened only by the commands that need it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from retrocoach.record.export import FORMATS, ExportError, export_session
from retrocoach.record.recorder import SessionRecorder
from retrocoach.record.schema import StoreError
from retrocoach.record.session import SessionSummary
from retrocoach.record.store import SessionStore, default_store_path
from retrocoach.workouts.model import Workout, format_duration


class ExportPathError(ValueError):
    """An --export or export FILE the command cannot write; the message says why."""


def check_export_path(path: str) -> Path:
    """Refuse a file the export could not write, before any session is run."""
    target = Path(path)
    if target.suffix.lower() not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise ExportPathError(f"{path}: the file name must end in one of {known}")
    folder = target.resolve().parent
    if not folder.is_dir():
        raise ExportPathError(f"{path}: the folder {folder} does not exist")
    return target


def open_recorder(workout: Workout, *, keep: bool, err: TextIO) -> SessionRecorder:
    """The recorder for one `run`: into the store when `keep`, else in memory only.
    Sessions a killed run left behind are closed and named first."""
    store_path = default_store_path() if keep else None
    if store_path is not None:
        recover(store_path, err)

    def warn(problem: str) -> None:
        err.write(f"retrocoach: the session is not being saved: {problem}\n")
        err.write("retrocoach: it goes on, kept in memory; --export still writes it\n")
        err.flush()

    return SessionRecorder(workout, store_path, on_problem=warn)


def recover(store_path: Path, err: TextIO) -> None:
    try:
        with SessionStore(store_path) as store:
            recovered = store.recover_interrupted()
    except StoreError as exc:
        err.write(f"retrocoach: cannot open the saved sessions: {exc}\n")
        return
    for summary in recovered:
        err.write(
            f"retrocoach: session {summary.id} ({summary.describe()}) was interrupted; "
            "it is kept as far as it was recorded\n"
        )


def finish_recording(
    recorder: SessionRecorder, export_path: Path | None, out: TextIO, err: TextIO
) -> bool:
    """Close the recording, say where it is, and export it; False if the export failed."""
    recorder.close()
    if recorder.header is None:
        return True  # no session began
    if recorder.session_id is not None and recorder.problem is None:
        out.write(f"Saved as session {recorder.session_id}.\n")
    elif recorder.store_path is not None:
        err.write(f"retrocoach: the session could not be saved: {recorder.problem}\n")
    if export_path is None:
        out.flush()
        return True
    try:
        export_session(recorder.session(), export_path)
    except ExportError as exc:
        err.write(f"retrocoach: --export: {exc}\n")
        return False
    out.write(f"Exported to {export_path}.\n")
    out.flush()
    return True


def list_sessions(as_json: bool, out: TextIO, err: TextIO) -> None:
    store_path = default_store_path()
    recover(store_path, err)
    with SessionStore(store_path) as store:
        summaries = store.list_sessions()
    if as_json:
        out.write(json.dumps([session_json(s) for s in summaries], indent=2, ensure_ascii=False))
        out.write("\n")
        return
    if not summaries:
        out.write("No sessions yet: 'retrocoach run' or the app records every session.\n")
        return
    out.write(f"{'ID':>5}  {'date':16}  {'time':>7}  {'km':>6}  {'back':>7}  {'HR':>7}  workout\n")
    for s in summaries:
        t = s.totals
        hr = f"{t.avg_hr:.0f}/{t.max_hr}" if t.avg_hr is not None else "-"
        flag = "" if s.end_reason in (None, "completed") else f" ({s.end_reason})"
        out.write(
            f"{s.id:>5}  {s.local_start:%Y-%m-%d %H:%M}  {format_duration(t.duration_s):>7}  "
            f"{t.distance_m / 1000:>6.2f}  {format_duration(t.backward_time_s):>7}  {hr:>7}  "
            f"{s.workout_title}{flag}\n"
        )
    out.write("\n'retrocoach export ID FILE.fit|.tcx|.csv' exports one.\n")


def session_json(s: SessionSummary) -> dict[str, Any]:
    t = s.totals
    return {
        "id": s.id,
        "started_at": s.started_at.isoformat(),
        "workout": s.workout_name,
        "title": s.workout_title,
        "state": s.state.value,
        "end_reason": s.end_reason,
        "duration_s": round(t.duration_s, 1),
        "distance_m": round(t.distance_m, 1),
        "backward_time_s": round(t.backward_time_s, 1),
        "backward_distance_m": round(t.backward_distance_m, 1),
        "avg_hr": t.avg_hr,
        "max_hr": t.max_hr,
    }


def export_one(session_id: int, path: Path, out: TextIO) -> None:
    """`retrocoach export ID FILE`; KeyError for an unknown id, ExportError if it fails."""
    with SessionStore(default_store_path()) as store:
        session = store.load(session_id)
    export_session(session, path)
    out.write(f"Exported session {session_id} ({session.summary.describe()}) to {path}.\n")
