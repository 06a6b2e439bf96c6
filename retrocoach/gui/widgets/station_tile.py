"""One station's tile in the gym's room view: read from across the room (a TV 4–6 m
away), by the runner on that belt and by the coach.

From top to bottom: the station's number and the member's name, with the state in a
word; a warning strip when a device is in trouble; the direction band (the session
screen's own `DirectionIndicator`: colour, word, arrow, hatch for backward, yellow with
a U-turn for a turn-around); then three big numbers: heart rate on its zone's colour
(with the zone in words), speed in the member's units, and what is left of the segment;
and a footer with the segment's number and the coach's Start, Pause/Resume and Stop.

`tile_view` turns the engine's `Snapshot` into a `TileView` of plain values, with the
meanings of the session screen (turn-arounds, time left, zones); `StationTile.show_view`
shows one. Several tiles update 4–10 times a second, so an unchanged view does nothing,
only labels whose text changed are set, and a label is restyled only when its size or
colour changes: big numbers are sized for their widest value ("88:88"), not per text.
Everything is laid out by hand from the tile's size (no QLayout), so text sizes follow
the tile and a tile of a 2×2 grid on a 1080p TV reads the same as one of 3×3, smaller.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, Signal, SignalInstance
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QWidget

from retrocoach.coach.engine import EngineState, Snapshot
from retrocoach.coach.events import EndReason, Phase
from retrocoach.coach.heartrate import zone_of
from retrocoach.gui.palette import ORANGE, Palette, palette_for
from retrocoach.gui.widgets.direction import DirectionIndicator, fitted_px, text_css
from retrocoach.workouts.model import Direction, Gait, TimeEnd, format_duration
from retrocoach.workouts.profile import KMH_PER_MPH, RunnerProfile, Units

METRES_PER_MILE = KMH_PER_MPH * 1000
# The session screen's emergency-stop red (ui/themes/*.qss #stopButton), in both themes:
# white on it reads well, which the dark palette's lighter `ceiling` red would not.
STOP_RED = "#B00020"
WARNING = ORANGE  # the session screen's device banner has the same orange
DARK_INK = "#111111"
LIGHT_INK = "#FFFFFF"


class TileStatus(StrEnum):
    READY = "ready"  # built, waiting for the coach's start
    WAITING = "waiting"  # started, waiting for a heart rate before the belt moves
    RUNNING = "running"
    TURNING = "turning"  # a turn-around under way (slowing down, turning)
    PAUSED = "paused"
    STOPPING = "stopping"  # stop sent, waiting for the belt to stand still
    STOPPED = "stopped"  # ended early: stopped, emergency stop or a fault
    FINISHED = "finished"  # the workout completed

    @property
    def word(self) -> str:
        return STATUS_WORDS[self]


STATUS_WORDS = {
    TileStatus.READY: "READY",
    TileStatus.WAITING: "WAITING",
    TileStatus.RUNNING: "RUNNING",
    TileStatus.TURNING: "TURNING",
    TileStatus.PAUSED: "PAUSED",
    TileStatus.STOPPING: "STOPPING",
    TileStatus.STOPPED: "STOPPED",
    TileStatus.FINISHED: "FINISHED",
}
# Not moving under the coach's plan: the tile is dimmed and says so in words.
DIMMED = frozenset(
    {
        TileStatus.WAITING,
        TileStatus.PAUSED,
        TileStatus.STOPPING,
        TileStatus.STOPPED,
        TileStatus.FINISHED,
    }
)
ENDED = frozenset({TileStatus.STOPPED, TileStatus.FINISHED})


@dataclass(frozen=True)
class TileView:
    """Everything one tile shows, as plain values (equal views show the same)."""

    number: int  # the station, 1..7: the sticker on the treadmill
    name: str  # the member
    status: TileStatus
    direction: Direction | None  # the way the runner faces now (None once ended)
    gait: Gait | None
    next_direction: Direction | None  # turning into (or, announced, about to turn into)
    speed_kmh: float  # the belt's measured speed
    units: Units
    hr_bpm: int | None
    hr_zone: int | None  # 0 (below zone 1) .. 5; None without a heart rate
    has_strap: bool
    remaining_s: float | None  # time left in the segment under way
    remaining_m: float | None  # distance left (a distance segment), shown rather than time
    segment_label: str  # "3/12"
    device_problem: str = ""  # "" or the words, e.g. "Strap lost — reconnecting"
    note: str = ""  # e.g. "Saved in History" once ended
    phase: Phase | None = None
    above_ceiling: bool = False  # heart rate above the member's ceiling (rule 5)
    upcoming_s: float | None = None  # before a segment starts: its length (time)...
    upcoming_m: float | None = None  # ... or distance
    elapsed_s: float = 0.0  # session time, shown once ended


def tile_view(
    number: int,
    snapshot: Snapshot,
    profile: RunnerProfile,
    *,
    has_strap: bool,
    device_problem: str = "",
    total_segments: int | None = None,
    end_reason: EndReason | None = None,
    note: str = "",
) -> TileView:
    """The tile of station `number` for this snapshot. `end_reason` (from the
    `SessionEnd` event) tells a completed session from a stopped one, which the snapshot
    alone cannot."""
    snap = snapshot
    state = snap.state
    seg = snap.segment
    ended = state is EngineState.FINISHED
    # As the session screen: between segments facing different ways is a turn-around,
    # into the segment being led into.
    into = seg.direction if seg is not None else snap.facing
    turning = (
        state not in (EngineState.IDLE, EngineState.FINISHED)
        and not snap.segment_active
        and into is not snap.facing
    )
    status = _status(state, turning, end_reason)

    direction: Direction | None = None
    next_direction: Direction | None = None
    if not ended:
        direction = snap.facing if turning else into
        if turning:
            next_direction = into
        elif (
            snap.phase is Phase.ANNOUNCE
            and snap.next_segment is not None
            and snap.next_segment.direction is not direction
        ):
            next_direction = snap.next_segment.direction

    zone = zone_of(snap.hr_bpm, profile)
    upcoming_s = upcoming_m = None
    if seg is not None and not snap.segment_active and not ended:
        if isinstance(seg.end, TimeEnd):
            upcoming_s = seg.end.seconds
        else:
            upcoming_m = seg.end.metres
    label = ""
    if seg is not None and not ended:
        label = f"{seg.index + 1}/{total_segments}" if total_segments else str(seg.index + 1)
    active = snap.segment_active and not ended
    return TileView(
        number=number,
        name=profile.name,
        status=status,
        direction=direction,
        gait=seg.gait if seg is not None and not ended else None,
        next_direction=next_direction,
        speed_kmh=snap.belt_kmh,
        units=profile.units,
        hr_bpm=snap.hr_bpm,
        hr_zone=zone.number if zone is not None else None,
        has_strap=has_strap,
        remaining_s=snap.remaining_s if active else None,
        remaining_m=snap.remaining_m if active else None,
        segment_label=label,
        device_problem=device_problem,
        note=note,
        phase=None if ended else snap.phase,
        above_ceiling=snap.hr_bpm is not None and snap.hr_bpm > profile.hr_ceiling,
        upcoming_s=upcoming_s,
        upcoming_m=upcoming_m,
        elapsed_s=snap.elapsed_s,
    )


def _status(state: EngineState, turning: bool, end_reason: EndReason | None) -> TileStatus:
    if state is EngineState.IDLE:
        return TileStatus.READY
    if state is EngineState.WAITING:
        return TileStatus.WAITING
    if state is EngineState.PAUSED:
        return TileStatus.PAUSED
    if state is EngineState.FINISHING:
        return TileStatus.STOPPING
    if state is EngineState.FINISHED:
        if end_reason in (None, EndReason.COMPLETED):
            return TileStatus.FINISHED
        return TileStatus.STOPPED
    return TileStatus.TURNING if turning else TileStatus.RUNNING


# ------------------------------------------------------------------- wording


def band_words(view: TileView) -> tuple[Direction | None, bool, str, str]:
    """What the direction band shows: the direction drawn (during a turn-around, the
    one turned into), whether it is a turn-around, the big word and the line under it."""
    status, direction = view.status, view.direction
    word = direction.word.upper() if direction is not None else ""
    if status is TileStatus.TURNING:
        into = view.next_direction or direction
        then = f"then {into.word.upper()}" if into is not None else ""
        # Not "TURN AROUND" while the belt is still fast: the runner turns once it is
        # slow (the yellow band and the U-turn already say a turn is coming).
        big = "SLOWING DOWN" if view.phase is Phase.SLOW_DOWN else "TURN AROUND"
        return into, True, big, then
    if status is TileStatus.READY:
        return direction, False, word, "READY"
    if status is TileStatus.RUNNING:
        return direction, False, word, _running_line(view)
    if status in ENDED:
        return None, False, status.word, view.note
    if status is TileStatus.WAITING:
        return direction, False, "WAITING", "for heart rate"
    return direction, False, status.word, word  # paused, stopping: the way they face


def _running_line(view: TileView) -> str:
    phase = view.phase
    if phase is Phase.COUNTDOWN:
        return "GET READY"
    if phase is Phase.RAMP:
        return "SPEEDING UP"
    if phase is Phase.ANNOUNCE and view.next_direction is not None:
        return "TURN-AROUND COMING"
    return view.gait.value.upper() if view.gait is not None else ""


def hr_words(view: TileView) -> tuple[str, str]:
    """The heart rate and the line under it (the zone in words: never colour alone)."""
    if view.hr_bpm is None or view.hr_zone is None:
        return "—", ("♥ no heart rate" if view.has_strap else "♥ no strap")
    zone = f"zone {view.hr_zone}" if view.hr_zone else "below zone 1"
    if view.above_ceiling:
        zone = f"{zone} · TOO HIGH"
    # The heart is the unit: "bpm" would take the room the zone's words need.
    return str(view.hr_bpm), f"♥ {zone}"


def speed_words(view: TileView) -> tuple[str, str]:
    return f"{view.units.from_kmh(view.speed_kmh):.1f}", view.units.symbol


def remaining_words(view: TileView) -> tuple[str, str]:
    """What is left of the segment (distance for a distance segment, as on the session
    screen), or before it starts its length, or once ended the session's time."""
    if view.status in ENDED:
        return format_duration(view.elapsed_s), "total time"
    if view.remaining_m is not None:
        value, unit = _distance(view.remaining_m, view.units)
        return value, f"{unit} left"
    if view.remaining_s is not None:
        return format_duration(view.remaining_s), "left"
    when = "first" if view.status is TileStatus.READY else "next"
    if view.upcoming_m is not None:
        value, unit = _distance(view.upcoming_m, view.units)
        return value, f"{unit} {when}"
    if view.upcoming_s is not None:
        return format_duration(view.upcoming_s), when
    return "—", ""


def _distance(metres: float, units: Units) -> tuple[str, str]:
    if units is Units.MPH:
        return f"{metres / METRES_PER_MILE:.2f}", "mi"
    if metres >= 1000:
        return f"{metres / 1000:.2f}", "km"
    return f"{metres:.0f}", "m"


# ------------------------------------------------------------------- colours


def _luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def ink_for(fill: QColor) -> QColor:
    """Near-black or white, whichever contrasts more with `fill` (WCAG ratio)."""
    lum = _luminance(fill)
    dark_ratio = (lum + 0.05) / (_luminance(QColor(DARK_INK)) + 0.05)
    light_ratio = 1.05 / (lum + 0.05)
    return QColor(DARK_INK if dark_ratio >= light_ratio else LIGHT_INK)


def _mix(a: str, b: str, amount: float) -> QColor:
    ca, cb = QColor(a), QColor(b)
    return QColor.fromRgbF(
        ca.redF() + (cb.redF() - ca.redF()) * amount,
        ca.greenF() + (cb.greenF() - ca.greenF()) * amount,
        ca.blueF() + (cb.blueF() - ca.blueF()) * amount,
    )


def _status_fill(status: TileStatus, palette: Palette) -> QColor:
    if status is TileStatus.TURNING:
        return palette.color("turn")
    if status is TileStatus.STOPPED:
        return QColor(STOP_RED)
    if status in (TileStatus.WAITING, TileStatus.PAUSED, TileStatus.STOPPING):
        return palette.color("text")  # inverted: a belt not following the plan stands out
    return palette.color("idle")  # ready, running, finished: calm


# -------------------------------------------------------------------- geometry

# Fractions of the tile's inner height.
HEADER_H = 0.16
FOOTER_H = 0.10
BAND_H = 0.30
BAND_H_WITH_PROBLEM = 0.23
PROBLEM_H = 0.13
# The three numbers' shares of the width: heart rate, speed, time left.
CELL_SHARES = (0.36, 0.29, 0.35)
# Big numbers are sized for their widest value, once per resize, not per text.
WIDEST = {"hr": "888", "speed": "88.8", "remaining": "88:88"}
BIG_PX = 0.66  # a big number's size as a fraction of its cell's height
NAME_WRAP_BELOW = 0.6  # a name shrunk below this share of its size goes on two lines


def value_cells(values: QRectF, gap: float) -> dict[str, QRectF]:
    """The heart rate's, speed's and time left's areas: side by side, or (a tall, narrow
    tile) the heart rate across the top and the other two under it, whichever lets the
    smallest of the three big numbers be larger."""
    roles = ("hr", "speed", "remaining")
    w, h = values.width(), values.height()
    room = w - 2 * gap
    row: dict[str, QRectF] = {}
    x = values.left()
    for role, share in zip(roles, CELL_SHARES, strict=True):
        row[role] = QRectF(x, values.top(), room * share, h)
        x += room * share + gap
    half = (h - gap) / 2
    lower = values.top() + half + gap
    stacked = {
        "hr": QRectF(values.left(), values.top(), w, half),
        "speed": QRectF(values.left(), lower, (w - gap) / 2, half),
        "remaining": QRectF(values.left() + (w + gap) / 2, lower, (w - gap) / 2, half),
    }

    def smallest(cells: dict[str, QRectF]) -> int:
        return min(
            fitted_px(WIDEST[r], int(c.height() * BIG_PX), c.width() * 0.9)
            for r, c in cells.items()
        )

    return stacked if smallest(stacked) > smallest(row) else row


ROLES = (
    "number",
    "name",
    "status",
    "segment",
    "problem",
    "direction",
    "detail",
    "hr",
    "zone",
    "speed",
    "speed_unit",
    "remaining",
    "remaining_caption",
)


class StationTile(QFrame):
    start_requested = Signal(int)  # the station's number
    pause_requested = Signal(int)  # pause, or resume when paused
    stop_requested = Signal(int)  # emergency stop of this one belt

    def __init__(self, number: int, theme: str = "dark", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stationTile")
        # The app's QSS paints every QWidget's background; this tile paints its own.
        self.setStyleSheet("#stationTile { background: transparent; border: none; }")
        self._number = number
        self._palette = palette_for(theme)
        self._view: TileView | None = None
        self._css: dict[QWidget, str] = {}
        self._px: dict[str, int] = {}  # wanted text sizes by role, from the tile's size
        self._areas: dict[str, QRectF] = {}
        self._painted: tuple[object, ...] = ()
        self._button_px = 12

        self.labels: dict[str, QLabel] = {}
        for role in ROLES:
            if role == "direction" or role == "detail":
                continue  # the band's own labels
            label = QLabel("", self)
            label.setObjectName(f"tile_{role}")
            self.labels[role] = label
        for role, label in self.labels.items():
            if role in ("name", "segment"):
                label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            else:
                label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.labels["number"].setText(str(number))

        self.indicator = DirectionIndicator(self, self._palette)
        self.indicator.setObjectName("tileBand")

        self.start_button = self._button("tileStart", "Start", self.start_requested)
        self.pause_button = self._button("tilePause", "Pause", self.pause_requested)
        self.stop_button = self._button("tileStop", "■ Stop", self.stop_requested)
        self.stop_button.setToolTip(f"Emergency stop: station {number} only")
        self.labels["problem"].hide()
        self.pause_button.hide()
        self.resize(480, 270)

    # ------------------------------------------------------------------ public

    @property
    def number(self) -> int:
        return self._number

    @property
    def view(self) -> TileView | None:
        return self._view

    @property
    def dimmed(self) -> bool:
        return self._view is not None and self._view.status in DIMMED

    def set_theme(self, theme: str) -> None:
        palette = palette_for(theme)
        if palette == self._palette:
            return
        self._palette = palette
        self.indicator.set_palette(palette)
        self._restyle_all()
        self.update()

    @property
    def palette_in_use(self) -> Palette:
        return self._palette

    def show_view(self, view: TileView) -> None:
        """Show `view`; the same view again does nothing at all."""
        if view == self._view:
            return
        old, self._view = self._view, view
        if old is None or bool(old.device_problem) != bool(view.device_problem):
            self.labels["problem"].setVisible(bool(view.device_problem))
            self._arrange()  # the strip takes room from the band
        direction, turning, word, detail = band_words(view)
        self.indicator.show_state(
            direction,
            turning=turning,
            word=word,
            phase=detail,
            dimmed=view.status in DIMMED and view.status not in ENDED,
        )
        self._set("name", view.name)
        self._set("status", view.status.word)
        self._set("segment", view.segment_label)
        self._set("problem", f"⚠ {view.device_problem}" if view.device_problem else "")
        hr, zone = hr_words(view)
        self._set("hr", hr)
        self._set("zone", zone)
        speed, unit = speed_words(view)
        self._set("speed", speed)
        self._set("speed_unit", unit)
        remaining, caption = remaining_words(view)
        self._set("remaining", remaining)
        self._set("remaining_caption", caption)
        if old is None or (old.status, old.hr_zone, old.hr_bpm is None, old.above_ceiling) != (
            view.status,
            view.hr_zone,
            view.hr_bpm is None,
            view.above_ceiling,
        ):
            self._restyle_all()
        self._show_buttons(view, old)
        self._repaint_if_changed()

    def shown(self) -> dict[str, str]:
        """The texts on the tile by role; a hidden one (the problem strip) shows ""."""
        out: dict[str, str] = {}
        for role in ROLES:
            if role == "direction":
                out[role] = self.indicator.word.text()
            elif role == "detail":
                out[role] = self.indicator.phase.text()
            else:
                label = self.labels[role]
                out[role] = label.text() if label.isVisibleTo(self) else ""
        start_shown = self.start_button.isVisibleTo(self)
        out["start"] = self.start_button.text() if start_shown else ""
        out["pause"] = self.pause_button.text() if self.pause_button.isVisibleTo(self) else ""
        return out

    def hr_color(self) -> QColor:
        """The heart-rate area's background: the zone's colour (muted below zone 1,
        the idle grey without a heart rate)."""
        view = self._view
        if view is None or view.hr_bpm is None or view.hr_zone is None:
            return self._palette.color("idle")
        return self._palette.zone_color(view.hr_zone)

    def area(self, name: str) -> QRect:
        """Where a painted part is ("header", "problem", "band", "hr", "speed",
        "remaining", "footer"): for tests and the room view's screenshots."""
        rect = self._areas.get(name, QRectF())
        return QRect() if rect.isEmpty() else rect.toAlignedRect()

    # -------------------------------------------------------------- updating

    def _set(self, role: str, text: str) -> None:
        label = self.labels[role]
        if label.text() != text:
            label.setText(text)
            if role not in WIDEST:  # big numbers keep the size of their widest value
                self._fit(role)

    def _show_buttons(self, view: TileView, old: TileView | None) -> None:
        if old is not None and old.status is view.status:
            return
        ready = view.status is TileStatus.READY
        self.start_button.setVisible(ready)
        self.start_button.setEnabled(ready)
        self.pause_button.setVisible(not ready)
        self.pause_button.setText("Resume" if view.status is TileStatus.PAUSED else "Pause")
        self.pause_button.setEnabled(
            view.status
            in (TileStatus.RUNNING, TileStatus.TURNING, TileStatus.WAITING, TileStatus.PAUSED)
        )
        self.stop_button.setEnabled(view.status not in ENDED)

    def _repaint_if_changed(self) -> None:
        """Repaint the tile's own drawing (not the labels) only when what it draws
        changed: the status pill, the heart-rate area, the problem strip, the border."""
        view = self._view
        if view is None:
            return
        painted = (
            view.status,
            self.hr_color().name(),
            view.above_ceiling,
            bool(view.device_problem),
        )
        if painted != self._painted:
            self._painted = painted
            self.update()

    # ------------------------------------------------------------- geometry

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        w, h = float(self.width()), float(self.height())
        margin = max(min(w, h) * 0.025, 4.0)
        gap = margin * 0.7
        inner = QRectF(margin, margin, w - 2 * margin, h - 2 * margin)
        ih, iw = inner.height(), inner.width()
        problem = bool(self._view and self._view.device_problem)
        header_h = ih * HEADER_H
        footer_h = max(ih * FOOTER_H, 22.0)
        problem_h = ih * PROBLEM_H if problem else 0.0
        band_h = ih * (BAND_H_WITH_PROBLEM if problem else BAND_H)
        gaps = gap * (4 if problem else 3)
        values_h = max(ih - header_h - footer_h - problem_h - band_h - gaps, 10.0)

        y = inner.top()
        header = QRectF(inner.left(), y, iw, header_h)
        y += header_h + gap
        strip = QRectF(inner.left(), y, iw, problem_h)
        if problem:
            y += problem_h + gap
        band = QRectF(inner.left(), y, iw, band_h)
        y += band_h + gap
        values = QRectF(inner.left(), y, iw, values_h)
        y += values_h + gap
        footer = QRectF(inner.left(), y, iw, footer_h)

        # Header: the number on a badge, the name, the state on a pill.
        badge = QRectF(header.left(), header.top(), header_h * 1.1, header_h)
        pill_w = iw * 0.24
        pill = QRectF(
            header.right() - pill_w, header.top() + header_h * 0.16, pill_w, header_h * 0.68
        )
        name = QRectF(
            badge.right() + gap * 1.5, header.top(), pill.left() - badge.right() - gap * 3, header_h
        )
        self._place("number", badge, header_h * 0.72)
        self._place("name", name, header_h * 0.74)
        self._place("status", pill.adjusted(4, 0, -4, 0), header_h * 0.40)
        self._place(
            "problem", strip.adjusted(problem_h * 0.9, 0, -problem_h * 0.9, 0), problem_h * 0.55
        )
        self.indicator.setGeometry(band.toAlignedRect())
        self.indicator.set_text_px(int(band_h * 0.42), int(band_h * 0.21))

        # The three numbers, each with a line under it.
        cells = value_cells(values, gap)
        captions = {"hr": "zone", "speed": "speed_unit", "remaining": "remaining_caption"}
        for role, cell in cells.items():
            pad = cell.width() * 0.05
            cw, ch = cell.width() - 2 * pad, cell.height()
            widest = WIDEST[role]
            side_px = fitted_px(widest, int(ch * 0.8), cw * 0.55)
            if side_px > fitted_px(widest, int(ch * BIG_PX), cw):
                # A wide, low cell (the heart rate across a tall tile): the words beside
                # the number, where both can be larger than one above the other.
                big = QRectF(cell.left() + pad, cell.top(), cw * 0.55, ch)
                beside = QRectF(big.right(), cell.top(), cw * 0.45, ch)
                self._place(role, big, ch * 0.8)
                self._place(captions[role], beside, ch * 0.3)
                continue
            big = QRectF(cell.left() + pad, cell.top(), cw, ch * 0.74)
            under = QRectF(big.left(), big.bottom() - ch * 0.06, big.width(), ch * 0.28)
            self._place(role, big, ch * BIG_PX)
            self._place(captions[role], under, ch * 0.19)

        # Footer: the segment's number, then the coach's buttons on the right.
        button_w = iw * 0.17
        stop = QRectF(footer.right() - iw * 0.20, footer.top(), iw * 0.20, footer_h)
        pause = QRectF(stop.left() - gap - button_w, footer.top(), button_w, footer_h)
        self.start_button.setGeometry(pause.toAlignedRect())
        self.pause_button.setGeometry(pause.toAlignedRect())
        self.stop_button.setGeometry(stop.toAlignedRect())
        # One size for the buttons, the largest at which the longest word fits.
        self._button_px = min(
            fitted_px(text, int(footer_h * 0.42), rect.width() * 0.8)
            for text, rect in (("Resume", pause), ("■ Stop", stop))
        )
        segment = QRectF(
            footer.left() + gap, footer.top(), pause.left() - footer.left() - 2 * gap, footer_h
        )
        self._place("segment", segment, footer_h * 0.62)

        self._areas = {
            "header": header,
            "badge": badge,
            "pill": pill,
            "problem": strip,
            "band": band,
            "footer": footer,
            **cells,
        }
        self._restyle_all()
        self.update()

    def _place(self, role: str, rect: QRectF, px: float) -> None:
        self.labels[role].setGeometry(rect.toAlignedRect())
        self._px[role] = max(int(px), 8)

    # --------------------------------------------------------------- styling

    def _ink(self, role: str) -> QColor:
        p = self._palette
        view = self._view
        if role == "hr" or role == "zone":
            return ink_for(self.hr_color())
        if role == "number":
            return p.color("background")
        if role == "status":
            return ink_for(_status_fill(view.status if view else TileStatus.READY, p))
        if role == "problem":
            return QColor(DARK_INK)
        # Paused, stopped, ended: the numbers go grey (the heart rate keeps its zone).
        dim = view is not None and view.status in DIMMED and role != "name"
        return p.color("muted") if dim else p.color("text")

    def _fit(self, role: str) -> None:
        label = self.labels[role]
        wanted = self._px.get(role, 12)
        text = WIDEST.get(role, label.text())
        room = max(label.width() - 4, 1)
        px = fitted_px(text, wanted, room)
        if role == "name":
            px = self._fit_name(label, text, wanted, room, px)
        self._style(label, text_css(px, self._ink(role).name(), bold=role != "segment"))

    @staticmethod
    def _fit_name(label: QLabel, text: str, wanted: int, room: float, px: int) -> int:
        """A long name on one line may shrink past reading from the room: on two lines
        it stays larger (a wrapping label breaks where the longer line fits)."""
        words = text.split()
        two_lines = 0
        if px < wanted * NAME_WRAP_BELOW and len(words) > 1:
            splits = ((" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words)))
            two_lines = max(
                min(fitted_px(line, int(wanted * 0.48), room) for line in pair) for pair in splits
            )
        wrap = two_lines > px
        if label.wordWrap() != wrap:
            label.setWordWrap(wrap)
        return two_lines if wrap else px

    def _restyle_all(self) -> None:
        for role in self.labels:
            self._fit(role)
        p = self._palette
        px = self._button_px
        radius = max(px // 3, 3)
        plain = (
            f"QPushButton {{ font-size: {px}px; font-weight: bold; padding: 0 {px // 2}px;"
            f" min-height: 0; border-radius: {radius}px; background: {p.idle};"
            f" color: {p.text}; border: 2px solid {p.muted}; }}"
            f" QPushButton:disabled {{ color: {p.muted}; border-color: {p.grid}; }}"
        )
        stop = (
            f"QPushButton {{ font-size: {px}px; font-weight: bold; padding: 0 {px // 2}px;"
            f" min-height: 0; border-radius: {radius}px; background: {STOP_RED};"
            f" color: {LIGHT_INK}; border: 2px solid {STOP_RED}; }}"
            f" QPushButton:disabled {{ background: {p.grid}; color: {p.muted};"
            f" border-color: {p.grid}; }}"
        )
        self._style(self.start_button, plain)
        self._style(self.pause_button, plain)
        self._style(self.stop_button, stop)

    def _style(self, widget: QWidget, css: str) -> None:
        # Re-applying a style sheet re-polishes the widget: only when it changed.
        if self._css.get(widget) != css:
            self._css[widget] = css
            widget.setStyleSheet(css)

    def _button(self, name: str, text: str, signal: SignalInstance) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        # The main window's keys (Space, Esc) must not go to a focused button.
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(lambda: signal.emit(self._number))
        return button

    # -------------------------------------------------------------- painting

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _card(self) -> QColor:
        p = self._palette
        return _mix(p.background, p.grid, 0.35 if p.theme == "dark" else 0.18)

    def _paint(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        p = self._palette
        view = self._view
        status = view.status if view is not None else TileStatus.READY
        outer = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        radius = min(outer.height() * 0.03, 14.0)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._card())
        painter.drawRoundedRect(outer, radius, radius)
        # An ended-early belt, or one whose device is in trouble, stands out in the room.
        edge = None
        if status is TileStatus.STOPPED:
            edge = QColor(STOP_RED)
        elif view is not None and view.device_problem:
            edge = QColor(WARNING)
        if edge is not None:
            width = max(outer.height() * 0.012, 3.0)
            painter.setPen(QPen(edge, width))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(
                outer.adjusted(width / 2, width / 2, -width / 2, -width / 2), radius, radius
            )

        areas = self._areas
        if not areas:
            return
        small = radius * 0.7
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(p.color("text"))
        painter.drawRoundedRect(areas["badge"], small, small)
        painter.setBrush(_status_fill(status, p))
        pill = areas["pill"]
        painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)

        cell_fill = _mix(p.background, p.grid, 0.6 if p.theme == "dark" else 0.35)
        for role in ("speed", "remaining"):
            painter.setBrush(cell_fill)
            painter.drawRoundedRect(areas[role], small, small)
        hr = areas["hr"]
        painter.setBrush(self.hr_color())
        painter.drawRoundedRect(hr, small, small)
        if view is not None and view.above_ceiling:
            width = max(hr.height() * 0.05, 3.0)
            painter.setPen(QPen(QColor(STOP_RED), width))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            half = width / 2
            painter.drawRoundedRect(hr.adjusted(half, half, -half, -half), small, small)
            painter.setPen(Qt.PenStyle.NoPen)

        if view is not None and view.device_problem:
            self._paint_strip(painter, areas["problem"], small)

    @staticmethod
    def _paint_strip(painter: QPainter, rect: QRectF, radius: float) -> None:
        """Orange with black hazard stripes at both ends: a warning by pattern and
        words too, not by colour alone (zone 4 is orange as well)."""
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(WARNING))
        painter.drawRoundedRect(rect, radius, radius)
        depth = rect.height()
        stripe = depth * 0.28
        painter.save()
        painter.setBrush(QColor(DARK_INK))
        for left in (rect.left(), rect.right() - depth * 0.8):
            painter.setClipRect(QRectF(left, rect.top(), depth * 0.8, depth))
            x = left - depth
            while x < left + depth:
                painter.drawPolygon(
                    QPolygonF(
                        [
                            QPointF(x, rect.bottom()),
                            QPointF(x + depth, rect.top()),
                            QPointF(x + depth + stripe, rect.top()),
                            QPointF(x + stripe, rect.bottom()),
                        ]
                    )
                )
                x += stripe * 2
        painter.restore()
