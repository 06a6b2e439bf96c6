"""A recorded session as data: what the store keeps, and what history and exports read.

`build_session` turns a session's events (the event log's objects) and samples into
laps, device gaps and totals. The recorder, the store's recovery of an interrupted
session and the schema migrations all use it, so a session reads the same whichever
way it was closed. No Qt and no SQLite here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from retrocoach.workouts.errors import WorkoutFileError
from retrocoach.workouts.fileformat import loads_workout
from retrocoach.workouts.model import Workout, format_duration


class SessionState(StrEnum):
    RECORDING = "recording"  # being written now (or its writer died: see recovery)
    FINISHED = "finished"  # ended by the engine (completed, stopped, emergency stop, fault)
    INTERRUPTED = "interrupted"  # the app died mid-session; closed on the next start


class LapKind(StrEnum):
    SEGMENT = "segment"  # one step of the workout
    TURN = "turn"  # the slow-down and turn between two segments of different direction
    STOP = "stop"  # the belt slowing to a stand after the last segment (or a stop mid-turn)


@dataclass(frozen=True, slots=True)
class SampleRecord:
    """One second of a session, as the engine sampled it."""

    t: float
    speed_kmh: float
    incline_pct: float
    distance_m: float
    hr_bpm: int | None
    direction: str
    segment: int
    rr_ms: tuple[int, ...] = ()

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> SampleRecord:
        """From the event log's `sample` object."""
        hr = record.get("hr_bpm")
        return cls(
            t=float(record["t"]),
            speed_kmh=float(record["speed_kmh"]),
            incline_pct=float(record["incline_pct"]),
            distance_m=float(record["distance_m"]),
            hr_bpm=int(hr) if hr is not None else None,
            direction=str(record["direction"]),
            segment=int(record["segment"]),
            rr_ms=tuple(int(x) for x in record.get("rr_ms") or ()),
        )


@dataclass(frozen=True, slots=True)
class Lap:
    """A stretch of the session: one segment of the workout, or a turn-around."""

    kind: LapKind
    segment: int  # the segment it is (or, for a turn, leads into)
    label: str
    direction: str  # backward / forward: for a turn, the direction turned to
    gait: str
    target_speed_kmh: float | None
    incline_pct: float
    start_t: float
    end_t: float
    start_distance_m: float
    end_distance_m: float
    elapsed_s: float  # time in the lap, pauses left out where the engine said so
    end_reason: str  # completed, skipped, stopped (the session ended in it), turned
    avg_hr: float | None
    max_hr: int | None
    max_speed_kmh: float
    avg_incline_pct: float

    @property
    def distance_m(self) -> float:
        return max(self.end_distance_m - self.start_distance_m, 0.0)

    @property
    def name(self) -> str:
        """What the lap is called in exports: the direction first, then the step."""
        if self.kind is LapKind.TURN:
            return f"Turn around to {self.direction}"
        if self.kind is LapKind.STOP:
            return f"Stopping ({self.direction})"
        if self.label.lower().startswith(self.direction):
            return self.label
        return f"{self.direction.capitalize()}: {self.label}"

    @property
    def avg_speed_kmh(self) -> float:
        return self.distance_m / self.elapsed_s * 3.6 if self.elapsed_s > 0 else 0.0


@dataclass(frozen=True, slots=True)
class DeviceGap:
    """A time a device was not delivering: from lost/reconnecting/stale to connected."""

    role: str
    start_t: float
    end_t: float | None  # None: it never came back in this session
    state: str  # what it went to first: lost, reconnecting or stale


@dataclass(frozen=True, slots=True)
class Totals:
    duration_s: float
    distance_m: float
    backward_time_s: float
    backward_distance_m: float
    avg_hr: float | None
    max_hr: int | None


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One line of the history: what a session was, without its samples."""

    id: int
    started_at: datetime.datetime  # wall clock (UTC) at t = 0
    workout_name: str
    workout_title: str
    state: SessionState
    end_reason: str | None  # as session_end says, or "interrupted"
    totals: Totals
    runner: str = ""  # the profile's name: who ran it (gym mode keeps several members')

    @property
    def local_start(self) -> datetime.datetime:
        return self.started_at.astimezone()

    def describe(self) -> str:
        t = self.totals
        return (
            f"{self.local_start:%Y-%m-%d %H:%M}  {self.workout_title}: "
            f"{format_duration(t.duration_s)}, {t.distance_m / 1000:.2f} km"
        )


@dataclass(frozen=True)
class RecordedSession:
    summary: SessionSummary
    workout_toml: str | None  # the workout as it was run
    profile: dict[str, Any]  # the runner's profile as it was (session_start's object)
    treadmill: str
    hrm: str | None
    samples: tuple[SampleRecord, ...]
    laps: tuple[Lap, ...]
    gaps: tuple[DeviceGap, ...]
    events: tuple[dict[str, Any], ...] = field(repr=False)  # every other event, in order

    @property
    def id(self) -> int:
        return self.summary.id

    def workout(self) -> Workout | None:
        """The workout as it was run, if it was kept and still reads."""
        if not self.workout_toml:
            return None
        try:
            return loads_workout(self.workout_toml, f"session {self.id}")
        except WorkoutFileError:
            return None


@dataclass(frozen=True)
class Built:
    laps: tuple[Lap, ...]
    gaps: tuple[DeviceGap, ...]
    totals: Totals
    end_reason: str | None  # None when the session has no session_end


GAP_STATES = frozenset({"lost", "reconnecting", "stale"})


def build_session(events: Iterable[Mapping[str, Any]], samples: Sequence[SampleRecord]) -> Built:
    """Laps, device gaps and totals from a session's events (without samples) and its
    samples, both in time order. Works on an interrupted session as well: the lap in
    progress ends at the last sample."""
    starts: dict[int, Mapping[str, Any]] = {}
    ends: dict[int, Mapping[str, Any]] = {}
    order: list[int] = []
    gaps: list[DeviceGap] = []
    open_gaps: dict[str, int] = {}
    session_end: Mapping[str, Any] | None = None
    started_t: float | None = None  # the person's start, from which the engine counts
    for event in events:
        kind = event.get("event")
        if kind == "user" and event.get("action") == "start" and started_t is None:
            started_t = float(event["t"])
        elif kind == "segment_start":
            index = int(event["index"])
            if index not in starts:
                order.append(index)
            starts[index] = event
        elif kind == "segment_end":
            ends[int(event["index"])] = event
        elif kind == "device":
            _track_gap(event, gaps, open_gaps)
        elif kind == "session_end":
            session_end = event
    last_t = samples[-1].t if samples else 0.0
    end_t = float(session_end["t"]) if session_end is not None else last_t
    laps = _laps(order, starts, ends, samples, end_t)
    if started_t is None:
        started_t = laps[0].start_t if laps else end_t
    totals = _totals(laps, samples, session_end, started_t, end_t)
    return Built(
        laps=tuple(laps),
        gaps=tuple(gaps),
        totals=totals,
        end_reason=str(session_end["reason"]) if session_end is not None else None,
    )


def _track_gap(event: Mapping[str, Any], gaps: list[DeviceGap], open_gaps: dict[str, int]) -> None:
    role, state, t = str(event["role"]), str(event["state"]), float(event["t"])
    if state in GAP_STATES and role not in open_gaps:
        open_gaps[role] = len(gaps)
        gaps.append(DeviceGap(role, t, None, state))
    elif state == "connected" and role in open_gaps:
        i = open_gaps.pop(role)
        gap = gaps[i]
        gaps[i] = DeviceGap(gap.role, gap.start_t, t, gap.state)


def _laps(
    order: list[int],
    starts: Mapping[int, Mapping[str, Any]],
    ends: Mapping[int, Mapping[str, Any]],
    samples: Sequence[SampleRecord],
    session_end_t: float,
) -> list[Lap]:
    laps: list[Lap] = []
    for n, index in enumerate(order):
        start = starts[index]
        start_t = float(start["t"])
        end = ends.get(index)
        next_start_t = float(starts[order[n + 1]]["t"]) if n + 1 < len(order) else None
        if end is not None:
            end_t = float(end["t"])
            reason = str(end["reason"])
        else:
            end_t = next_start_t if next_start_t is not None else max(session_end_t, start_t)
            reason = "stopped"
        # The turn-around before this segment (its own lap, so laps cover the session).
        if laps and start_t > laps[-1].end_t and laps[-1].direction != str(start["direction"]):
            laps.append(
                _lap(
                    LapKind.TURN, index, "Turn-around", str(start["direction"]), "walk", None,
                    float(start["incline_pct"]), laps[-1].end_t, start_t, None, "turned", samples,
                )
            )  # fmt: skip
        elapsed = float(end["elapsed_s"]) if end is not None else None
        laps.append(
            _lap(
                LapKind.SEGMENT, index, str(start["label"]), str(start["direction"]),
                str(start["gait"]), float(start["target_speed_kmh"]), float(start["incline_pct"]),
                start_t, end_t, elapsed, reason, samples,
            )
        )  # fmt: skip
    # The belt slowing to a stand after the last segment: its own lap, so the laps'
    # distances add up to the session's.
    if laps and session_end_t - laps[-1].end_t >= 1.0:
        last = laps[-1]
        laps.append(
            _lap(
                LapKind.STOP, last.segment, "Stopping", last.direction, last.gait, None,
                last.incline_pct, last.end_t, session_end_t, None, "stopped", samples,
            )
        )  # fmt: skip
    return laps


def _lap(
    kind: LapKind,
    segment: int,
    label: str,
    direction: str,
    gait: str,
    target: float | None,
    incline: float,
    start_t: float,
    end_t: float,
    elapsed: float | None,
    reason: str,
    samples: Sequence[SampleRecord],
) -> Lap:
    inside = _between(samples, start_t, end_t)
    hrs = [s.hr_bpm for s in inside if s.hr_bpm is not None]
    return Lap(
        kind=kind,
        segment=segment,
        label=label,
        direction=direction,
        gait=gait,
        target_speed_kmh=target,
        incline_pct=incline,
        start_t=start_t,
        end_t=end_t,
        start_distance_m=distance_at(samples, start_t),
        end_distance_m=distance_at(samples, end_t),
        elapsed_s=elapsed if elapsed is not None else max(end_t - start_t, 0.0),
        end_reason=reason,
        avg_hr=round(sum(hrs) / len(hrs), 1) if hrs else None,
        max_hr=max(hrs) if hrs else None,
        max_speed_kmh=max((s.speed_kmh for s in inside), default=0.0),
        avg_incline_pct=(
            round(sum(s.incline_pct for s in inside) / len(inside), 1) if inside else incline
        ),
    )


def _between(samples: Sequence[SampleRecord], start_t: float, end_t: float) -> list[SampleRecord]:
    """The samples taken in (start_t, end_t]: each sample describes the second before it."""
    lo = _first_after(samples, start_t)
    hi = _first_after(samples, end_t)
    return list(samples[lo:hi])


def _first_after(samples: Sequence[SampleRecord], t: float) -> int:
    lo, hi = 0, len(samples)
    while lo < hi:
        mid = (lo + hi) // 2
        if samples[mid].t <= t:
            lo = mid + 1
        else:
            hi = mid
    return lo


def distance_at(samples: Sequence[SampleRecord], t: float) -> float:
    """The belt distance at `t`, between the samples around it (metres)."""
    if not samples:
        return 0.0
    i = _first_after(samples, t)
    if i == 0:
        first = samples[0]
        return first.distance_m * max(t, 0.0) / first.t if first.t > 0 else first.distance_m
    if i == len(samples):
        return samples[-1].distance_m
    a, b = samples[i - 1], samples[i]
    share = (t - a.t) / (b.t - a.t) if b.t > a.t else 1.0
    return a.distance_m + (b.distance_m - a.distance_m) * share


def _totals(
    laps: Sequence[Lap],
    samples: Sequence[SampleRecord],
    session_end: Mapping[str, Any] | None,
    run_from: float,
    end_t: float,
) -> Totals:
    # Heart rate over the run itself: from the person's start to the end.
    hrs = [s.hr_bpm for s in _between(samples, run_from, end_t) if s.hr_bpm is not None]
    avg_hr = round(sum(hrs) / len(hrs), 1) if hrs else None
    max_hr = max(hrs) if hrs else None
    if session_end is not None:
        return Totals(
            duration_s=float(session_end["duration_s"]),
            distance_m=float(session_end["distance_m"]),
            backward_time_s=float(session_end["backward_time_s"]),
            backward_distance_m=float(session_end["backward_distance_m"]),
            avg_hr=avg_hr,
            max_hr=max_hr,
        )
    # Interrupted: the engine's own rules, from what was kept (its segments' time and
    # distance; the session's time from the person's start, as session_end counts it).
    backward = [lap for lap in laps if lap.kind is LapKind.SEGMENT and lap.direction == "backward"]
    return Totals(
        duration_s=max(end_t - run_from, 0.0),
        distance_m=samples[-1].distance_m if samples else 0.0,
        backward_time_s=sum(lap.elapsed_s for lap in backward),
        backward_distance_m=sum(lap.distance_m for lap in backward),
        avg_hr=avg_hr,
        max_hr=max_hr,
    )
