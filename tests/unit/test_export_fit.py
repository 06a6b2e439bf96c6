"""The FIT export, read back with fitdecode (a decoder independent of the SDK that
wrote it) and checked against the recorded session; Garmin's own decoder must find no
error either."""

from __future__ import annotations

import datetime
import functools
import io
import itertools
from collections import defaultdict
from pathlib import Path
from typing import Any

import fitdecode
import pytest
from garmin_fit_sdk import Decoder, Stream
from recorded import START, recorded_session
from support import Session, run_until, start_session

from retrocoach.record.export import export_session
from retrocoach.record.recorder import SessionRecorder
from retrocoach.record.session import LapKind, RecordedSession, SampleRecord
from retrocoach.workouts import library


def _pause(s: Session, t: float) -> None:
    s.station.pause(t)


def _resume(s: Session, t: float) -> None:
    s.station.resume(t)


def _stop(s: Session, t: float) -> None:
    s.station.stop(t)


SESSIONS: dict[str, dict[str, Any]] = {
    "completed": {},
    "paused": {"actions": {300.0: _pause, 360.0: _resume}},
    "stopped": {"actions": {700.0: _stop}},
    "no-strap": {"with_strap": False},
}


@functools.cache
def session(name: str) -> RecordedSession:
    return recorded_session("back-forth-50", **SESSIONS[name])


@functools.cache
def fit_bytes(name: str, tmp: Path) -> bytes:
    path = tmp / f"{name}.fit"
    export_session(session(name), path)
    return path.read_bytes()


Messages = dict[str, list[dict[str, Any]]]


@functools.cache
def decoded(name: str, tmp: Path) -> Messages:
    return decode(fit_bytes(name, tmp))


def decode(data: bytes) -> Messages:
    """Every data message by name, its fields by name (CRCs checked)."""
    messages: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.ENABLED) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                messages[frame.name].append({f.name: f.value for f in frame.fields})
    return dict(messages)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fit")


@pytest.fixture(params=list(SESSIONS))
def case(request: pytest.FixtureRequest, folder: Path) -> tuple[RecordedSession, Messages]:
    name = str(request.param)
    return session(name), decoded(name, folder)


def wall(s: RecordedSession, t: float) -> datetime.datetime:
    return s.summary.started_at + datetime.timedelta(seconds=t)


def person_start(s: RecordedSession) -> float:
    return next(float(e["t"]) for e in s.events if e["event"] == "user" and e["action"] == "start")


def session_end(s: RecordedSession) -> float:
    return next(float(e["t"]) for e in s.events if e["event"] == "session_end")


def test_the_file_decodes_without_errors_in_garmins_sdk(folder: Path) -> None:
    for name in SESSIONS:
        data = bytearray(fit_bytes(name, folder))
        checker = Decoder(Stream.from_byte_array(data))
        assert checker.is_fit()
        assert checker.check_integrity()
        messages, errors = Decoder(Stream.from_byte_array(data)).read()
        assert errors == []
        assert len(messages["session_mesgs"]) == 1


def test_a_damaged_file_fails_the_crc_check(folder: Path) -> None:
    data = bytearray(fit_bytes("completed", folder))
    data[len(data) // 2] ^= 0xFF
    with pytest.raises(fitdecode.FitCRCError):
        decode(bytes(data))


def test_an_activity_of_treadmill_running(case: tuple[RecordedSession, Messages]) -> None:
    _, m = case
    (file_id,) = m["file_id"]
    assert file_id["type"] == "activity"
    assert file_id["manufacturer"] == "development"
    assert file_id["product_name"] == "retrocoach"
    assert m["device_info"][0]["device_index"] == "creator"
    (fit_session,) = m["session"]
    assert (fit_session["sport"], fit_session["sub_sport"]) == ("running", "treadmill")
    (activity,) = m["activity"]
    assert activity["num_sessions"] == 1
    assert activity["type"] == "manual"
    for lap in m["lap"]:
        assert (lap["sport"], lap["sub_sport"]) == ("running", "treadmill")


def test_the_activity_begins_at_the_persons_start(case: tuple[RecordedSession, Messages]) -> None:
    s, m = case
    start = wall(s, person_start(s))
    (fit_session,) = m["session"]
    assert fit_session["start_time"] == start
    timer = [e for e in m["event"] if e["event"] == "timer"]
    assert (timer[0]["event_type"], timer[0]["timestamp"]) == ("start", start)
    assert timer[-1]["event_type"] == "stop_all"
    assert timer[-1]["timestamp"] == wall(s, session_end(s))
    assert min(r["timestamp"] for r in m["record"]) > start


def test_one_lap_per_lap_with_its_distance_time_and_heart_rate(
    case: tuple[RecordedSession, Messages],
) -> None:
    s, m = case
    laps = m["lap"]
    assert len(laps) == len(s.laps)
    assert m["session"][0]["num_laps"] == len(s.laps)
    for lap, fit_lap in zip(s.laps, laps, strict=True):
        assert fit_lap["total_distance"] == pytest.approx(lap.distance_m, abs=0.01)
        assert fit_lap["total_elapsed_time"] == pytest.approx(lap.end_t - lap.start_t, abs=0.001)
        if lap.kind is LapKind.SEGMENT:
            assert fit_lap["total_timer_time"] == pytest.approx(lap.elapsed_s, abs=0.001)
        assert abs((fit_lap["start_time"] - wall(s, lap.start_t)).total_seconds()) <= 0.5
        if lap.avg_hr is None:
            assert fit_lap.get("avg_heart_rate") is None
            assert fit_lap.get("max_heart_rate") is None
        else:
            assert fit_lap["avg_heart_rate"] == round(lap.avg_hr)
            assert fit_lap["max_heart_rate"] == lap.max_hr
        assert fit_lap["max_speed"] == pytest.approx(lap.max_speed_kmh / 3.6, abs=0.001)
        expected = "active" if lap.kind is LapKind.SEGMENT else "rest"
        assert fit_lap["intensity"] == expected


def test_each_lap_is_named_with_its_direction(case: tuple[RecordedSession, Messages]) -> None:
    s, m = case
    steps = {step["message_index"]: step for step in m["workout_step"]}
    assert m["workout"][0]["num_valid_steps"] == len(steps)
    for lap, fit_lap in zip(s.laps, m["lap"], strict=True):
        name = steps[fit_lap["wkt_step_index"]]["wkt_step_name"]
        assert name == lap.name
        assert lap.direction in name.lower()
    assert {"backward", "forward"} <= {lap.direction for lap in s.laps}


def test_the_planned_step_goes_with_its_lap(folder: Path) -> None:
    s, m = session("completed"), decoded("completed", folder)
    steps = {step["message_index"]: step for step in m["workout_step"]}
    by_name = {lap.name: lap for lap in s.laps}
    warm_up = next(st for st in steps.values() if "Warm-up" in st["wkt_step_name"])
    assert (warm_up["duration_type"], warm_up["duration_time"]) == ("time", 180.0)
    back = next(st for st in steps.values() if "50 m backwards (1/10)" in st["wkt_step_name"])
    assert (back["duration_type"], back["duration_distance"]) == ("distance", 50.0)
    target = by_name[back["wkt_step_name"]].target_speed_kmh
    assert target is not None
    assert back["custom_target_speed_low"] == pytest.approx(target / 3.6, abs=0.001)
    turn = next(st for st in steps.values() if st["wkt_step_name"].startswith("Turn"))
    assert (turn["duration_type"], turn["intensity"]) == ("open", "rest")


def active_samples(s: RecordedSession, m: Messages) -> list[SampleRecord]:
    """The samples from the person's start to the end, without those the timer's stop
    events say were paused."""
    timer = [(e["timestamp"], e["event_type"]) for e in m["event"] if e["event"] == "timer"]
    stopped: list[tuple[datetime.datetime, datetime.datetime]] = []
    for (at, kind), (then, _) in itertools.pairwise(timer):
        if kind == "stop_all":
            stopped.append((at, then))
    start, end = person_start(s), session_end(s)
    return [
        x
        for x in s.samples
        if start < x.t <= end and not any(a < wall(s, x.t) < b for a, b in stopped)
    ]


def test_records_carry_the_samples(case: tuple[RecordedSession, Messages]) -> None:
    s, m = case
    records = m["record"]
    expected = active_samples(s, m)
    assert abs(len(records) - len(expected)) <= 1
    by_time = {wall(s, x.t): x for x in s.samples}
    for record in records:
        sample = by_time[record["timestamp"]]
        assert record["distance"] == pytest.approx(sample.distance_m, abs=0.01)
        assert record["speed"] == pytest.approx(sample.speed_kmh / 3.6, abs=0.001)
        assert record["enhanced_speed"] == pytest.approx(sample.speed_kmh / 3.6, abs=0.001)
        assert record.get("heart_rate") == sample.hr_bpm
        assert record["grade"] == pytest.approx(sample.incline_pct, abs=0.01)
    distances = [r["distance"] for r in records]
    assert distances == sorted(distances)


def test_the_session_totals_match_the_summary(case: tuple[RecordedSession, Messages]) -> None:
    s, m = case
    totals = s.summary.totals
    (fit_session,) = m["session"]
    assert fit_session["total_distance"] == pytest.approx(totals.distance_m, abs=0.01)
    assert fit_session["total_elapsed_time"] == pytest.approx(totals.duration_s, abs=0.001)
    if totals.avg_hr is None:
        assert fit_session.get("avg_heart_rate") is None
    else:
        assert fit_session["avg_heart_rate"] == round(totals.avg_hr)
        assert fit_session["max_heart_rate"] == totals.max_hr
    # The pauses are what the segments' clocks left out.
    paused = sum((lap.end_t - lap.start_t) - lap.elapsed_s for lap in s.laps)
    assert fit_session["total_timer_time"] == pytest.approx(totals.duration_s - paused, abs=0.01)
    assert m["activity"][0]["total_timer_time"] == fit_session["total_timer_time"]


def test_a_pause_stops_the_timer_until_the_belt_runs_again(folder: Path) -> None:
    s, m = session("paused"), decoded("paused", folder)
    timer = [(e["event_type"], e["timestamp"]) for e in m["event"] if e["event"] == "timer"]
    paused_lap = next(lap for lap in s.laps if lap.end_t - lap.start_t - lap.elapsed_s > 1)
    pause_s = paused_lap.end_t - paused_lap.start_t - paused_lap.elapsed_s
    assert timer == [
        ("start", wall(s, 0.0)),
        ("stop_all", wall(s, 300.0)),
        ("start", wall(s, 300.0 + pause_s)),
        ("stop_all", wall(s, session_end(s))),
    ]
    assert not [r for r in m["record"] if wall(s, 300) < r["timestamp"] < wall(s, 300 + pause_s)]
    (fit_session,) = m["session"]
    assert fit_session["total_elapsed_time"] - fit_session["total_timer_time"] == pytest.approx(
        pause_s
    )


def test_a_session_without_a_strap_has_no_heart_rate(folder: Path) -> None:
    m = decoded("no-strap", folder)
    assert all(r.get("heart_rate") is None for r in m["record"])
    assert all(lap.get("avg_heart_rate") is None for lap in m["lap"])
    assert "hrv" not in m


def test_the_rr_intervals_go_in_hrv_messages_in_order(folder: Path) -> None:
    s, m = session("completed"), decoded("completed", folder)
    written = [t for mesg in m["hrv"] for t in mesg["time"] if t is not None]
    start, end = person_start(s), session_end(s)
    beats = [ms / 1000 for x in s.samples if start < x.t <= end for ms in x.rr_ms]
    assert written == pytest.approx(beats, abs=0.0005)


def test_a_session_stopped_before_its_first_segment_has_one_lap(tmp_path: Path) -> None:
    s = recorded_session("back-forth-50", actions={2.0: _stop})
    assert s.laps == ()
    export_session(s, tmp_path / "early.fit")
    m = decode((tmp_path / "early.fit").read_bytes())
    (lap,) = m["lap"]
    assert lap["total_elapsed_time"] == pytest.approx(s.summary.totals.duration_s)
    (step,) = m["workout_step"]
    assert s.summary.workout_title in step["wkt_step_name"]


def test_an_interrupted_session_ends_at_its_last_sample(tmp_path: Path) -> None:
    s = recorded_session("back-forth-50", until=400.0)
    assert not [e for e in s.events if e["event"] == "session_end"]
    export_session(s, tmp_path / "cut.FIT")  # the suffix in any case
    m = decode((tmp_path / "cut.FIT").read_bytes())
    assert m["session"][0]["total_elapsed_time"] == pytest.approx(s.samples[-1].t)
    assert len(m["lap"]) == len(s.laps)
    assert m["record"][-1]["timestamp"] == wall(s, s.samples[-1].t)


PAUSES: dict[str, dict[float, Any]] = {
    "safety key": {
        250.0: lambda s, t: s.treadmill.pull_safety_key(t),
        280.0: lambda s, t: s.treadmill.insert_safety_key(t),
        300.0: _resume,
    },
    "stop on the console": {250.0: lambda s, t: s.treadmill.console_stop(t), 300.0: _resume},
    "control taken": {250.0: lambda s, t: s.treadmill.revoke_control(t), 300.0: _resume},
}


@pytest.mark.parametrize("kind", list(PAUSES))
def test_every_kind_of_pause_stops_the_timer_as_the_engine_does(kind: str, tmp_path: Path) -> None:
    s = recorded_session("back-forth-50", actions=PAUSES[kind])
    export_session(s, tmp_path / "p.fit")
    (fit_session,) = decode((tmp_path / "p.fit").read_bytes())["session"]
    paused = sum((lap.end_t - lap.start_t) - lap.elapsed_s for lap in s.laps)
    assert paused > 40
    assert fit_session["total_elapsed_time"] - fit_session["total_timer_time"] == pytest.approx(
        paused, abs=0.01
    )


def test_a_pause_in_a_turn_around_is_left_out_of_its_laps_timer(tmp_path: Path) -> None:
    # The turn-around's own elapsed_s runs on through a pause; the export's timer does not.
    s = recorded_session("back-forth-50", actions={430.0: _pause, 460.0: _resume})
    export_session(s, tmp_path / "p.fit")
    m = decode((tmp_path / "p.fit").read_bytes())
    index, turn = next((i, lap) for i, lap in enumerate(s.laps) if lap.start_t < 430 < lap.end_t)
    assert turn.kind is LapKind.TURN
    fit_lap = m["lap"][index]
    assert fit_lap["total_elapsed_time"] == pytest.approx(turn.end_t - turn.start_t, abs=0.001)
    assert fit_lap["total_timer_time"] == pytest.approx(turn.end_t - turn.start_t - 35.0, abs=0.01)
    (fit_session,) = m["session"]
    assert fit_session["total_elapsed_time"] - fit_session["total_timer_time"] == pytest.approx(
        35.0
    )


def test_a_session_stopped_while_paused_stops_its_timer_once(tmp_path: Path) -> None:
    s = recorded_session("back-forth-50", actions={300.0: _pause, 330.0: _stop})
    export_session(s, tmp_path / "p.fit")
    m = decode((tmp_path / "p.fit").read_bytes())
    timer = [(e["event_type"], e["timestamp"]) for e in m["event"] if e["event"] == "timer"]
    assert timer == [("start", wall(s, 0.0)), ("stop_all", wall(s, 300.0))]
    assert max(r["timestamp"] for r in m["record"]) == wall(s, 300.0)
    (fit_session,) = m["session"]
    assert fit_session["total_timer_time"] == pytest.approx(300.0)
    assert fit_session["total_elapsed_time"] == pytest.approx(s.summary.totals.duration_s)
    assert sum(lap["total_timer_time"] for lap in m["lap"]) <= 300.0


def test_the_seconds_before_a_late_start_are_not_part_of_the_activity(tmp_path: Path) -> None:
    # As in the app: the session is open (and sampled) while the person gets ready.
    workout = library.get("first-steps")
    recorder = SessionRecorder(workout, None, wall_clock=lambda: START)
    s = start_session(workout, start=False)
    for event in s.events:
        recorder(event)
    s.station.sinks.append(recorder)
    run_until(s, 40.0)
    s.station.start(40.0)
    run_until(s)
    recorded = recorder.session()
    assert recorded.samples[0].t < 40.0
    export_session(recorded, tmp_path / "late.fit")
    m = decode((tmp_path / "late.fit").read_bytes())
    (fit_session,) = m["session"]
    assert fit_session["start_time"] == wall(recorded, 40.0)
    assert fit_session["total_elapsed_time"] == pytest.approx(recorded.summary.totals.duration_s)
    assert min(r["timestamp"] for r in m["record"]) == wall(recorded, 41.0)
    written = [t for mesg in m.get("hrv", []) for t in mesg["time"] if t is not None]
    beats = [ms / 1000 for x in recorded.samples if x.t > 40.0 for ms in x.rr_ms]
    assert written == pytest.approx(beats, abs=0.0005)


def test_records_have_one_timestamp_each_whatever_the_starts_fraction(tmp_path: Path) -> None:
    for fraction in (0.25, 0.5, 0.75):
        started = START + datetime.timedelta(seconds=fraction)
        s = recorded_session("first-steps", started_at=started)
        export_session(s, tmp_path / "f.fit")
        stamps = [r["timestamp"] for r in decode((tmp_path / "f.fit").read_bytes())["record"]]
        assert len(set(stamps)) == len(stamps) == len([x for x in s.samples if x.t > 0])
        assert stamps == sorted(stamps)
