"""One recorded session in detail: its totals, heart-rate, speed and incline charts
against time (one shared time axis, the backward segments hatched, device gaps
crossed out), its segments as a table, and export to FIT, TCX or CSV.

Long sessions stay cheap: the curves are numpy arrays drawn with peak downsampling and
clipped to the view (DESIGN.md), so a three-hour session draws about a point per pixel.

The export's file dialog and its messages go through small methods (`ask_export_path`,
`tell`) so tests and the main window can answer them without a person.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from retrocoach.gui.history_page import (
    distance_text,
    hr_text,
    state_explained,
    state_text,
    when_text,
)
from retrocoach.gui.palette import Palette, palette_for
from retrocoach.gui.workout_preview import (
    BACKWARD_PATTERN,
    INCLINE_COLOUR,
    colours_for_widget,
    followed_theme,
    legend_swatch,
    style_chart,
)
from retrocoach.record.session import DeviceGap, Lap, LapKind, RecordedSession
from retrocoach.workouts.model import format_duration
from retrocoach.workouts.profile import KMH_PER_MPH, Units

BACKWARD_ALPHA = 150  # the hatch's lines: strong enough to see, the curve still on top
BACKWARD_FILL_ALPHA = 45  # under the hatch, so a stretch reads as one block
GAP_PATTERN = Qt.BrushStyle.DiagCrossPattern

# How a lap ended, in words.
LAP_ENDS = {
    "completed": "completed",
    "skipped": "skipped",
    "stopped": "session ended",
    "turned": "turned",
}
ROLE_WORDS = {"treadmill": "treadmill", "hrm": "heart-rate strap"}

LAP_COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", "#"),
    ("name", "Segment"),
    ("time", "Time"),
    ("distance", "Distance"),
    ("speed", "Avg speed"),
    ("avg_hr", "Avg HR"),
    ("max_hr", "Max HR"),
    ("end", "Ended"),
)
LAP_NUMERIC = frozenset({"number", "time", "distance", "speed", "avg_hr", "max_hr"})


def lap_kind(lap: Lap) -> str:
    """ "backward", "forward" or "turn": how the lap is drawn and marked."""
    return "turn" if lap.kind is LapKind.TURN else lap.direction


def lap_name(lap: Lap) -> str:
    """The lap with its direction in words: "Forward: Warm-up walk", "50 m backwards
    (1/10)" (its label says it already), "Turn around to backward"."""
    if lap.kind is LapKind.TURN or lap.direction in lap.label.lower():
        return lap.name if lap.kind is LapKind.TURN else lap.label
    return f"{lap.direction.capitalize()}: {lap.label}"


def backward_laps(session: RecordedSession) -> list[Lap]:
    """The backward segments (a turn-around toward backward is not one)."""
    return [
        lap for lap in session.laps if lap.kind is LapKind.SEGMENT and lap.direction == "backward"
    ]


class LapTableModel(QAbstractTableModel):
    """The session's laps (segments and turn-arounds), in order."""

    def __init__(self, parent: QObject | None = None, *, units: Units = Units.KMH) -> None:
        super().__init__(parent)
        self.units = units
        self._laps: list[Lap] = []
        self._swatches: dict[str, QPixmap] = {}

    def set_laps(self, laps: tuple[Lap, ...] | list[Lap], colours: Palette) -> None:
        self.beginResetModel()
        self._laps = list(laps)
        self._swatches = {
            key: legend_swatch(key, colours) for key in ("backward", "forward", "turn")
        }
        self.endResetModel()

    def lap(self, row: int) -> Lap:
        return self._laps[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._laps)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(LAP_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(LAP_COLUMNS):
            return None
        key, title = LAP_COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return title
        if role == Qt.ItemDataRole.TextAlignmentRole and key in LAP_NUMERIC:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._laps):
            return None
        lap = self._laps[index.row()]
        key = LAP_COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(index.row(), key)
        if role == Qt.ItemDataRole.DecorationRole and key == "name":
            return self._swatches.get(lap_kind(lap))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if key in LAP_NUMERIC:
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        return None

    def text(self, row: int, key: str) -> str:
        lap = self._laps[row]
        if key == "number":
            return str(row + 1)
        if key == "name":
            return lap_name(lap)
        if key == "time":
            return format_duration(lap.elapsed_s)
        if key == "distance":
            return _short_distance(lap.distance_m, self.units)
        if key == "speed":
            return self.units.format_speed(lap.avg_speed_kmh)
        if key == "avg_hr":
            return hr_text(lap.avg_hr)
        if key == "max_hr":
            return hr_text(lap.max_hr)
        return LAP_ENDS.get(lap.end_reason, lap.end_reason)


def _short_distance(metres: float, units: Units) -> str:
    """Laps are short: metres below a kilometre."""
    if units is Units.KMH and metres < 1000:
        return f"{metres:.0f} m"
    return distance_text(metres, units)


class SessionDetail(QWidget):
    """One session: `show_session` fills it; `back_requested` when the person is done."""

    back_requested = Signal()
    exported = Signal(Path)  # a file was written

    def __init__(self, parent: QWidget | None = None, *, units: Units = Units.KMH) -> None:
        super().__init__(parent)
        self.setObjectName("sessionDetail")
        self.units = units
        self.session: RecordedSession | None = None
        self._colours: Palette | None = None
        self._theme_forced = False
        self._export_dir = Path.home()
        self._backward_spans: list[tuple[float, float]] = []  # minutes
        self._gap_spans: list[tuple[float, float]] = []
        self._hatches: list[pg.BarGraphItem] = []  # the backward laps, per chart
        self._highlights: list[pg.LinearRegionItem] = []  # the selected lap, per chart
        self._drawn: list[list[pg.GraphicsObject]] = []  # what was added, per chart

        self.back_button = QPushButton("◀ History")
        self.back_button.setObjectName("historyBackButton")
        self.back_button.clicked.connect(self.back_requested.emit)
        self.title = QLabel()
        self.title.setObjectName("detailTitle")
        self.title.setStyleSheet("font-size: 28px; font-weight: bold;")
        self.title.setWordWrap(True)
        self.when = QLabel()
        self.when.setObjectName("detailWhen")
        self.when.setWordWrap(True)

        self.facts: dict[str, QLabel] = {}
        facts = QGridLayout()
        facts.setHorizontalSpacing(28)
        facts.setVerticalSpacing(0)
        for column, (key, caption) in enumerate(
            (
                ("time", "Time"),
                ("distance", "Distance"),
                ("backward", "Backwards"),
                ("hr", "Heart rate avg / max"),
            )
        ):
            name = QLabel(caption)
            name.setProperty("role", "formHint")
            value = QLabel()
            value.setObjectName(f"detailFact_{key}")
            value.setStyleSheet("font-size: 24px; font-weight: bold;")
            facts.addWidget(name, 0, column)
            facts.addWidget(value, 1, column)
            self.facts[key] = value
        facts.setColumnStretch(4, 1)

        # The legend: what the hatching and the crossing mean, in words beside them.
        self.legend = QHBoxLayout()
        self.legend.setSpacing(8)
        self._legend: dict[str, tuple[QLabel, QLabel]] = {}
        for key, text in (
            ("backward", "Backward (hatched)"),
            ("gap", "No data: a device was lost"),
        ):
            swatch = QLabel()
            swatch.setObjectName(f"detailLegendSwatch_{key}")
            words = QLabel(text)
            words.setObjectName(f"detailLegend_{key}")
            self.legend.addWidget(swatch)
            self.legend.addWidget(words)
            self.legend.addSpacing(18)
            self._legend[key] = (swatch, words)
        self.legend.addStretch(1)

        self.hr_plot = self._plot("detailHeartRatePlot", "heart rate (bpm)")
        self.speed_plot = self._plot("detailSpeedPlot", "speed")
        self.incline_plot = self._plot("detailInclinePlot", "incline (%)")
        self.plots = (self.hr_plot, self.speed_plot, self.incline_plot)
        for plot in self.plots[1:]:
            plot.setXLink(self.hr_plot)
        for plot in self.plots[:-1]:
            # One time axis, under the last chart; the others line up above it.
            plot.getPlotItem().getAxis("bottom").setStyle(showValues=False)
        self.incline_plot.getPlotItem().setLabel("bottom", "minutes")
        # The incline chart carries the time axis: room for both and a readable scale.
        self.incline_plot.setMinimumHeight(120)
        self.hr_plot.setMinimumHeight(110)
        self.hr_curve = self._curve(self.hr_plot)
        self.speed_curve = self._curve(self.speed_plot)
        self.incline_curve = self._curve(self.incline_plot)
        self.ceiling_line = pg.InfiniteLine(
            angle=0,
            movable=False,
            label="ceiling {value:.0f}",
            labelOpts={"position": 0.02, "anchors": [(0, 1), (0, 1)]},
        )
        self.hr_plot.addItem(self.ceiling_line)
        self.no_hr = pg.TextItem("No heart rate was recorded", anchor=(0.5, 0.5))
        self.hr_plot.addItem(self.no_hr, ignoreBounds=True)

        charts = QWidget()
        charts.setObjectName("detailCharts")
        charts_layout = QVBoxLayout(charts)
        charts_layout.setContentsMargins(0, 0, 0, 0)
        charts_layout.setSpacing(2)
        charts_layout.addLayout(self.legend)
        charts_layout.addWidget(self.hr_plot, 5)
        charts_layout.addWidget(self.speed_plot, 4)
        charts_layout.addWidget(self.incline_plot, 3)

        self.lap_model = LapTableModel(self, units=units)
        self.laps_table = QTableView()
        self.laps_table.setObjectName("detailLapsTable")
        self.laps_table.setModel(self.lap_model)
        self.laps_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.laps_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.laps_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.laps_table.setShowGrid(False)
        self.laps_table.setWordWrap(False)
        self.laps_table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keeps "(3/10)"
        self.laps_table.verticalHeader().hide()
        self.laps_table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._highlight(current.row())
        )

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("detailSplitter")
        splitter.addWidget(charts)
        splitter.addWidget(self.laps_table)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 290])  # in proportion: the table shows several laps
        self.splitter = splitter

        self.export_buttons: dict[str, QPushButton] = {}
        exports = QHBoxLayout()
        self.message = QLabel()
        self.message.setObjectName("detailMessage")
        self.message.setWordWrap(True)
        exports.addWidget(self.message, 1)
        for suffix in (".fit", ".tcx", ".csv"):
            button = QPushButton(f"Export {suffix[1:].upper()}…")
            button.setObjectName(f"export_{suffix[1:]}")
            button.clicked.connect(lambda _=False, s=suffix: self.export(s))
            exports.addWidget(button)
            self.export_buttons[suffix] = button

        top = QHBoxLayout()
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        heading = QVBoxLayout()
        heading.setSpacing(0)
        heading.addWidget(self.title)
        heading.addWidget(self.when)
        top.addLayout(heading, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(facts)
        layout.addWidget(splitter, 1)
        layout.addLayout(exports)
        self._apply_colours(self._current_colours())

    # ------------------------------------------------------------------ public

    def show_session(self, session: RecordedSession) -> None:
        self.session = session
        self.message.setText("")
        summary = session.summary
        t = summary.totals
        self.title.setText(summary.workout_title)
        explained = state_explained(summary)
        self.when.setText(
            f"{when_text(summary.started_at)}   ·   {state_text(summary)}"
            + (f": {explained}" if explained else "")
        )
        self.facts["time"].setText(format_duration(t.duration_s))
        self.facts["distance"].setText(distance_text(t.distance_m, self.units))
        self.facts["backward"].setText(
            f"{format_duration(t.backward_time_s)} · "
            f"{distance_text(t.backward_distance_m, self.units)}"
        )
        self.facts["hr"].setText(f"{hr_text(t.avg_hr)} / {hr_text(t.max_hr)} bpm")
        self._draw()

    def set_units(self, units: Units) -> None:
        self.units = units
        self.lap_model.units = units
        if self.session is not None:
            self.show_session(self.session)

    def set_theme(self, theme: str) -> None:
        """Paint in this theme's palette ("dark", "light"); without a call the charts
        follow the background the theme's QSS gives the widget."""
        self._theme_forced = True
        self._set_colours(palette_for(theme))

    def backward_regions(self) -> list[tuple[float, float]]:
        """The hatched stretches (in minutes), one per backward lap."""
        return list(self._backward_spans)

    def regions_per_chart(self) -> list[int]:
        """How many hatched stretches each chart draws."""
        return [len(item.opts["x0"]) if self._backward_spans else 0 for item in self._hatches]

    def gap_regions(self) -> list[tuple[float, float]]:
        return list(self._gap_spans)

    def lap_rows(self) -> list[dict[str, str]]:
        """The segment table as it reads, row by row, by column key."""
        return [
            {key: self.lap_model.text(row, key) for key, _ in LAP_COLUMNS}
            for row in range(self.lap_model.rowCount())
        ]

    def export(self, suffix: str) -> Path | None:
        """Ask where, then write the session there; the file written, or None."""
        session = self.session
        if session is None:
            return None
        path = self.ask_export_path(suffix, self._export_dir / suggested_name(session, suffix))
        if path is None:
            return None
        if not path.suffix:
            path = path.with_suffix(suffix)
        # Imported here: the exporters (and the FIT SDK) load when first used.
        from retrocoach.record.export import ExportError, export_session

        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            export_session(session, path)
        except ExportError as exc:
            self.message.setText("")
            self.tell("The session could not be exported", str(exc))
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._export_dir = path.parent
        self.message.setText(f"✓ Exported to {path}")
        self.exported.emit(path)
        return path

    # The dialogs, one method each so a test or the main window can answer them.

    def ask_export_path(self, suffix: str, suggested: Path) -> Path | None:
        from retrocoach.record.export import FORMATS

        # Qt's own dialog, not the system's: Esc must still reach the app (the
        # emergency stop) while it is open.
        name, _ = QFileDialog.getSaveFileName(
            self,
            f"Export the session as {FORMATS.get(suffix, suffix)}",
            str(suggested),
            f"{FORMATS.get(suffix, suffix)} (*{suffix})",
            options=QFileDialog.Option.DontUseNativeDialog,
        )
        return Path(name) if name else None

    def tell(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    # ------------------------------------------------------------ drawing

    def _draw(self) -> None:
        session = self.session
        if session is None:
            return
        colours = self._current_colours()
        samples = session.samples
        minutes = np.fromiter((s.t / 60 for s in samples), float, len(samples))
        hr = np.fromiter(
            (math.nan if s.hr_bpm is None else s.hr_bpm for s in samples), float, len(samples)
        )
        factor = 1.0 if self.units is Units.KMH else 1 / KMH_PER_MPH
        speed = np.fromiter((s.speed_kmh * factor for s in samples), float, len(samples))
        incline = np.fromiter((s.incline_pct for s in samples), float, len(samples))
        self.hr_curve.setData(minutes, hr, connect="finite")
        self.speed_curve.setData(minutes, speed)
        self.incline_curve.setData(minutes, incline, fillLevel=0.0)
        end = max(float(minutes[-1]) if len(minutes) else 0.0, 1.0)
        for plot in self.plots:
            item = plot.getPlotItem()
            item.setLimits(xMin=0.0, xMax=end)
        self.hr_plot.setXRange(0.0, end, padding=0)

        with_hr = hr[np.isfinite(hr)]
        self.no_hr.setVisible(len(with_hr) == 0)
        ceiling = session.profile.get("hr_ceiling")
        if len(with_hr):
            low, high = float(with_hr.min()), float(with_hr.max())
            if isinstance(ceiling, int | float) and ceiling - high < 15:
                high = max(high, float(ceiling))  # the ceiling in view when it was near
            self.hr_plot.setYRange(low - 8, high + 8, padding=0)
        else:
            self.hr_plot.setYRange(60, 180, padding=0)
            self.no_hr.setPos(end / 2, 120)
        self.ceiling_line.setVisible(isinstance(ceiling, int | float))
        if isinstance(ceiling, int | float):
            self.ceiling_line.setPos(float(ceiling))
        top_speed = float(speed.max()) if len(speed) else 1.0
        self.speed_plot.setYRange(0, max(top_speed * 1.15, 1.0), padding=0)
        self.speed_plot.getPlotItem().setLabel("left", f"speed ({self.units.symbol})")
        top_incline = float(incline.max()) if len(incline) else 0.0
        low_incline = float(incline.min()) if len(incline) else 0.0
        low_incline, top_incline = min(low_incline, 0.0), max(top_incline * 1.15, 2.0)
        # A little room below zero, so a flat belt's line is not lost in the axis.
        margin = (top_incline - low_incline) * 0.08
        self.incline_plot.setYRange(low_incline - margin, top_incline, padding=0)

        self._draw_regions(session, colours, end)
        self.lap_model.set_laps(session.laps, colours)
        self._size_lap_columns()

    def _draw_regions(self, session: RecordedSession, colours: Palette, end: float) -> None:
        """The backward laps hatched and the device gaps crossed, over the full height of
        every chart. One bar item per kind and chart, not one region item per lap: a
        long interval session has a hundred laps, and each region item is a dozen
        graphics objects to build and paint."""
        for plot, items in zip(self.plots, self._drawn, strict=False):
            for item in items:
                plot.removeItem(item)
        self._drawn = []
        self._hatches = []
        self._highlights = []
        laps = backward_laps(session)
        self._backward_spans = [(lap.start_t / 60, lap.end_t / 60) for lap in laps]
        self._gap_spans = [_gap_span(gap, end) for gap in session.gaps]
        hatch = QBrush(colours.color("backward", BACKWARD_ALPHA), BACKWARD_PATTERN)
        fill = QBrush(colours.color("backward", BACKWARD_FILL_ALPHA))
        gap_brush = QBrush(colours.color("muted", 200), GAP_PATTERN)
        for plot in self.plots:
            drawn: list[pg.GraphicsObject] = []
            hatched = _bands(self._backward_spans, hatch, z=-11)
            if self._backward_spans:
                # A faint fill under the hatch: one block, as the workout preview draws it.
                drawn += [_bands(self._backward_spans, fill, z=-12), hatched]
            if self._gap_spans:
                drawn.append(_bands(self._gap_spans, gap_brush, z=-9))
            highlight = pg.LinearRegionItem(
                values=(0.0, 0.0),
                movable=False,
                brush=QBrush(colours.color("text", 40)),
                pen=pg.mkPen(colours.text, width=1),
            )
            highlight.setZValue(-8)
            highlight.setVisible(False)
            drawn.append(highlight)
            for item in drawn:
                plot.addItem(item, ignoreBounds=True)
            self._drawn.append(drawn)
            self._hatches.append(hatched)
            self._highlights.append(highlight)
        roles = sorted({gap.role for gap in session.gaps})
        self._legend["gap"][1].setText(
            "No data: " + " and ".join(ROLE_WORDS.get(r, r) for r in roles) + " lost"
        )
        self._show_legend(has_backward=bool(laps), has_gap=bool(session.gaps), colours=colours)

    def _highlight(self, row: int) -> None:
        """The selected lap stands out in the charts: where it was, at a glance."""
        if not 0 <= row < self.lap_model.rowCount():
            for item in self._highlights:
                item.setVisible(False)
            return
        lap = self.lap_model.lap(row)
        for item in self._highlights:
            item.setRegion((lap.start_t / 60, lap.end_t / 60))
            item.setVisible(True)

    def _show_legend(self, *, has_backward: bool, has_gap: bool, colours: Palette) -> None:
        shown = {"backward": has_backward, "gap": has_gap}
        for key, (swatch, words) in self._legend.items():
            swatch.setPixmap(
                legend_swatch("backward", colours) if key == "backward" else _gap_swatch(colours)
            )
            swatch.setVisible(shown[key])
            words.setVisible(shown[key])

    def _size_lap_columns(self) -> None:
        header = self.laps_table.horizontalHeader()
        self.laps_table.ensurePolished()
        metrics = self.laps_table.fontMetrics()
        widest = {
            "number": "999",
            "time": "1:00:00",
            "distance": "1000 m",
            "speed": "10.0 km/h",
            "avg_hr": "Avg HR",
            "max_hr": "Max HR",
            "end": "session ended",
        }
        for column, (key, title) in enumerate(LAP_COLUMNS):
            if key == "name":
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
                continue
            width = max(metrics.horizontalAdvance(widest[key]), metrics.horizontalAdvance(title))
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width + 28)
        self.laps_table.verticalHeader().setDefaultSectionSize(metrics.height() + 10)

    # ------------------------------------------------------------------ look

    def changeEvent(self, event: QEvent) -> None:
        colours = followed_theme(self, event, self._theme_forced, self._colours)
        if colours is not None:
            self._set_colours(colours)
        super().changeEvent(event)

    def _current_colours(self) -> Palette:
        if self._colours is None:
            self._colours = colours_for_widget(self)
        return self._colours

    def _set_colours(self, colours: Palette) -> None:
        self._colours = colours
        self._apply_colours(colours)
        if self.session is not None:
            self._draw()

    def _apply_colours(self, colours: Palette) -> None:
        for plot in self.plots:
            style_chart(plot, colours)
        self.hr_curve.setPen(pg.mkPen(colours.heart_rate, width=2))
        self.speed_curve.setPen(pg.mkPen(colours.text, width=2))
        self.incline_curve.setPen(pg.mkPen(INCLINE_COLOUR, width=2))
        self.incline_curve.setBrush(QBrush(_translucent(INCLINE_COLOUR, 70)))
        self.ceiling_line.setPen(pg.mkPen(colours.ceiling, width=2, style=Qt.PenStyle.DashLine))
        self.ceiling_line.label.setColor(colours.ceiling)
        self.no_hr.setColor(colours.muted)

    def _plot(self, name: str, label: str) -> pg.PlotWidget:
        plot = pg.PlotWidget()
        plot.setObjectName(name)
        plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        plot.setMinimumHeight(70)
        item = plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        # Time can be zoomed and dragged (a part of a long session); values cannot.
        item.setMouseEnabled(x=True, y=False)
        item.setClipToView(True)
        item.setDownsampling(auto=True, mode="peak")
        item.setLabel("left", label)
        return plot

    def _curve(self, plot: pg.PlotWidget) -> pg.PlotDataItem:
        curve = plot.plot([], [])
        curve.setZValue(10)
        # Peak mode keeps each bin's minimum and maximum: one bin per pixel is enough.
        curve.opts["autoDownsampleFactor"] = 1.0
        return curve


def _bands(spans: list[tuple[float, float]], brush: QBrush, *, z: float) -> pg.BarGraphItem:
    """Stretches of time over the chart's whole height (the view clips them)."""
    item = pg.BarGraphItem(
        x0=[a for a, _ in spans],
        x1=[b for _, b in spans],
        y0=-1e4,
        height=2e4,
        brush=brush,
        pen=pg.mkPen(None),
    )
    item.setZValue(z)
    return item


def _gap_span(gap: DeviceGap, end_min: float) -> tuple[float, float]:
    stop = gap.end_t / 60 if gap.end_t is not None else end_min
    return (gap.start_t / 60, max(stop, gap.start_t / 60))


def _translucent(colour: str, alpha: int) -> QColor:
    faint = QColor(colour)
    faint.setAlpha(alpha)
    return faint


def _gap_swatch(colours: Palette) -> QPixmap:
    pixmap = QPixmap(34, 20)
    pixmap.fill(QColor(colours.background))
    painter = QPainter(pixmap)
    painter.setBrush(QBrush(colours.color("muted", 200), GAP_PATTERN))
    painter.setPen(QPen(colours.color("muted"), 1))
    painter.drawRect(0, 0, 33, 19)
    painter.end()
    return pixmap


def suggested_name(session: RecordedSession, suffix: str) -> str:
    """ "2026-11-02-0830-back-forth-50.fit": the day and the workout, safe on every
    file system."""
    local = session.summary.started_at.astimezone()
    workout = re.sub(r"[^A-Za-z0-9_-]+", "-", session.summary.workout_name).strip("-")
    return f"{local:%Y-%m-%d-%H%M}-{workout or 'session'}{suffix}"
