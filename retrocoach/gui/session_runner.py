"""Drives one station from the Qt event loop and tells the screens what happened.

The engine is advanced by a single-shot timer set for its next deadline (converted to
real time through the clock's speed-up), at most `max_wait_s` apart so the screen's
clocks keep moving: nothing is polled and nothing blocks the loop. Bluetooth devices
push their readings from the same loop (qasync), so every call into the station happens
on the GUI thread.

The engine's events are queued while the station works and sent out (`happened`) once it
is done, so a screen that reacts to an event by pressing a button never re-enters the
station in the middle of a step.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from retrocoach.coach.engine import Snapshot
from retrocoach.coach.events import Event, SessionEnd
from retrocoach.devices.ports import ControlOp, ControlRequest
from retrocoach.station import FINE_WAIT_S, Station

log = logging.getLogger(__name__)

MAX_STEPS_PER_TICK = 20_000  # a stalled clock must not freeze the window


class SessionClock(Protocol):
    speedup: float
    follows_real_time: bool  # moves on by itself (sleeping brings a deadline closer)

    def now(self) -> float: ...


class ScaledClock:
    """Session time that runs `speedup` times faster than real time (1: real time)."""

    def __init__(self, speedup: float = 1.0, start: float = 0.0) -> None:
        if speedup <= 0:
            raise ValueError("speedup must be positive")
        self.speedup = speedup
        self.follows_real_time = True
        self._start = start
        self._origin = time.monotonic()

    def now(self) -> float:
        return self._start + (time.monotonic() - self._origin) * self.speedup

    def monotonic_at(self, t: float) -> float:
        """When (on `time.monotonic()`) this clock reads `t`."""
        return self._origin + (t - self._start) / self.speedup


class ManualClock:
    """Session time that moves only when told (`set`): screenshots and tests that need
    the screen at an exact moment. The runner's timer still fires; `catch_up()` makes
    the station reach the new time at once."""

    speedup = 1.0  # the runner's own ticks stay calm; the owner moves time
    follows_real_time = False

    def __init__(self, start: float = 0.0) -> None:
        self.t = start

    def now(self) -> float:
        return self.t

    def set(self, t: float) -> None:
        self.t = max(self.t, t)


class MonotonicClock:
    """Real time, for real devices (their readings carry monotonic timestamps)."""

    speedup = 1.0
    follows_real_time = True

    def now(self) -> float:
        return time.monotonic()


class SessionRunner(QObject):
    happened = Signal(object)  # each engine event, in order
    refreshed = Signal()  # time moved on: a moment to redraw what depends on the clock
    ended = Signal(object)  # the SessionEnd event

    def __init__(
        self,
        station: Station,
        clock: SessionClock,
        parent: QObject | None = None,
        *,
        max_wait_s: float = 0.1,
    ) -> None:
        super().__init__(parent)
        self.station = station
        self.clock = clock
        self.max_wait_s = max_wait_s
        self._queue: deque[Event] = deque()
        self._in_call = False
        self._flush_scheduled = False
        self._flushing = False
        self._ended = False
        self._devices_after_end = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # cues are heard on the ms
        self._timer.timeout.connect(self._tick)
        station.sinks.append(self._collect)

    # ------------------------------------------------------------------ life

    @property
    def engine_finished(self) -> bool:
        return self.station.finished

    def begin(self) -> None:
        """Connect the devices (the simulators at once) and start keeping time."""
        self._call(self.station.connect)
        self._tick()

    def halt(self) -> None:
        """Stop keeping time (the window is closing or the session was thrown away)."""
        self._timer.stop()
        if self._collect in self.station.sinks:
            self.station.sinks.remove(self._collect)

    def now(self) -> float:
        return self.clock.now()

    def snapshot(self) -> Snapshot:
        return self.station.engine.snapshot(max(self.clock.now(), self.station.engine.now))

    # --------------------------------------------------------- the person's actions

    def start(self) -> None:
        self._call(self.station.start)

    def pause(self) -> None:
        self._call(self.station.pause)

    def resume(self) -> None:
        self._call(self.station.resume)

    def skip(self) -> None:
        self._call(self.station.skip)

    def stop(self) -> None:
        self._call(self.station.stop)

    def emergency_stop(self) -> None:
        self._call(self.station.emergency_stop)

    def speed_up(self) -> None:
        self._call(self.station.speed_up)

    def speed_down(self) -> None:
        self._call(self.station.speed_down)

    def stop_belt(self) -> None:
        """A stop straight to the treadmill, the session being over (a belt left running
        after a fault end): the engine has nothing more to say, the devices still need
        their clock."""
        now = max(self.clock.now(), self.station.engine.now)
        # Control may have gone with the link: ask for it first (answered at once if held).
        self.station.treadmill.submit(ControlRequest(ControlOp.REQUEST_CONTROL), now)
        self.station.treadmill.submit(ControlRequest(ControlOp.STOP), now)
        self._devices_after_end = True
        self._reschedule()

    def catch_up(self) -> None:
        """Bring the station to the clock's present now rather than at the next tick."""
        self._tick()

    # ---------------------------------------------------------------- internals

    def _call(self, action: Callable[[float], None]) -> None:
        self._in_call = True
        try:
            action(max(self.clock.now(), self.station.engine.now))
        finally:
            self._in_call = False
        self._flush()
        self._reschedule()

    def _tick(self) -> None:
        self._wait_for_deadline()
        now = self.clock.now()
        self._in_call = True
        try:
            # Every moment that matters up to now, in order, each at its own time: an
            # accelerated clock jumps many of them per tick and loses none.
            last = self.station.engine.now
            if self.station.finished and self._devices_after_end:
                self.station.step(max(now, last))  # the devices only: the engine is done
            for _ in range(MAX_STEPS_PER_TICK if not self.station.finished else 0):
                deadline = self.station.next_deadline()
                if deadline is None or deadline > now or deadline <= last:
                    break
                self.station.step(deadline)
                last = deadline
                if self.station.finished:
                    break
            if not self.station.finished:
                self.station.step(max(now, last))
        finally:
            self._in_call = False
        self._flush()
        self.refreshed.emit()
        self._reschedule()

    def _wait_for_deadline(self) -> None:
        deadline = self.station.next_deadline()
        if deadline is None or not self.clock.follows_real_time:
            return
        # The timer wakes the runner up to a millisecond before a deadline; the rest is
        # slept (far under a frame), so a cue starts on its moment, not a moment late.
        early = (deadline - self.clock.now()) / self.clock.speedup
        if 0 < early <= FINE_WAIT_S:
            time.sleep(early)

    def _reschedule(self) -> None:
        if self._ended and not self._devices_after_end:
            self._timer.stop()
            return
        now = self.clock.now()
        deadline = self.station.next_deadline()
        wait = self.max_wait_s
        if deadline is not None:
            wait = min(wait, max(deadline - now, 0.0) / self.clock.speedup)
        self._timer.start(max(int(wait * 1000), 0))

    def _collect(self, event: Event) -> None:
        self._queue.append(event)
        if not self._in_call and not self._flush_scheduled:
            # A Bluetooth reading arrived on its own: send its events out soon.
            self._flush_scheduled = True
            # With the runner as context: a runner deleted meanwhile is not called.
            QTimer.singleShot(0, self, self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self._flushing:
            return  # a listener acted: its events go out after the ones before them
        self._flushing = True
        try:
            while self._queue:
                event = self._queue.popleft()
                self.happened.emit(event)
                if isinstance(event, SessionEnd) and not self._ended:
                    self._ended = True
                    self._timer.stop()
                    self.ended.emit(event)
        finally:
            self._flushing = False
