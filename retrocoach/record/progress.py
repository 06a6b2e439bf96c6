"""Progress over weeks, from the session store: backward time per week, backward speed
at a given heart rate, and the six-week plan's completion.

Everything is grouped by ISO week (Monday to Sunday, in local time, as the person lives
them). The history opens from the sessions' rows alone; what needs samples (the speed at
a heart rate) is read here by one aggregate query over the backward segments only, so it
can run on a worker thread (each call opens its own connection) and the page that shows
it can change the heart rate without reading the store again. No Qt here.
"""

from __future__ import annotations

import datetime
import json
import math
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from retrocoach.record.store import open_database

__all__ = [
    "HR_TOLERANCE",
    "MIN_SAMPLES",
    "BackwardEffort",
    "SpeedAtHeartRate",
    "StoreProgress",
    "WeekPlan",
    "WeekSpeed",
    "WeekTotals",
    "backward_effort",
    "plan_completion",
    "read_progress",
    "week_of",
    "week_span",
    "weekly_totals",
]

HR_TOLERANCE = 5  # bpm either side of the reference heart rate
# A minute of backward running near the heart rate (samples are one a second): a week
# with less says more about the strap's noise than about the runner.
MIN_SAMPLES = 60

Week = datetime.date  # the Monday that starts it


def week_of(moment: datetime.date | datetime.datetime) -> Week:
    """The Monday of the ISO week `moment` falls in; an aware date-time counts in local
    time (a run on Sunday evening belongs to that week wherever the store keeps UTC)."""
    if isinstance(moment, datetime.datetime):
        local = moment.astimezone() if moment.tzinfo is not None else moment
        day = local.date()
    else:
        day = moment
    return day - datetime.timedelta(days=day.weekday())


def week_span(first: Week, last: Week) -> list[Week]:
    """Every week from `first` to `last`, both included (empty weeks too: a gap in the
    training is shown as one)."""
    weeks: list[Week] = []
    week = week_of(first)
    while week <= last:
        weeks.append(week)
        week += datetime.timedelta(days=7)
    return weeks


# ------------------------------------------------------------------ weekly totals


@dataclass(frozen=True)
class WeekTotals:
    week: Week
    sessions: int
    time_s: float
    backward_time_s: float
    backward_distance_m: float


def weekly_totals(conn: sqlite3.Connection) -> list[WeekTotals]:
    """Sessions and backward time per week (weeks with sessions only, oldest first), from
    the sessions' rows: no samples are read."""
    rows = conn.execute(
        "SELECT started_at, duration_s, backward_time_s, backward_distance_m FROM sessions"
    )
    sums: dict[Week, list[float]] = {}
    for started_at, duration, back_time, back_distance in rows:
        week = week_of(datetime.datetime.fromisoformat(started_at))
        total = sums.setdefault(week, [0, 0.0, 0.0, 0.0])
        total[0] += 1
        total[1] += duration or 0.0  # a session still being written has no totals yet
        total[2] += back_time or 0.0
        total[3] += back_distance or 0.0
    return [
        WeekTotals(week, int(n), time_s, back_s, back_m)
        for week, (n, time_s, back_s, back_m) in sorted(sums.items())
    ]


# ------------------------------------------------------- backward speed at a heart rate


@dataclass(frozen=True)
class WeekSpeed:
    week: Week
    speed_kmh: float  # the median backward speed over the samples counted (nan: none)
    samples: int  # how many seconds of backward running were near the heart rate


@dataclass(frozen=True)
class SpeedAtHeartRate:
    hr_bpm: int
    tolerance: int
    min_samples: int
    points: tuple[WeekSpeed, ...]  # the weeks with enough samples, oldest first
    left_out: tuple[WeekSpeed, ...]  # weeks of backward running with too few near hr_bpm


@dataclass(frozen=True)
class BackwardEffort:
    """Seconds of backward running per week, by (heart rate, belt speed): enough to find
    the speed at any heart rate without reading the store again."""

    by_week: Mapping[Week, Mapping[tuple[int, float], int]] = field(default_factory=dict)

    @property
    def weeks(self) -> list[Week]:
        return sorted(self.by_week)

    def seconds(self) -> int:
        return sum(sum(counts.values()) for counts in self.by_week.values())

    def speed_at(
        self,
        hr_bpm: int,
        tolerance: int = HR_TOLERANCE,
        min_samples: int = MIN_SAMPLES,
    ) -> SpeedAtHeartRate:
        """Per week, the median backward speed over the seconds whose heart rate was
        within `tolerance` of `hr_bpm`; weeks with fewer than `min_samples` such seconds
        are left out (and listed)."""
        points: list[WeekSpeed] = []
        left_out: list[WeekSpeed] = []
        for week in self.weeks:
            near = [
                (speed, n)
                for (hr, speed), n in self.by_week[week].items()
                if abs(hr - hr_bpm) <= tolerance
            ]
            count = sum(n for _, n in near)
            if count >= min_samples:
                points.append(WeekSpeed(week, weighted_median(near), count))
            else:
                left_out.append(WeekSpeed(week, math.nan, count))
        return SpeedAtHeartRate(hr_bpm, tolerance, min_samples, tuple(points), tuple(left_out))

    def suggested_hr(
        self, tolerance: int = HR_TOLERANCE, min_samples: int = MIN_SAMPLES
    ) -> int | None:
        """The heart rate that compares the most weeks (then: with the most seconds
        near it), rounded to 5 bpm so the box shows a round number; None without data."""
        per_week: list[Counter[int]] = []
        for counts in self.by_week.values():
            by_hr: Counter[int] = Counter()
            for (hr, _), n in counts.items():
                by_hr[hr] += n
            per_week.append(by_hr)
        every = [hr for by_hr in per_week for hr in by_hr]
        if not every:
            return None
        low = 5 * math.floor(min(every) / 5)
        best: tuple[int, int, int] | None = None  # (weeks, seconds, -hr)
        for hr in range(low, max(every) + 5, 5):
            near = [
                sum(n for h, n in by_hr.items() if abs(h - hr) <= tolerance) for by_hr in per_week
            ]
            score = (sum(1 for n in near if n >= min_samples), sum(near), -hr)
            if best is None or score > best:
                best = score
        assert best is not None
        return -best[2]


def weighted_median(values: Iterable[tuple[float, int]]) -> float:
    """The median of values given with their counts (nan for none)."""
    ordered = sorted((v, n) for v, n in values if n > 0)
    total = sum(n for _, n in ordered)
    if total == 0:
        return math.nan
    # The middle one, or the mean of the two middle ones for an even count.
    lower_rank, upper_rank = (total - 1) // 2, total // 2
    seen = 0
    lower: float | None = None
    for value, n in ordered:
        if lower is None and seen + n > lower_rank:
            lower = value
        if seen + n > upper_rank:
            assert lower is not None
            return (lower + value) / 2
        seen += n
    raise AssertionError("unreachable: the ranks are below the total")


def backward_spans(conn: sqlite3.Connection) -> dict[int, list[tuple[float, float]]]:
    """Each session's backward segments as (start_t, end_t], from its events as
    `build_session` reads them: a segment ends at its segment_end, or else at the next
    segment's start, the session's end, or (still going, interrupted) never. The
    turn-arounds are not in them: a sample there is a slow-down, not the runner's pace."""
    spans: dict[int, list[tuple[float, float]]] = {}
    session: int | None = None
    starts: dict[int, tuple[float, str]] = {}
    ends: dict[int, float] = {}
    order: list[int] = []
    end_t = math.inf

    def close() -> None:
        if session is None:
            return
        found: list[tuple[float, float]] = []
        for n, index in enumerate(order):
            start_t, direction = starts[index]
            if direction != "backward":
                continue
            stop = ends.get(index)
            if stop is None:
                stop = starts[order[n + 1]][0] if n + 1 < len(order) else end_t
            found.append((start_t, stop))
        if found:
            spans[session] = found

    for session_id, event, t, index, direction in _segment_events(conn):
        if session_id != session:
            close()
            session, starts, ends, order, end_t = session_id, {}, {}, [], math.inf
        if event == "segment_start":
            if index not in starts:
                order.append(index)
            starts[index] = (float(t), str(direction))
        elif event == "segment_end":
            ends[int(index)] = float(t)
        else:
            end_t = float(t)
    close()
    return spans


_SEGMENT_EVENTS = "event IN ('segment_start', 'segment_end', 'session_end')"


def _segment_events(conn: sqlite3.Connection) -> Iterator[tuple[int, str, float, int, str]]:
    """(session, event, t, index, direction) of every segment's start and end and every
    session's end, in order."""
    try:
        # SQLite picks the two fields out: no JSON parsed in Python (the GIL stays free
        # for the screen while this runs on a worker thread).
        rows = conn.execute(
            "SELECT session_id, event, t, json_extract(data, '$.index'), "
            f"json_extract(data, '$.direction') FROM events WHERE {_SEGMENT_EVENTS} "
            "ORDER BY session_id, seq"
        )
        for session_id, event, t, index, direction in rows:
            yield session_id, event, t, int(index or 0), str(direction)
    except sqlite3.OperationalError:  # an SQLite built without its JSON functions
        rows = conn.execute(
            f"SELECT session_id, event, t, data FROM events WHERE {_SEGMENT_EVENTS} "
            "ORDER BY session_id, seq"
        )
        for session_id, event, t, data in rows:
            record = json.loads(data)
            yield session_id, event, t, int(record.get("index", 0)), str(record.get("direction"))


def backward_effort(conn: sqlite3.Connection) -> BackwardEffort:
    """Seconds of backward running per week by (heart rate, speed), in one aggregate
    query over the backward segments (the samples' index serves each span)."""
    spans = backward_spans(conn)
    weeks = {
        session_id: week_of(datetime.datetime.fromisoformat(started_at))
        for session_id, started_at in conn.execute("SELECT id, started_at FROM sessions")
    }
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS progress_spans "
        "(session_id INTEGER NOT NULL, start_t REAL NOT NULL, end_t REAL NOT NULL)"
    )
    conn.execute("DELETE FROM progress_spans")
    conn.executemany(
        "INSERT INTO progress_spans VALUES (?, ?, ?)",
        # REAL cannot hold infinity in every SQLite: a big number stands for "no end".
        (
            (session_id, start, end if math.isfinite(end) else 1e12)
            for session_id, found in spans.items()
            for start, end in found
        ),
    )
    rows = conn.execute(
        "SELECT sp.session_id, s.hr_bpm, s.speed_kmh, COUNT(*) "
        "FROM progress_spans sp JOIN samples s "
        "ON s.session_id = sp.session_id AND s.t > sp.start_t AND s.t <= sp.end_t "
        # A standing belt (a pause) is not a pace.
        "WHERE s.hr_bpm IS NOT NULL AND s.speed_kmh > 0 AND s.direction = 'backward' "
        "GROUP BY sp.session_id, s.hr_bpm, s.speed_kmh"
    )
    by_week: dict[Week, Counter[tuple[int, float]]] = {}
    for session_id, hr, speed, count in rows:
        week = weeks.get(session_id)
        if week is not None:
            by_week.setdefault(week, Counter())[(int(hr), float(speed))] += int(count)
    conn.execute("DELETE FROM progress_spans")
    return BackwardEffort(by_week)


# ------------------------------------------------------------- the plan's completion


@dataclass(frozen=True)
class WeekPlan:
    week: Week
    done: int  # plan sessions marked done in this week
    cumulative: int  # done by the end of this week
    total: int  # sessions in the plan

    @property
    def share(self) -> float:
        return self.cumulative / self.total if self.total else 0.0


def plan_completion(
    done: Mapping[str, datetime.date], names: Sequence[str], weeks: Sequence[Week]
) -> list[WeekPlan]:
    """For each of `weeks`: the plan's sessions (`names`) done in it and by its end.
    Marks for names outside the plan are ignored; marks before the first week count
    toward the cumulative number."""
    plan = set(names)
    per_week = Counter(week_of(day) for name, day in done.items() if name in plan)
    found: list[WeekPlan] = []
    cumulative = sum(n for week, n in per_week.items() if weeks and week < weeks[0])
    for week in weeks:
        cumulative += per_week.get(week, 0)
        found.append(WeekPlan(week, per_week.get(week, 0), cumulative, len(names)))
    return found


# --------------------------------------------------------------------- all at once


@dataclass(frozen=True)
class StoreProgress:
    totals: tuple[WeekTotals, ...] = ()
    effort: BackwardEffort = field(default_factory=BackwardEffort)

    @property
    def weeks(self) -> list[Week]:
        """The weeks with any session, oldest first."""
        return sorted({t.week for t in self.totals} | set(self.effort.by_week))


def read_progress(path: Path) -> StoreProgress:
    """Everything the progress charts need from the store at `path` (nothing if there
    is no store yet: none is created). Opens its own connection, so it can run on a
    worker thread; StoreError if the store cannot be read."""
    if not path.exists():
        return StoreProgress()
    conn = open_database(path)
    try:
        return StoreProgress(tuple(weekly_totals(conn)), backward_effort(conn))
    finally:
        conn.close()
