"""How close to their moment the cues are heard, against a bare QSoundEffect in the same run.

A simulated session (about two minutes of 10-second backward and forward bouts, with
their turn-arounds and countdowns) runs at real time through the app's own runner and
cue player into a private PulseAudio server (a null sink, recorded with parec; see
tests/audio/pulse.py). Each beep and each countdown word is found in the recording and
compared with when the engine's clock said it was due: the cue onset error.

The baseline is a bare, preloaded QSoundEffect played from precise timers: its
play()-to-sound latency, measured the same way (when the clip's first sample is heard),
half before and half after the session. Goal: the app's median error under 1.2x it,
i.e. the app adds almost nothing to what the sound system itself takes.

    python benchmarks/cue_timing.py [--bouts N] [--bare N]

Needs pulseaudio and pulseaudio-utils (Debian), as the audio tests do.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "audio"), str(ROOT / "tests")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pulse import PulseLoopback, bare_latencies  # noqa: E402
from support import step, workout  # noqa: E402

GOAL = 1.2


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(round(p / 100 * (len(ordered) - 1)), len(ordered) - 1)
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bouts", type=int, default=4, help="backward+forward pairs (4)")
    parser.add_argument("--bare", type=int, default=30, help="bare plays in all (30)")
    args = parser.parse_args()

    with PulseLoopback() as loopback:
        os.environ.update(loopback.env())  # before QtMultimedia is first used
        from heard import hear_session
        from PySide6.QtCore import QCoreApplication

        from retrocoach.audio.sounds import load_catalogue
        from retrocoach.workouts.profile import RunnerProfile

        QCoreApplication.instance() or QCoreApplication([])
        tick = load_catalogue()[0]["beep_tick"].path
        half = max(args.bare // 2, 1)
        bare = bare_latencies(loopback, tick, count=half, spacing_s=1.0)
        bouts = [
            item
            for _ in range(args.bouts)
            for item in (
                step("backward", "walk", seconds=10, kmh=4.0),
                step("forward", "run", seconds=10, kmh=7.0),
            )
        ]
        heard, player = hear_session(loopback, workout(*bouts), RunnerProfile(turn_time_s=3.0))
        bare += bare_latencies(loopback, tick, count=half, spacing_s=1.0)

    found = [h for h in heard if h.onset is not None and h.score >= 0.4]
    errors = [h.error_s for h in found if h.error_s is not None]
    if not errors:
        print("no cue was found in the recording")
        return 1
    median_app = statistics.median(errors)
    median_bare = statistics.median(bare)
    ratio = median_app / median_bare
    dropped = player.queue.dropped
    print(f"cues heard: {len(found)} of {len(heard)} looked for; words dropped: {dropped}")
    print(
        f"cue onset error (heard - due): median {median_app * 1000:.1f} ms, "
        f"p99 {percentile(errors, 99) * 1000:.1f} ms, "
        f"range {min(errors) * 1000:.1f} to {max(errors) * 1000:.1f} ms"
    )
    print(
        f"bare QSoundEffect play-to-sound: median {median_bare * 1000:.1f} ms, "
        f"p99 {percentile(bare, 99) * 1000:.1f} ms ({len(bare)} plays)"
    )
    verdict = "within" if ratio < GOAL else "OVER"
    print(f"ratio app / bare (medians): {ratio:.2f}x ({verdict} the {GOAL}x goal)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
