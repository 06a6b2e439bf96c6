"""One station's tile in the room view, fed from real snapshots of a simulated station on
virtual time (backward, a turn-around, forward), and from hand-made views where a test
needs an exact value (a zone, a state)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from support import Session, run_until, start_session, step, workout

from retrocoach.coach.engine import EngineState, Snapshot
from retrocoach.coach.events import EndReason, Phase
from retrocoach.coach.heartrate import zone_of
from retrocoach.gui.palette import ORANGE, palette_for
from retrocoach.gui.widgets.station_tile import (
    StationTile,
    TileStatus,
    TileView,
    ink_for,
    tile_view,
)
from retrocoach.workouts.model import Direction, Gait, format_duration
from retrocoach.workouts.profile import RunnerProfile, Units

BACK_THEN_FORTH = workout(
    step("backward", seconds=60, kmh=6.0),
    step("forward", seconds=60, kmh=9.0),
)
PROFILE = RunnerProfile(name="Alice Martin")
STRAP_LOST = "Strap lost — reconnecting"


# ------------------------------------------------------------------ helpers


@pytest.fixture
def tile(qtbot: QtBot) -> Iterator[StationTile]:
    widget = StationTile(3, "dark")
    qtbot.addWidget(widget)
    widget.resize(960, 540)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def snapshot_when(
    session: Session, done: Callable[[Snapshot], bool], limit_s: float = 300.0
) -> Snapshot:
    """Step the session's virtual time a quarter second at a time until `done`."""
    engine = session.station.engine
    t = engine.now
    end = t + limit_s
    while t < end:
        t += 0.25
        run_until(session, t)
        snap = engine.snapshot(t)
        if done(snap):
            return snap
    raise AssertionError(f"not seen within {limit_s} s")


def steady(direction: Direction) -> Callable[[Snapshot], bool]:
    def check(snap: Snapshot) -> bool:
        seg = snap.segment
        return (
            snap.segment_active
            and snap.phase is Phase.STEADY
            and seg is not None
            and seg.direction is direction
        )

    return check


def view_of(session: Session, snap: Snapshot, **kwargs: object) -> TileView:
    return tile_view(
        3,
        snap,
        PROFILE,
        has_strap=session.station.hrm is not None,
        total_segments=len(session.station.engine.segments),
        **kwargs,  # type: ignore[arg-type]
    )


def band_colours(tile: StationTile) -> dict[str, int]:
    """How many sampled pixels of the direction band have each colour."""
    image: QImage = tile.grab().toImage()
    band = tile.area("band")
    counts: dict[str, int] = {}
    for x in range(band.left() + 2, band.right() - 2, 3):
        for y in range(band.top() + 2, band.bottom() - 2, 3):
            name = QColor(image.pixel(x, y)).name()
            counts[name] = counts.get(name, 0) + 1
    return counts


def share(counts: dict[str, int], colour: str) -> float:
    return counts.get(colour.lower(), 0) / max(sum(counts.values()), 1)


def pixel(tile: StationTile, point: QPoint) -> str:
    return QColor(tile.grab().toImage().pixel(point)).name()


def hr_background_point(tile: StationTile) -> QPoint:
    """A point of the heart-rate area away from its text, corners and border."""
    area = tile.area("hr")
    return QPoint(area.left() + max(area.width() // 12, 12), area.center().y())


def made(**changes: object) -> TileView:
    """A hand-made view of a runner going backward in zone 3."""
    view = TileView(
        number=3,
        name="Alice Martin",
        status=TileStatus.RUNNING,
        direction=Direction.BACKWARD,
        gait=Gait.RUN,
        next_direction=None,
        speed_kmh=6.3,
        units=Units.KMH,
        hr_bpm=157,
        hr_zone=3,
        has_strap=True,
        remaining_s=83.0,
        remaining_m=None,
        segment_label="3/12",
        phase=Phase.STEADY,
    )
    return replace(view, **changes)  # type: ignore[arg-type]


def band(tile: StationTile) -> tuple[Direction | None, bool]:
    """The direction the band draws and whether it is a turn-around (read afresh: a
    function, so a type checker does not carry an earlier reading over)."""
    return tile.indicator.direction, tile.indicator.turning


def is_dimmed(tile: StationTile) -> bool:
    return tile.dimmed


def font_px(label: QLabel) -> int:
    label.ensurePolished()
    return label.font().pixelSize()


# ------------------------------------------------------- a session, seen


def test_a_session_backward_then_a_turn_then_forward(qtbot: QtBot, tile: StationTile) -> None:
    session = start_session(BACK_THEN_FORTH, PROFILE, start=False)
    p = palette_for("dark")

    ready = session.station.engine.snapshot(0.0)
    tile.show_view(view_of(session, ready))
    shown = tile.shown()
    assert shown["status"] == "READY"
    assert shown["name"] == "Alice Martin"
    assert shown["number"] == "3"
    assert shown["direction"] == "BACKWARDS"  # the way to face for the first segment
    assert (shown["remaining"], shown["remaining_caption"]) == ("1:00", "first")
    assert shown["start"] == "Start" and shown["pause"] == ""

    session.station.start(0.0)
    back = snapshot_when(session, steady(Direction.BACKWARD))
    tile.show_view(view_of(session, back))
    shown = tile.shown()
    assert shown["status"] == "RUNNING"
    assert (shown["direction"], shown["detail"]) == ("BACKWARDS", "RUN")
    assert band(tile) == (Direction.BACKWARD, False)
    assert shown["speed"] == f"{back.belt_kmh:.1f}" and shown["speed_unit"] == "km/h"
    assert back.remaining_s is not None
    assert (shown["remaining"], shown["remaining_caption"]) == (
        format_duration(back.remaining_s),
        "left",
    )
    assert shown["segment"] == "1/2"
    assert shown["start"] == "" and shown["pause"] == "Pause"
    colours = band_colours(tile)
    # Backward: its colour and its hatch, never colour alone.
    assert share(colours, p.backward) > 0.3 and share(colours, p.hatch) > 0.1
    assert share(colours, p.forward) == 0

    turn = snapshot_when(session, lambda s: s.phase is Phase.TURN)
    tile.show_view(view_of(session, turn))
    shown = tile.shown()
    assert shown["status"] == "TURNING"
    assert (shown["direction"], shown["detail"]) == ("TURN AROUND", "then FORWARDS")
    # The band draws the U-turn and the arrow of the direction turned into.
    assert band(tile) == (Direction.FORWARD, True)
    assert tile.view is not None and tile.view.direction is Direction.BACKWARD
    assert (shown["remaining"], shown["remaining_caption"]) == ("1:00", "next")
    assert share(band_colours(tile), p.turn) > 0.3

    forth = snapshot_when(session, steady(Direction.FORWARD))
    tile.show_view(view_of(session, forth))
    shown = tile.shown()
    assert (shown["status"], shown["direction"]) == ("RUNNING", "FORWARDS")
    assert band(tile) == (Direction.FORWARD, False)
    assert shown["segment"] == "2/2"
    colours = band_colours(tile)
    assert share(colours, p.forward) > 0.3
    assert share(colours, p.backward) == 0 and share(colours, p.hatch) == 0


def test_the_slow_down_before_a_turn_is_not_yet_turn_around() -> None:
    session = start_session(BACK_THEN_FORTH, PROFILE)
    announce = snapshot_when(session, lambda s: s.phase is Phase.ANNOUNCE)
    view = view_of(session, announce)
    assert view.status is TileStatus.RUNNING
    assert view.next_direction is Direction.FORWARD  # announced: the turn is coming
    slow = snapshot_when(session, lambda s: s.phase is Phase.SLOW_DOWN)
    view = view_of(session, slow)
    assert view.status is TileStatus.TURNING
    assert (view.direction, view.next_direction) == (Direction.BACKWARD, Direction.FORWARD)


def test_slowing_down_and_turn_coming_are_said_on_the_band(tile: StationTile) -> None:
    tile.show_view(made(phase=Phase.ANNOUNCE, next_direction=Direction.FORWARD))
    assert tile.shown()["detail"] == "TURN-AROUND COMING"
    tile.show_view(
        made(status=TileStatus.TURNING, phase=Phase.SLOW_DOWN, next_direction=Direction.FORWARD)
    )
    assert (tile.shown()["direction"], tile.shown()["detail"]) == (
        "SLOWING DOWN",
        "then FORWARDS",
    )
    assert tile.indicator.turning


# ---------------------------------------------------------------- heart rate


def test_the_heart_rate_area_has_the_zone_of_the_heart_rate(tile: StationTile) -> None:
    session = start_session(BACK_THEN_FORTH, PROFILE)
    session.strap.force_bpm(157)  # zone 3 of the default profile (151..163)
    snap = snapshot_when(session, lambda s: s.hr_bpm == 157 and s.segment_active)
    tile.show_view(view_of(session, snap))
    zone = zone_of(157, PROFILE)
    assert zone is not None and zone.number == 3
    p = palette_for("dark")
    assert tile.shown()["hr"] == "157"
    assert tile.shown()["zone"] == "♥ zone 3"
    assert tile.hr_color() == p.zone_color(3)
    assert pixel(tile, hr_background_point(tile)) == p.zone_color(3).name()

    session.strap.force_bpm(170)  # zone 4
    snap = snapshot_when(session, lambda s: s.hr_bpm == 170)
    tile.show_view(view_of(session, snap))
    assert tile.shown()["zone"] == "♥ zone 4"
    assert pixel(tile, hr_background_point(tile)) == p.zone_color(4).name()


@pytest.mark.parametrize(("bpm", "zone", "words"), [
    (90, 0, "♥ below zone 1"),
    (130, 1, "♥ zone 1"),
    (140, 2, "♥ zone 2"),
    (157, 3, "♥ zone 3"),
    (170, 4, "♥ zone 4"),
    (185, 5, "♥ zone 5 · TOO HIGH"),
])  # fmt: skip
def test_every_zone_has_its_colour_and_its_words(
    tile: StationTile, bpm: int, zone: int, words: str
) -> None:
    found = zone_of(bpm, PROFILE)
    assert found is not None and found.number == zone
    tile.show_view(made(hr_bpm=bpm, hr_zone=zone, above_ceiling=bpm > PROFILE.hr_ceiling))
    assert tile.shown()["zone"] == words
    expected = palette_for("dark").zone_color(zone)
    assert pixel(tile, hr_background_point(tile)) == expected.name()
    # The number is written in the ink that reads on that colour.
    assert ink_for(expected).name() in tile.labels["hr"].styleSheet()
    # Above the ceiling the area is also framed in red.
    area = tile.area("hr")
    edge = pixel(tile, QPoint(area.left() + 2, area.center().y()))
    assert (edge == "#b00020") is (bpm > PROFILE.hr_ceiling)


def test_no_strap_and_no_heart_rate_are_said(tile: StationTile) -> None:
    tile.show_view(made(hr_bpm=None, hr_zone=None, has_strap=False))
    assert (tile.shown()["hr"], tile.shown()["zone"]) == ("—", "♥ no strap")
    assert tile.hr_color() == palette_for("dark").color("idle")
    tile.show_view(made(hr_bpm=None, hr_zone=None, has_strap=True))
    assert tile.shown()["zone"] == "♥ no heart rate"


# -------------------------------------------------------- a device in trouble


def test_a_lost_strap_is_shown_while_the_rest_goes_on(tile: StationTile) -> None:
    session = start_session(BACK_THEN_FORTH, PROFILE)
    before = snapshot_when(session, steady(Direction.BACKWARD))
    tile.show_view(view_of(session, before))
    assert tile.shown()["problem"] == ""
    strip_before = tile.area("problem")
    assert strip_before.isEmpty()

    session.strap.drop_link(session.station.engine.now)
    lost = snapshot_when(session, lambda s: s.hr_bpm is None)
    tile.show_view(view_of(session, lost, device_problem=STRAP_LOST))
    shown = tile.shown()
    assert shown["problem"] == f"⚠ {STRAP_LOST}"
    assert (shown["hr"], shown["zone"]) == ("—", "♥ no heart rate")
    strip = tile.area("problem")
    assert strip.height() > tile.height() * 0.1  # a bold strip, not a footnote
    # Orange with black hazard stripes at its ends.
    end = QPoint(strip.right() - 3, strip.center().y())
    middle_colours = {
        pixel(tile, QPoint(x, strip.top() + 3))
        for x in range(strip.left() + strip.width() // 4, strip.right() - strip.width() // 4, 7)
    }
    assert ORANGE.lower() in middle_colours
    assert pixel(tile, end) in {ORANGE.lower(), "#111111"}

    # The rest of the tile keeps updating.
    later = snapshot_when(session, lambda s: (s.remaining_s or 0) < (lost.remaining_s or 0) - 3)
    tile.show_view(view_of(session, later, device_problem=STRAP_LOST))
    assert tile.shown()["remaining"] == format_duration(later.remaining_s or 0.0)
    assert tile.shown()["remaining"] != shown["remaining"]
    assert tile.shown()["direction"] == "BACKWARDS"

    tile.show_view(view_of(session, later))  # back: the strip goes
    assert tile.shown()["problem"] == ""
    assert tile.area("problem").isEmpty()


# ------------------------------------------------------------------- buttons


def test_the_buttons_say_which_station(qtbot: QtBot, tile: StationTile) -> None:
    start = tile.findChild(QPushButton, "tileStart")
    pause = tile.findChild(QPushButton, "tilePause")
    stop = tile.findChild(QPushButton, "tileStop")
    assert start is not None and pause is not None and stop is not None

    tile.show_view(made(status=TileStatus.READY))
    assert start.isVisible() and start.isEnabled() and not pause.isVisible()
    with qtbot.waitSignal(tile.start_requested) as started:
        qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
    assert started.args == [3]

    tile.show_view(made())
    assert not start.isVisible() and pause.isVisible() and pause.text() == "Pause"
    with qtbot.waitSignal(tile.pause_requested) as paused:
        qtbot.mouseClick(pause, Qt.MouseButton.LeftButton)
    assert paused.args == [3]

    tile.show_view(made(status=TileStatus.PAUSED))
    assert pause.text() == "Resume" and pause.isEnabled()
    with qtbot.waitSignal(tile.stop_requested) as stopped:
        qtbot.mouseClick(stop, Qt.MouseButton.LeftButton)
    assert stopped.args == [3]
    assert "#B00020" in stop.styleSheet()  # the emergency stop is red

    tile.show_view(made(status=TileStatus.STOPPED, direction=None))
    assert not stop.isEnabled() and not pause.isEnabled()


def test_the_buttons_take_no_focus(tile: StationTile) -> None:
    # Space and Esc are the window's keys: a focused button would take them.
    for button in tile.findChildren(QPushButton):
        assert button.focusPolicy() is Qt.FocusPolicy.NoFocus


# ------------------------------------------------------------------ states


def test_paused_and_stopped_are_dimmed_and_said(tile: StationTile) -> None:
    session = start_session(BACK_THEN_FORTH, PROFILE)
    running = snapshot_when(session, steady(Direction.BACKWARD))
    tile.show_view(view_of(session, running))
    muted = palette_for("dark").muted.lower()
    assert not is_dimmed(tile) and muted not in tile.labels["speed"].styleSheet().lower()

    session.station.pause(session.station.engine.now)
    paused = snapshot_when(session, lambda s: s.state is EngineState.PAUSED)
    tile.show_view(view_of(session, paused))
    shown = tile.shown()
    assert (shown["status"], shown["direction"], shown["detail"]) == (
        "PAUSED",
        "PAUSED",
        "BACKWARDS",
    )
    assert shown["pause"] == "Resume"
    assert is_dimmed(tile) and muted in tile.labels["speed"].styleSheet().lower()

    session.station.emergency_stop(session.station.engine.now)
    end = run_until(session)
    ended = session.station.engine.snapshot(end)
    assert ended.state is EngineState.FINISHED
    tile.show_view(
        view_of(session, ended, end_reason=EndReason.EMERGENCY_STOP, note="Saved in History")
    )
    shown = tile.shown()
    assert (shown["status"], shown["direction"], shown["detail"]) == (
        "STOPPED",
        "STOPPED",
        "Saved in History",
    )
    assert shown["segment"] == "" and shown["remaining_caption"] == "total time"
    assert tile.indicator.direction is None  # no way to face any more
    # Without the end's reason the snapshot alone reads as finished.
    assert view_of(session, ended).status is TileStatus.FINISHED


def test_a_completed_session_is_finished() -> None:
    session = start_session(workout(step("backward", seconds=20, kmh=5.0)), PROFILE)
    end = run_until(session)
    snap = session.station.engine.snapshot(end)
    view = view_of(session, snap, end_reason=EndReason.COMPLETED, note="Saved in History")
    assert view.status is TileStatus.FINISHED
    assert (view.direction, view.remaining_s, view.segment_label) == (None, None, "")


# ------------------------------------------------------------------- units


def test_speed_in_the_members_units_and_distance_left_in_metres(tile: StationTile) -> None:
    miles = replace(PROFILE, units=Units.MPH)
    session = start_session(workout(step("backward", metres=400, kmh=6.0)), miles)
    snap = snapshot_when(session, steady(Direction.BACKWARD))
    view = tile_view(3, snap, miles, has_strap=True)
    tile.show_view(view)
    shown = tile.shown()
    assert shown["speed"] == f"{snap.belt_kmh / 1.609344:.1f}" and shown["speed_unit"] == "mph"
    assert snap.remaining_m is not None
    assert shown["remaining"] == f"{snap.remaining_m / 1609.344:.2f}"
    assert shown["remaining_caption"] == "mi left"
    assert shown["segment"] == "1"  # no total given

    tile.show_view(replace(view, units=Units.KMH))
    assert tile.shown()["remaining"] == f"{snap.remaining_m:.0f}"
    assert tile.shown()["remaining_caption"] == "m left"


# ------------------------------------------------------------ cheap updates


class EventCounter(QObject):
    """Counts one kind of event (a paint, a re-polish) by objectName."""

    kind = QEvent.Type.Paint

    def __init__(self, widgets: list[QWidget]) -> None:
        super().__init__()
        self.counts: dict[str, int] = {}
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == self.kind:
            name = watched.objectName()
            self.counts[name] = self.counts.get(name, 0) + 1
        return False


class PaintCounter(EventCounter):
    kind = QEvent.Type.Paint

    def total(self) -> int:
        return sum(self.counts.values())


def settle(qtbot: QtBot) -> None:
    QApplication.processEvents()
    qtbot.wait(30)
    QApplication.processEvents()


def test_an_unchanged_view_paints_nothing(qtbot: QtBot, tile: StationTile) -> None:
    view = made()
    tile.show_view(view)
    settle(qtbot)
    counter = PaintCounter([tile, *tile.findChildren(QWidget)])

    tile.show_view(view)
    tile.show_view(replace(view))  # equal, not the same object
    settle(qtbot)
    assert counter.total() == 0

    # The time left moves on within the same second: the same texts, nothing painted.
    tile.show_view(replace(view, remaining_s=82.8, speed_kmh=6.31))
    settle(qtbot)
    assert counter.total() == 0

    # Only what changed is painted again.
    tile.show_view(replace(view, remaining_s=82.8, speed_kmh=6.5))
    settle(qtbot)
    assert counter.counts.get("tile_speed", 0) > 0
    for name in ("tile_name", "tileBand", "tile_hr", "tile_remaining", "tile_number"):
        assert counter.counts.get(name, 0) == 0, name


def test_a_new_second_restyles_nothing(tile: StationTile) -> None:
    tile.show_view(made())
    sheets = {role: label.styleSheet() for role, label in tile.labels.items()}
    tile.show_view(made(remaining_s=59.0, speed_kmh=12.4, hr_bpm=160))
    # Big numbers keep the size of their widest value: no re-polish as texts change.
    assert {role: label.styleSheet() for role, label in tile.labels.items()} == sheets


class StyleCounter(EventCounter):
    """Re-polishes (a style sheet set again)."""

    kind = QEvent.Type.StyleChange


def test_a_lost_heart_rate_restyles_only_the_heart_rate(tile: StationTile) -> None:
    tile.show_view(made())
    counter = StyleCounter([*tile.labels.values(), *tile.findChildren(QPushButton)])
    # Dark ink on the zone's colour, light on the grey: only these two labels change.
    tile.show_view(made(hr_bpm=None, hr_zone=None))
    assert counter.counts.get("tile_hr", 0) > 0
    assert set(counter.counts) <= {"tile_hr", "tile_zone"}


def test_big_numbers_are_one_size_whatever_they_say(qtbot: QtBot) -> None:
    # Tiles side by side in the room show their numbers at one size: "1:23" is not
    # drawn larger than "48:03" next to it, and a number does not jump as it changes.
    tiles = []
    for view in (made(), made(remaining_s=2883.0, speed_kmh=12.4, hr_bpm=181, hr_zone=5)):
        tile = StationTile(view.number, "dark")
        qtbot.addWidget(tile)
        tile.resize(960, 540)
        tile.show_view(view)
        tile.show()
        tiles.append(tile)
    settle(qtbot)
    for role in ("hr", "speed", "remaining"):
        assert font_px(tiles[0].labels[role]) == font_px(tiles[1].labels[role]), role


# ----------------------------------------------------------------- reading


def test_text_sizes_follow_the_tile(qtbot: QtBot, tile: StationTile) -> None:
    tile.show_view(made())
    tile.resize(960, 540)  # a quarter of a 1080p TV
    settle(qtbot)
    big = {role: font_px(tile.labels[role]) for role in ("hr", "speed", "remaining", "name")}
    word = font_px(tile.indicator.word)
    # Sizes that read from 4-6 m on a 1080p TV (about 0.6 mm a pixel on a 55" one: an
    # 80 px digit stands about 35 mm tall).
    assert min(big["hr"], big["speed"], big["remaining"]) >= 80
    assert big["name"] >= 50 and word >= 55

    tile.resize(480, 270)
    settle(qtbot)
    small = {role: font_px(tile.labels[role]) for role in big}
    for role, px in big.items():
        assert 0.35 * px <= small[role] <= 0.65 * px, role


def test_every_text_fits_its_place(qtbot: QtBot, tile: StationTile) -> None:
    tile.show_view(
        made(
            name="Maximilian-Alexander Featherstonehaugh",
            device_problem="Treadmill sends no data — reconnecting",
            status=TileStatus.TURNING,
            phase=Phase.TURN,
            next_direction=Direction.FORWARD,
            hr_bpm=185,
            hr_zone=5,
            above_ceiling=True,
        )
    )
    for size in ((960, 540), (640, 360), (470, 530)):
        tile.resize(*size)
        settle(qtbot)
        for role, label in tile.labels.items():
            if not label.isVisibleTo(tile) or label.wordWrap():
                continue
            needed = label.fontMetrics().horizontalAdvance(label.text())
            assert needed <= label.width(), (size, role, label.text())
        for button in tile.findChildren(QPushButton):
            needed = button.fontMetrics().horizontalAdvance(button.text())
            assert needed <= button.width(), (size, button.text())


def test_a_long_name_goes_on_two_lines_rather_than_shrink(qtbot: QtBot, tile: StationTile) -> None:
    tile.resize(470, 530)  # 4 columns on a 1080p TV
    tile.show_view(made(name="Chloé Dubois Laurent"))
    settle(qtbot)
    name = tile.labels["name"]
    assert name.wordWrap()
    assert name.heightForWidth(name.width()) <= name.height()
    tile.show_view(made(name="Dan"))
    settle(qtbot)
    assert not name.wordWrap()


# ------------------------------------------------------------------- theme


def test_the_theme_changes_the_colours(qtbot: QtBot, tile: StationTile) -> None:
    tile.show_view(made())
    settle(qtbot)
    corner = QPoint(tile.area("footer").center().x(), tile.area("footer").center().y())
    dark_card = pixel(tile, corner)
    dark = palette_for("dark")
    assert dark.text.lower() in tile.labels["speed"].styleSheet().lower()

    tile.set_theme("light")
    settle(qtbot)
    light = palette_for("light")
    assert tile.palette_in_use is light
    assert light.text.lower() in tile.labels["speed"].styleSheet().lower()
    assert QColor(pixel(tile, corner)).lightness() > QColor(dark_card).lightness() + 100
    # The zone's colour stays the zone's colour.
    assert pixel(tile, hr_background_point(tile)) == light.zone_color(3).name()
