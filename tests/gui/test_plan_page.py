"""The six-week plan: done sessions with their day, the next one highlighted and started
by the big button, any session can be started, and manual corrections are kept."""

from __future__ import annotations

import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from retrocoach.gui.plan_page import PlanPage
from retrocoach.userdata import UserData
from retrocoach.workouts.model import Workout
from retrocoach.workouts.progression import PROGRESSION

SESSIONS = PROGRESSION.sessions()
MONDAY = datetime.date(2025, 3, 3)


def make_page(qtbot: QtBot, user_data: UserData) -> PlanPage:
    page = PlanPage(user_data)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    return page


def record_chosen(page: PlanPage) -> list[Workout]:
    chosen: list[Workout] = []
    page.chosen.connect(chosen.append)
    return chosen


def test_a_fresh_start_offers_the_first_session(qtbot: QtBot, user_data: UserData) -> None:
    page = make_page(qtbot, user_data)
    chosen = record_chosen(page)

    assert "Next" in page.cell_text(SESSIONS[0].name)
    assert "Week 1, session 1" in page.start_next_button.text()
    assert all("Done" not in page.cell_text(w.name) for w in SESSIONS)

    qtbot.mouseClick(page.start_next_button, Qt.MouseButton.LeftButton)
    assert chosen == [SESSIONS[0]]


def test_done_sessions_show_their_day_and_the_next_one_is_marked(
    qtbot: QtBot, user_data: UserData
) -> None:
    user_data.mark_done(SESSIONS[0].name, MONDAY)
    user_data.mark_done(SESSIONS[1].name, MONDAY + datetime.timedelta(days=2))
    page = make_page(qtbot, user_data)
    chosen = record_chosen(page)

    assert "✓ Done Mon 3 Mar" in page.cell_text(SESSIONS[0].name)
    assert "✓ Done Wed 5 Mar" in page.cell_text(SESSIONS[1].name)
    assert "Next" in page.cell_text(SESSIONS[2].name)
    assert "Next" not in page.cell_text(SESSIONS[3].name)
    assert page.next_session() == SESSIONS[2]

    qtbot.mouseClick(page.start_next_button, Qt.MouseButton.LeftButton)
    assert chosen == [SESSIONS[2]]


def test_each_cell_says_how_long_the_session_is(qtbot: QtBot, user_data: UserData) -> None:
    page = make_page(qtbot, user_data)
    first, last = page.cell_text(SESSIONS[0].name), page.cell_text(SESSIONS[-1].name)
    assert "min ·" in first and "min back" in first
    # The progression grows: the last session has more backward minutes than the first.
    assert _back_minutes(last) > _back_minutes(first)


def test_refresh_picks_up_a_session_completed_meanwhile(qtbot: QtBot, user_data: UserData) -> None:
    page = make_page(qtbot, user_data)
    user_data.mark_done(SESSIONS[0].name, MONDAY)  # as the main window does

    page.refresh()

    assert "✓ Done" in page.cell_text(SESSIONS[0].name)
    assert "Week 1, session 2" in page.start_next_button.text()


def test_any_session_can_be_chosen(qtbot: QtBot, user_data: UserData) -> None:
    page = make_page(qtbot, user_data)
    chosen = record_chosen(page)
    cell = page.findChild(QPushButton, f"session-{SESSIONS[10].name}")
    assert cell is not None

    qtbot.mouseClick(cell, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.start_selected_button, Qt.MouseButton.LeftButton)

    assert chosen == [SESSIONS[10]]


def test_mark_done_and_not_done_correct_the_record(qtbot: QtBot, user_data: UserData) -> None:
    page = make_page(qtbot, user_data)
    page.select(SESSIONS[0].name)
    assert not page.not_done_button.isEnabled()

    qtbot.mouseClick(page.mark_done_button, Qt.MouseButton.LeftButton)

    assert UserData(user_data.root).progress() == {SESSIONS[0].name: datetime.date.today()}
    assert "✓ Done" in page.cell_text(SESSIONS[0].name)
    assert "Next" in page.cell_text(SESSIONS[1].name)
    assert page.not_done_button.isEnabled() and not page.mark_done_button.isEnabled()

    qtbot.mouseClick(page.not_done_button, Qt.MouseButton.LeftButton)

    assert UserData(user_data.root).progress() == {}
    assert "Next" in page.cell_text(SESSIONS[0].name)


def test_when_everything_is_done_there_is_no_next_session(
    qtbot: QtBot, user_data: UserData
) -> None:
    for workout in SESSIONS:
        user_data.mark_done(workout.name, MONDAY)
    page = make_page(qtbot, user_data)
    chosen = record_chosen(page)

    assert not page.start_next_button.isEnabled()
    assert "All sessions done" in page.start_next_button.text()
    qtbot.mouseClick(page.start_next_button, Qt.MouseButton.LeftButton)
    assert chosen == []


def test_a_mark_that_cannot_be_written_is_said(qtbot: QtBot, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("", encoding="utf-8")
    user_data = UserData(blocker / "retrocoach")
    page = make_page(qtbot, user_data)

    qtbot.mouseClick(page.mark_done_button, Qt.MouseButton.LeftButton)

    assert str(user_data.root) in _problem_text(page)
    assert "Done" not in page.cell_text(SESSIONS[0].name)


def _back_minutes(cell_text: str) -> int:
    return int(cell_text.split("·")[1].split("min")[0])


def _problem_text(page: PlanPage) -> str:
    shown = [
        label.text()
        for label in page.findChildren(QLabel)
        if label.property("role") == "fieldProblem" and label.isVisible()
    ]
    return "\n".join(shown)
