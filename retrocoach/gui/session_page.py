"""The session screen: what the runner glances at from 2 m, and the buttons.

It reads everything from the engine: the snapshot (on every `refreshed`) for what depends
on the clock, and the events (`happened`) for what only they carry: the countdown's
digits, the devices' state, the machine's reasons for stopping, heart-rate samples.
Text sizes follow the window's height (resizeEvent), so the screen reads the same from
2 m at any window size; each value is a QLabel with a stable objectName.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from retrocoach.coach.cues import CueId
from retrocoach.coach.engine import EngineState, Snapshot
from retrocoach.coach.events import (
    Cue,
    DeviceEvent,
    EndReason,
    Event,
    Phase,
    PhaseChange,
    Sample,
    SegmentStart,
    SessionEnd,
    UserAction,
    UserEvent,
)
from retrocoach.coach.heartrate import zone_of
from retrocoach.coach.plan import Segment
from retrocoach.gui.palette import Palette, palette_for
from retrocoach.gui.session_runner import SessionRunner
from retrocoach.gui.widgets.direction import DirectionIndicator, fitted_px, text_css
from retrocoach.gui.widgets.hr_plot import HeartRatePlot
from retrocoach.gui.widgets.timeline import WorkoutTimeline
from retrocoach.workouts.model import Direction, TimeEnd, format_duration
from retrocoach.workouts.profile import RunnerProfile, Units

METRES_PER_MILE = 1609.344
ONE_SHOWN_S = 1.0  # "1" falls on the change itself: keep it readable a moment longer

COUNTDOWN_DIGITS = {CueId.COUNTDOWN_3: "3", CueId.COUNTDOWN_2: "2", CueId.COUNTDOWN_1: "1"}
# The machine (or another app) stopped the belt: shown until the session runs again.
STOP_CUES = frozenset(
    {
        CueId.SAFETY_KEY,
        CueId.STOPPED_ON_CONSOLE,
        CueId.BELT_STOPPED,
        CueId.START_FAILED,
        CueId.CONTROL_TAKEN,
    }
)
# Warnings while running: each goes when what it warns about is over.
WARNING_CUES = frozenset(
    {
        CueId.HR_HIGH,
        CueId.HR_HIGH_AT_MINIMUM,
        CueId.HR_MISSING,
        CueId.HOLDING_SPEED,
        CueId.ABOVE_CAP,
        CueId.WAITING_FOR_TURN_SPEED,
    }
)
BAD_LINK_STATES = frozenset({"reconnecting", "lost", "stale"})
DEVICE_NAMES = {"treadmill": "Treadmill", "hrm": "Heart-rate strap"}
END_WORDS = {
    EndReason.COMPLETED: "Session complete. Well done!",
    EndReason.STOPPED: "Session stopped",
    EndReason.EMERGENCY_STOP: "Emergency stop",
    EndReason.FAULT: "Session ended by a fault",
}

# Text sizes as fractions of the page's height.
SIZE = {
    "word": 0.12,
    "phase": 0.065,
    "timeLeft": 0.14,
    "caption": 0.026,
    "nextUp": 0.04,
    "value": 0.065,
    "subvalue": 0.032,
    "banner": 0.036,
    "button": 0.036,
    "summary": 0.036,
}

SHOWN = (
    "directionWord",
    "phaseText",
    "timeLeftCaption",
    "timeLeft",
    "nextUp",
    "speedNow",
    "speedTarget",
    "incline",
    "heartRate",
    "hrZone",
    "elapsed",
    "distance",
    "deviceBanner",
    "machineBanner",
    "summary",
)


class SessionPage(QWidget):
    done = Signal()  # the person has read the summary
    export_requested = Signal()  # Export… on the summary: the window asks where to
    mute_requested = Signal()  # the sound button (or M): the window toggles the mute

    # What only the events tell (reset for each session).
    _digit: str | None  # the countdown's latest digit
    _digit_t: float  # when it was said (event time)
    _now_rel: float  # the engine's present in event time, as of the last refresh
    _start_rel: float | None  # the person's start in event time
    _links: dict[str, str]  # device role -> link state
    _stop_note: str | None  # why the machine stopped the belt
    _warnings: dict[CueId, str]  # warnings in force, the latest last

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionPage")
        self._palette = palette_for("dark")
        self._runner: SessionRunner | None = None
        self._profile = RunnerProfile()
        self._sizes: dict[QLabel, str] = {}  # each label's size class (SIZE)
        self._css: dict[QWidget, str] = {}
        self.stop_handler: Callable[[], None] | None = None
        self._end_reason: EndReason | None = None
        self._end_ref: SessionEnd | None = None  # the end shown, once the session ended
        self._record_note = ""  # where the session was kept, under the summary
        self._reset_session_state()

        self.device_banner = self._label("deviceBanner", "banner", wrap=True)
        self.machine_banner = self._label("machineBanner", "banner", wrap=True)
        self.device_banner.hide()
        self.machine_banner.hide()

        self.indicator = DirectionIndicator(palette=self._palette)
        self.time_caption = self._label("timeLeftCaption", "caption")
        self.time_caption.setProperty("role", "caption")
        self.time_left = self._label("timeLeft", "timeLeft")
        time_box = QFrame()
        time_box.setObjectName("timeBox")
        box = QVBoxLayout(time_box)
        box.addStretch(1)
        box.addWidget(self.time_caption)
        box.addWidget(self.time_left)
        box.addStretch(1)
        for label in (self.time_caption, self.time_left):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        top = QHBoxLayout()
        top.addWidget(self.indicator, 3)
        top.addWidget(time_box, 2)

        self.next_up = self._label("nextUp", "nextUp")
        self.next_up.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.speed_now = self._label("speedNow", "value")
        self.speed_target = self._label("speedTarget", "subvalue")
        self.incline = self._label("incline", "value")
        self.heart_rate = self._label("heartRate", "value")
        self.hr_zone = self._label("hrZone", "subvalue")
        self.elapsed = self._label("elapsed", "value")
        self.distance = self._label("distance", "value")
        tiles = QHBoxLayout()
        for caption, values in (
            ("SPEED", (self.speed_now, self.speed_target)),
            ("INCLINE", (self.incline,)),
            ("HEART RATE", (self.heart_rate, self.hr_zone)),
            ("TIME", (self.elapsed,)),
            ("DISTANCE", (self.distance,)),
        ):
            tiles.addWidget(self._tile(caption, values), 1)

        self.timeline = WorkoutTimeline(palette=self._palette)
        self.hr_plot = HeartRatePlot(palette=self._palette)

        self.controls = self._build_controls()
        self.summary = self._label("summary", "summary", wrap=True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.done_button = self._button("doneButton", "Done", self.done.emit)
        self.export_button = self._button("exportButton", "Export…", self.export_requested.emit)
        self.export_button.setToolTip("Save this session as a FIT, TCX or CSV file")
        # After a fault the belt may still be running (the stop was never confirmed): a
        # stop must stay within reach.
        self.stop_again_button = self._button(
            "stopAgainButton", "■ STOP THE BELT", self.emergency_stop
        )
        self.stop_again_button.hide()
        finished = QWidget()
        finished.setObjectName("finishedPanel")
        row = QHBoxLayout(finished)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.summary, 4)
        row.addWidget(self.stop_again_button, 2)
        row.addWidget(self.export_button, 1)
        row.addWidget(self.done_button, 1)
        self.bottom = QStackedWidget()
        self.bottom.addWidget(self.controls)
        self.bottom.addWidget(finished)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.device_banner)
        layout.addWidget(self.machine_banner)
        layout.addLayout(top, 27)
        layout.addWidget(self.next_up)
        layout.addLayout(tiles)
        layout.addWidget(self.timeline)
        layout.addWidget(self.hr_plot, 30)
        layout.addWidget(self.bottom)
        self._show_unbound()

    # ------------------------------------------------------------------ public

    @property
    def runner(self) -> SessionRunner | None:
        return self._runner

    def bind(self, runner: SessionRunner, profile: RunnerProfile) -> None:
        """Show this runner's session (ready to start)."""
        self.unbind()
        self._runner = runner
        self._profile = profile
        self._reset_session_state()
        engine = runner.station.engine
        self.timeline.set_plan(engine.segments, profile, engine.limits)
        self.hr_plot.reset()
        self.hr_plot.set_profile(profile)
        self.bottom.setCurrentIndex(0)
        runner.happened.connect(self._on_event)
        runner.refreshed.connect(self.refresh)
        runner.ended.connect(self._on_ended)
        self.refresh()

    def unbind(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        for signal, slot in (
            (runner.happened, self._on_event),
            (runner.refreshed, self.refresh),
            (runner.ended, self._on_ended),
        ):
            with contextlib.suppress(RuntimeError, TypeError):  # gone with the runner
                signal.disconnect(slot)
        self._show_unbound()

    def set_theme(self, theme: str) -> None:
        self._palette = palette_for(theme)
        self.indicator.set_palette(self._palette)
        self.timeline.set_palette(self._palette)
        self.hr_plot.set_palette(self._palette)

    @property
    def palette_in_use(self) -> Palette:
        return self._palette

    # The person's actions (buttons and the main window's keys).
    def start(self) -> None:
        if self._runner is not None and self._state() is EngineState.IDLE:
            self._runner.start()
            self.refresh()

    def toggle_pause(self) -> None:
        runner = self._runner
        if runner is None:
            return
        state = self._state()
        if state is EngineState.PAUSED:
            runner.resume()
        elif state in (EngineState.RUNNING, EngineState.WAITING):
            runner.pause()
        self.refresh()

    def skip(self) -> None:
        if self._runner is not None:
            self._runner.skip()
            self.refresh()

    def speed_up(self) -> None:
        if self._runner is not None:
            self._runner.speed_up()
            self.refresh()

    def speed_down(self) -> None:
        if self._runner is not None:
            self._runner.speed_down()
            self.refresh()

    def emergency_stop(self) -> None:
        """Rule 4: stop at once, whatever the state (the main window's `stop_handler`
        also reaches a belt left running after the session ended)."""
        if self.stop_handler is not None:
            self.stop_handler()
        elif self._runner is not None:
            self._runner.emergency_stop()
        self.refresh()

    def shown(self) -> dict[str, str]:
        """The texts on screen by objectName; a hidden banner or summary shows ""."""
        out: dict[str, str] = {}
        for name in SHOWN:
            label = self.findChild(QLabel, name)
            if label is not None:
                out[name] = label.text() if label.isVisibleTo(self) else ""
        out["pauseButton"] = self.pause_button.text()
        out["muteButton"] = self.mute_button.text()
        return out

    # ------------------------------------------------------------ the screen

    def refresh(self) -> None:
        """Show the engine as it is now."""
        runner = self._runner
        if runner is None:
            return
        snap = runner.snapshot()
        self._now_rel = snap.elapsed_s + (self._start_rel or 0.0)
        self._show_direction(snap)
        self._show_time_left(snap)
        self._set(self.next_up, self._next_up_text(snap))
        self._show_values(snap)
        self._show_banners(snap)
        self._show_controls(snap)
        self.timeline.follow(snap)

    def _show_direction(self, snap: Snapshot) -> None:
        state = snap.state
        if state is EngineState.FINISHED:
            completed = self._end_reason in (None, EndReason.COMPLETED)
            word = "DONE" if completed else "STOPPED"
            self.indicator.show_state(None, phase="FINISHED", word=word)
            return
        seg = snap.segment
        direction = seg.direction if seg is not None else snap.facing
        # Between segments facing different ways: the turn-around, into `direction`.
        turning = not snap.segment_active and direction is not snap.facing
        self.indicator.show_state(
            direction,
            turning=turning and state is not EngineState.IDLE,
            phase=self._phase_text(snap),
            dimmed=state in (EngineState.PAUSED, EngineState.WAITING),
        )

    def _phase_text(self, snap: Snapshot) -> str:
        state = snap.state
        if state is EngineState.IDLE:
            return "READY"
        if state is EngineState.WAITING:
            return "WAITING FOR HEART RATE"
        if state is EngineState.PAUSED:
            return "PAUSED"
        if state is EngineState.FINISHING:
            return "STOPPING"
        phase = snap.phase
        if self._digit is not None:
            if phase is Phase.COUNTDOWN:
                return self._digit
            if phase is Phase.RAMP and self._now_rel - self._digit_t < ONE_SHOWN_S:
                return self._digit
        if phase is Phase.COUNTDOWN:
            return "GET READY"
        if phase is Phase.RAMP:
            return "SPEEDING UP"
        if phase is Phase.TURN:
            return "TURN AROUND"
        if phase is Phase.SLOW_DOWN:
            # Not "TURN AROUND" yet, even on the way to a turn (the yellow band and the
            # U-turn arrow say one is coming): the runner turns once the belt is slow.
            return "SLOWING DOWN"
        seg, nxt = snap.segment, snap.next_segment
        if phase is Phase.ANNOUNCE and seg and nxt and nxt.direction is not seg.direction:
            return "TURN-AROUND COMING"
        return "" if seg is None else seg.gait.value.upper()

    def _show_time_left(self, snap: Snapshot) -> None:
        seg = snap.segment
        if snap.state is EngineState.FINISHED or seg is None:
            caption, value = "SESSION TIME", format_duration(snap.elapsed_s)
        elif snap.segment_active:
            caption = "LEFT IN SEGMENT"
            if snap.state is EngineState.PAUSED:
                caption = "LEFT (PAUSED)"
            if isinstance(seg.end, TimeEnd):
                value = format_duration(snap.remaining_s or 0.0)
            else:
                value = self._distance_text(snap.remaining_m or 0.0)
        else:
            caption = "FIRST SEGMENT" if seg.index == 0 else "NEXT SEGMENT"
            value = self._length_text(seg)
        self._set(self.time_caption, caption)
        self._set(self.time_left, value)

    def _next_up_text(self, snap: Snapshot) -> str:
        seg = snap.segment
        if snap.state is EngineState.FINISHED:
            return ""
        if snap.state is EngineState.FINISHING:
            return "Stopping the belt…"
        if seg is None:
            return ""
        if snap.state is EngineState.IDLE:
            return f"First: {self._segment_words(seg)} for {self._length_text(seg)}. Press START."
        if not snap.segment_active:
            return f"Coming: {self._segment_words(seg)} for {self._length_text(seg)}"
        nxt = snap.next_segment
        when = self._until_end(snap, seg)
        if nxt is None:
            return f"Last segment: the end {when}"
        turn = "turn around, then " if nxt.direction is not seg.direction else ""
        return f"Next: {turn}{self._segment_words(nxt)} {when}"

    def _until_end(self, snap: Snapshot, seg: Segment) -> str:
        if isinstance(seg.end, TimeEnd) or snap.remaining_s is not None:
            return f"in {format_duration(snap.remaining_s or 0.0)}"
        return f"after {self._distance_text(snap.remaining_m or 0.0)}"

    def _show_values(self, snap: Snapshot) -> None:
        units = self._profile.units
        self._set(self.speed_now, self._speed(snap.belt_kmh, units))
        target = self._speed(snap.target_kmh, units) if snap.target_kmh > 0 else "—"
        self._set(self.speed_target, f"target {target}")
        self._set(self.incline, f"{snap.incline_pct:.1f} %")
        zone = zone_of(snap.hr_bpm, self._profile)
        if snap.hr_bpm is None or zone is None:
            self._set(self.heart_rate, "—")
            self._set(self.hr_zone, "no heart rate" if self._runner_has_strap() else "no strap")
            self._set_property(self.hr_zone, "zone", "none")
        else:
            self._set(self.heart_rate, f"{snap.hr_bpm} bpm")
            name = f"Z{zone.number} {zone.name}" if zone.number else "below Z1"
            if snap.hr_bpm > self._profile.hr_ceiling:
                name = f"{name} · ABOVE CEILING"
            self._set(self.hr_zone, name)
            self._set_property(self.hr_zone, "zone", str(zone.number))
        self._set(self.elapsed, format_duration(snap.elapsed_s))
        self._set(self.distance, self._distance_text(snap.distance_m))

    def _show_banners(self, snap: Snapshot) -> None:
        bad = [(role, state) for role, state in self._links.items() if state in BAD_LINK_STATES]
        if bad and snap.state is not EngineState.FINISHED:
            lines = []
            for role, state in bad:
                what = DEVICE_NAMES.get(role, role)
                how = "sends no data" if state == "stale" else f"connection {state}"
                line = f"{what} {how}: reconnecting, the session goes on."
                if role == "treadmill":
                    line += " Use the treadmill's own STOP if you need to stop."
                lines.append(line)
            self._set(self.device_banner, "\n".join(lines))
            self.device_banner.show()
        else:
            self.device_banner.hide()

        if snap.state in (EngineState.RUNNING, EngineState.FINISHED):
            self._stop_note = None
        if snap.state is EngineState.FINISHED:
            self._warnings.clear()
        hr = snap.hr_bpm
        if hr is not None and hr <= self._profile.hr_ceiling:
            self._warnings.pop(CueId.HR_HIGH, None)
            self._warnings.pop(CueId.HR_HIGH_AT_MINIMUM, None)
        if self._stop_note is not None:
            self._set(self.machine_banner, self._stop_note)
            self._set_property(self.machine_banner, "severity", "stop")
            self.machine_banner.show()
        elif self._warnings:
            self._set(self.machine_banner, list(self._warnings.values())[-1])
            self._set_property(self.machine_banner, "severity", "warning")
            self.machine_banner.show()
        else:
            self.machine_banner.hide()

    def _show_controls(self, snap: Snapshot) -> None:
        state = snap.state
        idle = state is EngineState.IDLE
        running = state is EngineState.RUNNING
        self.start_button.setVisible(idle)
        self.start_button.setEnabled(idle)
        self.pause_button.setVisible(not idle)
        self.pause_button.setText("RESUME" if state is EngineState.PAUSED else "PAUSE")
        self.pause_button.setEnabled(
            state in (EngineState.RUNNING, EngineState.WAITING, EngineState.PAUSED)
        )
        self.skip_button.setEnabled(running)
        self.slower_button.setEnabled(running and snap.segment_active)
        self.faster_button.setEnabled(running and snap.segment_active)
        self.stop_button.setEnabled(state is not EngineState.FINISHED)

    # ---------------------------------------------------------------- events

    def _on_event(self, event: Event) -> None:
        if isinstance(event, Sample):
            if self._start_rel is not None:
                self.hr_plot.add_sample(event.t - self._start_rel, event.hr_bpm, event.direction)
        elif isinstance(event, PhaseChange):
            if event.phase is not Phase.RAMP:
                self._digit = None  # a new countdown, or none: "1" stays into the ramp only
            if event.phase is Phase.TURN:
                self._warnings.pop(CueId.WAITING_FOR_TURN_SPEED, None)
            if event.phase is Phase.RAMP:
                self._warnings.pop(CueId.HOLDING_SPEED, None)
        elif isinstance(event, Cue):
            self._on_cue(event)
        elif isinstance(event, DeviceEvent):
            self._links[event.role] = event.state
        elif isinstance(event, SegmentStart):
            self._warnings.pop(CueId.ABOVE_CAP, None)
        elif isinstance(event, UserEvent) and event.action is UserAction.START:
            self._start_rel = event.t
            # The plan may have been redone with the treadmill's real ranges.
            runner = self._runner
            if runner is not None:
                engine = runner.station.engine
                self.timeline.set_plan(engine.segments, self._profile, engine.limits)

    def _on_cue(self, cue: Cue) -> None:
        try:
            cue_id = CueId(cue.id)
        except ValueError:
            return  # a cue this screen does not know: the audio still says it
        if cue_id in COUNTDOWN_DIGITS:
            self._digit = COUNTDOWN_DIGITS[cue_id]
            self._digit_t = cue.t
        elif cue_id in STOP_CUES:
            self._stop_note = cue.text
        elif cue_id in WARNING_CUES:
            self._warnings.pop(cue_id, None)
            self._warnings[cue_id] = cue.text  # the latest comes last
        elif cue_id is CueId.HR_BACK:
            self._warnings.pop(CueId.HR_MISSING, None)
            self._warnings.pop(CueId.HOLDING_SPEED, None)

    def _on_ended(self, end: SessionEnd) -> None:
        self._end_reason = EndReason(end.reason)
        self._end_ref = end
        self.refresh()
        self._set(self.summary, self._summary_text(end))
        self.stop_again_button.setVisible(end.reason == EndReason.FAULT)
        self.bottom.setCurrentIndex(1)
        self.hr_plot.flush()

    def _summary_text(self, end: SessionEnd) -> str:
        title = END_WORDS.get(end.reason, str(end.reason))
        text = (
            f"{title}\n"
            f"Time {format_duration(end.duration_s)} · "
            f"distance {self._distance_text(end.distance_m)} · "
            f"backward {format_duration(end.backward_time_s)} and "
            f"{self._distance_text(end.backward_distance_m)}"
        )
        return f"{text}\n{self._record_note}" if self._record_note else text

    def set_record_note(self, note: str) -> None:
        """Where the session was kept ("Saved in History."), under the summary."""
        self._record_note = note
        if self._end_ref is not None:
            self._set(self.summary, self._summary_text(self._end_ref))

    # ------------------------------------------------------------- building

    def _reset_session_state(self) -> None:
        self._end_reason = None
        self._end_ref = None
        self._record_note = ""
        self._digit = None
        self._digit_t = 0.0
        self._now_rel = 0.0
        self._start_rel = None
        self._links = {}
        self._stop_note = None
        self._warnings = {}

    def _show_unbound(self) -> None:
        self.indicator.show_state(None, phase="Choose a workout", word="NO SESSION")
        for label in (
            self.time_left,
            self.speed_now,
            self.incline,
            self.heart_rate,
            self.elapsed,
            self.distance,
        ):
            self._set(label, "—")
        for label in (self.time_caption, self.next_up, self.speed_target, self.hr_zone):
            self._set(label, "")
        self.device_banner.hide()
        self.machine_banner.hide()
        self.bottom.setCurrentIndex(0)
        self.start_button.setVisible(True)
        self.pause_button.setVisible(False)
        for button in (
            self.start_button,
            self.skip_button,
            self.slower_button,
            self.faster_button,
            self.stop_button,
        ):
            button.setEnabled(False)

    def _build_controls(self) -> QWidget:
        self.start_button = self._button("startButton", "START", self.start)
        self.pause_button = self._button("pauseButton", "PAUSE", self.toggle_pause)
        self.skip_button = self._button("skipButton", "SKIP ▶▶", self.skip)
        self.slower_button = self._button("slowerButton", "SPEED −", self.speed_down)
        self.faster_button = self._button("fasterButton", "SPEED +", self.speed_up)
        self.stop_button = self._button("stopButton", "■ STOP", self.emergency_stop)
        self.stop_button.setToolTip("Emergency stop (Esc)")
        self.mute_button = self._button("muteButton", "", self.mute_requested.emit)
        self.set_muted(False)
        controls = QWidget()
        controls.setObjectName("sessionControls")
        row = QHBoxLayout(controls)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.start_button, 2)
        row.addWidget(self.pause_button, 2)
        row.addWidget(self.skip_button, 1)
        row.addWidget(self.slower_button, 1)
        row.addWidget(self.faster_button, 1)
        row.addWidget(self.mute_button, 1)
        row.addWidget(self.stop_button, 3)  # the widest: it must be unmissable
        return controls

    def set_muted(self, muted: bool) -> None:
        # ♪ is in every font the app may get (DejaVu has no emoji).
        self.mute_button.setText("♪ MUTED" if muted else "♪ SOUND")
        self.mute_button.setToolTip("Sound on (M)" if muted else "Mute the cues (M)")

    def _button(self, name: str, text: str, action: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        # Space and the arrows are the main window's keys: a focused button must not
        # take them (Space would press it a second time).
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        button.clicked.connect(action)
        return button

    def _label(self, name: str, size: str, *, wrap: bool = False) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(wrap)
        # The text is fitted to the room the layout gives, never the other way round.
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        label.setMinimumWidth(1)
        self._sizes[label] = size
        return label

    def _tile(self, caption: str, values: tuple[QLabel, ...]) -> QFrame:
        tile = QFrame()
        tile.setObjectName("statTile")
        box = QVBoxLayout(tile)
        box.setContentsMargins(4, 2, 4, 2)
        box.setSpacing(0)
        title = self._label("", "caption")
        title.setText(caption)
        title.setProperty("role", "caption")
        for label in (title, *values):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(label)
        box.addStretch(1)  # captions on one line across the tiles
        return tile

    # ------------------------------------------------------------ text sizes

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_sizes()

    def _px(self, size: str) -> int:
        return max(int(self.height() * SIZE[size]), 10)

    def _apply_sizes(self) -> None:
        self.indicator.set_text_px(self._px("word"), self._px("phase"))
        for label in self._sizes:
            self._fit(label)
        tall = int(self.height() * 0.075)
        button_css = f"font-size: {self._px('button')}px; min-height: {tall}px;"
        for button in [
            *self.controls.findChildren(QPushButton),
            self.done_button,
            self.export_button,
        ]:
            self._style(button, button_css)
        self.timeline.setFixedHeight(max(int(self.height() * 0.06), 24))

    def _fit(self, label: QLabel) -> None:
        size = self._sizes[label]
        wanted = self._px(size)
        if label.wordWrap():
            px = wanted
        else:
            room = label.width() - 8 if label.width() > 20 else self.width() / 5
            px = fitted_px(label.text(), wanted, room)
        self._style(label, text_css(px, bold=size != "caption"))

    def _style(self, widget: QWidget, css: str) -> None:
        if self._css.get(widget) != css:
            self._css[widget] = css
            widget.setStyleSheet(css)

    def _set(self, label: QLabel, text: str) -> None:
        if label.text() != text:
            label.setText(text)
            self._fit(label)

    def _set_property(self, widget: QWidget, name: str, value: str) -> None:
        if widget.property(name) != value:
            widget.setProperty(name, value)
            # A dynamic property restyles only once the widget is polished again; with a
            # style sheet of its own (its text size), only setting that again also redoes
            # the box (padding), not just the colours.
            widget.style().unpolish(widget)
            widget.style().polish(widget)
            widget.setStyleSheet(widget.styleSheet())

    # -------------------------------------------------------------- wording

    def _state(self) -> EngineState | None:
        return self._runner.station.engine.state if self._runner is not None else None

    def _runner_has_strap(self) -> bool:
        return self._runner is not None and self._runner.station.hrm is not None

    def _segment_words(self, seg: Segment) -> str:
        """ "FORWARD run 9.0 km/h" (the direction first, in capitals: it matters most)."""
        word = "BACKWARD" if seg.direction is Direction.BACKWARD else "FORWARD"
        return f"{word} {seg.gait.value} {self._speed(seg.target_kmh, self._profile.units)}"

    def _length_text(self, seg: Segment) -> str:
        if isinstance(seg.end, TimeEnd):
            return format_duration(seg.end.seconds)
        return self._distance_text(seg.end.metres)

    @staticmethod
    def _speed(kmh: float, units: Units) -> str:
        return units.format_speed(kmh)

    def _distance_text(self, metres: float) -> str:
        if self._profile.units is Units.MPH:
            return f"{metres / METRES_PER_MILE:.2f} mi"
        if metres < 1000:
            return f"{metres:.0f} m"
        return f"{metres / 1000:.2f} km"
