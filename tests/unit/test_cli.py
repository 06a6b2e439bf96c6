"""The command line as a person (or a script) uses it: contracts, exit codes, messages."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from contract import contract_problems

from retrocoach.cli import main
from retrocoach.coach.audit import audit
from retrocoach.record.eventlog import read_events
from retrocoach.workouts import library


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_headless_session_writes_the_event_log_as_the_contract_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "events.jsonl"
    code, out, _ = run_cli(
        capsys, "run", "--workout", "back-forth-50", "--speedup", "max", "--events", str(log)
    )
    assert code == 0
    records = read_events(log)
    assert contract_problems(records) == []
    assert audit(records, speed_min_kmh=0.8, speed_max_kmh=20.0) == []
    kinds = {r["event"] for r in records}
    assert {
        "session_start",
        "segment_start",
        "phase",
        "cue",
        "command",
        "command_result",
        "sample",
        "machine_status",
        "device",
        "user",
        "session_end",
    } <= kinds
    assert records[0]["workout"] == "back-forth-50" and records[0]["hrm"] == "Simulated strap"
    # Launching the command is the person's start.
    assert next(r for r in records if r["event"] == "user")["action"] == "start"
    samples = [r["t"] for r in records if r["event"] == "sample"]
    assert samples[:3] == [1.0, 2.0, 3.0] and len(samples) == pytest.approx(samples[-1], abs=1)
    # Console progress: segment, direction, time left, speed and heart rate.
    assert "▶ 5/25  BACKWARD run" in out
    assert "left" in out and "km/h" in out and "♥" in out
    assert "■ completed" in out


def test_workouts_json_follows_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "workouts", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["name"] for r in rows] == [w.name for w in library.all_workouts()]
    for row in rows:
        assert {"name", "title", "description", "duration_s", "distance_m"} <= set(row)
        assert row["duration_s"] > 0 and row["distance_m"] > 0 and row["description"]


def test_one_workout_in_detail_with_its_expanded_steps(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "workouts", "back-forth-50", "--json")
    assert code == 0
    detail = json.loads(out)
    assert detail["name"] == "back-forth-50"
    fifties = [s for s in detail["steps"] if s["end"] == {"distance_m": 50}]
    assert len(fifties) == 20
    assert {s["direction"] for s in fifties} == {"backward", "forward"}
    starts = [s["starts_at_s"] for s in detail["steps"]]
    assert starts == sorted(starts)
    code, text, _ = run_cli(capsys, "workouts", "back-forth-50")
    assert "50 m backwards" in text and "backward" in text and "km/h" in text


def test_listing_shows_times_and_distances(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "workouts")
    assert code == 0
    assert "first-steps" in out and "backward-5k" in out and "km" in out


def test_an_unknown_workout_is_bad_input_with_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "events.jsonl"
    code, _, err = run_cli(capsys, "run", "--workout", "back-forth-5", "--events", str(log))
    assert code == 2
    assert err.startswith("retrocoach: back-forth-5: no such workout; did you mean back-forth-50")
    assert not log.exists()  # nothing written


def test_a_malformed_workout_file_names_the_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "bad"\ntitle = "Bad"\n\n[[steps]]\ndirection = "sideways"\ngait = "walk"\n'
        "duration_s = 60\n"
    )
    log = tmp_path / "events.jsonl"
    code, _, err = run_cli(capsys, "run", "--workout", str(bad), "--events", str(log))
    assert code == 2
    assert err.strip() == (
        f'retrocoach: {bad}:5: steps[1].direction: "sideways" is not a direction; '
        'use "backward" or "forward"'
    )
    assert not log.exists()


def test_an_impossible_profile_names_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "me.toml"
    profile.write_text("hr_max = 170\nhr_ceiling = 180\n")
    log = tmp_path / "events.jsonl"
    code, _, err = run_cli(
        capsys, "run", "--workout", "first-steps", "--profile", str(profile), "--events", str(log)
    )
    assert code == 2
    assert f"{profile}:2: hr_ceiling:" in err and "at most the maximum (170)" in err
    assert not log.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--speedup", "fast"], "--speedup: 'fast' is not a number or 'max'"),
        (["--speedup", "0"], "--speedup: must be above 0"),
        # Refused before any device is looked for (no test ever reaches a real device).
        (
            ["--treadmill", "AA:BB:CC:DD:EE:FF", "--speedup", "10"],
            "--speedup: only a fully simulated session",
        ),
        (["--events", "/nonexistent-folder/x.jsonl"], "--events: /nonexistent-folder/x.jsonl"),
    ],
)
def test_bad_options_are_bad_input(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run_cli(capsys, "run", "--workout", "first-steps", *args)
    assert code == 2
    assert message in err


def test_a_workout_file_runs_like_a_built_in_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = Path(__file__).parents[2] / "docs" / "examples" / "back-forth-50.toml"
    log = tmp_path / "e.jsonl"
    code, _, _ = run_cli(
        capsys,
        "run",
        "--workout",
        str(example),
        "--speedup",
        "max",
        "--hrm",
        "none",
        "--events",
        str(log),
    )
    assert code == 0
    records = read_events(log)
    assert contract_problems(records) == []
    assert records[0]["hrm"] is None


def test_ctrl_c_is_an_emergency_stop_and_exits_130(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "retrocoach",
            "run",
            "--workout",
            "first-steps",
            "--speedup",
            "50",
            "--events",
            str(log),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        # Wait until the belt runs a segment, then press Ctrl-C.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if log.exists() and '"segment_start"' in log.read_text():
                break
            time.sleep(0.05)
        else:
            pytest.fail("the session never started a segment")
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 130
    records = read_events(log)
    actions = [r["action"] for r in records if r["event"] == "user"]
    assert actions[-1] == "emergency_stop"
    stop = next(r for r in records if r["event"] == "command" and r["op"] == "stop")
    pressed = next(r for r in records if r.get("action") == "emergency_stop")
    assert stop["t"] == pressed["t"]  # at once
    assert records[-1]["event"] == "session_end"
    assert records[-1]["reason"] == "emergency_stop"
    assert contract_problems(records) == []


def test_help_explains_what_is_there(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "run" in out and "workouts" in out and "desktop app" in out


def test_without_a_command_it_opens_the_desktop_app(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import retrocoach.gui.app

    opened: list[bool] = []
    monkeypatch.setattr(retrocoach.gui.app, "main", lambda: opened.append(True) or 0)
    code, _, _ = run_cli(capsys)
    assert code == 0 and opened == [True]


def test_a_failure_mid_session_still_stops_the_belt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import retrocoach.cli as cli
    from retrocoach import station as station_module

    real_run = station_module.run
    calls = {"n": 0}

    async def failing_run(station: object, clock: object, **kw: object) -> None:
        calls["n"] += 1
        if calls["n"] == 1:  # the session's own loop fails once the belt runs
            task = real_run(station, clock)  # type: ignore[arg-type]
            try:
                import asyncio

                await asyncio.wait_for(task, 0.05)
            except TimeoutError:
                raise RuntimeError("a bug somewhere in the loop") from None
        await real_run(station, clock)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "run", failing_run)
    log = tmp_path / "e.jsonl"
    code, _, err = run_cli(
        capsys, "run", "--workout", "first-steps", "--speedup", "200", "--events", str(log)
    )
    assert code == 1
    assert "the belt was stopped" in err
    records = read_events(log)
    assert [r for r in records if r["event"] == "user"][-1]["action"] == "emergency_stop"
    assert records[-1]["event"] == "session_end"
    assert records[-1]["reason"] == "emergency_stop"


def test_a_reader_that_leaves_early_is_not_an_error() -> None:
    """`retrocoach workouts | head -1`: no traceback when the reader has gone."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has left before anything is written
    try:
        child = subprocess.run(
            [sys.executable, "-m", "retrocoach", "workouts", "back-forth-50"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    finally:
        os.close(write_end)
    err = child.stderr.decode()
    assert child.returncode == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err
