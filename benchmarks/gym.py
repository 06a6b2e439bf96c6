"""What gym mode costs per station, with 1, 3 and 6 simulated stations at real time.

CPU share and update latency; goal: the cost grows linearly, under 2 % of a core per
station.

Each configuration runs in its own process (QT_QPA_PLATFORM=offscreen unless a display
is set), as the app runs it: the dark theme's style sheet, the room's window
(`GymWindow`) shown at 1920×1080, a simulated treadmill and strap per member (members
with their own paces), every station on its own `SessionRunner` timer at real time, the
room's loudspeaker (`RoomAnnouncer`, its player on a silent output: the queueing and
timing are real, only the sound card is left out) and every session recorded to a
SQLite store in a temporary folder (the writer threads count: the CPU time is the
process's). After a warm-up, `--seconds` of real time are measured.

The baseline, measured in the same run, is the idle room: the same window with one
station built and begun but never started (time ticking, the tile drawn). Per-station
cost = (CPU share with N running − idle) / N; linearity = per-station cost with N over
that with 1 (≤ 1.5: no worse than linear).

Update latency: how late a tile shows what its station did. After each tick of a
station's runner the room has redrawn its tile; if what the tile shows changed (a heart
rate, a speed, a second less, a turn-around...), the change was due at the deadline the
runner woke for, on the monotonic clock (the timer's lateness counts; for a plain redraw
tick, the tick itself). It is shown when the room's window has finished the repaint
(its update request) in which that tile or one of its labels was painted. Median and
95th percentile over every change of every tile. The bookkeeping runs in the measured
process; its own time is measured and left out of the CPU figures.

The configurations are alternated (idle, 1, 3, 6, then 6, 3, 1, idle, ...) so machine
noise hits every side alike; the figures are medians over `--runs`.

    python benchmarks/gym.py [--runs N] [--seconds S] [--stations 1,3,6] [--profile N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrocoach.workouts.profile import RunnerProfile

if TYPE_CHECKING:
    from retrocoach.workouts.model import Workout

HERE = Path(__file__).resolve()
GOAL_PER_STATION = 0.02  # share of one core
GOAL_LINEARITY = 1.5  # per-station cost with N over that with 1

# Six members with their own paces and caps: the same workout runs at six speeds.
MEMBERS = (
    RunnerProfile(name="Anna", walk_kmh=4.0, run_kmh=8.0, backward_max_kmh=6.0, hr_ceiling=178),
    RunnerProfile(name="Ben", walk_kmh=5.0, run_kmh=11.0, backward_max_kmh=7.5, hr_ceiling=182),
    RunnerProfile(name="Chloé", walk_kmh=4.5, run_kmh=9.5, backward_max_kmh=6.5, hr_ceiling=170),
    RunnerProfile(name="Dev", walk_kmh=5.5, run_kmh=12.0, backward_max_kmh=8.0, hr_ceiling=185),
    RunnerProfile(name="Eszter", walk_kmh=4.2, run_kmh=8.5, backward_max_kmh=6.0, hr_ceiling=175),
    RunnerProfile(name="Farid", walk_kmh=4.8, run_kmh=10.0, backward_max_kmh=7.0, hr_ceiling=180),
)


# ------------------------------------------------------------------ the children


def bench_workout(name: str) -> Workout:
    """The workout the room runs. "turns" (default): backward and forward walks of 15 s
    in turn, so the measured stretch holds turn-arounds, countdowns and their cues (the
    library's workouts open with minutes of forward warm-up, which a stretch of
    seconds at real time would never leave)."""
    from retrocoach.workouts import library
    from retrocoach.workouts.model import (
        Direction,
        Gait,
        RelativeSpeed,
        Repeat,
        Step,
        TimeEnd,
        Workout,
    )

    if name != "turns":
        return library.get(name)
    return Workout(
        "bench-turns",
        "Backward and forward in turn",
        (
            Repeat(
                40,
                (
                    Step(Direction.BACKWARD, Gait.WALK, TimeEnd(15), RelativeSpeed(0.9)),
                    Step(Direction.FORWARD, Gait.WALK, TimeEnd(15), RelativeSpeed(1.0)),
                ),
            ),
        ),
    )


class Latency:
    """A change on a station's tile → the room's window done repainting that tile."""

    def __init__(self) -> None:
        self.pending: dict[int, float] = {}  # station -> when its oldest unpainted change was due
        self.painted: set[int] = set()  # stations whose tile was painted in this update
        self.seconds: list[float] = []
        self.changes = 0  # ticks that changed what a tile shows
        self.updates = 0  # the window's repaints
        self.tile_paints = 0
        self.bookkeeping_s = 0.0  # this measurement's own time, in the measured process
        self.recording = False

    def changed(self, number: int, due: float) -> None:
        if self.recording:
            self.changes += 1
            self.pending.setdefault(number, due)

    def update_done(self) -> None:
        now = time.monotonic()
        if self.recording:
            self.updates += 1
        for number in self.painted:
            due = self.pending.pop(number, None)
            if due is not None:
                self.seconds.append(now - due)
        self.painted.clear()


def child_room(count: int, started: bool, args: argparse.Namespace) -> dict[str, Any]:
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from retrocoach.audio import AudioSettings, CuePlayer, RoomAnnouncer
    from retrocoach.audio.output import SilentOutput
    from retrocoach.audio.sounds import load_catalogue
    from retrocoach.devices.memory import DeviceMemory
    from retrocoach.gui.device_hub import DeviceHub
    from retrocoach.gui.gym_session import GymMember, GymSession, GymStation
    from retrocoach.gui.gym_window import GymWindow
    from retrocoach.gui.main_window import load_theme
    from retrocoach.gui.session_runner import ScaledClock
    from retrocoach.gui.widgets.station_tile import StationTile
    from retrocoach.userdata import Theme

    folder = Path(args.config)
    app = QApplication([])
    app.setStyleSheet(load_theme(Theme.DARK))
    latency = Latency()

    class MeasuredWindow(GymWindow):
        """The room's window, telling when a repaint of the window is done (the whole
        repaint, children and flush included, happens in its update request)."""

        def event(self, event: QEvent) -> bool:
            handled = super().event(event)
            if event.type() == QEvent.Type.UpdateRequest:
                latency.update_done()
            return handled

    class TileWatch(QObject):
        """One station's tile: when what it shows changes (after each of its runner's
        ticks, the room having redrawn it: this slot is connected after the room's), and
        when it (or one of its labels) is painted. A change was due at the deadline the
        runner woke for (its timer's lateness counts), or at the tick itself for a plain
        redraw (a clock moving on)."""

        def __init__(self, station: GymStation, tile: StationTile) -> None:
            super().__init__()
            self.number = station.number
            self.station = station.runner.station
            self.tile = tile
            # Every text on the tile (what `tile.shown()` gives, read more cheaply).
            self.texts = [label.text for label in tile.labels.values()]
            self.texts += [tile.indicator.word.text, tile.indicator.phase.text]
            self.shown: list[str] = []
            self.deadline: float | None = None
            for widget in (tile, *tile.findChildren(QWidget)):
                widget.installEventFilter(self)
            station.runner.refreshed.connect(self.ticked)

        def ticked(self) -> None:
            began = time.perf_counter()
            now = self.station.engine.now
            due = now if self.deadline is None else min(self.deadline, now)
            self.deadline = self.station.next_deadline()
            shown = [text() for text in self.texts]
            if shown != self.shown:
                self.shown = shown
                latency.changed(self.number, clock.monotonic_at(due))
            if latency.recording:
                latency.bookkeeping_s += time.perf_counter() - began

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                latency.painted.add(self.number)
                if watched is self.tile and latency.recording:
                    latency.tile_paints += 1
            return False

    hubs = []
    for n in range(1, count + 1):
        hub = DeviceHub(DeviceMemory(folder / f"station-{n}.toml"))
        hub.use_simulators()
        hubs.append(hub)
    sounds, problems = load_catalogue()
    assert not problems, problems
    player = CuePlayer(SilentOutput(None), sounds, settings=AudioSettings())
    announcer = RoomAnnouncer(player)
    members = [GymMember(n, MEMBERS[(n - 1) % len(MEMBERS)], hub) for n, hub in enumerate(hubs, 1)]
    clock = ScaledClock(1.0)  # real time: what GymSession(speedup=1.0) makes itself
    session = GymSession(
        bench_workout(args.workout),
        members,
        store_path=folder / "sessions.sqlite",
        room_sink=announcer.sink,
        clock=clock,
    )
    announcer.begin(clock.speedup)
    window = MeasuredWindow(session, Theme.DARK.value)
    window.resize(1920, 1080)
    watches = [TileWatch(session.station(n), tile) for n, tile in window.tiles.items()]
    session.begin()
    window.show()
    if started:
        session.start_all()

    def run_for(seconds: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    run_for(args.warmup)
    profiler = None
    if args.profile_child:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    latency.recording = True
    cpu0, main0, wall0 = time.process_time(), time.thread_time(), time.monotonic()
    run_for(args.seconds)
    wall = time.monotonic() - wall0
    # The bookkeeping is this benchmark's, not the app's.
    cpu = time.process_time() - cpu0 - latency.bookkeeping_s
    main = time.thread_time() - main0 - latency.bookkeeping_s
    latency.recording = False
    if profiler is not None:
        import io
        import pstats

        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(30)
        print(text.getvalue(), file=sys.stderr)

    ended = [s.number for s in session.stations if s.end is not None]
    problems = [s.recorder.problem for s in session.stations if s.recorder.problem]
    session.emergency_stop_all()
    run_for(0.2)
    session.close()
    announcer.stop()
    for hub in hubs:
        hub.close()
    del window, watches
    if started and ended:
        raise SystemExit(f"stations {ended} ended during the measurement")
    if problems:
        raise SystemExit(f"recording failed: {problems}")
    return {
        "cpu_share": cpu / wall,
        "main_share": main / wall,
        "latency_s": latency.seconds,
        "changes_per_s": latency.changes / wall / count,
        "tile_paints_per_s": latency.tile_paints / wall / count,
        "updates_per_s": latency.updates / wall,
        "bookkeeping_share": latency.bookkeeping_s / wall,
    }


# ------------------------------------------------------------------ the parent


def _spawn(kind: str, args: argparse.Namespace, *extra: str) -> dict[str, Any]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="retrocoach-gym-bench-") as tmp:
        env["XDG_CONFIG_HOME"] = tmp
        env["XDG_DATA_HOME"] = tmp
        command = [
            sys.executable,
            str(HERE),
            "--child",
            kind,
            "--config",
            tmp,
            "--seconds",
            str(args.seconds),
            "--warmup",
            str(args.warmup),
            "--workout",
            args.workout,
            *extra,
        ]
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{out.stderr}")
    if extra:  # the profile
        print(out.stderr, end="")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _percentile(values: list[float], percent: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="runs of each configuration")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured, each run")
    parser.add_argument("--warmup", type=float, default=3.0, help="before measuring")
    parser.add_argument("--stations", default="1,3,6", help="room sizes (default 1,3,6)")
    parser.add_argument(
        "--workout", default="turns", help='"turns" (15 s each way) or a library name'
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="instead: profile one room of N running stations (cProfile, main thread)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--profile-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, _, n = args.child.partition("-")
        print(json.dumps(child_room(int(n), kind == "run", args)))
        return
    if args.profile:
        _spawn(f"run-{args.profile}", args, "--profile-child")
        return

    sizes = [int(n) for n in args.stations.split(",")]
    kinds = ["idle-1", *(f"run-{n}" for n in sizes)]
    results: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
    began = time.monotonic()
    for run in range(args.runs):
        for kind in kinds if run % 2 == 0 else reversed(kinds):
            results[kind].append(_spawn(kind, args))
    report(args, sizes, results, time.monotonic() - began)


def report(
    args: argparse.Namespace,
    sizes: list[int],
    results: dict[str, list[dict[str, Any]]],
    took: float,
) -> None:
    def median(kind: str, key: str) -> float:
        return statistics.median(float(r[key]) for r in results[kind])

    def spread(kind: str) -> str:
        shares = [float(r["cpu_share"]) * 100 for r in results[kind]]
        return f"{min(shares):.2f}–{max(shares):.2f}"

    idle = median("idle-1", "cpu_share")
    first = sizes[0]
    print(
        f"gym mode at real time: the room's window at 1920×1080 (dark theme, offscreen), "
        f"workout {args.workout!r}, {args.seconds:.0f} s measured after {args.warmup:.0f} s "
        f"of warm-up, median of {args.runs} runs (CPU: share of one core, whole process)"
    )
    print(
        f"  baseline, the idle room (1 station built, not started): {idle * 100:.2f} % "
        f"(runs {spread('idle-1')} %)"
    )
    print(
        f"  stations   CPU %   (runs)       main thread  per station  vs {first}"
        f"   repaints/s  latency p50     p95   vs {first}"
    )
    per: dict[int, float] = {}
    p50: dict[int, float] = {}
    p95: dict[int, float] = {}
    for n in sizes:
        kind = f"run-{n}"
        share = median(kind, "cpu_share")
        per[n] = (share - idle) / n
        lat = [s for r in results[kind] for s in r["latency_s"]]
        p50[n], p95[n] = _percentile(lat, 50) * 1000, _percentile(lat, 95) * 1000
        print(
            f"  {n:8d}  {share * 100:5.2f}   ({spread(kind):>11})"
            f"  {median(kind, 'main_share') * 100:9.2f} %  {per[n] * 100:9.2f} %"
            f"  {per[n] / per[first]:4.2f}x  {median(kind, 'updates_per_s'):10.1f}"
            f"  {p50[n]:8.1f} ms {p95[n]:5.1f} ms  {p50[n] / p50[first]:4.2f}x /"
            f" {p95[n] / p95[first]:.2f}x  ({len(lat)} changes)"
        )
    last = sizes[-1]
    print(
        "  (main thread: Qt, the runners, engines, simulators and the tiles; the rest is "
        "other threads (the recorders' writers). The latency bookkeeping, "
        f"{median(f'run-{last}', 'bookkeeping_share') * 100 / last:.3f} % per station, is "
        "left out.)"
    )
    worst_per = max(per.values())
    ratios = {n: per[n] / per[first] for n in sizes[1:]}
    cost_ok = worst_per < GOAL_PER_STATION
    linear_ok = all(ratio <= GOAL_LINEARITY for ratio in ratios.values())
    linear_words = ", ".join(f"{n}: {ratio:.2f}x" for n, ratio in ratios.items()) or "one size"
    print(
        f"goal: under {GOAL_PER_STATION * 100:.0f} % of a core per station: "
        f"{'MET' if cost_ok else 'NOT MET'} (at most {worst_per * 100:.2f} %); cost grows "
        f"no worse than linearly (per station ≤ {GOAL_LINEARITY}x that of {first}): "
        f"{'MET' if linear_ok else 'NOT MET'} ({linear_words}). Took {took:.0f} s."
    )


if __name__ == "__main__":
    main()
