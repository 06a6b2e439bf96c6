"""The built-in workouts: the sessions a retro-running coach hands out most often.

They are plain model objects (no files), written with pace fractions (`RelativeSpeed`)
so the same workout suits every runner: a backward step runs at a fraction of the
runner's walk or run pace with their backward factor applied. With the default profile
no step is above the backward cap, and every workout takes under 70 minutes.

Coaching notes are spoken at the start of their step, every time it runs; so the long
safety and technique notes sit on steps that run once (the first backward step of a
warm-up), not on steps inside a repeat.

`BUILT_IN` is the library shown in listings; `all_workouts()` adds the sessions of the
beginner progression (retrocoach.workouts.progression), and `get()` finds either.
"""

from __future__ import annotations

import difflib

from retrocoach.workouts.model import (
    Direction,
    DistanceEnd,
    End,
    Gait,
    RelativeSpeed,
    Repeat,
    Step,
    TimeEnd,
    Workout,
)
from retrocoach.workouts.progression import PROGRESSION

__all__ = [
    "BUILT_IN",
    "UnknownWorkout",
    "all_workouts",
    "get",
    "names",
]

BACK, FWD = Direction.BACKWARD, Direction.FORWARD
WALK, RUN = Gait.WALK, Gait.RUN


def _step(
    direction: Direction,
    gait: Gait,
    end: End,
    pace: float,
    label: str,
    *,
    note: str = "",
    incline: float = 0.0,
) -> Step:
    return Step(
        direction=direction,
        gait=gait,
        end=end,
        speed=RelativeSpeed(pace),
        incline_pct=incline,
        label=label,
        note=note,
    )


def _min(minutes: float) -> TimeEnd:
    return TimeEnd(minutes * 60)


def _s(seconds: float) -> TimeEnd:
    return TimeEnd(seconds)


def _m(metres: float) -> DistanceEnd:
    return DistanceEnd(metres)


# Spoken when a runner first goes backwards in a session.
RAILS_NOTE = (
    "Hold the side rails with both hands. Short steps, land on the balls of your feet, "
    "and look straight ahead, not down. Press pause if you feel dizzy."
)
TECHNIQUE_NOTE = (
    "Hold the rails lightly until you feel steady. Short quick steps on the balls of "
    "your feet, eyes level."
)


def _warm_up_walk(minutes: float = 3, note: str = "") -> Step:
    return _step(FWD, WALK, _min(minutes), 1.0, "Warm-up walk", note=note)


def _easy_jog(minutes: float) -> Step:
    return _step(FWD, RUN, _min(minutes), 0.75, "Easy forward jog")


def _cool_down_walk(minutes: float = 5, note: str = "") -> Step:
    return _step(FWD, WALK, _min(minutes), 0.9, "Cool-down walk", note=note)


FIRST_STEPS = Workout(
    name="first-steps",
    title="First steps backwards",
    description=(
        "Your first backward session: short, slow backward walks holding the rails, with "
        "forward walking in between. For anyone new to retro running, including people "
        "using it in rehabilitation."
    ),
    items=(
        _warm_up_walk(
            3,
            note="An easy warm-up. Today you walk backwards in short, slow bouts, "
            "holding the rails.",
        ),
        _step(BACK, WALK, _s(45), 0.6, "First backward walk", note=RAILS_NOTE),
        _step(FWD, WALK, _s(90), 1.0, "Forward walk"),
        Repeat(
            3,
            (
                _step(BACK, WALK, _s(45), 0.7, "Backward walk"),
                _step(FWD, WALK, _s(75), 1.0, "Forward walk"),
            ),
            label="Short backward walks",
        ),
        Repeat(
            3,
            (
                _step(BACK, WALK, _s(60), 0.8, "Longer backward walk"),
                _step(FWD, RUN, _s(60), 0.7, "Easy forward jog"),
            ),
            label="Longer backward walks",
        ),
        _cool_down_walk(
            3,
            note="Well done. Your calves and shins may feel this tomorrow; that is normal.",
        ),
    ),
)

BACK_FORTH_50 = Workout(
    name="back-forth-50",
    title="10 × 50 m back / 50 m forward",
    description=(
        "The classic retro-running session: 50 m backwards, turn, 50 m forwards, ten "
        "times. Most of the time goes into turning around, which trains balance and "
        "coordination. Suits runners who have walked backwards on the belt a few times."
    ),
    items=(
        _warm_up_walk(3),
        _easy_jog(4),
        _step(BACK, WALK, _min(2), 0.8, "Backward walk", note=TECHNIQUE_NOTE),
        _step(
            BACK,
            RUN,
            _min(1),
            0.75,
            "Easy backward jog",
            note="Keep this rhythm for the repeats: quick light steps, upright, eyes level.",
        ),
        Repeat(
            10,
            (
                _step(BACK, RUN, _m(50), 0.9, "50 m backwards"),
                _step(FWD, RUN, _m(50), 0.8, "50 m forwards"),
            ),
            label="50 m back / 50 m forward",
        ),
        _cool_down_walk(5),
    ),
)

BACK_FORTH_400 = Workout(
    name="back-forth-400",
    title="4 × 400 m forward / 400 m backward",
    description=(
        "Four rounds of 400 m forwards then 400 m backwards, with a short walk after each "
        "round. Builds backward running endurance next to the forward stride. Suits "
        "runners who can jog backwards for a few minutes."
    ),
    items=(
        _warm_up_walk(3),
        _easy_jog(5),
        _step(BACK, WALK, _min(2), 0.8, "Backward walk", note=TECHNIQUE_NOTE),
        _step(BACK, RUN, _min(2), 0.75, "Easy backward jog"),
        Repeat(
            4,
            (
                _step(FWD, RUN, _m(400), 0.9, "400 m forwards"),
                _step(BACK, RUN, _m(400), 0.9, "400 m backwards"),
                _step(FWD, WALK, _s(60), 1.0, "Recovery walk"),
            ),
            label="400 m forward / 400 m backward",
        ),
        _cool_down_walk(5),
    ),
)


def _hill_block(incline: float) -> Repeat:
    return Repeat(
        2,
        (
            _step(
                BACK,
                WALK,
                _min(2),
                0.85,
                f"Backward hill walk at {incline:g} %",
                incline=incline,
            ),
            _step(FWD, WALK, _min(2), 0.9, "Flat recovery walk"),
        ),
        label=f"Hills at {incline:g} %",
    )


BACKWARD_HILLS = Workout(
    name="backward-hills",
    title="Backward hill repeats",
    description=(
        "Six two-minute backward walks uphill, two each at 6, 7 and 8 %, with flat "
        "forward walks to recover. Strengthens the quads and calves with little load on "
        "the knees. Suits runners at ease walking backwards on the flat."
    ),
    items=(
        _warm_up_walk(4),
        _easy_jog(4),
        _step(
            BACK,
            WALK,
            _min(2),
            0.9,
            "Flat backward walk",
            note="Hills next: lean slightly forward, push through the balls of your feet "
            "and keep your steps short. Hold the rails if you need them.",
        ),
        _hill_block(6),
        _hill_block(7),
        _hill_block(8),
        _cool_down_walk(5),
    ),
)

BACKWARD_WARMUP_COOLDOWN = Workout(
    name="backward-warmup-cooldown",
    title="Backward warm-up and cool-down",
    description=(
        "A 25-minute forward run between a backward warm-up (walk, then easy backward "
        "jog) and a backward cool-down. A gentle way to add backward running to your "
        "usual runs, for runners who already walk and jog backwards with confidence."
    ),
    items=(
        _step(BACK, WALK, _min(3), 0.8, "Backward warm-up walk", note=RAILS_NOTE),
        _step(BACK, WALK, _min(2), 1.0, "Brisk backward walk"),
        _step(
            BACK,
            RUN,
            _min(3),
            0.75,
            "Easy backward jog",
            note="Quick light steps on the balls of your feet.",
        ),
        _step(
            FWD,
            RUN,
            _min(25),
            0.9,
            "Forward run",
            note="Settle into a steady, comfortable pace.",
        ),
        _step(
            BACK,
            RUN,
            _min(3),
            0.7,
            "Easy backward jog",
            note="Backward cool-down: keep it easy and relaxed, eyes level.",
        ),
        _step(BACK, WALK, _min(3), 0.8, "Backward cool-down walk"),
        _step(FWD, WALK, _min(2), 0.9, "Forward walk to finish"),
    ),
)

BACKWARD_TEMPO = Workout(
    name="backward-tempo",
    title="Backward tempo run",
    description=(
        "An 18-minute backward run at a controlled hard effort, to do every few weeks. "
        "Builds the endurance and the steadiness of your retro running. Suits runners who "
        "can jog backwards for ten minutes without holding the rails."
    ),
    items=(
        _warm_up_walk(3),
        _easy_jog(5),
        _step(BACK, WALK, _min(2), 0.9, "Backward walk", note=TECHNIQUE_NOTE),
        _step(BACK, RUN, _min(3), 0.8, "Easy backward jog"),
        _step(
            BACK,
            RUN,
            _min(18),
            1.0,
            "Backward tempo run",
            note="Controlled hard effort: you can say a few words, not whole sentences. "
            "Stay tall, quick light steps, eyes level; hands to the rails if you feel "
            "unsteady.",
        ),
        _step(BACK, WALK, _min(2), 0.9, "Backward walk"),
        _cool_down_walk(5),
    ),
)

BACKWARD_5K = Workout(
    name="backward-5k",
    title="Backwards 5 k",
    description=(
        "A 5 km backward run at your chosen pace, as a race or a time trial, for "
        "experienced retro runners. The pace is your run pace times your backward factor: "
        "change either in your profile, or edit the 5 k step."
    ),
    items=(
        _warm_up_walk(3),
        _easy_jog(3),
        _step(BACK, WALK, _min(2), 0.9, "Backward walk", note=TECHNIQUE_NOTE),
        _step(BACK, RUN, _min(2), 0.8, "Easy backward jog"),
        _step(
            BACK,
            RUN,
            _m(5000),
            1.0,
            "Backwards 5 k",
            note="Your 5 k pace is your run pace times your backward factor; to change "
            "it, change either in your profile, or edit this step. Run tall, quick light "
            "steps, eyes level.",
        ),
        _cool_down_walk(5),
    ),
)

BUILT_IN: tuple[Workout, ...] = (
    FIRST_STEPS,
    BACK_FORTH_50,
    BACK_FORTH_400,
    BACKWARD_HILLS,
    BACKWARD_WARMUP_COOLDOWN,
    BACKWARD_TEMPO,
    BACKWARD_5K,
)


def all_workouts() -> list[Workout]:
    """The library, then the sessions of the beginner progression, in order."""
    return [*BUILT_IN, *PROGRESSION.sessions()]


_BY_NAME: dict[str, Workout] = {workout.name: workout for workout in all_workouts()}
if len(_BY_NAME) != len(BUILT_IN) + len(PROGRESSION.sessions()):  # pragma: no cover
    raise RuntimeError("two built-in workouts share a name")


def names(include_progression: bool = False) -> list[str]:
    """The names of the library's workouts in order (and the progression's sessions)."""
    workouts = all_workouts() if include_progression else BUILT_IN
    return [workout.name for workout in workouts]


class UnknownWorkout(KeyError):
    """No built-in workout has this name; `suggestions` are the closest names."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        if suggestions:
            message = f"no built-in workout named {name!r}; did you mean {_or(suggestions)}?"
        else:
            message = (
                f"no built-in workout named {name!r}; the built-in workouts are "
                f"{', '.join(names())} and the beginner sessions {_first_last_session()}"
            )
        super().__init__(message)
        self.name = name
        self.suggestions = suggestions
        self.message = message

    def __str__(self) -> str:
        # KeyError's own str() would show the message in quotes.
        return self.message


def get(name: str) -> Workout:
    """The built-in workout or progression session with this name.

    Raises `UnknownWorkout` (a KeyError) naming the closest names."""
    key = str(name).strip().lower()  # forgive " First-Steps "
    if key in _BY_NAME:
        return _BY_NAME[key]
    suggestions = difflib.get_close_matches(key, list(_BY_NAME), n=3, cutoff=0.6)
    raise UnknownWorkout(name, suggestions) from None


def _or(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} or {words[-1]}"


def _first_last_session() -> str:
    sessions = PROGRESSION.sessions()
    return f"{sessions[0].name} … {sessions[-1].name}"
