"""The history: every recorded session, newest first, with its time, distance, backward
time and distance and heart rate; a session opens in its detail (charts, segments,
export) and can be deleted.

Quick with a thousand sessions: the list is read from the sessions' rows alone
(`SessionStore.list_sessions`, no samples) into a table model whose cells are worded
only when the view draws them; column widths come from the font, never from measuring
every row. The detail (and pyqtgraph with it) is imported when a session is first
opened.

Dialogs go through small methods (`confirm`, `tell`) so tests and the main window can
answer them without a person.
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QHideEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from retrocoach.gui.palette import ORANGE
from retrocoach.record.schema import StoreError
from retrocoach.record.session import SessionState, SessionSummary
from retrocoach.record.store import SessionStore, default_store_path
from retrocoach.workouts.model import format_duration
from retrocoach.workouts.profile import Units

if TYPE_CHECKING:
    from retrocoach.gui.session_detail import SessionDetail

METRES_PER_MILE = 1609.344
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole
ROW_PADDING_PX = 14  # rows taller than the text: easier to hit and to read from afar

EMPTY_TEXT = (
    "No sessions yet.\n\n"
    "Every session you run is kept here: its date, how long and how far you went, how "
    "much of it backwards, and your heart rate. Open one to see its heart-rate, speed "
    "and incline charts and its segments, or to export it (FIT, TCX, CSV) for another app."
)

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# ------------------------------------------------------------------- wording


def day_text(moment: datetime.datetime) -> str:
    """ "Mon 2 Nov 2026" in local time. Not strftime: Qt sets the C locale from the
    environment, and the app's words are English."""
    local = moment.astimezone()
    return f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"


def when_text(moment: datetime.datetime) -> str:
    """ "Mon 2 Nov 2026 08:30" in local time."""
    local = moment.astimezone()
    return f"{day_text(local)} {local:%H:%M}"


def short_when_text(moment: datetime.datetime, this_year: int) -> str:
    """ "Mon 2 Nov 08:30", with the year only when it is not `this_year` (the list's
    width goes to the workout's title)."""
    local = moment.astimezone()
    if local.year != this_year:
        return when_text(local)
    return f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local:%H:%M}"


def distance_text(metres: float, units: Units) -> str:
    if units is Units.MPH:
        return f"{metres / METRES_PER_MILE:.2f} mi"
    return f"{metres / 1000:.2f} km"


def hr_text(bpm: float | None) -> str:
    return "–" if bpm is None else f"{bpm:.0f}"


# The end of a session in words, with a sign so it is not told by colour alone.
END_WORDS = {
    "completed": "✓ Completed",
    "stopped": "■ Stopped early",
    "emergency_stop": "■ Emergency stop",
    "fault": "⚠ Fault",
}


def state_text(summary: SessionSummary) -> str:
    if summary.state is SessionState.INTERRUPTED:
        return "⚠ Interrupted"
    if summary.state is SessionState.RECORDING:
        return "● Recording"
    return END_WORDS.get(summary.end_reason or "", "■ Ended")


def state_explained(summary: SessionSummary) -> str:
    if summary.state is SessionState.INTERRUPTED:
        return (
            "The app stopped during this session (a crash or a power cut); it is kept "
            "as far as it was recorded."
        )
    if summary.state is SessionState.RECORDING:
        return "This session is being recorded now."
    return {
        "completed": "Every segment was run.",
        "stopped": "Stopped before the end.",
        "emergency_stop": "Ended with the emergency stop.",
        "fault": "Ended because a device failed or the belt did not respond.",
    }.get(summary.end_reason or "", "")


def needs_attention(summary: SessionSummary) -> bool:
    """Interrupted or ended by a fault: marked in the list, beyond its word."""
    return summary.state is SessionState.INTERRUPTED or summary.end_reason == "fault"


# --------------------------------------------------------------------- model


COLUMNS: tuple[tuple[str, str], ...] = (
    ("date", "Date"),
    ("runner", "Runner"),  # gym mode keeps several members' sessions
    ("workout", "Workout"),
    ("time", "Time"),
    ("distance", "Distance"),
    # Two-line headings: the columns are as wide as their values, and the workout's
    # title keeps room on a 1280-pixel screen.
    ("back_time", "Back\ntime"),
    ("back_distance", "Back\ndistance"),
    ("avg_hr", "Avg\nHR"),
    ("max_hr", "Max\nHR"),
    ("state", "State"),
)
COLUMN = {key: n for n, (key, _) in enumerate(COLUMNS)}
NUMERIC = frozenset({"time", "distance", "back_time", "back_distance", "avg_hr", "max_hr"})
# What each column can hold at its widest, to size it from the font alone.
WIDEST = {
    "date": "Wed 30 Sep 23:59",
    "date_with_year": "Wed 30 Sep 2026 23:59",
    "runner": "Alexandra",
    "time": "1:00:00",
    "distance": "10.00 km",
    "back_time": "10:00",
    "back_distance": "0.00 km",
    "avg_hr": "188",
    "max_hr": "188",
    "state": "⚠ Interrupted",
}


class SessionTableModel(QAbstractTableModel):
    """The sessions' summaries as rows; words are made when a cell is drawn."""

    def __init__(self, parent: QObject | None = None, *, units: Units = Units.KMH) -> None:
        super().__init__(parent)
        self._rows: list[SessionSummary] = []
        self.units = units
        self.this_year = datetime.date.today().year
        self._attention = QColor(ORANGE)
        self._attention.setAlpha(70)
        self._bold = QFont()
        self._bold.setBold(True)

    def set_sessions(self, sessions: list[SessionSummary]) -> None:
        self.beginResetModel()
        self._rows = list(sessions)
        self.this_year = datetime.date.today().year
        self.endResetModel()

    def any_other_year(self) -> bool:
        """Some session is from another year than this one (its date shows the year)."""
        return any(s.started_at.astimezone().year != self.this_year for s in self._rows)

    def set_units(self, units: Units) -> None:
        self.units = units
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    def summary(self, row: int) -> SessionSummary:
        return self._rows[row]

    def row_of(self, session_id: int) -> int | None:
        for row, summary in enumerate(self._rows):
            if summary.id == session_id:
                return row
        return None

    def remove(self, session_id: int) -> None:
        row = self.row_of(session_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()

    # Qt's side.

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        key = COLUMNS[section][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        if role == Qt.ItemDataRole.TextAlignmentRole and key in NUMERIC:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ToolTipRole:
            return {
                "back_time": "Time spent going backwards",
                "back_distance": "Distance covered backwards",
                "avg_hr": "Average heart rate (bpm)",
                "max_hr": "Highest heart rate (bpm)",
            }.get(key)
        return None

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        summary = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(summary, key)
        if role == SORT_ROLE:
            return _sort_key(summary, key)
        if role == ID_ROLE:
            return summary.id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if key in NUMERIC:
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.BackgroundRole and needs_attention(summary):
            return self._attention
        if role == Qt.ItemDataRole.FontRole and key == "state" and needs_attention(summary):
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "date":
                return when_text(summary.started_at)
            if key == "state":
                return state_explained(summary)
            if key == "workout":
                return summary.workout_title
            if key == "runner":
                return summary.runner
        return None

    def text(self, summary: SessionSummary, key: str) -> str:
        t = summary.totals
        if key == "date":
            return short_when_text(summary.started_at, self.this_year)
        if key == "workout":
            return summary.workout_title
        if key == "runner":
            return summary.runner
        if key == "time":
            return format_duration(t.duration_s)
        if key == "distance":
            return distance_text(t.distance_m, self.units)
        if key == "back_time":
            return format_duration(t.backward_time_s)
        if key == "back_distance":
            return distance_text(t.backward_distance_m, self.units)
        if key == "avg_hr":
            return hr_text(t.avg_hr)
        if key == "max_hr":
            return hr_text(t.max_hr)
        return state_text(summary)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column][0]
        self.layoutAboutToBeChanged.emit()
        # Sessions with the same value stay newest first.
        self._rows.sort(key=lambda s: (s.started_at, s.id), reverse=True)
        self._rows.sort(
            key=lambda s: _sort_key(s, key), reverse=order == Qt.SortOrder.DescendingOrder
        )
        self.layoutChanged.emit()


def _sort_key(summary: SessionSummary, key: str) -> Any:
    t = summary.totals
    return {
        "date": (summary.started_at, summary.id),
        "workout": summary.workout_title.casefold(),
        "runner": summary.runner.casefold(),
        "time": t.duration_s,
        "distance": t.distance_m,
        "back_time": t.backward_time_s,
        "back_distance": t.backward_distance_m,
        "avg_hr": t.avg_hr if t.avg_hr is not None else -1.0,
        "max_hr": t.max_hr if t.max_hr is not None else -1,
        "state": state_text(summary),
    }[key]


# ---------------------------------------------------------------------- page


class _Keys(QObject):
    """Enter opens, Delete deletes: on the table itself, whichever window is active."""

    def __init__(self, widget: QWidget, actions: dict[Qt.Key, Callable[[], object]]) -> None:
        super().__init__(widget)
        self._actions = actions
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            plain = not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
            action = self._actions.get(Qt.Key(event.key()))
            if plain and action is not None:
                action()
                return True
        return False


class HistoryPage(QWidget):
    """The list of sessions; a session's detail opens in its place."""

    opened = Signal(int)  # a session's detail is shown (its id)
    deleted = Signal(int)  # a session was deleted from the store (its id)

    def __init__(
        self,
        store_path: Path | None = None,
        parent: QWidget | None = None,
        *,
        units: Units = Units.KMH,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("historyPage")
        self.store_path = store_path or default_store_path()
        self.units = units
        self._store: SessionStore | None = None
        self._theme: str | None = None
        self._sized_for: bool | None = None  # the date column's width: with the year or not
        self._fresh = False  # the list was read since the page was last hidden
        self.detail: SessionDetail | None = None

        self.title = QLabel("History")
        self.title.setObjectName("historyTitle")
        self.title.setStyleSheet("font-size: 32px; font-weight: bold;")
        self.overview = QLabel()
        self.overview.setObjectName("historyOverview")
        self.overview.setWordWrap(True)

        self.model = SessionTableModel(self, units=units)
        self.table = QTableView()
        self.table.setObjectName("historyTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        # "Beginner week 4…session 1": both ends of a title say which it is.
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setCornerButtonEnabled(False)
        self.table.verticalHeader().hide()
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(False)
        header.setSortIndicator(COLUMN["date"], Qt.SortOrder.DescendingOrder)
        header.setSortIndicatorShown(True)
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        _Keys(
            self.table,
            {
                Qt.Key.Key_Return: self.open_selected,
                Qt.Key.Key_Enter: self.open_selected,
                Qt.Key.Key_Delete: self.delete_selected,
            },
        )

        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setObjectName("historyEmpty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("font-size: 22px; padding: 40px;")

        self.open_button = QPushButton("Open")
        self.open_button.setObjectName("historyOpenButton")
        self.open_button.clicked.connect(self.open_selected)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setObjectName("historyDeleteButton")
        self.delete_button.clicked.connect(self.delete_selected)
        hint = QLabel("Double-click or Enter opens a session; Delete removes it.")
        hint.setProperty("role", "formHint")

        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty)

        buttons = QHBoxLayout()
        buttons.addWidget(hint, 1)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.open_button)

        self.list_view = QWidget()
        self.list_view.setObjectName("historyList")
        list_layout = QVBoxLayout(self.list_view)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.title)
        list_layout.addWidget(self.overview)
        list_layout.addWidget(self.list_stack, 1)
        list_layout.addLayout(buttons)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.list_view)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        self.refresh()

    # ------------------------------------------------------------------ public

    def refresh(self) -> None:
        """Read the list again (a session was recorded or deleted elsewhere); the
        selected session stays selected."""
        chosen = self.selected_id()
        store = self._open_store()
        if store is None:
            return
        self._fresh = True
        try:
            sessions = store.list_sessions()
        except (sqlite3.Error, ValueError) as exc:  # a damaged or vanished file
            self._show_problem(f"The history cannot be read: {exc}")
            return
        self.model.set_sessions(sessions)
        # Who ran matters once several have (gym mode); at home it would only take room
        # from the workout's title.
        self.table.setColumnHidden(COLUMN["runner"], len({s.runner for s in sessions}) < 2)
        if self.isVisible():
            self._size_columns()
        self._show_overview(sessions)
        self.list_stack.setCurrentWidget(self.table if sessions else self.empty)
        row = self.model.row_of(chosen) if chosen is not None else None
        self._select_row(row if row is not None else 0)
        self._update_buttons()

    def session_ids(self) -> list[int]:
        """The sessions as listed, top to bottom."""
        return [self.model.summary(row).id for row in range(self.model.rowCount())]

    def row_texts(self, row: int) -> dict[str, str]:
        """What a row says, by column key (for tests and the accessible text)."""
        summary = self.model.summary(row)
        return {key: self.model.text(summary, key) for key, _ in COLUMNS}

    def selected_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.summary(index.row()).id

    def select(self, session_id: int) -> None:
        row = self.model.row_of(session_id)
        if row is not None:
            self._select_row(row)

    def showing_detail(self) -> bool:
        return self.detail is not None and self.stack.currentWidget() is self.detail

    def open_selected(self) -> None:
        session_id = self.selected_id()
        if session_id is not None:
            self.open_session(session_id)

    def open_session(self, session_id: int) -> bool:
        """Show one session's detail; False (and why, told) if it cannot be read."""
        store = self._open_store()
        if store is None:
            return False
        try:
            session = store.load(session_id)
        except KeyError:
            self.tell("This session is gone", "It was deleted meanwhile.")
            self.refresh()
            return False
        except (sqlite3.Error, StoreError, ValueError) as exc:  # a damaged row or file
            self.tell("This session cannot be read", str(exc))
            return False
        detail = self._detail()
        detail.show_session(session)
        self.stack.setCurrentWidget(detail)
        self.opened.emit(session_id)
        return True

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_view)
        self.refresh()
        self.table.setFocus()

    def delete_selected(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            return
        summary = self.model.summary(index.row())
        if summary.state is SessionState.RECORDING:
            self.tell(
                "This session is being recorded",
                "It can be deleted once it has ended.",
            )
            return
        if not self.confirm(
            f"Delete the session of {when_text(summary.started_at)} "
            f"(“{summary.workout_title}”)?\n\nIts samples and segments are removed for "
            "good. Export it first (open it, then Export) to keep a copy."
        ):
            return
        store = self._open_store()
        if store is None:
            return
        try:
            store.delete(summary.id)
        except (sqlite3.Error, StoreError) as exc:  # a read-only file, or it began again
            self.tell("The session could not be deleted", str(exc))
            return
        row = index.row()
        self.model.remove(summary.id)
        self._show_overview([self.model.summary(r) for r in range(self.model.rowCount())])
        if self.model.rowCount() == 0:
            self.list_stack.setCurrentWidget(self.empty)
        else:
            self._select_row(min(row, self.model.rowCount() - 1))
        self._update_buttons()
        self.deleted.emit(summary.id)

    def set_units(self, units: Units) -> None:
        self.units = units
        self.model.set_units(units)
        if self.detail is not None:
            self.detail.set_units(units)
        self._show_overview([self.model.summary(r) for r in range(self.model.rowCount())])

    def set_theme(self, theme: str) -> None:
        """Paint the detail's charts in this theme ("dark", "light"); by default they
        follow the background the theme's QSS gives them."""
        self._theme = theme
        if self.detail is not None:
            self.detail.set_theme(theme)

    def close_store(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # The dialogs, one method each so a test or the main window can answer them.

    def confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Please confirm", text)
        return answer == QMessageBox.StandardButton.Yes

    def tell(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    # --------------------------------------------------------------- internals

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._size_columns()
        if not self._fresh and not self.showing_detail():
            self.refresh()  # sessions recorded since it was last shown

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._fresh = False  # a session may be recorded or deleted meanwhile

    def _open_store(self) -> SessionStore | None:
        if self._store is None:
            try:
                self._store = SessionStore(self.store_path)
            except StoreError as exc:
                self._show_problem(f"The history cannot be opened: {exc}")
                return None
        return self._store

    def _show_problem(self, text: str) -> None:
        self.model.set_sessions([])
        self.overview.setText("")
        self.empty.setText(f"⚠ {text}")
        self.list_stack.setCurrentWidget(self.empty)
        self._update_buttons()

    def _show_overview(self, sessions: list[SessionSummary]) -> None:
        if not sessions:
            self.overview.setText("")
            self.empty.setText(EMPTY_TEXT)
            return
        back_s = sum(s.totals.backward_time_s for s in sessions)
        back_m = sum(s.totals.backward_distance_m for s in sessions)
        interrupted = sum(1 for s in sessions if s.state is SessionState.INTERRUPTED)
        count = f"{len(sessions)} session{'s' if len(sessions) != 1 else ''}"
        text = (
            f"{count}, {format_duration(back_s)} and {distance_text(back_m, self.units)} "
            "backwards in all."
        )
        if interrupted:
            text += f"  ⚠ {interrupted} interrupted (marked, kept as far as recorded)."
        self.overview.setText(text)

    def _select_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(row, 0))
            self.table.selectRow(row)

    def _update_buttons(self) -> None:
        has = self.table.currentIndex().isValid() and self.model.rowCount() > 0
        self.open_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def _size_columns(self) -> None:
        """Widths from the font (as the theme sets it) and the widest text each column
        can hold; the workout's title takes the rest."""
        with_year = self.model.any_other_year()
        if self._sized_for == with_year:
            return
        self._sized_for = with_year
        self.table.ensurePolished()
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        header.ensurePolished()
        header_metrics = header.fontMetrics()
        pad = 18  # the cell's margins and the sort arrow
        bold = QFont(self.table.font())
        bold.setBold(True)
        widths = {
            "date": WIDEST["date_with_year" if with_year else "date"],
            "state": WIDEST["state"],
        }
        for key, title in COLUMNS:
            column = COLUMN[key]
            if key == "workout":
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
                continue
            # The state of an interrupted session is in bold.
            font_metrics = QFontMetrics(bold) if key == "state" else metrics
            widest = max(
                font_metrics.horizontalAdvance(widths.get(key, WIDEST.get(key, title))),
                *(header_metrics.horizontalAdvance(line) for line in title.split("\n")),
            )
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, widest + pad)
        self.table.verticalHeader().setDefaultSectionSize(metrics.height() + ROW_PADDING_PX)

    def _detail(self) -> SessionDetail:
        if self.detail is None:
            # Imported here: pyqtgraph and the charts cost nothing until a session opens.
            from retrocoach.gui.session_detail import SessionDetail

            detail = SessionDetail(units=self.units)
            detail.back_requested.connect(self.show_list)
            if self._theme is not None:
                detail.set_theme(self._theme)
            self.stack.addWidget(detail)
            self.detail = detail
        return self.detail
