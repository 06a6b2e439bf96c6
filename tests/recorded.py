"""Recorded sessions for tests: whole simulated sessions run through the real recorder."""

from __future__ import annotations

import datetime
from pathlib import Path

from support import Action, run_until, start_session

from retrocoach.record.recorder import SessionRecorder
from retrocoach.record.session import RecordedSession
from retrocoach.workouts import library
from retrocoach.workouts.model import Workout
from retrocoach.workouts.profile import RunnerProfile

START = datetime.datetime(2026, 11, 2, 7, 30, tzinfo=datetime.UTC)


def record(
    workout: Workout | str = "back-forth-50",
    store_path: Path | None = None,
    *,
    profile: RunnerProfile | None = None,
    with_strap: bool = True,
    started_at: datetime.datetime = START,
    until: float | None = None,
    actions: dict[float, Action] | None = None,
) -> SessionRecorder:
    """Run a simulated session (to its end, or to virtual second `until`) with a
    recorder writing to `store_path` (None: memory only); the recorder is closed when
    the session ended."""
    if isinstance(workout, str):
        workout = library.get(workout)
    recorder = SessionRecorder(workout, store_path, wall_clock=lambda: started_at)
    session = start_session(workout, profile, with_strap=with_strap, start=False)
    # The recorder must see session_start, which the station made at its creation.
    for event in session.events:
        recorder(event)
    session.station.sinks.append(recorder)
    session.station.start(0.0)
    for when, action in sorted((actions or {}).items()):
        run_until(session, when)
        if session.station.finished:
            break
        action(session, when)
    run_until(session, until)
    if session.station.finished:
        recorder.close()
    return recorder


def recorded_session(workout: Workout | str = "back-forth-50", **kwargs: object) -> RecordedSession:
    """A whole session as the recorder keeps it in memory."""
    return record(workout, None, **kwargs).session()  # type: ignore[arg-type]
