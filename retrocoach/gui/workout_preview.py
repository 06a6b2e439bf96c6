"""What a workout will be like for this runner, before it is chosen: its speed over
time (and incline, when it has any), how long, how far, how much of it backwards.

The plot is drawn from the same plan and estimate the engine and `retrocoach workouts`
use (`coach.plan.build_plan`, `estimate`), so the numbers agree everywhere. Direction
is told by colour *and* pattern (backward hatched vermillion, forward solid blue, the
turn-around yellow dots) and named in the legend: never by colour alone.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from retrocoach.coach.plan import (
    Estimate,
    PlanError,
    Segment,
    SpeedLimits,
    build_plan,
    estimate,
    turn_speed_kmh,
)
from retrocoach.gui.palette import BLUISH_GREEN, Palette, palette_for
from retrocoach.workouts.model import Direction, DistanceEnd, Workout, format_duration
from retrocoach.workouts.profile import RunnerProfile, Units

METRES_PER_MILE = 1609.344
# The pattern tells the direction apart where colour cannot.
BACKWARD_PATTERN = Qt.BrushStyle.BDiagPattern
FORWARD_PATTERN = Qt.BrushStyle.SolidPattern
TURN_PATTERN = Qt.BrushStyle.Dense5Pattern


INCLINE_COLOUR = BLUISH_GREEN  # Okabe-Ito; no direction uses it


def theme_of(widget: QWidget) -> str:
    """ "dark" or "light", from the background the theme's QSS gave the widget."""
    return "dark" if widget.palette().window().color().lightness() < 128 else "light"


def colours_for_widget(widget: QWidget) -> Palette:
    """The palette of the theme the widget is drawn in."""
    return palette_for(theme_of(widget))


def followed_theme(
    widget: QWidget, event: QEvent, forced: bool, current: Palette | None
) -> Palette | None:
    """A painted widget's new colours when `event` changed its theme (QSS arrives as a
    palette or style change) and it follows the theme (no `set_theme` call forced
    one); None when there is nothing to repaint."""
    if forced or event.type() not in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
        return None
    colours = colours_for_widget(widget)
    return colours if colours != current else None


CHART_TICK_PX = 15
CHART_AXIS_WIDTH_PX = 72  # the same for the charts of a page, so their x axes line up


def style_chart(plot: pg.PlotWidget, colours: Palette) -> None:
    """The look of a history or progress chart: background, axes, tick font, grid."""
    font = QFont()
    font.setPixelSize(CHART_TICK_PX)
    plot.setBackground(colours.background)
    item = plot.getPlotItem()
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(colours.grid))
        axis.setTextPen(pg.mkPen(colours.text))
        axis.setStyle(tickFont=font)
        axis.label.setFont(font)
    item.getAxis("left").setWidth(CHART_AXIS_WIDTH_PX)
    item.showGrid(x=False, y=True, alpha=0.2)


def format_distance_for(metres: float, units: Units) -> str:
    if units is Units.MPH:
        return f"{metres / METRES_PER_MILE:.2f} mi"
    return f"{metres / 1000:.2f} km"


@dataclass(frozen=True)
class Span:
    """Where one piece of the plan sits on the time axis, in seconds."""

    start_s: float
    end_s: float
    kmh: float
    incline_pct: float
    direction: Direction | None  # None: a turn-around


def spans(plan: list[Segment], est: Estimate, turn_kmh: float) -> list[Span]:
    """The segments and the turn-arounds between them, in time order.

    A segment starts where `estimate` says; it ends where the next one starts unless a
    turn-around comes between, whose own length is then what is left of the gap (a
    distance segment lasts its distance at its speed, as `estimate` counts it)."""
    found: list[Span] = []
    for index, seg in enumerate(plan):
        start = est.starts_s[index]
        if index + 1 == len(plan):
            end = est.duration_s
        elif plan[index + 1].direction is seg.direction:
            end = est.starts_s[index + 1]
        else:
            if isinstance(seg.end, DistanceEnd):
                own = seg.end.metres / (seg.target_kmh / 3.6)
            else:
                own = seg.end.seconds
            end = min(start + own, est.starts_s[index + 1])
        found.append(Span(start, end, seg.target_kmh, seg.incline_pct, seg.direction))
    turns = [
        Span(a.end_s, b.start_s, turn_kmh, 0.0, None)
        for a, b in itertools.pairwise(found)
        if a.direction is not b.direction and b.start_s > a.end_s
    ]
    return sorted(found + turns, key=lambda span: span.start_s)


class WorkoutPreview(QWidget):
    """Title, description, key numbers and the speed profile of one workout."""

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False) -> None:
        """`compact` leaves out the title and description (the editor shows them)."""
        super().__init__(parent)
        self.setObjectName("workoutPreview")
        self.compact = compact
        self._colours: Palette | None = None
        self._theme_forced = False  # set_theme was called: stop following the palette
        self._shown: tuple[Workout, RunnerProfile, SpeedLimits] | None = None

        self.title = self._label("previewTitle", wrap=True)
        self.description = self._label("previewDescription", wrap=True)
        self.duration = self._label("previewDuration")
        self.distance = self._label("previewDistance")
        self.segments = self._label("previewSegments")
        self.backward = self._label("previewBackward")
        self.note = self._label("previewNote", wrap=True)
        self.message = self._label("previewMessage", wrap=True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for fact in (self.duration, self.distance, self.segments, self.backward):
            fact.setProperty("previewRole", "fact")

        self.speed_plot = self._plot("previewSpeedPlot")
        self.incline_plot = self._plot("previewInclinePlot")
        self.incline_plot.setXLink(self.speed_plot)
        self.incline_plot.setMaximumHeight(140)
        self.legend = QHBoxLayout()
        self.legend.setSpacing(8)
        self._legend_swatches: list[tuple[QLabel, str]] = []
        for key, text in (
            ("backward", "Backward"),
            ("forward", "Forward"),
            ("turn", "Turn-around"),
            ("incline", "Incline"),
        ):
            swatch = QLabel()
            swatch.setObjectName(f"previewLegend_{key}")
            name = self._label(f"previewLegendText_{key}")
            name.setText(text)
            self.legend.addWidget(swatch)
            self.legend.addWidget(name)
            self.legend.addSpacing(16)
            self._legend_swatches.append((swatch, key))
        self.legend.addStretch(1)

        facts = QGridLayout()
        facts.setHorizontalSpacing(24)
        per_row = 2  # two rows leave the list beside the preview room for whole titles
        for index, fact in enumerate((self.duration, self.distance, self.segments, self.backward)):
            facts.addWidget(fact, index // per_row, index % per_row)
        facts.setColumnStretch(per_row, 1)

        self._plots = plots = QWidget()
        plots_layout = QVBoxLayout(plots)
        plots_layout.setContentsMargins(0, 0, 0, 0)
        plots_layout.addLayout(self.legend)
        plots_layout.addWidget(self.speed_plot, 3)
        plots_layout.addWidget(self.incline_plot, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(plots)
        self.stack.addWidget(self.message)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.description)
        layout.addLayout(facts)
        layout.addWidget(self.note)
        layout.addWidget(self.stack, 1)
        self.clear()

    # ------------------------------------------------------------------ API

    def show_workout(
        self, workout: Workout, profile: RunnerProfile, limits: SpeedLimits | None = None
    ) -> None:
        """Show `workout` as `profile` would run it on a machine with `limits`."""
        limits = limits or SpeedLimits()
        self._shown = (workout, profile, limits)
        self.title.setText(workout.title)
        self.description.setText(workout.description)
        self.title.setVisible(not self.compact)
        self.description.setVisible(bool(workout.description) and not self.compact)
        try:
            plan = build_plan(workout, profile, limits)
        except PlanError as exc:
            self._show_facts(None)
            self.show_message(
                "This workout cannot be run safely with your profile on this treadmill:\n• "
                + "\n• ".join(exc.problems)
            )
            return
        est = estimate(plan, profile, limits)
        self._show_facts((plan, est, profile.units))
        self._draw(plan, est, profile, limits)
        self.stack.setCurrentWidget(self._plots)

    def show_message(self, text: str) -> None:
        """Text in place of the plot (the facts stay as they are)."""
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def clear(self, text: str = "Choose a workout to see it here.") -> None:
        self._shown = None
        self.title.setText("")
        self.description.setText("")
        self.description.hide()
        self._show_facts(None)
        self.show_message(text)

    @property
    def shown_workout(self) -> Workout | None:
        return self._shown[0] if self._shown else None

    # ------------------------------------------------------------ drawing

    def _show_facts(self, facts: tuple[list[Segment], Estimate, Units] | None) -> None:
        labels = (self.duration, self.distance, self.segments, self.backward, self.note)
        if facts is None:
            for label in labels:
                label.hide()
            return
        plan, est, units = facts
        share = est.backward_s / est.duration_s if est.duration_s > 0 else 0.0
        self.duration.setText(f"about {format_duration(est.duration_s)}")
        self.distance.setText(format_distance_for(est.distance_m, units))
        self.segments.setText(f"{len(plan)} segment{'s' if len(plan) != 1 else ''}")
        self.backward.setText(
            f"backwards {share:.0%} of the time ({format_duration(est.backward_s)})"
        )
        for label in labels[:4]:
            label.show()
        clamped = [seg for seg in plan if seg.clamped]
        if clamped:
            self.note.setText(
                f"⚠ {len(clamped)} of the segments are slowed to your speed caps or the "
                "treadmill's range."
            )
        self.note.setVisible(bool(clamped))

    def _draw(
        self, plan: list[Segment], est: Estimate, profile: RunnerProfile, limits: SpeedLimits
    ) -> None:
        colours = self._current_colours()
        units = profile.units
        pieces = spans(plan, est, turn_speed_kmh(profile, limits))
        speed = self.speed_plot.getPlotItem()
        speed.clear()

        def bars(kind: Direction | None) -> tuple[list[float], list[float], list[float]]:
            chosen = [p for p in pieces if p.direction is kind]
            return (
                [p.start_s / 60 for p in chosen],
                [p.end_s / 60 for p in chosen],
                [units.from_kmh(p.kmh) for p in chosen],
            )

        kinds: tuple[tuple[Direction | None, str, Qt.BrushStyle], ...] = (
            (Direction.BACKWARD, colours.backward, BACKWARD_PATTERN),
            (Direction.FORWARD, colours.forward, FORWARD_PATTERN),
            (None, colours.turn, TURN_PATTERN),
        )
        for kind, colour, pattern in kinds:
            x0, x1, height = bars(kind)
            if not x0:
                continue
            if pattern is not Qt.BrushStyle.SolidPattern:
                # A faint fill under the pattern so the area reads as one block.
                faint = _translucent(colour)
                speed.addItem(
                    pg.BarGraphItem(x0=x0, x1=x1, height=height, brush=faint, pen=pg.mkPen(None))
                )
            item = pg.BarGraphItem(
                x0=x0,
                x1=x1,
                height=height,
                brush=QBrush(QColor(colour), pattern),
                # Yellow on white needs a darker edge to be seen.
                pen=pg.mkPen(colours.muted if kind is None else colour, width=1),
            )
            speed.addItem(item)

        xs = [pieces[0].start_s / 60] + [p.end_s / 60 for p in pieces]
        ys = [units.from_kmh(p.kmh) for p in pieces]
        speed.plot(xs, ys, stepMode="center", pen=pg.mkPen(colours.text, width=2))
        speed.setLabel("left", f"speed ({units.symbol})")
        speed.setLabel("bottom", "minutes")
        top = max(ys) if ys else 1.0
        speed.setYRange(0, top * 1.25, padding=0)
        speed.setXRange(0, est.duration_s / 60, padding=0.01)

        has_incline = any(p.incline_pct for p in pieces)
        self.incline_plot.setVisible(has_incline)
        present = {piece.direction.value if piece.direction else "turn" for piece in pieces}
        self._show_legend(present | ({"incline"} if has_incline else set()), colours)
        incline = self.incline_plot.getPlotItem()
        incline.clear()
        if has_incline:
            incline.plot(
                xs,
                [p.incline_pct for p in pieces],
                stepMode="center",
                pen=pg.mkPen(INCLINE_COLOUR, width=3),
                fillLevel=0,
                brush=_translucent(INCLINE_COLOUR),
            )
            incline.setLabel("left", "incline (%)")
            incline.setLabel("bottom", "minutes")
            speed.setLabel("bottom", "")
        self._apply_plot_colours(colours)

    # ------------------------------------------------------------ look

    def changeEvent(self, event: QEvent) -> None:
        colours = followed_theme(self, event, self._theme_forced, self._colours)
        if colours is not None:
            self.set_colours(colours)
        super().changeEvent(event)

    def set_theme(self, theme: str) -> None:
        """Paint in this theme's palette ("dark", "light"); without a call the plot
        follows the background the theme's QSS gives the widget."""
        self._theme_forced = True
        self.set_colours(palette_for(theme))

    def set_colours(self, colours: Palette) -> None:
        self._colours = colours
        if self._shown is not None:
            self.show_workout(*self._shown)
        else:
            self._apply_plot_colours(colours)

    def _current_colours(self) -> Palette:
        if self._colours is None:
            self._colours = colours_for_widget(self)
        return self._colours

    def _apply_plot_colours(self, colours: Palette) -> None:
        font = QFont()
        font.setPixelSize(15)
        for plot in (self.speed_plot, self.incline_plot):
            plot.setBackground(colours.background)
            item = plot.getPlotItem()
            for name in ("left", "bottom"):
                axis = item.getAxis(name)
                axis.setPen(pg.mkPen(colours.text))
                axis.setTextPen(pg.mkPen(colours.text))
                axis.setStyle(tickFont=font)
                axis.label.setFont(font)
            item.showGrid(x=False, y=True, alpha=0.25)

    def _show_legend(self, keys: set[str], colours: Palette) -> None:
        for swatch, key in self._legend_swatches:
            text = self.findChild(QLabel, f"previewLegendText_{key}")
            swatch.setPixmap(legend_swatch(key, colours))
            swatch.setVisible(key in keys)
            if text is not None:
                text.setVisible(key in keys)

    def _plot(self, name: str) -> pg.PlotWidget:
        plot = pg.PlotWidget()
        plot.setObjectName(name)
        item = plot.getPlotItem()
        item.setMouseEnabled(x=False, y=False)
        item.setMenuEnabled(False)
        item.hideButtons()
        plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        plot.setMinimumHeight(80)
        return plot

    def _label(self, name: str, *, wrap: bool = False) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(wrap)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        return label


def _translucent(colour: str, alpha: int = 80) -> QColor:
    faint = QColor(colour)
    faint.setAlpha(alpha)
    return faint


def legend_swatch(key: str, colours: Palette) -> QPixmap:
    """A legend sample painted like the plot paints that kind."""
    pixmap = QPixmap(34, 20)
    pixmap.fill(QColor(colours.background))
    painter = QPainter(pixmap)
    if key == "incline":
        painter.setPen(QPen(QColor(INCLINE_COLOUR), 3))
        painter.drawLine(2, 14, 32, 6)
    else:
        colour, pattern = {
            "backward": (colours.backward, BACKWARD_PATTERN),
            "forward": (colours.forward, FORWARD_PATTERN),
            "turn": (colours.turn, TURN_PATTERN),
        }[key]
        painter.fillRect(0, 0, 34, 20, _translucent(colour))
        painter.setBrush(QBrush(QColor(colour), pattern))
        painter.setPen(QPen(QColor(colour), 1))
        painter.drawRect(0, 0, 33, 19)
    painter.end()
    return pixmap
