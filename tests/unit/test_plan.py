"""From workout and runner to segments: speeds, caps, machine limits; zones; profiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import step, workout

from retrocoach.coach.cues import CueId
from retrocoach.coach.heartrate import zone_bounds, zone_of
from retrocoach.coach.plan import SpeedLimits, build_plan, turn_speed_kmh
from retrocoach.workouts.model import InvalidField
from retrocoach.workouts.profile import RunnerProfile, Units

PROFILE = RunnerProfile(walk_kmh=5.0, run_kmh=10.0, backward_factor=0.7)


@pytest.mark.parametrize(
    ("item", "kmh"),
    [
        (step("forward", "run", seconds=60), 10.0),
        (step("backward", "run", seconds=60), 7.0),  # the backward factor
        (step("backward", "run", seconds=60, pace=0.9), 6.3),
        (step("backward", "walk", seconds=60), 3.5),
        (step("forward", "walk", seconds=60, pace=1.2), 6.0),
        (step("forward", "run", seconds=60, kmh=12.3), 12.3),  # absolute: no factor
        (step("backward", "run", seconds=60, kmh=5.0), 5.0),
    ],
)
def test_a_steps_speed_is_resolved_for_the_runner(item: object, kmh: float) -> None:
    (seg,) = build_plan(workout(item), PROFILE, SpeedLimits())  # type: ignore[arg-type]
    assert seg.target_kmh == pytest.approx(kmh)


def test_speeds_never_exceed_a_cap_or_the_machine_even_by_rounding() -> None:
    limits = SpeedLimits(speed_min_kmh=1.0, speed_max_kmh=14.0, speed_step_kmh=0.5)
    assert limits.clamp_speed(7.9, cap_kmh=7.8) == 7.5  # nearest step 8.0 is above the cap
    assert limits.clamp_speed(30, cap_kmh=16) == 14.0
    assert limits.clamp_speed(0.2, cap_kmh=16) == 1.0
    assert limits.clamp_speed(6.26, cap_kmh=16) == 6.5
    assert SpeedLimits().clamp_speed(6.34, cap_kmh=16) == 6.3
    assert SpeedLimits().clamp_incline(40) == 15 and SpeedLimits().clamp_incline(6.3) == 6.5


def test_the_turn_speed_is_on_the_machines_step_and_never_above_the_profiles() -> None:
    profile = RunnerProfile(turn_speed_kmh=2.75)
    assert turn_speed_kmh(profile, SpeedLimits(speed_min_kmh=1.0, speed_step_kmh=0.5)) == 2.5
    assert turn_speed_kmh(profile, SpeedLimits(speed_step_kmh=0.1)) == 2.7
    # Steps count from the machine's minimum: 0.8, 1.3, 1.8, 2.3, 2.8...
    assert turn_speed_kmh(profile, SpeedLimits(speed_min_kmh=0.8, speed_step_kmh=0.5)) == 2.3


def test_karvonen_zones_from_the_heart_rate_reserve() -> None:
    profile = RunnerProfile(hr_max=190, hr_rest=60)
    lows = [z.low_bpm for z in zone_bounds(profile)[1:]]
    assert lows == [125, 138, 151, 164, 177]  # 60 + 130 x 50/60/70/80/90 %
    assert zone_of(155, profile).number == 3  # type: ignore[union-attr]
    assert zone_of(100, profile).number == 0  # type: ignore[union-attr]
    assert zone_of(200, profile).number == 5  # type: ignore[union-attr]
    assert zone_of(None, profile) is None


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        ({"hr_ceiling": 200}, "hr_ceiling", "at most the maximum"),
        ({"hr_rest": 100, "hr_ceiling": 95}, "hr_ceiling", "above the resting heart rate"),
        ({"run_kmh": 4.0}, "run_kmh", "below the walking speed"),
        ({"backward_factor": 1.5}, "backward_factor", "between 0.3 and 1"),
        ({"turn_speed_kmh": 4.0, "backward_max_kmh": 3.5}, "turn_speed_kmh", "above a speed cap"),
        ({"turn_time_s": 1}, "turn_time_s", "between 3 and 60 s"),
        ({"hr_max": 180.5}, "hr_max", "whole number"),
    ],
)
def test_an_impossible_profile_names_its_key(
    changes: dict[str, float], key: str, words: str
) -> None:
    with pytest.raises(InvalidField) as err:
        RunnerProfile(**changes)  # type: ignore[arg-type]
    assert err.value.field == key and words in str(err.value)


def test_units_change_how_speeds_are_shown_not_what_is_stored() -> None:
    assert Units.KMH.format_speed(8.0) == "8.0 km/h"
    assert Units.MPH.format_speed(8.0467) == "5.0 mph"
    assert RunnerProfile(units=Units.MPH).walk_kmh == 5.0


def test_the_event_docs_name_every_cue_and_every_event() -> None:
    from retrocoach.coach import events

    text = (Path(__file__).parents[2] / "docs" / "events.md").read_text()
    for cue in CueId:
        assert f"`{cue.value}`" in text, cue
    for cls in vars(events).values():
        if isinstance(cls, type) and issubclass(cls, events.Event) and cls is not events.Event:
            assert f"### `{cls.name}`" in text, cls.name
