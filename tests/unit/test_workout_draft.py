"""The editable workout (retrocoach.workouts.draft): text in, model workout or named
problems out, and the editor's tree operations."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from retrocoach.workouts.draft import (
    EndKind,
    RepeatDraft,
    SpeedKind,
    StepDraft,
    WorkoutDraft,
    format_seconds,
    name_from_title,
    parse_seconds,
)
from retrocoach.workouts.library import all_workouts, get
from retrocoach.workouts.model import (
    AbsoluteSpeed,
    Direction,
    DistanceEnd,
    Gait,
    InvalidField,
    Item,
    RelativeSpeed,
    Repeat,
    Step,
    TimeEnd,
    Workout,
)
from retrocoach.workouts.profile import KMH_PER_MPH, Units


def _numbers(low: float, high: float) -> st.SearchStrategy[float]:
    return st.one_of(
        st.integers(math.ceil(low), math.floor(high)),
        st.floats(low, high, allow_nan=False, allow_infinity=False),
    )


_STEPS = st.builds(
    Step,
    direction=st.sampled_from(Direction),
    gait=st.sampled_from(Gait),
    end=st.one_of(
        st.builds(TimeEnd, _numbers(1, 6 * 3600)), st.builds(DistanceEnd, _numbers(1, 50_000))
    ),
    speed=st.one_of(
        st.builds(RelativeSpeed, _numbers(0.1, 2.0)), st.builds(AbsoluteSpeed, _numbers(0.1, 30))
    ),
    incline_pct=_numbers(-10, 40),
    label=st.text(max_size=8),
    note=st.text(max_size=8),
)
_ITEMS: st.SearchStrategy[Item] = st.recursive(
    _STEPS,
    lambda children: st.builds(
        Repeat,
        times=st.integers(1, 4),
        items=st.lists(children, min_size=1, max_size=3).map(tuple),
        label=st.text(max_size=8),
    ),
    max_leaves=6,
)


@st.composite
def workouts(draw: st.DrawFn) -> Workout:
    try:
        return Workout(
            name=draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True)),
            title=draw(st.text(min_size=1, max_size=10).filter(str.strip)),
            items=tuple(draw(st.lists(_ITEMS, min_size=1, max_size=3))),
            description=draw(st.text(max_size=10)),
        )
    except InvalidField:
        assume(False)
        raise


@given(workouts(), st.sampled_from(Units))
def test_an_unchanged_draft_is_the_same_workout(workout: Workout, units: Units) -> None:
    assert WorkoutDraft.from_workout(workout, units).build() == (workout, [])


@pytest.mark.parametrize("units", list(Units))
def test_every_library_workout_opens_and_builds_unchanged(units: Units) -> None:
    for workout in all_workouts():
        assert WorkoutDraft.from_workout(workout, units).build() == (workout, [])


def test_speeds_are_typed_in_the_runners_units() -> None:
    draft = WorkoutDraft("w", "W", items=[StepDraft()], units=Units.MPH)
    step = draft.items[0]
    assert isinstance(step, StepDraft)
    step.speed_kind, step.speed_text = SpeedKind.ABSOLUTE, "5"
    workout, _ = draft.build()
    assert workout is not None
    assert workout.items[0] == Step(
        Direction.FORWARD, Gait.WALK, TimeEnd(60), AbsoluteSpeed(round(5 * KMH_PER_MPH, 6))
    )
    step.speed_kind, step.speed_text = SpeedKind.RELATIVE, "85"
    workout, _ = draft.build()
    assert workout is not None
    assert workout.items[0].speed == RelativeSpeed(0.85)  # type: ignore[union-attr]


def test_every_problem_is_named_by_where_it_is() -> None:
    draft = WorkoutDraft.from_workout(get("first-steps"))
    draft.name = ""
    draft.title = "  "
    first, second, _, repeat, other_repeat, _ = draft.items
    assert isinstance(first, StepDraft) and isinstance(second, StepDraft)
    assert isinstance(repeat, RepeatDraft) and isinstance(other_repeat, RepeatDraft)
    first.incline_text = "steep"
    second.speed_kind, second.speed_text = SpeedKind.ABSOLUTE, "0"
    repeat.times_text = "0"
    inner = repeat.items[0]
    assert isinstance(inner, StepDraft)
    inner.end_text = "abc"
    other_repeat.items = []

    workout, problems = draft.build()

    assert workout is None
    assert [(p.where, p.field) for p in problems] == [
        ("Name", "name"),
        ("Title", "title"),
        ("Step 1", "incline"),
        ("Step 2", "speed"),
        ("Repeat 4", "times"),
        ("Step 4.1", "end"),
        ("Repeat 5", "items"),
    ]
    texts = [p.text for p in problems]
    assert texts[3] == "Step 2: a speed must be between 0.1 and 30 km/h, not 0 km/h"
    assert texts[4] == "Repeat 4: a repeat count must be between 1 and 100, not 0"
    assert "'abc'" in texts[5] and "1:30" in texts[5]
    assert texts[6] == "Repeat 5: a repeat needs at least one step"


def test_a_workout_without_steps_says_so() -> None:
    workout, problems = WorkoutDraft("w", "W").build()
    assert workout is None
    assert [p.text for p in problems] == ["Steps: a workout needs at least one step"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1:30", 90), ("0:45", 45), ("90", 90), ("1:02:05", 3725), ("0:45.5", 45.5), ("2,5", 2.5)],
)
def test_times_are_read_as_a_person_writes_them(text: str, seconds: float) -> None:
    assert parse_seconds(text) == seconds


@pytest.mark.parametrize("text", ["abc", "1:75", "1:60:00", "", "-5", "1::2"])
def test_what_is_not_a_time(text: str) -> None:
    assert parse_seconds(text) is None


@given(st.floats(0, 100_000, allow_nan=False).map(lambda s: round(s, 3)))
def test_formatted_times_read_back(seconds: float) -> None:
    assert parse_seconds(format_seconds(seconds)) == pytest.approx(seconds, abs=1e-6)


def _steps(*labels: str) -> list[StepDraft | RepeatDraft]:
    return [StepDraft(label=label) for label in labels]


def _labels(items: list[StepDraft | RepeatDraft]) -> list[object]:
    return [item.label if isinstance(item, StepDraft) else _labels(item.items) for item in items]


def test_moving_swaps_and_goes_in_and_out_of_repeats() -> None:
    draft = WorkoutDraft(items=[*_steps("a"), RepeatDraft("2", "", _steps("b", "c")), *_steps("d")])
    assert not draft.can_move((0,), -1)
    # Down onto a repeat: into it, at its top.
    assert draft.move((0,), +1) == (0, 0)
    assert _labels(draft.items) == [["a", "b", "c"], "d"]
    # Up from a repeat's top: out of it, before it.
    assert draft.move((0, 0), -1) == (0,)
    assert _labels(draft.items) == ["a", ["b", "c"], "d"]
    # Down from a repeat's bottom: out of it, after it.
    assert draft.move((1, 1), +1) == (2,)
    assert _labels(draft.items) == ["a", ["b"], "c", "d"]
    # Up onto a repeat: into it, at its bottom.
    assert draft.move((2,), -1) == (1, 1)
    assert _labels(draft.items) == ["a", ["b", "c"], "d"]
    # A repeat itself swaps with its neighbours.
    assert draft.move((1,), +1) == (2,)
    assert _labels(draft.items) == ["a", "d", ["b", "c"]]
    assert not draft.can_move((2,), +1)


def test_insert_duplicate_and_remove_keep_a_sensible_selection() -> None:
    draft = WorkoutDraft(items=[*_steps("a"), RepeatDraft("2", "", _steps("b"))])
    assert draft.insert_after((1, 0), StepDraft(label="n")) == (1, 1)
    assert draft.insert_after(None, StepDraft(label="z")) == (2,)
    assert draft.duplicate((1,)) == (2,)
    assert _labels(draft.items) == ["a", ["b", "n"], ["b", "n"], "z"]
    copy = draft.item_at((2,))
    assert isinstance(copy, RepeatDraft)
    copy.items.clear()  # a duplicate is its own
    assert _labels(draft.items) == ["a", ["b", "n"], [], "z"]
    assert draft.remove((3,)) == (2,)
    assert draft.remove((1, 0)) == (1, 0)
    assert draft.remove((1, 0)) == (1,)
    assert [path for path, _ in draft.walk()] == [(0,), (1,), (2,)]


def test_end_kind_changes_what_the_text_means() -> None:
    step = StepDraft(end_kind=EndKind.DISTANCE, end_text="400")
    workout, _ = WorkoutDraft("w", "W", items=[step]).build()
    assert workout is not None
    assert workout.items[0].end == DistanceEnd(400)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("My 4 × 400 m", "my-4-400-m"),
        ("  Hills!  ", "hills"),
        ("Café crème", "cafe-creme"),
        ("", ""),
    ],
)
def test_names_from_titles(title: str, name: str) -> None:
    assert name_from_title(title) == name
