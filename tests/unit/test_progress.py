"""Progress over weeks (record/progress.py): weekly backward time, backward speed at a
heart rate and the plan's completion, on sessions written with known values, and on a
real recorded one."""

from __future__ import annotations

import datetime
import json
import math
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from recorded import record

from retrocoach.record.progress import (
    MIN_SAMPLES,
    BackwardEffort,
    backward_effort,
    backward_spans,
    plan_completion,
    read_progress,
    week_of,
    week_span,
    weekly_totals,
    weighted_median,
)
from retrocoach.record.session import LapKind
from retrocoach.record.store import SessionStore, open_database
from retrocoach.workouts.progression import PROGRESSION

UTC = datetime.UTC
# Wednesdays at noon UTC: the same ISO week in every time zone the tests may run in.
WEEK_1 = datetime.datetime(2026, 11, 4, 12, 0, tzinfo=UTC)  # week of Monday 2 Nov
WEEK_2 = WEEK_1 + datetime.timedelta(days=7)
WEEK_4 = WEEK_1 + datetime.timedelta(days=21)
MONDAY_1 = datetime.date(2026, 11, 2)


@dataclass(frozen=True)
class Part:
    """One segment of a written session: every second at one speed and heart rate."""

    direction: str
    seconds: int
    speed_kmh: float
    hr_bpm: int | None


TURN_S = 10  # a turn-around between directions: the old direction, at 3 km/h


def write_session(
    conn: sqlite3.Connection,
    started_at: datetime.datetime,
    parts: list[Part],
    *,
    ended: bool = True,
    recording: bool = False,
) -> int:
    """A session as the recorder leaves it (events and one sample a second), with
    turn-arounds between directions whose samples keep the old direction (as the
    engine's do) and a heart rate near the backward one, so they would skew the speed
    if they were counted."""
    conn.execute("BEGIN")
    session_id = conn.execute(
        "INSERT INTO sessions (started_at, workout_name, workout_title, profile_json, "
        "treadmill, state, end_reason, duration_s, backward_time_s, backward_distance_m) "
        "VALUES (?, 'written', 'Written', '{}', 'sim', ?, ?, ?, ?, ?)",
        (
            started_at.isoformat(),
            "recording" if recording else "finished" if ended else "interrupted",
            "completed" if ended else None,
            None if recording else float(sum(p.seconds for p in parts)),
            None
            if recording
            else float(sum(p.seconds for p in parts if p.direction == "backward")),
            None
            if recording
            else sum(p.seconds * p.speed_kmh / 3.6 for p in parts if p.direction == "backward"),
        ),
    ).lastrowid
    seq = 0
    t = 0.0
    distance = 0.0

    def event(record: dict[str, object]) -> None:
        nonlocal seq
        seq += 1
        conn.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?)",
            (session_id, seq, record["t"], record["event"], json.dumps(record)),
        )

    def sample(speed: float, hr: int | None, direction: str, segment: int) -> None:
        nonlocal t, distance
        t += 1
        distance += speed / 3.6
        conn.execute(
            "INSERT INTO samples VALUES (?, ?, ?, 0, ?, ?, NULL, ?, ?)",
            (session_id, t, speed, distance, hr, direction, segment),
        )

    for index, part in enumerate(parts):
        if index and parts[index - 1].direction != part.direction:
            before = parts[index - 1]
            for _ in range(TURN_S):
                sample(3.0, before.hr_bpm, before.direction, index)
        event(
            {
                "t": t,
                "event": "segment_start",
                "index": index,
                "direction": part.direction,
                "label": "x",
            }
        )
        for _ in range(part.seconds):
            sample(part.speed_kmh, part.hr_bpm, part.direction, index)
        if ended or index + 1 < len(parts):
            event({"t": t, "event": "segment_end", "index": index, "reason": "completed"})
    if ended:
        event({"t": t, "event": "session_end", "reason": "completed"})
    conn.execute("COMMIT")
    assert session_id is not None
    return session_id


@pytest.fixture
def store(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = open_database(tmp_path / "sessions.sqlite")
    yield conn
    conn.close()


# ------------------------------------------------------------------------ weeks


def test_a_week_starts_on_monday_and_counts_in_local_time() -> None:
    assert week_of(datetime.date(2026, 11, 8)) == MONDAY_1  # Sunday
    assert week_of(datetime.date(2026, 11, 9)) == MONDAY_1 + datetime.timedelta(days=7)
    assert week_of(WEEK_1) == MONDAY_1
    # An aware moment is placed by the local day it fell on.
    late = datetime.datetime(2026, 11, 8, 23, 30, tzinfo=UTC)
    assert week_of(late) == week_of(late.astimezone().date())


def test_a_span_of_weeks_includes_the_empty_ones() -> None:
    weeks = week_span(MONDAY_1, MONDAY_1 + datetime.timedelta(days=21))
    assert weeks == [MONDAY_1 + datetime.timedelta(days=7 * n) for n in range(4)]
    assert week_span(MONDAY_1, MONDAY_1 - datetime.timedelta(days=7)) == []


# ------------------------------------------------------------------ weekly totals


def test_weekly_totals_add_the_sessions_of_each_week(store: sqlite3.Connection) -> None:
    write_session(store, WEEK_1, [Part("forward", 100, 5.0, 100), Part("backward", 60, 4.0, 120)])
    write_session(
        store,
        WEEK_1 + datetime.timedelta(days=2),
        [Part("backward", 90, 4.0, 120), Part("forward", 30, 5.0, 110)],
    )
    write_session(store, WEEK_4, [Part("backward", 30, 4.0, 120)])
    write_session(store, WEEK_4, [Part("backward", 45, 4.0, 120)], recording=True)

    totals = weekly_totals(store)

    assert [t.week for t in totals] == [MONDAY_1, MONDAY_1 + datetime.timedelta(days=21)]
    first, last = totals
    assert first.sessions == 2
    assert first.backward_time_s == 150
    assert first.time_s == 280
    assert first.backward_distance_m == pytest.approx(150 * 4.0 / 3.6)
    # A session still being written has no totals yet: it counts as a session only.
    assert last.sessions == 2
    assert last.backward_time_s == 30


# ------------------------------------------------------- speed at a heart rate


def test_the_speed_is_the_weekly_median_near_the_heart_rate(store: sqlite3.Connection) -> None:
    write_session(
        store,
        WEEK_1,
        [
            Part("forward", 120, 6.0, 130),  # forward: never counted
            Part("backward", 120, 4.0, 130),
            Part("forward", 60, 6.0, 130),
            Part("backward", 100, 5.0, 133),
        ],
    )
    # Another session in the same week, far from 130 bpm: outside the window.
    write_session(store, WEEK_1, [Part("backward", 300, 7.0, 160)])
    write_session(store, WEEK_2, [Part("backward", 100, 5.5, 128)])

    effort = backward_effort(store)
    result = effort.speed_at(130)

    assert [(p.week, p.speed_kmh, p.samples) for p in result.points] == [
        (MONDAY_1, 4.0, 220),  # 120 s at 4.0 and 100 s at 5.0: the median is 4.0
        (MONDAY_1 + datetime.timedelta(days=7), 5.5, 100),
    ]
    assert result.left_out == ()
    # At 160 bpm only the first week has backward running near it.
    high = effort.speed_at(160)
    assert [(p.week, p.speed_kmh) for p in high.points] == [(MONDAY_1, 7.0)]
    assert [(w.week, w.samples) for w in high.left_out] == [
        (MONDAY_1 + datetime.timedelta(days=7), 0)
    ]


def test_turn_arounds_pauses_and_missing_heart_rate_are_not_counted(
    store: sqlite3.Connection,
) -> None:
    write_session(
        store,
        WEEK_1,
        [
            Part("backward", 100, 4.0, 130),
            # Its turn-around's 10 samples say backward, 3 km/h, 130 bpm: left out.
            Part("forward", 50, 6.0, 130),
            Part("backward", 40, 0.0, 130),  # a pause: the belt stood
            Part("backward", 30, 4.5, None),  # no strap
        ],
    )
    effort = backward_effort(store)
    assert effort.seconds() == 100
    assert effort.by_week[MONDAY_1] == {(130, 4.0): 100}


def test_weeks_with_too_few_seconds_are_left_out_and_listed(store: sqlite3.Connection) -> None:
    write_session(store, WEEK_1, [Part("backward", MIN_SAMPLES, 4.0, 130)])
    write_session(store, WEEK_2, [Part("backward", MIN_SAMPLES - 1, 4.4, 130)])

    result = backward_effort(store).speed_at(130)

    assert [p.week for p in result.points] == [MONDAY_1]
    assert [(w.week, w.samples) for w in result.left_out] == [
        (MONDAY_1 + datetime.timedelta(days=7), MIN_SAMPLES - 1)
    ]
    assert math.isnan(result.left_out[0].speed_kmh)


def test_the_tolerance_is_either_side_of_the_heart_rate(store: sqlite3.Connection) -> None:
    write_session(
        store,
        WEEK_1,
        [
            Part("backward", 60, 4.0, 125),
            Part("backward", 60, 5.0, 135),
            Part("backward", 60, 6.0, 136),
        ],
    )
    result = backward_effort(store).speed_at(130, tolerance=5)
    assert result.points[0].samples == 120
    assert result.points[0].speed_kmh == pytest.approx(4.5)  # even count: the two middle


def test_an_interrupted_session_counts_up_to_its_last_sample(store: sqlite3.Connection) -> None:
    write_session(
        store, WEEK_1, [Part("forward", 30, 6.0, 120), Part("backward", 80, 4.2, 130)], ended=False
    )
    spans = backward_spans(store)
    (only,) = spans.values()
    assert only == [(40.0, math.inf)]  # 30 s forward + the turn's 10
    assert backward_effort(store).by_week[MONDAY_1] == {(130, 4.2): 80}


def test_the_suggested_heart_rate_compares_the_most_weeks() -> None:
    effort = BackwardEffort(
        {
            MONDAY_1: {(120, 4.0): 200, (150, 6.0): 500},
            MONDAY_1 + datetime.timedelta(days=7): {(121, 4.2): 200},
            MONDAY_1 + datetime.timedelta(days=14): {(119, 4.3): 200, (151, 6.1): 50},
        }
    )
    # 150 bpm has the most seconds, but 120 bpm is in every week.
    assert effort.suggested_hr() == 120
    assert BackwardEffort().suggested_hr() is None


def test_weighted_median() -> None:
    assert weighted_median([(5.0, 1)]) == 5.0
    assert weighted_median([(3.0, 2), (4.0, 1)]) == 3.0
    assert weighted_median([(3.0, 1), (4.0, 1)]) == 3.5
    assert weighted_median([(6.0, 3), (1.0, 1), (2.0, 0)]) == 6.0
    assert math.isnan(weighted_median([]))


def test_a_recorded_session_counts_the_seconds_of_its_backward_segments(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite"
    record("back-forth-50", path, started_at=WEEK_1)
    with SessionStore(path) as sessions:
        session = sessions.load(sessions.list_sessions()[0].id)
    backward = [
        lap for lap in session.laps if lap.kind is LapKind.SEGMENT and lap.direction == "backward"
    ]
    expected = sum(
        1
        for lap in backward
        for s in session.samples
        if lap.start_t < s.t <= lap.end_t and s.hr_bpm is not None and s.speed_kmh > 0
    )

    progress = read_progress(path)

    assert progress.effort.seconds() == expected
    assert progress.weeks == [MONDAY_1]
    hr = progress.effort.suggested_hr()
    assert hr is not None
    (point,) = progress.effort.speed_at(hr).points
    # The backward segments of back-forth-50 run at 2.8 to 5.7 km/h.
    assert 2.8 <= point.speed_kmh <= 5.7
    assert progress.totals[0].backward_time_s == pytest.approx(
        session.summary.totals.backward_time_s
    )


def test_no_store_yet_means_no_progress_and_no_file(tmp_path: Path) -> None:
    path = tmp_path / "nothing" / "sessions.sqlite"
    progress = read_progress(path)
    assert progress.weeks == []
    assert progress.effort.seconds() == 0
    assert not path.exists()


# ---------------------------------------------------------------- the plan


def test_plan_completion_per_week_and_cumulative() -> None:
    names = [w.name for w in PROGRESSION.sessions()]
    done = {
        names[0]: datetime.date(2026, 10, 28),  # the week before the first one shown
        names[1]: datetime.date(2026, 11, 2),
        names[2]: datetime.date(2026, 11, 4),
        names[3]: datetime.date(2026, 11, 18),
        "not-in-the-plan": datetime.date(2026, 11, 4),
    }
    weeks = week_span(MONDAY_1, MONDAY_1 + datetime.timedelta(days=21))

    found = plan_completion(done, names, weeks)

    assert [(w.done, w.cumulative) for w in found] == [(2, 3), (0, 3), (1, 4), (0, 4)]
    assert found[-1].total == 18
    assert found[-1].share == pytest.approx(4 / 18)
