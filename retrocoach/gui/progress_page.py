"""Progress over weeks: backward time per week, backward speed at a chosen heart rate,
and the six-week plan's completion, as three charts on one time axis of weeks.

What needs the samples (the speed at a heart rate) is read from the store on a worker
thread when the page is first shown, and again when it is shown after the store
changed (a session recorded or deleted): never while the history opens, never on the
GUI thread. Choosing another heart rate redraws from what was read.
"""

from __future__ import annotations

import contextlib
import datetime
import math
import sqlite3
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from retrocoach.gui.palette import BLUISH_GREEN, Palette, palette_for
from retrocoach.gui.workout_preview import (
    BACKWARD_PATTERN,
    colours_for_widget,
    followed_theme,
    style_chart,
)
from retrocoach.record.progress import (
    HR_TOLERANCE,
    MIN_SAMPLES,
    StoreProgress,
    WeekPlan,
    WeekSpeed,
    plan_completion,
    read_progress,
    week_of,
    week_span,
)
from retrocoach.record.schema import StoreError
from retrocoach.workouts.profile import KMH_PER_MPH, RunnerProfile, Units
from retrocoach.workouts.progression import PROGRESSION, Progression

MAX_TICKS = 8  # week labels on an axis; more would overlap (with their year, too)
LABELLED_UP_TO = 16  # weeks: beyond this, values over the bars would crowd
PLAN_COLOUR = BLUISH_GREEN  # Okabe-Ito; no direction uses it
DEFAULT_HR = 130

EMPTY_TEXT = (
    "Your progress appears here after your first sessions.\n\n"
    "Week by week: how long you went backwards, how fast you go backwards at the same "
    "heart rate (the effort gets easier as you adapt), and how much of the six-week "
    "plan is done."
)

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def week_text(week: datetime.date, *, year: bool = False) -> str:
    """ "7 Sep" (or "7 Sep 2026"): the Monday that starts the week."""
    text = f"{week.day} {_MONTHS[week.month - 1]}"
    return f"{text} {week.year}" if year else text


class _Bridge(QObject):
    """Carries the worker thread's result to the GUI thread (a queued signal)."""

    done = Signal(int, object)  # generation, StoreProgress or the problem's text


def _read_in_background(bridge: _Bridge, generation: int, path: Path) -> None:
    result: StoreProgress | str
    try:
        result = read_progress(path)
    except (StoreError, sqlite3.Error, OSError, ValueError) as exc:
        result = f"The sessions cannot be read: {exc}"
    with contextlib.suppress(RuntimeError):  # the page (and its bridge) may be gone
        bridge.done.emit(generation, result)


class ProgressPage(QWidget):
    loaded = Signal()  # the charts show what the store held when it was read

    def __init__(
        self,
        store_path: Path,
        progress: Mapping[str, datetime.date] | None = None,
        parent: QWidget | None = None,
        *,
        profile: RunnerProfile | None = None,
        units: Units | None = None,
        progression: Progression = PROGRESSION,
        today: Callable[[], datetime.date] = datetime.date.today,
    ) -> None:
        """`progress`: the plan's sessions done, with their day (`UserData.progress()`);
        `profile`: a first guess at the heart rate to compare at, before any data."""
        super().__init__(parent)
        self.setObjectName("progressPage")
        self.store_path = store_path
        self._done: dict[str, datetime.date] = dict(progress or {})
        self._profile = profile
        self.units = units or (profile.units if profile is not None else Units.KMH)
        self._progression = progression
        self._today = today
        self._colours: Palette | None = None
        self._theme_forced = False
        self.data: StoreProgress | None = None
        self.problem: str | None = None
        self._generation = 0
        self._loading = False
        self._stale = True
        self._signature: tuple[object, ...] | None = None
        self._hr_chosen = False  # the person set the heart rate: keep it
        self._weeks: list[datetime.date] = []
        # Owned by the application, not the page: a worker may still hold it when the
        # page goes, and it must never be destroyed on the worker's thread.
        self._bridge = _Bridge(QCoreApplication.instance())
        self._bridge.done.connect(self._loaded)

        title = QLabel("Progress over weeks")
        title.setObjectName("progressTitle")
        title.setStyleSheet("font-size: 32px; font-weight: bold;")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("progressSubtitle")
        self.subtitle.setWordWrap(True)

        # 1. Backward time per week.
        self.time_heading = _heading("Backward time per week")
        self.time_note = _note("progressTimeNote")
        self.time_plot = self._plot("progressTimePlot", "minutes")

        # 2. Backward speed at a heart rate.
        self.hr_box = QSpinBox()
        self.hr_box.setObjectName("progressHeartRate")
        self.hr_box.setRange(60, 220)
        self.hr_box.setSingleStep(5)
        self.hr_box.setSuffix(" bpm")
        self.hr_box.setValue(DEFAULT_HR)
        self.hr_box.setAccessibleName("Heart rate to compare the backward speed at")
        self.hr_box.setStyleSheet("font-size: 20px; font-weight: bold; min-width: 120px;")
        self.hr_box.valueChanged.connect(self._hr_changed)
        self.speed_heading = _heading("Backward speed at")
        self.speed_tolerance = _heading(
            f"± {HR_TOLERANCE}  (each week's median, while going backwards)"
        )
        self.speed_note = _note("progressSpeedNote")
        self.speed_plot = self._plot("progressSpeedPlot", "speed")

        # 3. The plan.
        self.plan_heading = _heading(f"{progression.title}: share done")
        self.plan_note = _note("progressPlanNote")
        self.plan_plot = self._plot("progressPlanPlot", "% of the plan")

        for plot in (self.speed_plot, self.plan_plot):
            plot.setXLink(self.time_plot)

        charts = QWidget()
        charts.setObjectName("progressCharts")
        column = QVBoxLayout(charts)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        speed_row = QHBoxLayout()
        speed_row.addWidget(self.speed_heading)
        speed_row.addWidget(self.hr_box)
        speed_row.addWidget(self.speed_tolerance)
        speed_row.addStretch(1)
        for heading, note, plot in (
            (_row(self.time_heading), self.time_note, self.time_plot),
            (speed_row, self.speed_note, self.speed_plot),
            (_row(self.plan_heading), self.plan_note, self.plan_plot),
        ):
            column.addLayout(heading)
            column.addWidget(note)
            column.addWidget(plot, 1)

        self.message = QLabel()
        self.message.setObjectName("progressMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("font-size: 22px; padding: 40px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.stack.addWidget(charts)
        self.charts = charts

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.stack, 1)
        self._show_message("Working out your progress…")
        self._apply_colours(self._current_colours())

    # ------------------------------------------------------------------ public

    @property
    def reference_hr(self) -> int:
        return self.hr_box.value()

    @property
    def is_loaded(self) -> bool:
        return self.data is not None and not self._loading

    def set_progress(self, progress: Mapping[str, datetime.date]) -> None:
        """The plan's marks changed (a session completed, a correction): redraw."""
        done = dict(progress)
        if done != self._done:
            self._done = done
            self._draw()

    def refresh(self) -> None:
        """Read the store again: now if the page is shown, else when it next is."""
        self._stale = True
        if self.isVisible():
            self._load()

    def set_reference_hr(self, bpm: int) -> None:
        """Compare at this heart rate (as the person's choice in the box)."""
        self._hr_chosen = True
        self.hr_box.setValue(bpm)

    def set_units(self, units: Units) -> None:
        self.units = units
        self._draw()

    def set_theme(self, theme: str) -> None:
        """Paint in this theme's palette ("dark", "light"); without a call the charts
        follow the background the theme's QSS gives the widget."""
        self._theme_forced = True
        self._set_colours(palette_for(theme))

    # What the charts show, by week (for tests and the accessible text).

    def weeks(self) -> list[datetime.date]:
        return list(self._weeks)

    def backward_minutes(self) -> dict[datetime.date, float]:
        totals = {t.week: t.backward_time_s / 60 for t in self.data.totals} if self.data else {}
        return {week: totals.get(week, 0.0) for week in self._weeks}

    def speed_points(self) -> dict[datetime.date, float]:
        if self.data is None:
            return {}
        result = self.data.effort.speed_at(self.reference_hr)
        return {p.week: self._speed(p.speed_kmh) for p in result.points}

    def left_out_weeks(self) -> list[datetime.date]:
        if self.data is None:
            return []
        return [w.week for w in self.data.effort.speed_at(self.reference_hr).left_out]

    def plan_weeks(self) -> list[WeekPlan]:
        names = [w.name for w in self._progression.sessions()]
        return plan_completion(self._done, names, self._weeks)

    # ------------------------------------------------------------- loading

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale or self._store_signature() != self._signature:
            self._load()

    def _load(self) -> None:
        if self._loading:
            self._stale = True  # read again once this read is in
            return
        self._stale = False
        self._loading = True
        self._generation += 1
        self._signature = self._store_signature()
        if self.data is None:
            self._show_message("Working out your progress…")
        threading.Thread(
            target=_read_in_background,
            args=(self._bridge, self._generation, self.store_path),
            name="progress-reader",
            daemon=True,
        ).start()

    def _loaded(self, generation: int, result: object) -> None:
        if generation != self._generation:
            return
        self._loading = False
        if isinstance(result, str):
            self.problem = result
            self._show_message(f"⚠ {result}")
        elif isinstance(result, StoreProgress):
            self.problem = None
            self.data = result
            if not self._hr_chosen:
                self._suggest_hr()
            self._draw()
        if self._stale and self.isVisible():
            self._load()
            return
        self.loaded.emit()

    def _store_signature(self) -> tuple[object, ...] | None:
        """What changes when a session is recorded, finished or deleted: cheap (the
        sessions' rows only), so every showing can tell whether to read again."""
        if not self.store_path.exists():
            return None
        try:
            conn = sqlite3.connect(self.store_path, timeout=1.0)
            try:
                row = conn.execute(
                    "SELECT COUNT(*), MAX(id), TOTAL(state = 'recording'), TOTAL(duration_s) "
                    "FROM sessions"
                ).fetchone()
            finally:
                conn.close()
        except sqlite3.Error:
            return None  # the worker will say what is wrong
        return tuple(row)

    def _suggest_hr(self) -> None:
        assert self.data is not None
        bpm = self.data.effort.suggested_hr()
        if bpm is None and self._profile is not None:
            # No backward heart rate yet: a moderate effort, from the profile.
            p = self._profile
            bpm = 5 * round((p.hr_rest + 0.6 * (p.hr_max - p.hr_rest)) / 5)
        self.hr_box.blockSignals(True)
        self.hr_box.setValue(bpm or DEFAULT_HR)
        self.hr_box.blockSignals(False)

    def _hr_changed(self, _value: int) -> None:
        self._hr_chosen = True
        self._draw_speed()

    # ------------------------------------------------------------- drawing

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def _draw(self) -> None:
        if self.data is None:
            return
        data = self.data
        plan_weeks = [week_of(day) for day in self._done.values()]
        known = data.weeks + plan_weeks
        if not known:
            self._weeks = []
            self.subtitle.setText("")
            self._show_message(EMPTY_TEXT)
            return
        first, last = min(known), max(known)
        this_week = week_of(self._today())
        self._weeks = week_span(first, max(last, this_week) if this_week >= first else last)
        self.stack.setCurrentWidget(self.charts)
        self.subtitle.setText(
            f"Each bar or point is a week (Monday to Sunday), from the week of "
            f"{week_text(self._weeks[0], year=True)} to the week of "
            f"{week_text(self._weeks[-1], year=True)}."
        )
        colours = self._current_colours()
        self._draw_time(colours)
        self._draw_speed()
        self._draw_plan(colours)
        for plot in (self.time_plot, self.speed_plot, self.plan_plot):
            self._set_week_axis(plot)

    def _draw_time(self, colours: Palette) -> None:
        item = self.time_plot.getPlotItem()
        item.clear()
        minutes = self.backward_minutes()
        xs = list(range(len(self._weeks)))
        heights = [minutes[w] for w in self._weeks]
        # Hatched like every backward area of the app, over a faint fill.
        item.addItem(
            pg.BarGraphItem(
                x=xs,
                height=heights,
                width=0.7,
                brush=colours.color("backward", 90),
                pen=pg.mkPen(None),
            )
        )
        item.addItem(
            pg.BarGraphItem(
                x=xs,
                height=heights,
                width=0.7,
                brush=QBrush(QColor(colours.backward), BACKWARD_PATTERN),
                pen=pg.mkPen(colours.backward, width=1),
            )
        )
        top = max(heights, default=0.0)
        item.setYRange(0, max(top * 1.25, 5.0), padding=0)
        if len(xs) <= LABELLED_UP_TO:
            for x, value in zip(xs, heights, strict=True):
                if value > 0:
                    self._label(item, x, value, f"{value:.0f}", colours)
        latest = self._weeks[-1]
        this = minutes.get(latest, 0.0)
        best_week = max(self._weeks, key=lambda w: minutes[w])
        self.time_note.setText(
            f"Week of {self._week(latest)}: {this:.0f} min backwards.  Most: "
            f"{minutes[best_week]:.0f} min (week of {self._week(best_week)})."
        )

    def _draw_speed(self) -> None:
        if self.data is None or not self._weeks:
            return
        colours = self._current_colours()
        item = self.speed_plot.getPlotItem()
        item.clear()
        item.setLabel("left", f"speed ({self.units.symbol})")
        effort = self.data.effort
        if not effort.by_week:
            self.speed_note.setText(
                "No heart rate recorded while going backwards yet: wear the strap to see "
                "how your backward speed at the same heart rate grows."
            )
            item.setYRange(0, 8, padding=0)
            return
        index = {week: n for n, week in enumerate(self._weeks)}
        result = effort.speed_at(self.reference_hr)
        xs = [index[p.week] for p in result.points if p.week in index]
        ys = [self._speed(p.speed_kmh) for p in result.points if p.week in index]
        item.plot(
            xs,
            ys,
            pen=pg.mkPen(colours.backward, width=3),
            symbol="o",
            symbolSize=14 if len(self._weeks) <= 2 * LABELLED_UP_TO else 7,
            symbolBrush=colours.backward,
            symbolPen=pg.mkPen(colours.text, width=1),
        )
        if ys:
            low, high = min(ys), max(ys)
            room = max((high - low) * 0.3, 0.5)
            item.setYRange(max(low - room, 0.0), high + room, padding=0)
        else:
            item.setYRange(0, 8, padding=0)
        if len(self._weeks) <= LABELLED_UP_TO:
            for x, y in zip(xs, ys, strict=True):
                self._label(item, x, y, f"{y:.1f}", colours)
        self.speed_note.setText(self._speed_note(result.left_out, bool(ys)))

    def _speed_note(self, left_out: tuple[WeekSpeed, ...], any_point: bool) -> str:
        bpm = self.reference_hr
        why = (
            f"less than {MIN_SAMPLES // 60} min of backward running within "
            f"± {HR_TOLERANCE} bpm of {bpm}"
        )
        if not any_point:
            return f"No week has a point at {bpm} bpm ({why}): try another heart rate."
        weeks = [w.week for w in left_out]
        if not weeks:
            return f"Every week with backward running has a point at {bpm} bpm."
        if len(weeks) <= 4:
            names = ", ".join(self._week(w) for w in weeks)
            return f"Left out, the week of {names}: {why}."
        return f"{len(weeks)} weeks left out: {why}."

    def _draw_plan(self, colours: Palette) -> None:
        item = self.plan_plot.getPlotItem()
        item.clear()
        weeks = self.plan_weeks()
        xs = list(range(len(weeks)))
        shares = [100 * w.share for w in weeks]
        item.addItem(
            pg.BarGraphItem(
                x=xs,
                height=shares,
                width=0.7,
                brush=_translucent(PLAN_COLOUR, 150),
                pen=pg.mkPen(PLAN_COLOUR, width=1),
            )
        )
        full = pg.InfiniteLine(
            pos=100,
            angle=0,
            movable=False,
            pen=pg.mkPen(colours.muted, width=2, style=Qt.PenStyle.DashLine),
            label="all done",
            labelOpts={"position": 0.02, "color": colours.muted, "anchors": [(0, 1), (0, 1)]},
        )
        item.addItem(full)
        item.setYRange(0, 118, padding=0)
        if len(xs) <= LABELLED_UP_TO:
            for x, week in zip(xs, weeks, strict=True):
                if week.done:
                    self._label(item, x, 100 * week.share, f"{week.cumulative}", colours)
        total = len(self._progression.sessions())
        done = weeks[-1].cumulative if weeks else 0
        if done == 0:
            self.plan_note.setText(f"None of the plan's {total} sessions is done yet.")
        else:
            self.plan_note.setText(
                f"{done} of {total} sessions done ({done / total:.0%}); the number over a "
                "bar is how many were done by the end of that week."
            )

    def _set_week_axis(self, plot: pg.PlotWidget) -> None:
        n = len(self._weeks)
        step = max(1, math.ceil(n / MAX_TICKS))
        major = [(i, self._week(w)) for i, w in enumerate(self._weeks) if i % step == 0]
        axis = plot.getPlotItem().getAxis("bottom")
        axis.setTicks([major, []])
        plot.getPlotItem().setXRange(-0.6, n - 0.4, padding=0)

    def _label(self, item: pg.PlotItem, x: float, y: float, text: str, colours: Palette) -> None:
        label = pg.TextItem(text, color=colours.text, anchor=(0.5, 1.1))
        font = QFont()
        font.setPixelSize(16)
        font.setBold(True)
        label.setFont(font)
        label.setPos(x, y)
        item.addItem(label)

    def _week(self, week: datetime.date) -> str:
        # Over more than one year, a week without its year could be either.
        years = bool(self._weeks) and self._weeks[0].year != self._weeks[-1].year
        return week_text(week, year=years)

    def _speed(self, kmh: float) -> float:
        return kmh if self.units is Units.KMH else kmh / KMH_PER_MPH

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
        self._draw()

    def _apply_colours(self, colours: Palette) -> None:
        for plot in (self.time_plot, self.speed_plot, self.plan_plot):
            style_chart(plot, colours)

    def _plot(self, name: str, label: str) -> pg.PlotWidget:
        plot = pg.PlotWidget()
        plot.setObjectName(name)
        plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        plot.setMinimumHeight(110)
        item = plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.setLabel("left", label)
        return plot


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-size: 20px; font-weight: bold;")
    return label


def _note(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setProperty("role", "formHint")
    label.setWordWrap(True)
    return label


def _row(widget: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(widget)
    row.addStretch(1)
    return row


def _translucent(colour: str, alpha: int) -> QColor:
    faint = QColor(colour)
    faint.setAlpha(alpha)
    return faint
