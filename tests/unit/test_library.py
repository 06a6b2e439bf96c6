"""The built-in workouts (retrocoach.workouts.library) and the beginner progression
(retrocoach.workouts.progression)."""

from __future__ import annotations

import datetime
import re

import pytest

from retrocoach.coach.plan import SpeedLimits, build_plan, estimate
from retrocoach.workouts import library
from retrocoach.workouts.fileformat import dump_workout, loads_workout
from retrocoach.workouts.library import BUILT_IN, UnknownWorkout, all_workouts, get, names
from retrocoach.workouts.model import (
    NAME_PATTERN,
    Direction,
    DistanceEnd,
    Gait,
    RelativeSpeed,
    Repeat,
    Step,
    TimeEnd,
    Workout,
)
from retrocoach.workouts.profile import RunnerProfile
from retrocoach.workouts.progression import (
    PROGRESSION,
    Progression,
    ScheduledSession,
    next_session,
    schedule,
)

EVERY = all_workouts()
SESSIONS = PROGRESSION.sessions()
LIMITS = SpeedLimits()


def steps(workout: Workout) -> list[Step]:
    return [expanded.step for expanded in workout.expand()]


def backward_seconds(workout: Workout) -> float:
    profile = RunnerProfile()
    return estimate(build_plan(workout, profile, LIMITS), profile, LIMITS).backward_s


def by_id(workout: Workout) -> str:
    return workout.name


# -- Every workout ------------------------------------------------------------------------


def test_the_library_lists_the_seven_workouts_first_steps_first() -> None:
    assert names() == [
        "first-steps",
        "back-forth-50",
        "back-forth-400",
        "backward-hills",
        "backward-warmup-cooldown",
        "backward-tempo",
        "backward-5k",
    ]
    assert [w.name for w in BUILT_IN] == names()


def test_all_workouts_is_the_library_then_the_progression() -> None:
    assert all_workouts() == [*BUILT_IN, *SESSIONS]
    assert names(include_progression=True) == [w.name for w in EVERY]
    assert not set(names()) & {w.name for w in SESSIONS}


def test_names_are_unique_slugs() -> None:
    all_names = [w.name for w in EVERY]
    assert len(set(all_names)) == len(all_names)
    assert all(NAME_PATTERN.match(name) for name in all_names)
    assert PROGRESSION.name not in all_names


@pytest.mark.parametrize("workout", EVERY, ids=by_id)
def test_every_workout_is_valid_and_described(workout: Workout) -> None:
    # Rebuilding runs every validation of the model again.
    assert Workout(workout.name, workout.title, workout.items, workout.description) == workout
    assert workout.title.strip()
    description = workout.description.strip()
    assert description
    assert 1 <= len(re.findall(r"[.!?](?:\s|$)", description)) <= 3, description


@pytest.mark.parametrize("workout", EVERY, ids=by_id)
def test_every_step_and_repeat_has_a_label(workout: Workout) -> None:
    def check(items: tuple[Step | Repeat, ...]) -> None:
        for item in items:
            assert item.label.strip(), item
            if isinstance(item, Repeat):
                check(item.items)

    check(workout.items)


@pytest.mark.parametrize("workout", EVERY, ids=by_id)
def test_every_workout_goes_both_ways_at_pace_fractions(workout: Workout) -> None:
    directions = {step.direction for step in steps(workout)}
    assert directions == {Direction.BACKWARD, Direction.FORWARD}
    assert all(isinstance(step.speed, RelativeSpeed) for step in steps(workout))


@pytest.mark.parametrize("workout", EVERY, ids=by_id)
def test_no_step_is_clamped_with_the_default_profile(workout: Workout) -> None:
    profile = RunnerProfile()
    for seg in build_plan(workout, profile, LIMITS):
        assert not seg.clamped, seg
        if seg.direction is Direction.BACKWARD:
            assert seg.requested_kmh <= profile.backward_max_kmh


@pytest.mark.parametrize("workout", EVERY, ids=by_id)
def test_every_workout_takes_under_70_minutes(workout: Workout) -> None:
    profile = RunnerProfile()
    took = estimate(build_plan(workout, profile, LIMITS), profile, LIMITS)
    assert took.duration_s < 70 * 60
    assert took.backward_s > 0


@pytest.mark.parametrize("workout", EVERY, ids=by_id)
def test_every_workout_warms_up_and_cools_down_walking(workout: Workout) -> None:
    run = steps(workout)
    assert run[0].gait is Gait.WALK
    assert run[-1].gait is Gait.WALK


@pytest.mark.parametrize("workout", EVERY, ids=by_id)
def test_every_workout_has_a_coaching_note_for_the_backward_part(workout: Workout) -> None:
    run = steps(workout)
    first_backward = next(i for i, step in enumerate(run) if step.direction is Direction.BACKWARD)
    assert any(step.note for step in run[: first_backward + 1])


def test_the_first_backward_steps_are_slow_walks_holding_the_rails() -> None:
    run = steps(get("first-steps"))
    backward = [step for step in run if step.direction is Direction.BACKWARD]
    assert all(step.gait is Gait.WALK for step in backward)
    assert all(
        isinstance(step.speed, RelativeSpeed) and 0.6 <= step.speed.fraction <= 0.8
        for step in backward
    )
    assert "rails" in backward[0].note
    profile = RunnerProfile()
    minutes = estimate(build_plan(get("first-steps"), profile, LIMITS), profile, LIMITS)
    assert 20 * 60 <= minutes.duration_s <= 25 * 60


# -- The particular workouts --------------------------------------------------------------


@pytest.mark.parametrize(("name", "metres"), [("back-forth-50", 50), ("back-forth-400", 400)])
def test_back_and_forth_alternate_over_a_distance(name: str, metres: float) -> None:
    run = steps(get(name))
    repeats = [step for step in run if isinstance(step.end, DistanceEnd)]
    backward = [step for step in repeats if step.direction is Direction.BACKWARD]
    forward = [step for step in repeats if step.direction is Direction.FORWARD]
    assert len(backward) == len(forward) >= 4
    assert all(isinstance(s.end, DistanceEnd) and s.end.metres == metres for s in repeats)
    assert all(step.gait is Gait.RUN for step in repeats)


def test_backward_hills_climb_backwards_and_recover_flat_forwards() -> None:
    run = steps(get("backward-hills"))
    climbs = [step for step in run if step.incline_pct]
    assert sorted(step.incline_pct for step in climbs) == [6, 6, 7, 7, 8, 8]
    assert all(step.direction is Direction.BACKWARD for step in climbs)
    forward = [step for step in run if step.direction is Direction.FORWARD]
    assert forward
    assert all(step.incline_pct == 0 for step in forward)
    # Every climb is followed by a flat forward walk.
    for i, step in enumerate(run):
        if step.incline_pct:
            after = run[i + 1]
            assert after.direction is Direction.FORWARD
            assert after.gait is Gait.WALK
            assert after.incline_pct == 0


def test_backward_warmup_and_cooldown_go_around_a_forward_run() -> None:
    run = steps(get("backward-warmup-cooldown"))
    forward_runs = [
        i for i, s in enumerate(run) if s.direction is Direction.FORWARD and s.gait is Gait.RUN
    ]
    assert len(forward_runs) == 1
    (middle,) = forward_runs
    main = run[middle]
    assert isinstance(main.end, TimeEnd) and 20 * 60 <= main.end.seconds <= 30 * 60
    before, after = run[:middle], run[middle + 1 :]
    assert before and all(step.direction is Direction.BACKWARD for step in before)
    assert before[0].gait is Gait.WALK
    assert Gait.RUN in {step.gait for step in before}
    assert any(step.direction is Direction.BACKWARD for step in after)


def test_backward_tempo_is_a_sustained_backward_run_every_few_weeks() -> None:
    workout = get("backward-tempo")
    assert "every few weeks" in workout.description
    tempo = [
        s
        for s in steps(workout)
        if s.direction is Direction.BACKWARD
        and isinstance(s.end, TimeEnd)
        and s.end.seconds >= 15 * 60
    ]
    assert len(tempo) == 1
    assert tempo[0].gait is Gait.RUN
    assert tempo[0].speed == RelativeSpeed(1.0)
    assert isinstance(tempo[0].end, TimeEnd) and tempo[0].end.seconds <= 20 * 60


def test_backward_5k_is_one_5000_m_backward_run_at_the_chosen_pace() -> None:
    workout = get("backward-5k")
    long_steps = [
        s for s in steps(workout) if isinstance(s.end, DistanceEnd) and s.end.metres == 5000
    ]
    assert len(long_steps) == 1
    (race,) = long_steps
    assert race.direction is Direction.BACKWARD
    assert race.gait is Gait.RUN
    assert race.speed == RelativeSpeed(1.0)
    assert "profile" in race.note and "profile" in workout.description
    assert steps(workout)[-1].gait is Gait.WALK
    # The runner chooses the pace through their profile.
    fast = RunnerProfile(run_kmh=10.0, backward_factor=0.75)
    (seg,) = [s for s in build_plan(workout, fast, LIMITS) if s.label == race.title]
    assert seg.target_kmh == pytest.approx(7.5)


# -- The progression ----------------------------------------------------------------------


def test_the_progression_is_six_weeks_of_three_sessions() -> None:
    assert isinstance(PROGRESSION, Progression)
    assert PROGRESSION.name == "beginner-6-weeks"
    assert PROGRESSION.title and PROGRESSION.description
    assert len(PROGRESSION.weeks) == 6
    assert all(len(week) == 3 for week in PROGRESSION.weeks)
    assert [w.name for w in SESSIONS] == [
        f"beginner-w{week}-s{session}" for week in range(1, 7) for session in range(1, 4)
    ]
    assert SESSIONS[4].title == "Beginner week 2, session 2"


def test_every_session_walks_forwards_to_warm_up_and_cool_down() -> None:
    for workout in SESSIONS:
        run = steps(workout)
        for step in (run[0], run[-1]):
            assert step.direction is Direction.FORWARD
            assert step.gait is Gait.WALK
            assert isinstance(step.end, TimeEnd) and step.end.seconds >= 3 * 60


def test_backward_time_grows_week_over_week() -> None:
    per_week = [sum(backward_seconds(w) for w in week) for week in PROGRESSION.weeks]
    assert per_week == sorted(per_week)
    assert per_week[5] >= 3 * per_week[0]
    for week in PROGRESSION.weeks:
        # Within a week the last session is at least as hard as the first.
        assert backward_seconds(week[2]) >= backward_seconds(week[0])


def test_weeks_one_and_two_walk_backwards_only_holding_the_rails() -> None:
    for workout in [*PROGRESSION.weeks[0], *PROGRESSION.weeks[1]]:
        backward = [s for s in steps(workout) if s.direction is Direction.BACKWARD]
        assert backward and all(step.gait is Gait.WALK for step in backward)
        assert all(isinstance(s.end, TimeEnd) and s.end.seconds <= 60 for s in backward)
    assert "rails" in steps(SESSIONS[0])[0].note.lower()


def test_the_first_backward_jogs_are_very_short_and_grow_to_minutes() -> None:
    def longest_jog(workout: Workout) -> float:
        return max(
            (
                s.end.seconds
                for s in steps(workout)
                if s.direction is Direction.BACKWARD
                and s.gait is Gait.RUN
                and isinstance(s.end, TimeEnd)
            ),
            default=0.0,
        )

    weeks_3_4 = [*PROGRESSION.weeks[2], *PROGRESSION.weeks[3]]
    first_jog = next(w for w in weeks_3_4 if longest_jog(w))
    assert longest_jog(first_jog) <= 20
    assert max(longest_jog(w) for w in weeks_3_4) <= 60
    assert longest_jog(SESSIONS[-1]) >= 4 * 60
    jogs = [longest_jog(w) for w in SESSIONS]
    assert jogs == sorted(jogs)


def test_schedule_puts_the_sessions_on_monday_wednesday_friday() -> None:
    start = datetime.date(2025, 3, 5)  # a Wednesday: the first session is next Monday
    planned = schedule(start)
    assert len(planned) == 18
    assert all(isinstance(p, ScheduledSession) for p in planned)
    assert planned[0].date == datetime.date(2025, 3, 10)
    assert planned[-1].date == datetime.date(2025, 3, 10) + datetime.timedelta(weeks=5, days=4)
    assert [p.date.weekday() for p in planned] == [0, 2, 4] * 6
    assert [(p.week, p.session) for p in planned] == [
        (week, session) for week in range(1, 7) for session in range(1, 4)
    ]
    assert [p.workout for p in planned] == SESSIONS
    dates = [p.date for p in planned]
    assert dates == sorted(dates) and len(set(dates)) == 18


def test_schedule_starts_on_the_start_day_when_it_is_the_first_weekday() -> None:
    monday = datetime.date(2025, 3, 10)
    assert schedule(monday)[0].date == monday


def test_schedule_follows_the_listed_order_of_weekdays() -> None:
    # Saturday, Tuesday, Thursday: weeks run Saturday to Thursday.
    planned = schedule(datetime.date(2025, 3, 10), weekdays=(5, 1, 3))
    assert planned[0].date == datetime.date(2025, 3, 15)
    assert [p.date.weekday() for p in planned[:4]] == [5, 1, 3, 5]
    assert planned[3].date - planned[0].date == datetime.timedelta(days=7)
    assert PROGRESSION.schedule(datetime.date(2025, 3, 10), (5, 1, 3)) == planned


@pytest.mark.parametrize(
    "weekdays",
    [(0, 2), (0, 2, 4, 6), (), (0, 0, 4), (0, 2, 7), (-1, 2, 4), (0, 2.0, 4), (True, 2, 4)],
)
def test_schedule_rejects_bad_weekdays(weekdays: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        schedule(datetime.date(2025, 3, 10), weekdays)


def test_next_session_is_the_first_not_done() -> None:
    assert next_session(set()) == SESSIONS[0]
    assert next_session(["beginner-w1-s1", "beginner-w1-s2"]) == SESSIONS[2]
    # A skipped session comes back first.
    assert next_session({"beginner-w1-s1", "beginner-w1-s3", "first-steps"}) == SESSIONS[1]
    assert next_session([w.name for w in SESSIONS]) is None
    assert PROGRESSION.next_session(()) == SESSIONS[0]


# -- Looking workouts up ------------------------------------------------------------------


def test_get_finds_library_workouts_and_progression_sessions() -> None:
    for workout in EVERY:
        assert get(workout.name) is workout
    assert get("backward-5k") is library.BACKWARD_5K


def test_get_of_an_unknown_name_suggests_close_names() -> None:
    with pytest.raises(KeyError) as caught:
        get("backward-hill")
    error = caught.value
    assert isinstance(error, UnknownWorkout)
    assert error.name == "backward-hill"
    assert error.suggestions[0] == "backward-hills"
    assert "backward-hills" in str(error)
    assert not str(error).startswith(("'", '"'))


def test_get_of_a_far_off_name_lists_the_library() -> None:
    with pytest.raises(UnknownWorkout) as caught:
        get("marathon")
    assert caught.value.suggestions == []
    assert all(name in str(caught.value) for name in names())
    assert "beginner-w1-s1" in str(caught.value)


def test_get_suggests_progression_sessions() -> None:
    with pytest.raises(UnknownWorkout) as caught:
        get("beginner-w7-s1")
    assert caught.value.suggestions
    assert all(name.startswith("beginner-w") for name in caught.value.suggestions)


def test_get_forgives_case_and_spaces() -> None:
    assert get(" First-Steps ") is get("first-steps")


@pytest.mark.parametrize("workout", EVERY, ids=by_id)
def test_every_workout_can_be_saved_as_a_file_to_edit(workout: Workout) -> None:
    assert loads_workout(dump_workout(workout)) == workout
