"""Make the README's screenshots from the real widgets.

The app runs offscreen at 1366x768 (a common laptop screen) with a fresh configuration
folder, on the qasync loop as it does for real (so the devices screen shows what a scan
found here), and then on the simulators. The session's clock is moved by this script, so
each screenshot shows a chosen moment (a turn-around, the forward segment...).

    python docs/screenshots/make_screenshots.py [--theme dark|light|both] [--out DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtWidgets import QApplication, QWidget

from retrocoach.audio import CuePlayer
from retrocoach.audio.output import SilentOutput
from retrocoach.devices.memory import DeviceMemory
from retrocoach.devices.simulator import SimulatedStrap
from retrocoach.gui.device_hub import DeviceHub
from retrocoach.gui.first_run import FirstRunDialog
from retrocoach.gui.main_window import MainWindow
from retrocoach.gui.session_runner import ManualClock
from retrocoach.members import MemberBook
from retrocoach.userdata import AppSettings, Theme, UserData
from retrocoach.workouts.library import get
from retrocoach.workouts.profile import RunnerProfile

HERE = Path(__file__).resolve().parent
SIZE = (1366, 768)
TICK_S = 0.25


async def settle(seconds: float = 0.3) -> None:
    """Let the loop run (timers, redraws, a scan's answer)."""
    await asyncio.sleep(seconds)


def save(widget: QWidget, path: Path) -> None:
    widget.grab().save(str(path))
    print(path)


async def shoot(theme: Theme, out: Path) -> None:
    suffix = "" if theme is Theme.DARK else "-light"
    with tempfile.TemporaryDirectory() as tmp:
        data = UserData(Path(tmp) / "retrocoach")
        data.save_settings(AppSettings(theme=theme))
        hub = DeviceHub(DeviceMemory(Path(tmp) / "devices.toml"))
        clock = ManualClock()
        hub.simulated_clock = lambda _speedup: clock
        store_path = Path(tmp) / "sessions.sqlite"
        earlier_sessions(store_path, data)
        window = MainWindow(
            data, hub, audio=CuePlayer(SilentOutput(None), {}), store_path=store_path
        )
        window.resize(*SIZE)
        window.show()

        # First run: the profile dialog over the devices screen.
        window.startup()
        await settle()
        dialog = window.findChild(FirstRunDialog)
        assert dialog is not None
        save(dialog, out / f"first-run{suffix}.png")
        dialog.accept()
        data.save_profile(RunnerProfile())

        # Devices: whatever a scan finds here (without Bluetooth, the simulators first).
        while window.devices_page.scan_state.name == "SCANNING":
            await settle()
        save(window, out / f"devices{suffix}.png")
        hub.use_simulators()

        # The workout picker with its preview.
        window.show_page("workouts")
        window.picker.select("back-forth-50")
        await settle()
        save(window, out / f"picker{suffix}.png")

        # A session: backward, the turn-around, forward, finished.
        window.prepare_session(get("first-steps"))
        runner = window.runner
        assert runner is not None
        page = window.session_page

        async def until(done: Callable[[], bool], limit_s: float = 3600) -> None:
            end = clock.now() + limit_s
            while not done() and clock.now() < end:
                clock.set(clock.now() + TICK_S)
                runner.catch_up()
            await settle()

        def segment_running(direction: str, gait: str) -> bool:
            shown = page.shown()
            return shown["directionWord"] == direction and shown["phaseText"] == gait

        runner.start()
        await until(lambda: segment_running("BACKWARD", "WALK"))
        await until(lambda: False, 25)  # into the segment, the plot grown a little
        save(window, out / f"session-backward{suffix}.png")
        await until(lambda: page.shown()["phaseText"] == "TURN AROUND")
        await until(lambda: False, 2)
        save(window, out / f"session-turn{suffix}.png")
        await until(lambda: segment_running("FORWARD", "WALK") or segment_running("FORWARD", "RUN"))
        await until(lambda: False, 40)
        save(window, out / f"session-forward{suffix}.png")
        await until(lambda: runner.engine_finished)
        await until(lambda: False, 2)
        save(window, out / f"session-finished{suffix}.png")
        window._discard_session()

        # History: the list, the session just run in detail, and the progress charts.
        window.show_page("history")
        await settle()
        save(window, out / f"history{suffix}.png")
        window.history_page.open_session(window.history_page.model.summary(0).id)
        await settle()
        save(window, out / f"session-detail{suffix}.png")
        window.show_page("progress")
        await until_loaded(window)
        save(window, out / f"progress{suffix}.png")

        await gym_mode(window, data, out, suffix)
        window.close()


# Four members with their own paces: one workout, four speeds.
MEMBERS = (
    RunnerProfile(name="Anna", walk_kmh=4.5, run_kmh=8.0, backward_max_kmh=6.0),
    RunnerProfile(name="Ben", walk_kmh=5.5, run_kmh=11.0, backward_max_kmh=7.5),
    RunnerProfile(name="Chloé", walk_kmh=5.0, run_kmh=9.5, backward_max_kmh=6.5),
    RunnerProfile(name="David", walk_kmh=4.8, run_kmh=9.0, hr_max=175, hr_ceiling=160),
)


async def gym_mode(window: MainWindow, data: UserData, out: Path, suffix: str) -> None:
    """The gym's set-up page, then the room's screen at 1920x1080 mid-session, one
    station's strap lost."""
    book = MemberBook(data.members_dir)
    for member in MEMBERS:
        book.save(member)
    window.show_page("gym")
    page = window.gym_page
    while len(page.rows) < len(MEMBERS):
        page.add_station()
    for row, member in zip(page.rows, MEMBERS, strict=True):
        row.member.setCurrentIndex(row.member.findText(member.name))
    page.workout.setCurrentIndex(page.workout.findData("first-steps"))
    page.simulate_button.click()
    await settle()
    save(window, out / f"gym-setup{suffix}.png")

    clock = ManualClock()
    window.gym_clock = lambda _speedup: clock
    page.open_button.click()
    gym, room = window.gym, window.gym_window
    assert gym is not None and room is not None
    room.showNormal()
    room.resize(1920, 1080)
    gym.start_all()

    async def until(done: Callable[[], bool], limit_s: float = 3600) -> None:
        end = clock.now() + limit_s
        while not done() and clock.now() < end:
            clock.set(clock.now() + TICK_S)
            for station in gym.stations:
                station.runner.catch_up()
        await settle()

    def backwards() -> bool:
        snap = gym.station(1).snapshot()
        return snap.segment_active and snap.segment is not None and snap.segment.index == 1

    await until(backwards)
    await until(lambda: False, 25)
    strap = gym.station(4).runner.station.hrm
    assert isinstance(strap, SimulatedStrap)
    strap.drop_link(clock.now())
    await until(lambda: False, 4)
    save(room, out / f"gym-room{suffix}.png")
    gym.emergency_stop_all()
    await until(lambda: gym.finished, 60)
    room.close()


def earlier_sessions(store_path: Path, data: UserData) -> None:
    """Six weeks of the beginner plan, three sessions a week, recorded as the app would
    (on the simulators, as fast as possible) a few weeks before today."""
    from retrocoach.record.recorder import SessionRecorder
    from retrocoach.station import run_to_end, simulated_station
    from retrocoach.workouts.progression import PROGRESSION

    today = datetime.datetime.now(datetime.UTC).replace(hour=7, minute=30)
    first = today - datetime.timedelta(weeks=6)
    for n, workout in enumerate(PROGRESSION.sessions()):
        when = first + datetime.timedelta(days=7 * (n // 3) + 2 * (n % 3))
        recorder = SessionRecorder(workout, store_path, wall_clock=lambda when=when: when)
        station = simulated_station(workout, RunnerProfile(), now=0.0, sinks=[recorder])
        station.connect(0.0)
        station.start(0.0)
        run_to_end(station)
        recorder.close()
        if n < 15:  # the last week still to do
            data.mark_done(workout.name, when.date())


async def until_loaded(window: MainWindow) -> None:
    for _ in range(100):
        await settle(0.1)
        if window.progress_page.is_loaded:
            break
    await settle()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--theme", choices=("dark", "light", "both"), default="both")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    themes = [Theme.DARK, Theme.LIGHT] if args.theme == "both" else [Theme(args.theme)]
    args.out.mkdir(parents=True, exist_ok=True)

    async def everything() -> None:
        for theme in themes:
            await shoot(theme, args.out)

    with loop:
        loop.run_until_complete(everything())


if __name__ == "__main__":
    main()
