"""Exporting a recorded session to a file: FIT, TCX or CSV, chosen by the file's suffix.

`export_session` is the one entry point (the app's history, `retrocoach export` and
`retrocoach run --export` all call it). The file is written whole or not at all: the
bytes go to a temporary file in the same folder, which then replaces the target.

`Activity` is what the FIT and TCX exports share: the part of the session a sports
platform calls the activity (from the person's start to the end), its pauses (the
timer stopped) and the samples that become its records.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import errno
import os
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrocoach.record.session import Lap, LapKind, RecordedSession, SampleRecord, distance_at

# Suffix → a name for people (file dialogs show "FIT activity (*.fit)").
FORMATS: dict[str, str] = {
    ".fit": "FIT activity",
    ".tcx": "TCX activity",
    ".csv": "CSV table",
}


class ExportError(Exception):
    """An export that could not be written; the message names the file and the problem."""


def export_session(session: RecordedSession, path: Path, fmt: str | None = None) -> None:
    """Write `session` to `path` in the format of its suffix (.fit, .tcx, .csv; any case),
    or in `fmt` ("fit", "tcx", "csv") when given. Raises ExportError."""
    path = Path(path)
    suffix = _format_suffix(path, fmt)
    # Imported here: the app and the command line load this module at start-up, and the
    # FIT profile is large.
    encode: Callable[[RecordedSession], bytes]
    if suffix == ".fit":
        from retrocoach.record.fit import encode
    elif suffix == ".tcx":
        from retrocoach.record.tcx import encode
    else:
        from retrocoach.record.csv_export import encode
    try:
        data = encode(session)
    except ValueError as exc:  # the FIT SDK's way of refusing a value
        raise ExportError(f"{path}: the session could not be written as {suffix}: {exc}") from exc
    write_atomically(path, data)


def _format_suffix(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        suffix = "." + fmt.lower().lstrip(".")
        if suffix not in FORMATS:
            raise ExportError(f"{path}: unknown export format {fmt!r} ({_known()})")
        return suffix
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        what = f"{path.suffix!r} is not a format" if path.suffix else "the name has no suffix"
        raise ExportError(f"{path}: {what} that can be exported ({_known()})")
    return suffix


def _known() -> str:
    return "use " + ", ".join(FORMATS)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data`, never leaving half a file (there or in a temp file)."""
    folder = path.parent
    if path.is_dir():
        raise ExportError(f"{path}: this is a folder, not a file")
    if not folder.is_dir():
        raise ExportError(f"{path}: the folder {folder} does not exist")
    temp = folder / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        # os.open with 0o666 lets the umask decide the mode, as for any new file (a
        # tempfile would be private to its owner).
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise ExportError(f"{path}: {_why(exc, folder)}") from exc
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # the first problem is the one to tell
            temp.unlink(missing_ok=True)
        raise ExportError(f"{path}: {_why(exc, folder)}") from exc


def _why(exc: OSError, folder: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno == errno.EDQUOT:
        return "the disk quota is used up"
    if exc.errno == errno.EROFS:
        return f"the folder {folder} is on a read-only disk"
    if isinstance(exc, PermissionError):
        return f"no permission to write in {folder} (or the file is open elsewhere)"
    if isinstance(exc, FileNotFoundError):
        return f"the folder {folder} does not exist"
    return f"cannot write: {exc.strerror or exc}"


# -- what the FIT and TCX exports share


# What pauses the engine's clocks (docs/events.md): a person's pause, a belt stopped by
# the safety key, the console or itself, and another app taking control.
_PAUSING_SAFETY = frozenset({"paused", "control_lost"})


@dataclass(frozen=True)
class Activity:
    """The session as a sports platform sees an activity."""

    started_at: datetime.datetime  # wall clock (UTC) at the session's t = 0
    start_t: float  # the person's start
    end_t: float  # session_end (or the last sample of an interrupted session)
    pauses: tuple[tuple[float, float], ...]  # (from, to): the timer stopped
    records: tuple[SampleRecord, ...]  # the samples taken while the timer ran
    laps: tuple[Lap, ...]  # the session's laps, or one for the whole of it if it has none

    @property
    def elapsed_s(self) -> float:
        return max(self.end_t - self.start_t, 0.0)

    @property
    def timer_s(self) -> float:
        return self.timer_between(self.start_t, self.end_t)

    def timer_between(self, a: float, b: float) -> float:
        """Seconds the timer ran between `a` and `b`."""
        paused = sum(max(min(b, p1) - max(a, p0), 0.0) for p0, p1 in self.pauses)
        return max(b - a - paused, 0.0)

    def lap_timer_s(self, lap: Lap) -> float:
        """A lap's timer time. A segment's elapsed_s is the engine's own clock, which
        stops exactly when the timer does; but a turn-around's, and the last segment's
        of an interrupted session, run on through a pause: the timer's is then less."""
        return min(lap.elapsed_s, self.timer_between(lap.start_t, lap.end_t))

    def wall(self, t: float) -> datetime.datetime:
        return self.started_at + datetime.timedelta(seconds=t)

    def epoch_s(self, t: float) -> float:
        """Seconds since the Unix epoch at session time `t`."""
        return self.started_at.timestamp() + t

    def samples_in(self, samples: Iterable[SampleRecord]) -> list[SampleRecord]:
        """Those taken between the start and the end (each describes the second before it)."""
        return [s for s in samples if self.start_t < s.t <= self.end_t]


def activity_of(session: RecordedSession) -> Activity:
    started_at = session.summary.started_at
    if started_at.tzinfo is None:
        started_at = started_at.replace(tzinfo=datetime.UTC)  # stored as UTC
    samples = session.samples
    start_t = _person_start(session.events)
    if start_t is None:
        start_t = session.laps[0].start_t if session.laps else 0.0
    end_t = _session_end(session.events)
    if end_t is None:
        last = [samples[-1].t] if samples else []
        end_t = max([start_t, *last, *(lap.end_t for lap in session.laps)])
    pauses = tuple(_pauses(session.events, start_t, end_t))
    records = tuple(
        s for s in samples if start_t < s.t <= end_t and not any(p0 < s.t < p1 for p0, p1 in pauses)
    )
    activity = Activity(started_at, start_t, end_t, pauses, records, session.laps)
    if not session.laps:
        activity = dataclasses.replace(activity, laps=(_whole(session, activity),))
    return activity


def _person_start(events: Iterable[Mapping[str, Any]]) -> float | None:
    for event in events:
        if event.get("event") == "user" and event.get("action") == "start":
            return float(event["t"])
    return None


def _session_end(events: Iterable[Mapping[str, Any]]) -> float | None:
    for event in events:
        if event.get("event") == "session_end":
            return float(event["t"])
    return None


def _pauses(
    events: Iterable[Mapping[str, Any]], start_t: float, end_t: float
) -> list[tuple[float, float]]:
    """When the timer stood: from a pause until the engine's clocks ran again, which is
    the end of the countdown after the resume (the `until` of its `countdown` phase)."""
    pauses: list[tuple[float, float]] = []
    paused_at: float | None = None
    resume_at: float | None = None  # a countdown under way: the clocks run from then
    for event in events:
        t = float(event["t"])
        kind = event.get("event")
        if t < start_t or kind == "session_end":
            continue
        if paused_at is not None and resume_at is not None and t >= resume_at:
            pauses.append((paused_at, resume_at))
            paused_at = resume_at = None
        if (kind == "user" and event.get("action") == "pause") or (
            kind == "safety" and event.get("action") in _PAUSING_SAFETY
        ):
            if paused_at is None:
                paused_at = t
            resume_at = None  # paused again during the countdown
        elif paused_at is None or resume_at is not None:
            continue
        elif kind == "phase" and event.get("phase") == "countdown":
            until = event.get("until")
            resume_at = float(until) if until is not None else t
        elif kind in ("phase", "segment_start"):
            pauses.append((paused_at, t))  # back at work without a countdown
            paused_at = None
    if paused_at is not None:
        until = resume_at if resume_at is not None and resume_at < end_t else end_t
        pauses.append((paused_at, until))
    return [(max(p0, start_t), min(p1, end_t)) for p0, p1 in pauses if min(p1, end_t) > p0]


def _whole(session: RecordedSession, activity: Activity) -> Lap:
    """One lap for a session that ended before its first segment began: FIT and TCX
    activities need at least one."""
    samples, records = session.samples, activity.records
    start_t, end_t = activity.start_t, activity.end_t
    hrs = [s.hr_bpm for s in records if s.hr_bpm is not None]
    direction = records[0].direction if records else "forward"
    return Lap(
        kind=LapKind.SEGMENT,
        segment=0,
        label=session.summary.workout_title,
        direction=direction,
        gait="walk",
        target_speed_kmh=None,
        incline_pct=records[0].incline_pct if records else 0.0,
        start_t=start_t,
        end_t=end_t,
        start_distance_m=distance_at(samples, start_t),
        end_distance_m=distance_at(samples, end_t),
        elapsed_s=activity.timer_s,
        end_reason=session.summary.end_reason or "stopped",
        avg_hr=round(sum(hrs) / len(hrs), 1) if hrs else None,
        max_hr=max(hrs) if hrs else None,
        max_speed_kmh=max((s.speed_kmh for s in records), default=0.0),
        avg_incline_pct=(
            round(sum(s.incline_pct for s in records) / len(records), 1) if records else 0.0
        ),
    )


def valid_hr(bpm: int | None) -> int | None:
    """A heart rate both formats can carry (FIT's 255 means "none"; TCX wants 1–255)."""
    return bpm if bpm is not None and 0 < bpm < 255 else None


def segment_ends(events: Iterable[Mapping[str, Any]]) -> dict[int, Mapping[str, Any]]:
    """Each segment's planned end ({"time_s": ...} or {"distance_m": ...}) by index."""
    return {
        int(e["index"]): e.get("end") or {} for e in events if e.get("event") == "segment_start"
    }
