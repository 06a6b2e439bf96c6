"""What the desktop app costs, against a bare PySide6 + pyqtgraph window in the same run.

1. Start-up: from launching a fresh Python process until the main window is shown
   (imports included), against a bare window holding one pyqtgraph plot. Goal: < 2x.
2. CPU: the share of one core the app takes during a live simulated session at real
   time (session screen visible, heart-rate plot growing), against the bare window
   updating a plot and a few labels at the same rates (10 Hz labels, 1 Hz samples,
   plot redrawn at 4 Hz). Goal: < 1.5x.
3. Memory: resident memory after a simulated 3-hour session run through the session
   screen (accelerated), and what the session added to the shown window's.

Each figure runs in its own process (QT_QPA_PLATFORM=offscreen unless a display is set)
and the children are alternated so machine noise hits both sides alike.

    python benchmarks/gui.py [--runs N] [--cpu-seconds S]
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

HERE = Path(__file__).resolve()


# ------------------------------------------------------------------ the children


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _app_window(config: Path) -> object:
    from retrocoach.devices.memory import DeviceMemory
    from retrocoach.gui.device_hub import DeviceHub
    from retrocoach.gui.main_window import MainWindow
    from retrocoach.userdata import AppSettings, UserData
    from retrocoach.workouts.profile import RunnerProfile

    data = UserData(config)
    data.save_profile(RunnerProfile())
    data.save_settings(AppSettings())
    hub = DeviceHub(DeviceMemory(config / "devices.toml"))
    hub.use_simulators()
    window = MainWindow(data, hub)
    window.resize(1366, 768)
    window.show()
    return window


def child_startup_app(config: Path) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    window = _app_window(config)
    window.startup()  # type: ignore[attr-defined]
    app.processEvents()
    return {"shown_s": time.monotonic()}


def _bare_window() -> tuple[object, object, list[object]]:
    import pyqtgraph as pg
    from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

    window = QWidget()
    layout = QVBoxLayout(window)
    labels: list[object] = []
    for text in ("BACKWARD", "1:00", "9.0 km/h", "140 bpm"):
        label = QLabel(text)
        layout.addWidget(label)
        labels.append(label)
    plot = pg.PlotWidget()
    curve = plot.plot(pen=pg.mkPen(width=2))
    plot.setDownsampling(auto=True, mode="peak")
    plot.setClipToView(True)
    layout.addWidget(plot, 1)
    window.resize(1366, 768)
    window.show()
    return window, curve, labels


def child_startup_bare(_: Path) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    keep = _bare_window()
    app.processEvents()
    del keep
    return {"shown_s": time.monotonic()}


def child_cpu_app(config: Path, seconds: float) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    from retrocoach.workouts.library import get

    app = QApplication([])
    window = _app_window(config)
    window.prepare_session(get("back-forth-50"))  # type: ignore[attr-defined]
    runner = window.runner  # type: ignore[attr-defined]
    runner.start()
    return _measure_cpu(app, seconds)


def child_cpu_bare(_: Path, seconds: float) -> dict[str, float]:
    import numpy as np
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    window, curve, labels = _bare_window()
    xs = np.zeros(0)
    ys = np.zeros(0)
    state = {"n": 0, "dirty": False}

    def labels_tick() -> None:
        state["n"] += 1
        for label in labels:
            label.setText(f"{state['n'] % 97}:{state['n'] % 60:02d}")  # type: ignore[attr-defined]

    def sample_tick() -> None:
        nonlocal xs, ys
        xs = np.append(xs, len(xs) / 60)
        ys = np.append(ys, 120 + 20 * np.sin(len(ys) / 30))
        state["dirty"] = True

    def plot_tick() -> None:
        if state["dirty"]:
            curve.setData(xs, ys)  # type: ignore[attr-defined]
            state["dirty"] = False

    timers = []
    for interval, slot in ((100, labels_tick), (1000, sample_tick), (250, plot_tick)):
        timer = QTimer()
        timer.timeout.connect(slot)
        timer.start(interval)
        timers.append(timer)
    result = _measure_cpu(app, seconds)
    del window, timers
    return result


def _measure_cpu(app: object, seconds: float) -> dict[str, float]:
    from PySide6.QtCore import QEventLoop, QTimer

    # Settle first (first paints, caches), then measure a steady stretch.
    for phase, length in (("settle", 2.0), ("measure", seconds)):
        loop = QEventLoop()
        QTimer.singleShot(int(length * 1000), loop.quit)
        cpu0, wall0 = time.process_time(), time.monotonic()
        loop.exec()
        if phase == "measure":
            cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    return {"cpu_share": cpu / wall}


def child_memory(config: Path) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    from retrocoach.workouts.model import Direction, Gait, RelativeSpeed, Repeat, Step, TimeEnd
    from retrocoach.workouts.model import Workout as W

    app = QApplication([])
    window = _app_window(config)
    window.hub.simulator_speedup = 1000.0  # type: ignore[attr-defined]
    app.processEvents()
    before = _rss_mb()
    three_hours = W(
        "bench-3h",
        "Three hours",
        (
            Repeat(
                45,
                (
                    Step(Direction.BACKWARD, Gait.RUN, TimeEnd(120), RelativeSpeed(0.9)),
                    Step(Direction.FORWARD, Gait.RUN, TimeEnd(120)),
                ),
            ),
        ),
    )
    window.prepare_session(three_hours)  # type: ignore[attr-defined]
    runner = window.runner  # type: ignore[attr-defined]
    runner.start()
    while not runner.engine_finished:
        app.processEvents()
        time.sleep(0.005)
    for _ in range(50):  # let the last redraws happen
        app.processEvents()
        time.sleep(0.01)
    virtual_h = runner.station.engine.now / 3600
    return {"before_mb": before, "after_mb": _rss_mb(), "virtual_h": virtual_h}


# ------------------------------------------------------------------ the parent


def _spawn(kind: str, *extra: str) -> dict[str, float]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        env["XDG_CONFIG_HOME"] = tmp
        began = time.monotonic()
        out = subprocess.run(
            [sys.executable, str(HERE), "--child", kind, "--config", tmp, *extra],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if out.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{out.stderr}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    if "shown_s" in result:
        result["startup_s"] = result["shown_s"] - began
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cpu-seconds", type=float, default=30.0)
    parser.add_argument(
        "--parts", default="startup,cpu,memory", help="which figures (default: all three)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        config = Path(args.config)
        children = {
            "startup-app": lambda: child_startup_app(config),
            "startup-bare": lambda: child_startup_bare(config),
            "cpu-app": lambda: child_cpu_app(config, args.cpu_seconds),
            "cpu-bare": lambda: child_cpu_bare(config, args.cpu_seconds),
            "memory": lambda: child_memory(config),
        }
        print(json.dumps(children[args.child]()))
        return

    parts = set(args.parts.split(","))
    if "startup" in parts:
        startup(args.runs)
    if "cpu" in parts:
        cpu(args.cpu_seconds)
    if "memory" in parts:
        memory()


def startup(runs: int) -> None:
    app_s, bare_s = [], []
    for _ in range(runs):
        bare_s.append(_spawn("startup-bare")["startup_s"])
        app_s.append(_spawn("startup-app")["startup_s"])
    app_med, bare_med = statistics.median(app_s), statistics.median(bare_s)
    print(
        f"start-up to a shown window: app {app_med * 1000:.0f} ms, bare PySide6 + pyqtgraph "
        f"{bare_med * 1000:.0f} ms, ratio {app_med / bare_med:.2f}x (goal < 2x; median of "
        f"{runs})"
    )


def cpu(seconds: float) -> None:
    cpu_bare = _spawn("cpu-bare", "--cpu-seconds", str(seconds))["cpu_share"]
    cpu_app = _spawn("cpu-app", "--cpu-seconds", str(seconds))["cpu_share"]
    print(
        f"CPU during a live simulated session at real time: app {cpu_app * 100:.2f} % of a "
        f"core, bare plot window {cpu_bare * 100:.2f} %, ratio {cpu_app / cpu_bare:.2f}x "
        f"(goal < 1.5x; {seconds:.0f} s each)"
    )


def memory() -> None:
    result = _spawn("memory")
    print(
        f"memory after a simulated {result['virtual_h']:.1f}-hour session: "
        f"{result['after_mb']:.0f} MB resident ({result['after_mb'] - result['before_mb']:+.0f} "
        f"MB over the shown window's {result['before_mb']:.0f} MB)"
    )


if __name__ == "__main__":
    main()
