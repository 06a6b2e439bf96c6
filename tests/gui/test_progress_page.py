"""Progress over weeks: backward time per week, backward speed at a heart rate and the
plan's completion, for a known set of recorded sessions across weeks; read in the
background only once the page is shown."""

from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from recorded import record

from retrocoach.gui.progress_page import EMPTY_TEXT, ProgressPage, week_text
from retrocoach.record.progress import read_progress
from retrocoach.record.store import SessionStore
from retrocoach.workouts.profile import KMH_PER_MPH, Units
from retrocoach.workouts.progression import PROGRESSION

UTC = datetime.UTC
WEEK_A = datetime.date(2026, 11, 2)  # Mondays
WEEK_B = datetime.date(2026, 11, 9)  # no session this week
WEEK_C = datetime.date(2026, 11, 16)
TODAY = datetime.date(2026, 11, 19)  # a Thursday in week C


def noon(day: datetime.date) -> datetime.datetime:
    # Noon UTC midweek: the same ISO week in any time zone the tests run in.
    return datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=UTC)


WEDNESDAY_A = WEEK_A + datetime.timedelta(days=2)
FRIDAY_A = WEEK_A + datetime.timedelta(days=4)
WEDNESDAY_C = WEEK_C + datetime.timedelta(days=2)
NAMES = [w.name for w in PROGRESSION.sessions()]


@pytest.fixture(scope="module")
def recorded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Week A: 10 × 50 m (backward heart rate about 80 to 103 bpm) and the plan's first
    session (80 to 85 bpm); week B: nothing; week C: the plan's second session."""
    path = tmp_path_factory.mktemp("progress") / "sessions.sqlite"
    record("back-forth-50", path, started_at=noon(WEDNESDAY_A))
    record(NAMES[0], path, started_at=noon(FRIDAY_A))
    record(NAMES[1], path, started_at=noon(WEDNESDAY_C))
    return path


@pytest.fixture
def store_path(recorded_store: Path, tmp_path: Path) -> Path:
    path = tmp_path / "sessions.sqlite"
    source, target = sqlite3.connect(recorded_store), sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return path


def backward_minutes_by_week(path: Path) -> dict[datetime.date, float]:
    with SessionStore(path) as sessions:
        listed = sessions.list_sessions()
    found: dict[datetime.date, float] = {}
    for s in listed:
        day = s.started_at.astimezone().date()
        week = day - datetime.timedelta(days=day.weekday())
        found[week] = found.get(week, 0.0) + s.totals.backward_time_s / 60
    return found


def shown(
    qtbot: QtBot,
    path: Path,
    progress: dict[str, datetime.date] | None = None,
    **kwargs: object,
) -> ProgressPage:
    page = ProgressPage(path, progress, today=lambda: TODAY, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(page)
    page.resize(1280, 800)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show()
    return page


def bar_heights(plot: pg.PlotWidget) -> list[list[float]]:
    return [
        [float(h) for h in item.opts["height"]]
        for item in plot.getPlotItem().items
        if isinstance(item, pg.BarGraphItem)
    ]


def test_nothing_is_read_until_the_page_is_shown(qtbot: QtBot, store_path: Path) -> None:
    page = ProgressPage(store_path, {}, today=lambda: TODAY)
    qtbot.addWidget(page)
    assert page.data is None

    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show()

    assert page.data is not None and page.is_loaded
    assert page.stack.currentWidget() is page.charts


def test_backward_time_per_week_includes_the_empty_week(qtbot: QtBot, store_path: Path) -> None:
    page = shown(qtbot, store_path)
    expected = backward_minutes_by_week(store_path)

    assert page.weeks() == [WEEK_A, WEEK_B, WEEK_C]
    minutes = page.backward_minutes()
    assert minutes[WEEK_A] == pytest.approx(expected[WEEK_A])
    assert minutes[WEEK_B] == 0.0
    assert minutes[WEEK_C] == pytest.approx(expected[WEEK_C])
    # Two sessions in week A: 10 × 50 m (8½ min backwards) and the plan's first (3 min).
    assert 11 < minutes[WEEK_A] < 12
    # The chart draws those bars (a faint fill and its hatch), one per week.
    for heights in bar_heights(page.time_plot):
        assert heights == pytest.approx([minutes[w] for w in page.weeks()])
    assert f"Week of {week_text(WEEK_C)}" in page.time_note.text()


def test_backward_speed_at_the_suggested_heart_rate(qtbot: QtBot, store_path: Path) -> None:
    page = shown(qtbot, store_path)
    effort = read_progress(store_path).effort

    assert page.reference_hr == effort.suggested_hr()
    expected = {p.week: p.speed_kmh for p in effort.speed_at(page.reference_hr).points}
    # Both weeks with backward running can be compared at it.
    assert set(expected) == {WEEK_A, WEEK_C}
    assert page.speed_points() == pytest.approx(expected)
    (curve,) = [
        item for item in page.speed_plot.getPlotItem().items if isinstance(item, pg.PlotDataItem)
    ]
    x, y = curve.getData()
    assert list(x) == [0, 2]  # weeks A and C
    assert list(y) == pytest.approx([expected[WEEK_A], expected[WEEK_C]])
    assert "Every week" in page.speed_note.text()


def test_another_heart_rate_leaves_out_weeks_and_says_so(qtbot: QtBot, store_path: Path) -> None:
    page = shown(qtbot, store_path)

    # At 100 bpm only the 10 × 50 m session of week A went backwards that hard.
    page.hr_box.setValue(100)

    assert list(page.speed_points()) == [WEEK_A]
    assert page.left_out_weeks() == [WEEK_C]
    note = page.speed_note.text()
    assert f"Left out, the week of {week_text(WEEK_C)}" in note
    assert "± 5 bpm of 100" in note

    page.hr_box.setValue(200)
    assert page.speed_points() == {}
    assert "No week has a point at 200 bpm" in page.speed_note.text()


def test_the_heart_rate_box_takes_the_arrow_keys(qtbot: QtBot, store_path: Path) -> None:
    page = shown(qtbot, store_path)
    start = page.reference_hr
    page.hr_box.setFocus()
    qtbot.keyClick(page.hr_box, Qt.Key.Key_Up)
    assert page.reference_hr == start + 5
    # The person's choice stays when the store is read again.
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.refresh()
    assert page.reference_hr == start + 5


def test_the_plan_completion_per_week(qtbot: QtBot, store_path: Path) -> None:
    done = {NAMES[0]: FRIDAY_A, NAMES[1]: WEDNESDAY_C}
    page = shown(qtbot, store_path, done)

    weeks = page.plan_weeks()
    assert [(w.week, w.done, w.cumulative) for w in weeks] == [
        (WEEK_A, 1, 1),
        (WEEK_B, 0, 1),
        (WEEK_C, 1, 2),
    ]
    (heights,) = bar_heights(page.plan_plot)
    assert heights == pytest.approx([100 / 18, 100 / 18, 200 / 18])
    assert "2 of 18 sessions done (11%)" in page.plan_note.text()

    page.set_progress({**done, NAMES[2]: TODAY})

    assert [w.cumulative for w in page.plan_weeks()] == [1, 1, 3]
    assert "3 of 18" in page.plan_note.text()


def test_plan_marks_alone_make_weeks(qtbot: QtBot, tmp_path: Path) -> None:
    # Sessions marked done by hand, none recorded: the plan's chart still has its weeks.
    page = shown(qtbot, tmp_path / "none.sqlite", {NAMES[0]: WEDNESDAY_A})
    assert page.weeks() == [WEEK_A, WEEK_B, WEEK_C]
    assert page.backward_minutes() == {WEEK_A: 0.0, WEEK_B: 0.0, WEEK_C: 0.0}
    assert "No heart rate recorded while going backwards" in page.speed_note.text()
    assert not (tmp_path / "none.sqlite").exists()  # nothing was created


def test_without_any_session_the_page_says_what_will_appear(qtbot: QtBot, tmp_path: Path) -> None:
    page = shown(qtbot, tmp_path / "none.sqlite", {})
    assert page.stack.currentWidget() is page.message
    assert page.message.text() == EMPTY_TEXT


def test_sessions_without_a_strap_have_no_speed_at_a_heart_rate(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "sessions.sqlite"
    record(NAMES[0], path, started_at=noon(WEDNESDAY_C), with_strap=False)
    page = shown(qtbot, path)
    assert page.speed_points() == {}
    assert "wear the strap" in page.speed_note.text()
    assert page.backward_minutes()[WEEK_C] > 0


def test_a_session_recorded_meanwhile_is_read_when_the_page_is_shown_again(
    qtbot: QtBot, store_path: Path
) -> None:
    page = shown(qtbot, store_path)
    before = page.backward_minutes()[WEEK_B]
    page.hide()
    record(NAMES[2], store_path, started_at=noon(WEEK_B + datetime.timedelta(days=2)))

    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show()

    assert before == 0.0
    assert page.backward_minutes()[WEEK_B] == pytest.approx(
        backward_minutes_by_week(store_path)[WEEK_B]
    )


def test_speeds_in_miles_per_hour(qtbot: QtBot, store_path: Path) -> None:
    kmh = shown(qtbot, store_path)
    mph = shown(qtbot, store_path, units=Units.MPH)
    assert mph.reference_hr == kmh.reference_hr
    for week, speed in kmh.speed_points().items():
        assert mph.speed_points()[week] == pytest.approx(speed / KMH_PER_MPH)
    assert "mph" in mph.speed_plot.getPlotItem().getAxis("left").labelText
