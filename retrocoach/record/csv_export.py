"""The CSV export: every sample of the session, one row a second, for spreadsheets and
scripts. Unlike FIT and TCX it keeps everything, the seconds before the person's start
and the pauses included; `elapsed_s` is the event log's `t`, so the rows join the log.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence

from retrocoach.record.session import Lap, RecordedSession

COLUMNS = (
    "time",  # ISO 8601, UTC
    "elapsed_s",  # seconds since the session began (the event log's t)
    "speed_kmh",
    "incline_pct",
    "distance_m",
    "hr_bpm",  # empty when unknown
    "direction",
    "segment",
    "lap",  # the lap's name (with its direction); empty outside every lap
    "rr_ms",  # the strap's RR intervals since the previous row, space-separated
)


def encode(session: RecordedSession) -> bytes:
    """The session's samples as CSV (UTF-8, a header row, CRLF line ends as RFC 4180)."""
    started_at = session.summary.started_at
    if started_at.tzinfo is None:
        started_at = started_at.replace(tzinfo=datetime.UTC)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    lap_of = _LapFinder(session.laps)
    for s in session.samples:
        moment = (started_at + datetime.timedelta(seconds=s.t)).astimezone(datetime.UTC)
        writer.writerow(
            (
                moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                _number(s.t),
                _number(s.speed_kmh),
                _number(s.incline_pct),
                _number(s.distance_m),
                "" if s.hr_bpm is None else str(s.hr_bpm),
                s.direction,
                str(s.segment),
                lap_of(s.t),
                " ".join(str(ms) for ms in s.rr_ms),
            )
        )
    return out.getvalue().encode()


def _number(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


class _LapFinder:
    """The name of the lap a sample belongs to (it describes the second before it, so a
    sample at a lap's end is the lap's); asked in time order."""

    def __init__(self, laps: Sequence[Lap]) -> None:
        self._laps = laps
        self._i = 0

    def __call__(self, t: float) -> str:
        laps = self._laps
        while self._i < len(laps) and laps[self._i].end_t < t:
            self._i += 1
        if self._i < len(laps) and laps[self._i].start_t < t:
            return laps[self._i].name
        return ""
