"""The live heart-rate plot: the line, the zones as bands, the ceiling, and the backward
stretches shaded, over the last 10 minutes or the whole session (one click).

Cheap for a 3-hour session: samples go into numpy arrays that grow by doubling (never
re-created per sample), the curve is downsampled (peak mode, so spikes stay visible) and
clipped to the view, and redrawing is throttled: a sample only marks the plot dirty, a
timer redraws at most `REDRAW_HZ` times a second however fast a simulation runs.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from retrocoach.coach.heartrate import zone_bounds
from retrocoach.gui.palette import Palette, palette_for
from retrocoach.workouts.profile import RunnerProfile

WINDOW_MIN = 10.0  # the default view: the last ten minutes
REDRAW_HZ = 4.0
FIRST_CAPACITY = 1024
ZONE_ALPHA = 45
BACKWARD_ALPHA = 70


class HeartRatePlot(QWidget):
    def __init__(self, parent: QWidget | None = None, palette: Palette | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("heartRatePlot")
        self._palette = palette or palette_for("dark")
        self._profile: RunnerProfile | None = None
        self._whole = False
        self._dirty = False
        self._y_range_due = False

        self._x: NDArray[np.float64] = np.empty(FIRST_CAPACITY)
        self._y: NDArray[np.float64] = np.empty(FIRST_CAPACITY)
        self._n = 0
        self._lowest = math.inf  # the lowest heart rate so far: the view reaches down to it
        # Backward stretches as [start, end] in minutes; the last one may still grow.
        self._spans: list[list[float]] = []
        self._span_items: list[pg.LinearRegionItem] = []
        self._in_backward = False

        self.view = pg.PlotWidget()
        self.view.setObjectName("heartRateView")
        self.view.setMenuEnabled(False)
        self.view.setMouseEnabled(x=False, y=False)
        self.view.hideButtons()
        item = self.view.getPlotItem()
        item.setClipToView(True)
        item.setDownsampling(auto=True, mode="peak")
        item.setLabel("bottom", "minutes")
        self.curve = self.view.plot([], [], connect="finite")
        self.curve.setZValue(10)
        # Peak mode keeps each bin's minimum and maximum: one bin per pixel already draws
        # two points per pixel (pyqtgraph's default of 5 bins would barely reduce 3 h).
        self.curve.opts["autoDownsampleFactor"] = 1.0
        self._zone_items: list[pg.LinearRegionItem] = []
        self.ceiling_line = pg.InfiniteLine(
            angle=0,
            movable=False,
            label="ceiling {value:.0f}",
            labelOpts={"position": 0.01, "anchors": [(0, 0), (0, 0)]},  # under the line
        )
        self.ceiling_line.setZValue(5)
        self.view.addItem(self.ceiling_line)

        self.toggle = QPushButton()
        self.toggle.setObjectName("hrWindowToggle")
        self.toggle.setCheckable(True)
        self.toggle.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space belongs to pause
        self.toggle.toggled.connect(self.set_whole_session)
        self.legend = QLabel("shaded: backward")
        self.legend.setObjectName("hrLegend")

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.legend)
        top.addStretch(1)
        top.addWidget(self.toggle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(1000 / REDRAW_HZ))
        self._timer.timeout.connect(self.flush)
        self._apply_palette()
        self._update_toggle_text()
        self._apply_range()

    # ------------------------------------------------------------------ public

    @property
    def whole_session(self) -> bool:
        return self._whole

    @property
    def sample_count(self) -> int:
        return self._n

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        self._apply_palette()
        if self._profile is not None:
            self.set_profile(self._profile)
        self._restyle_spans()

    def set_profile(self, profile: RunnerProfile) -> None:
        """Zones, ceiling and the heart-rate range shown come from the runner."""
        self._profile = profile
        p = self._palette
        for old in self._zone_items:
            self.view.removeItem(old)
        self._zone_items = []
        ticks = []
        for zone in zone_bounds(profile)[1:]:
            band = pg.LinearRegionItem(
                values=(zone.low_bpm, min(zone.high_bpm, profile.hr_max + 5)),
                orientation="horizontal",
                movable=False,
                brush=p.zone_color(zone.number, ZONE_ALPHA),
                pen=pg.mkPen(None),
            )
            band.setZValue(-20)
            self.view.addItem(band)
            self._zone_items.append(band)
            ticks.append((zone.low_bpm, f"Z{zone.number} {zone.low_bpm}"))
        self.view.getPlotItem().getAxis("left").setTicks([ticks, []])
        self.ceiling_line.setPos(profile.hr_ceiling)
        self.ceiling_line.setPen(pg.mkPen(p.ceiling, width=3, style=Qt.PenStyle.DashLine))
        self.ceiling_line.label.setColor(p.ceiling)
        self._apply_y_range()

    def add_sample(self, t_s: float, bpm: int | None, direction: str) -> None:
        """One sample at `t_s` seconds into the session; None (no heart rate) breaks the
        line. `direction` is "backward" or "forward" (a Direction works too)."""
        minutes = t_s / 60.0
        if self._n == len(self._x):
            self._x = _grown(self._x, self._n)
            self._y = _grown(self._y, self._n)
        self._x[self._n] = minutes
        self._y[self._n] = math.nan if bpm is None else float(bpm)
        if bpm is not None and bpm < self._lowest:
            self._lowest = bpm
            self._y_range_due = True
        self._n += 1
        backward = str(direction) == "backward"
        if backward and self._in_backward and self._spans:
            self._spans[-1][1] = minutes
        elif backward:
            self._spans.append([minutes, minutes])
        self._in_backward = backward
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    def reset(self) -> None:
        self._x = np.empty(FIRST_CAPACITY)
        self._y = np.empty(FIRST_CAPACITY)
        self._n = 0
        self._lowest = math.inf
        self._y_range_due = True
        self._spans = []
        self._in_backward = False
        for item in self._span_items:
            self.view.removeItem(item)
        self._span_items = []
        self._dirty = True
        self.flush()

    def set_whole_session(self, whole: bool) -> None:
        self._whole = whole
        if self.toggle.isChecked() != whole:
            self.toggle.setChecked(whole)  # comes back here once, with nothing to do
            return
        self._update_toggle_text()
        self._apply_range()

    def toggle_window(self) -> None:
        self.set_whole_session(not self._whole)

    def x_range(self) -> tuple[float, float]:
        """The minutes shown."""
        low, high = self.view.getPlotItem().getViewBox().viewRange()[0]
        return float(low), float(high)

    def backward_spans(self) -> list[tuple[float, float]]:
        """The shaded backward stretches as drawn, in minutes."""
        regions = (item.getRegion() for item in self._span_items)
        return [(float(low), float(high)) for low, high in regions]

    def displayed_points(self) -> int:
        """How many points the curve draws after downsampling and clipping."""
        x, _ = self.curve.getData()
        return 0 if x is None else len(x)

    def flush(self) -> None:
        """Redraw now if samples came since the last redraw."""
        if not self._dirty:
            return
        self._dirty = False
        n = self._n
        self.curve.setData(self._x[:n], self._y[:n], connect="finite")
        self._sync_spans()
        self._apply_range()
        if self._y_range_due:
            self._apply_y_range()

    # --------------------------------------------------------------- internals

    def _apply_range(self) -> None:
        last = float(self._x[self._n - 1]) if self._n else 0.0
        if self._whole:
            low, high = 0.0, max(last, 1.0)
        else:
            high = max(last, WINDOW_MIN)
            low = high - WINDOW_MIN
        self.view.setXRange(low, high, padding=0)

    def _apply_y_range(self) -> None:
        """From a little below zone 1 (lower if the heart rate went lower) to the maximum:
        the zones get the room, a resting heart rate still shows."""
        self._y_range_due = False
        profile = self._profile
        if profile is None:
            return
        floor = zone_bounds(profile)[1].low_bpm - 25
        low = max(min(floor, self._lowest - 5), 30)
        self.view.setYRange(low, profile.hr_max + 5, padding=0)

    def _sync_spans(self) -> None:
        brush = self._backward_brush()
        first_open = max(len(self._span_items) - 1, 0)  # earlier stretches are closed
        while len(self._span_items) < len(self._spans):
            item = pg.LinearRegionItem(movable=False, brush=brush, pen=pg.mkPen(None))
            item.setZValue(-10)
            self.view.addItem(item)
            self._span_items.append(item)
        for span, item in zip(self._spans[first_open:], self._span_items[first_open:], strict=True):
            item.setRegion((span[0], span[1] + 1 / 60))  # a sample stands for a second

    def _backward_brush(self) -> QBrush:
        return QBrush(self._palette.color("backward", BACKWARD_ALPHA))

    def _restyle_spans(self) -> None:
        brush = self._backward_brush()
        for item in self._span_items:
            item.setBrush(brush)

    def _apply_palette(self) -> None:
        p = self._palette
        self.view.setBackground(p.background)
        item = self.view.getPlotItem()
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen(p.grid))
            axis.setTextPen(pg.mkPen(p.text))
        self.curve.setPen(pg.mkPen(p.heart_rate, width=2))

    def _update_toggle_text(self) -> None:
        self.toggle.setText("Show last 10 min" if self._whole else "Show whole session")


def _grown(values: NDArray[np.float64], used: int) -> NDArray[np.float64]:
    """Twice the room, the first `used` values kept: appending stays O(1) on average."""
    bigger = np.empty(max(len(values) * 2, FIRST_CAPACITY))
    bigger[:used] = values[:used]
    return bigger
