"""The whole workout as a strip: one bar per segment, as wide as its planned time and as
tall as its speed, backward hatched and forward plain (never colour alone), the
turn-arounds as low yellow slots, the done part dimmed and a marker where the session is.

Positions are in planned seconds (from `coach.plan.estimate`), not elapsed time: a pause
or a runner's slower pace moves the marker through a segment at the segment's own rate,
so it always sits inside the segment being run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from retrocoach.coach.engine import EngineState, Snapshot
from retrocoach.coach.events import Phase
from retrocoach.coach.plan import Segment, SpeedLimits, estimate
from retrocoach.gui.palette import Palette, palette_for
from retrocoach.gui.widgets.direction import draw_hatch
from retrocoach.workouts.model import Direction, TimeEnd
from retrocoach.workouts.profile import RunnerProfile

MIN_BAR_FRACTION = 0.3  # the slowest segment still gets a bar tall enough to see


@dataclass(frozen=True)
class Span:
    segment: Segment
    start_s: float
    duration_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


def plan_spans(
    segments: Sequence[Segment], profile: RunnerProfile, limits: SpeedLimits
) -> tuple[list[Span], float]:
    """Each segment's planned start and length, and the whole session's length."""
    if not segments:
        return [], 0.0
    plan = estimate(list(segments), profile, limits)
    spans = []
    for i, seg in enumerate(segments):
        start = plan.starts_s[i]
        if i + 1 < len(segments) and segments[i + 1].direction is seg.direction:
            length = plan.starts_s[i + 1] - start  # no turn-around between them
        elif i + 1 == len(segments):
            length = plan.duration_s - start
        else:
            length = own_length_s(seg)
        spans.append(Span(seg, start, max(length, 0.0)))
    return spans, plan.duration_s


def own_length_s(seg: Segment) -> float:
    if isinstance(seg.end, TimeEnd):
        return seg.end.seconds
    return seg.end.metres / max(seg.target_kmh / 3.6, 0.1)


class WorkoutTimeline(QWidget):
    def __init__(self, parent: QWidget | None = None, palette: Palette | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workoutTimeline")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._palette = palette or palette_for("dark")
        self._spans: list[Span] = []
        self._total_s = 0.0
        self._top_kmh = 1.0
        self._position_s = 0.0

    def sizeHint(self) -> QSize:
        return QSize(600, 48)

    # ------------------------------------------------------------------ public

    @property
    def spans(self) -> list[Span]:
        return list(self._spans)

    @property
    def total_s(self) -> float:
        return self._total_s

    @property
    def position_s(self) -> float:
        """Where the session is, in planned seconds from the start."""
        return self._position_s

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        self.update()

    def set_plan(
        self, segments: Sequence[Segment], profile: RunnerProfile, limits: SpeedLimits
    ) -> None:
        self._spans, self._total_s = plan_spans(segments, profile, limits)
        self._top_kmh = max((s.segment.target_kmh for s in self._spans), default=1.0)
        self._position_s = 0.0
        self.update()

    def set_position(self, planned_s: float) -> None:
        planned_s = min(max(planned_s, 0.0), self._total_s)
        if abs(planned_s - self._position_s) > 1e-6:
            moved = round(self.x_of(planned_s)) != round(self.x_of(self._position_s))
            self._position_s = planned_s
            if moved:  # repainted only when the marker moves a pixel (not 10 times a second)
                self.update()

    def follow(self, snap: Snapshot) -> None:
        """Move the marker to where this snapshot of the engine is."""
        position = self.position_of(snap)
        if position is not None:
            self.set_position(position)

    def position_of(self, snap: Snapshot) -> float | None:
        """The planned time matching a snapshot; None to leave the marker where it is
        (after the end: the done part shows how far the session got)."""
        if snap.state is EngineState.IDLE:
            return 0.0
        if snap.state in (EngineState.FINISHING, EngineState.FINISHED):
            return None
        seg = snap.segment
        if seg is None or seg.index >= len(self._spans):
            return None
        span = self._spans[seg.index]
        if snap.segment_active:
            if isinstance(seg.end, TimeEnd):
                left = snap.remaining_s if snap.remaining_s is not None else seg.end.seconds
                done = 1.0 - left / seg.end.seconds
            else:
                left_m = snap.remaining_m if snap.remaining_m is not None else seg.end.metres
                done = 1.0 - left_m / seg.end.metres
            return span.start_s + min(max(done, 0.0), 1.0) * span.duration_s
        if seg.index == 0:
            return 0.0 if snap.phase is not Phase.COUNTDOWN else span.start_s * 0.5
        # Between segments: the turn-around (or the countdown) leading into this one.
        before = self._spans[seg.index - 1]
        if snap.phase is Phase.COUNTDOWN or snap.phase is Phase.RAMP:
            return span.start_s
        return before.end_s

    def marker_x(self) -> float:
        """The marker's x in widget pixels."""
        return self.x_of(self._position_s)

    # -------------------------------------------------------------- painting

    def _area(self) -> QRectF:
        margin = max(self.height() * 0.12, 3.0)
        return QRectF(self.rect()).adjusted(margin, margin, -margin, -margin / 2)

    def x_of(self, seconds: float) -> float:
        """The x in widget pixels of a moment of the plan."""
        area = self._area()
        if self._total_s <= 0:
            return area.left()
        return area.left() + area.width() * seconds / self._total_s

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        p = self._palette
        area = self._area()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.fillRect(QRectF(area.left(), area.bottom() - 2, area.width(), 2), p.color("grid"))
        if not self._spans:
            return
        previous_end: float | None = None
        for span in self._spans:
            if previous_end is not None and span.start_s - previous_end > 0.5:
                self._bar(painter, previous_end, span.start_s, MIN_BAR_FRACTION * 0.6, None)
            fraction = MIN_BAR_FRACTION + (1 - MIN_BAR_FRACTION) * (
                span.segment.target_kmh / self._top_kmh
            )
            self._bar(painter, span.start_s, span.end_s, fraction, span.segment.direction)
            previous_end = span.end_s

        # The done part, dimmed under a veil of the background colour.
        marker = self.marker_x()
        painter.fillRect(
            QRectF(area.left(), self.rect().top(), marker - area.left(), self.height()),
            p.color("background", 150),
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ink = p.color("text")
        painter.setPen(QPen(ink, 3))
        painter.drawLine(QPointF(marker, area.top()), QPointF(marker, area.bottom()))
        tri = max(area.top(), 4.0)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ink)
        painter.drawPolygon(
            QPolygonF(
                [
                    QPointF(marker - tri, 0),
                    QPointF(marker + tri, 0),
                    QPointF(marker, tri * 1.4),
                ]
            )
        )

    def _bar(
        self,
        painter: QPainter,
        start_s: float,
        end_s: float,
        fraction: float,
        direction: Direction | None,
    ) -> None:
        """One segment's bar (direction None: a turn-around slot)."""
        p = self._palette
        area = self._area()
        x0, x1 = self.x_of(start_s), self.x_of(end_s)
        height = area.height() * fraction
        rect = QRectF(x0, area.bottom() - height, max(x1 - x0 - 1, 1.0), height)
        if direction is None:
            painter.fillRect(rect, p.color("turn"))
            return
        painter.fillRect(rect, p.color(direction.value))
        if direction is Direction.BACKWARD:
            spacing = max(area.height() * 0.25, 6.0)
            draw_hatch(painter, rect, p.color("hatch"), spacing, spacing * 0.4)
