"""The app's sound, as the person meets it: the session's cues reach the player, the
sound button and M mute and unmute (and are remembered), saved settings apply at once.
What really comes out of the speakers is tested in tests/audio/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from app_driver import App, shown_window
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from support import RecordingOutput, step, workout

from retrocoach.coach.events import Cue
from retrocoach.gui.device_hub import DeviceHub
from retrocoach.userdata import UserData
from retrocoach.workouts.profile import RunnerProfile

SHORT = workout(
    step("backward", "walk", seconds=20, kmh=3.0),
    step("forward", "walk", seconds=20, kmh=4.0),
)


@pytest.fixture
def app(qtbot: QtBot, user_data: UserData, hub: DeviceHub) -> Iterator[App]:
    user_data.save_profile(RunnerProfile())
    hub.use_simulators()
    with shown_window(user_data, hub) as window:
        yield App(window, qtbot)


def played(app: App) -> list[str]:
    output = app.window.audio.output
    assert isinstance(output, RecordingOutput)
    return output.stems()


def test_the_session_is_heard_and_m_mutes_it_until_pressed_again(app: App) -> None:
    app.ready_session(SHORT)
    app.click(app.window.session_page.start_button)
    app.advance(6.0)  # the countdown: get ready, three, two, one
    heard = played(app)
    assert heard[0] == "get_ready"
    assert heard.count("beep_tick") == 2 and "beep_go" in heard

    app.key(Qt.Key.Key_M)
    assert app.window.settings.muted and app.window.user_data.load_settings().muted
    assert app.shown()["muteButton"] == "♪ MUTED"
    before = len(played(app))
    app.advance_until(
        lambda: any(e for e in app.events if isinstance(e, Cue) and e.id == "turn_around")
    )
    assert len(played(app)) == before, "muted, yet something played"

    app.click(app.window.session_page.mute_button)
    assert not app.window.settings.muted
    assert app.shown()["muteButton"] == "♪ SOUND"
    app.advance(8.0)  # the countdown out of the turn-around
    assert "beep_tick" in played(app)[before:]


def test_saved_sound_settings_apply_at_once(app: App) -> None:
    page = app.window.settings_page
    app.window.show_page("settings")
    page._beeps.setChecked(False)
    page._volume.setValue(35)
    page.save()
    assert app.window.audio.settings.beeps is False
    output = app.window.audio.output
    assert isinstance(output, RecordingOutput) and output.volume == pytest.approx(0.35)
    app.ready_session(SHORT)
    app.click(app.window.session_page.start_button)
    app.advance(6.0)
    assert "beep_tick" not in played(app) and "get_ready" in played(app)
