"""The application shell: the pages, the keys that work everywhere, and one session's
life from a chosen workout to its end.

Pages: Session, Workouts, Plan, History, Progress, Gym, Devices, Settings. A session is
prepared when a workout is chosen (the station is built on the chosen devices, so a
treadmill that cannot run this workout safely is refused before anything moves) and
started by the person on the session page.

Keys (DESIGN.md): Esc is an emergency stop from any screen, even with a dialog open, so
it is caught by an application-wide event filter rather than a shortcut. Space pauses
or resumes and the arrows change speed, unless a text field has the focus (the person
is typing). F11 toggles full screen.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from retrocoach.audio import AudioSettings, CuePlayer, RoomAnnouncer
from retrocoach.coach.engine import EngineState
from retrocoach.coach.events import EndReason, SessionEnd
from retrocoach.coach.plan import PlanError
from retrocoach.devices.ports import Role
from retrocoach.gui.device_hub import DeviceHub
from retrocoach.gui.session_runner import SessionClock, SessionRunner
from retrocoach.record.recorder import SessionRecorder
from retrocoach.record.schema import StoreError
from retrocoach.record.store import SessionStore, default_store_path
from retrocoach.resources import data_dir
from retrocoach.userdata import AppSettings, Theme, UserData
from retrocoach.workouts.model import Workout
from retrocoach.workouts.profile import RunnerProfile
from retrocoach.workouts.progression import PROGRESSION

if TYPE_CHECKING:
    from retrocoach.gui.devices_page import DevicesPage
    from retrocoach.gui.gym_page import GymPage
    from retrocoach.gui.gym_session import GymMember, GymSession
    from retrocoach.gui.gym_window import GymWindow
    from retrocoach.gui.history_page import HistoryPage
    from retrocoach.gui.plan_page import PlanPage
    from retrocoach.gui.progress_page import ProgressPage
    from retrocoach.gui.session_page import SessionPage
    from retrocoach.gui.settings_page import SettingsPage
    from retrocoach.gui.workout_picker import WorkoutPicker

log = logging.getLogger(__name__)

PAGES = ("session", "workouts", "plan", "history", "progress", "gym", "devices", "settings")
PAGE_TITLES = {
    "session": "Session",
    "workouts": "Workouts",
    "plan": "6-week plan",
    "history": "History",
    "progress": "Progress",
    "gym": "Gym",
    "devices": "Devices",
    "settings": "Settings",
}
NAV_WIDTH_PX = 190
CLOSE_WAIT_MS = 15_000  # closing during a session: wait this long for a still belt
PROGRESSION_NAMES = frozenset(w.name for w in PROGRESSION.sessions())


def load_theme(theme: Theme) -> str:
    """The QSS text of a theme; empty (Qt's default look) if the file is missing."""
    try:
        return (data_dir("ui") / "themes" / f"{theme.value}.qss").read_text(encoding="utf-8")
    except OSError as exc:
        log.warning("theme %s not found: %s", theme.value, exc)
        return ""


W = TypeVar("W", bound=QWidget)


def _named(widget: W, name: str) -> W:
    widget.setObjectName(name)
    return widget


def _typing_into(widget: QWidget | None) -> bool:
    return isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit | QAbstractSpinBox) or (
        isinstance(widget, QComboBox) and widget.isEditable()
    )


class SessionKeys(QObject):
    """Application-wide keys for the session (installed on the QApplication)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._handled: int | None = None  # the key press acted on, until a key is released

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyRelease:
            self._handled = None
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        window = self.window
        if key == Qt.Key.Key_Escape:
            # Rule 4: from any screen, dialogs included (the dialog closes as well, so the
            # key goes on). One press passes this filter once for each object it is
            # delivered to (the window, the focus widget, its parents): act once.
            pointer = shiboken6.getCppPointer(event)[0]
            if pointer != self._handled:
                self._handled = pointer
                window.emergency_stop()
            return False
        if event.isAutoRepeat() or not window.isActiveWindow():
            return False
        if key == Qt.Key.Key_F11:
            window.toggle_full_screen()
            return True
        if window.runner is None or _typing_into(QApplication.focusWidget()):
            return False
        if key == Qt.Key.Key_Space and window.showing("session"):
            # Only on the session screen: elsewhere Space belongs to the focused control
            # (a person at the laptop ticking a box must not resume the belt).
            window.session_page.toggle_pause()
            return True
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Right) and window.showing("session"):
            window.session_page.speed_up()
            return True
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Left) and window.showing("session"):
            window.session_page.speed_down()
            return True
        if key == Qt.Key.Key_M and window.showing("session"):
            window.toggle_mute()
            return True
        return False


class MainWindow(QMainWindow):
    session_prepared = Signal(object)  # the SessionRunner
    session_ended = Signal(object)  # the SessionEnd event
    room_opened = Signal(object)  # the GymWindow of a guided session

    def __init__(
        self,
        user_data: UserData,
        hub: DeviceHub,
        parent: QWidget | None = None,
        *,
        audio: CuePlayer | None = None,
        store_path: Path | None = None,
    ) -> None:
        """`audio`: the cue player; None opens the computer's audio at `startup` (after
        the window shows, so the sounds load while the person looks at it).
        `store_path`: the session store (the platform's user data folder by default)."""
        super().__init__(parent)
        self.user_data = user_data
        self.hub = hub
        self._audio = audio
        self.store_path = store_path or default_store_path()
        self.recorder: SessionRecorder | None = None  # the session being recorded
        self.settings: AppSettings = user_data.load_settings()
        self.profile: RunnerProfile = user_data.load_profile()
        hub.simulator_speedup = self.settings.simulator_speedup
        self.runner: SessionRunner | None = None
        self.workout: Workout | None = None  # chosen; prepared once the devices are ready
        self.session_workout: Workout | None = None  # the one the runner runs
        self.gym: GymSession | None = None  # gym mode's guided session, while its room is open
        self.gym_window: GymWindow | None = None
        self._announcer: RoomAnnouncer | None = None
        # Tests and the screenshots give the room a clock they move (None: its own).
        self.gym_clock: Callable[[float], SessionClock] | None = None
        self._closing = False
        self._fault_left_belt = False  # the last session ended without a confirmed stop
        self.setWindowTitle("retrocoach")
        self.setMinimumSize(1024, 640)

        # Pages are built (and their modules imported) when first needed: the window
        # shows sooner, and a page nobody opens costs nothing.
        self._pages: dict[str, QWidget] = {}
        self._placeholders: dict[str, QWidget] = {}
        self._build()

        hub.changed.connect(self._device_changed)
        hub.choice_changed.connect(self._devices_chosen)

        self._keys = SessionKeys(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._keys)
        self.apply_theme(self.settings.theme)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        central = QWidget()
        outer = QHBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        nav = _named(QWidget(), "navigation")
        nav.setFixedWidth(NAV_WIDTH_PX)  # the session screen gets the rest
        nav_layout = QVBoxLayout(nav)
        nav_layout.setContentsMargins(8, 12, 8, 12)
        brand = _named(QLabel("retrocoach"), "brand")
        nav_layout.addWidget(brand)
        self._nav_group = QButtonGroup(self)
        self._nav_group.setExclusive(True)
        self._nav_buttons: dict[str, QPushButton] = {}
        for name in PAGES:
            button = _named(QPushButton(PAGE_TITLES[name]), f"nav_{name}")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(lambda _=False, n=name: self.show_page(n))
            self._nav_group.addButton(button)
            self._nav_buttons[name] = button
            nav_layout.addWidget(button)
        nav_layout.addStretch(1)
        self.device_summary = _named(QLabel(), "deviceSummary")
        self.device_summary.setWordWrap(True)
        nav_layout.addWidget(self.device_summary)
        hint = QLabel("Esc: stop the belt\nSpace: pause\n↑ ↓: speed\nM: mute\nF11: full screen")
        hint.setObjectName("keyHints")
        nav_layout.addWidget(hint)
        outer.addWidget(nav)

        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        self.notice = _named(QLabel(), "notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        right.addWidget(self.notice)
        self.stack = QStackedWidget()
        for name in PAGES:
            self._placeholders[name] = QWidget()
            self.stack.addWidget(self._placeholders[name])
        right.addWidget(self.stack, 1)
        outer.addLayout(right, 1)
        self.setCentralWidget(central)
        self._device_changed(Role.TREADMILL)

    # ----------------------------------------------------------------- pages

    @property
    def session_page(self) -> SessionPage:
        return cast("SessionPage", self._page("session"))

    @property
    def picker(self) -> WorkoutPicker:
        return cast("WorkoutPicker", self._page("workouts"))

    @property
    def plan_page(self) -> PlanPage:
        return cast("PlanPage", self._page("plan"))

    @property
    def history_page(self) -> HistoryPage:
        return cast("HistoryPage", self._page("history"))

    @property
    def progress_page(self) -> ProgressPage:
        return cast("ProgressPage", self._page("progress"))

    @property
    def gym_page(self) -> GymPage:
        return cast("GymPage", self._page("gym"))

    @property
    def devices_page(self) -> DevicesPage:
        return cast("DevicesPage", self._page("devices"))

    @property
    def settings_page(self) -> SettingsPage:
        return cast("SettingsPage", self._page("settings"))

    def _page(self, name: str) -> QWidget:
        page = self._pages.get(name)
        if page is None:
            page = self._make_page(name)
            self._pages[name] = page
            placeholder = self._placeholders.pop(name)
            index = self.stack.indexOf(placeholder)
            current = self.stack.currentWidget() is placeholder
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            if current:
                self.stack.setCurrentWidget(page)
        return page

    def _make_page(self, name: str) -> QWidget:
        if name == "session":
            from retrocoach.gui.session_page import SessionPage

            session = SessionPage()
            session.done.connect(self._session_done)
            session.stop_handler = self.emergency_stop
            session.set_theme(self.settings.theme.value)
            session.set_muted(self.settings.muted)
            session.mute_requested.connect(self.toggle_mute)
            session.export_requested.connect(self.export_session)
            return session
        if name == "workouts":
            from retrocoach.gui.workout_picker import WorkoutPicker

            picker = WorkoutPicker(self.user_data, lambda: self.profile)
            picker.chosen.connect(self.prepare_session)
            return picker
        if name == "plan":
            from retrocoach.gui.plan_page import PlanPage

            plan = PlanPage(self.user_data)
            plan.chosen.connect(self.prepare_session)
            return plan
        if name == "history":
            from retrocoach.gui.history_page import HistoryPage

            return HistoryPage(self.store_path, units=self.profile.units)
        if name == "progress":
            from retrocoach.gui.progress_page import ProgressPage

            return ProgressPage(self.store_path, self.user_data.progress(), profile=self.profile)
        if name == "gym":
            from retrocoach.gui.gym_page import GymPage, station_memory
            from retrocoach.gui.workout_picker import every_workout

            gym = GymPage(
                self.user_data,
                lambda number: self.hub.sibling(station_memory(self.user_data, number)),
                lambda: every_workout(self.user_data),
            )
            gym.open_requested.connect(self.open_room)
            return gym
        if name == "devices":
            from retrocoach.gui.devices_page import DevicesPage

            devices = DevicesPage(self.hub)
            devices.proceed.connect(self._after_devices)
            devices.setEnabled(not self.hub.locked)
            return devices
        from retrocoach.gui.settings_page import SettingsPage

        settings = SettingsPage(self.user_data)
        settings.saved.connect(self._settings_saved)
        settings.set_session_running(self.runner is not None)
        settings.test_sound_requested.connect(self.test_sound)
        self._show_audio_status(settings)
        return settings

    def _built(self, name: str) -> bool:
        return name in self._pages

    def show_page(self, name: str) -> None:
        self.stack.setCurrentWidget(self._page(name))
        self._nav_buttons[name].setChecked(True)
        if name == "devices":
            # Nothing chosen yet: look for devices at once (or offer the simulators).
            if not self.hub.has_treadmill and self.devices_page.scan_state.name == "IDLE":
                self.devices_page.start_scan()
        elif name == "workouts":
            self.picker.reload()
        elif name == "plan":
            self.plan_page.refresh()
        elif name == "progress":
            self.progress_page.set_progress(self.user_data.progress())
        elif name == "gym":
            self.gym_page.refresh_workouts()
            self.gym_page.refresh_members()

    def showing(self, name: str) -> bool:
        return self._built(name) and self.stack.currentWidget() is self._pages[name]

    def current_page(self) -> str:
        for name, page in self._pages.items():
            if page is self.stack.currentWidget():
                return name
        return ""

    def say(self, text: str) -> None:
        """A line above the pages for what the person should know (not an error box)."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def apply_theme(self, theme: Theme) -> None:
        app = QApplication.instance()
        sheet = load_theme(theme)
        # Setting a sheet restyles every widget there is: only when it changes.
        if isinstance(app, QApplication) and app.styleSheet() != sheet:
            app.setStyleSheet(sheet)
        if self._built("session"):
            self.session_page.set_theme(theme.value)

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    # ---------------------------------------------------------------- start-up

    def startup(self) -> None:
        """After the window is shown: the first run asks for a profile, then the
        devices; later starts reconnect the remembered devices and go to the workouts."""
        if self.user_data.problems:
            self.say("Some settings could not be read: " + "; ".join(self.user_data.problems))
        self.recover_sessions()
        self.audio.warn_if_silent()
        if not self.user_data.has_profile():
            from retrocoach.gui.first_run import FirstRunDialog

            dialog = FirstRunDialog(self)
            dialog.accepted.connect(lambda: self._first_profile(dialog.profile()))
            dialog.open()
            self.show_page("devices")
            return
        try:
            self.hub.reconnect_remembered()
        except RuntimeError as exc:  # no running loop (e.g. a test without qasync)
            log.info("not reconnecting remembered devices: %s", exc)
        self.show_page("workouts" if self.hub.ready else "devices")

    def recover_sessions(self) -> None:
        """Sessions a crash or power cut interrupted are closed and kept; say so."""
        try:
            with SessionStore(self.store_path) as store:
                recovered = store.recover_interrupted()
        except StoreError as exc:
            self.say(f"Sessions cannot be saved: {exc}. Export each one at its end.")
            return
        if recovered:
            when = ", ".join(f"{s.local_start:%Y-%m-%d %H:%M}" for s in recovered)
            self.say(
                f"An interrupted session ({when}) was kept in History as far as it was recorded."
            )

    # -------------------------------------------------------------------- sound

    @property
    def audio(self) -> CuePlayer:
        if self._audio is None:
            self._audio = CuePlayer.for_system(AudioSettings.of(self.settings))
            self._audio.setParent(self)
            self._audio.silent.connect(self._audio_went_silent)
            if self._built("settings"):
                self._show_audio_status(self.settings_page)
        return self._audio

    def _audio_went_silent(self, message: str) -> None:
        self.say(message)
        if self._built("settings"):
            self._show_audio_status(self.settings_page)

    def _show_audio_status(self, settings: SettingsPage) -> None:
        if self._audio is not None:
            settings.set_audio_status(
                self._audio.problem, can_speak_notes=self._audio.can_speak_notes
            )

    def toggle_mute(self) -> None:
        """The sound button or M: mute or unmute now, and keep it for the next start."""
        self.settings = replace(self.settings, muted=not self.settings.muted)
        self.audio.apply(AudioSettings.of(self.settings))
        self.session_page.set_muted(self.settings.muted)
        try:
            self.user_data.save_settings(self.settings)
        except OSError as exc:
            log.warning("could not keep the mute setting: %s", exc)
        if self._built("settings") and not self.settings_page.has_unsaved_changes():
            self.settings_page.load()

    def test_sound(self) -> None:
        """Settings → Test sound: a beep and a prompt at the volume as set on the page."""
        shown = self.settings_page.app_settings()
        self.audio.test(AudioSettings.of(shown))

    def _first_profile(self, profile: RunnerProfile | None) -> None:
        if profile is None:
            return
        self.profile = profile
        try:
            self.user_data.save_profile(profile)
        except OSError as exc:
            self.say(f"Your profile could not be saved in {self.user_data.root}: {exc}")
        if self._built("settings"):
            self.settings_page.load()
        self.show_page("devices")

    def _after_devices(self) -> None:
        if self.workout is not None and (self.runner is None or not self.session_active):
            self.prepare_session(self.workout)
        else:
            self.show_page("workouts" if self.runner is None else "session")

    def _device_changed(self, _role: object) -> None:
        parts = []
        for role, what in ((Role.TREADMILL, "Treadmill"), (Role.HRM, "Strap")):
            status = self.hub.status(role)
            if status.kind.value == "none":
                parts.append(f"{what}: none")
            else:
                state = status.state.value if status.state is not None else "ready"
                parts.append(f"{what}: {status.name} ({state})")
        self.device_summary.setText("\n".join(parts))

    # ----------------------------------------------------------------- sessions

    @property
    def session_active(self) -> bool:
        """A session has been started and has not ended: the belt may be moving."""
        runner = self.runner
        return runner is not None and runner.station.engine.state not in (
            EngineState.IDLE,
            EngineState.FINISHED,
        )

    def prepare_session(self, workout: Workout, *, show: bool = True) -> bool:
        """Build the session for this workout on the chosen devices and show it, ready
        to start. Refused while another session runs."""
        if self.session_active:
            self.say("A session is running: stop it before choosing another workout.")
            self.show_page("session")
            return False
        if self.gym is not None:
            self.say("The gym's room is open: close it before a session of your own.")
            self._raise_room()
            return False
        self.workout = workout
        if not self.hub.ready:
            self.say(f"“{workout.title}” is chosen. Choose a treadmill first (or the simulator).")
            self.show_page("devices")
            return False
        self._discard_session()
        audio = self.audio
        recorder = SessionRecorder(workout, self.store_path, on_problem=self._recording_failed)
        try:
            # The player first: a cue starts before the screens redraw.
            station, clock = self.hub.make_station(workout, self.profile, sinks=[audio, recorder])
        except PlanError as exc:
            self.hub.release_station()
            QMessageBox.warning(
                self,
                "This workout cannot run safely",
                f"“{workout.title}” cannot run on this treadmill with your profile:\n\n"
                + "\n".join(f"• {p}" for p in exc.problems),
            )
            return False
        self.session_workout = workout
        self.recorder = recorder
        audio.begin(clock.speedup)
        runner = SessionRunner(station, clock, self)
        runner.ended.connect(self._session_ended)
        runner.happened.connect(self._lock_devices_while_active)
        self.runner = runner
        self.session_page.bind(runner, self.profile)
        self.session_prepared.emit(runner)
        self.hub.announce_links()  # a link already stale or reconnecting is shown at once
        runner.begin()
        if self._built("settings"):
            self.settings_page.set_session_running(True)
        self.say("")
        if show:
            self.show_page("session")
        return True

    def emergency_stop(self) -> None:
        """Esc, the big STOP, SIGINT: stop the belt at once, whatever the screen (in gym
        mode, every belt of the room)."""
        if self.gym is not None:
            self.gym.emergency_stop_all()
        runner = self.runner
        if runner is None or runner.station.engine.state is EngineState.IDLE:
            # No session of ours moves the belt; unless one ended in a fault (its stop
            # never confirmed), the treadmill is left alone (it may be another app's).
            if self._fault_left_belt:
                self.hub.stop_treadmill()
            return
        self._fault_left_belt = False
        if runner.engine_finished:
            # The session is over, but the belt may not be (a stop never confirmed).
            runner.stop_belt()
        else:
            runner.emergency_stop()
        self.show_page("session")

    def _lock_devices_while_active(self, _event: object) -> None:
        locked = self.session_active
        if locked != self.hub.locked:
            self.hub.locked = locked
            if self._built("devices"):
                self.devices_page.setEnabled(not locked)
                self.devices_page.setToolTip(
                    "The devices cannot change while a session runs." if locked else ""
                )

    def _recording_failed(self, problem: str) -> None:
        self.say(
            f"This session is not being saved: {problem}. It goes on; export it at its end "
            "(Export… on the summary)."
        )

    def _keep_recording(self) -> None:
        """The session ended: finish writing it and say where it is."""
        recorder = self.recorder
        if recorder is None:
            return
        recorder.close()
        if recorder.problem is None and recorder.session_id is not None:
            note = "Saved in History."
        else:
            note = "Not saved (see the notice above): use Export… to keep it."
        if self._built("session"):
            self.session_page.set_record_note(note)

    def export_session(self) -> None:
        """Export… on the summary: the session just run, from memory."""
        recorder = self.recorder
        if recorder is None or recorder.header is None:
            return
        from retrocoach.record.export import ExportError, export_session

        session = recorder.session()
        path = self.ask_export_path(session.summary.describe())
        if path is None:
            return
        try:
            export_session(session, path)
        except ExportError as exc:
            QMessageBox.warning(self, "Cannot export this session", str(exc))
            return
        self.say(f"Exported to {path}.")

    def ask_export_path(self, what: str) -> Path | None:
        from PySide6.QtWidgets import QFileDialog

        from retrocoach.record.export import FORMATS

        filters = ";;".join(f"{name} (*{suffix})" for suffix, name in FORMATS.items())
        chosen, _ = QFileDialog.getSaveFileName(self, f"Export {what}", "", filters)
        return Path(chosen) if chosen else None

    def _session_ended(self, end: SessionEnd) -> None:
        self._keep_recording()
        self._lock_devices_while_active(end)
        self._fault_left_belt = end.reason == EndReason.FAULT
        workout = self.session_workout
        if (
            workout is not None
            and end.reason == EndReason.COMPLETED
            and workout.name in PROGRESSION_NAMES
        ):
            try:
                self.user_data.mark_done(workout.name, datetime.date.today())
            except OSError as exc:
                self.say(f"Could not record the plan's progress: {exc}")
            if self._built("plan"):
                self.plan_page.refresh()
        if self._built("settings"):
            self.settings_page.set_session_running(False)
        self.session_ended.emit(end)
        if self._closing:
            self.close()

    def _session_done(self) -> None:
        self._discard_session()
        self.workout = None
        self.show_page("workouts")

    def _devices_chosen(self) -> None:
        """Other devices: a session prepared (not started) on the old ones is built again
        on the new ones, or put away if they are not ready yet."""
        runner = self.runner
        if runner is None or runner.station.engine.state is not EngineState.IDLE:
            return
        workout = self.session_workout
        self._discard_session()
        if workout is not None and self.hub.ready:
            self.prepare_session(workout, show=False)

    def _discard_session(self) -> None:
        runner, self.runner = self.runner, None
        recorder, self.recorder = self.recorder, None
        if recorder is not None:
            recorder.close()  # what was recorded is kept (nothing, if never started)
        if runner is None:
            return
        self.session_workout = None
        self.hub.locked = False
        if self._built("devices"):
            self.devices_page.setEnabled(True)
        self.session_page.unbind()
        runner.halt()
        if self._audio is not None:
            self._audio.stop()
        self.hub.release_station()
        runner.deleteLater()
        if self._built("settings"):
            self.settings_page.set_session_running(False)

    # ------------------------------------------------------------------ gym mode

    def open_room(self, workout: Workout, members: list[GymMember]) -> bool:
        """Gym mode: build the guided session on the stations set up and show the room's
        window, ready for the coach's start. Refused while a session of one's own runs."""
        from retrocoach.gui.gym_session import GymError, GymSession
        from retrocoach.gui.gym_window import GymWindow

        if self.gym is not None:
            self._raise_room()
            return False
        if self.session_active:
            self.say("A session is running: stop it before opening the gym's room.")
            return False
        self._discard_session()
        simulated = all(m.hub.simulated for m in members)
        speedup = self.settings.simulator_speedup if simulated else 1.0
        announcer = RoomAnnouncer(self.audio)
        try:
            gym = GymSession(
                workout,
                members,
                store_path=self.store_path,
                room_sink=announcer.sink,
                speedup=speedup,
                clock=self.gym_clock(speedup) if self.gym_clock is not None else None,
                parent=self,
            )
        except GymError as exc:
            QMessageBox.warning(
                self,
                "The room cannot open",
                "\n".join(f"• {p}" for p in exc.problems),
            )
            return False
        announcer.begin(gym.clock.speedup)
        self.gym = gym
        self._announcer = announcer
        window = GymWindow(gym, self.settings.theme.value)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.closed.connect(self._room_closed)
        gym.all_ended.connect(self._room_ended)
        self.gym_window = window
        for member in members:
            member.hub.locked = True  # no device changes under a running room
        if self._built("gym"):
            self.gym_page.set_room_open(True)
        gym.begin()
        window.showMaximized()
        self.room_opened.emit(window)
        self.say("The gym's room is open in its own window.")
        return True

    def _raise_room(self) -> None:
        if self.gym_window is not None:
            self.gym_window.raise_()
            self.gym_window.activateWindow()

    def _room_ended(self) -> None:
        if self._built("history"):
            self.history_page.refresh()
        if self._closing:
            self._close_anyway()

    def _room_closed(self) -> None:
        self.gym = None
        self.gym_window = None
        if self._announcer is not None:
            self._announcer.stop()
            self._announcer = None
        if self._built("gym"):
            for hub in self.gym_page.hubs:
                hub.locked = False
            self.gym_page.set_room_open(False)
        self.say("")

    # ----------------------------------------------------------------- settings

    def _settings_saved(self, profile: RunnerProfile, settings: AppSettings) -> None:
        self.profile = profile
        theme_changed = settings.theme != self.settings.theme
        self.settings = settings
        self.hub.simulator_speedup = settings.simulator_speedup
        self.audio.apply(AudioSettings.of(settings))
        if self._built("session"):
            self.session_page.set_muted(settings.muted)
        if self._built("history"):
            self.history_page.set_units(profile.units)
        if self._built("progress"):
            self.progress_page.set_units(profile.units)
        if theme_changed:
            self.apply_theme(settings.theme)
        # A prepared (not started) session picks up the new profile; a finished one
        # keeps its summary.
        runner, workout = self.runner, self.session_workout
        if (
            runner is not None
            and workout is not None
            and runner.station.engine.state is EngineState.IDLE
        ):
            self.prepare_session(workout, show=False)

    # ------------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.gym_window is not None:
            # The room first: it asks before stopping its belts, and the app closes
            # only once it has closed.
            self.gym_window.close()
            if self.gym_window is not None:
                event.ignore()
                return
        if self.session_active and not self._closing:
            answer = QMessageBox.question(
                self,
                "Stop the session?",
                "A session is running. Stop the belt and quit?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            if self.session_active:
                self.stop_and_close()
                event.ignore()
                return
            # The session ended while the question was open: close now.
        if self.session_active:  # still waiting for the belt
            event.ignore()
            return
        self._discard_session()
        if self._built("history"):
            self.history_page.close_store()
        if self._built("gym"):
            self.gym_page.close_hubs()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._keys)
        event.accept()

    def interrupt(self) -> None:
        """SIGINT: stop the belt at once (rule 4), then close without asking."""
        if self.gym is not None and self.gym.active:
            self.gym.emergency_stop_all()
            self._closing = True
            QTimer.singleShot(CLOSE_WAIT_MS, self, self._close_anyway)
            return
        if self.session_active:
            self.emergency_stop()
            self._closing = True
            QTimer.singleShot(CLOSE_WAIT_MS, self, self._close_anyway)
        else:
            self.close()

    def stop_and_close(self) -> None:
        """Stop the belt, then close once the session has ended (or after a while)."""
        if not self.session_active:  # it ended while the question was open
            self.close()
            return
        self._closing = True
        if self.runner is not None:
            self.runner.stop()
        QTimer.singleShot(CLOSE_WAIT_MS, self, self._close_anyway)
        self.say("Stopping the belt before closing…")

    def _close_anyway(self) -> None:
        if self.gym is not None:
            log.warning("closing the room before every belt was seen standing still")
            self.gym.close()
            self._room_closed()
        if self.runner is not None and self.session_active:
            log.warning("closing before the belt was seen standing still")
            self._discard_session()
        self.close()
