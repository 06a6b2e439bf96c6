"""The history: recorded sessions listed newest first with their totals, interrupted ones
marked, a session's detail (charts with the backward laps hatched, the segment table,
export), deleting, and a thousand sessions."""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from recorded import record

from retrocoach.gui.history_page import COLUMN, EMPTY_TEXT, HistoryPage, short_when_text
from retrocoach.gui.main_window import load_theme
from retrocoach.gui.session_detail import SessionDetail, backward_laps, lap_name
from retrocoach.record.session import LapKind, SessionState, SessionSummary
from retrocoach.record.store import SessionStore, utc_now
from retrocoach.userdata import Theme
from retrocoach.workouts.model import format_duration

UTC = datetime.UTC
FIRST = datetime.datetime(2026, 10, 5, 7, 30, tzinfo=UTC)
SECOND = FIRST + datetime.timedelta(days=2)
THIRD = FIRST + datetime.timedelta(days=9)  # interrupted
STRAP_LOST_AT, STRAP_BACK_AT = 500.0, 560.0


# ------------------------------------------------------------------ the data


def record_interrupted(path: Path, started_at: datetime.datetime, until: float) -> None:
    """A session whose app died at `until`: written so far, then found and closed as
    interrupted at the next start."""
    recorder = record("back-forth-50", path, started_at=started_at, until=until)
    assert recorder.writer is not None
    recorder.writer.close()  # the thread stops; the row still says "recording"
    with SessionStore(path) as sessions:
        sessions.recover_interrupted(now=utc_now() + datetime.timedelta(hours=1))


def copy_session(conn: sqlite3.Connection, source: int, started_at: datetime.datetime) -> int:
    """Another session like `source` (samples, events and gaps too) at another time, in
    SQL: many sessions quickly."""
    columns = (
        "workout_name, workout_title, workout_toml, profile_json, treadmill, hrm, state, "
        "end_reason, duration_s, distance_m, backward_time_s, backward_distance_m, avg_hr, "
        "max_hr"
    )
    new = conn.execute(
        f"INSERT INTO sessions (started_at, {columns}) SELECT ?, {columns} FROM sessions "
        "WHERE id = ?",
        (started_at.isoformat(), source),
    ).lastrowid
    assert new is not None
    conn.execute(
        "INSERT INTO samples SELECT ?, t, speed_kmh, incline_pct, distance_m, hr_bpm, rr_ms, "
        "direction, segment FROM samples WHERE session_id = ?",
        (new, source),
    )
    conn.execute(
        "INSERT INTO events SELECT ?, seq, t, event, data FROM events WHERE session_id = ?",
        (new, source),
    )
    conn.execute(
        "INSERT INTO device_gaps SELECT ?, role, start_t, end_t, state FROM device_gaps "
        "WHERE session_id = ?",
        (new, source),
    )
    return new


@pytest.fixture(scope="module")
def recorded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three sessions, recorded once for the module: a finished one, one during which
    the strap was lost for a minute, and an interrupted one."""
    path = tmp_path_factory.mktemp("recorded") / "sessions.sqlite"
    record("back-forth-50", path, started_at=FIRST)
    record(
        "back-forth-50",
        path,
        started_at=SECOND,
        actions={
            STRAP_LOST_AT: lambda s, t: s.strap.drop_link(t),
            STRAP_BACK_AT: lambda s, t: s.strap.restore_link(t),
        },
    )
    record_interrupted(path, THIRD, until=900.0)
    return path


@pytest.fixture
def store_path(recorded_store: Path, tmp_path: Path) -> Path:
    """A copy of the recorded sessions each test may change."""
    path = tmp_path / "sessions.sqlite"
    source = sqlite3.connect(recorded_store)
    target = sqlite3.connect(path)
    try:
        source.backup(target)  # the WAL's pages too, which a file copy would miss
    finally:
        source.close()
        target.close()
    return path


def summaries(path: Path) -> list[SessionSummary]:
    with SessionStore(path) as sessions:
        return sessions.list_sessions()


class AnsweredHistory(HistoryPage):
    """The history with its dialogs answered by the test."""

    answer = True

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.asked: list[str] = []
        self.told: list[str] = []
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def confirm(self, text: str) -> bool:
        self.asked.append(text)
        return self.answer

    def tell(self, title: str, text: str) -> None:
        self.told.append(f"{title}\n{text}")


class AnsweredDetail(SessionDetail):
    """The detail with the export's file dialog answered by the test."""

    export_to: Path | None = None

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.told: list[str] = []
        self.suggested: list[Path] = []
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def ask_export_path(self, suffix: str, suggested: Path) -> Path | None:
        self.suggested.append(suggested)
        return self.export_to

    def tell(self, title: str, text: str) -> None:
        self.told.append(f"{title}\n{text}")


@pytest.fixture
def page(
    qtbot: QtBot, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AnsweredHistory]:
    # The detail built by the page answers its dialogs too.
    monkeypatch.setattr("retrocoach.gui.session_detail.SessionDetail", AnsweredDetail)
    widget = AnsweredHistory(store_path)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close_store()


def detail_of(page: HistoryPage) -> AnsweredDetail:
    assert page.detail is not None and page.showing_detail()
    assert isinstance(page.detail, AnsweredDetail)
    return page.detail


# ------------------------------------------------------------------ the list


def test_sessions_are_listed_newest_first_with_their_totals(page: AnsweredHistory) -> None:
    listed = summaries(page.store_path)
    assert page.session_ids() == [s.id for s in listed]
    assert [s.started_at for s in listed] == [THIRD, SECOND, FIRST]

    for row, summary in enumerate(listed):
        t = summary.totals
        texts = page.row_texts(row)
        assert texts["date"] == short_when_text(summary.started_at, page.model.this_year)
        assert texts["workout"] == "10 × 50 m back / 50 m forward"
        assert texts["time"] == format_duration(t.duration_s)
        assert texts["distance"] == f"{t.distance_m / 1000:.2f} km"
        assert texts["back_time"] == format_duration(t.backward_time_s)
        assert texts["back_distance"] == f"{t.backward_distance_m / 1000:.2f} km"
        assert t.avg_hr is not None and t.max_hr is not None
        assert texts["avg_hr"] == f"{t.avg_hr:.0f}"
        assert texts["max_hr"] == str(t.max_hr)

    # The finished session: a whole back-forth-50, about half an hour, 8½ min backwards.
    finished = page.row_texts(2)
    assert finished["state"] == "✓ Completed"
    assert finished["runner"] == "Runner"  # the profile's name: gym mode keeps several
    assert page.table.isColumnHidden(COLUMN["runner"])  # one runner: no room taken
    assert finished["time"].startswith("30:")
    assert finished["back_time"].startswith("8:")


def test_an_interrupted_session_is_marked_in_words_and_colour(page: AnsweredHistory) -> None:
    texts = page.row_texts(0)
    assert texts["state"] == "⚠ Interrupted"
    # It ran 15 minutes before the app died, and its totals say so.
    assert texts["time"] == "15:00"
    marked = page.model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole)
    plain = page.model.index(1, 0).data(Qt.ItemDataRole.BackgroundRole)
    assert marked is not None and plain is None
    assert "kept as far as it was recorded" in page.model.index(0, COLUMN["state"]).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert "1 interrupted" in page.overview.text()
    assert "3 sessions" in page.overview.text()


def test_the_list_says_what_will_appear_before_any_session(qtbot: QtBot, tmp_path: Path) -> None:
    page = HistoryPage(tmp_path / "new" / "sessions.sqlite")
    qtbot.addWidget(page)
    page.show()

    assert page.list_stack.currentWidget() is page.empty
    assert page.empty.text() == EMPTY_TEXT
    assert "No sessions yet" in page.empty.text()
    assert not page.open_button.isEnabled()
    assert not page.delete_button.isEnabled()
    page.close_store()


def test_a_session_recorded_meanwhile_appears_when_the_page_is_shown_again(
    qtbot: QtBot, page: AnsweredHistory
) -> None:
    page.hide()
    later = THIRD + datetime.timedelta(days=1)
    record("beginner-w1-s1", page.store_path, started_at=later)

    page.show()

    assert page.model.rowCount() == 4
    assert page.row_texts(0)["workout"] == "Beginner week 1, session 1"


def test_a_column_heading_sorts_the_list(qtbot: QtBot, page: AnsweredHistory) -> None:
    header = page.table.horizontalHeader()
    time_column = 2
    where = QPoint(header.sectionViewportPosition(time_column) + 10, header.height() // 2)

    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)

    assert header.sortIndicatorSection() == time_column
    times = [page.model.summary(row).totals.duration_s for row in range(3)]
    ascending = header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    assert times == sorted(times, reverse=not ascending)

    page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert page.row_texts(0)["state"] == "⚠ Interrupted"


# ---------------------------------------------------------------- the detail


def test_enter_opens_the_detail_with_charts_hatched_for_each_backward_lap(
    qtbot: QtBot, page: AnsweredHistory
) -> None:
    opened: list[int] = []
    page.opened.connect(opened.append)
    finished = summaries(page.store_path)[2]
    page.select(finished.id)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)

    detail = detail_of(page)
    assert opened == [finished.id]
    with SessionStore(page.store_path) as sessions:
        session = sessions.load(finished.id)
    backward = backward_laps(session)
    assert len(backward) == 12  # a walk, a jog and ten 50 m stretches

    # Every chart has one hatched region per backward lap, where the lap was.
    assert detail.regions_per_chart() == [12, 12, 12]
    for (low, high), lap in zip(detail.backward_regions(), backward, strict=True):
        assert low == pytest.approx(lap.start_t / 60)
        assert high == pytest.approx(lap.end_t / 60)
    # The curves hold every sample, and the legend says what the hatching means.
    for curve in (detail.hr_curve, detail.speed_curve, detail.incline_curve):
        x, _ = curve.getOriginalDataset()
        assert x is not None and len(x) == len(session.samples)
    words = detail.findChild(type(detail.title), "detailLegend_backward")
    assert words is not None and words.isVisibleTo(detail)
    assert "Backward" in words.text()
    assert detail.title.text() == finished.workout_title
    assert detail.facts["time"].text() == format_duration(finished.totals.duration_s)


def test_the_segment_table_matches_the_laps(qtbot: QtBot, page: AnsweredHistory) -> None:
    finished = summaries(page.store_path)[2]
    assert page.open_session(finished.id)
    detail = detail_of(page)
    with SessionStore(page.store_path) as sessions:
        laps = sessions.load(finished.id).laps

    rows = detail.lap_rows()

    assert len(rows) == len(laps)
    for n, (row, lap) in enumerate(zip(rows, laps, strict=True), start=1):
        assert row["number"] == str(n)
        assert row["name"] == lap_name(lap)
        assert row["time"] == format_duration(lap.elapsed_s)
        assert row["distance"] == f"{lap.distance_m:.0f} m"
        assert row["speed"] == f"{lap.avg_speed_kmh:.1f} km/h"
        assert row["avg_hr"] == (f"{lap.avg_hr:.0f}" if lap.avg_hr is not None else "–")
        assert row["max_hr"] == (str(lap.max_hr) if lap.max_hr is not None else "–")
    # Direction in words on every row: forward, backward or the turn toward one.
    assert rows[0]["name"] == "Forward: Warm-up walk"
    assert rows[2]["name"] == "Turn around to backward"
    assert rows[2]["end"] == "turned"
    assert all("backward" in r["name"].lower() or "forward" in r["name"].lower() for r in rows)
    assert [lap.kind for lap in laps].count(LapKind.TURN) == sum(
        1 for r in rows if r["name"].startswith("Turn around")
    )


def test_a_double_click_opens_and_back_returns_to_the_list(
    qtbot: QtBot, page: AnsweredHistory
) -> None:
    index = page.model.index(1, COLUMN["workout"])
    rect = page.table.visualRect(index)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    detail = detail_of(page)

    qtbot.mouseClick(detail.back_button, Qt.MouseButton.LeftButton)

    assert page.stack.currentWidget() is page.list_view
    assert page.selected_id() == page.session_ids()[1]


def test_a_lost_strap_shows_as_a_gap_in_the_charts(qtbot: QtBot, page: AnsweredHistory) -> None:
    with_gap = summaries(page.store_path)[1]
    assert page.open_session(with_gap.id)
    detail = detail_of(page)

    (gap,) = detail.gap_regions()
    assert gap[0] == pytest.approx(STRAP_LOST_AT / 60, abs=0.2)
    assert gap[1] == pytest.approx(STRAP_BACK_AT / 60, abs=0.2)
    words = detail.findChild(type(detail.title), "detailLegend_gap")
    assert words is not None and words.isVisibleTo(detail)
    assert words.text() == "No data: heart-rate strap lost"


def test_selecting_a_segment_marks_it_in_the_charts(qtbot: QtBot, page: AnsweredHistory) -> None:
    finished = summaries(page.store_path)[2]
    assert page.open_session(finished.id)
    detail = detail_of(page)
    lap = detail.lap_model.lap(3)

    detail.laps_table.selectRow(3)

    for item in detail._highlights:
        assert item.isVisible()
        low, high = item.getRegion()
        assert (low, high) == pytest.approx((lap.start_t / 60, lap.end_t / 60))


@pytest.mark.parametrize("suffix", [".fit", ".tcx", ".csv"])
def test_export_writes_the_file(
    qtbot: QtBot, page: AnsweredHistory, tmp_path: Path, suffix: str
) -> None:
    finished = summaries(page.store_path)[2]
    assert page.open_session(finished.id)
    detail = detail_of(page)
    target = tmp_path / "out" / f"session{suffix}"
    target.parent.mkdir()
    detail.export_to = target

    qtbot.mouseClick(detail.export_buttons[suffix], Qt.MouseButton.LeftButton)

    assert detail.told == []
    assert target.exists() and target.stat().st_size > 0
    assert str(target) in detail.message.text()
    # The suggested name says the day and the workout, with the format's suffix.
    assert detail.suggested[-1].name.endswith(f"-back-forth-50{suffix}")


def test_an_export_that_fails_is_told_and_a_cancel_does_nothing(
    qtbot: QtBot, page: AnsweredHistory, tmp_path: Path
) -> None:
    assert page.open_session(page.session_ids()[2])
    detail = detail_of(page)

    detail.export_to = None  # cancelled
    qtbot.mouseClick(detail.export_buttons[".csv"], Qt.MouseButton.LeftButton)
    assert detail.told == [] and detail.message.text() == ""

    detail.export_to = tmp_path / "no such folder" / "session.csv"
    qtbot.mouseClick(detail.export_buttons[".csv"], Qt.MouseButton.LeftButton)
    assert len(detail.told) == 1
    assert "could not be exported" in detail.told[0]
    assert not detail.export_to.exists()


def test_the_detail_follows_the_theme(qtbot: QtBot, page: AnsweredHistory) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.styleSheet()
    try:
        app.setStyleSheet(load_theme(Theme.DARK))
        assert page.open_session(page.session_ids()[2])
        detail = detail_of(page)
        assert detail._current_colours().theme == "dark"
        app.setStyleSheet(load_theme(Theme.LIGHT))
        qtbot.waitUntil(lambda: detail._current_colours().theme == "light")
    finally:
        app.setStyleSheet(before)


# ------------------------------------------------------------------ deleting


def test_delete_asks_then_removes_the_row_and_the_data(qtbot: QtBot, page: AnsweredHistory) -> None:
    deleted: list[int] = []
    page.deleted.connect(deleted.append)
    victim = page.session_ids()[1]
    page.select(victim)

    page.answer = False
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert len(page.asked) == 1 and "10 × 50 m back / 50 m forward" in page.asked[0]
    assert victim in page.session_ids()

    page.answer = True
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)

    assert victim not in page.session_ids()
    assert page.model.rowCount() == 2
    assert deleted == [victim]
    assert victim not in [s.id for s in summaries(page.store_path)]
    conn = sqlite3.connect(page.store_path)
    try:
        for table in ("samples", "events", "device_gaps"):
            count = conn.execute(
                f"SELECT COUNT(*) FROM {table} WHERE session_id = ?", (victim,)
            ).fetchone()[0]
            assert count == 0, table
    finally:
        conn.close()
    # The next session is selected, ready for another Delete.
    assert page.selected_id() == page.session_ids()[1]


def test_deleting_the_last_session_shows_the_empty_state(
    qtbot: QtBot, page: AnsweredHistory
) -> None:
    for _ in range(3):
        page.delete_selected()
    assert page.model.rowCount() == 0
    assert page.list_stack.currentWidget() is page.empty
    assert not page.delete_button.isEnabled()


def test_a_session_being_recorded_cannot_be_deleted(qtbot: QtBot, page: AnsweredHistory) -> None:
    recorder = record("back-forth-50", page.store_path, started_at=THIRD, until=120.0)
    try:
        # The writer's thread commits within half a second.
        qtbot.waitUntil(
            lambda: any(s.state is SessionState.RECORDING for s in summaries(page.store_path))
        )
        page.refresh()
        recording = next(s for s in summaries(page.store_path) if s.state is SessionState.RECORDING)
        assert page.row_texts(page.session_ids().index(recording.id))["state"] == "● Recording"
        page.select(recording.id)

        page.delete_selected()

        assert page.asked == []
        assert "being recorded" in page.told[0]
        assert recording.id in page.session_ids()
    finally:
        assert recorder.writer is not None
        recorder.writer.close()


# ------------------------------------------------------------- many sessions


def test_a_thousand_sessions_are_listed_newest_first(qtbot: QtBot, store_path: Path) -> None:
    source = summaries(store_path)[-1].id
    conn = sqlite3.connect(store_path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for day in range(997):
            moment = FIRST - datetime.timedelta(days=day + 1, hours=day % 5)
            # Sessions rows only: the list must not need samples.
            conn.execute(
                "INSERT INTO sessions (started_at, workout_name, workout_title, profile_json, "
                "treadmill, state, end_reason, duration_s, distance_m, backward_time_s, "
                "backward_distance_m, avg_hr, max_hr) SELECT ?, workout_name, workout_title, "
                "profile_json, treadmill, state, end_reason, duration_s, distance_m, "
                "backward_time_s, backward_distance_m, avg_hr, max_hr FROM sessions WHERE id = ?",
                (moment.isoformat(), source),
            )
        conn.execute("COMMIT")
    finally:
        conn.close()

    page = HistoryPage(store_path)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()

    assert page.model.rowCount() == 1000
    listed = summaries(store_path)
    assert page.session_ids() == [s.id for s in listed]
    assert page.session_ids()[:3] == [s.id for s in listed[:3]]
    starts = [s.started_at for s in listed]
    assert starts == sorted(starts, reverse=True)
    page.close_store()


def test_copies_of_a_session_read_like_it(store_path: Path) -> None:
    """The helper the timing in the report used: a copy is the same session elsewhere."""
    source = summaries(store_path)[-1]
    conn = sqlite3.connect(store_path, isolation_level=None)
    try:
        copy = copy_session(conn, source.id, FIRST - datetime.timedelta(days=30))
    finally:
        conn.close()
    with SessionStore(store_path) as sessions:
        original, copied = sessions.load(source.id), sessions.load(copy)
    assert copied.summary.totals == original.summary.totals
    assert copied.laps == original.laps
    assert len(copied.samples) == len(original.samples)
