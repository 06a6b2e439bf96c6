"""The session engine: a state machine that runs a workout and keeps the runner safe.

It is pure: readings, machine status, command results and the person's actions come in
as method calls with their time; commands, cues, phases and everything else go out as
events (`drain()`). Time moves only through `advance(now)`; nothing here sleeps or
reads a clock, so a 60-minute session runs in virtual time in milliseconds, and every
cue time is computed from the plan, not polled. `next_deadline()` says when the engine
next has something to do, so a runner can sleep (or jump) exactly until then.

Flow: idle -> countdown -> segments, with a turn-around (slow down, hold, countdown)
between segments of different direction -> finishing (belt stopping) -> finished.
The safety rules of DESIGN.md are enforced here; `coach.audit` checks them on the log.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from retrocoach.coach import cues
from retrocoach.coach.cues import CueId
from retrocoach.coach.events import (
    Command,
    CommandResult,
    Cue,
    DeviceEvent,
    EndReason,
    Event,
    MachineStatusEvent,
    Phase,
    PhaseChange,
    SafetyEvent,
    Sample,
    SegmentEnd,
    SegmentStart,
    SessionEnd,
    SessionStart,
    Source,
    UserAction,
    UserEvent,
)
from retrocoach.coach.plan import Segment, SpeedLimits, build_plan, turn_speed_kmh
from retrocoach.coach.speech import Beep, file_name
from retrocoach.workouts.model import Direction, TimeEnd, Workout
from retrocoach.workouts.profile import RunnerProfile

EPS = 1e-6
BELT_STILL_KMH = 0.01  # a belt reading this or less stands still


class _Default:
    """A cue's beep as the catalogue has it (None means no beep)."""


_DEFAULT = _Default()


class EngineState(StrEnum):
    IDLE = "idle"  # before the person's start
    WAITING = "waiting"  # started, waiting for heart rate before the belt moves
    RUNNING = "running"
    PAUSED = "paused"
    FINISHING = "finishing"  # stop sent, waiting for the belt to stand still
    FINISHED = "finished"


class MachineEvent(StrEnum):
    """What the treadmill says happened (FTMS machine status), as the engine needs it."""

    STOPPED_BY_USER = "stopped_by_user"
    PAUSED_BY_USER = "paused_by_user"
    STOPPED_BY_SAFETY_KEY = "stopped_by_safety_key"
    STARTED_BY_USER = "started_by_user"
    TARGET_SPEED_CHANGED = "target_speed_changed"
    TARGET_INCLINE_CHANGED = "target_incline_changed"
    CONTROL_LOST = "control_lost"
    RESET = "reset"
    OTHER = "other"


@dataclass(frozen=True)
class EngineConfig:
    countdown_s: float = 5.0  # rule 1 asks for at least 3 s
    announce_s: float = 10.0  # the next segment is announced this long before it
    belt_tolerance_kmh: float = 0.05  # the belt's reporting resolution
    hr_ceiling_hold_s: float = 10.0  # rule 5: above the ceiling this long -> slow down
    hr_step_interval_s: float = 20.0  # then wait this long (heart rate lags) per step
    hr_step_kmh: float = 0.5
    hr_release_margin_bpm: int = 5  # increases allowed again this far below the ceiling
    hr_stale_s: float = 5.0  # no valid heart rate this long -> missing
    user_speed_step_kmh: float = 0.5
    finish_timeout_s: float = 30.0
    belt_stopped_grace_s: float = 5.0
    slow_down_reminder_s: float = 20.0
    halfway_min_s: float = 120.0
    last_minute_min_s: float = 180.0
    sample_interval_s: float = 1.0
    echo_window_s: float = 3.0
    turn_gate_poll_s: float = 0.25  # held at turn speed by a gate: asked again this often


@dataclass(frozen=True)
class Snapshot:
    """What a screen or a console line shows right now."""

    state: EngineState
    phase: Phase | None
    segment: Segment | None  # the one being run, or being led into
    segment_active: bool
    next_segment: Segment | None
    facing: Direction
    remaining_s: float | None
    remaining_m: float | None
    target_kmh: float
    belt_kmh: float
    incline_pct: float
    hr_bpm: int | None
    elapsed_s: float
    distance_m: float


@dataclass
class _Point:
    """A moment in a segment, as time left (or fraction left) before its end."""

    what: str  # "halfway", "last_minute", "announce", "countdown", "end"
    remaining_s: float | None = None
    remaining_fraction: float | None = None


class CoachEngine:
    def __init__(
        self,
        workout: Workout,
        profile: RunnerProfile,
        limits: SpeedLimits,
        *,
        t0: float,
        treadmill: str = "treadmill",
        hrm: str | None = None,
        config: EngineConfig | None = None,
    ) -> None:
        self.workout = workout
        self.profile = profile
        self.limits = limits
        self.config = config or EngineConfig()
        self.segments = build_plan(workout, profile, limits)
        self.turn_kmh = turn_speed_kmh(profile, limits)
        self.uses_heart_rate = hrm is not None
        self._units = profile.units
        self._t0 = t0
        self._now = t0
        self._events: list[Event] = []

        self.state = EngineState.IDLE
        self.phase: Phase | None = None
        # Asked (segment it leads into, now) once the belt is at turn speed before a
        # turn-around: False holds the belt there (gym mode turns the room together).
        self.turn_gate: Callable[[int, float], bool] | None = None
        self.gate_since: float | None = None  # held by the gate since then
        self.index = 0  # the segment being run, or being led into
        self.segment_active = False
        self.facing = self.segments[0].direction
        self._start_t: float | None = None

        # Commanded values (what the coach last asked for) and measured ones.
        self._target = 0.0
        self._incline = 0.0
        self._belt_kmh = 0.0
        self._belt_incline = 0.0
        self._belt_t: float | None = None
        self._belt_started = False  # a start was sent and no pause or stop since
        self._ever_started = False  # the belt has been started in this session
        self._belt_seen_moving = False
        self._belt_zero_since: float | None = None
        self._raw_distance: float | None = None
        self._odometer = 0.0
        self._distance_floor = 0.0
        self._distance_base = 0.0

        # The running segment.
        self._seg_elapsed = 0.0
        self._seg_clock_from: float | None = None  # None while the clock is stopped
        self._seg_distance0 = 0.0
        self._points: list[_Point] = []
        self._override_kmh: float | None = None  # rule 7: the runner's own speed
        self._pending_increase = False  # an increase held back by rule 5
        self._skip_pending = False
        self._turn_into: int | None = None  # turning around toward this segment
        self._transition_countdown = False  # countdown into the next segment running
        self._ramp_then: Callable[[float], None] | None = None
        self._ramp_goal = 0.0

        # Heart rate.
        self._hr_bpm: int | None = None
        self._hr_valid_t: float | None = None
        self._hr_missing = self.uses_heart_rate  # until the first reading
        self._hr_link_ok = True
        self._hr_high_since: float | None = None
        self._hr_next_step_t: float | None = None
        self._hr_limit: float | None = None
        self._hr_warned_minimum = False

        # Echoes: a treadmill reports our own commands back as status changes.
        self._recent: list[tuple[str, float | None, float]] = []
        # Commands are checked: a set_speed counts once the treadmill confirmed it; a
        # command lost or refused is sent again (with backoff) while it is still wanted.
        self._speed_in_flight = 0
        self._speed_confirmed_t: float | None = None
        self._retries: dict[str, int] = {}
        self._control_asked_t: float | None = None
        self._stop_sent_t: float | None = None  # the latest stop or pause
        # Coaching paused because another app took control: no coaching command (nor a
        # pause) is sent until a person resumes; a stop still is (stopping is safe).
        self._other_app = False
        self._still_since: float | None = None

        # Totals.
        self._backward_s = 0.0
        self._backward_m = 0.0
        self._end_reason: EndReason | None = None
        self._stop_confirmed_t: float | None = None
        self._finish_deadline: float | None = None  # give up waiting for a still belt
        self._finish_speed = 0.0

        # Timers: (time, order, generation, action); a pause or a new phase bumps the
        # generation, which cancels every timer of the old one.
        self._timers: list[tuple[float, int, int, Callable[[float], None]]] = []
        self._order = itertools.count()
        self._gen = 0
        self._next_sample_t = t0 + self.config.sample_interval_s
        self._rr_ms: list[int] = []  # since the last sample

        self._emit(
            SessionStart(
                0.0,
                workout=workout.name,
                profile=profile.as_dict(),
                treadmill=treadmill,
                hrm=hrm,
            )
        )

    def set_limits(self, limits: SpeedLimits) -> None:
        """The machine's real ranges, read once it is connected: plans again (before the
        start only). PlanError if this runner cannot use this machine safely."""
        if self.state is not EngineState.IDLE:
            raise RuntimeError("the plan is fixed once the session has started")
        segments = build_plan(self.workout, self.profile, limits)
        self.limits = limits
        self.segments = segments
        self.turn_kmh = turn_speed_kmh(self.profile, limits)
        self.facing = segments[0].direction

    # ----------------------------------------------------------------- outputs

    def drain(self) -> list[Event]:
        events, self._events = self._events, []
        return events

    @property
    def finished(self) -> bool:
        return self.state is EngineState.FINISHED

    @property
    def now(self) -> float:
        """The engine's time: the latest it has been advanced or told anything at."""
        return self._now

    @property
    def end_reason(self) -> EndReason | None:
        return self._end_reason

    def snapshot(self, now: float) -> Snapshot:
        seg = self.segments[self.index] if self.index < len(self.segments) else None
        nxt_index = self.index + 1 if self.segment_active else self.index
        if self._turn_into is not None:
            nxt_index = self._turn_into
        nxt = (
            self.segments[nxt_index]
            if self.segment_active and nxt_index < len(self.segments)
            else None
        )
        remaining_s = remaining_m = None
        if self.segment_active and seg is not None:
            if isinstance(seg.end, TimeEnd):
                remaining_s = max(seg.end.seconds - self._seg_elapsed_at(now), 0.0)
            else:
                remaining_m = max(seg.end.metres - self._seg_covered(now), 0.0)
                remaining_s = self._remaining_s(now)
        return Snapshot(
            state=self.state,
            phase=self.phase,
            segment=seg,
            segment_active=self.segment_active,
            next_segment=nxt,
            facing=self.facing,
            remaining_s=remaining_s,
            remaining_m=remaining_m,
            target_kmh=self._target,
            belt_kmh=self._belt_kmh,
            incline_pct=self._belt_incline,
            hr_bpm=self._hr_now(now),
            elapsed_s=(now - self._start_t) if self._start_t is not None else 0.0,
            distance_m=self._session_distance(now),
        )

    # ------------------------------------------------------ the person's actions

    def start(self, now: float) -> None:
        now = self._catch_up(now)
        if self.state is not EngineState.IDLE:
            return
        self._user(now, UserAction.START)
        self._start_t = now
        self._distance_base = self._distance(now)
        self._command(now, "request_control", None, Source.COACH)
        if self.uses_heart_rate and self._hr_missing:
            self.state = EngineState.WAITING
            self._cue(now, CueId.WAITING_FOR_HEART_RATE)
            return
        self._begin_first_countdown(now)

    def pause(self, now: float) -> None:
        now = self._catch_up(now)
        if self.state not in (EngineState.RUNNING, EngineState.WAITING):
            return
        self._user(now, UserAction.PAUSE)
        self._command(now, "pause", None, Source.USER)
        self._hold_still(now, CueId.PAUSED)

    def resume(self, now: float) -> None:
        now = self._catch_up(now)
        if self.state is not EngineState.PAUSED:
            return
        self._user(now, UserAction.RESUME)
        # Taking control (back) is the person's call: a resume asks for it.
        self._other_app = False
        self._command(now, "request_control", None, Source.COACH)
        if self.uses_heart_rate and self._hr_missing:
            # Rule 5: no heart rate, no belt start (a start is an increase from zero).
            self.state = EngineState.WAITING
            self._cue(now, CueId.WAITING_FOR_HEART_RATE)
            return
        self._resume(now, send_start=True)

    def skip(self, now: float) -> None:
        now = self._catch_up(now)
        if self.state is not EngineState.RUNNING:
            return
        self._user(now, UserAction.SKIP)
        if not self.segment_active:
            # Mid turn-around: finish it safely, then skip what it leads into.
            self._skip_pending = True
            return
        self._transition_countdown = False
        self._bump()
        self._end_segment(now, "skipped")
        self._after_segment(now)

    def stop(self, now: float) -> None:
        now = self._catch_up(now)
        if self.state in (EngineState.FINISHING, EngineState.FINISHED):
            return
        self._user(now, UserAction.STOP)
        self._finish(now, EndReason.STOPPED)

    def emergency_stop(self, now: float) -> None:
        """Rule 4: stop at once, from any state (again if already finishing)."""
        # Nothing overdue (a countdown's start or ramp) may go out before the stop.
        if self.state is not EngineState.FINISHING:
            self._bump()
        now = self._catch_up(now)
        if self.state is EngineState.FINISHED:
            return
        self._user(now, UserAction.EMERGENCY_STOP)
        if self.state is EngineState.FINISHING:
            self._command(now, "stop", None, Source.USER)
            self._end_reason = EndReason.EMERGENCY_STOP
            return
        self._finish(now, EndReason.EMERGENCY_STOP)

    def speed_up(self, now: float) -> None:
        self._user_speed(now, UserAction.SPEED_UP, +self.config.user_speed_step_kmh)

    def speed_down(self, now: float) -> None:
        self._user_speed(now, UserAction.SPEED_DOWN, -self.config.user_speed_step_kmh)

    def _user_speed(self, now: float, action: UserAction, delta: float) -> None:
        now = self._catch_up(now)
        if self.state is not EngineState.RUNNING:
            return
        self._user(now, action)
        if not self.segment_active:
            return  # a turn-around keeps its own speeds (rule 2)
        seg = self.segments[self.index]
        new = self.limits.clamp_speed(self._target + delta, self.profile.cap_kmh(seg.direction))
        if abs(new - self._target) < EPS:
            return
        self._override_kmh = new
        self._pending_increase = False
        self._command(now, "set_speed", new, Source.USER)

    # ------------------------------------------------------------------ inputs

    def on_belt(
        self,
        t: float,
        speed_kmh: float | None,
        incline_pct: float | None = None,
        distance_m: float | None = None,
    ) -> None:
        """A treadmill data record, with the time it was received."""
        # What fell due before this reading happens first, with the reading before it;
        # what falls due at this very moment happens after the reading is taken in.
        t = max(t, self._now)
        self._advance(t, inclusive=False)
        if self.state is EngineState.FINISHED:
            return
        previous_t = self._belt_t
        if distance_m is not None:
            if self._raw_distance is not None:
                delta = distance_m - self._raw_distance
                # A machine that restarts its count after a stop: take it from zero.
                self._odometer += distance_m if delta < -0.5 else max(delta, 0.0)
            self._raw_distance = distance_m
        elif previous_t is not None:
            self._odometer += self._belt_kmh / 3.6 * max(t - previous_t, 0.0)
        if speed_kmh is not None:
            self._belt_kmh = speed_kmh
        if incline_pct is not None:
            self._belt_incline = incline_pct
        self._belt_t = t
        self._react_to_belt(t)
        self.advance(t)

    def on_heart_rate(self, t: float, bpm: int | None, rr_s: Sequence[float] = ()) -> None:
        t = self._catch_up(t)
        if self.state is EngineState.FINISHED:
            return
        if bpm is None or bpm <= 0:
            return  # no skin contact: the reading is not a heart rate (nor its RR)
        # Beat-to-beat intervals go out with the next sample (heart-rate variability
        # tools want every one of them, not a per-second summary).
        self._rr_ms.extend(round(rr * 1000) for rr in rr_s if 0 < rr < 3)
        self._hr_bpm = bpm
        self._hr_valid_t = t
        if self._hr_missing and self._hr_link_ok:
            self._hr_missing = False
            if self.state in (EngineState.RUNNING, EngineState.PAUSED):
                self._cue(t, CueId.HR_BACK)
                self._safety(t, 5, "heart_rate_back", f"heart rate {bpm} bpm")
        if bpm > self.profile.hr_ceiling:
            if self._hr_high_since is None:
                self._hr_high_since = t
                self._hr_next_step_t = t + self.config.hr_ceiling_hold_s
        elif bpm <= self.profile.hr_ceiling - self.config.hr_release_margin_bpm:
            self._hr_high_since = None
            self._hr_next_step_t = None
            self._hr_warned_minimum = False
        if self.state is EngineState.WAITING and not self._hr_missing:
            if self._ever_started:
                self._resume(t, send_start=True)
            else:
                self._begin_first_countdown(t)
        self._release_hold(t)

    def on_machine_status(
        self, t: float, kind: MachineEvent, code: int, name: str, value: float | None
    ) -> None:
        t = self._catch_up(t)
        if self.state is EngineState.FINISHED:
            return  # the log ends with session_end
        self._emit(MachineStatusEvent(self._rel(t), code=code, status=name, value=value))
        if kind is MachineEvent.TARGET_SPEED_CHANGED and value is not None:
            if not self._is_echo("set_speed", value, t):
                self._console_speed(t, value)
        elif kind is MachineEvent.TARGET_INCLINE_CHANGED and value is not None:
            if not self._is_echo("set_incline", value, t):
                self._incline = value
                if self.state is EngineState.RUNNING:
                    self._safety(t, 7, "adopt", f"incline set to {value:g} % on the treadmill")
        elif kind in (MachineEvent.STOPPED_BY_USER, MachineEvent.PAUSED_BY_USER):
            op = "stop" if kind is MachineEvent.STOPPED_BY_USER else "pause"
            if not (self._is_echo("stop", None, t) or self._is_echo("pause", None, t)):
                self._stopped_by_machine(
                    t, CueId.STOPPED_ON_CONSOLE, f"{op} pressed on the treadmill"
                )
        elif kind is MachineEvent.STOPPED_BY_SAFETY_KEY:
            self._stopped_by_machine(t, CueId.SAFETY_KEY, "safety key pulled")
        elif kind is MachineEvent.STARTED_BY_USER:
            if not self._is_echo("start", None, t) and self.state is EngineState.PAUSED:
                # The person started the belt on the console: their start, their
                # choice (rule 7); the coach goes on from here without a start of its own.
                self._safety(t, 7, "adopt", "belt started on the treadmill: resuming")
                self._resume(t, send_start=False)
        elif kind is MachineEvent.CONTROL_LOST and self.state is not EngineState.FINISHING:
            asked = self._control_asked_t
            if asked is not None and t - asked <= self.config.echo_window_s:
                # Our own request just took control from another app: a machine's
                # status goes to every app, so this "lost" is that app's, not ours.
                return
            self._control_taken(t)
        elif kind in (MachineEvent.CONTROL_LOST, MachineEvent.RESET):
            # A reset, or control lost while stopping: the belt must still be stopped.
            if kind is MachineEvent.RESET:
                self._target = 0.0
            if self.state is not EngineState.IDLE:
                self._ask_for_control(t)

    def on_command_result(self, t: float, op: str, result: str) -> None:
        t = self._catch_up(t)
        if self.state is EngineState.FINISHED:
            return
        self._emit(CommandResult(self._rel(t), op=op, result=result))
        if op == "set_speed":
            self._speed_in_flight = max(self._speed_in_flight - 1, 0)
        if result == "success":
            self._retries.pop(op, None)
            if op == "set_speed" and self._speed_in_flight == 0:
                self._speed_confirmed_t = t
            if op == "stop" and self.state is EngineState.FINISHING:
                self._stop_confirmed_t = t
            return
        if op == "start":
            if self.state is EngineState.RUNNING:
                self._hold_still(t, CueId.START_FAILED)
                self._safety(t, 6, "paused", f"start refused by the treadmill ({result})")
            return  # never retried: a start needs a person (rule 6)
        if self._other_app and op != "stop":
            return  # refused because another app has control: not ours to fight over
        if result == "not_permitted" and op != "request_control":
            self._ask_for_control(t)
        self._retry_later(t, op)

    def _control_taken(self, t: float) -> None:
        """Another app took control of the treadmill (FTMS "control permission lost"):
        coaching pauses, without a command; fighting for control would be worse. The
        person takes it back by resuming."""
        if self.state not in (EngineState.RUNNING, EngineState.WAITING):
            return  # paused or stopping already: those keep asking (stopping is safe)
        self._hold_still(t, CueId.CONTROL_TAKEN)
        self._other_app = True
        self._safety(
            t,
            7,
            "control_lost",
            "another app took control of the treadmill; resume here to take it back",
        )

    def _ask_for_control(self, t: float) -> None:
        if self._control_asked_t is None or t - self._control_asked_t >= 1.0:
            self._command(t, "request_control", None, Source.COACH)

    def _retry_later(self, t: float, op: str) -> None:
        """Send `op` again after a backoff, if by then it is still wanted."""
        attempt = self._retries.get(op, 0) + 1
        self._retries[op] = attempt
        delay = min(0.5 * 2 ** (attempt - 1), 8.0)
        self._at(t + delay, functools.partial(self._retry, op), keep=True)

    def _retry(self, op: str, t: float) -> None:
        if self.state in (EngineState.IDLE, EngineState.FINISHED):
            return
        if self._other_app and op != "stop":
            return  # another app has the treadmill until the person resumes
        if op in ("stop", "pause"):
            if self.state is EngineState.FINISHING:
                self._command(t, "stop", None, Source.SAFETY)
            elif self.state in (EngineState.PAUSED, EngineState.WAITING):
                self._command(t, "pause", None, Source.SAFETY)
        elif op == "set_speed" and self.state is EngineState.RUNNING and self._target > 0:
            self._command(t, "set_speed", self._target, Source.SAFETY)
        elif op == "set_incline" and self.state is EngineState.RUNNING:
            self._command(t, "set_incline", self._incline, Source.SAFETY)
        elif op == "request_control":
            self._command(t, "request_control", None, Source.COACH)

    def _reassert(self, t: float) -> None:
        """After a reconnect: control again, and what the belt should be doing now. Never
        a start (rule 6): a belt found standing while the session runs pauses it."""
        if self._other_app and self.state is not EngineState.FINISHING:
            return  # another app had the treadmill; the person decides on resume
        self._command(t, "request_control", None, Source.COACH)
        if self.state is EngineState.FINISHING:
            self._command(t, "stop", None, Source.SAFETY)
            self._finish_deadline = t + self.config.finish_timeout_s
        elif self.state in (EngineState.PAUSED, EngineState.WAITING) and self._ever_started:
            self._command(t, "pause", None, Source.SAFETY)
        elif self.state is EngineState.RUNNING and self._target > 0:
            self._command(t, "set_speed", self._target, Source.SAFETY)

    def on_device(self, t: float, role: str, state: str) -> None:
        t = self._catch_up(t)
        if self.state is EngineState.FINISHED:
            return
        self._emit(DeviceEvent(self._rel(t), role=role, state=state))
        active = self.state not in (EngineState.IDLE, EngineState.FINISHED)
        if role == "hrm":
            ok = state == "connected"
            if not ok and self._hr_link_ok:
                self._hr_link_ok = False
                self._heart_rate_missing(t, f"strap {state}")
                if active and state in ("lost", "reconnecting"):
                    self._cue(t, CueId.DEVICE_LOST, cues.device_lost(role))
            elif ok and not self._hr_link_ok:
                self._hr_link_ok = True
                if active:
                    self._cue(t, CueId.DEVICE_BACK, cues.device_back(role))
            return
        if state in ("lost", "reconnecting") and active:
            self._cue(t, CueId.DEVICE_LOST, cues.device_lost(role))
        elif state == "connected" and active and self._start_t is not None:
            self._cue(t, CueId.DEVICE_BACK, cues.device_back(role))
            self._reassert(t)

    # -------------------------------------------------------------------- time

    def advance(self, now: float) -> None:
        """Do everything that falls due up to `now`, each at its own time."""
        self._advance(now, inclusive=True)

    def _advance(self, now: float, *, inclusive: bool) -> None:
        now = max(now, self._now)
        limit = now + EPS if inclusive else now - EPS
        while True:
            due = self._due_before(limit)
            if due is None:
                break
            self._now = max(self._now, due[0])
            due[1](due[0])
        self._now = now

    def _catch_up(self, t: float) -> float:
        """An input at `t`: everything due by then happens first; never before now."""
        t = max(t, self._now)
        self.advance(t)
        return t

    def next_deadline(self) -> float | None:
        candidates = [self._next_sample_t] if self.state is not EngineState.FINISHED else []
        while self._timers and self._timers[0][2] != self._gen and self._timers[0][2] >= 0:
            heapq.heappop(self._timers)
        if self._timers:
            candidates.append(self._timers[0][0])
        for when in (self._segment_point_due(self._now), self._hr_deadline()):
            if when is not None:
                candidates.append(when[0])
        if self._finish_deadline is not None and self.state is EngineState.FINISHING:
            candidates.append(self._finish_deadline)
        return min(candidates) if candidates else None

    def _due_before(self, limit: float) -> tuple[float, Callable[[float], None]] | None:
        """The earliest thing due at or before `limit`, if any."""
        now = limit
        best: tuple[float, Callable[[float], None]] | None = None
        if self.state is not EngineState.FINISHED and self._next_sample_t <= now:
            best = (self._next_sample_t, self._sample)
        while self._timers and self._timers[0][2] != self._gen and self._timers[0][2] >= 0:
            heapq.heappop(self._timers)
        if self._timers and self._timers[0][0] <= now:
            when = self._timers[0][0]
            if best is None or when < best[0]:
                best = (when, self._pop_timer)
        for due in (self._segment_point_due(now), self._hr_deadline(), self._finish_due()):
            if due is not None and due[0] <= now and (best is None or due[0] < best[0]):
                best = due
        return best

    def _finish_due(self) -> tuple[float, Callable[[float], None]] | None:
        if self.state is not EngineState.FINISHING or self._finish_deadline is None:
            return None
        return self._finish_deadline, self._finish_timed_out

    def _finish_timed_out(self, t: float) -> None:
        self._safety(
            t,
            4,
            "stop_unconfirmed",
            f"the belt did not report standing still within {self.config.finish_timeout_s:g} s "
            f"(last {self._belt_kmh:.2f} km/h)",
        )
        if self._belt_kmh > 0.5:
            self._end_reason = EndReason.FAULT  # the session could not be ended safely
        self._end_session(t)

    def _pop_timer(self, when: float) -> None:
        _, _, _, action = heapq.heappop(self._timers)
        action(when)

    def _at(self, when: float, action: Callable[[float], None], *, keep: bool = False) -> None:
        """Run `action` at `when`; unless `keep`, a pause or a new phase cancels it."""
        gen = -1 if keep else self._gen
        heapq.heappush(self._timers, (when, next(self._order), gen, action))

    def _bump(self) -> None:
        self._gen += 1

    # ------------------------------------------------------------ the session

    def _begin_first_countdown(self, now: float) -> None:
        self.state = EngineState.RUNNING
        seg = self.segments[0]
        self._countdown(now, 0, CueId.GET_READY, cues.get_ready(seg, self._units), self._first_go)

    def _first_go(self, t: float) -> None:
        self._begin_segment(0, t, counted_down=True)

    def _countdown(
        self,
        now: float,
        segment: int,
        cue: CueId,
        said: cues.Said,
        then: Callable[[float], None],
    ) -> None:
        """Rule 1: announce, then three-two-one, with "one" on the change itself."""
        change = now + self.config.countdown_s
        self._set_phase(now, Phase.COUNTDOWN, segment, until=change)
        self._cue(now, cue, said)
        for ahead, tick in zip(cues.COUNTDOWN_AHEAD_S, cues.COUNTDOWN_TICKS, strict=True):
            self._at(change - ahead, functools.partial(self._tick, tick))
        self._at(change, then)

    def _tick(self, tick: CueId, t: float) -> None:
        self._cue(t, tick)

    def _start_belt(
        self, t: float, speed: float, then: Callable[[float], None] | None = None
    ) -> None:
        """Start the belt and set its speed at once: a machine may otherwise resume at
        whatever target it kept from before a pause."""
        self._command(t, "start", None, Source.COACH)
        self._belt_started = self._ever_started = True
        self._belt_seen_moving = False
        self._belt_zero_since = None
        self._target = 0.0
        self._ramp(t, speed, then)

    def _gentle(self, seg: Segment) -> float:
        """A speed to come back at when an increase is held: at most the turn speed."""
        want = self._effective_target(seg)
        cap = self.profile.cap_kmh(seg.direction)
        return self.limits.clamp_speed(min(want, self.turn_kmh), cap)

    def _begin_segment(self, index: int, t: float, *, counted_down: bool) -> None:
        """Start a segment and set the belt toward its speed (a ramp only if
        `counted_down`), unless a pending skip ends it at once."""
        if self._start_segment(index, t, counted_down=counted_down):
            self._enter_segment_speed(t, counted_down=counted_down)

    def _start_segment(self, index: int, t: float, *, counted_down: bool) -> bool:
        """False if a skip pressed during the turn-around ended it at once (and what
        follows it has been set going)."""
        seg = self.segments[index]
        self.index = index
        self.segment_active = True
        self._turn_into = None
        self._transition_countdown = False
        self.facing = seg.direction
        self._seg_elapsed = 0.0
        self._seg_clock_from = t
        self._seg_distance0 = self._distance(t)
        self._override_kmh = None
        self._pending_increase = False
        self._points = self._segment_points(seg)
        if self._hr_limit is not None and not self._hr_high_now():
            self._hr_limit = None
        self._emit(
            SegmentStart(
                self._rel(t),
                index=index,
                label=seg.label,
                direction=seg.direction.value,
                gait=seg.gait.value,
                target_speed_kmh=seg.target_kmh,
                incline_pct=seg.incline_pct,
                end=seg.end_record,
            )
        )
        # Counted down, the change had its "go"; otherwise a beep marks it.
        beep = None if counted_down else Beep.SEGMENT_END
        self._cue(t, CueId.SEGMENT, cues.segment_start(seg, self._units), beep=beep)
        if seg.note:
            self._cue(t, CueId.NOTE, cues.note(seg.note))
        if abs(seg.incline_pct - self._incline) > EPS:
            self._command(t, "set_incline", seg.incline_pct, Source.COACH)
        if self._skip_pending:
            self._skip_pending = False
            self._end_segment(t, "skipped")
            self._after_segment(t)
            return False
        return True

    def _segment_points(self, seg: Segment) -> list[_Point]:
        points = [_Point("end", remaining_s=0.0)]
        total = self._planned_seconds(seg)
        if total >= self.config.halfway_min_s:
            points.append(_Point("halfway", remaining_fraction=0.5))
        if total >= self.config.last_minute_min_s:
            points.append(_Point("last_minute", remaining_s=60.0))
        if seg.index + 1 < len(self.segments):
            points.append(_Point("announce", remaining_s=self.config.announce_s))
            nxt = self.segments[seg.index + 1]
            if nxt.direction is seg.direction:
                points.append(_Point("countdown", remaining_s=self.config.countdown_s))
        return points

    def _planned_seconds(self, seg: Segment) -> float:
        if isinstance(seg.end, TimeEnd):
            return seg.end.seconds
        return seg.end.metres / (seg.target_kmh / 3.6)

    def _effective_target(self, seg: Segment) -> float:
        if self._override_kmh is not None and self.segment_active and seg.index == self.index:
            return self._override_kmh
        target = seg.target_kmh
        if self._hr_limit is not None:
            target = min(target, self._hr_limit)
        return target

    def _enter_segment_speed(self, t: float, *, counted_down: bool) -> None:
        """Set the belt toward the segment's speed: ramp only after a countdown."""
        seg = self.segments[self.index]
        want = self._effective_target(seg)
        if not self._belt_started:
            if not counted_down:  # never start a belt without a countdown (rule 1)
                self._countdown(
                    t,
                    self.index,
                    CueId.SPEEDING_UP,
                    cues.speeding_up(want, self._units),
                    lambda at: self._enter_segment_speed(at, counted_down=True),
                )
                return
            why = self._increase_blocked()
            first = want if why is None else self._gentle(seg)
            self._start_belt(t, first)
            if why is not None:
                self._pending_increase = True
                self._safety(t, 5, "hold", why)
                self._cue(t, CueId.HOLDING_SPEED, cues.holding(first, self._units, why))
            return
        if want > self._target + EPS:
            why = self._increase_blocked()
            if counted_down and why is None:
                self._ramp(t, want, None)
            else:
                self._hold(t, why or "no countdown yet")
        elif want < self._target - EPS:
            self._set_phase(t, Phase.SLOW_DOWN, self.index)
            self._cue(t, CueId.SLOWING_DOWN, cues.slowing_down(want, self._units))
            self._command(t, "set_speed", want, Source.COACH)
        else:
            self._set_phase(t, Phase.STEADY, self.index)

    def _ramp(self, t: float, goal: float, then: Callable[[float], None] | None) -> None:
        self._set_phase(
            t, Phase.RAMP, self._turn_into if self._turn_into is not None else self.index
        )
        self._ramp_goal = goal
        self._ramp_then = then
        self._command(t, "set_speed", goal, Source.COACH)
        # A machine that never quite reports the target must not stall the session.
        patience = abs(goal - self._belt_kmh) / 0.3 + 10.0
        self._at(t + patience, self._ramp_done)

    def _ramp_done(self, t: float) -> None:
        if self.phase is not Phase.RAMP:
            return
        then, self._ramp_then = self._ramp_then, None
        self._bump()
        if then is not None:
            then(t)
        else:
            self._set_phase(t, Phase.STEADY, self.index)

    def _hold(self, t: float, why: str) -> None:
        """Rule 5: keep the current speed; the increase waits for a heart rate."""
        self._pending_increase = True
        self._set_phase(t, Phase.STEADY, self.index)
        self._safety(t, 5, "hold", why)
        self._cue(t, CueId.HOLDING_SPEED, cues.holding(self._target, self._units, why))

    def _release_hold(self, t: float) -> None:
        if not (
            self._pending_increase
            and self.state is EngineState.RUNNING
            and self.segment_active
            and self.phase is Phase.STEADY
            and self._increase_blocked() is None
        ):
            return
        remaining = self._remaining_s(t)
        if remaining is not None and remaining < self.config.countdown_s + 1:
            return  # too late in this segment; the next change will count down itself
        self._pending_increase = False
        want = self._effective_target(self.segments[self.index])
        if want <= self._target + EPS:
            return
        self._countdown(
            t,
            self.index,
            CueId.SPEEDING_UP,
            cues.speeding_up(want, self._units),
            lambda at: self._enter_segment_speed(at, counted_down=True),
        )

    def _increase_blocked(self) -> str | None:
        if not self.uses_heart_rate:
            return None
        if self._hr_missing:
            return "no heart rate"
        if self._hr_high_now():
            return "heart rate above the ceiling"
        return None

    # -- the segment clock and its points

    def _seg_elapsed_at(self, now: float) -> float:
        if self._seg_clock_from is None:
            return self._seg_elapsed
        return self._seg_elapsed + (now - self._seg_clock_from)

    def _seg_covered(self, now: float) -> float:
        return self._distance(now) - self._seg_distance0

    def _remaining_s(self, now: float) -> float | None:
        """Time left in the running segment; for a distance, at the belt's speed now."""
        seg = self.segments[self.index]
        if isinstance(seg.end, TimeEnd):
            return seg.end.seconds - self._seg_elapsed_at(now)
        speed = self._belt_kmh / 3.6
        if speed < 0.05:
            return None  # not moving: no end in sight
        return (seg.end.metres - self._seg_covered(now)) / speed

    def _segment_point_due(self, now: float) -> tuple[float, Callable[[float], None]] | None:
        if not (
            self.state is EngineState.RUNNING
            and self.segment_active
            and self._seg_clock_from is not None
            and self._points
        ):
            return None
        remaining = self._remaining_s(now)
        if remaining is None:
            return None
        seg = self.segments[self.index]
        total = self._planned_seconds(seg)
        best: tuple[float, _Point] | None = None
        for point in self._points:
            if point.what == "end" and self._transition_countdown:
                continue  # the countdown's own timer ends the segment
            if point.remaining_fraction is not None:
                if isinstance(seg.end, TimeEnd):
                    at_remaining = point.remaining_fraction * total
                else:
                    left_m = seg.end.metres - self._seg_covered(now)
                    speed = max(self._belt_kmh / 3.6, 1e-3)
                    at_remaining = (
                        remaining - (left_m - point.remaining_fraction * seg.end.metres) / speed
                    )
            else:
                at_remaining = point.remaining_s or 0.0
            when = now + max(remaining - at_remaining, 0.0)
            if best is None or when < best[0]:
                best = (when, point)
        if best is None:
            return None
        chosen = best[1]
        return best[0], lambda t: self._fire_point(t, chosen)

    def _fire_point(self, t: float, point: _Point) -> None:
        if point in self._points:
            self._points.remove(point)
        seg = self.segments[self.index]
        if point.what == "halfway":
            self._cue(t, CueId.HALFWAY)
        elif point.what == "last_minute":
            self._cue(t, CueId.ONE_MINUTE_LEFT)
        elif point.what == "announce":
            nxt = self.segments[seg.index + 1]
            turn = nxt.direction is not seg.direction
            self._set_phase(t, Phase.ANNOUNCE, nxt.index)
            self._cue(t, CueId.NEXT, cues.next_segment(nxt, self._units, turn))
        elif point.what == "countdown":
            nxt = self.segments[seg.index + 1]
            want = self._effective_target(nxt)
            if want > self._target + EPS and self._increase_blocked() is None:
                self._transition_countdown = True
                self._countdown(
                    t,
                    nxt.index,
                    CueId.SPEEDING_UP,
                    cues.speeding_up(want, self._units),
                    self._countdown_into_next,
                )
        elif point.what == "end":
            self._end_segment(t, "completed")
            self._after_segment(t)

    def _countdown_into_next(self, t: float) -> None:
        if self.segment_active:
            self._end_segment(t, "completed")
        self._begin_segment(self.index + 1, t, counted_down=True)

    def _end_segment(self, t: float, reason: str) -> None:
        seg = self.segments[self.index]
        elapsed = self._seg_elapsed_at(t)
        covered = max(self._seg_covered(t), 0.0)
        if seg.direction is Direction.BACKWARD:
            self._backward_s += elapsed
            self._backward_m += covered
        self._emit(
            SegmentEnd(
                self._rel(t), index=seg.index, reason=reason, elapsed_s=elapsed, distance_m=covered
            )
        )
        self.segment_active = False
        self._seg_clock_from = None
        self._points = []
        self._override_kmh = None
        self._pending_increase = False

    def _after_segment(self, t: float) -> None:
        """What follows a segment that just ended (no countdown already leading on)."""
        nxt_index = self.index + 1
        if nxt_index >= len(self.segments):
            self._finish(t, EndReason.COMPLETED)
            return
        nxt = self.segments[nxt_index]
        if nxt.direction is not self.facing:
            self._begin_turn(t, nxt_index)
            return
        want = self._effective_target(nxt)
        if want > self._target + EPS and self._increase_blocked() is None:
            self.index = nxt_index
            self._countdown(
                t, nxt_index, CueId.SPEEDING_UP, cues.speeding_up(want, self._units), self._go_into
            )
        else:
            self._begin_segment(nxt_index, t, counted_down=False)

    def _go_into(self, t: float) -> None:
        self._begin_segment(self.index, t, counted_down=True)

    # -- turn-around (rule 2)

    def _begin_turn(self, t: float, into: int) -> None:
        self._turn_into = into
        self.index = into
        if self._target > self.turn_kmh + EPS or self._belt_kmh > self._turn_limit():
            self._set_phase(t, Phase.SLOW_DOWN, into)
            if self._target > self.turn_kmh + EPS:
                self._command(t, "set_speed", self.turn_kmh, Source.COACH)
            # The segment ends here: its beep, with the words.
            self._cue(
                t,
                CueId.SLOWING_DOWN,
                cues.slowing_down(self.turn_kmh, self._units),
                beep=Beep.SEGMENT_END,
            )
            self._at(t + self.config.slow_down_reminder_s, self._remind_slow_down)
        else:
            self._try_turn(t)

    def _speed_settled(self, t: float) -> bool:
        """The treadmill confirmed the last speed sent, and this reading came after."""
        return (
            self._speed_in_flight == 0
            and self._speed_confirmed_t is not None
            and t >= self._speed_confirmed_t
        ) or self._target <= 0

    def _back_to_turn_speed(self, t: float, why: str) -> None:
        """Rule 2 before rule 7: mid turn-around the belt goes back to the turn speed,
        and the turn is held again from there."""
        self._bump()
        self._set_phase(t, Phase.SLOW_DOWN, self.index)
        self._safety(t, 2, "wait", why)
        self._cue(
            t, CueId.WAITING_FOR_TURN_SPEED, cues.waiting_for_turn_speed(self.turn_kmh, self._units)
        )
        self._command(t, "set_speed", self.turn_kmh, Source.SAFETY)
        self._at(t + self.config.slow_down_reminder_s, self._remind_slow_down)

    def _turn_limit(self) -> float:
        return self.turn_kmh + self.config.belt_tolerance_kmh

    def _try_turn(self, t: float) -> None:
        """At turn speed: turn now, unless the gate (gym mode: the room turns together)
        says to hold; then the belt stays at turn speed and the gate is asked again."""
        assert self._turn_into is not None
        if self.turn_gate is None or self.turn_gate(self._turn_into, t):
            self.gate_since = None
            self._turn_hold(t)
            return
        if self.gate_since is None:
            if self.phase is not Phase.SLOW_DOWN:
                # Already slow enough (a walk below turn speed): held all the same.
                self._set_phase(t, Phase.SLOW_DOWN, self._turn_into)
            self.gate_since = t
            self._at(t + self.config.turn_gate_poll_s, self._ask_gate_again)

    def _ask_gate_again(self, t: float) -> None:
        if self.phase is not Phase.SLOW_DOWN or self._turn_into is None or self.gate_since is None:
            return
        if self._belt_kmh > self._turn_limit():  # the belt sped up: the belt decides again
            self.gate_since = None
            return
        if self.turn_gate is None or self.turn_gate(self._turn_into, t):
            self.gate_since = None
            self._turn_hold(t)
        else:
            self._at(t + self.config.turn_gate_poll_s, self._ask_gate_again)

    @property
    def waiting_at_gate(self) -> bool:
        """At turn speed, held by the gate before a turn-around."""
        return self.gate_since is not None and self.phase is Phase.SLOW_DOWN

    def _remind_slow_down(self, t: float) -> None:
        if self.phase is not Phase.SLOW_DOWN or self._turn_into is None:
            return
        if self.waiting_at_gate:
            # Already at turn speed, waiting for the room: nothing to ask of the runner.
            self._at(t + self.config.slow_down_reminder_s, self._remind_slow_down)
            return
        self._cue(
            t, CueId.WAITING_FOR_TURN_SPEED, cues.waiting_for_turn_speed(self.turn_kmh, self._units)
        )
        if self._target > self.turn_kmh + EPS or self._belt_kmh > self._turn_limit():
            # Send again what the belt should slow to; never more than it was asked for.
            goal = min(self.turn_kmh, self._target) if self._target > 0 else self.turn_kmh
            self._command(t, "set_speed", goal, Source.COACH)
        self._at(t + self.config.slow_down_reminder_s, self._remind_slow_down)

    def _turn_hold(self, t: float) -> None:
        assert self._turn_into is not None
        self._bump()
        into = self.segments[self._turn_into]
        self._set_phase(t, Phase.TURN, into.index)
        self._cue(t, CueId.TURN_AROUND, cues.turn_around(into, self._units))
        self._at(t + self.profile.turn_time_s, self._turn_done)

    def _turn_done(self, t: float) -> None:
        assert self._turn_into is not None
        into = self.segments[self._turn_into]
        want = self._effective_target(into)
        if want > self._target + EPS and self._increase_blocked() is None:
            self._countdown(
                t, into.index, CueId.SPEEDING_UP, cues.speeding_up(want, self._units), self._go_into
            )
        else:
            self._begin_segment(into.index, t, counted_down=False)

    # -- reacting to the belt

    def _react_to_belt(self, t: float) -> None:
        speed = self._belt_kmh
        tol = self.config.belt_tolerance_kmh
        if speed > tol:
            # Only motion after our own start counts: a belt slowing to a pause doesn't.
            self._belt_seen_moving = self._belt_started
            self._belt_zero_since = None
        elif self._belt_zero_since is None:
            self._belt_zero_since = t
        if self.state in (EngineState.PAUSED, EngineState.WAITING, EngineState.FINISHING):
            self._check_belt_stops(t, speed)
        if self.state is EngineState.FINISHING:
            if speed < self._finish_speed - tol:
                # Still slowing down: give it the whole timeout again from here.
                self._finish_speed = speed
                self._finish_deadline = t + self.config.finish_timeout_s
            self._maybe_finished(t)
            return
        if self.state is not EngineState.RUNNING:
            return
        if self.phase is Phase.RAMP and speed >= self._ramp_goal - tol:
            self._ramp_done(t)
        elif self.phase is Phase.SLOW_DOWN:
            if self._turn_into is not None and not self.segment_active:
                if speed <= self._turn_limit() and self._speed_settled(t):
                    self._try_turn(t)
            elif speed <= self._target + tol:
                self._set_phase(t, Phase.STEADY, self.index)
        elif self.phase is Phase.TURN and speed > self._turn_limit():
            self._back_to_turn_speed(t, f"belt at {speed:.1f} km/h during a turn-around")
        # The belt stopped under us (console, power, a reconnect): never restart it.
        if (
            self._belt_seen_moving
            and self._belt_zero_since is not None
            and t - self._belt_zero_since >= self.config.belt_stopped_grace_s
        ):
            self._stopped_by_machine(t, CueId.BELT_STOPPED, "the belt stopped")

    def _check_belt_stops(self, t: float, speed: float) -> None:
        """A belt still running well after a stop or pause was sent (a command lost on
        the way): send it again."""
        sent = self._stop_sent_t
        if speed <= 0.5 or sent is None or t - sent < self.config.belt_stopped_grace_s:
            return
        finishing = self.state is EngineState.FINISHING
        if not finishing and (not self._ever_started or self._other_app):
            return
        self._safety(
            t, 4 if finishing else 6, "stop_again", f"the belt still runs at {speed:.1f} km/h"
        )
        self._command(t, "stop" if finishing else "pause", None, Source.SAFETY)

    def _console_speed(self, t: float, value: float) -> None:
        """Rule 7: the runner set a speed on the console; adopt it, do not fight it."""
        self._target = value
        if self.state is not EngineState.RUNNING:
            return
        if not self.segment_active:
            if self._turn_into is not None and value > self._turn_limit():
                self._back_to_turn_speed(
                    t, f"speed set to {value:g} km/h on the treadmill during a turn-around"
                )
            return
        seg = self.segments[self.index]
        if self._transition_countdown:
            self._transition_countdown = False
            self._bump()
            self._set_phase(t, Phase.STEADY, self.index)
        elif self.phase in (Phase.RAMP, Phase.SLOW_DOWN, Phase.COUNTDOWN):
            self._bump()
            self._set_phase(t, Phase.STEADY, self.index)
        self._override_kmh = value
        self._pending_increase = False
        self._safety(t, 7, "adopt", f"speed set to {value:g} km/h on the treadmill")
        self._cue(t, CueId.CONSOLE_SPEED, cues.console_speed(value, self._units))
        cap = self.profile.cap_kmh(seg.direction)
        if value > cap + EPS:
            self._safety(
                t,
                3,
                "warn",
                f"{value:g} km/h is above the {seg.direction.value} cap of {cap:g} km/h",
            )
            self._cue(t, CueId.ABOVE_CAP, cues.above_cap(value, cap, self._units))

    def _stopped_by_machine(self, t: float, cue: CueId, why: str) -> None:
        if self.state not in (EngineState.RUNNING, EngineState.WAITING):
            return
        self._hold_still(t, cue)
        self._safety(t, 6, "paused", f"{why}; the belt restarts only when you resume")

    # -- pause, resume, finish

    def _hold_still(self, t: float, cue: CueId) -> None:
        """Paused: clocks stop, timers are cancelled, the belt is (being) stopped."""
        if self.segment_active and self._seg_clock_from is not None:
            self._seg_elapsed += t - self._seg_clock_from
            self._seg_clock_from = None
        self._bump()
        if self._transition_countdown:
            # The countdown into the next segment is gone: back in the segment.
            self._transition_countdown = False
        self.state = EngineState.PAUSED
        self.phase = None
        self._target = 0.0
        self._belt_started = self._belt_seen_moving = False  # a stopped belt is expected
        self._pending_increase = False
        self._cue(t, cue)

    def _resume(self, t: float, *, send_start: bool) -> None:
        self.state = EngineState.RUNNING
        segment = self._turn_into if self._turn_into is not None else self.index
        self._countdown(
            t,
            segment,
            CueId.RESUMING,
            cues.resuming(self.config.countdown_s),
            lambda at: self._resume_go(at, send_start),
        )

    def _resume_go(self, t: float, send_start: bool) -> None:
        if not send_start:
            # The runner started the belt on the console: it runs, at what they chose.
            self._belt_started = self._ever_started = True
            self._target = self._belt_kmh
        if self.segment_active:
            self._seg_clock_from = t
            self._enter_segment_speed(t, counted_down=True)
        elif self._turn_into is not None:
            # Paused mid turn-around: back to the turn speed, then the turn again once
            # the belt reads it (a belt still braking from a fast segment when the pause
            # came may be above it: rule 2 waits for it, as a slow-down does).
            into = self._turn_into

            def turn_again(at: float) -> None:
                self._begin_turn(at, into)

            if send_start:
                self._start_belt(t, self.turn_kmh, turn_again)
            else:
                self._ramp(t, self.turn_kmh, turn_again)
        elif self._start_t is not None and self.index == 0:
            self._begin_segment(0, t, counted_down=True)
        else:
            # Paused in the countdown between two segments of one direction.
            self._begin_segment(self.index, t, counted_down=True)

    def _finish(self, t: float, reason: EndReason) -> None:
        self._bump()
        if self.segment_active:
            self._end_segment(t, "completed" if reason is EndReason.COMPLETED else "stopped")
        source = Source.COACH if reason is EndReason.COMPLETED else Source.USER
        self._command(t, "stop", None, source)
        self._target = 0.0
        cue = {
            EndReason.COMPLETED: CueId.SESSION_COMPLETE,
            EndReason.STOPPED: CueId.SESSION_STOPPED,
            EndReason.EMERGENCY_STOP: CueId.EMERGENCY_STOP,
            EndReason.FAULT: CueId.SESSION_STOPPED,
        }[reason]
        self._cue(t, cue)
        self.state = EngineState.FINISHING
        self.phase = None
        self._end_reason = reason
        self._finish_deadline = t + self.config.finish_timeout_s
        self._finish_speed = self._belt_kmh
        self._maybe_finished(t)

    def _maybe_finished(self, t: float) -> None:
        if self.state is not EngineState.FINISHING or self._belt_t is None:
            return
        if self._belt_kmh > BELT_STILL_KMH:
            self._still_since = None
            return
        if self._still_since is None:
            self._still_since = self._belt_t
        # Only a reading taken after the stop was confirmed can say the belt stands; a
        # machine that never confirms (no control yet) is believed after a few seconds.
        confirmed = self._stop_confirmed_t is not None and self._belt_t >= self._stop_confirmed_t
        if confirmed or self._belt_t - self._still_since >= 3.0:
            self._end_session(t)

    def _end_session(self, t: float) -> None:
        if self.state is EngineState.FINISHED:
            return
        assert self._end_reason is not None
        self.state = EngineState.FINISHED
        duration = t - self._start_t if self._start_t is not None else 0.0
        self._emit(
            SessionEnd(
                self._rel(t),
                reason=self._end_reason,
                duration_s=duration,
                distance_m=self._reported_distance(t),
                backward_time_s=self._backward_s,
                backward_distance_m=self._backward_m,
            )
        )
        self._timers.clear()

    # -- heart rate (rule 5)

    def _hr_now(self, now: float) -> int | None:
        if self._hr_missing or self._hr_valid_t is None:
            return None
        return self._hr_bpm

    def _hr_high_now(self) -> bool:
        return not self._hr_missing and self._hr_bpm is not None and self._hr_high_since is not None

    def _hr_deadline(self) -> tuple[float, Callable[[float], None]] | None:
        if not self.uses_heart_rate or self.state is EngineState.FINISHED:
            return None
        best: tuple[float, Callable[[float], None]] | None = None
        if not self._hr_missing and self._hr_valid_t is not None:
            best = (self._hr_valid_t + self.config.hr_stale_s, self._hr_stale)
        step_t = self._hr_next_step_t
        running = self.state is EngineState.RUNNING
        if step_t is not None and running and (best is None or step_t < best[0]):
            best = (step_t, self._hr_step_down)
        return best

    def _hr_stale(self, t: float) -> None:
        self._heart_rate_missing(t, f"no heart rate for {self.config.hr_stale_s:g} s")

    def _heart_rate_missing(self, t: float, why: str) -> None:
        if self._hr_missing:
            return
        self._hr_missing = True
        self._hr_high_since = None
        self._hr_next_step_t = None
        if self.state in (EngineState.RUNNING, EngineState.PAUSED):
            self._safety(t, 5, "hold_increases", why)
            self._cue(t, CueId.HR_MISSING)

    def _hr_step_down(self, t: float) -> None:
        self._hr_next_step_t = t + self.config.hr_step_interval_s
        if not self.segment_active or self.phase in (Phase.COUNTDOWN, Phase.TURN):
            return  # turn-arounds are slow already; look again later
        seg = self.segments[self.index]
        lower = self.limits.clamp_speed(
            self._target - self.config.hr_step_kmh, self.profile.cap_kmh(seg.direction)
        )
        detail = f"heart rate {self._hr_bpm} above the ceiling of {self.profile.hr_ceiling}"
        if lower >= self._target - EPS:
            if not self._hr_warned_minimum:
                self._hr_warned_minimum = True
                self._safety(t, 5, "at_minimum", detail)
                self._cue(t, CueId.HR_HIGH_AT_MINIMUM, cues.hr_high_at_minimum())
            return
        self._hr_limit = lower
        if self._override_kmh is not None:
            self._override_kmh = lower
        self._pending_increase = False
        if self._transition_countdown:
            self._transition_countdown = False
            self._bump()
        self._set_phase(t, Phase.STEADY, self.index)
        self._safety(t, 5, "lower_speed", detail)
        self._cue(t, CueId.HR_HIGH, cues.hr_high(lower, self._units))
        self._command(t, "set_speed", lower, Source.SAFETY)

    # ---------------------------------------------------------------- plumbing

    def _sample(self, t: float) -> None:
        self._next_sample_t = t + self.config.sample_interval_s
        self._emit(
            Sample(
                self._rel(t),
                speed_kmh=round(self._belt_kmh, 2),
                incline_pct=round(self._belt_incline, 1),
                distance_m=round(self._reported_distance(t), 1),
                hr_bpm=self._hr_now(t),
                direction=self.facing.value,
                segment=self.index,
                rr_ms=self._rr_ms,
            )
        )
        self._rr_ms = []

    def _distance(self, now: float) -> float:
        """Belt distance now: the last reading carried forward at the belt's speed.

        Pure (deadlines are found by asking it about future moments); a new reading may
        put it a little behind what was carried forward."""
        extra = 0.0
        if self._belt_t is not None and now > self._belt_t:
            extra = self._belt_kmh / 3.6 * (now - self._belt_t)
        return self._odometer + extra

    def _session_distance(self, now: float) -> float:
        if self._start_t is None:
            return 0.0
        return max(self._distance(now) - self._distance_base, 0.0)

    def _reported_distance(self, now: float) -> float:
        """The session distance as the log shows it: never going back."""
        self._distance_floor = max(self._distance_floor, self._session_distance(now))
        return self._distance_floor

    def _is_echo(self, op: str, value: float | None, t: float) -> bool:
        window = self.config.echo_window_s
        self._recent = [r for r in self._recent if t - r[2] <= window]
        for sent_op, sent_value, _ in self._recent:
            if sent_op != op:
                continue
            if value is None or sent_value is None or abs(sent_value - value) <= 0.051:
                return True
        if op == "set_speed" and value is not None:
            return abs(value - self._target) <= 0.051
        if op == "set_incline" and value is not None:
            return abs(value - self._incline) <= 0.051
        return False

    def _command(self, t: float, op: str, value: float | None, source: Source) -> None:
        if op == "set_speed" and value is not None:
            self._target = value
            self._speed_in_flight += 1
        elif op == "set_incline" and value is not None:
            self._incline = value
        elif op in ("stop", "pause"):
            self._target = 0.0
            self._stop_sent_t = t
            self._still_since = None
        elif op == "request_control":
            self._control_asked_t = t
        self._recent.append((op, value, t))
        self._emit(Command(self._rel(t), op=op, value=value, source=source))

    def _set_phase(
        self, t: float, phase: Phase, segment: int, *, until: float | None = None
    ) -> None:
        self.phase = phase
        self.gate_since = None  # a new phase (a pause, a stop) leaves any gate behind
        ends = self._rel(until) if until is not None else None
        self._emit(PhaseChange(self._rel(t), phase=phase, segment=segment, until=ends))

    def _cue(
        self,
        t: float,
        cue: CueId,
        said: cues.Said | None = None,
        *,
        beep: Beep | _Default | None = _DEFAULT,
    ) -> None:
        words = said if said is not None else cues.FIXED[cue]
        sounds = cues.BEEPS.get(cue) if isinstance(beep, _Default) else beep
        speech_files = [file_name(stem) for stem in words.speech]
        beep_file = file_name(sounds) if sounds is not None else None
        first = beep_file or (speech_files[0] if speech_files else None)
        self._emit(
            Cue(
                self._rel(t),
                id=cue.value,
                text=words.text,
                sound=first,
                beep=beep_file,
                speech=speech_files,
            )
        )

    def _safety(self, t: float, rule: int, action: str, detail: str) -> None:
        self._emit(SafetyEvent(self._rel(t), rule=rule, action=action, detail=detail))

    def _user(self, t: float, action: UserAction) -> None:
        self._emit(UserEvent(self._rel(t), action=action))

    @property
    def time_zero(self) -> float:
        """The clock's time at the session's t = 0 (events' `t` count from it)."""
        return self._t0

    def _rel(self, t: float) -> float:
        return t - self._t0

    def _emit(self, event: Event) -> None:
        self._events.append(event)
