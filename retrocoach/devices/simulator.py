"""A simulated FTMS treadmill and heart-rate strap that live on a clock they are given.

Neither touches the wall clock, threads or asyncio: the station calls `advance(now)` and
the device emits, in time order, everything that fell due up to `now`, each event
stamped with its own time. `next_deadline()` says when the next emission is, so a
virtual-time runner can jump straight there and a whole session runs in milliseconds.
The only randomness is a seeded `random.Random`, so runs repeat exactly.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import assert_never

from retrocoach.devices.ports import (
    ControlOp,
    ControlRequest,
    ControlResult,
    HeartRateData,
    HeartRateListener,
    LinkState,
    MachineLimits,
    MachineStatus,
    Role,
    TreadmillData,
    TreadmillListener,
)
from retrocoach.protocol.ftms import StatusCode, StopPauseParam
from retrocoach.workouts.model import Direction

DEFAULT_LIMITS = MachineLimits()
COMMAND_TIMEOUT_S = 2.0  # what a BLE client waits for a control point indication
INCLINE_RATE_PCT_PER_S = 0.1  # incline motors are slow
SAFETY_KEY_DECELERATION_KMH_PER_S = 3.0  # an emergency stop is harder than a normal one
_EPS = 1e-9

WALK_RUN_BOUNDARY_KMH = 7.0  # ACSM: the walking equation holds below about 7 km/h
BACKWARD_COST = 1.3  # backward locomotion costs ~30 % more than forward at the same speed
RESTING_VO2 = 3.5  # ml/kg/min
HR_TAU_RISING_S = 30.0
HR_TAU_FALLING_S = 45.0
HR_NOISE_SD_BPM = 0.7
HRR_CEILING = 1.02  # lets an all-out effort nudge just past the nominal maximum
RR_RESOLUTION_S = 1.0 / 1024.0  # Heart Rate Measurement RR unit


class _Ticker:
    """Notification times on a fixed grid anchored at connect time.

    Times are anchor + k * interval (not repeated additions) so they do not drift; a
    restored link picks the grid up again rather than starting a new one.
    """

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._anchor: float | None = None
        self._k = 0
        self._active = False

    @property
    def next(self) -> float | None:
        if not self._active or self._anchor is None:
            return None
        return self._anchor + self._k * self.interval_s

    def start(self, t: float) -> None:
        self._anchor, self._k, self._active = t, 0, True

    def stop(self) -> None:
        self._active = False

    def resume(self, t: float) -> None:
        if self._anchor is None:
            self.start(t)
            return
        self._k = max(self._k, math.ceil((t - self._anchor) / self.interval_s - _EPS))
        self._active = True

    def pop(self) -> None:
        self._k += 1


@dataclass(frozen=True)
class _InFlight:
    """A command on its way to the machine; answered (or lost) when it arrives."""

    request: ControlRequest
    submitted: float


@dataclass(frozen=True)
class _Timeout:
    """The client gave up waiting for an answer."""

    request: ControlRequest


def _snap(value: float, step: float, lo: float, hi: float) -> float:
    """Clamp to [lo, hi] and round to the machine's step (rounded again to shed float dust)."""
    v = min(max(value, lo), hi)
    if step > 0:
        v = round(round(v / step) * step, 6)
    return min(max(v, lo), hi)


def _approach(x: float, goal: float, rate: float, dt: float) -> float:
    """Move x linearly toward goal at rate per second for dt seconds, without overshoot."""
    if abs(goal - x) <= rate * dt:
        return goal
    return x + math.copysign(rate * dt, goal - x)


class SimulatedTreadmill:
    """An FTMS treadmill: control point semantics, belt physics and a runner's console."""

    def __init__(
        self,
        name: str = "Simulated treadmill",
        limits: MachineLimits = DEFAULT_LIMITS,
        *,
        acceleration_kmh_per_s: float = 0.5,
        deceleration_kmh_per_s: float = 0.5,
        stop_deceleration_kmh_per_s: float = 1.5,
        start_speed_kmh: float = 1.0,
        notify_interval_s: float = 1.0,
        response_latency_s: float = 0.05,
    ) -> None:
        if acceleration_kmh_per_s <= 0 or deceleration_kmh_per_s <= 0:
            raise ValueError("acceleration and deceleration must be positive")
        if notify_interval_s <= 0:
            raise ValueError("notify_interval_s must be positive")
        if response_latency_s < 0:
            raise ValueError("response_latency_s must not be negative")
        self.name = name
        self._limits = limits
        self._accel = acceleration_kmh_per_s
        self._decel = deceleration_kmh_per_s
        # Stop and pause brake harder than a change of speed, as real belts do.
        self._stop_decel = stop_deceleration_kmh_per_s
        self._start_speed = _snap(
            start_speed_kmh, limits.speed_step_kmh, limits.speed_min_kmh, limits.speed_max_kmh
        )
        self._latency = response_latency_s
        self._listener: TreadmillListener | None = None
        self._ticker = _Ticker(notify_interval_s)
        self._queue: list[tuple[float, int, _InFlight | _Timeout]] = []
        self._seq = 0
        self._advancing = False

        self._t: float | None = None
        self._connected = False
        self._dropped = False
        self._closed = False
        self._control = False
        self._key_in = True
        self._key_stop = False  # decelerating from a safety-key stop
        self._running = False
        self._target: float | None = None  # set since the last stop; kept over a pause
        self._speed = 0.0
        self._incline = _snap(
            0.0, limits.incline_step_pct, limits.incline_min_pct, limits.incline_max_pct
        )
        self._incline_target = self._incline
        self._distance_m = 0.0
        self._elapsed_s = 0.0

    # -- Treadmill port ----------------------------------------------------------------

    @property
    def limits(self) -> MachineLimits:
        return self._limits

    def attach(self, listener: TreadmillListener) -> None:
        self._listener = listener

    def connect(self, now: float) -> None:
        self.advance(now)
        if self._connected or self._closed:
            return
        t = self._now(now)
        self._link(LinkState.CONNECTING, t)
        self._connected = True
        if not self._dropped:
            self._ticker.start(t)
            self._link(LinkState.CONNECTED, t)

    def submit(self, request: ControlRequest, now: float) -> None:
        # Only queued here: the answer comes from a later advance(), never re-entrantly.
        if self._closed:
            return
        t = self._now(now)
        if self._link_up:
            self._push(t + self._latency, _InFlight(request, t))
        else:
            self._push(t + COMMAND_TIMEOUT_S, _Timeout(request))

    def close(self) -> None:
        self._closed = True
        self._queue.clear()
        self._ticker.stop()

    # -- Clocked -----------------------------------------------------------------------

    def advance(self, now: float) -> None:
        if self._t is None:
            self._t = now
        # A nested call (a listener poking the console) acts at the current event time.
        if now < self._t or self._advancing:
            return
        self._advancing = True
        try:
            while True:
                q = self._queue[0][0] if self._queue else None
                n = self._ticker.next
                if q is not None and q <= now and (n is None or q <= n):
                    _, _, item = heapq.heappop(self._queue)
                    self._evolve(q)
                    self._handle(item, q)
                elif n is not None and n <= now:
                    self._ticker.pop()
                    self._evolve(n)
                    self._notify(n)
                else:
                    break
            self._evolve(now)
        finally:
            self._advancing = False

    def next_deadline(self) -> float | None:
        times = [self._queue[0][0]] if self._queue else []
        n = self._ticker.next
        if n is not None:
            times.append(n)
        return min(times) if times else None

    # -- read-only state for tests -----------------------------------------------------

    @property
    def belt_speed_kmh(self) -> float:
        return self._speed

    @property
    def target_speed_kmh(self) -> float:
        """The speed the machine holds as its target (0 once stopped)."""
        return self._target if self._target is not None else 0.0

    @property
    def incline_pct(self) -> float:
        return self._incline

    @property
    def distance_m(self) -> float:
        return self._distance_m

    @property
    def running(self) -> bool:
        """Started and not since stopped, paused or safety-stopped (the belt may still be
        spinning up or coasting down)."""
        return self._running

    @property
    def has_control(self) -> bool:
        return self._control

    @property
    def safety_key_in(self) -> bool:
        return self._key_in

    # -- the runner's console ----------------------------------------------------------

    def console_set_speed(self, kmh: float, now: float) -> None:
        self.advance(now)
        lim = self._limits
        self._target = _snap(kmh, lim.speed_step_kmh, lim.speed_min_kmh, lim.speed_max_kmh)
        self._status(StatusCode.TARGET_SPEED_CHANGED, self._target)

    def console_set_incline(self, pct: float, now: float) -> None:
        self.advance(now)
        lim = self._limits
        self._incline_target = _snap(
            pct, lim.incline_step_pct, lim.incline_min_pct, lim.incline_max_pct
        )
        self._status(StatusCode.TARGET_INCLINE_CHANGED, self._incline_target)

    def console_stop(self, now: float) -> None:
        self.advance(now)
        self._stop()
        self._status(StatusCode.STOPPED_OR_PAUSED_BY_USER, float(StopPauseParam.STOP))

    def console_pause(self, now: float) -> None:
        self.advance(now)
        self._running = False
        self._status(StatusCode.STOPPED_OR_PAUSED_BY_USER, float(StopPauseParam.PAUSE))

    def console_start(self, now: float) -> None:
        self.advance(now)
        if not self._key_in:
            return  # a real console ignores START with the key out
        self._start()
        self._status(StatusCode.STARTED_OR_RESUMED_BY_USER)

    def pull_safety_key(self, now: float) -> None:
        self.advance(now)
        self._key_in = False
        self._key_stop = True
        self._running = False
        self._target = None
        self._incline_target = self._incline  # the incline motor stops where it is
        self._status(StatusCode.STOPPED_BY_SAFETY_KEY)

    def insert_safety_key(self, now: float) -> None:
        self.advance(now)
        self._key_in = True  # silent: FTMS has no status for it and the belt stays stopped

    def drop_link(self, now: float) -> None:
        self.advance(now)
        if self._dropped:
            return
        t = self._now(now)
        if self._connected and not self._closed:
            self._link(LinkState.LOST, t)
        self._dropped = True
        self._ticker.stop()

    def restore_link(self, now: float) -> None:
        self.advance(now)
        if not self._dropped:
            return
        self._dropped = False
        if self._connected and not self._closed:
            t = self._now(now)
            self._ticker.resume(t)
            self._link(LinkState.CONNECTED, t)

    def revoke_control(self, now: float) -> None:
        self.advance(now)
        self._control = False
        self._status(StatusCode.CONTROL_PERMISSION_LOST)

    # -- internals ---------------------------------------------------------------------

    @property
    def _link_up(self) -> bool:
        return self._connected and not self._dropped and not self._closed

    def _now(self, now: float) -> float:
        return now if self._t is None else max(now, self._t)

    def _push(self, t: float, item: _InFlight | _Timeout) -> None:
        self._seq += 1  # FIFO among equal times
        heapq.heappush(self._queue, (t, self._seq, item))

    def _belt_goal(self) -> float:
        return self._target if self._running and self._target is not None else 0.0

    def _evolve(self, t: float) -> None:
        """Physics from self._t to t, exact for any step: speed is piecewise linear, so
        the distance is a trapezoid up to the moment the belt reaches its goal plus a
        rectangle after it."""
        assert self._t is not None
        dt = t - self._t
        if dt <= 0:
            return
        v0, goal = self._speed, self._belt_goal()
        if goal > v0:
            rate = self._accel
        else:
            if self._key_stop:
                rate = SAFETY_KEY_DECELERATION_KMH_PER_S
            else:
                rate = self._decel if self._running else self._stop_decel
        t_reach = abs(goal - v0) / rate
        if dt >= t_reach:
            area_kmh_s = (v0 + goal) / 2 * t_reach + goal * (dt - t_reach)
            v1 = goal
        else:
            v1 = v0 + math.copysign(rate * dt, goal - v0)
            area_kmh_s = (v0 + v1) / 2 * dt
        self._speed = v1
        self._distance_m += area_kmh_s / 3.6
        self._incline = _approach(self._incline, self._incline_target, INCLINE_RATE_PCT_PER_S, dt)
        if self._running:
            self._elapsed_s += dt
        self._t = t

    def _handle(self, item: _InFlight | _Timeout, t: float) -> None:
        if isinstance(item, _Timeout):
            # The client's own timer: reported even while the link is down.
            if self._listener is not None and not self._closed:
                self._listener.on_control_result(item.request, ControlResult.TIMEOUT, t)
            return
        if not self._link_up:
            # Lost in flight: the machine never saw it and the client times out.
            self._push(max(t, item.submitted + COMMAND_TIMEOUT_S), _Timeout(item.request))
            return
        result, statuses = self._apply(item.request)
        if self._listener is not None:
            self._listener.on_control_result(item.request, result, t)
        for code, value in statuses:
            self._status(code, value)

    def _apply(
        self, request: ControlRequest
    ) -> tuple[ControlResult, list[tuple[StatusCode, float | None]]]:
        op = request.op
        if op is ControlOp.REQUEST_CONTROL:
            self._control = True
            return ControlResult.SUCCESS, []
        if not self._control:
            return ControlResult.NOT_PERMITTED, []
        lim = self._limits
        if op is ControlOp.RESET:
            self._control = False
            self._stop()
            self._incline_target = _snap(
                0.0, lim.incline_step_pct, lim.incline_min_pct, lim.incline_max_pct
            )
            return ControlResult.SUCCESS, [(StatusCode.RESET, None)]
        if op is ControlOp.SET_SPEED:
            v = request.value
            if v is None or not math.isfinite(v):
                return ControlResult.INVALID_PARAMETER, []
            if not lim.speed_min_kmh - _EPS <= v <= lim.speed_max_kmh + _EPS:
                return ControlResult.INVALID_PARAMETER, []
            self._target = _snap(v, lim.speed_step_kmh, lim.speed_min_kmh, lim.speed_max_kmh)
            return ControlResult.SUCCESS, [(StatusCode.TARGET_SPEED_CHANGED, self._target)]
        if op is ControlOp.SET_INCLINE:
            p = request.value
            if p is None or not math.isfinite(p):
                return ControlResult.INVALID_PARAMETER, []
            if not lim.incline_min_pct - _EPS <= p <= lim.incline_max_pct + _EPS:
                return ControlResult.INVALID_PARAMETER, []
            self._incline_target = _snap(
                p, lim.incline_step_pct, lim.incline_min_pct, lim.incline_max_pct
            )
            return ControlResult.SUCCESS, [
                (StatusCode.TARGET_INCLINE_CHANGED, self._incline_target)
            ]
        if op is ControlOp.START:
            if not self._key_in:
                return ControlResult.FAILED, []
            self._start()
            return ControlResult.SUCCESS, [(StatusCode.STARTED_OR_RESUMED_BY_USER, None)]
        if op is ControlOp.STOP:
            self._stop()
            return ControlResult.SUCCESS, [
                (StatusCode.STOPPED_OR_PAUSED_BY_USER, float(StopPauseParam.STOP))
            ]
        if op is ControlOp.PAUSE:
            self._running = False
            return ControlResult.SUCCESS, [
                (StatusCode.STOPPED_OR_PAUSED_BY_USER, float(StopPauseParam.PAUSE))
            ]
        assert_never(op)  # a new ControlOp must be taught to the simulator

    def _start(self) -> None:
        if self._target is None:
            self._target = self._start_speed
        self._running = True
        self._key_stop = False

    def _stop(self) -> None:
        self._running = False
        self._target = None

    def _notify(self, t: float) -> None:
        if self._listener is None:
            return
        self._listener.on_treadmill_data(
            TreadmillData(
                t=t,
                speed_kmh=round(self._speed, 2),
                incline_pct=round(self._incline, 1),
                distance_m=round(self._distance_m, 1),
                elapsed_s=float(math.floor(self._elapsed_s + _EPS)),  # FTMS: whole seconds
            )
        )

    def _status(self, code: StatusCode, value: float | None = None) -> None:
        # A status sent while the link is down is simply lost, as over the air.
        if self._listener is None or not self._link_up:
            return
        assert self._t is not None
        self._listener.on_machine_status(MachineStatus(self._t, int(code), value))

    def _link(self, state: LinkState, t: float) -> None:
        if self._listener is not None:
            self._listener.on_link_state(Role.TREADMILL, state, t)


@dataclass(frozen=True)
class Effort:
    """What the runner is doing right now, as far as the heart is concerned."""

    speed_kmh: float
    incline_pct: float
    direction: Direction


class SimulatedStrap:
    """A chest strap on a runner whose heart rate follows the ACSM metabolic cost."""

    def __init__(
        self,
        effort: Callable[[], Effort],
        *,
        hr_rest: float = 60,
        hr_max: float = 190,
        vo2max: float = 45.0,
        name: str = "Simulated strap",
        seed: int = 1,
        notify_interval_s: float = 1.0,
    ) -> None:
        if not 0 < hr_rest < hr_max:
            raise ValueError("need 0 < hr_rest < hr_max")
        if vo2max <= RESTING_VO2:
            raise ValueError("vo2max must exceed the resting 3.5 ml/kg/min")
        if notify_interval_s <= 0:
            raise ValueError("notify_interval_s must be positive")
        self.name = name
        self._effort = effort
        self._rest = float(hr_rest)
        self._max = float(hr_max)
        self._vo2max = vo2max
        self._rng = random.Random(seed)
        self._ticker = _Ticker(notify_interval_s)
        self._listener: HeartRateListener | None = None
        self._advancing = False

        self._t: float | None = None
        self._hr = self._rest
        self._next_beat: float | None = None
        self._last_beat: float | None = None
        self._rr: list[float] = []  # since the last notification
        self._forced: int | None = None
        self._contact = True
        self._connected = False
        self._dropped = False
        self._closed = False

    # -- HeartRateMonitor port ---------------------------------------------------------

    def attach(self, listener: HeartRateListener) -> None:
        self._listener = listener

    def connect(self, now: float) -> None:
        self.advance(now)
        if self._connected or self._closed:
            return
        t = self._now(now)
        self._link(LinkState.CONNECTING, t)
        self._connected = True
        self._rr.clear()  # beats before the connection were never sent
        if not self._dropped:
            self._ticker.start(t)
            self._link(LinkState.CONNECTED, t)

    def close(self) -> None:
        self._closed = True
        self._ticker.stop()

    # -- Clocked -----------------------------------------------------------------------

    def advance(self, now: float) -> None:
        if self._t is None:
            self._t = now
            self._next_beat = now + self._beat_interval()
        if now < self._t or self._advancing:
            return
        self._advancing = True
        try:
            # One poll per advance: the effort is taken as having held since the last one.
            target = self.steady_state_bpm(self._effort())
            while True:
                b, n = self._next_beat, self._ticker.next
                assert b is not None
                if b <= now and (n is None or b <= n):
                    self._evolve(b, target)
                    self._beat(b)
                elif n is not None and n <= now:
                    self._ticker.pop()
                    self._evolve(n, target)
                    self._notify(n)
                else:
                    break
            self._evolve(now, target)
        finally:
            self._advancing = False

    def next_deadline(self) -> float | None:
        return self._ticker.next  # beats are internal; only notifications go out

    # -- the model ---------------------------------------------------------------------

    def steady_state_bpm(self, effort: Effort) -> float:
        """Where the heart rate settles if this effort is held (ACSM equations)."""
        if effort.speed_kmh <= 0:
            return self._rest
        v = effort.speed_kmh * 1000.0 / 60.0  # m/min
        grade = effort.incline_pct / 100.0
        if effort.speed_kmh < WALK_RUN_BOUNDARY_KMH:
            work = 0.1 * v + 1.8 * v * grade
        else:
            work = 0.2 * v + 0.9 * v * grade
        if effort.direction is Direction.BACKWARD:
            work *= BACKWARD_COST
        hrr = min(max(work / (self._vo2max - RESTING_VO2), 0.0), HRR_CEILING)
        return self._rest + hrr * (self._max - self._rest)

    @property
    def true_bpm(self) -> float:
        """The model's current heart rate, without noise and ignoring force_bpm()."""
        return self._hr

    # -- test hooks --------------------------------------------------------------------

    def force_bpm(self, bpm: int | None) -> None:
        """Report exactly this (no noise) until cleared with None; the model runs on."""
        self._forced = bpm

    def remove_contact(self, now: float) -> None:
        self.advance(now)
        self._contact = False
        self._rr.clear()

    def restore_contact(self, now: float) -> None:
        self.advance(now)
        self._contact = True

    def drop_link(self, now: float) -> None:
        self.advance(now)
        if self._dropped:
            return
        if self._connected and not self._closed:
            self._link(LinkState.LOST, self._now(now))
        self._dropped = True
        self._ticker.stop()

    def restore_link(self, now: float) -> None:
        self.advance(now)
        if not self._dropped:
            return
        self._dropped = False
        self._rr.clear()  # beats during the outage were never sent
        if self._connected and not self._closed:
            t = self._now(now)
            self._ticker.resume(t)
            self._link(LinkState.CONNECTED, t)

    # -- internals ---------------------------------------------------------------------

    @property
    def _link_up(self) -> bool:
        return self._connected and not self._dropped and not self._closed

    def _now(self, now: float) -> float:
        return now if self._t is None else max(now, self._t)

    def _evolve(self, t: float, target: float) -> None:
        # First-order response solved exactly, so the step size does not matter.
        assert self._t is not None
        dt = t - self._t
        if dt <= 0:
            return
        tau = HR_TAU_RISING_S if target > self._hr else HR_TAU_FALLING_S
        self._hr = target + (self._hr - target) * math.exp(-dt / tau)
        self._t = t

    def _beat_interval(self) -> float:
        """Seconds to the next beat at the current rate, in whole RR units, so the RR
        intervals reported are exactly the spacing of the simulated beats."""
        bpm = float(self._forced) if self._forced is not None else self._hr
        ticks = max(1, round(60.0 / max(bpm, 1.0) / RR_RESOLUTION_S))
        return ticks * RR_RESOLUTION_S

    def _beat(self, t: float) -> None:
        if self._last_beat is not None and self._contact and self._link_up:
            self._rr.append(t - self._last_beat)
        self._last_beat = t
        self._next_beat = t + self._beat_interval()

    def _notify(self, t: float) -> None:
        rr = tuple(round(x / RR_RESOLUTION_S) * RR_RESOLUTION_S for x in self._rr)
        self._rr.clear()
        if self._listener is None:
            return
        if not self._contact:
            self._listener.on_heart_rate(HeartRateData(t, None, contact=False))
            return
        if self._forced is not None:
            bpm = self._forced
        else:
            bpm = max(0, round(self._hr + self._rng.gauss(0.0, HR_NOISE_SD_BPM)))
        self._listener.on_heart_rate(HeartRateData(t, bpm, contact=True, rr_s=rr))

    def _link(self, state: LinkState, t: float) -> None:
        if self._listener is not None:
            self._listener.on_link_state(Role.HRM, state, t)
