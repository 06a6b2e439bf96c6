"""Zwift .zwo workout files (retrocoach.workouts.zwo): the library round-trips, running
workouts from elsewhere are read the documented way, and bad or hostile XML is refused
with a message naming the file, the line and the element or attribute."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from retrocoach.workouts.errors import WorkoutFileError
from retrocoach.workouts.fileformat import load_workout
from retrocoach.workouts.library import all_workouts, get
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
from retrocoach.workouts.progression import PROGRESSION
from retrocoach.workouts.zwo import dump_zwo, load_zwo, loads_zwo, save_zwo

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLES = DOCS / "examples"

BACK, FWD = Direction.BACKWARD, Direction.FORWARD
WALK, RUN = Gait.WALK, Gait.RUN

HEAD = "<workout_file>\n<sportType>run</sportType>\n<workout>\n"  # steps start on line 4
TAIL = "</workout>\n</workout_file>\n"


def run_file(*steps: str, head: str = HEAD) -> str:
    return head + "\n".join(steps) + "\n" + TAIL


def steps_of(workout: Workout) -> list[Step]:
    return [expanded.step for expanded in workout.expand()]


def zwo_error(text: str) -> WorkoutFileError:
    with pytest.raises(WorkoutFileError) as caught:
        loads_zwo(text, "w.zwo")
    return caught.value


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("workout", all_workouts(), ids=lambda workout: workout.name)
def test_every_built_in_workout_round_trips(workout: Workout, tmp_path: Path) -> None:
    path = tmp_path / f"{workout.name}.zwo"
    save_zwo(workout, path)
    back = load_zwo(path)
    # Same steps in the same order: direction, gait, end, speed, incline, label and note.
    assert steps_of(back) == steps_of(workout)
    assert (back.name, back.title, back.description) == (
        workout.name,
        workout.title,
        workout.description,
    )


def test_the_progression_is_all_in_the_library() -> None:
    names = {workout.name for workout in all_workouts()}
    assert {session.name for session in PROGRESSION.sessions()} <= names


def test_a_repeat_of_two_steps_stays_a_repeat() -> None:
    # first-steps: 3 × (backward walk, forward walk) and 3 × (backward walk, forward jog).
    workout = get("first-steps")
    text = dump_zwo(workout)
    assert text.count("<IntervalsT ") == 2
    back = loads_zwo(text)
    assert [type(item) for item in back.items] == [type(item) for item in workout.items]
    repeat = back.items[3]
    assert isinstance(repeat, Repeat)
    assert repeat.times == 3
    assert [step.label for step in repeat.items if isinstance(step, Step)] == [
        "Backward walk",
        "Forward walk",
    ]
    # The repeat's own label has no place in the file.
    assert repeat.label == ""


def test_repeats_that_do_not_fit_intervals_are_written_out() -> None:
    # The hill blocks pair a 6 % backward walk with a flat walk: one IntervalsT has one
    # incline, so each block is written out; 400 m rounds have three steps.
    for name in ("backward-hills", "back-forth-400"):
        text = dump_zwo(get(name))
        assert "<IntervalsT" not in text
        assert text.count("<SteadyState ") == len(get(name).expand())


def test_direction_gait_and_label_are_in_the_first_message_and_the_note_in_the_next() -> None:
    step = Step(
        BACK,
        WALK,
        TimeEnd(90),
        RelativeSpeed(0.9),
        incline_pct=6,
        label='Hill <1> & "2"',
        note="Push through the whole foot.\nChest up.",
    )
    text = dump_zwo(Workout("hills", "Hills", (step,)))
    assert (
        '<SteadyState Duration="90" Power="0.35" pace="4" Incline="0.06">\n'
        '      <textevent timeoffset="0" message="Backwards walk: Hill &lt;1&gt; &amp; '
        '&quot;2&quot;"/>\n'
        '      <textevent timeoffset="10" message="Push through the whole foot.&#10;Chest up."/>\n'
        "    </SteadyState>"
    ) in text
    assert steps_of(loads_zwo(text)) == [step]


def test_the_head_of_an_exported_file() -> None:
    workout = Workout("x", "Back & forth", (Step(FWD, RUN, TimeEnd(60)),), description="Easy.")
    assert dump_zwo(workout).startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<workout_file>\n"
        "  <author>retrocoach</author>\n"
        "  <name>Back &amp; forth</name>\n"
        "  <description>Easy.</description>\n"
        "  <sportType>run</sportType>\n"
        "  <durationType>time</durationType>\n"
        "  <workout>\n"
    )


def test_power_is_the_speed_of_the_reference_runner_over_9_kmh() -> None:
    # Walk 5 km/h, run 9 km/h, backward factor 0.7: what other apps will set the belt to.
    cases = [
        (Step(FWD, RUN, TimeEnd(60), RelativeSpeed(0.9)), "0.9"),  # 8.1 km/h
        (Step(FWD, WALK, TimeEnd(60), RelativeSpeed(0.9)), "0.5"),  # 4.5 km/h
        (Step(BACK, RUN, TimeEnd(60), RelativeSpeed(1.0)), "0.7"),  # 6.3 km/h
        (Step(BACK, WALK, TimeEnd(60), RelativeSpeed(0.9)), "0.35"),  # 3.15 km/h
    ]
    for step, power in cases:
        text = dump_zwo(Workout("x", "X", (step,)))
        assert f'Power="{power}"' in text, text
        assert steps_of(loads_zwo(text)) == [step]


def test_an_absolute_speed_is_kept_in_speed_kmh() -> None:
    step = Step(BACK, WALK, TimeEnd(40), AbsoluteSpeed(4.5))
    text = dump_zwo(Workout("x", "X", (step,)))
    # Power is there for other apps only: 4.5 / 9.
    assert 'Power="0.5" pace="4" speed_kmh="4.5"' in text
    assert steps_of(loads_zwo(text)) == [step]


def test_a_mixed_workout_keeps_each_steps_own_end() -> None:
    # More time steps than distance steps: the file counts in seconds, and the 400 m step
    # carries its exact distance with an estimate in Duration for other apps.
    workout = Workout(
        "mixed",
        "Mixed",
        (
            Step(FWD, WALK, TimeEnd(300)),
            Step(BACK, RUN, DistanceEnd(400), RelativeSpeed(1.0)),
            Step(FWD, WALK, TimeEnd(120)),
        ),
    )
    text = dump_zwo(workout)
    assert "<durationType>time</durationType>" in text
    # 400 m at 6.3 km/h (9 × 0.7) is 229 s.
    assert '<SteadyState Duration="229" distance_m="400"' in text
    assert steps_of(loads_zwo(text)) == steps_of(workout)


def test_a_mostly_distance_workout_counts_in_metres() -> None:
    workout = get("back-forth-50")  # 6 timed steps, 20 of 50 m
    text = dump_zwo(workout)
    assert "<durationType>distance</durationType>" in text
    # 3 min at 5 km/h is 250 m; the exact 180 s is in duration_s.
    assert '<SteadyState Duration="250" duration_s="180"' in text
    assert '<IntervalsT Repeat="10" OnDuration="50" OffDuration="50"' in text
    assert 'distoffset="50" message="Forwards run: 50 m forwards"' in text


def test_inclines_are_written_on_every_step_once_one_has_one() -> None:
    # So an app that keeps the last incline (QZ) goes back to flat after a hill.
    text = dump_zwo(get("backward-hills"))
    assert text.count('Incline="0"') == 10
    assert text.count('Incline="0.06"') == 2
    assert "Incline" not in dump_zwo(get("back-forth-50"))


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\r\t"))
_FRACTIONS = st.one_of(
    st.integers(100, 2000).map(lambda n: n / 1000),
    st.integers(10**8, 2 * 10**9).map(lambda n: n / 10**9),  # nine decimals
)
_ENDS = st.one_of(
    st.builds(TimeEnd, st.floats(1, MAX_STEP_SECONDS) | st.integers(1, MAX_STEP_SECONDS)),
    st.builds(DistanceEnd, st.floats(1, MAX_STEP_METRES) | st.integers(1, MAX_STEP_METRES)),
)
_SPEEDS = st.one_of(
    st.builds(RelativeSpeed, _FRACTIONS),
    st.builds(AbsoluteSpeed, st.floats(0.1, 30.0)),
)
_STEPS = st.builds(
    Step,
    direction=st.sampled_from(Direction),
    gait=st.sampled_from(Gait),
    end=_ENDS,
    speed=_SPEEDS,
    incline_pct=st.integers(-100, 400).map(lambda n: n / 10),
    label=_TEXT,
    note=_TEXT,
)


def _repeats(children: st.SearchStrategy[Item]) -> st.SearchStrategy[Item]:
    return st.builds(
        Repeat, times=st.integers(1, 4), items=st.lists(children, min_size=1, max_size=3).map(tuple)
    )


@st.composite
def workouts(draw: st.DrawFn) -> Workout:
    title = draw(_TEXT.map(str.strip).filter(bool))
    items = tuple(draw(st.lists(st.recursive(_STEPS, _repeats, max_leaves=8), min_size=1)))
    try:
        return Workout("any", title, items, description=draw(_TEXT.map(str.strip)))
    except InvalidField:
        assume(False)
        raise


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workouts())
def test_any_workout_round_trips(workout: Workout) -> None:
    back = loads_zwo(dump_zwo(workout))
    assert steps_of(back) == steps_of(workout)
    assert (back.title, back.description) == (workout.title, workout.description)


def test_characters_xml_cannot_carry_are_replaced() -> None:
    step = Step(FWD, RUN, TimeEnd(60), label="a\x00b\x1fc")
    back = loads_zwo(dump_zwo(Workout("x", "X", (step,))))
    assert steps_of(back)[0].label == "a\ufffdb\ufffdc"


# --------------------------------------------------------------------------- files from elsewhere


def test_a_zwift_running_workout_is_read_the_documented_way() -> None:
    text = run_file(
        '<Warmup Duration="300" PowerLow="0.5" PowerHigh="0.7" pace="1">',
        '  <textevent timeoffset="0" message="Easy walk to warm up"/>',
        '  <textevent timeoffset="120" message="Breathe"/>',
        "</Warmup>",
        '<IntervalsT Repeat="6" OnDuration="30" OffDuration="60" OnPower="0.63" '
        'OffPower="0.5" pace="1">',
        '  <textevent timeoffset="0" message="Turn around: run backwards"/>',
        '  <textevent timeoffset="30" message="Recover"/>',
        '  <textevent timeoffset="400" message="Last one!"/>',
        "</IntervalsT>",
        '<SteadyState Duration="240" Power="0.8" Incline="0.04" Cadence="170"/>',
        '<FreeRide Duration="120"/>',
        '<Cooldown Duration="300" PowerLow="0.6" PowerHigh="0.4"/>',
        '<textevent timeoffset="5" message="Workout-wide messages are not steps"/>',
    )
    workout = loads_zwo(text, "Easy intervals.zwo")
    assert workout.name == "easy-intervals"
    assert workout.title == "Easy intervals"  # no <name>: the file name
    warm_up, intervals, steady, free, cool_down = workout.items
    # A ramp is one step at its mean Power (0.6 × 9 km/h = 5.4 km/h): a walk, so
    # 5.4 / 5 of the walk pace. The first short message is the label, the rest the note.
    assert warm_up == Step(
        FWD, WALK, TimeEnd(300), RelativeSpeed(1.08), label="Easy walk to warm up", note="Breathe"
    )
    assert isinstance(intervals, Repeat)
    assert intervals.times == 6
    # "backwards" makes a backward step; 0.63 × 9 = 5.67 km/h is 0.9 of the backward
    # run pace (9 × 0.7). Messages after the first round are left out.
    assert intervals.items == (
        Step(BACK, RUN, TimeEnd(30), RelativeSpeed(0.9), label="Turn around: run backwards"),
        Step(FWD, WALK, TimeEnd(60), RelativeSpeed(0.9), label="Recover"),
    )
    # No words: 0.8 × 9 = 7.2 km/h is a run. Incline is a fraction, as QZ reads it.
    assert steady == Step(FWD, RUN, TimeEnd(240), RelativeSpeed(0.8), incline_pct=4)
    assert free == Step(FWD, RUN, TimeEnd(120), RelativeSpeed(1.0))
    assert cool_down == Step(FWD, WALK, TimeEnd(300), RelativeSpeed(0.9))


def test_element_and_attribute_names_are_read_whatever_their_case() -> None:
    text = run_file(
        '<steadystate duration="60" power="0.6">'
        '<TextEvent TimeOffset="0" message="Backwards walk: slow"/></steadystate>',
        '<Freeride Duration="60"/>',
    )
    first, second = loads_zwo(text).items
    # 0.6 × 9 = 5.4 km/h against the backward walk pace, 5 × 0.7 = 3.5 km/h.
    assert first == Step(BACK, WALK, TimeEnd(60), RelativeSpeed(1.542857143), label="slow")
    assert isinstance(second, Step) and second.end == TimeEnd(60)


def test_distance_workouts_and_the_exact_lengths_of_other_steps() -> None:
    head = HEAD.replace("<workout>", "<durationType>Distance</durationType>\n<workout>")
    text = run_file(
        '<SteadyState Duration="400" Power="0.9"/>',
        '<SteadyState Duration="1" duration_s="90" Power="0.5"/>',
        '<IntervalsT Repeat="4" OnDuration="50" OffDuration="50" OnPower="0.7" OffPower="0.8"/>',
        head=head,
    )
    first, second, repeat = loads_zwo(text).items
    assert isinstance(first, Step) and first.end == DistanceEnd(400)
    assert isinstance(second, Step) and second.end == TimeEnd(90)
    assert isinstance(repeat, Repeat)
    assert [step.end for step in repeat.items if isinstance(step, Step)] == [DistanceEnd(50)] * 2


def test_speed_kmh_and_a_threshold_pace_give_absolute_speeds() -> None:
    text = run_file('<SteadyState Duration="60" speed_kmh="4.5"/>')
    assert loads_zwo(text).items == (Step(FWD, WALK, TimeEnd(60), AbsoluteSpeed(4.5)),)
    # TrainAsONE and QZ: Power is a share of <thresholdSecPerKm>, here 6:00 /km (10 km/h).
    head = HEAD.replace("<workout>", "<thresholdSecPerKm>360</thresholdSecPerKm>\n<workout>")
    text = run_file('<SteadyState Duration="60" Power="0.9"/>', head=head)
    assert loads_zwo(text).items == (Step(FWD, RUN, TimeEnd(60), AbsoluteSpeed(9.0)),)


@pytest.mark.parametrize(("power", "gait"), [("0.72", WALK), ("0.73", RUN)])
def test_without_words_the_gait_follows_the_speed(power: str, gait: Gait) -> None:
    # Below 6.5 km/h is a walk: 0.72 × 9 = 6.48 km/h; 0.73 × 9 = 6.57 km/h is a run.
    [step] = steps_of(loads_zwo(run_file(f'<SteadyState Duration="60" Power="{power}"/>')))
    assert step.gait is gait


@pytest.mark.parametrize(
    ("message", "direction", "gait", "label", "note"),
    [
        ("Backwards run", BACK, RUN, "", ""),
        ("Forwards walk: Warm-up: easy", FWD, WALK, "Warm-up: easy", ""),
        ("Backward jog, eyes level", BACK, RUN, "Backward jog, eyes level", ""),
        ("Walk backwards slowly", BACK, WALK, "Walk backwards slowly", ""),
        ("Get your back straight and run", FWD, RUN, "Get your back straight and run", ""),
        ("x" * 61, FWD, WALK, "", "x" * 61),
    ],
)
def test_what_a_message_says(
    message: str, direction: Direction, gait: Gait, label: str, note: str
) -> None:
    text = run_file(
        f'<SteadyState Duration="60" Power="0.6"><textevent message="{message}"/></SteadyState>'
    )
    [step] = steps_of(loads_zwo(text))
    assert (step.direction, step.gait, step.label, step.note) == (direction, gait, label, note)


def test_a_title_and_description_and_a_name_from_the_file_name(tmp_path: Path) -> None:
    head = HEAD.replace(
        "<workout>",
        "<name>  Rückwärts Hügel  </name>\n<description>\n  Steep.\n</description>\n<workout>",
    )
    path = tmp_path / "Rückwärts (2).zwo"
    path.write_text(run_file('<SteadyState Duration="60" Power="0.8"/>', head=head), "utf-8")
    workout = load_zwo(path)
    assert (workout.name, workout.title, workout.description) == (
        "ruckwarts-2",
        "Rückwärts Hügel",
        "Steep.",
    )
    # Text without a file name is named after its title.
    assert loads_zwo(run_file('<SteadyState Duration="60" Power="0.8"/>', head=head)).name == (
        "ruckwarts-hugel"
    )


def test_other_encodings_are_read_from_the_declaration(tmp_path: Path) -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?>\n' + run_file(
        '<SteadyState Duration="60" Power="0.8"><textevent message="Rückwärts gehen"/>'
        "</SteadyState>"
    )
    path = tmp_path / "utf16.zwo"
    path.write_bytes(text.encode("utf-16"))
    assert steps_of(load_zwo(path))[0].label == "Rückwärts gehen"


# --------------------------------------------------------------------------- refused


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<workout_file><name>&lol9;</name><sportType>run</sportType></workout_file>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE workout_file [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<workout_file><name>&x;</name><sportType>run</sportType></workout_file>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE workout_file SYSTEM "http://example.com/zwo.dtd">
<workout_file><sportType>run</sportType></workout_file>
"""

PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE workout_file [<!ENTITY % p SYSTEM "http://example.com/p.dtd"> %p;]>
<workout_file/>
"""

REFUSED = "refused: it has a document type declaration"

CYCLING = """<workout_file>
  <name>Sweet spot</name>
  <sportType>bike</sportType>
  <workout>
    <SteadyState Duration="600" Power="0.9"/>
  </workout>
</workout_file>
"""

STEADY = '<SteadyState Duration="60" Power="0.8"/>'
DISTANCE_HEAD = HEAD.replace("<workout>", "<durationType>distance</durationType>\n<workout>")


@pytest.mark.parametrize(
    ("text", "line", "key", "problem"),
    [
        # Hostile.
        (BILLION_LAUGHS, 2, None, f"{REFUSED} (<!DOCTYPE lolz …>)"),
        (EXTERNAL_ENTITY, 2, None, REFUSED),
        (EXTERNAL_DTD, 2, None, f"{REFUSED} that would load http://example.com/zwo.dtd"),
        (PARAMETER_ENTITY, 2, None, REFUSED),
        # Not XML, or not a running workout.
        ("", 1, None, "not valid XML: the file has no XML in it"),
        (
            HEAD + STEADY,
            4,
            None,
            "not valid XML: the file ends inside <workout> (opened on line 3); it is cut short",
        ),
        (HEAD + '<SteadyState Duration="6', 4, None, "not valid XML: unclosed token (column 1)"),
        ("Duration=60\n", 1, None, "not valid XML: not well-formed (invalid token) (column 9)"),
        (run_file('<SteadyState Duration="60" Duration="90"/>'), 4, None, "duplicate attribute"),
        (run_file("<SteadyState>&nbsp;</SteadyState>"), 4, None, "undefined entity (column 14)"),
        ("<html>\n<body/></html>", 1, None, "not a Zwift workout: the file is <html>"),
        (CYCLING, 3, "sportType", "a cycling workout: its Power is a share of a cyclist's FTP"),
        (
            "<workout_file><workout>" + STEADY + "</workout></workout_file>",
            1,
            "sportType",
            "missing, so this is a cycling workout (Zwift's default)",
        ),
        (
            HEAD.replace("run", "swim") + TAIL,
            2,
            "sportType",
            '"swim" is not a sport for a treadmill',
        ),
        (
            HEAD.replace("<workout>", "<durationType>laps</durationType>") + "</workout_file>",
            3,
            "durationType",
            '"laps" is not a duration type; use time (seconds) or distance (metres)',
        ),
        ("<workout_file><sportType>run</sportType></workout_file>", 1, "workout", "missing"),
        (HEAD + TAIL, 3, "workout", "has no steps"),
        # Steps.
        (
            run_file(STEADY, '<MaxEffort Duration="20"/>'),
            5,
            "workout.MaxEffort[1]",
            "an all-out effort has no speed a treadmill can be set to",
        ),
        (run_file('<Swim Duration="60"/>'), 4, "workout.Swim[1]", "<Swim> is not a step"),
        (
            run_file(STEADY, STEADY, '<SteadyState Duration="0" Power="0.8"/>'),
            6,
            "workout.SteadyState[3].Duration",
            "a duration must be between 1 and 21600 s, not 0 s",
        ),
        (
            run_file('<SteadyState Duration="-30" Power="0.8"/>'),
            4,
            "workout.SteadyState[1].Duration",
            "not -30 s",
        ),
        (
            run_file('<Warmup Duration="86400" PowerLow="0.5" PowerHigh="0.8"/>'),
            4,
            "workout.Warmup[1].Duration",
            "a duration must be between 1 and 21600 s, not 86400 s",
        ),
        (
            run_file('<SteadyState Duration="1e999" Power="0.8"/>'),
            4,
            "workout.SteadyState[1].Duration",
            "1e999 is too large a number",
        ),
        (
            DISTANCE_HEAD + '<SteadyState Duration="60000" Power="0.8"/>' + TAIL,
            5,
            "workout.SteadyState[1].Duration",
            "a distance must be between 1 and 50000 m, not 60000 m",
        ),
        (
            run_file('<SteadyState Duration="1" distance_m="0" Power="0.8"/>'),
            4,
            "workout.SteadyState[1].distance_m",
            "a distance must be between 1 and 50000 m, not 0 m",
        ),
        (
            run_file('<SteadyState Power="0.8"/>'),
            4,
            "workout.SteadyState[1].Duration",
            "missing; give the step's length in seconds",
        ),
        (
            run_file('<SteadyState Duration="60"/>'),
            4,
            "workout.SteadyState[1].Power",
            "missing; give Power (a share of the reference pace",
        ),
        (
            run_file('<Ramp Duration="60"/>'),
            4,
            "workout.Ramp[1].PowerLow",
            "missing; give PowerLow and PowerHigh",
        ),
        (
            run_file('<SteadyState Duration="1:00" Power="0.8"/>'),
            4,
            "workout.SteadyState[1].Duration",
            'must be a number, not "1:00"',
        ),
        (
            run_file('<SteadyState Duration="60" Power="nan"/>'),
            4,
            "workout.SteadyState[1].Power",
            'must be a number, not "nan"',
        ),
        (
            run_file('<SteadyState Duration="60" Power="5"/>'),
            4,
            "workout.SteadyState[1].Power",
            "Power 5 on a forwards run comes to 5 times the runner's own pace (45 km/h",
        ),
        (
            run_file('<SteadyState Duration="60" Power="0"/>'),
            4,
            "workout.SteadyState[1].Power",
            "Power 0 on a forwards walk comes to 0 times",
        ),
        (
            run_file('<SteadyState Duration="60" speed_kmh="45"/>'),
            4,
            "workout.SteadyState[1].speed_kmh",
            "a speed must be between 0.1 and 30 km/h, not 45 km/h",
        ),
        (
            run_file('<SteadyState Duration="60" speed_kmh="5" speed="5"/>'),
            4,
            "workout.SteadyState[1].speed",
            "give at most one of speed_kmh and speed",
        ),
        (
            run_file('<SteadyState Duration="60" Power="0.8" Incline="0.5"/>'),
            4,
            "workout.SteadyState[1].Incline",
            "an incline must be between -10 and 40 %, not 50 %",
        ),
        (
            run_file('<SteadyState Duration="60" Power="0.8" power="0.7"/>'),
            4,
            "workout.SteadyState[1].power",
            "given twice (as Power and power)",
        ),
        (
            run_file('<IntervalsT OnDuration="30" OffDuration="30" OnPower="0.9" OffPower="0.5"/>'),
            4,
            "workout.IntervalsT[1].Repeat",
            "missing; give how many times",
        ),
        (
            run_file(
                '<IntervalsT Repeat="0" OnDuration="30" OffDuration="30" OnPower="0.9" '
                'OffPower="0.5"/>'
            ),
            4,
            "workout.IntervalsT[1].Repeat",
            "a repeat count must be between 1 and 100, not 0",
        ),
        (
            run_file(
                '<IntervalsT Repeat="2.5" OnDuration="30" OffDuration="30" OnPower="0.9" '
                'OffPower="0.5"/>'
            ),
            4,
            "workout.IntervalsT[1].Repeat",
            "must be a whole number, not 2.5",
        ),
        (
            run_file('<IntervalsT Repeat="2" OnDuration="30" OnPower="0.9" OffPower="0.5"/>'),
            4,
            "workout.IntervalsT[1].OffDuration",
            "missing",
        ),
        (
            run_file(
                '<SteadyState Duration="60" Power="0.8">',
                '  <textevent timeoffset="soon" message="Go"/>',
                "</SteadyState>",
            ),
            5,
            "workout.SteadyState[1].textevent[1].timeoffset",
            'must be a number, not "soon"',
        ),
    ],
)
def test_bad_and_hostile_files_are_refused_with_where_and_what(
    text: str, line: int, key: str | None, problem: str
) -> None:
    error = zwo_error(text)
    assert error.path == "w.zwo"
    assert error.line == line, str(error)
    assert error.key == key, str(error)
    assert problem in error.message, str(error)
    where = f"w.zwo:{line}: " + (f"{key}: " if key else "")
    assert str(error).startswith(where)


def test_an_entity_bomb_is_refused_at_once() -> None:
    started = time.perf_counter()
    zwo_error(BILLION_LAUGHS.replace("&lol9;", "&lol9;" * 1000))
    assert time.perf_counter() - started < 0.5


def test_too_many_steps_are_refused() -> None:
    repeat = (
        '<IntervalsT Repeat="100" OnDuration="30" OffDuration="30" OnPower="0.9" OffPower="0.5"/>'
    )
    error = zwo_error(run_file(*[repeat] * 11))
    assert (error.line, error.key) == (3, "workout")
    assert "expands to 2200 steps; at most 2000" in error.message


def test_nothing_is_returned_from_a_file_bad_at_its_last_step(tmp_path: Path) -> None:
    path = tmp_path / "almost.zwo"
    path.write_text(run_file(*[STEADY] * 20, '<SteadyState Duration="0" Power="0.8"/>'), "utf-8")
    with pytest.raises(WorkoutFileError) as caught:
        load_zwo(path)
    assert (caught.value.path, caught.value.line) == (str(path), 24)


def test_a_missing_file_and_a_huge_one(tmp_path: Path) -> None:
    with pytest.raises(WorkoutFileError) as caught:
        load_zwo(tmp_path / "missing.zwo")
    assert (
        str(caught.value)
        == f"{tmp_path / 'missing.zwo'}: cannot read the file: No such file or directory"
    )
    huge = tmp_path / "huge.zwo"
    huge.write_bytes(b"<workout_file>" + b" " * 3_000_000 + b"</workout_file>")
    with pytest.raises(WorkoutFileError) as caught:
        load_zwo(huge)
    assert "too large for a workout file" in caught.value.message


def test_bytes_that_are_not_the_declared_encoding(tmp_path: Path) -> None:
    path = tmp_path / "w.zwo"
    path.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n<workout_file>\xff</workout_file>')
    with pytest.raises(WorkoutFileError) as caught:
        load_zwo(path)
    assert (caught.value.line, caught.value.message) == (
        2,
        "not valid XML: not well-formed (invalid token) (column 15)",
    )


def test_saving_where_it_cannot_be_written(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "x.zwo"
    with pytest.raises(WorkoutFileError) as caught:
        save_zwo(get("first-steps"), target)
    assert caught.value.message.startswith("cannot write the file: ")


# --------------------------------------------------------------------------- docs


def _doc_blocks(language: str) -> list[str]:
    text = (DOCS / "workout-format.md").read_text("utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.M | re.S)


def test_the_example_files_load_and_are_in_the_docs() -> None:
    blocks = _doc_blocks("xml")
    examples = sorted(EXAMPLES.glob("*.zwo"))
    assert [path.name for path in examples] == ["backward-hills.zwo", "retro-intervals.zwo"]
    for path in examples:
        load_zwo(path)
        assert path.read_text("utf-8") in blocks, path.name
    # The exported example is exactly what the app writes for the TOML example.
    hills = load_workout(EXAMPLES / "backward-hills.toml")
    assert (EXAMPLES / "backward-hills.zwo").read_text("utf-8") == dump_zwo(hills)
    assert steps_of(load_zwo(EXAMPLES / "backward-hills.zwo")) == steps_of(hills)


def test_the_doc_error_messages_are_real() -> None:
    texts = {
        "cycling.zwo": CYCLING,
        "laughs.zwo": BILLION_LAUGHS,
        "hills.zwo": run_file(STEADY, STEADY, '<SteadyState Duration="0" Power="0.8"/>'),
        "cut.zwo": HEAD + STEADY,
    }
    doc_lines = {line for block in _doc_blocks("text") for line in block.splitlines()}
    for name, text in texts.items():
        with pytest.raises(WorkoutFileError) as caught:
            loads_zwo(text, name)
        assert str(caught.value) in doc_lines
