"""The direction band: which way the runner faces, as a huge word, an arrow, a colour
and a pattern, with the phase (countdown digits, TURN AROUND, PAUSED...) under it.

Arrows: the laptop sits by the console (or in front of the treadmill), so the screen is
what a forward runner faces. "Up the screen" is therefore "ahead" for them, as on a map
held heading-up: FORWARD points up (towards the console), BACKWARD points down (the way
the runner's back now leads, towards the back of the treadmill). A turn-around shows a
U-turn arrow beside the arrow of the direction being turned INTO, on a yellow band with
hazard stripes, so it reads as "turn now" at a glance. Backward is also hatched, so it
never differs from forward by colour alone.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from retrocoach.gui.palette import Palette, palette_for
from retrocoach.workouts.model import Direction

COUNTDOWN_MAX_CHARS = 2  # a phase line this short is a countdown digit
WORDS = {Direction.BACKWARD: "BACKWARD", Direction.FORWARD: "FORWARD"}


def fitted_px(text: str, wanted_px: int, width: float, *, bold: bool = True) -> int:
    """The largest pixel size up to `wanted_px` at which `text` fits in `width`."""
    if not text or width <= 0:
        return max(wanted_px, 1)
    font = QFont()
    font.setPixelSize(max(wanted_px, 1))
    font.setBold(bold)
    needed = QFontMetrics(font).horizontalAdvance(text)
    if needed <= width:
        return max(wanted_px, 1)
    return max(int(wanted_px * width / needed), 8)


def text_css(px: int, color: str | None = None, *, bold: bool = True) -> str:
    """A label's own style: its size (which the app's QSS would otherwise fix) and, on
    a painted band, a transparent background and the band's text colour."""
    css = f"font-size: {px}px; font-weight: {'bold' if bold else 'normal'};"
    if color is not None:
        css += f" color: {color}; background: transparent;"
    return css


class DirectionIndicator(QWidget):
    def __init__(self, parent: QWidget | None = None, palette: Palette | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("directionIndicator")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._palette = palette or palette_for("dark")
        self._direction: Direction | None = None
        self._turning = False
        self._dimmed = False
        self._word_px = 72
        self._phase_px = 40

        self.word = QLabel("", self)
        self.word.setObjectName("directionWord")
        self.phase = QLabel("", self)
        self.phase.setObjectName("phaseText")
        for label in (self.word, self.phase):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout = QVBoxLayout(self)
        layout = self._layout
        layout.addStretch(1)
        layout.addWidget(self.word)
        layout.addWidget(self.phase)
        layout.addStretch(1)
        self._styles: dict[QLabel, str] = {}
        self._restyle()

    # ------------------------------------------------------------------ public

    @property
    def direction(self) -> Direction | None:
        return self._direction

    @property
    def turning(self) -> bool:
        return self._turning

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        self._restyle()
        self.update()

    def set_text_px(self, word_px: int, phase_px: int) -> None:
        """Sizes wanted for the word and the phase line (shrunk to fit the band)."""
        self._word_px, self._phase_px = word_px, phase_px
        self._restyle()

    def show_state(
        self,
        direction: Direction | None,
        *,
        turning: bool = False,
        phase: str = "",
        dimmed: bool = False,
        word: str | None = None,
    ) -> None:
        """The direction to face (during a turn-around: the one being turned into); None
        for no direction (the band goes neutral and `word` says why)."""
        text = word if word is not None else (WORDS[direction] if direction else "")
        changed = (direction, turning, dimmed) != (self._direction, self._turning, self._dimmed)
        self._direction, self._turning, self._dimmed = direction, turning, dimmed
        kind = "none" if direction is None else ("turn" if turning else direction.value)
        self.setProperty("direction", kind)
        if text != self.word.text() or phase != self.phase.text() or changed:
            self.word.setText(text)
            self.phase.setText(phase)
            self._restyle()
        if changed:
            self.update()

    # --------------------------------------------------------------- geometry

    def _arrow_box(self) -> float:
        return min(self.height() * 0.62, self.width() * 0.16)

    def _pad(self) -> float:
        return max(self.height() * 0.06, 6.0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        side = int(self._arrow_box() + 2 * self._pad())
        self._layout.setContentsMargins(side, 0, side, 0)
        self._restyle()
        super().resizeEvent(event)

    # -------------------------------------------------------------- painting

    def _band_colors(self) -> tuple[QColor, QColor]:
        """The band's fill and the colour of what is drawn on it."""
        p = self._palette
        if self._direction is None:
            return p.color("idle"), p.color("text")
        if self._dimmed:  # paused: a neutral band, the direction only as its border
            return p.color("idle"), p.color("text")
        if self._turning:
            return p.color("turn"), p.color("on_turn")
        if self._direction is Direction.BACKWARD:
            return p.color("backward"), p.color("on_backward")
        return p.color("forward"), p.color("on_forward")

    def _restyle(self) -> None:
        _, ink = self._band_colors()
        avail = self.width() - 2 * (self._arrow_box() + 2 * self._pad())
        word_wanted, phase_wanted = self._word_px, self._phase_px
        if 0 < len(self.phase.text()) <= COUNTDOWN_MAX_CHARS:
            # A countdown digit is what matters this second: it takes the lead.
            word_wanted, phase_wanted = int(word_wanted * 0.75), int(word_wanted * 1.15)
        word_px = fitted_px(self.word.text(), word_wanted, avail)
        phase_px = fitted_px(self.phase.text(), phase_wanted, avail)
        self._style(self.word, text_css(word_px, ink.name()))
        self._style(self.phase, text_css(phase_px, ink.name()))

    def _style(self, label: QLabel, css: str) -> None:
        # Re-applying a style sheet re-polishes the label: only when it changed.
        if self._styles.get(label) != css:
            self._styles[label] = css
            label.setStyleSheet(css)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        radius = min(rect.height() * 0.08, 18.0)
        fill, ink = self._band_colors()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, radius, radius)

        clip = QPainterPath()
        clip.addRoundedRect(rect, radius, radius)
        painter.setClipPath(clip)
        p = self._palette
        if self._direction is not None and not self._dimmed:
            if self._turning:
                self._hazard_stripes(painter, rect, p.color("on_turn"))
            elif self._direction is Direction.BACKWARD:
                spacing = max(rect.height() * 0.12, 8.0)
                draw_hatch(painter, rect, p.color("hatch"), spacing, spacing * 0.3)
        painter.setClipping(False)

        if self._direction is not None and self._dimmed:
            edge = p.color("backward" if self._direction is Direction.BACKWARD else "forward")
            painter.setPen(QPen(edge, max(rect.height() * 0.04, 4.0)))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, radius, radius)

        if self._direction is None:
            return
        box = self._arrow_box()
        pad = self._pad()
        top = rect.center().y() - box / 2
        left = QRectF(rect.left() + pad, top, box, box)
        right = QRectF(rect.right() - pad - box, top, box, box)
        if self._turning:
            draw_u_turn(painter, left, ink)
        else:
            draw_arrow(painter, left, self._direction, ink)
        draw_arrow(painter, right, self._direction, ink)

    @staticmethod
    def _hazard_stripes(painter: QPainter, rect: QRectF, ink: QColor) -> None:
        """Diagonal stripes along the top and bottom edges: "caution", not colour alone."""
        depth = rect.height() * 0.1
        step = depth * 2.2
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ink)
        for y in (rect.top(), rect.bottom() - depth):
            x = rect.left() - depth
            while x < rect.right():
                painter.drawPolygon(
                    QPolygonF(
                        [
                            QPointF(x, y + depth),
                            QPointF(x + depth, y),
                            QPointF(x + depth * 1.8, y),
                            QPointF(x + depth * 0.8, y + depth),
                        ]
                    )
                )
                x += step


def draw_hatch(painter: QPainter, rect: QRectF, ink: QColor, spacing: float, width: float) -> None:
    """Thick diagonal stripes over `rect` (Qt's hatch brushes are 1 px: invisible from
    2 m)."""
    painter.save()
    painter.setClipRect(rect, Qt.ClipOperation.IntersectClip)
    painter.setPen(QPen(ink, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
    x = rect.left() - rect.height()
    while x < rect.right():
        painter.drawLine(QPointF(x, rect.bottom()), QPointF(x + rect.height(), rect.top()))
        x += spacing
    painter.restore()


def draw_arrow(painter: QPainter, box: QRectF, direction: Direction, ink: QColor) -> None:
    """A solid block arrow in `box`: up for forward, down for backward (see the module
    comment for why)."""
    w, h = box.width(), box.height()
    cx = box.center().x()
    head_w, head_h, shaft_w = w * 0.9, h * 0.5, w * 0.36
    # Drawn pointing up, then mirrored for backward.
    points = [
        (cx, 0.0),
        (cx + head_w / 2, head_h),
        (cx + shaft_w / 2, head_h),
        (cx + shaft_w / 2, h),
        (cx - shaft_w / 2, h),
        (cx - shaft_w / 2, head_h),
        (cx - head_w / 2, head_h),
    ]
    if direction is Direction.BACKWARD:
        points = [(x, h - y) for x, y in points]
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(ink)
    painter.drawPolygon(QPolygonF([QPointF(x, box.top() + y) for x, y in points]))


def draw_u_turn(painter: QPainter, box: QRectF, ink: QColor) -> None:
    """A U-turn arrow: up on the left, over the top, down on the right."""
    w, h = box.width(), box.height()
    stroke = w * 0.17
    left_x = box.left() + w * 0.2
    right_x = box.left() + w * 0.72
    top = box.top() + h * 0.1
    radius = (right_x - left_x) / 2
    path = QPainterPath(QPointF(left_x, box.bottom()))
    path.lineTo(left_x, top + radius)
    path.arcTo(QRectF(left_x, top, 2 * radius, 2 * radius), 180, -180)
    path.lineTo(right_x, box.top() + h * 0.58)
    pen = QPen(ink, stroke, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    head = w * 0.42
    tip_y = box.bottom() - h * 0.02
    base_y = box.top() + h * 0.56
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(ink)
    painter.drawPolygon(
        QPolygonF(
            [
                QPointF(right_x - head / 2, base_y),
                QPointF(right_x + head / 2, base_y),
                QPointF(right_x, tip_y),
            ]
        )
    )
