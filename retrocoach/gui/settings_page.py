"""Settings: the runner's profile and the app's own settings, saved together.

Nothing takes effect until Save: `saved(profile, settings)` tells the main window what
to apply. While a session runs, the profile is read-only here (it applies to the next
session); the theme, sound and simulator settings can still be changed and saved.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from retrocoach.gui.profile_form import ProfileForm
from retrocoach.userdata import AppSettings, Theme, UserData
from retrocoach.workouts.profile import RunnerProfile

MessageKind = Literal["saved", "invalid", "error"]
SIMULATOR_SPEEDUPS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
RUNNING_NOTE = (
    "A session is running: your profile cannot be changed now. Changes made after it "
    "apply to the next session. Theme and sound can still be changed."
)


class SettingsPage(QWidget):
    """The profile form and the app settings with Save and Revert."""

    saved = Signal(RunnerProfile, AppSettings)
    test_sound_requested = Signal()  # the person wants to hear the volume now

    def __init__(self, user_data: UserData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsPage")
        self._user_data = user_data
        self._loaded_profile = RunnerProfile()
        self._loaded_settings = AppSettings()
        self._session_running = False

        self.form = ProfileForm()
        self.form.changed.connect(self._update_buttons)

        self._dark = QRadioButton("Dark")
        self._light = QRadioButton("Light")
        self._theme_group = QButtonGroup(self)
        for button in (self._dark, self._light):
            self._theme_group.addButton(button)
            button.toggled.connect(self._update_buttons)
        self._voice = QCheckBox("Spoken prompts")
        self._beeps = QCheckBox("Beeps")
        self._muted = QCheckBox("Mute")
        self._muted.setObjectName("muteCheck")
        self._notes = QCheckBox("Read workout notes aloud (system voice)")
        self._notes.setObjectName("speakNotesCheck")
        self.test_sound_button = QPushButton("Test sound")
        self.test_sound_button.setObjectName("testSoundButton")
        self.test_sound_button.clicked.connect(self.test_sound_requested)
        self._audio_status = QLabel()
        self._audio_status.setObjectName("audioStatus")
        self._audio_status.setProperty("role", "formHint")
        self._audio_status.setWordWrap(True)
        self._audio_status.hide()
        self._volume = QSlider(Qt.Orientation.Horizontal)
        self._volume.setObjectName("volumeSlider")
        self._volume.setRange(0, 100)
        self._volume.setPageStep(10)
        self._volume.setMinimumWidth(260)
        self._volume_shown = QLabel()
        self._volume_shown.setMinimumWidth(70)
        self._speedup = QComboBox()
        self._speedup.setObjectName("simulatorSpeedup")
        for speedup in SIMULATOR_SPEEDUPS:
            self._speedup.addItem(_speedup_text(speedup), speedup)
        for widget in (self._voice, self._beeps, self._muted, self._notes):
            widget.toggled.connect(self._update_buttons)
        self._volume.valueChanged.connect(self._update_buttons)
        self._speedup.currentIndexChanged.connect(self._update_buttons)

        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveSettingsButton")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setObjectName("revertSettingsButton")
        self.revert_button.clicked.connect(self.revert)
        self._running_note = QLabel(RUNNING_NOTE)
        self._running_note.setObjectName("sessionRunningNote")
        self._running_note.setWordWrap(True)
        self._running_note.hide()
        self._message = QLabel()
        self._message.setObjectName("settingsMessage")
        self._message.setWordWrap(True)
        self._message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._message.hide()
        self._message_kind: MessageKind | None = None

        self._build_layout()
        self.load()

    def _build_layout(self) -> None:
        app_box = QGroupBox("App")
        app_box.setProperty("role", "formGroup")
        app_form = QFormLayout(app_box)
        themes = QHBoxLayout()
        themes.setSpacing(24)
        themes.addWidget(self._dark)
        themes.addWidget(self._light)
        themes.addStretch(1)
        app_form.addRow("Theme", themes)
        sound = QHBoxLayout()
        sound.setSpacing(24)
        sound.addWidget(self._voice)
        sound.addWidget(self._beeps)
        sound.addWidget(self._muted)
        sound.addStretch(1)
        sound_rows = QVBoxLayout()
        sound_rows.addLayout(sound)
        sound_rows.addWidget(self._notes)
        sound_rows.addWidget(self._audio_status)
        app_form.addRow("Sound", sound_rows)
        volume = QHBoxLayout()
        volume.addWidget(self._volume)
        volume.addWidget(self._volume_shown)
        volume.addWidget(self.test_sound_button)
        volume.addStretch(1)
        app_form.addRow("Volume", volume)
        speedup = QVBoxLayout()
        speedup_row = QHBoxLayout()
        speedup_row.addWidget(self._speedup)
        speedup_row.addStretch(1)
        speedup.addLayout(speedup_row)
        hint = QLabel(
            "Runs simulated sessions faster, to try a workout quickly. Real treadmills "
            "always run in real time."
        )
        hint.setProperty("role", "formHint")
        hint.setWordWrap(True)
        speedup.addWidget(hint)
        app_form.addRow("Simulator speed", speedup)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        # The app settings first: short, and what may be changed during a session.
        body_layout.addWidget(app_box)
        body_layout.addWidget(self._running_note)
        body_layout.addWidget(self.form)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        buttons = QHBoxLayout()
        buttons.addWidget(self._message, 10)
        buttons.addStretch(1)  # buttons keep their size when there is no message
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

    # ---------------------------------------------------------------- values

    def load(self) -> None:
        """Read the saved profile and settings; anything unreadable is said below."""
        before = len(self._user_data.problems)
        self._loaded_profile = self._user_data.load_profile()
        self._loaded_settings = self._user_data.load_settings()
        problems = self._user_data.problems[before:]
        self.revert()
        if problems:
            self._say("\n".join(problems), kind="error")

    def revert(self) -> None:
        """Back to what was last loaded or saved (the app settings only, while a
        session runs and the profile cannot be edited)."""
        if not self._session_running:
            self.form.set_profile(self._loaded_profile)
        self.set_app_settings(self._loaded_settings)
        self._message.hide()
        self._message_kind = None
        self._update_buttons()

    def save(self) -> None:
        """Write both files; on an OSError say which folder and keep what was typed.

        While a session runs, the profile saved is the one saved before: edits made
        before the session wait in the form for the session to end."""
        profile = self._loaded_profile if self._session_running else self.form.profile()
        if profile is None:
            self._say("Fix the values marked ⚠ before saving.", kind="invalid")
            return
        settings = self.app_settings()
        try:
            self._user_data.save_profile(profile)
            self._user_data.save_settings(settings)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self._say(
                f"Could not save in {self._user_data.root}: {reason}. Your changes are "
                "still here; free some space or allow writing to that folder, then Save again.",
                kind="error",
            )
            return
        self._loaded_profile, self._loaded_settings = profile, settings
        self._update_buttons()
        self._say("Saved.", kind="saved")
        self.saved.emit(profile, settings)

    def app_settings(self) -> AppSettings:
        """The app settings as shown."""
        speedup = self._speedup.currentData()
        return AppSettings(
            theme=Theme.LIGHT if self._light.isChecked() else Theme.DARK,
            voice=self._voice.isChecked(),
            beeps=self._beeps.isChecked(),
            volume=self._volume.value(),
            muted=self._muted.isChecked(),
            speak_notes=self._notes.isChecked(),
            simulator_speedup=float(speedup) if speedup is not None else 1.0,
        )

    def set_app_settings(self, settings: AppSettings) -> None:
        (self._light if settings.theme is Theme.LIGHT else self._dark).setChecked(True)
        self._voice.setChecked(settings.voice)
        self._beeps.setChecked(settings.beeps)
        self._muted.setChecked(settings.muted)
        self._notes.setChecked(settings.speak_notes)
        self._volume.setValue(settings.volume)
        index = self._speedup.findData(settings.simulator_speedup)
        if index < 0:  # a value set in the file by hand: keep it as a choice
            self._speedup.addItem(
                _speedup_text(settings.simulator_speedup), settings.simulator_speedup
            )
            index = self._speedup.count() - 1
        self._speedup.setCurrentIndex(index)
        self._update_buttons()

    def set_audio_status(self, problem: str | None, *, can_speak_notes: bool) -> None:
        """What the computer can play: a problem is shown under the sound settings."""
        self._audio_status.setText(
            f"⚠ Cues will not be heard: {problem}. They are still shown." if problem else ""
        )
        self._audio_status.setVisible(problem is not None)
        self.test_sound_button.setEnabled(problem is None)
        self._notes.setEnabled(can_speak_notes)
        self._notes.setToolTip(
            "" if can_speak_notes else "No text-to-speech voice was found on this computer."
        )

    def set_session_running(self, running: bool) -> None:
        """While a session runs the profile is read-only (it applies to the next one)."""
        self._session_running = running
        self.form.set_editable(not running)
        self._running_note.setVisible(running)
        self._update_buttons()

    def has_unsaved_changes(self) -> bool:
        return (
            self.form.profile() != self._loaded_profile
            or self.app_settings() != self._loaded_settings
        )

    # -------------------------------------------------------------- feedback

    def _update_buttons(self) -> None:
        self._volume_shown.setText(f"{self._volume.value()} %")
        if self._session_running:
            valid, dirty = True, self.app_settings() != self._loaded_settings
        else:
            valid, dirty = self.form.profile() is not None, self.has_unsaved_changes()
        self.save_button.setEnabled(valid and dirty)
        self.revert_button.setEnabled(dirty)
        if not valid:
            summary = self.form.problem_summary()
            self._say(f"Fix the values marked ⚠ to save: {summary}.", kind="invalid")
        elif self._message_kind == "invalid" or (dirty and self._message_kind == "saved"):
            self._message.hide()  # no longer true
            self._message_kind = None

    def _say(self, text: str, *, kind: MessageKind) -> None:
        self._message_kind = kind
        self._message.setText(f"✓ {text}" if kind == "saved" else f"⚠ {text}")
        self._message.setProperty("problem", kind != "saved")
        self._message.style().unpolish(self._message)
        self._message.style().polish(self._message)
        self._message.show()


def _speedup_text(speedup: float) -> str:
    if speedup == 1.0:
        return "1× (real time)"
    return f"{speedup:g}× faster"
