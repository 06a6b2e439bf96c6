"""One guided session for the room: a station per member, one workout, one clock.

Each station is what a session at home is (a treadmill, a strap, a runner's profile and
an engine, driven by its own `SessionRunner` and recorded by its own `SessionRecorder`),
so one station's link loss, fault or end touches no other. What the room shares is the
clock (simulated stations keep step, and their cues coincide), the workout, the coach's
actions (on every station at once or on one) and the loudspeaker (`RoomAnnouncer`: a
turn-around is heard once, not once per belt).

An emergency stop is sent to every station, each in its own try: a station whose stop
raised must not keep the next belt moving.
"""

from __future__ import annotations

import datetime
import functools
import logging
import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from retrocoach.coach.engine import EngineState, Snapshot
from retrocoach.coach.events import DeviceEvent, Event, Phase, SessionEnd
from retrocoach.coach.plan import PlanError
from retrocoach.devices.ports import Role
from retrocoach.gui.device_hub import DeviceHub, DeviceKind
from retrocoach.gui.session_runner import ScaledClock, SessionClock, SessionRunner
from retrocoach.record.recorder import SessionRecorder
from retrocoach.workouts.model import TimeEnd, Workout
from retrocoach.workouts.profile import RunnerProfile

log = logging.getLogger(__name__)

# The longest a station at turn speed waits for the rest of the room before turning.
ROOM_TURN_WAIT_S = 10.0

BAD_LINK_STATES = frozenset({"reconnecting", "lost", "stale"})
DEVICE_WORDS = {"treadmill": "Treadmill", "hrm": "Strap"}
LINK_WORDS = {"reconnecting": "reconnecting", "lost": "lost", "stale": "silent"}

EventSink = Callable[[Event], None]
# A room-wide sink for a station's events (the announcer's), by station number.
RoomSink = Callable[[int], EventSink]


class GymError(Exception):
    """The guided session cannot be set up; `problems` says which station and why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class GymMember:
    """A station as the coach set it up: who runs on which devices."""

    number: int  # 1.. as the coach and the room see them
    profile: RunnerProfile
    hub: DeviceHub


@dataclass
class GymStation:
    number: int
    profile: RunnerProfile
    hub: DeviceHub
    runner: SessionRunner
    recorder: SessionRecorder
    links: dict[str, str] = field(default_factory=dict)  # role -> last link state
    end: SessionEnd | None = None
    saved: bool | None = None  # kept in the store, once ended

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def has_strap(self) -> bool:
        return self.hub.status(Role.HRM).kind is not DeviceKind.NONE

    @property
    def state(self) -> EngineState:
        return self.runner.station.engine.state

    @property
    def started(self) -> bool:
        return self.state is not EngineState.IDLE

    @property
    def active(self) -> bool:
        """Started and not over: the belt may be moving."""
        return self.state not in (EngineState.IDLE, EngineState.FINISHED)

    def snapshot(self) -> Snapshot:
        return self.runner.snapshot()

    def device_problem(self) -> str:
        """What the tile warns of: a device lost, reconnecting or silent."""
        if self.end is not None:
            return ""
        bad = [
            f"{DEVICE_WORDS.get(role, role)} {LINK_WORDS[state]}"
            for role, state in self.links.items()
            if state in BAD_LINK_STATES
        ]
        if not bad:
            return ""
        return " · ".join(bad) + " — reconnecting"


class GymSession(QObject):
    changed = Signal(int)  # something happened at this station (an event)
    refreshed = Signal(int)  # time moved on at this station: a moment to redraw
    station_ended = Signal(int, object)  # (number, SessionEnd)
    all_ended = Signal()
    recording_failed = Signal(int, str)  # (number, why)

    def __init__(
        self,
        workout: Workout,
        members: Sequence[GymMember],
        *,
        store_path: Path | None,
        room_sink: RoomSink | None = None,
        speedup: float = 1.0,
        clock: SessionClock | None = None,
        parent: QObject | None = None,
    ) -> None:
        """Build every station on its devices, ready to start; GymError (nothing kept)
        if a member cannot run this workout safely on their treadmill, or a station has
        no usable treadmill."""
        super().__init__(parent)
        if not members:
            raise GymError(["No stations: add at least one member."])
        self.workout = workout
        # One clock for every simulated station, so their moments coincide.
        self.clock: SessionClock = clock or ScaledClock(speedup)
        self.stations: list[GymStation] = []
        self._ended_all = False
        problems: list[str] = []
        for member in members:
            where = f"Station {member.number} ({member.profile.name})"
            if not member.hub.ready:
                problems.append(f"{where}: its treadmill is not connected yet")
        if problems:
            raise GymError(problems)
        for member in members:
            try:
                self.stations.append(self._build(member, store_path, room_sink))
            except PlanError as exc:
                problems.append(
                    f"Station {member.number} ({member.profile.name}): " + "; ".join(exc.problems)
                )
        if problems:
            self.close()
            raise GymError(problems)

    def _build(
        self, member: GymMember, store_path: Path | None, room_sink: RoomSink | None
    ) -> GymStation:
        number = member.number
        # Through a weak reference: the recorder lives on a writer thread's schedule, and
        # a cycle through this QObject could otherwise be collected on that thread.
        me = weakref.ref(self)

        def tell(why: str) -> None:
            session = me()
            if session is not None:
                session.recording_failed.emit(number, why)

        recorder = SessionRecorder(self.workout, store_path, on_problem=tell)
        sinks: list[EventSink] = []
        if room_sink is not None:
            sinks.append(room_sink(number))  # the loudspeaker first: heard before drawn
        sinks.append(recorder)
        shared = self.clock
        member.hub.simulated_clock = lambda _speedup: shared
        try:
            station, clock = member.hub.make_station(self.workout, member.profile, sinks=sinks)
        except Exception:
            member.hub.release_station()
            recorder.close()
            raise
        station.engine.turn_gate = functools.partial(_room_may_turn, me, number)
        runner = SessionRunner(station, clock, self)
        built = GymStation(number, member.profile, member.hub, runner, recorder)
        runner.happened.connect(lambda event: self._happened(built, event))
        runner.refreshed.connect(lambda: self.refreshed.emit(number))
        runner.ended.connect(lambda end: self._ended(built, end))
        return built

    # ------------------------------------------------------------------ life

    def begin(self) -> None:
        """Connect the devices and start keeping time (nothing moves until a start)."""
        for station in self.stations:
            station.runner.begin()
            station.hub.announce_links()

    def station(self, number: int) -> GymStation:
        for station in self.stations:
            if station.number == number:
                return station
        raise KeyError(number)

    @property
    def active(self) -> bool:
        """Some belt may be moving."""
        return any(s.active for s in self.stations)

    @property
    def started(self) -> bool:
        return any(s.started for s in self.stations)

    @property
    def finished(self) -> bool:
        return all(s.end is not None for s in self.stations)

    def close(self) -> None:
        """Put the session away: time stops, recordings are kept, devices released
        (Bluetooth ones stay connected to their stations' hubs)."""
        for station in self.stations:
            station.runner.station.engine.turn_gate = None
            station.runner.halt()
            for signal in (station.runner.happened, station.runner.refreshed, station.runner.ended):
                signal.disconnect()  # nothing of the room is reached through it any more
            station.recorder.close()
            station.hub.locked = False
            station.hub.simulated_clock = ScaledClock
            station.hub.release_station()
            station.runner.deleteLater()
        self.stations = []

    # ------------------------------------------------------ the coach's actions

    def start_all(self) -> None:
        """The coach's start: every station not yet started starts now (rule 6: a
        person's start, in this session)."""
        self._each(lambda s: s.runner.start(), lambda s: s.state is EngineState.IDLE)

    def pause_all(self) -> None:
        self._each(
            lambda s: s.runner.pause(),
            lambda s: s.state in (EngineState.RUNNING, EngineState.WAITING),
        )

    def resume_all(self) -> None:
        self._each(lambda s: s.runner.resume(), lambda s: s.state is EngineState.PAUSED)

    def stop_all(self) -> None:
        """End the session gently: each belt slows and stops."""
        self._each(lambda s: s.runner.stop(), lambda s: s.active)

    def emergency_stop_all(self) -> None:
        """Rule 4 for the room: a stop to every belt at once."""
        self._each(_emergency_stop, lambda s: s.started)

    def start(self, number: int) -> None:
        station = self.station(number)
        if station.state is EngineState.IDLE:
            station.runner.start()

    def pause(self, number: int) -> None:
        station = self.station(number)
        if station.state in (EngineState.RUNNING, EngineState.WAITING):
            station.runner.pause()

    def resume(self, number: int) -> None:
        station = self.station(number)
        if station.state is EngineState.PAUSED:
            station.runner.resume()

    def toggle_pause(self, number: int) -> None:
        if self.station(number).state is EngineState.PAUSED:
            self.resume(number)
        else:
            self.pause(number)

    def emergency_stop(self, number: int) -> None:
        station = self.station(number)
        if station.started:
            _emergency_stop(station)

    def _each(
        self, action: Callable[[GymStation], None], applies: Callable[[GymStation], bool]
    ) -> None:
        for station in list(self.stations):
            try:
                if applies(station):
                    action(station)
            except Exception:
                # One station's failure must not keep the next one's belt as it is.
                log.exception("station %d: the coach's action failed", station.number)

    # ---------------------------------------------------------------- exports

    def export(self, number: int, path: Path) -> None:
        """One member's session to FIT, TCX or CSV (ExportError if it cannot be)."""
        from retrocoach.record.export import export_session

        export_session(self.station(number).recorder.session(), path)

    def export_all(self, folder: Path, suffix: str = ".fit") -> list[Path]:
        """Every started member's session, one file each in `folder`, named by the date,
        the workout and the member; the files written (ExportError stops at the first
        that cannot be)."""
        written = []
        taken: set[str] = set()
        for station in self.stations:
            if station.recorder.header is None:
                continue  # never started: nothing to export
            base = export_file_name(
                station.recorder.session().summary.started_at, self.workout.title, station.name
            )
            name, n = base, 2
            while name.casefold() in taken:  # two members of one name
                name, n = f"{base} ({n})", n + 1
            taken.add(name.casefold())
            path = folder / f"{name}{suffix}"
            self.export(station.number, path)
            written.append(path)
        return written

    # -------------------------------------------------------------- internals

    def may_turn(self, number: int, into: int, t: float) -> bool:
        """The room turns together: a station at turn speed before the turn into segment
        `into` waits for the stations about to reach the same turn-around, so all turn
        (and hear "turn around") at once and time-based workouts stay in step. It never
        waits for a station paused, stopped or far behind, nor longer than
        ROOM_TURN_WAIT_S, nor after a distance segment (each member's own distance)."""
        engine = self.station(number).runner.station.engine
        if into <= 0 or not isinstance(engine.segments[into - 1].end, TimeEnd):
            return True
        if engine.gate_since is not None and t - engine.gate_since >= ROOM_TURN_WAIT_S:
            return True
        for other in self.stations:
            if other.number == number or other.state is not EngineState.RUNNING:
                continue
            theirs = other.runner.station.engine
            if theirs.index == into and theirs.phase is Phase.SLOW_DOWN:
                if not theirs.waiting_at_gate:
                    return False  # slowing down for this same turn-around
            elif theirs.index == into - 1 and theirs.segment_active:
                left = theirs.snapshot(t).remaining_s
                if left is not None and left <= ROOM_TURN_WAIT_S:
                    return False  # about to end the segment before it
        return True

    def _happened(self, station: GymStation, event: Event) -> None:
        if isinstance(event, DeviceEvent):
            station.links[event.role] = event.state
        self.changed.emit(station.number)

    def _ended(self, station: GymStation, end: SessionEnd) -> None:
        station.end = end
        station.recorder.close()
        recorder = station.recorder
        station.saved = recorder.problem is None and recorder.session_id is not None
        self.station_ended.emit(station.number, end)
        if self.finished and not self._ended_all:
            self._ended_all = True
            self.all_ended.emit()


def _room_may_turn(room: weakref.ref[GymSession], number: int, into: int, t: float) -> bool:
    # Through a weak reference: the engine must not keep the room (a QObject) alive.
    session = room()
    return session is None or session.may_turn(number, into, t)


def _emergency_stop(station: GymStation) -> None:
    if station.runner.engine_finished:
        # Over, but a stop may never have been confirmed: send one straight to the belt.
        station.runner.stop_belt()
    else:
        station.runner.emergency_stop()


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def export_file_name(started_at: datetime.datetime, workout: str, member: str) -> str:
    """ "2026-11-21 18-30 Backward hills - Anna": sorts by date, safe on every system."""
    when = started_at.astimezone().strftime("%Y-%m-%d %H-%M")
    text = f"{when} {workout} - {member}"
    return _UNSAFE.sub("-", text).strip(" .")
