"""A six-week beginner progression: three sessions a week, from the first 30-second
backward walks to backward jogs of five minutes.

Weeks 1–2 walk backwards only, in short bouts holding the rails; weeks 3–4 make the
walks longer and add the first very short backward jogs; weeks 5–6 grow the jogs toward
five minutes. Every session starts and ends with a forward walk, and the backward time
per week grows every week.

`schedule()` puts the sessions on calendar days, `next_session()` picks the first one
not done yet.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from retrocoach.workouts.model import (
    Direction,
    Gait,
    Item,
    RelativeSpeed,
    Repeat,
    Step,
    TimeEnd,
    Workout,
    format_duration,
)

__all__ = [
    "PROGRESSION",
    "Progression",
    "ScheduledSession",
    "next_session",
    "schedule",
]

DEFAULT_WEEKDAYS = (0, 2, 4)  # Monday, Wednesday, Friday


@dataclass(frozen=True)
class ScheduledSession:
    date: datetime.date
    week: int  # 1-based
    session: int  # 1-based, within the week
    workout: Workout


@dataclass(frozen=True)
class Progression:
    """Sessions grouped by week; run them in order."""

    name: str
    title: str
    description: str
    weeks: tuple[tuple[Workout, ...], ...]

    def __post_init__(self) -> None:
        if not self.weeks or not all(self.weeks):
            raise ValueError("a progression needs at least one session in every week")
        if len({len(week) for week in self.weeks}) != 1:
            raise ValueError("every week of a progression needs the same number of sessions")
        names = [workout.name for workout in self.sessions()]
        if len(set(names)) != len(names):
            raise ValueError("two sessions of the progression share a name")

    @property
    def sessions_per_week(self) -> int:
        return len(self.weeks[0])

    def sessions(self) -> list[Workout]:
        """Every session, in the order they are run."""
        return [workout for week in self.weeks for workout in week]

    def schedule(
        self, start: datetime.date, weekdays: tuple[int, ...] = DEFAULT_WEEKDAYS
    ) -> list[ScheduledSession]:
        """Calendar dates for every session.

        `weekdays` (0 = Monday … 6 = Sunday) are the days of the sessions of a week, in
        the order they are run: the first session falls on the first listed weekday on or
        after `start`, and each later one on the next listed weekday after the one before.
        So every week of the progression spans seven days."""
        _check_weekdays(weekdays, self.sessions_per_week)
        day = start + datetime.timedelta(days=(weekdays[0] - start.weekday()) % 7)
        planned: list[ScheduledSession] = []
        for week_no, week in enumerate(self.weeks, start=1):
            for session_no, workout in enumerate(week, start=1):
                if planned:
                    weekday = weekdays[session_no - 1]
                    gap = (weekday - day.weekday()) % 7 or 7
                    day += datetime.timedelta(days=gap)
                planned.append(ScheduledSession(day, week_no, session_no, workout))
        return planned

    def next_session(self, done: Collection[str]) -> Workout | None:
        """The first session whose name is not in `done`, or None when all are done."""
        for workout in self.sessions():
            if workout.name not in done:
                return workout
        return None


def _check_weekdays(weekdays: tuple[int, ...], count: int) -> None:
    if len(weekdays) != count:
        raise ValueError(f"give {count} weekdays, one for each session of a week, not {weekdays!r}")
    for day in weekdays:
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise ValueError(
                f"a weekday is a whole number from 0 (Monday) to 6 (Sunday), not {day!r}"
            )
    if len(set(weekdays)) != len(weekdays):
        raise ValueError(f"the weekdays must all be different, not {weekdays!r}")


# -- The sessions ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """One session's main set: `reps` × (backward walk, backward jog, forward walk)."""

    reps: int
    walk_s: int  # backward walk per bout
    walk_pace: float
    recover_s: int  # forward walk after each bout
    focus: str
    jog_s: int = 0  # backward jog per bout, straight after the walk
    jog_pace: float = 0.6
    walk_note: str = ""  # spoken at the start of every backward walk (keep it short)
    jog_note: str = ""  # spoken at the start of every backward jog (keep it short)
    briefing: str = ""  # spoken at the start of the warm-up walk

    @property
    def backward_s(self) -> int:
        return self.reps * (self.walk_s + self.jog_s)


HOLD_RAILS = "Hold the rails, short steps."
FIRST_JOG = "Jog: quick light steps on the balls of your feet, hands near the rails."

WARM_UP_S = 5 * 60
COOL_DOWN_S = 5 * 60

_PLANS: tuple[tuple[_Plan, ...], ...] = (
    (
        _Plan(
            6,
            30,
            0.6,
            90,
            "Getting used to the belt moving the other way.",
            walk_note=HOLD_RAILS,
            briefing="Today: six slow 30-second backward walks. Hold the side rails with "
            "both hands, take short steps and look straight ahead. Press pause if you "
            "feel dizzy.",
        ),
        _Plan(
            8,
            30,
            0.6,
            90,
            "More short backward walks, still holding the rails.",
            walk_note=HOLD_RAILS,
            briefing="Eight 30-second backward walks today, holding the rails.",
        ),
        _Plan(
            8,
            40,
            0.65,
            80,
            "Slightly longer backward walks; land on the balls of your feet.",
            walk_note=HOLD_RAILS,
            briefing="Eight 40-second backward walks. Land on the balls of your feet, then "
            "roll back onto the heel.",
        ),
    ),
    (
        _Plan(
            8,
            45,
            0.7,
            75,
            "Backward walks a little faster; hold the rails more lightly.",
            walk_note="Rails lightly, short steps.",
            briefing="Eight 45-second backward walks. Hold the rails lightly, with your "
            "fingertips if you feel steady.",
        ),
        _Plan(
            8,
            50,
            0.7,
            70,
            "Backward walks toward a minute, with a light grip on the rails.",
            walk_note="Rails lightly, short steps.",
            briefing="Eight 50-second backward walks. Keep your eyes level and your "
            "shoulders relaxed.",
        ),
        _Plan(
            8,
            60,
            0.75,
            60,
            "One-minute backward walks; let go of the rails when you feel steady.",
            walk_note="Eyes level, short steps.",
            briefing="Eight one-minute backward walks. Let go of the rails when you feel "
            "steady, and keep your hands close to them.",
        ),
    ),
    (
        _Plan(
            6,
            90,
            0.8,
            60,
            "Longer backward walks of a minute and a half.",
            briefing="Six 90-second backward walks. Upright posture, short quick steps.",
        ),
        _Plan(
            6,
            90,
            0.8,
            60,
            "Your first backward jogs: ten seconds at the end of each walk.",
            jog_s=10,
            jog_note=FIRST_JOG,
            briefing="Today, your first backward jogs: ten seconds at the end of each "
            "backward walk. Hold the rails whenever you need them.",
        ),
        _Plan(
            6,
            90,
            0.8,
            60,
            "Backward walks with 15-second backward jogs.",
            jog_s=15,
            jog_note=FIRST_JOG,
            briefing="Six backward walks, each ending in a 15-second backward jog.",
        ),
    ),
    (
        _Plan(
            6,
            90,
            0.8,
            60,
            "Backward walks with 20-second backward jogs.",
            jog_s=20,
            briefing="Six backward walks, each ending in a 20-second backward jog. Quick "
            "light steps on the balls of your feet.",
        ),
        _Plan(
            6,
            90,
            0.8,
            60,
            "Backward walks with half-minute backward jogs.",
            jog_s=30,
            briefing="Six backward walks, each ending in a 30-second backward jog.",
        ),
        _Plan(
            6,
            90,
            0.8,
            60,
            "Backward walks with 45-second backward jogs.",
            jog_s=45,
            briefing="Six backward walks, each ending in a 45-second backward jog. Stay "
            "tall, eyes level.",
        ),
    ),
    (
        _Plan(
            5,
            60,
            0.9,
            90,
            "Backward jogging bouts of a minute and a half.",
            jog_s=90,
            jog_pace=0.65,
            briefing="Five backward jogs of a minute and a half, each after a one-minute "
            "backward walk. Quick light steps; hands to the rails if you feel unsteady.",
        ),
        _Plan(
            5,
            60,
            0.9,
            90,
            "Two-minute backward jogs.",
            jog_s=120,
            jog_pace=0.65,
            briefing="Five two-minute backward jogs, each after a one-minute backward walk.",
        ),
        _Plan(
            5,
            60,
            0.9,
            90,
            "Backward jogs of two and a half minutes.",
            jog_s=150,
            jog_pace=0.65,
            briefing="Five backward jogs of two and a half minutes. Relax your shoulders "
            "and keep your steps short.",
        ),
    ),
    (
        _Plan(
            4,
            60,
            0.9,
            90,
            "Three-minute backward jogs.",
            jog_s=180,
            jog_pace=0.7,
            briefing="Four three-minute backward jogs, each after a one-minute backward walk.",
        ),
        _Plan(
            4,
            60,
            0.9,
            90,
            "Four-minute backward jogs.",
            jog_s=240,
            jog_pace=0.7,
            briefing="Four four-minute backward jogs. Stay tall, quick light steps.",
        ),
        _Plan(
            3,
            60,
            0.9,
            120,
            "Five-minute backward jogs: the end of the programme.",
            jog_s=300,
            jog_pace=0.7,
            briefing="The last session: three five-minute backward jogs. Well done for "
            "getting here.",
        ),
    ),
)


def _say(seconds: int) -> str:
    """30 -> "30 s", 120 -> "2 min", 90 -> "1:30"."""
    if seconds < 60:
        return f"{seconds} s"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return format_duration(seconds)


def _session(week: int, session: int, plan: _Plan) -> Workout:
    bout: list[Step] = [
        Step(
            Direction.BACKWARD,
            Gait.WALK,
            TimeEnd(plan.walk_s),
            RelativeSpeed(plan.walk_pace),
            label="Backward walk",
            note=plan.walk_note,
        )
    ]
    if plan.jog_s:
        bout.append(
            Step(
                Direction.BACKWARD,
                Gait.RUN,
                TimeEnd(plan.jog_s),
                RelativeSpeed(plan.jog_pace),
                label="Backward jog",
                note=plan.jog_note,
            )
        )
    bout.append(
        Step(
            Direction.FORWARD,
            Gait.WALK,
            TimeEnd(plan.recover_s),
            RelativeSpeed(1.0),
            label="Forward walk",
        )
    )
    what = f"{_say(plan.walk_s)} backward walk"
    if plan.jog_s:
        what += f" + {_say(plan.jog_s)} backward jog"
    items: tuple[Item, ...] = (
        Step(
            Direction.FORWARD,
            Gait.WALK,
            TimeEnd(WARM_UP_S),
            RelativeSpeed(1.0),
            label="Warm-up walk",
            note=plan.briefing,
        ),
        Repeat(plan.reps, tuple(bout), label=f"{plan.reps} × {what}"),
        Step(
            Direction.FORWARD,
            Gait.WALK,
            TimeEnd(COOL_DOWN_S),
            RelativeSpeed(0.9),
            label="Cool-down walk",
        ),
    )
    return Workout(
        name=f"beginner-w{week}-s{session}",
        title=f"Beginner week {week}, session {session}",
        description=(
            f"{plan.focus} Main set: {plan.reps} × {what}, each followed by a "
            f"{_say(plan.recover_s)} forward walk, between five-minute forward walks to warm "
            "up and cool down."
        ),
        items=items,
    )


PROGRESSION = Progression(
    name="beginner-6-weeks",
    title="Six weeks to backward jogging",
    description=(
        "Three sessions a week for six weeks, from your first 30-second backward walks "
        "holding the rails to five-minute backward jogs. Weeks 1–2 walk backwards only, "
        "weeks 3–4 add the first short backward jogs, weeks 5–6 make the jogs longer."
    ),
    weeks=tuple(
        tuple(_session(week, session, plan) for session, plan in enumerate(plans, start=1))
        for week, plans in enumerate(_PLANS, start=1)
    ),
)


def schedule(
    start: datetime.date, weekdays: tuple[int, ...] = DEFAULT_WEEKDAYS
) -> list[ScheduledSession]:
    """Calendar dates for the beginner progression; see `Progression.schedule`."""
    return PROGRESSION.schedule(start, weekdays)


def next_session(done: Collection[str]) -> Workout | None:
    """The first beginner session whose name is not in `done`, or None when all are done."""
    return PROGRESSION.next_session(done)
