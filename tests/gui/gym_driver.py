"""Driving a guided gym session in tests: simulated stations on one clock the test
moves, the room's sound recorded (not played)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from support import RecordingOutput, recording_player, step, workout

from retrocoach.audio import RoomAnnouncer
from retrocoach.coach.events import Event
from retrocoach.devices.memory import DeviceMemory
from retrocoach.devices.simulator import SimulatedStrap, SimulatedTreadmill
from retrocoach.gui.device_hub import DeviceHub
from retrocoach.gui.gym_session import GymMember, GymSession
from retrocoach.gui.session_runner import ManualClock
from retrocoach.workouts.model import Workout
from retrocoach.workouts.profile import RunnerProfile

TICK_S = 0.25

# Three members with their own paces and caps: the same workout runs at three speeds.
MEMBERS = (
    RunnerProfile(name="Anna", walk_kmh=4.0, run_kmh=8.0, backward_max_kmh=6.0, hr_ceiling=178),
    RunnerProfile(name="Ben", walk_kmh=5.0, run_kmh=11.0, backward_max_kmh=7.5, hr_ceiling=182),
    RunnerProfile(name="Chloé", walk_kmh=4.5, run_kmh=9.5, backward_max_kmh=6.5, hr_ceiling=170),
)

# A short guided session with two turn-arounds, by time so the room stays in step.
GUIDED = workout(
    step("backward", "walk", seconds=40, label="Back walk"),
    step("forward", "run", seconds=40, label="Forward run"),
    step("backward", "run", seconds=30, label="Back run"),
    name="guided",
)


def simulated_hub(folder: Path, number: int) -> DeviceHub:
    hub = DeviceHub(DeviceMemory(folder / f"station-{number}.toml"))
    hub.use_simulators()
    return hub


class Room:
    """A guided session on simulated stations, and what each station and the room did."""

    def __init__(
        self,
        folder: Path,
        members: tuple[RunnerProfile, ...] = MEMBERS,
        chosen: Workout = GUIDED,
    ) -> None:
        self.clock = ManualClock()
        self.hubs = [simulated_hub(folder, n) for n in range(1, len(members) + 1)]
        self.player = recording_player(self.clock.now)
        self.announcer = RoomAnnouncer(self.player)
        self.store_path = folder / "sessions.sqlite"
        self.session = GymSession(
            chosen,
            [
                GymMember(n, p, h)
                for n, (p, h) in enumerate(zip(members, self.hubs, strict=True), 1)
            ],
            store_path=self.store_path,
            room_sink=self.announcer.sink,
            clock=self.clock,
        )
        self.events: dict[int, list[Event]] = {s.number: [] for s in self.session.stations}
        for station in self.session.stations:
            station.runner.happened.connect(self.events[station.number].append)
        self.announcer.begin(1.0)
        self.session.begin()

    @property
    def output(self) -> RecordingOutput:
        output = self.player.output
        assert isinstance(output, RecordingOutput)
        return output

    def treadmill(self, number: int) -> SimulatedTreadmill:
        device = self.session.station(number).runner.station.treadmill
        assert isinstance(device, SimulatedTreadmill)
        return device

    def strap(self, number: int) -> SimulatedStrap:
        device = self.session.station(number).runner.station.hrm
        assert isinstance(device, SimulatedStrap)
        return device

    def records(self, number: int, kind: str) -> list[dict[str, object]]:
        return [r for r in (e.record() for e in self.events[number]) if r["event"] == kind]

    def advance(self, seconds: float) -> None:
        end = self.clock.now() + seconds
        while self.clock.now() < end - 1e-9:
            self.clock.set(min(self.clock.now() + TICK_S, end))
            for station in self.session.stations:
                station.runner.catch_up()

    def advance_until(self, done: Callable[[], bool], limit_s: float = 600.0) -> None:
        end = self.clock.now() + limit_s
        while not done():
            assert self.clock.now() < end, f"not reached within {limit_s} s of session time"
            self.advance(TICK_S)

    def close(self) -> None:
        self.session.close()
        self.announcer.stop()
        # The player hangs off the stations' cycles: deleted by the loop, on its thread.
        self.player.deleteLater()
        for hub in self.hubs:
            hub.close()
