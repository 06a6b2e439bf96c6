"""The room's screen: a tile per member and the coach's controls, in one window.

Made for a TV or projector across the gym (F11: full screen): the tiles fill the window
in a grid as square as the screen allows, and the coach's bar stays at the bottom with
Start all, Pause all / Resume all, End, and the red STOP ALL (Esc works too, from any
window of the app). Each tile has its own Start, Pause and Stop for one member.

The window only shows and asks: the session (`GymSession`) owns the stations.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from retrocoach.coach.engine import EngineState
from retrocoach.coach.events import EndReason, SessionEnd
from retrocoach.gui.gym_session import GymSession
from retrocoach.gui.widgets.station_tile import StationTile, tile_view
from retrocoach.record.export import FORMATS, ExportError

CLOSE_WAIT_MS = 15_000  # closing while belts run: wait this long for them to stop
TILE_ASPECT = 1.2  # width / height at which a tile's contents sit best

END_NOTES = {
    EndReason.COMPLETED: "Complete",
    EndReason.STOPPED: "Stopped",
    EndReason.EMERGENCY_STOP: "Emergency stop",
    EndReason.FAULT: "Ended by a fault",
}


def grid_shape(count: int, aspect: float = 16 / 9) -> tuple[int, int]:
    """(columns, rows) for `count` tiles on a screen of this width/height: the shape that
    gives each tile the most room for a tile a little wider than tall (digits are sized
    by the smaller of width and height), a whole row of stations preferred to a grid
    with holes when they come out about the same."""
    best, best_size = (1, max(count, 1)), 0.0
    for columns in range(1, max(count, 1) + 1):
        rows = math.ceil(count / columns)
        width, height = aspect / columns, 1.0 / rows
        size = min(width / TILE_ASPECT, height)
        if columns * rows > count:
            size *= 0.9  # empty cells: room the members do not get
        if size > best_size:
            best, best_size = (columns, rows), size
    return best


class GymWindow(QWidget):
    closed = Signal()  # the room was closed (the session put away)

    def __init__(
        self, session: GymSession, theme: str = "dark", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("gymWindow")
        self.setWindowTitle(f"retrocoach — {session.workout.title}")
        self.setMinimumSize(960, 600)
        self.session = session
        self.theme = theme
        self._closing = False
        # Each station's state and whether it ended, as the coach's bar last saw them.
        self._controls_seen: dict[int, tuple[EngineState, bool]] = {}

        self.title = QLabel(session.workout.title)
        self.title.setObjectName("gymTitle")
        self.status = QLabel()
        self.status.setObjectName("gymStatus")
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.status, 0, Qt.AlignmentFlag.AlignRight)

        self.tiles: dict[int, StationTile] = {}
        grid = QGridLayout()
        grid.setSpacing(12)
        columns, _rows = grid_shape(len(session.stations))
        for i, station in enumerate(session.stations):
            tile = StationTile(station.number, theme)
            tile.start_requested.connect(session.start)
            tile.pause_requested.connect(session.toggle_pause)
            tile.stop_requested.connect(session.emergency_stop)
            self.tiles[station.number] = tile
            grid.addWidget(tile, i // columns, i % columns)

        self.start_all_button = self._button("Start all", "startAllButton")
        self.start_all_button.setToolTip("Start every station that has not started yet")
        self.start_all_button.clicked.connect(session.start_all)
        self.pause_all_button = self._button("Pause all", "pauseAllButton")
        self.pause_all_button.clicked.connect(self._pause_or_resume_all)
        self.end_button = self._button("End session", "endButton")
        self.end_button.setToolTip("Slow every belt down and stop: the session ends")
        self.end_button.clicked.connect(session.stop_all)
        self.stop_all_button = self._button("STOP ALL  (Esc)", "stopAllButton")
        self.stop_all_button.setToolTip("Emergency stop: every belt stops at once")
        self.stop_all_button.clicked.connect(session.emergency_stop_all)
        self.export_format = QComboBox()
        self.export_format.setObjectName("exportFormat")
        for suffix, name in FORMATS.items():
            self.export_format.addItem(name, suffix)
        self.export_all_button = self._button("Export all…", "exportAllButton")
        self.export_all_button.setToolTip("One file per member, in a folder you choose")
        self.export_all_button.clicked.connect(self._export_all)
        self.close_button = self._button("Close the room", "closeRoomButton")
        self.close_button.clicked.connect(self.close)

        bar = QHBoxLayout()
        bar.setSpacing(12)
        for button in (self.start_all_button, self.pause_all_button, self.end_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.export_format)
        bar.addWidget(self.export_all_button)
        bar.addWidget(self.close_button)
        bar.addWidget(self.stop_all_button)
        coach = QWidget()
        coach.setObjectName("coachBar")
        coach.setLayout(bar)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(header)
        layout.addWidget(self.notice)
        layout.addLayout(grid, 1)
        layout.addWidget(coach)

        session.refreshed.connect(self.refresh_tile)
        session.changed.connect(self.refresh_tile)
        session.station_ended.connect(self._station_ended)
        session.all_ended.connect(self._all_ended)
        session.recording_failed.connect(self._recording_failed)
        QShortcut(QKeySequence(Qt.Key.Key_F11), self, self.toggle_full_screen)
        self.refresh()

    def _button(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # Space must not press it by chance
        return button

    # ---------------------------------------------------------------- showing

    def refresh(self) -> None:
        for number in self.tiles:
            self.refresh_tile(number)

    def refresh_tile(self, number: int) -> None:
        tile = self.tiles.get(number)
        if tile is None or not self.session.stations:
            return
        station = self.session.station(number)
        view = tile_view(
            number,
            station.snapshot(),
            station.profile,
            has_strap=station.has_strap,
            device_problem=station.device_problem(),
            total_segments=len(station.runner.station.engine.segments),
            end_reason=station.end.reason if station.end is not None else None,
            note=self._end_note(station.end, station.saved),
        )
        tile.show_view(view)
        # The coach's bar depends only on every station's state and end, and looks at
        # all of them: redone when this station's changed (each station's changes come
        # through its own refresh), not on every tick of every station.
        seen = (station.state, station.end is not None)
        if self._controls_seen.get(number) != seen:
            self._controls_seen[number] = seen
            self._show_controls()

    @staticmethod
    def _end_note(end: SessionEnd | None, saved: bool | None) -> str:
        if end is None:
            return ""
        note = END_NOTES.get(end.reason, "Ended")
        if saved is not None:
            note += " · saved in History" if saved else " · not saved: export it"
        return note

    def _show_controls(self) -> None:
        stations = self.session.stations
        states = [s.state for s in stations]
        finished = self.session.finished
        self.start_all_button.setEnabled(EngineState.IDLE in states)
        paused = bool(states) and all(
            s in (EngineState.PAUSED, EngineState.FINISHED, EngineState.IDLE) for s in states
        )
        any_paused = EngineState.PAUSED in states
        self.pause_all_button.setText("Resume all" if paused and any_paused else "Pause all")
        self.pause_all_button.setEnabled(
            any(s in (EngineState.RUNNING, EngineState.WAITING, EngineState.PAUSED) for s in states)
        )
        self.end_button.setEnabled(self.session.active)
        # While belts run the bar holds what acts on them; once over, what keeps the
        # sessions (one bar that fits a laptop's width as well as a TV's).
        over = finished or (self.session.started and not self.session.active)
        for button in (self.start_all_button, self.pause_all_button, self.end_button):
            button.setVisible(not over)
        for widget in (self.export_format, self.export_all_button, self.close_button):
            widget.setVisible(over)
        self.export_all_button.setEnabled(over)
        self.stop_all_button.setEnabled(not finished or self.session.started)
        running = sum(1 for s in states if s not in (EngineState.IDLE, EngineState.FINISHED))
        if finished:
            status = "Session over"
        elif not self.session.started:
            status = f"{len(stations)} stations ready: press Start all"
        else:
            status = f"{running} of {len(stations)} running"
        if self.status.text() != status:
            self.status.setText(status)

    def say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def shown(self) -> dict[int, dict[str, str]]:
        """What each tile shows, by station number (tests, and the screenshots)."""
        return {number: tile.shown() for number, tile in self.tiles.items()}

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    # ----------------------------------------------------------------- events

    def _pause_or_resume_all(self) -> None:
        if self.pause_all_button.text() == "Resume all":
            self.session.resume_all()
        else:
            self.session.pause_all()
        self._show_controls()

    def _station_ended(self, number: int, _end: SessionEnd) -> None:
        self.refresh_tile(number)

    def _all_ended(self) -> None:
        self.refresh()
        if self._closing:
            self.close()

    def _recording_failed(self, number: int, problem: str) -> None:
        name = self.session.station(number).name
        self.say(
            f"Station {number} ({name}) is not being saved: {problem}. Its session goes on; "
            "use Export all… at the end."
        )

    def _export_all(self) -> None:
        folder = self.ask_export_folder()
        if folder is None:
            return
        suffix = str(self.export_format.currentData())
        try:
            written = self.session.export_all(folder, suffix)
        except ExportError as exc:
            QMessageBox.warning(self, "Cannot export", str(exc))
            return
        self.say(f"Exported {len(written)} sessions to {folder}.")

    def ask_export_folder(self) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self, "Export every member's session to…")
        return Path(chosen) if chosen else None

    def ask_to_stop(self) -> bool:
        answer = QMessageBox.question(
            self,
            "Stop every belt?",
            "The session is running. Stop every belt and close the room?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _close_anyway(self) -> None:
        if self._closing and self.session.stations:
            self.session.emergency_stop_all()
            self.session.close()
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.session.active and self.session.stations:
            if not self._closing:
                if not self.ask_to_stop():
                    event.ignore()
                    return
                self._closing = True
                self.say("Stopping every belt before closing…")
                self.session.stop_all()
                # A station that never says it ended must not keep the room open.
                QTimer.singleShot(CLOSE_WAIT_MS, self, self._close_anyway)
            if self.session.active:  # closes once every belt has stopped
                event.ignore()
                return
        self.session.close()
        self.closed.emit()
        event.accept()
