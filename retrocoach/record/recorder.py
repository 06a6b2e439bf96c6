"""The recorder: a station's listener that keeps the session, in memory and in the store.

Everything is kept in memory as it comes (the finished summary and the exports read
it), and handed to a `SessionWriter` for the disk. If the store cannot be opened or
written (a full disk, a read-only folder), `on_problem` is told once, in words for
the person, and the session goes on in memory; when it ends, saving it whole is tried
once more (space may have been freed meanwhile).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retrocoach.coach.events import Event, Sample, SessionEnd, SessionStart, UserAction, UserEvent
from retrocoach.record.schema import StoreError
from retrocoach.record.session import (
    RecordedSession,
    SampleRecord,
    SessionState,
    build_session,
)
from retrocoach.record.store import SessionHeader, SessionStore, SessionWriter, summary_of, utc_now
from retrocoach.workouts.fileformat import dump_workout
from retrocoach.workouts.model import Workout

log = logging.getLogger(__name__)


class SessionRecorder:
    """Records one session; the store gets it from the person's start on (with what
    came before it), so a session opened and never started leaves nothing behind."""

    def __init__(
        self,
        workout: Workout,
        store_path: Path | None,
        *,
        on_problem: Callable[[str], None] | None = None,
        wall_clock: Callable[[], datetime.datetime] = utc_now,
    ) -> None:
        """`store_path` None records in memory only (a person's choice, e.g. a test run)."""
        self.workout = workout
        self.store_path = store_path
        self.on_problem = on_problem
        self._wall_clock = wall_clock
        self.header: SessionHeader | None = None
        self.samples: list[SampleRecord] = []
        self.events: list[dict[str, Any]] = []
        self.writer: SessionWriter | None = None
        self.problem: str | None = None
        self.saved_id: int | None = None  # the store's id, once the session is saved whole
        self.ended = False
        self._closed = False

    @property
    def session_id(self) -> int | None:
        if self.saved_id is not None:
            return self.saved_id
        return self.writer.session_id if self.writer is not None else None

    def __call__(self, event: Event) -> None:
        record = event.record()
        if isinstance(event, SessionStart):
            self._begin(event)
        elif (
            isinstance(event, UserEvent)
            and event.action is UserAction.START
            and self.writer is None
            and self.store_path is not None
            and self.header is not None
        ):
            self._start_writing()
        if isinstance(event, Sample):
            sample = SampleRecord.of(record)
            self.samples.append(sample)
            if self.writer is not None:
                self.writer.sample(sample)
        else:
            self.events.append(record)
            if self.writer is not None:
                self.writer.event(record)
        if isinstance(event, SessionEnd):
            self._end()
        self._check()

    def _begin(self, event: SessionStart) -> None:
        self.header = SessionHeader(
            started_at=self._wall_clock(),
            workout_name=self.workout.name,
            workout_title=self.workout.title,
            workout_toml=dump_workout(self.workout),
            profile=dict(event.record()["profile"]),
            treadmill=event.treadmill,
            hrm=event.hrm,
        )

    def _start_writing(self) -> None:
        """On the person's start: a session never started is not worth keeping."""
        assert self.header is not None and self.store_path is not None
        writer = SessionWriter(self.store_path, self.header)
        for record in self.events:
            writer.event(record)
        for sample in self.samples:
            writer.sample(sample)
        self.writer = writer

    def _end(self) -> None:
        self.ended = True
        if self.writer is not None:
            self.writer.finish()

    def _check(self) -> None:
        if self.problem is None and self.writer is not None and self.writer.problem:
            self._tell(self.writer.problem)

    def _tell(self, problem: str) -> None:
        self.problem = problem
        log.warning("session not saved: %s", problem)
        if self.on_problem is not None:
            self.on_problem(problem)

    def close(self) -> None:
        """Finish writing (waits for the disk). If writing failed, try once to save the
        whole session; `problem` then says whether it is on disk or only in memory.
        Closing again does nothing."""
        if self.writer is None or self._closed:
            return
        self._closed = True
        self.writer.close()
        self._check()
        if self.writer.problem is None or self.header is None or self.store_path is None:
            return
        try:
            with SessionStore(self.store_path) as store:
                if self.writer.session_id is not None:
                    # The part written before the failure (still marked as recording:
                    # its writer stopped without finishing it).
                    store.delete(self.writer.session_id, writer_stopped=True)
                self.saved_id = store.save_whole(self.session(), self.header)
        except (StoreError, OSError) as exc:
            log.warning("saving the session again failed: %s", exc)
            return
        self.problem = None
        log.info("session saved whole after a write failure, id %s", self.saved_id)

    def session(self) -> RecordedSession:
        """The session as recorded so far, from memory."""
        if self.header is None:
            raise RuntimeError("no session has started")
        built = build_session(self.events, self.samples)
        state = SessionState.FINISHED if self.ended else SessionState.RECORDING
        return RecordedSession(
            summary=summary_of(self.session_id or 0, self.header, built, state),
            workout_toml=self.header.workout_toml,
            profile=self.header.profile,
            treadmill=self.header.treadmill,
            hrm=self.header.hrm,
            samples=tuple(self.samples),
            laps=built.laps,
            gaps=built.gaps,
            events=tuple(self.events),
        )
