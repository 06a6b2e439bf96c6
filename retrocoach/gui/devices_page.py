"""The devices screen: what is chosen and how its link is, a scan, and a one-click way to
try everything on the simulators.

The person looks at this screen from the treadmill as often as from the chair, so a
state is always a symbol and words ("✓ Connected"), never a colour alone, in type that
reads from a couple of metres. Nothing here talks to Bluetooth directly: the scan is a
coroutine passed in (the real scanner by default) and every choice goes to the
`DeviceHub`, whose `changed` signal is the only thing that redraws the status cards.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from retrocoach.devices import scanner
from retrocoach.devices.ports import LinkState, Role
from retrocoach.devices.scanner import FoundDevice
from retrocoach.gui.aio import start_task
from retrocoach.gui.device_hub import DeviceHub, DeviceKind, DeviceStatus

log = logging.getLogger(__name__)

SCAN_TIMEOUT_S = 5.0
LOW_BATTERY_PCT = 20
NO_ADAPTER = "No Bluetooth adapter found, or Bluetooth is off"

ScanFunction = Callable[[float], Awaitable[list[FoundDevice]]]

ROLE_TITLES = {Role.TREADMILL: "Treadmill", Role.HRM: "Heart-rate strap"}
FOUND_TITLES = {Role.TREADMILL: "Treadmills found", Role.HRM: "Heart-rate straps found"}

# The link's state as the person reads it: symbol, words, and a tone for the theme's
# colour (the colour repeats what the symbol and words say).
LINK_WORDS: dict[LinkState, tuple[str, str, str]] = {
    LinkState.CONNECTING: ("…", "Connecting…", "busy"),
    LinkState.CONNECTED: ("✓", "Connected", "ok"),
    LinkState.RECONNECTING: ("↻", "Reconnecting…", "busy"),
    LinkState.LOST: ("✕", "Lost — trying again", "problem"),
    LinkState.STALE: ("⚠", "No data (stale)", "problem"),
}


class ScanState(StrEnum):
    IDLE = "idle"  # not scanned yet
    SCANNING = "scanning"
    FOUND = "found"
    NOTHING = "nothing"  # the scan worked and found no treadmill or strap
    FAILED = "failed"  # no adapter, Bluetooth off, no BlueZ or D-Bus


def link_words(status: DeviceStatus, role: Role) -> tuple[str, str, str]:
    """(symbol, words, tone) for one role's status."""
    if status.kind is DeviceKind.SIMULATED:
        return "●", "Simulated — ready", "ok"
    if status.kind is DeviceKind.NONE:
        if role is Role.HRM:
            return "○", "No strap", "idle"
        return "○", "Not chosen", "idle"
    return LINK_WORDS[status.state or LinkState.CONNECTING]


def signal_words(rssi: int | None) -> str:
    if rssi is None:
        return "signal unknown"
    strength = "strong" if rssi >= -60 else "fair" if rssi >= -75 else "weak"
    return f"signal {strength} ({rssi} dBm)"


def _restyle(widget: QWidget, name: str, value: str) -> None:
    """Set a dynamic property the theme styles on, and make the style see the change
    (in the widget's children too: rules like `[prominent="true"] QLabel` style them)."""
    if widget.property(name) != value:
        widget.setProperty(name, value)
        for each in (widget, *widget.findChildren(QWidget)):
            each.style().unpolish(each)
            each.style().polish(each)


def _label(text: str, object_name: str, *, wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setObjectName(object_name)
    label.setWordWrap(wrap)
    return label


class DeviceCard(QFrame):
    """One role: what is chosen, its link in symbol and words, and (strap) the heart
    rate, skin contact and battery; with the buttons that change the choice."""

    def __init__(self, hub: DeviceHub, role: Role, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hub = hub
        self.role = role
        self.setObjectName(f"{role.value}Card")
        self.setProperty("devicesRole", "card")
        self.title = _label(ROLE_TITLES[role], "cardTitle")  # and the address, when known
        self.device_name = _label("", "deviceName", wrap=True)
        self.state = _label("", "linkState")
        self.heart = _label("", "heartRate", wrap=True)  # the strap's heart rate or contact
        self.details = _label("", "deviceDetails", wrap=True)
        self.forget_button = QPushButton("Forget this device")
        self.forget_button.setObjectName("forgetButton")
        self.forget_button.setToolTip("Disconnect it and do not connect it at the next start")
        self.forget_button.clicked.connect(lambda: hub.forget(role))
        buttons = QHBoxLayout()
        buttons.addWidget(self.forget_button)
        self.no_strap_button: QPushButton | None = None
        if role is Role.HRM:
            self.no_strap_button = QPushButton("No strap")
            self.no_strap_button.setObjectName("noStrapButton")
            self.no_strap_button.setToolTip("Run sessions without heart rate")
            self.no_strap_button.clicked.connect(lambda: hub.use_none(Role.HRM))
            buttons.addWidget(self.no_strap_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.title)
        layout.addWidget(self.device_name)
        layout.addWidget(self.state)
        layout.addWidget(self.heart)
        layout.addWidget(self.details)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        status = self.hub.status(self.role)
        title = ROLE_TITLES[self.role]
        if status.kind is DeviceKind.BLUETOOTH:
            title += f"  ·  {status.address}"
        self.title.setText(title)
        symbol, words, tone = link_words(status, self.role)
        self.state.setText(f"{symbol} {words}")
        _restyle(self.state, "tone", tone)
        self.device_name.setText(status.name or status.address)
        self.device_name.setVisible(status.kind is not DeviceKind.NONE)
        heart = self._heart(status)
        self.heart.setText(heart)
        self.heart.setVisible(bool(heart))
        details = self._details(status)
        self.details.setText(details)
        self.details.setVisible(bool(details))
        self.forget_button.setVisible(status.kind is DeviceKind.BLUETOOTH)
        if self.no_strap_button is not None:
            self.no_strap_button.setVisible(status.kind is not DeviceKind.NONE)

    def _details(self, status: DeviceStatus) -> str:
        if status.kind is DeviceKind.NONE:
            if self.role is Role.HRM:
                return "Sessions run without heart rate."
            return "Scan and connect your treadmill, or use the simulator."
        if self.role is Role.HRM and status.battery_pct is not None:
            low = (
                " — low, charge or replace it soon" if status.battery_pct < LOW_BATTERY_PCT else ""
            )
            return f"Battery {status.battery_pct} %{low}"
        return ""

    def _heart(self, status: DeviceStatus) -> str:
        """The strap's heart rate, or why there is none; empty where nothing is known.
        A heart rate from before the link went quiet or down is not shown as current."""
        if self.role is not Role.HRM or status.kind is not DeviceKind.BLUETOOTH:
            return ""
        if status.state is not LinkState.CONNECTED:
            return ""
        if status.contact is False:
            return "⚠ No skin contact — wet the strap's pads"
        if status.bpm is not None:
            return f"♥ {status.bpm} bpm"
        return ""


class FoundRow(QFrame):
    """One device the scan found, for one role, with its Connect button."""

    def __init__(self, found: FoundDevice, role: Role, connect: Callable[[], None]) -> None:
        super().__init__()
        self.found = found
        self.role = role
        self.setProperty("devicesRole", "found")
        name = _label(found.name or "Unnamed device", "foundName", wrap=True)
        where = _label(f"{found.address}  ·  {signal_words(found.rssi)}", "foundDetails")
        self.connect_button = QPushButton("Connect")
        self.connect_button.setObjectName("connectButton")
        self.connect_button.clicked.connect(connect)
        text = QVBoxLayout()
        text.addWidget(name)
        text.addWidget(where)
        layout = QHBoxLayout(self)
        layout.addLayout(text, 1)
        layout.addWidget(self.connect_button, 0, Qt.AlignmentFlag.AlignVCenter)

    def refresh(self, status: DeviceStatus) -> None:
        chosen = status.kind is DeviceKind.BLUETOOTH and status.address == self.found.address
        self.connect_button.setText("In use" if chosen else "Connect")
        self.connect_button.setEnabled(not chosen)


class DevicesPage(QWidget):
    """Choose and watch the treadmill and the strap. `proceed` when the person presses
    Continue, which is enabled only while `hub.ready`."""

    proceed = Signal()

    def __init__(
        self,
        hub: DeviceHub,
        scan: ScanFunction | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("devicesPage")
        self.hub = hub
        self._scan: ScanFunction = scan or (lambda timeout: scanner.scan(timeout, hub.adapter))
        self.scan_state = ScanState.IDLE
        self._scan_detail = ""  # why the last scan failed, in the system's words
        self._found: list[FoundDevice] = []
        self._rows: list[FoundRow] = []
        self._scan_left_s = 0
        self._scan_timer = QTimer(self)
        self._scan_timer.setInterval(1000)
        self._scan_timer.timeout.connect(self._tick_scan)

        title = _label("Treadmill and heart-rate strap", "pageTitle")

        # The simulator offer: first on the page, explained, when Bluetooth cannot help.
        self.offer = QFrame()
        self.offer.setObjectName("simulatorOffer")
        self.offer_title = _label("", "offerTitle", wrap=True)
        self.offer_text = _label("", "offerText", wrap=True)
        self.offer_detail = _label("", "offerDetail", wrap=True)  # the error, for support
        self.simulator_button = QPushButton("Use the simulated treadmill and strap")
        self.simulator_button.setObjectName("simulatorButton")
        self.simulator_button.setToolTip("Try everything without hardware")
        self.simulator_button.clicked.connect(hub.use_simulators)
        offer_words = QVBoxLayout()
        offer_words.addWidget(self.offer_title)
        offer_words.addWidget(self.offer_text)
        offer_words.addWidget(self.offer_detail)
        offer_layout = QHBoxLayout(self.offer)
        offer_layout.setContentsMargins(16, 10, 16, 10)
        offer_layout.addLayout(offer_words, 1)
        offer_layout.addWidget(self.simulator_button, 0, Qt.AlignmentFlag.AlignVCenter)

        self.cards = {role: DeviceCard(hub, role) for role in Role}
        cards = QHBoxLayout()
        for card in self.cards.values():
            cards.addWidget(card, 1)

        self.scan_button = QPushButton("Scan for devices")
        self.scan_button.setObjectName("scanButton")
        self.scan_button.clicked.connect(self.start_scan)
        self.scan_status = _label("", "scanStatus", wrap=True)
        self.scan_status.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._scan_row = QHBoxLayout()
        self._scan_row.addWidget(self.scan_button)
        self._scan_row.addWidget(self.scan_status, 1)

        self.found_lists: dict[Role, QVBoxLayout] = {}
        self.found_titles: dict[Role, QLabel] = {}
        found_columns = QHBoxLayout()
        for role in Role:
            column = QVBoxLayout()
            self.found_titles[role] = _label(FOUND_TITLES[role], "foundTitle")
            column.addWidget(self.found_titles[role])
            self.found_lists[role] = QVBoxLayout()
            column.addLayout(self.found_lists[role])
            column.addStretch(1)
            found_columns.addLayout(column, 1)
        found_area = QWidget()
        found_area.setObjectName("foundArea")
        found_area.setLayout(found_columns)
        self.found_scroll = QScrollArea()
        self.found_scroll.setObjectName("foundScroll")
        self.found_scroll.setWidgetResizable(True)
        self.found_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.found_scroll.setWidget(found_area)

        self.message = _label("", "devicesMessage", wrap=True)  # a choice that failed
        self.message.hide()
        self.continue_hint = _label("", "continueHint", wrap=True)
        self.continue_button = QPushButton("Continue  →")
        self.continue_button.setObjectName("continueButton")
        self.continue_button.clicked.connect(self.proceed.emit)
        bottom = QHBoxLayout()
        bottom.addWidget(self.continue_hint, 1)
        bottom.addWidget(self.continue_button)

        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(32, 24, 32, 24)
        self._layout.setSpacing(16)
        self._layout.addWidget(title)
        self._layout.addWidget(self.offer)
        self._layout.addLayout(cards)
        self._layout.addLayout(self._scan_row)
        self._layout.addWidget(self.found_scroll, 1)
        self._layout.addWidget(self.message)
        self._layout.addLayout(bottom)

        hub.changed.connect(self._device_changed)
        self._show_scan_state(ScanState.IDLE)
        self._refresh_continue()

    # ------------------------------------------------------------------ public

    @property
    def found(self) -> list[FoundDevice]:
        """What the last scan found (strongest signal first)."""
        return list(self._found)

    def found_rows(self, role: Role) -> list[FoundRow]:
        return [row for row in self._rows if row.role is role]

    def start_scan(self) -> None:
        """Scan for `SCAN_TIMEOUT_S` seconds (the Scan button); needs the running loop."""
        if self.scan_state is ScanState.SCANNING:
            return
        self.message.hide()
        self._show_scan_state(ScanState.SCANNING)
        self._scan_left_s = round(SCAN_TIMEOUT_S)
        self._tick_scan()
        self._scan_timer.start()

        async def scanning() -> list[FoundDevice]:
            return await self._scan(SCAN_TIMEOUT_S)

        try:
            start_task(scanning(), on_done=self._scan_done, on_error=self._scan_failed, name="scan")
        except RuntimeError as exc:  # no event loop running: Bluetooth cannot work here
            self._scan_failed(exc)

    # ---------------------------------------------------------------- the scan

    def _tick_scan(self) -> None:
        self.scan_button.setText(f"Scanning…  {max(self._scan_left_s, 0)} s")
        self._scan_left_s -= 1

    def _scan_done(self, found: list[FoundDevice]) -> None:
        if not shiboken6.isValid(self):  # the window closed while scanning
            return
        self._found = list(found)
        self._fill_found()
        self._show_scan_state(ScanState.FOUND if self._rows else ScanState.NOTHING)

    def _scan_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        # BleakError, OSError, FileNotFoundError (no BlueZ / D-Bus) and the rest all mean
        # the same to the person: Bluetooth cannot be used here, the simulators can.
        log.info("scan failed: %r", exc)
        self._found = []
        self._fill_found()
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        self._show_scan_state(ScanState.FAILED, detail=detail[:200])

    def _fill_found(self) -> None:
        for row in self._rows:
            row.setParent(None)
            row.deleteLater()
        self._rows = []
        for role in Role:
            for found in self._found:
                if role in found.roles:
                    row = FoundRow(found, role, self._connector(found, role))
                    row.refresh(self.hub.status(role))
                    self.found_lists[role].addWidget(row)
                    self._rows.append(row)
        for role in Role:
            count = len(self.found_rows(role))
            self.found_titles[role].setText(f"{FOUND_TITLES[role]}: {count}")

    def _connector(self, found: FoundDevice, role: Role) -> Callable[[], None]:
        def connect() -> None:
            self.message.hide()
            try:
                self.hub.use_bluetooth(role, found.device, found.name)
            except Exception as exc:  # the person must see it; the app must go on
                log.exception("cannot connect to %s", found.label)
                self.message.setText(f"Cannot connect to {found.label}: {exc}")
                self.message.show()

        return connect

    def _show_scan_state(self, state: ScanState, detail: str = "") -> None:
        self.scan_state = state
        scanning = state is ScanState.SCANNING
        self.scan_button.setEnabled(not scanning)
        if not scanning:
            self._scan_timer.stop()
            self.scan_button.setText("Scan again" if state is not ScanState.IDLE else "Scan")
        _restyle(self.scan_button, "busy", "true" if scanning else "false")
        for title in self.found_titles.values():
            title.setVisible(state in (ScanState.FOUND, ScanState.NOTHING))
        texts = {
            ScanState.IDLE: "Switch the treadmill on (and wear the strap), then scan.",
            ScanState.SCANNING: "Looking for treadmills and heart-rate straps nearby…",
            ScanState.FOUND: "Press Connect on your treadmill and strap.",
            ScanState.NOTHING: "Nothing found.",
            ScanState.FAILED: f"{NO_ADAPTER}.",
        }
        self.scan_status.setText(texts[state])
        self._scan_detail = detail
        self._place_offer()

    def _place_offer(self) -> None:
        """The simulator offer: first and explained when Bluetooth found nothing or
        cannot work and no treadmill is chosen; otherwise a quiet button at the end of
        the scan row."""
        state = self.scan_state
        prominent = state in (ScanState.NOTHING, ScanState.FAILED) and not self.hub.has_treadmill
        wanted = "true" if prominent else "false"
        if self.offer.property("prominent") != wanted:  # move it only when it must
            self._layout.removeWidget(self.offer)
            self._scan_row.removeWidget(self.offer)
            if prominent:
                self._layout.insertWidget(1, self.offer)
            else:
                self._scan_row.addWidget(self.offer)
            _restyle(self.offer, "prominent", wanted)
        self.offer_title.setVisible(prominent)
        self.offer_text.setVisible(prominent)
        self.offer_detail.setText(self._scan_detail)
        self.offer_detail.setVisible(prominent and bool(self._scan_detail))
        if state is ScanState.FAILED:
            self.offer_title.setText(f"⚠ {NO_ADAPTER}")
            self.offer_text.setText(
                "Try everything without hardware: the simulated treadmill and strap run "
                "the same workouts, with the same cues and safety rules. To use your "
                "treadmill, switch Bluetooth on and scan again."
            )
        elif state is ScanState.NOTHING:
            self.offer_title.setText("No treadmill or heart-rate strap found")
            self.offer_text.setText(
                "Is the treadmill switched on, and not connected to another app? A strap "
                "shows up only while worn. Scan again, or try everything without "
                "hardware on the simulated treadmill and strap."
            )
        else:
            self.offer_title.setText("")
            self.offer_text.setText("")

    # --------------------------------------------------------------- the choice

    def _device_changed(self, role: Role) -> None:
        self.cards[role].refresh()
        status = self.hub.status(role)
        for row in self.found_rows(role):
            row.refresh(status)
        self._refresh_continue()
        self._place_offer()

    def _refresh_continue(self) -> None:
        ready = self.hub.ready
        self.continue_button.setEnabled(ready)
        if ready:
            hint = "Ready."
        elif not self.hub.has_treadmill:
            hint = "Choose a treadmill, or use the simulators, to continue."
        else:
            waiting = [
                ROLE_TITLES[role].lower() for role in Role if not self.hub.status(role).usable
            ]
            hint = f"Waiting for the {' and the '.join(waiting)} to connect…"
            if not self.hub.status(Role.HRM).usable:
                hint += " (or choose No strap)"
        self.continue_hint.setText(hint)
