"""The TOML file format for workouts and runner profiles (retrocoach.workouts.fileformat)."""

from __future__ import annotations

import math
import pickle
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from retrocoach.workouts.fileformat import (
    WorkoutFileError,
    dump_profile,
    dump_workout,
    load_profile,
    load_workout,
    loads_profile,
    loads_workout,
    save_profile,
    save_workout,
)
from retrocoach.workouts.model import (
    MAX_STEP_METRES,
    MAX_STEP_SECONDS,
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
from retrocoach.workouts.profile import RunnerProfile, Units

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"

HEAD = 'name = "x"\ntitle = "X"\n'
STEP = '[[steps]]\ndirection = "backward"\ngait = "run"\n'


def workout_error(text: str) -> WorkoutFileError:
    with pytest.raises(WorkoutFileError) as caught:
        loads_workout(text, "w.toml")
    return caught.value


def profile_error(text: str) -> WorkoutFileError:
    with pytest.raises(WorkoutFileError) as caught:
        loads_profile(text, "p.toml")
    return caught.value


# --------------------------------------------------------------------------- examples


def test_example_workout_loads() -> None:
    workout = load_workout(EXAMPLES / "back-forth-50.toml")
    assert workout.name == "back-forth-50"
    assert workout.title == "8 × 50 m back / 50 m forward"
    assert workout.description.startswith("Short backward runs")
    warm_up, backward_walk, main, cool_down = workout.items
    assert warm_up == Step(Direction.FORWARD, Gait.WALK, TimeEnd(300), label="Warm-up")
    assert isinstance(backward_walk, Step)
    assert backward_walk.speed == RelativeSpeed(0.8)
    assert backward_walk.note.startswith("Hold the rails")
    assert isinstance(main, Repeat)
    assert (main.times, main.label) == (8, "Main set")
    back, forward = main.items
    assert back == Step(
        Direction.BACKWARD,
        Gait.RUN,
        DistanceEnd(50),
        RelativeSpeed(0.9),
        label="Back",
        note="Short quick steps, land on the balls of your feet.",
    )
    assert forward == Step(
        Direction.FORWARD, Gait.RUN, DistanceEnd(50), RelativeSpeed(0.8), label="Forward"
    )
    assert cool_down == Step(Direction.FORWARD, Gait.WALK, TimeEnd(300), label="Cool-down")
    assert len(workout.expand()) == 3 + 8 * 2


def test_example_profile_loads() -> None:
    profile = load_profile(EXAMPLES / "profile.toml")
    assert profile.name == "Sam"
    assert (profile.hr_max, profile.hr_rest, profile.hr_ceiling) == (188, 58, 170)
    assert profile.backward_factor == 0.7
    assert profile.units is Units.KMH


def test_examples_round_trip() -> None:
    workout = load_workout(EXAMPLES / "back-forth-50.toml")
    assert loads_workout(dump_workout(workout)) == workout
    profile = load_profile(EXAMPLES / "profile.toml")
    assert loads_profile(dump_profile(profile)) == profile


# --------------------------------------------------------------------------- writing


def test_dump_is_canonical_and_readable() -> None:
    workout = Workout(
        name="hills",
        title="Backward hills",
        description="Two lines\nof description.",
        items=(
            Step(Direction.FORWARD, Gait.WALK, TimeEnd(300.0), label="Warm-up"),
            Repeat(
                6,
                (
                    Step(
                        Direction.BACKWARD,
                        Gait.WALK,
                        TimeEnd(90),
                        AbsoluteSpeed(3.5),
                        incline_pct=8.0,
                        note='Say "up"',
                    ),
                    Repeat(2, (Step(Direction.FORWARD, Gait.WALK, DistanceEnd(2000)),)),
                ),
                label="Hills",
            ),
            Step(Direction.FORWARD, Gait.RUN, DistanceEnd(12.5), RelativeSpeed(0.75)),
        ),
    )
    assert dump_workout(workout) == (
        "format = 1\n"
        'name = "hills"\n'
        'title = "Backward hills"\n'
        'description = """\nTwo lines\nof description."""\n'
        "\n"
        "[[steps]]\n"
        'label = "Warm-up"\n'
        'direction = "forward"\n'
        'gait = "walk"\n'
        "duration_min = 5\n"
        "\n"
        "[[steps]]\n"
        "repeat = 6\n"
        'label = "Hills"\n'
        "\n"
        "  [[steps.steps]]\n"
        '  direction = "backward"\n'
        '  gait = "walk"\n'
        "  duration_s = 90\n"
        "  speed_kmh = 3.5\n"
        "  incline_pct = 8\n"
        '  note = "Say \\"up\\""\n'
        "\n"
        "  [[steps.steps]]\n"
        "  repeat = 2\n"
        "\n"
        "    [[steps.steps.steps]]\n"
        '    direction = "forward"\n'
        '    gait = "walk"\n'
        "    distance_km = 2\n"
        "\n"
        "[[steps]]\n"
        'direction = "forward"\n'
        'gait = "run"\n'
        "distance_m = 12.5\n"
        "pace = 0.75\n"
    )
    assert loads_workout(dump_workout(workout)) == workout


def test_units_convert_on_load_and_save_as_canonical_keys() -> None:
    workout = loads_workout(
        HEAD + STEP + "duration_min = 1.1\nspeed_mph = 6\n\n" + STEP + "distance_km = 0.05\n"
    )
    first, second = workout.items
    assert isinstance(first, Step) and isinstance(second, Step)
    assert first.end == TimeEnd(66)
    assert first.speed == AbsoluteSpeed(9.656064)
    assert second.end == DistanceEnd(50)
    assert second.speed == RelativeSpeed(1.0)
    text = dump_workout(workout)
    assert "duration_s = 66\n" in text
    assert "speed_kmh = 9.656064\n" in text
    assert "distance_m = 50\n" in text
    assert "speed_mph" not in text and "pace" not in text


def test_inline_tables_are_accepted() -> None:
    workout = loads_workout(
        HEAD + 'steps = [{ direction = "forward", gait = "walk", duration_s = 30 }]\n'
    )
    assert workout.items == (Step(Direction.FORWARD, Gait.WALK, TimeEnd(30)),)


def test_save_and_load_files(tmp_path: Path) -> None:
    workout = load_workout(EXAMPLES / "back-forth-50.toml")
    save_workout(workout, tmp_path / "w.toml")
    assert load_workout(tmp_path / "w.toml") == workout
    profile = RunnerProfile(name="Kim", hr_max=200, units=Units.MPH)
    save_profile(profile, str(tmp_path / "p.toml"))
    assert load_profile(str(tmp_path / "p.toml")) == profile


def test_dump_profile_writes_every_key() -> None:
    text = dump_profile(RunnerProfile())
    assert text.startswith("format = 1\nname = ")
    assert "hr_max = 190 " in text
    assert 'units = "kmh" ' in text
    assert loads_profile("") == RunnerProfile()


# --------------------------------------------------------------------------- round trips


def _numbers(low: float, high: float) -> st.SearchStrategy[float]:
    return st.one_of(
        st.integers(math.ceil(low), math.floor(high)),
        st.floats(low, high, allow_nan=False, allow_infinity=False),
    )


def _multiples(unit: int, most: int) -> st.SearchStrategy[float]:
    count = st.integers(1, most // unit)
    return st.one_of(count.map(lambda n: n * unit), count.map(lambda n: float(n * unit)))


_TEXT = st.text(max_size=12)
_ENDS = st.one_of(
    st.builds(TimeEnd, st.one_of(_numbers(1, MAX_STEP_SECONDS), _multiples(60, MAX_STEP_SECONDS))),
    st.builds(
        DistanceEnd, st.one_of(_numbers(1, MAX_STEP_METRES), _multiples(1000, MAX_STEP_METRES))
    ),
)
_SPEEDS = st.one_of(
    st.just(RelativeSpeed()),
    st.builds(RelativeSpeed, _numbers(0.1, 2.0)),
    st.builds(AbsoluteSpeed, _numbers(0.1, 30.0)),
)
_STEPS = st.builds(
    Step,
    direction=st.sampled_from(Direction),
    gait=st.sampled_from(Gait),
    end=_ENDS,
    speed=_SPEEDS,
    incline_pct=_numbers(-10, 40),
    label=_TEXT,
    note=_TEXT,
)


def _repeats(children: st.SearchStrategy[Item]) -> st.SearchStrategy[Item]:
    return st.builds(
        Repeat,
        times=st.integers(1, 4),
        items=st.lists(children, min_size=1, max_size=3).map(tuple),
        label=_TEXT,
    )


_ITEMS: st.SearchStrategy[Item] = st.recursive(_STEPS, _repeats, max_leaves=8)


@st.composite
def workouts(draw: st.DrawFn) -> Workout:
    name = draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}", fullmatch=True))
    title = draw(_TEXT.filter(str.strip))
    items = tuple(draw(st.lists(_ITEMS, min_size=1, max_size=4)))
    try:
        return Workout(name=name, title=title, items=items, description=draw(st.text()))
    except InvalidField:
        assume(False)
        raise


@st.composite
def profiles(draw: st.DrawFn) -> RunnerProfile:
    walk = draw(_numbers(0.5, 9))
    hr_max = draw(st.integers(100, 230))
    hr_rest = draw(st.integers(30, min(120, hr_max - 1)))
    backward_max = draw(_numbers(1, 20))
    forward_max = draw(_numbers(1, 30))
    return RunnerProfile(
        name=draw(_TEXT),
        walk_kmh=walk,
        run_kmh=draw(_numbers(max(2, walk), 25)),
        backward_factor=draw(_numbers(0.3, 1.0)),
        backward_max_kmh=backward_max,
        forward_max_kmh=forward_max,
        hr_max=hr_max,
        hr_rest=hr_rest,
        hr_ceiling=draw(st.integers(hr_rest + 1, hr_max)),
        turn_speed_kmh=draw(_numbers(1, min(5, backward_max, forward_max))),
        turn_time_s=draw(_numbers(3, 60)),
        units=draw(st.sampled_from(Units)),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workouts())
def test_any_workout_round_trips(workout: Workout) -> None:
    assert loads_workout(dump_workout(workout)) == workout


@settings(max_examples=100, deadline=None)
@given(profiles())
def test_any_profile_round_trips(profile: RunnerProfile) -> None:
    assert loads_profile(dump_profile(profile)) == profile


# --------------------------------------------------------------------------- bad files

NESTED = (
    HEAD
    + STEP
    + "duration_min = 5\n"  # line 6
    + "\n"
    + "[[steps]]\n"  # line 8
    + "repeat = 4\n"
    + "  [[steps.steps]]\n"
    + '  direction = "backward"\n'
    + '  gait = "run"\n'
    + "  distance_m = 50\n"
    + "  [[steps.steps]]\n"  # line 14
    + "  repeat = 2\n"
    + "    [[steps.steps.steps]]\n"
    + '    direction = "backward"\n'
    + '    gait = "walk"\n'
    + "    duration_s = 20\n"
    + "    [[steps.steps.steps]]\n"  # line 20
    + '    direction = "sideways"\n'  # line 21
    + '    gait = "walk"\n'
    + "    duration_s = 20\n"
    + "  [[steps.steps]]\n"
    + '  direction = "forward"\n'
    + '  gait = "run"\n'
    + "  distance_m = 50\n"
    + STEP
    + "duration_min = 5\n"
)

BAD_WORKOUTS = {
    "syntax error": (
        HEAD + '[[steps]]\ndirection = backward\ngait = "run"\n',
        'w.toml:4: not valid TOML: invalid value (column 13); put text in "double quotes"',
    ),
    "syntax error at the end": (
        HEAD + "steps = [1,\n",
        "w.toml:3: not valid TOML: invalid value (at the end of the file)",
    ),
    "unknown key with suggestion": (
        HEAD + STEP + "duration_s = 30\nspeeed = 5\n",
        'w.toml:7: steps[1].speeed: unknown key "speeed"; did you mean "speed_kmh"?',
    ),
    "unknown key without suggestion": (
        'name = "x"\ntitle = "X"\nauthor = "Jo"\n' + STEP + "duration_s = 30\n",
        'w.toml:3: author: unknown key "author"; '
        "use one of format, name, title, description, steps",
    ),
    "missing direction": (
        HEAD + STEP + "duration_s = 30\n\n" + '[[steps]]\ngait = "run"\nduration_s = 30\n',
        'w.toml:8: steps[2].direction: missing; use "backward" or "forward"',
    ),
    "bad direction": (
        HEAD + '[[steps]]\ndirection = "sideways"\ngait = "run"\nduration_s = 30\n',
        'w.toml:4: steps[1].direction: "sideways" is not a direction; use "backward" or "forward"',
    ),
    "bad gait": (
        HEAD + '[[steps]]\ndirection = "forward"\ngait = 3\nduration_s = 30\n',
        'w.toml:5: steps[1].gait: 3 is not a gait; use "walk" or "run"',
    ),
    "two ends": (
        HEAD + STEP + "duration_s = 30\ndistance_m = 50\n",
        "w.toml:7: steps[1].distance_m: give exactly one of duration_s, duration_min, "
        "distance_m, distance_km (found duration_s and distance_m)",
    ),
    "no end": (
        HEAD + STEP + 'label = "Back"\n',
        "w.toml:3: steps[1]: give exactly one of duration_s, duration_min, distance_m, "
        "distance_km (found none)",
    ),
    "negative duration": (
        HEAD + STEP + "duration_s = -5\n",
        "w.toml:6: steps[1].duration_s: a duration must be between 1 and 21600 s, not -5 s",
    ),
    "duration in minutes out of range": (
        HEAD + STEP + "duration_min = 400\n",
        "w.toml:6: steps[1].duration_min: a duration must be between 1 and 21600 s, "
        "not 24000 s (400 min)",
    ),
    "speed as a string": (
        HEAD + STEP + 'duration_s = 5\nspeed_kmh = "fast"\n',
        'w.toml:7: steps[1].speed_kmh: must be a number, not "fast"',
    ),
    "boolean is not a number": (
        HEAD + STEP + "duration_s = 5\npace = true\n",
        "w.toml:7: steps[1].pace: must be a number, not true",
    ),
    "two speeds": (
        HEAD + STEP + "duration_s = 5\npace = 0.9\nspeed_mph = 4\n",
        "w.toml:8: steps[1].speed_mph: give at most one of pace, speed_kmh, speed_mph "
        "(found pace and speed_mph)",
    ),
    "pace out of range": (
        HEAD + STEP + "duration_s = 5\npace = 2.5\n",
        "w.toml:7: steps[1].pace: a pace fraction must be between 0.1 and 2, not 2.5",
    ),
    "repeat 0": (
        HEAD
        + "[[steps]]\nrepeat = 0\n  "
        + STEP.replace("[[steps]]", "[[steps.steps]]")
        + "  duration_s = 5\n",
        "w.toml:4: steps[1].repeat: a repeat count must be between 1 and 100, not 0",
    ),
    "repeat not whole": (
        HEAD + "[[steps]]\nrepeat = 2.5\n",
        "w.toml:4: steps[1].repeat: must be a whole number, not 2.5",
    ),
    "repeat without steps": (
        HEAD + STEP + 'duration_s = 5\n\n[[steps]]\nrepeat = 3\nlabel = "Set"\n',
        "w.toml:8: steps[2].steps: missing; a repeat needs the steps it repeats, "
        "as [[steps.steps]] tables",
    ),
    "repeat with a step key": (
        HEAD + '[[steps]]\nrepeat = 3\ngait = "run"\n',
        'w.toml:5: steps[1].gait: a repeat cannot have "gait"; put it in the steps it '
        "repeats ([[steps.steps]])",
    ),
    "step with nested steps": (
        HEAD + STEP + 'duration_s = 5\n  [[steps.steps]]\n  direction = "forward"\n',
        'w.toml:7: steps[1].steps: a step cannot have steps of its own; add "repeat = N" '
        "to its [[steps]] table to make it a repeat",
    ),
    "nested error two levels deep": (
        NESTED,
        'w.toml:21: steps[2].steps[2].steps[2].direction: "sideways" is not a direction; '
        'use "backward" or "forward"',
    ),
    "incline out of range": (
        HEAD + STEP + "duration_s = 5\nincline_pct = 45\n",
        "w.toml:7: steps[1].incline_pct: an incline must be between -10 and 40 %, not 45 %",
    ),
    "error inside an inline array": (
        HEAD
        + "steps = [\n"
        + '  { direction = "forward", gait = "walk", duration_s = 30 },\n'
        + '  { direction = "forward", gait = "walk", duration_s = 30, incline_pct = 50 },\n'
        + "]\n",
        "w.toml:5: steps[2].incline_pct: an incline must be between -10 and 40 %, not 50 %",
    ),
    "step that is not a table": (
        HEAD + "steps = [\n  3,\n]\n",
        "w.toml:4: steps[1]: must be a table, not 3",
    ),
    "steps missing": (HEAD, "w.toml: steps: missing; a workout needs at least one [[steps]] table"),
    "steps empty": (HEAD + "steps = []\n", "w.toml:3: steps: a workout needs at least one step"),
    "bad name": (
        'name = "Back Forth"\ntitle = "X"\n' + STEP + "duration_s = 5\n",
        "w.toml:1: name: 'Back Forth' is not a workout name: "
        "use lower-case letters, digits and '-'",
    ),
    "unknown format": (
        "format = 2\n" + HEAD + STEP + "duration_s = 5\n",
        "w.toml:1: format: unsupported format 2; this version reads format = 1",
    ),
    "label not a string": (
        HEAD + STEP + "duration_s = 5\nlabel = 3\n",
        "w.toml:7: steps[1].label: must be a string in quotes, not 3",
    ),
    "multi-line string is not a header": (
        HEAD + STEP + 'note = """\n[[steps]]\n"""\nduration_s = 0\n',
        "w.toml:9: steps[1].duration_s: a duration must be between 1 and 21600 s, not 0 s",
    ),
}


@pytest.mark.parametrize("text, expected", BAD_WORKOUTS.values(), ids=BAD_WORKOUTS.keys())
def test_bad_workout_files(text: str, expected: str) -> None:
    assert str(workout_error(text)) == expected


BAD_PROFILES = {
    "hr_ceiling above hr_max": (
        "hr_max = 170\nhr_ceiling = 180\n",
        "p.toml:2: hr_ceiling: the heart-rate ceiling (180) must be above the resting heart "
        "rate (60) and at most the maximum (170)",
    ),
    "default hr_ceiling above hr_max": (
        'name = "Jo"\nhr_max = 170\n',
        "p.toml: hr_ceiling: the heart-rate ceiling (175) must be above the resting heart "
        "rate (60) and at most the maximum (170); hr_ceiling is not in the file, so its "
        "default 175 applies",
    ),
    "unknown key": (
        'name = "Jo"\nwalk_kph = 5\n',
        'p.toml:2: walk_kph: unknown key "walk_kph"; did you mean "walk_kmh"?',
    ),
    "wrong type": ('run_kmh = "9"\n', 'p.toml:1: run_kmh: must be a number, not "9"'),
    "heart rate not whole": (
        "hr_max = 180.5\n",
        "p.toml:1: hr_max: must be a whole number, not 180.5",
    ),
    "bad units": (
        'units = "knots"\n',
        'p.toml:1: units: "knots" is not a unit; use "kmh" or "mph"',
    ),
    "run slower than walk": (
        "walk_kmh = 6\nrun_kmh = 5\n",
        "p.toml:2: run_kmh: the running speed (5 km/h) is below the walking speed (6 km/h)",
    ),
    "syntax error": ("hr_max = \n", "p.toml:1: not valid TOML: invalid value (column 10)"),
}


@pytest.mark.parametrize("text, expected", BAD_PROFILES.values(), ids=BAD_PROFILES.keys())
def test_bad_profile_files(text: str, expected: str) -> None:
    assert str(profile_error(text)) == expected


def test_error_attributes() -> None:
    error = workout_error(NESTED)
    assert (error.path, error.line) == ("w.toml", 21)
    assert error.key == "steps[2].steps[2].steps[2].direction"
    assert error.message == '"sideways" is not a direction; use "backward" or "forward"'
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(WorkoutFileError) as caught:
        load_workout(path)
    assert caught.value.line is None and caught.value.key is None
    assert str(caught.value) == f"{path}: cannot read the file: No such file or directory"
    with pytest.raises(WorkoutFileError):
        load_profile(path)


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "x"\ntitle = "Caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(WorkoutFileError) as caught:
        load_workout(path)
    assert str(caught.value) == f"{path}:2: not UTF-8 text (byte 0xe9); save it as UTF-8"


# --------------------------------------------------------------------------- the documentation

DOC = EXAMPLES.parent / "workout-format.md"


def _doc_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", DOC.read_text("utf-8"), re.M | re.S)


def test_doc_examples_load_and_match_the_example_files() -> None:
    blocks = _doc_blocks("toml")
    workouts = [loads_workout(block) for block in blocks if "\ntitle = " in block]
    assert [w.name for w in workouts] == [
        "easy-backward-intro",
        "back-forth-50",
        "backward-hills",
        "backward-strides",
    ]
    assert len(workouts[3].expand()) == 20
    [profile] = [loads_profile(block) for block in blocks if "walk_kmh" in block]
    assert profile == load_profile(EXAMPLES / "profile.toml")
    for example in EXAMPLES.glob("*.toml"):
        assert example.read_text("utf-8") in blocks, example.name


def test_doc_error_messages_are_real() -> None:
    head = 'name = "test"\ntitle = "Test"\n\n'
    step = '[[steps]]\ndirection = "backward"\ngait = "run"\n'
    workouts = [
        head + step + "duration_s = 30\nspeeed = 5\n",
        head + '[[steps]]\ndirection = "sideways"\ngait = "run"\nduration_s = 30\n',
        head + step + 'duration_s = 30\nspeed_kmh = "fast"\n',
        head + step + "duration_s = 30\ndistance_m = 50\n",
        head + step + "pace = 0.9\n",
        head + step + "duration_s = 30\npace = 90\n",
        head + step + "duration_min = 0.5\nincline_pct = 45\n",
        head + '[[steps]]\nrepeat = 8\nlabel = "Main set"\n',
        head + "[[steps]]\ndirection = backward\n",
        head
        + "[[steps]]\nrepeat = 8\n\n"
        + '  [[steps.steps]]\n  direction = "backward"\n  gait = "run"\n  distance_m = 50\n\n'
        + '  [[steps.steps]]\n  direction = "forward"\n  gait = "run"\n  distance_m = -50\n',
        'name = "x"\ntitle = "X"\n' + step + "duration_min = 400\n",
    ]
    profiles = [
        "walk_kph = 5.5\n",
        'units = "km/h"\n',
        "hr_max = 182.5\n",
        "hr_max = 170\nhr_ceiling = 180\n",
    ]
    messages = []
    for text in workouts:
        with pytest.raises(WorkoutFileError) as caught:
            loads_workout(text, "my-workout.toml")
        messages.append(str(caught.value))
    for text in profiles:
        with pytest.raises(WorkoutFileError) as caught:
            loads_profile(text, "profile.toml")
        messages.append(str(caught.value))
    doc_lines = {line for block in _doc_blocks("text") for line in block.splitlines()}
    for message in messages:
        assert message in doc_lines
