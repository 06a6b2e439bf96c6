"""Gym mode from the app, as the coach uses it: members saved and picked per station,
the Bluetooth budget said (and a refused connection warned of), the room opened in its
own window, and Esc stopping every belt from any window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from app_driver import quiet
from bleak.backends.device import BLEDevice
from gym_driver import MEMBERS, TICK_S
from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from support import recording_player

from retrocoach.coach.engine import EngineState
from retrocoach.devices.memory import DeviceMemory
from retrocoach.devices.ports import LinkState, Role
from retrocoach.gui.device_hub import BluetoothClient, DeviceHub
from retrocoach.gui.gym_page import NO_MEMBER, GymPage
from retrocoach.gui.main_window import MainWindow
from retrocoach.gui.session_runner import ManualClock
from retrocoach.gym_setup import load_setup
from retrocoach.members import MemberBook
from retrocoach.userdata import UserData
from retrocoach.workouts.library import BACKWARD_HILLS
from retrocoach.workouts.profile import RunnerProfile


class Made:
    """The quiet Bluetooth clients the hubs made, so the test can play their links."""

    def __init__(self) -> None:
        self.clients: list[BluetoothClient] = []

    def __call__(self, role: Role, target: BLEDevice | str, name: str) -> BluetoothClient:
        client = quiet(role, target, name)
        self.clients.append(client)
        return client


@pytest.fixture
def made() -> Made:
    return Made()


@pytest.fixture
def app(user_data: UserData, tmp_path: Path, made: Made, qtbot: QtBot) -> Iterator[MainWindow]:
    book = MemberBook(user_data.members_dir)
    for profile in MEMBERS:
        book.save(profile)
    user_data.save_profile(MEMBERS[0])
    hub = DeviceHub(DeviceMemory(tmp_path / "devices.toml"), link_factory=made)
    window = MainWindow(user_data, hub, audio=recording_player(), store_path=tmp_path / "s.db")
    window.gym_clock = lambda _speedup: CLOCKS.setdefault(id(window), ManualClock())
    window.resize(1366, 768)
    window.show()
    yield window
    if window.gym is not None:
        window.gym.emergency_stop_all()
        advance(window, 10)
        if window.gym_window is not None:
            window.gym_window.close()
    window.close()
    hub.close()
    CLOCKS.pop(id(window), None)
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


# The room's clock of each window under test (the test moves it).
CLOCKS: dict[int, ManualClock] = {}


def advance(window: MainWindow, seconds: float) -> None:
    clock = CLOCKS[id(window)]
    end = clock.now() + seconds
    while clock.now() < end - 1e-9:
        clock.set(min(clock.now() + TICK_S, end))
        if window.gym is not None:
            for station in window.gym.stations:
                station.runner.catch_up()


def set_up_room(page: GymPage, names: list[str]) -> None:
    while len(page.rows) < len(names):
        assert page.add_station() is not None
    for row, name in zip(page.rows, names, strict=True):
        row.member.setCurrentIndex(row.member.findText(name))
    page.workout.setCurrentIndex(page.workout.findData(BACKWARD_HILLS.name))


def test_the_coach_sets_up_three_stations_and_opens_the_room(app: MainWindow) -> None:
    app.show_page("gym")
    page = app.gym_page
    assert [page.row(1).member.itemText(i) for i in range(page.row(1).member.count())] == [
        NO_MEMBER,
        "Anna",
        "Ben",
        "Chloé",
    ]
    set_up_room(page, ["Anna", "Ben", "Chloé"])
    assert not page.open_button.isEnabled()
    assert page.readiness.text() == "Station 1: choose a treadmill (Devices…)."
    page.simulate_button.click()
    assert page.open_button.isEnabled(), page.problems()
    assert page.budget.text().startswith("Bluetooth: 0 of about 7 connections in use.")
    # Kept for the next day.
    kept = load_setup(app.user_data.root)
    assert kept.members == ("Anna", "Ben", "Chloé") and kept.workout == BACKWARD_HILLS.name

    page.open_button.click()
    assert app.gym is not None and app.gym_window is not None
    assert app.gym_window.isVisible()
    assert [app.gym_window.shown()[n]["name"] for n in (1, 2, 3)] == ["Anna", "Ben", "Chloé"]
    assert not page.open_button.isEnabled()  # one room at a time, devices held

    # A session of one's own cannot start while the room is open.
    assert not app.prepare_session(BACKWARD_HILLS)


def test_the_same_member_twice_is_refused_by_name(app: MainWindow) -> None:
    app.show_page("gym")
    page = app.gym_page
    set_up_room(page, ["Anna", "Anna"])
    page.simulate_button.click()
    assert not page.open_button.isEnabled()
    assert "Station 2: Anna is already at station 1." in page.problems()


def test_escape_stops_every_belt_of_the_room_from_any_window(app: MainWindow) -> None:
    app.show_page("gym")
    set_up_room(app.gym_page, ["Anna", "Ben", "Chloé"])
    app.gym_page.simulate_button.click()
    app.gym_page.open_button.click()
    gym, room = app.gym, app.gym_window
    assert gym is not None and room is not None
    room.start_all_button.click()
    advance(app, 60)
    assert all(s.state is EngineState.RUNNING for s in gym.stations)

    app.activateWindow()
    QTest.keyClick(app, Qt.Key.Key_Escape)  # pressed on the main window
    advance(app, 10)
    for station in gym.stations:
        assert station.end is not None and station.end.reason == "emergency_stop"
        assert station.runner.station.treadmill.belt_speed_kmh == 0.0  # type: ignore[attr-defined]


def test_the_page_counts_connections_and_warns_when_one_is_refused(
    app: MainWindow, made: Made
) -> None:
    app.show_page("gym")
    page = app.gym_page
    set_up_room(page, ["Anna", "Ben", "Chloé", "Anna"])
    for n, row in enumerate(page.rows[:3], 1):
        row.hub.use_bluetooth(Role.TREADMILL, f"AA:00:00:00:00:0{n}", f"Treadmill {n}")
        row.hub.use_bluetooth(Role.HRM, f"BB:00:00:00:00:0{n}", f"Strap {n}")
    assert page.budget.text().startswith("Bluetooth: 6 of about 7 connections in use.")
    assert "Room for 0 stations more with a treadmill and a strap each, or 1 station" in (
        page.budget.text()
    )
    for client in made.clients:  # the six connect
        client.report_state(LinkState.CONNECTED)

    fourth = page.rows[3].hub
    fourth.use_bluetooth(Role.TREADMILL, "AA:00:00:00:00:04", "Treadmill 4")
    fourth.use_bluetooth(Role.HRM, "BB:00:00:00:00:04", "Strap 4")
    assert "8 of about 7" in page.budget.text() and "may be refused" in page.budget.text()
    strap = made.clients[-1]
    assert strap.on_failure is not None
    strap.on_failure("[org.bluez.Error.Failed] le-connection-abort-by-local")
    assert page.warning.isVisible()
    assert page.warning.text().startswith(
        "Station 4's strap (Strap 4) was refused by the Bluetooth adapter, which already "
        "holds 7 of about 7 connections."
    )
    assert not page.open_button.isEnabled()

    strap.report_state(LinkState.CONNECTED)  # it got in after all
    assert not page.warning.isVisible()


def test_stations_reconnect_their_own_remembered_devices(
    app: MainWindow, made: Made, user_data: UserData
) -> None:
    app.show_page("gym")
    page = app.gym_page
    set_up_room(page, ["Anna", "Ben"])
    page.row(2).hub.use_bluetooth(Role.TREADMILL, "AA:00:00:00:00:02", "Treadmill 2")
    remembered = DeviceMemory(user_data.root / "gym" / "station-2.toml").load()
    assert remembered[Role.TREADMILL].address == "AA:00:00:00:00:02"
    assert DeviceMemory(user_data.root / "gym" / "station-1.toml").load() == {}


def test_a_member_added_in_the_members_dialog_can_be_picked_at_once(app: MainWindow) -> None:
    app.show_page("gym")
    page = app.gym_page
    page.members_button.click()
    dialog = page.members_dialog
    assert dialog is not None and dialog.isVisible()
    page.book.save(RunnerProfile(name="Dana", run_kmh=10.0))
    dialog.members_changed.emit()  # as its Save does
    row = page.row(1)
    assert "Dana" in [row.member.itemText(i) for i in range(row.member.count())]
    dialog.close()
