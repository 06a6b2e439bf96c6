"""The six-week beginner progression: what is done (and when), what is next, and a way
to start any session or correct what is marked done.

The page only reads progress and marks it on request; the main window marks a session
done when it completes (`UserData.mark_done`) and then calls `refresh()`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from retrocoach.coach.plan import PlanError, SpeedLimits, build_plan, estimate
from retrocoach.userdata import UserData
from retrocoach.workouts.model import Workout
from retrocoach.workouts.profile import RunnerProfile
from retrocoach.workouts.progression import PROGRESSION, Progression

BEGINNER_NOTE = (
    "New to going backwards? Walk backwards first, holding the side rails, and let the "
    "sessions grow slowly: one every other day, and repeat a session if it felt hard."
)


@dataclass(frozen=True)
class _Session:
    week: int
    number: int
    workout: Workout
    duration_s: float | None  # None when it cannot be planned for this profile
    backward_s: float | None


class PlanPage(QWidget):
    """The progression as a grid of weeks × sessions, with the next one to start."""

    chosen = Signal(Workout)

    def __init__(
        self,
        user_data: UserData,
        parent: QWidget | None = None,
        progression: Progression = PROGRESSION,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("planPage")
        self._user_data = user_data
        self._progression = progression
        self._sessions: list[_Session] = []
        self._cells: dict[str, QPushButton] = {}
        self._done: dict[str, datetime.date] = {}
        self._next: Workout | None = None
        self._selected: str | None = None

        title = QLabel(progression.title)
        title.setObjectName("planTitle")
        description = QLabel(progression.description)
        description.setWordWrap(True)
        note = QLabel(BEGINNER_NOTE)
        note.setObjectName("planBeginnerNote")
        note.setWordWrap(True)

        self._cell_group = QButtonGroup(self)
        self._cell_group.setExclusive(True)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        for number in range(1, progression.sessions_per_week + 1):
            header = QLabel(f"Session {number}")
            header.setProperty("role", "formHint")
            header.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(header, 0, number)
        for week_no, week in enumerate(progression.weeks, start=1):
            week_label = QLabel(f"Week {week_no}")
            week_label.setObjectName("planWeekLabel")
            grid.addWidget(week_label, week_no, 0)
            for number, workout in enumerate(week, start=1):
                cell = QPushButton()
                cell.setProperty("role", "planSession")
                cell.setObjectName(f"session-{workout.name}")
                cell.setCheckable(True)
                cell.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
                cell.clicked.connect(lambda _=False, name=workout.name: self.select(name))
                self._cell_group.addButton(cell)
                self._cells[workout.name] = cell
                grid.addWidget(cell, week_no, number)
        for column in range(1, progression.sessions_per_week + 1):
            grid.setColumnStretch(column, 1)

        self.start_next_button = QPushButton()
        self.start_next_button.setObjectName("startNextButton")
        self.start_next_button.clicked.connect(self._start_next)

        self._detail_title = QLabel()
        self._detail_title.setObjectName("planDetailTitle")
        self._detail_title.setWordWrap(True)
        self._detail_length = QLabel()
        self._detail_state = QLabel()
        self._detail_state.setObjectName("planDetailState")
        self._detail_description = QLabel()
        self._detail_description.setWordWrap(True)
        self.start_selected_button = QPushButton("Start this session")
        self.start_selected_button.setObjectName("startSelectedButton")
        self.start_selected_button.clicked.connect(self._start_selected)
        self.mark_done_button = QPushButton("Mark done")
        self.mark_done_button.setObjectName("markDoneButton")
        self.mark_done_button.clicked.connect(self._mark_selected_done)
        self.not_done_button = QPushButton("Not done")
        self.not_done_button.setObjectName("notDoneButton")
        self.not_done_button.clicked.connect(self._mark_selected_not_done)
        self._message = QLabel()
        self._message.setProperty("role", "fieldProblem")
        self._message.setWordWrap(True)
        self._message.hide()

        detail = QFrame()
        detail.setObjectName("planDetail")
        detail_layout = QVBoxLayout(detail)
        for widget in (
            self._detail_title,
            self._detail_length,
            self._detail_state,
            self._detail_description,
        ):
            detail_layout.addWidget(widget)
        detail_layout.addStretch(1)
        detail_layout.addWidget(self.start_selected_button)
        marks = QHBoxLayout()
        marks.addWidget(self.mark_done_button)
        marks.addWidget(self.not_done_button)
        detail_layout.addLayout(marks)

        side = QVBoxLayout()
        side.addWidget(self.start_next_button)
        side.addWidget(detail, 1)
        side.addWidget(self._message)

        body = QHBoxLayout()
        body.addLayout(grid, 3)
        body.addLayout(side, 2)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(description)
        layout.addWidget(note)
        layout.addLayout(body, 1)
        self.refresh()

    # ------------------------------------------------------------------ public

    def refresh(self) -> None:
        """Read progress (and the profile, for the durations) again and redraw."""
        profile = self._user_data.load_profile()
        self._sessions = _sessions(self._progression, profile)
        self._done = self._user_data.progress()
        self._next = self._progression.next_session(self._done)
        for session in self._sessions:
            self._show_cell(session)
        self._show_next_button()
        if self._selected is None:
            self._selected = (self._next or self._progression.sessions()[0]).name
        self.select(self._selected)

    def next_session(self) -> Workout | None:
        """The first session not done yet (None when all are done)."""
        return self._next

    def selected(self) -> Workout | None:
        found = self._find(self._selected)
        return found.workout if found else None

    def select(self, name: str) -> None:
        """Show one session's details (as a click on its cell does)."""
        session = self._find(name)
        if session is None:
            return
        self._selected = name
        self._cells[name].setChecked(True)
        workout = session.workout
        self._detail_title.setText(f"Week {session.week}, session {session.number}")
        self._detail_length.setText(_length_text(session, long=True))
        day = self._done.get(name)
        if day is not None:
            state = f"✓ Done on {_day_text(day)}"
        elif self._next is not None and name == self._next.name:
            state = "▶ Next up"
        else:
            state = "Not done yet"
        self._detail_state.setText(state)
        self._detail_description.setText(workout.description)
        self.mark_done_button.setEnabled(day is None)
        self.not_done_button.setEnabled(day is not None)

    def cell_text(self, name: str) -> str:
        """What the cell of a session says (for tests and the accessible name)."""
        return self._cells[name].text()

    # ----------------------------------------------------------------- drawing

    def _show_cell(self, session: _Session) -> None:
        cell = self._cells[session.workout.name]
        day = self._done.get(session.workout.name)
        is_next = self._next is not None and session.workout.name == self._next.name
        lines = [_length_text(session, long=False)]
        if day is not None:
            lines.append(f"✓ Done {_day_text(day)}")
            state = "done"
        elif is_next:
            lines.append("▶ Next")
            state = "next"
        else:
            state = "todo"
        cell.setText("\n".join(lines))
        cell.setAccessibleName(
            f"Week {session.week}, session {session.number}: " + " ".join(lines).strip()
        )
        cell.setProperty("state", state)
        cell.style().unpolish(cell)
        cell.style().polish(cell)

    def _show_next_button(self) -> None:
        session = self._find(self._next.name) if self._next else None
        if session is None:
            self.start_next_button.setText("✓ All sessions done. Well done!")
            self.start_next_button.setEnabled(False)
            return
        self.start_next_button.setText(
            f"▶ Start next session\nWeek {session.week}, session {session.number}"
        )
        self.start_next_button.setEnabled(True)

    def _find(self, name: str | None) -> _Session | None:
        return next((s for s in self._sessions if s.workout.name == name), None)

    # ----------------------------------------------------------------- actions

    def _start_next(self) -> None:
        if self._next is not None:
            self.chosen.emit(self._next)

    def _start_selected(self) -> None:
        workout = self.selected()
        if workout is not None:
            self.chosen.emit(workout)

    def _mark_selected_done(self) -> None:
        if self._selected is not None:
            self._change_progress(
                lambda name: self._user_data.mark_done(name, datetime.date.today())
            )

    def _mark_selected_not_done(self) -> None:
        if self._selected is not None:
            self._change_progress(self._user_data.unmark_done)

    def _change_progress(self, change: Callable[[str], None]) -> None:
        assert self._selected is not None
        try:
            change(self._selected)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self._message.setText(f"⚠ Could not record this in {self._user_data.root}: {reason}.")
            self._message.show()
            return
        self._message.hide()
        self.refresh()


def _sessions(progression: Progression, profile: RunnerProfile) -> list[_Session]:
    limits = SpeedLimits()
    found = []
    for week_no, week in enumerate(progression.weeks, start=1):
        for number, workout in enumerate(week, start=1):
            duration: float | None = None
            backward: float | None = None
            try:
                est = estimate(build_plan(workout, profile, limits), profile, limits)
                duration, backward = est.duration_s, est.backward_s
            except PlanError:
                pass  # shown as "length unknown"; starting it will say why
            found.append(_Session(week_no, number, workout, duration, backward))
    return found


def _minutes(seconds: float) -> str:
    return f"{max(1, round(seconds / 60))} min"


def _length_text(session: _Session, *, long: bool) -> str:
    if session.duration_s is None or session.backward_s is None:
        return "length unknown"
    if long:
        return (
            f"About {_minutes(session.duration_s)}, of which "
            f"{_minutes(session.backward_s)} backwards"
        )
    return f"{_minutes(session.duration_s)} · {_minutes(session.backward_s)} back"


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day_text(day: datetime.date) -> str:
    """Like "Mon 3 Mar". Not strftime: Qt sets the C locale from the environment, and
    the app's words are English."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
