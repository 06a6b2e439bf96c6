"""How fast a 60-minute simulated session runs at full speed-up.

Prints the wall time of a whole 60-minute session (engine, station, simulated treadmill
and strap, every event made) and two ratios:
  - to the session's length, the goal being under 1/1000 of real time;
  - to a baseline measured in the same run: the bare simulators stepped through the
    same virtual hour on the same deadlines, with no engine, which shows what the coach
    itself costs on this (noisy) machine.
Each figure is the median of several runs.

    python benchmarks/engine.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from retrocoach.coach.events import Event
from retrocoach.devices.ports import (
    ControlRequest,
    ControlResult,
    HeartRateData,
    LinkState,
    MachineStatus,
    Role,
    TreadmillData,
)
from retrocoach.devices.simulator import Effort, SimulatedStrap, SimulatedTreadmill
from retrocoach.station import simulated_station
from retrocoach.workouts.model import (
    Direction,
    DistanceEnd,
    Gait,
    RelativeSpeed,
    Repeat,
    Step,
    TimeEnd,
    Workout,
)
from retrocoach.workouts.profile import RunnerProfile

SESSION_S = 3600.0


def hour_workout() -> Workout:
    """About an hour with every kind of change: turn-arounds, increases, distances."""
    return Workout(
        "bench-hour",
        "Benchmark hour",
        (
            Step(Direction.FORWARD, Gait.WALK, TimeEnd(300)),
            Repeat(
                8,
                (
                    Step(Direction.BACKWARD, Gait.RUN, TimeEnd(90), RelativeSpeed(0.9)),
                    Step(Direction.FORWARD, Gait.RUN, DistanceEnd(400)),
                    Step(Direction.FORWARD, Gait.WALK, TimeEnd(60), incline_pct=4),
                ),
            ),
            Step(Direction.BACKWARD, Gait.WALK, TimeEnd(480)),
        ),
    )


def run_session(workout: Workout) -> tuple[float, float, int]:
    """Wall seconds, virtual seconds and events for one whole session."""
    events: list[Event] = []
    station = simulated_station(workout, RunnerProfile(), now=0.0, sinks=[events.append])
    started = time.perf_counter()
    station.connect(0.0)
    station.start(0.0)
    now = 0.0
    while not station.finished:
        deadline = station.next_deadline()
        assert deadline is not None
        now = deadline
        station.step(now)
    return time.perf_counter() - started, now, len(events)


class _Sink:
    """A listener that takes everything and does nothing: the bare baseline."""

    def on_treadmill_data(self, data: TreadmillData) -> None: ...
    def on_machine_status(self, status: MachineStatus) -> None: ...
    def on_control_result(
        self, request: ControlRequest, result: ControlResult, t: float
    ) -> None: ...

    def on_link_state(self, role: Role, state: LinkState, t: float) -> None: ...
    def on_heart_rate(self, data: HeartRateData) -> None: ...


def run_bare_simulators(seconds: float) -> float:
    """The simulators alone through the same virtual time, on their own deadlines."""
    treadmill = SimulatedTreadmill()
    strap = SimulatedStrap(
        lambda: Effort(treadmill.belt_speed_kmh, treadmill.incline_pct, Direction.FORWARD)
    )
    sink = _Sink()
    treadmill.attach(sink)
    strap.attach(sink)
    started = time.perf_counter()
    treadmill.connect(0.0)
    strap.connect(0.0)
    now = 0.0
    while now < seconds:
        deadlines = [d for d in (treadmill.next_deadline(), strap.next_deadline()) if d is not None]
        now = min(deadlines)
        treadmill.advance(now)
        strap.advance(now)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workout = hour_workout()
    walls, baselines = [], []
    virtual = 0.0
    events = 0
    for _ in range(args.runs):
        wall, virtual, events = run_session(workout)
        walls.append(wall)
        baselines.append(run_bare_simulators(virtual))
    wall = statistics.median(walls)
    base = statistics.median(baselines)
    print(f"session: {virtual / 60:.1f} virtual minutes, {events} events")
    print(f"wall time, whole session:     {wall * 1000:8.1f} ms (median of {args.runs})")
    print(f"wall time, bare simulators:   {base * 1000:8.1f} ms (baseline, same virtual time)")
    print(f"ratio to the session length:  1/{virtual / wall:,.0f}  (goal: under 1/1000)")
    print(f"ratio to 60 minutes:          1/{SESSION_S / wall:,.0f}")
    print(f"ratio to the bare simulators: {wall / base:.1f}x")
    print("goal met" if wall < virtual / 1000 else "GOAL MISSED: slower than 1/1000")


if __name__ == "__main__":
    main()
