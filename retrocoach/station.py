"""One station: a treadmill, a strap, a runner and the engine, wired together.

The station carries readings in (device -> engine) and commands out (engine ->
device), and fans the engine's events out to whoever listens (event log, console,
later the audio, the GUI and the recorder). `run()` drives it on a clock: a virtual
one for simulated sessions (optionally as fast as the machine allows) or real time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from retrocoach.coach.engine import CoachEngine, EngineConfig, MachineEvent
from retrocoach.coach.events import Command, Event
from retrocoach.coach.plan import SpeedLimits
from retrocoach.devices.ports import (
    ControlOp,
    ControlRequest,
    ControlResult,
    HeartRateData,
    HeartRateMonitor,
    LinkState,
    MachineLimits,
    MachineStatus,
    Role,
    Treadmill,
    TreadmillData,
)
from retrocoach.devices.simulator import Effort, SimulatedStrap, SimulatedTreadmill
from retrocoach.protocol.ftms import StatusCode, StopPauseParam
from retrocoach.workouts.model import Direction, Workout
from retrocoach.workouts.profile import RunnerProfile

EventSink = Callable[[Event], None]
log = logging.getLogger(__name__)


def speed_limits(limits: MachineLimits) -> SpeedLimits:
    return SpeedLimits(
        speed_min_kmh=limits.speed_min_kmh,
        speed_max_kmh=limits.speed_max_kmh,
        speed_step_kmh=limits.speed_step_kmh,
        incline_min_pct=limits.incline_min_pct,
        incline_max_pct=limits.incline_max_pct,
        incline_step_pct=limits.incline_step_pct,
    )


def machine_event(status: MachineStatus) -> MachineEvent:
    """What an FTMS status means for the engine."""
    if status.code == StatusCode.STOPPED_OR_PAUSED_BY_USER:
        if status.value == StopPauseParam.PAUSE:
            return MachineEvent.PAUSED_BY_USER
        return MachineEvent.STOPPED_BY_USER
    return _STATUS_EVENTS.get(status.code, MachineEvent.OTHER)


_STATUS_EVENTS: dict[int, MachineEvent] = {
    StatusCode.STOPPED_BY_SAFETY_KEY: MachineEvent.STOPPED_BY_SAFETY_KEY,
    StatusCode.STARTED_OR_RESUMED_BY_USER: MachineEvent.STARTED_BY_USER,
    StatusCode.TARGET_SPEED_CHANGED: MachineEvent.TARGET_SPEED_CHANGED,
    StatusCode.TARGET_INCLINE_CHANGED: MachineEvent.TARGET_INCLINE_CHANGED,
    StatusCode.CONTROL_PERMISSION_LOST: MachineEvent.CONTROL_LOST,
    StatusCode.RESET: MachineEvent.RESET,
}


@runtime_checkable
class _ClockedDevice(Protocol):
    def advance(self, now: float) -> None: ...
    def next_deadline(self) -> float | None: ...


class Station:
    def __init__(
        self,
        workout: Workout,
        profile: RunnerProfile,
        treadmill: Treadmill,
        hrm: HeartRateMonitor | None,
        *,
        now: float,
        sinks: list[EventSink] | None = None,
        config: EngineConfig | None = None,
    ) -> None:
        self.treadmill = treadmill
        self.hrm = hrm
        self.sinks: list[EventSink] = list(sinks or [])
        self.sink_errors = 0
        self.engine = CoachEngine(
            workout,
            profile,
            speed_limits(treadmill.limits),
            t0=now,
            treadmill=treadmill.name,
            hrm=hrm.name if hrm is not None else None,
            config=config,
        )
        # The simulators live on the station's clock; Bluetooth devices push by themselves.
        self._clocked: list[_ClockedDevice] = []
        for device in (treadmill, hrm):
            candidate: object = device
            if isinstance(candidate, _ClockedDevice):
                self._clocked.append(candidate)
        treadmill.attach(self)
        if hrm is not None:
            hrm.attach(self)
        self._dispatch()

    @property
    def finished(self) -> bool:
        return self.engine.finished

    def connect(self, now: float) -> None:
        self.treadmill.connect(now)
        if self.hrm is not None:
            self.hrm.connect(now)
        self._dispatch()

    def use_treadmill_limits(self) -> None:
        """Plan with the ranges the treadmill reported (once connected, before the
        start); PlanError if this runner cannot use this machine safely."""
        limits = speed_limits(self.treadmill.limits)
        if limits != self.engine.limits:
            self.engine.set_limits(limits)

    def close(self) -> None:
        self.treadmill.close()
        if self.hrm is not None:
            self.hrm.close()

    # The person's actions.
    def start(self, now: float) -> None:
        self._act(self.engine.start, now)

    def pause(self, now: float) -> None:
        self._act(self.engine.pause, now)

    def resume(self, now: float) -> None:
        self._act(self.engine.resume, now)

    def skip(self, now: float) -> None:
        self._act(self.engine.skip, now)

    def stop(self, now: float) -> None:
        self._act(self.engine.stop, now)

    def emergency_stop(self, now: float) -> None:
        self._act(self.engine.emergency_stop, now)

    def speed_up(self, now: float) -> None:
        self._act(self.engine.speed_up, now)

    def speed_down(self, now: float) -> None:
        self._act(self.engine.speed_down, now)

    def _act(self, action: Callable[[float], None], now: float) -> None:
        self._advance_devices(now)
        action(now)
        self._dispatch()

    # Time.
    def step(self, now: float) -> None:
        self._advance_devices(now)
        self.engine.advance(now)
        self._dispatch()

    def next_deadline(self) -> float | None:
        times = [d.next_deadline() for d in self._clocked]
        times.append(self.engine.next_deadline())
        known = [t for t in times if t is not None]
        return min(known) if known else None

    def _advance_devices(self, now: float) -> None:
        for device in self._clocked:
            device.advance(now)

    # Device listener: readings in.
    def on_treadmill_data(self, data: TreadmillData) -> None:
        self.engine.on_belt(data.t, data.speed_kmh, data.incline_pct, data.distance_m)
        self._dispatch()

    def on_machine_status(self, status: MachineStatus) -> None:
        self.engine.on_machine_status(
            status.t, machine_event(status), status.code, status.name, status.value
        )
        self._dispatch()

    def on_control_result(self, request: ControlRequest, result: ControlResult, t: float) -> None:
        self.engine.on_command_result(t, request.op.value, result.value)
        self._dispatch()

    def on_link_state(self, role: Role, state: LinkState, t: float) -> None:
        self.engine.on_device(t, role.value, state.value)
        self._dispatch()

    def on_heart_rate(self, data: HeartRateData) -> None:
        self.engine.on_heart_rate(data.t, data.bpm, data.rr_s)
        self._dispatch()

    # Commands out, events to the sinks, in the order the engine made them.
    def _dispatch(self) -> None:
        for event in self.engine.drain():
            if isinstance(event, Command):
                self.treadmill.submit(
                    ControlRequest(ControlOp(event.op), event.value), self.engine.now
                )
            for sink in self.sinks:
                # A failing listener (a full disk, a closed console) must never cost the
                # other listeners their events, nor the treadmill a command.
                try:
                    sink(event)
                except Exception:
                    self.sink_errors += 1
                    log.exception("a session listener failed on %s", event.name)


def strap_following(built: list[Station], profile: RunnerProfile) -> SimulatedStrap:
    """A simulated strap beside a treadmill the simulator cannot see (a Bluetooth one):
    its heart rate follows the belt and the direction the runner faces, as the engine of
    the station (appended to `built` once made) sees them."""

    def effort() -> Effort:
        if not built:
            return Effort(speed_kmh=0.0, incline_pct=0.0, direction=Direction.FORWARD)
        engine = built[0].engine
        snap = engine.snapshot(engine.now)
        return Effort(speed_kmh=snap.belt_kmh, incline_pct=snap.incline_pct, direction=snap.facing)

    return SimulatedStrap(effort, hr_rest=profile.hr_rest, hr_max=profile.hr_max)


def simulated_station(
    workout: Workout,
    profile: RunnerProfile,
    *,
    now: float,
    with_strap: bool = True,
    sinks: list[EventSink] | None = None,
    config: EngineConfig | None = None,
    treadmill: SimulatedTreadmill | None = None,
) -> Station:
    """A station on the built-in simulators. The strap's heart rate follows the belt
    and the direction the runner faces, which only the station's engine knows."""
    belt = treadmill if treadmill is not None else SimulatedTreadmill()
    built: list[Station] = []

    def effort() -> Effort:
        facing = built[0].engine.facing if built else Direction.FORWARD
        return Effort(speed_kmh=belt.belt_speed_kmh, incline_pct=belt.incline_pct, direction=facing)

    strap = (
        SimulatedStrap(effort, hr_rest=profile.hr_rest, hr_max=profile.hr_max)
        if with_strap
        else None
    )
    station = Station(workout, profile, belt, strap, now=now, sinks=sinks, config=config)
    built.append(station)
    return station


def run_to_end(station: Station, now: float = 0.0) -> float:
    """Step a simulated station on its own deadlines until its session ends, as fast as
    the machine allows (no event loop, no clock: for scripts); the virtual end time."""
    while not station.finished:
        deadline = station.next_deadline()
        now = deadline if deadline is not None else now + 0.1
        station.step(now)
    return now


# ------------------------------------------------------------------- clocks


class VirtualClock:
    """Simulated time: `speedup` times real time, or as fast as possible (None)."""

    def __init__(self, speedup: float | None = None, start: float = 0.0) -> None:
        self.speedup = speedup
        self._now = start
        self._origin = start
        self._real_origin = time.monotonic()

    def now(self) -> float:
        return self._now

    async def sleep_until(self, when: float) -> None:
        if self.speedup is not None:
            await sleep_until_monotonic(self._real_origin + (when - self._origin) / self.speedup)
        self._now = max(self._now, when)


class RealClock:
    """Real time for real devices: seconds from the monotonic clock."""

    speedup: float | None = 1.0

    def now(self) -> float:
        return time.monotonic()

    async def sleep_until(self, when: float) -> None:
        await sleep_until_monotonic(when)


FINE_WAIT_S = 0.003


async def sleep_until_monotonic(due: float) -> None:
    """Sleep until the monotonic clock reads `due`: the event loop's timers wake up to a
    millisecond late, so the last few milliseconds are slept here (cues start on time)."""
    delay = due - time.monotonic()
    if delay > FINE_WAIT_S:
        await asyncio.sleep(delay - FINE_WAIT_S)
        delay = due - time.monotonic()
    if delay > 0:
        time.sleep(delay)


class Clock(Protocol):
    speedup: float | None

    def now(self) -> float: ...
    async def sleep_until(self, when: float) -> None: ...


async def run(station: Station, clock: Clock, *, max_wait_s: float = 0.1) -> None:
    """Drive the station until its session has ended.

    Between deadlines the loop waits at most `max_wait_s` of real time, so a person's
    action (a key, a signal) is taken within that; as fast as possible, it still
    yields to the event loop now and then for the same reason."""
    steps = 0
    while not station.finished:
        now = clock.now()
        deadline = station.next_deadline()
        if clock.speedup is None:
            when = deadline if deadline is not None else now + max_wait_s
        else:
            limit = now + max_wait_s * clock.speedup
            when = min(deadline, limit) if deadline is not None else limit
        await clock.sleep_until(max(when, now))
        station.step(clock.now())
        steps += 1
        if clock.speedup is None and steps % 256 == 0:
            await asyncio.sleep(0)
