"""`retrocoach run` keeps every session; `retrocoach sessions` lists them and
`retrocoach export ID FILE` exports one (the command line's contract, DESIGN.md)."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from retrocoach.cli import main
from retrocoach.record.store import default_store_path


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _run(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    return run_cli(capsys, "run", "--workout", "first-steps", "--speedup", "max", "--mute", *extra)


def test_every_run_is_kept_and_listed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys)
    assert code == 0
    assert "Saved as session 1." in out
    code, out, _ = _run(capsys, "--workout", "backward-hills")
    assert code == 0
    code, out, _ = run_cli(capsys, "sessions")
    assert code == 0
    lines = [line for line in out.splitlines() if line.strip()[:1].isdigit()]
    # Newest first, with its time, distance, backward time and heart rate.
    assert "Backward hill repeats" in lines[0] and "First steps backwards" in lines[1]
    assert "22:43" in lines[1] and "1.58" in lines[1] and "6:00" in lines[1]
    code, out, _ = run_cli(capsys, "sessions", "--json")
    listed = json.loads(out)
    assert [s["workout"] for s in listed] == ["backward-hills", "first-steps"]
    first = listed[1]
    assert first["state"] == "finished" and first["end_reason"] == "completed"
    assert first["backward_time_s"] == 360.0
    assert 60 < first["avg_hr"] < first["max_hr"] < 190


def test_no_record_keeps_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--no-record")
    assert code == 0 and "Saved as" not in out
    code, out, _ = run_cli(capsys, "sessions", "--json")
    assert json.loads(out) == []


def test_no_sessions_yet_says_how_to_get_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "sessions")
    assert code == 0 and "No sessions yet" in out


def test_run_export_writes_the_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "first.csv"
    code, out, _ = _run(capsys, "--export", str(target), "--no-record")
    assert code == 0 and f"Exported to {target}." in out
    with target.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) > 1300  # one a second of a 22-minute session
    assert {row["direction"] for row in rows} == {"forward", "backward"}


def test_export_by_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys)
    for suffix in (".csv", ".tcx", ".fit"):
        target = tmp_path / f"one{suffix.upper()}"
        code, out, err = run_cli(capsys, "export", "1", str(target))
        assert code == 0, err
        assert target.stat().st_size > 1000
        assert "First steps backwards" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("export", "7", "x.fit"), "no session 7"),
        (("export", "1", "x.gpx"), "must end in one of .csv, .fit, .tcx"),
        (("export", "1", "/no/such/folder/x.fit"), "does not exist"),
    ],
)
def test_export_refuses_bad_input_with_a_message(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    _run(capsys)
    code, _, err = run_cli(capsys, *args)
    assert code == 2
    assert message in err


def test_a_bad_export_file_is_refused_before_the_belt_moves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "--export", str(tmp_path / "x.pdf"))
    assert code == 2 and "--export" in err and "must end in" in err
    assert out == ""  # nothing ran
    assert not default_store_path().exists()


def test_an_unwritable_store_warns_and_the_session_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    target = tmp_path / "kept.csv"
    code, out, err = _run(capsys, "--export", str(target))
    assert code == 0
    assert err.count("the session is not being saved") == 1
    assert "--export still writes it" in err
    assert target.exists() and "Exported" in out


def test_sessions_recover_an_interrupted_one(capsys: pytest.CaptureFixture[str]) -> None:
    """(The SIGKILL test kills a real run; here the leftovers of one are recovered.)"""
    _run(capsys)
    with sqlite3.connect(default_store_path()) as conn:
        conn.execute("UPDATE sessions SET state = 'recording', owner_pid = NULL")
    code, out, err = run_cli(capsys, "sessions", "--json")
    assert code == 0
    assert "session 1" in err and "was interrupted" in err
    assert json.loads(out)[0]["state"] == "interrupted"
