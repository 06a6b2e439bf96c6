"""A session killed with SIGKILL at a random moment is recovered at the next start with
at most the last second missing.

`retrocoach run` records a simulated session in real time (and once ten times faster)
with its event log on; the log is flushed line by line, so it is what happened up to
the kill. The store must hold the same samples up to at most one second (of real
time) before the log's last one. The moments are random on each run and in the test's
name, so a failure can be run again as it was.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrocoach.record.session import SessionState
from retrocoach.record.store import SessionStore

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

_pick = random.SystemRandom()
# The first segment starts after a 5 s countdown: moments on both sides of it.
CASES = [(1.0, round(_pick.uniform(1.5, 8.0), 2)) for _ in range(3)] + [
    (10.0, round(_pick.uniform(1.5, 4.0), 2))
]


def _env(home: Path) -> dict[str, str]:
    return dict(
        os.environ,
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        PYTHONUNBUFFERED="1",
    )


def _samples(log: Path) -> list[dict[str, object]]:
    lines = log.read_text(encoding="utf-8").splitlines()
    # The line being written at the kill may be cut short: it never happened.
    events = []
    for line in lines:
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            break
    return [e for e in events if e["event"] == "sample"]


@pytest.mark.parametrize(
    ("speedup", "kill_after_s"), CASES, ids=[f"{x}x-kill-at-{k}s" for x, k in CASES]
)
def test_a_killed_session_is_recovered_with_at_most_a_second_missing(
    tmp_path: Path, speedup: float, kill_after_s: float
) -> None:
    log = tmp_path / "events.jsonl"
    child = subprocess.Popen(
        [
            *(sys.executable, "-m", "retrocoach", "run", "--workout", "back-forth-50"),
            *("--mute", "--speedup", str(speedup), "--events", str(log)),
        ],
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30.0
        while not (log.exists() and _samples(log)):
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the session never began"
            time.sleep(0.02)
        time.sleep(kill_after_s)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    logged = _samples(log)
    assert len(logged) >= 2

    # The next start: `retrocoach sessions` finds it, closes it and lists it.
    listing = subprocess.run(
        [sys.executable, "-m", "retrocoach", "sessions", "--json"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listing.returncode == 0, listing.stderr
    assert "was interrupted" in listing.stderr
    [listed] = json.loads(listing.stdout)
    assert listed["state"] == "interrupted"

    with SessionStore(tmp_path / "data" / "retrocoach" / "sessions.sqlite") as store:
        session = store.load(listed["id"])
    assert session.summary.state is SessionState.INTERRUPTED
    kept = session.samples
    # At most one second (of real time) missing: at 10x, ten session seconds.
    missing_s = float(logged[-1]["t"]) - kept[-1].t  # type: ignore[arg-type]
    assert missing_s <= 1.0 * speedup, f"{missing_s:.1f} s missing"
    # What was kept is what happened, sample for sample.
    for record, sample in zip(logged, kept, strict=False):
        assert sample.t == record["t"]
        assert sample.distance_m == record["distance_m"]
        assert sample.hr_bpm == record["hr_bpm"]
    assert session.summary.totals.distance_m == kept[-1].distance_m
    # The laps run so far are there, the one running at the kill too.
    started = [e for e in session.events if e["event"] == "segment_start"]
    assert [lap.segment for lap in session.laps if lap.kind == "segment"] == [
        e["index"] for e in started
    ]
