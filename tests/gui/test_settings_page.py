"""Settings: Save writes what UserData reads back, a folder that cannot be written is
named and the values are kept, Revert, and a read-only profile during a session."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QRadioButton,
    QSlider,
)
from pytestqt.qtbot import QtBot

from retrocoach.gui.settings_page import SettingsPage
from retrocoach.userdata import AppSettings, Theme, UserData
from retrocoach.workouts.profile import RunnerProfile, Units


def make_page(qtbot: QtBot, user_data: UserData) -> SettingsPage:
    page = SettingsPage(user_data)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    return page


def number_box(page: SettingsPage, key: str) -> QDoubleSpinBox:
    box = page.form.editor(key)
    assert isinstance(box, QDoubleSpinBox)
    return box


def message(page: SettingsPage) -> str:
    label = page.findChild(QLabel, "settingsMessage")
    assert label is not None
    return label.text() if label.isVisible() else ""


def choose(page: SettingsPage, volume: int, light: bool, speedup: str) -> None:
    slider = page.findChild(QSlider, "volumeSlider")
    combo = page.findChild(QComboBox, "simulatorSpeedup")
    assert slider is not None and combo is not None
    slider.setValue(volume)
    light_button = next(b for b in page.findChildren(QRadioButton) if b.text() == "Light")
    light_button.setChecked(light)
    combo.setCurrentIndex(combo.findText(speedup, Qt.MatchFlag.MatchStartsWith))


def test_save_writes_what_userdata_reads_back(qtbot: QtBot, user_data: UserData) -> None:
    page = make_page(qtbot, user_data)
    assert not page.save_button.isEnabled()  # nothing changed yet
    saved: list[tuple[RunnerProfile, AppSettings]] = []
    page.saved.connect(lambda profile, settings: saved.append((profile, settings)))

    page.form.set_units(Units.MPH)
    choose(page, volume=35, light=True, speedup="60")
    voice = next(b for b in page.findChildren(QCheckBox) if b.text() == "Spoken prompts")
    voice.setChecked(False)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)

    expected_profile = RunnerProfile(units=Units.MPH)
    expected_settings = AppSettings(
        theme=Theme.LIGHT, voice=False, volume=35, simulator_speedup=60.0
    )
    again = UserData(user_data.root)
    assert again.load_profile() == expected_profile
    assert again.load_settings() == expected_settings
    assert saved == [(expected_profile, expected_settings)]
    assert "Saved" in message(page)
    assert not page.save_button.isEnabled()


def test_load_shows_what_is_saved(qtbot: QtBot, user_data: UserData) -> None:
    user_data.save_profile(RunnerProfile(name="Ana", hr_max=181))
    user_data.save_settings(AppSettings(volume=12, simulator_speedup=10.0))

    page = make_page(qtbot, user_data)

    assert page.form.profile() == RunnerProfile(name="Ana", hr_max=181)
    assert page.app_settings() == AppSettings(volume=12, simulator_speedup=10.0)


def test_a_broken_settings_file_is_said_and_defaults_shown(
    qtbot: QtBot, user_data: UserData
) -> None:
    user_data.root.mkdir(parents=True)
    user_data.settings_path.write_text("volume = 'loud'\n", encoding="utf-8")

    page = make_page(qtbot, user_data)

    assert page.app_settings() == AppSettings()
    assert str(user_data.settings_path) in message(page)
    assert "volume" in message(page)


def test_a_folder_that_cannot_be_written_is_named_and_the_values_kept(
    qtbot: QtBot, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("", encoding="utf-8")
    user_data = UserData(blocker / "retrocoach")  # works even for root, unlike chmod
    page = make_page(qtbot, user_data)
    saved: list[object] = []
    page.saved.connect(lambda *args: saved.append(args))

    choose(page, volume=20, light=False, speedup="1")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)

    assert str(user_data.root) in message(page)
    assert "Could not save" in message(page)
    assert page.app_settings().volume == 20  # still what was typed
    assert saved == []
    assert page.save_button.isEnabled()  # try again


def test_an_invalid_profile_cannot_be_saved_and_says_why(qtbot: QtBot, user_data: UserData) -> None:
    page = make_page(qtbot, user_data)
    page.form.set_profile(RunnerProfile())
    number_box(page, "hr_ceiling").setValue(220)

    assert not page.save_button.isEnabled()
    assert "heart-rate ceiling" in message(page)


def test_revert_goes_back_to_what_was_saved(qtbot: QtBot, user_data: UserData) -> None:
    user_data.save_settings(AppSettings(volume=40))
    page = make_page(qtbot, user_data)
    choose(page, volume=90, light=True, speedup="5")
    number_box(page, "hr_max").setValue(200)

    qtbot.mouseClick(page.revert_button, Qt.MouseButton.LeftButton)

    assert page.app_settings() == AppSettings(volume=40)
    assert page.form.profile() == RunnerProfile()
    assert not page.revert_button.isEnabled()


def test_during_a_session_the_profile_is_read_only_but_sound_can_change(
    qtbot: QtBot, user_data: UserData
) -> None:
    user_data.save_profile(RunnerProfile(name="Ana"))
    page = make_page(qtbot, user_data)
    number_box(page, "hr_max").setValue(185)  # an edit made before the session

    page.set_session_running(True)

    note = page.findChild(QLabel, "sessionRunningNote")
    assert note is not None and note.isVisible()
    assert "next session" in note.text()
    assert not page.form.editor("hr_max").isEnabled()
    assert not page.form.editor("name").isEnabled()

    choose(page, volume=15, light=False, speedup="1")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    again = UserData(user_data.root)
    assert again.load_settings().volume == 15
    assert again.load_profile() == RunnerProfile(name="Ana")  # not the pending edit

    page.set_session_running(False)
    assert not note.isVisible()
    assert page.form.editor("hr_max").isEnabled()
    assert page.save_button.isEnabled()  # the pending profile edit can now be saved
