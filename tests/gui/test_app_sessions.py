"""Sessions in the app: each one run is kept in the store, the summary says so and
exports it, an interrupted one is recovered at the start with a notice, and a store
that cannot be written warns while the session goes on."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_driver import App, shown_window
from pytestqt.qtbot import QtBot
from support import step, workout

from retrocoach.gui.device_hub import DeviceHub
from retrocoach.record.session import SessionState
from retrocoach.record.store import SessionStore, default_store_path
from retrocoach.userdata import UserData
from retrocoach.workouts.model import Direction
from retrocoach.workouts.profile import RunnerProfile

SHORT = workout(
    step(Direction.BACKWARD, "walk", seconds=40),
    step(Direction.FORWARD, "run", seconds=40),
    name="gui-short",
)


@pytest.fixture
def app(qtbot: QtBot, user_data: UserData, hub: DeviceHub) -> Iterator[App]:
    user_data.save_profile(RunnerProfile())
    with shown_window(user_data, hub) as window:
        window.profile = RunnerProfile()
        window.hub.use_simulators()
        yield App(window, qtbot)


def _run_to_the_end(app: App) -> None:
    app.ready_session(SHORT)
    app.click(app.window.session_page.start_button)
    app.advance_until(lambda: app.runner.engine_finished, 600)


def test_a_session_run_in_the_app_is_kept(app: App) -> None:
    _run_to_the_end(app)
    assert "Saved in History." in app.shown()["summary"]
    with SessionStore(default_store_path()) as store:
        [summary] = store.list_sessions()
        session = store.load(summary.id)
    assert summary.state is SessionState.FINISHED
    assert summary.workout_name == "gui-short"
    assert [lap.direction for lap in session.laps if lap.kind == "segment"] == [
        "backward",
        "forward",
    ]
    assert session.samples[-1].t >= 80


def test_a_session_chosen_but_never_started_is_not_kept(app: App) -> None:
    app.ready_session(SHORT)
    app.advance(5.0)
    app.window.show_page("workouts")
    app.window.prepare_session(SHORT)  # chosen again: the first is put away
    app.advance(5.0)
    with SessionStore(default_store_path()) as store:
        assert store.list_sessions() == []


def test_export_on_the_summary_writes_the_session(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run_to_the_end(app)
    target = tmp_path / "short.tcx"
    monkeypatch.setattr(app.window, "ask_export_path", lambda _what: target)
    app.click(app.window.session_page.export_button)
    assert target.stat().st_size > 1000
    assert "<Lap" in target.read_text(encoding="utf-8")
    assert f"Exported to {target}" in app.window.notice.text()


def test_an_unwritable_store_warns_and_the_session_goes_on(
    qtbot: QtBot, user_data: UserData, hub: DeviceHub, tmp_path: Path
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the data folder should be")
    user_data.save_profile(RunnerProfile())
    with shown_window(user_data, hub) as window:
        window.store_path = blocker / "retrocoach" / "sessions.sqlite"
        window.profile = RunnerProfile()
        window.hub.use_simulators()
        app = App(window, qtbot)
        app.ready_session(SHORT)
        app.click(window.session_page.start_button)
        app.advance(10.0)
        qtbot.waitUntil(lambda: "not being saved" in window.notice.text(), timeout=5000)
        assert str(blocker) in window.notice.text()
        app.advance_until(lambda: app.runner.engine_finished, 600)
        assert "use Export…" in app.shown()["summary"]
        assert window.session_page.export_button.isEnabled()


def test_an_interrupted_session_is_recovered_at_start_with_a_notice(
    qtbot: QtBot, user_data: UserData, hub: DeviceHub
) -> None:
    from recorded import record

    recorder = record("back-forth-50", default_store_path(), until=300.0)
    assert recorder.writer is not None
    recorder.writer.close()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    with sqlite3.connect(default_store_path()) as conn:
        conn.execute("UPDATE sessions SET owner_pid = ?", (child.pid,))
    with shown_window(user_data, hub) as window:
        window.recover_sessions()
        assert "interrupted session" in window.notice.text()
        assert "kept in History" in window.notice.text()
    with SessionStore(default_store_path()) as store:
        [summary] = store.list_sessions()
    assert summary.state is SessionState.INTERRUPTED
