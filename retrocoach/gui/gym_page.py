"""Gym mode's set-up: the room's stations, who runs on each, and the one workout.

A station is a member (from the saved list, `members.MemberBook`) and that station's
own treadmill and strap (a `DeviceHub` each, remembered per station, so the room
reconnects by itself the next day). The page counts the Bluetooth connections the room
needs against what the adapter holds (about seven), says how many more stations fit,
and warns when the adapter refuses one. "Open the room" hands the set-up to the main
window, which builds the guided session and its big-screen window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from retrocoach.devices.budget import (
    MAX_ADAPTER_CONNECTIONS,
    ConnectionBudget,
    StationDevices,
    looks_refused,
)
from retrocoach.devices.memory import DeviceMemory
from retrocoach.devices.ports import LinkState, Role
from retrocoach.gui.device_hub import DeviceHub, DeviceKind, DeviceStatus
from retrocoach.gui.gym_session import GymMember
from retrocoach.gym_setup import MAX_STATIONS, GymSetup, load_setup, save_setup
from retrocoach.members import MemberBook
from retrocoach.userdata import UserData
from retrocoach.workouts.model import Workout
from retrocoach.workouts.profile import RunnerProfile

log = logging.getLogger(__name__)

NO_MEMBER = "— choose a member —"
ROLE_WORDS = {Role.TREADMILL: "treadmill", Role.HRM: "strap"}

# Makes the hub of station N (the main window's: same adapter and Bluetooth clients).
HubFactory = Callable[[int], DeviceHub]


def _label(text: str, name: str, *, wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


def device_words(status: DeviceStatus, role: Role) -> str:
    """ "Simulated treadmill" / "Kickr Run (connected)" / "no strap"."""
    if status.kind is DeviceKind.NONE:
        return f"no {ROLE_WORDS[role]}"
    if status.kind is DeviceKind.SIMULATED:
        return status.name
    state = status.state.value if status.state is not None else "not connected"
    return f"{status.name} ({state})"


class StationRow(QFrame):
    """One station in the set-up: its member, its devices, and the buttons for them."""

    changed = Signal()
    devices_requested = Signal(int)
    remove_requested = Signal(int)

    def __init__(self, number: int, hub: DeviceHub) -> None:
        super().__init__()
        self.setObjectName("stationRow")
        self.number = number
        self.hub = hub
        self.title = _label(f"Station {number}", "stationNumber")
        self.member = QComboBox()
        self.member.setObjectName("memberChoice")
        self.member.setMinimumWidth(220)
        self.member.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.devices = _label("", "stationDevices", wrap=True)
        self.devices_button = QPushButton("Devices…")
        self.devices_button.setObjectName("stationDevicesButton")
        self.devices_button.clicked.connect(lambda: self.devices_requested.emit(self.number))
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("removeStationButton")
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self.number))
        layout = QHBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.member)
        layout.addWidget(self.devices, 1)
        layout.addWidget(self.devices_button)
        layout.addWidget(self.remove_button)
        hub.changed.connect(self._show_devices)
        self._show_devices()

    def set_members(self, names: list[str], chosen: str) -> None:
        self.member.blockSignals(True)
        self.member.clear()
        self.member.addItem(NO_MEMBER, "")
        for name in names:
            self.member.addItem(name, name)
        index = self.member.findData(chosen)
        self.member.setCurrentIndex(max(index, 0))
        self.member.blockSignals(False)

    @property
    def member_name(self) -> str:
        return str(self.member.currentData() or "")

    def station_devices(self) -> StationDevices:
        return StationDevices(
            self.hub.bluetooth_address(Role.TREADMILL), self.hub.bluetooth_address(Role.HRM)
        )

    def _show_devices(self, _role: object = None) -> None:
        words = " · ".join(device_words(self.hub.status(r), r) for r in Role)
        if self.devices.text() != words:
            self.devices.setText(words)
        self.changed.emit()


class GymPage(QWidget):
    open_requested = Signal(object, object)  # (Workout, list[GymMember])

    def __init__(
        self,
        user_data: UserData,
        make_hub: HubFactory,
        workouts: Callable[[], list[Workout]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("gymPage")
        # Nothing is counted or saved while the page builds itself from gym.toml.
        self._restoring = True
        self.devices_dialog: QDialog | None = None  # the one open (tests drive it)
        self.members_dialog: QDialog | None = None
        self.user_data = user_data
        self.book = MemberBook(user_data.members_dir)
        self._make_hub = make_hub
        self._workouts = workouts
        self.rows: list[StationRow] = []
        self._refusals: dict[tuple[int, Role], str] = {}
        self._room_open = False
        self.setup = load_setup(user_data.root)

        title = _label("Gym: one guided session for the room", "pageTitle")
        intro = _label(
            "Each station is a member on their own treadmill and strap. Everyone runs the "
            "same workout at their own speeds and caps; the room hears each change once.",
            "pageIntro",
            wrap=True,
        )
        self.workout = QComboBox()
        self.workout.setObjectName("gymWorkout")
        self.workout.currentIndexChanged.connect(lambda _i: self._changed())
        self.members_button = QPushButton("Members…")
        self.members_button.setObjectName("membersButton")
        self.members_button.clicked.connect(self.edit_members)
        top = QHBoxLayout()
        top.addWidget(_label("Workout", "fieldLabel"))
        top.addWidget(self.workout, 1)
        top.addWidget(self.members_button)

        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(6)
        rows_widget = QWidget()
        rows_outer = QVBoxLayout(rows_widget)
        rows_outer.setContentsMargins(0, 0, 0, 0)
        rows_outer.addLayout(self.rows_box)
        rows_outer.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(rows_widget)

        self.add_button = QPushButton("Add a station")
        self.add_button.setObjectName("addStationButton")
        self.add_button.clicked.connect(self.add_station)
        self.simulate_button = QPushButton("Simulate the stations without a treadmill")
        self.simulate_button.setObjectName("simulateStationsButton")
        self.simulate_button.setToolTip("Try the room without hardware")
        self.simulate_button.clicked.connect(self.simulate_missing)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.simulate_button)
        buttons.addStretch(1)

        self.capacity = QSpinBox()
        self.capacity.setObjectName("adapterCapacity")
        self.capacity.setRange(1, MAX_ADAPTER_CONNECTIONS)
        self.capacity.setValue(self.setup.capacity)
        self.capacity.setToolTip(
            "How many Bluetooth connections this computer's adapter holds at once "
            "(about 7 for most laptops)"
        )
        self.capacity.valueChanged.connect(lambda _v: self._changed())
        self.budget = _label("", "connectionBudget", wrap=True)
        budget_row = QHBoxLayout()
        budget_row.addWidget(_label("Adapter connections", "fieldLabel"))
        budget_row.addWidget(self.capacity)
        budget_row.addWidget(self.budget, 1)
        self.warning = _label("", "gymWarning", wrap=True)
        self.warning.hide()

        self.readiness = _label("", "gymReadiness", wrap=True)
        self.open_button = QPushButton("Open the room")
        self.open_button.setObjectName("openRoomButton")
        self.open_button.clicked.connect(self._open)
        bottom = QHBoxLayout()
        bottom.addWidget(self.readiness, 1)
        bottom.addWidget(self.open_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        layout.addLayout(budget_row)
        layout.addWidget(self.warning)
        layout.addLayout(bottom)

        self.refresh_workouts()
        for name in self.setup.members:
            self.add_station(member=name)
        self._restoring = False
        self._changed()

    # --------------------------------------------------------------- stations

    def add_station(self, *, member: str = "") -> StationRow | None:
        if len(self.rows) >= MAX_STATIONS:
            return None
        number = len(self.rows) + 1
        hub = self._make_hub(number)
        row = StationRow(number, hub)
        row.set_members(self._member_names(), member)
        row.changed.connect(self._changed)
        row.devices_requested.connect(self.choose_devices)
        row.remove_requested.connect(self.remove_station)
        hub.connection_failed.connect(
            lambda role, message, n=number: self._connection_failed(n, role, message)
        )
        hub.changed.connect(lambda role, n=number: self._link_changed(n, role))
        self.rows.append(row)
        self.rows_box.addWidget(row)
        try:
            hub.reconnect_remembered()
        except RuntimeError as exc:  # no running loop (a test without qasync)
            log.info("station %d: not reconnecting remembered devices: %s", number, exc)
        self._changed()
        return row

    def remove_station(self, number: int) -> None:
        """The last station goes, its devices let go and forgotten. Only the last: the
        numbers are the room's (station 3 is the third treadmill from the door), and
        renumbering would move members and devices between treadmills."""
        if not self.rows or self._room_open or number != len(self.rows):
            return
        row = self.rows.pop()
        for role in Role:
            row.hub.forget(role)
        row.hub.close()
        row.setParent(None)
        row.deleteLater()
        self._refusals = {k: v for k, v in self._refusals.items() if k[0] != number}
        self._changed()

    def row(self, number: int) -> StationRow:
        return self.rows[number - 1]

    @property
    def hubs(self) -> list[DeviceHub]:
        return [row.hub for row in self.rows]

    def simulate_missing(self) -> None:
        """Every station without a treadmill gets the simulated treadmill and strap."""
        for row in self.rows:
            if not row.hub.has_treadmill and not self._room_open:
                row.hub.use_simulators()

    def choose_devices(self, number: int) -> None:
        from retrocoach.gui.devices_page import DevicesPage

        row = self.row(number)
        dialog = QDialog(self)
        dialog.setWindowTitle(f"Station {number}: treadmill and strap")
        page = DevicesPage(row.hub, parent=dialog)
        page.proceed.connect(dialog.accept)
        layout = QVBoxLayout(dialog)
        layout.addWidget(page)
        dialog.resize(900, 640)
        self.devices_dialog = dialog
        dialog.open()

    def edit_members(self) -> None:
        from retrocoach.gui.members_dialog import MembersDialog

        dialog = MembersDialog(self.book, self.user_data.load_profile().units, self)
        dialog.members_changed.connect(self.refresh_members)
        self.members_dialog = dialog
        dialog.open()

    # ---------------------------------------------------------------- choices

    def refresh_members(self) -> None:
        names = self._member_names()
        for row in self.rows:
            row.set_members(names, row.member_name)
        self._changed()

    def refresh_workouts(self) -> None:
        chosen = str(self.workout.currentData() or self.setup.workout)
        self.workout.blockSignals(True)
        self.workout.clear()
        for workout in self._workouts():
            self.workout.addItem(workout.title, workout.name)
        index = self.workout.findData(chosen)
        self.workout.setCurrentIndex(max(index, 0))
        self.workout.blockSignals(False)

    def chosen_workout(self) -> Workout | None:
        name = self.workout.currentData()
        return next((w for w in self._workouts() if w.name == name), None)

    def budget_now(self) -> ConnectionBudget:
        return ConnectionBudget.of((r.station_devices() for r in self.rows), self.capacity.value())

    def members(self) -> list[GymMember]:
        """The stations as set up (each with a member whose profile is saved)."""
        chosen = []
        saved = self._saved_members()
        for row in self.rows:
            profile = saved.get(row.member_name.strip().casefold())
            if profile is not None:
                chosen.append(GymMember(row.number, profile, row.hub))
        return chosen

    def problems(self) -> list[str]:
        """Why the room cannot open yet, station by station."""
        found = []
        saved = self._saved_members()  # one read of the folder, not one per station
        if self.chosen_workout() is None:
            found.append("Choose a workout.")
        seen: dict[str, int] = {}
        for row in self.rows:
            name = row.member_name
            where = f"Station {row.number}"
            if not name:
                found.append(f"{where}: choose a member.")
            elif name.strip().casefold() not in saved:
                found.append(f"{where}: {name} is no longer in the members' list.")
            elif name.casefold() in seen:
                found.append(f"{where}: {name} is already at station {seen[name.casefold()]}.")
            else:
                seen[name.casefold()] = row.number
            if not row.hub.has_treadmill:
                found.append(f"{where}: choose a treadmill (Devices…).")
            elif not row.hub.ready:
                found.append(f"{where}: waiting for its devices to connect.")
        if not self.rows:
            found.append("Add a station.")
        return found

    # ---------------------------------------------------------------- internals

    def _saved_members(self) -> dict[str, RunnerProfile]:
        """The members' list by name as the book matches it (ignoring case and spaces)."""
        return {p.name.strip().casefold(): p for p in self.book.members()}

    def _member_names(self) -> list[str]:
        return [p.name for p in self.book.members()]

    def _changed(self) -> None:
        if self._restoring:
            return
        budget = self.budget_now()
        text = budget.describe()
        if self.budget.text() != text:
            self.budget.setText(text)
        self.budget.setProperty("severity", "warning" if budget.over else "")
        self.budget.style().polish(self.budget)
        self._show_warnings()
        problems = self.problems()
        if self._room_open:
            self.readiness.setText("The room is open in its own window.")
        else:
            self.readiness.setText(problems[0] if problems else f"{len(self.rows)} stations ready.")
        self.open_button.setEnabled(not problems and not self._room_open)
        self.add_button.setEnabled(len(self.rows) < MAX_STATIONS and not self._room_open)
        for row in self.rows:
            row.remove_button.setVisible(row is self.rows[-1] and len(self.rows) > 1)
        self._save()

    def _save(self) -> None:
        setup = GymSetup(
            members=tuple(r.member_name for r in self.rows) or ("",),
            workout=str(self.workout.currentData() or ""),
            capacity=self.capacity.value(),
        )
        if setup == self.setup:
            return
        self.setup = setup
        try:
            save_setup(self.user_data.root, setup)
        except OSError as exc:  # a read-only folder: the room still works today
            log.warning("could not keep the gym's set-up: %s", exc)

    def _connection_failed(self, number: int, role: Role, message: str) -> None:
        row = self.row(number) if 0 < number <= len(self.rows) else None
        if row is None:
            return
        address = row.hub.bluetooth_address(role)
        others = [
            replace(
                r.station_devices(),
                **{("treadmill" if role is Role.TREADMILL else "strap"): ""},
            )
            if r is row
            else r.station_devices()
            for r in self.rows
        ]
        held = ConnectionBudget.of(others, self.capacity.value())
        name = row.hub.status(role).name or address
        what = f"Station {number}'s {ROLE_WORDS[role]} ({name})"
        if looks_refused(message, held):
            self._refusals[(number, role)] = (
                f"{what} was refused by the Bluetooth adapter, which already holds "
                f"{held.in_use} of about {held.capacity} connections. Give a station a "
                "treadmill that carries the heart rate, a simulated or no strap, or use a "
                "second adapter. Still trying."
            )
        else:
            self._refusals[(number, role)] = f"{what} could not connect ({message}). Still trying."
        self._show_warnings()

    def _link_changed(self, number: int, role: object) -> None:
        if not isinstance(role, Role) or not 0 < number <= len(self.rows):
            return
        status = self.row(number).hub.status(role)
        settled = status.kind is not DeviceKind.BLUETOOTH or status.state is LinkState.CONNECTED
        if settled and self._refusals.pop((number, role), None) is not None:
            self._show_warnings()

    def _show_warnings(self) -> None:
        text = "\n".join(self._refusals[k] for k in sorted(self._refusals))
        self.warning.setText(text)
        self.warning.setVisible(bool(text))

    def _open(self) -> None:
        workout = self.chosen_workout()
        if workout is None or self.problems():
            return
        self.open_requested.emit(workout, self.members())

    def set_room_open(self, room_open: bool) -> None:
        """While the room is open its stations are as they were opened: nothing here
        changes under a running belt."""
        self._room_open = room_open
        for row in self.rows:
            row.member.setEnabled(not room_open)
            row.devices_button.setEnabled(not room_open)
            row.remove_button.setEnabled(not room_open)
        for widget in (self.workout, self.simulate_button, self.members_button, self.capacity):
            widget.setEnabled(not room_open)
        self._changed()

    def close_hubs(self) -> None:
        for hub in self.hubs:
            hub.close()


def station_memory(user_data: UserData, number: int) -> DeviceMemory:
    from retrocoach.gym_setup import station_devices_path

    return DeviceMemory(station_devices_path(user_data.root, number))
