"""The room's screen: a tile per member showing what that station does, and the coach's
controls acting on the stations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gym_driver import Room
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from retrocoach.coach.engine import EngineState
from retrocoach.coach.heartrate import zone_of
from retrocoach.gui.gym_window import GymWindow, grid_shape


@pytest.fixture
def room(tmp_path: Path, qtbot: QtBot) -> Iterator[Room]:
    made = Room(tmp_path)
    yield made
    made.close()


@pytest.fixture
def window(room: Room, qtbot: QtBot) -> Iterator[GymWindow]:
    shown = GymWindow(room.session)
    shown.resize(1600, 900)
    shown.show()
    yield shown
    room.session.emergency_stop_all()
    room.advance(10)
    shown.close()


def click(button: QPushButton) -> None:
    assert button.isEnabled() and button.isVisible(), button.objectName()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def test_each_tile_shows_what_its_station_does(room: Room, window: GymWindow) -> None:
    shown = window.shown()
    assert [shown[n]["name"] for n in (1, 2, 3)] == ["Anna", "Ben", "Chloé"]

    click(window.start_all_button)
    room.advance(30)  # the backward walk, at each member's own walking pace
    shown = window.shown()
    for station in room.session.stations:
        snap = station.snapshot()
        tile = shown[station.number]
        assert "BACKWARD" in tile["direction"].upper()
        assert f"{snap.belt_kmh:.1f}" in tile["speed"]
        assert tile["hr"] == str(snap.hr_bpm)
        zone = zone_of(snap.hr_bpm, station.profile)
        assert zone is not None
        assert tile["zone"].endswith(f"zone {zone.number}" if zone.number else "below zone 1")
    speeds = {n: shown[n]["speed"] for n in (1, 2, 3)}
    assert len(set(speeds.values())) == 3, speeds  # three paces, three speeds

    # Through the turn-around into the forward run, every tile following its station.
    room.advance_until(
        lambda: all("FORWARD" in t["direction"].upper() for t in window.shown().values()),
        limit_s=40,
    )
    room.advance(1)
    shown = window.shown()
    left = room.session.station(1).snapshot().remaining_s
    assert left is not None
    minutes, seconds = divmod(round(left), 60)
    assert shown[1]["remaining"] == f"{minutes}:{seconds:02d}"


def test_a_lost_device_shows_on_its_tile_only(room: Room, window: GymWindow) -> None:
    click(window.start_all_button)
    room.advance(20)
    room.strap(3).drop_link(room.clock.now())
    room.advance(2)
    shown = window.shown()
    assert "Strap" in shown[3]["problem"]
    assert shown[1]["problem"] == "" and shown[2]["problem"] == ""
    before = shown[1]["remaining"]
    room.advance(3)
    assert window.shown()[1]["remaining"] != before  # the others go on


def test_the_coach_bar_starts_pauses_and_stops_the_room(room: Room, window: GymWindow) -> None:
    assert window.pause_all_button.isEnabled() is False
    click(window.start_all_button)
    room.advance(20)
    assert not window.start_all_button.isEnabled()

    click(window.pause_all_button)
    room.advance(4)
    assert all(s.state is EngineState.PAUSED for s in room.session.stations)
    assert window.pause_all_button.text() == "Resume all"
    click(window.pause_all_button)
    room.advance(8)
    assert all(s.state is EngineState.RUNNING for s in room.session.stations)

    click(window.stop_all_button)
    room.advance(8)
    assert all(room.treadmill(n).belt_speed_kmh == 0.0 for n in (1, 2, 3))
    assert all(
        s.end is not None and s.end.reason == "emergency_stop" for s in room.session.stations
    )
    assert window.export_all_button.isVisible() and window.export_all_button.isEnabled()
    assert all("Emergency stop" in window.shown()[n]["detail"] for n in (1, 2, 3))


def test_a_tiles_own_buttons_act_on_its_station_only(room: Room, window: GymWindow) -> None:
    tile = window.tiles[2]
    click(tile.findChild(QPushButton, "tileStart"))
    room.advance(10)
    assert room.session.station(2).state is EngineState.RUNNING
    assert room.session.station(1).state is EngineState.IDLE
    click(tile.findChild(QPushButton, "tileStop"))
    room.advance(6)
    assert room.session.station(2).end is not None
    assert room.treadmill(2).belt_speed_kmh == 0.0


@pytest.mark.parametrize(
    ("count", "shape"),
    [(1, (1, 1)), (2, (2, 1)), (3, (3, 1)), (4, (2, 2)), (6, (3, 2)), (7, (4, 2)), (8, (4, 2))],
)
def test_tiles_fill_a_wide_screen_in_a_grid(count: int, shape: tuple[int, int]) -> None:
    assert grid_shape(count) == shape


def test_closing_the_room_while_belts_run_stops_them_first(
    room: Room, window: GymWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    click(window.start_all_button)
    room.advance(30)
    belts = [room.treadmill(n) for n in (1, 2, 3)]
    monkeypatch.setattr(window, "ask_to_stop", lambda: True)
    window.close()
    assert window.isVisible()  # not before every belt has stopped
    assert all(s.active for s in room.session.stations)
    room.advance_until(lambda: not window.isVisible(), limit_s=60)
    assert all(belt.belt_speed_kmh == 0.0 for belt in belts)
    assert room.session.stations == []  # put away, each session kept
