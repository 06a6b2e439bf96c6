"""The command line (contract: DESIGN.md). Exit codes: 0 done, 1 the session ended by a
fault, 2 bad input (the message names the file, the line or key, and what is wrong),
130 interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from retrocoach import __version__
from retrocoach.coach.events import EndReason
from retrocoach.coach.plan import SpeedLimits, build_plan, estimate
from retrocoach.console import ConsoleProgress
from retrocoach.record.eventlog import EventLog
from retrocoach.station import Station, VirtualClock, run, simulated_station
from retrocoach.workouts import library
from retrocoach.workouts.errors import WorkoutFileError
from retrocoach.workouts.fileformat import load_profile, load_workout
from retrocoach.workouts.model import Workout, format_distance, format_duration
from retrocoach.workouts.profile import RunnerProfile

EXIT_OK, EXIT_FAULT, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class BadInput(Exception):
    """Input the command cannot use; the message says which and why."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        print(
            "\nThe desktop app is not built yet. Try a simulated session:\n"
            "  retrocoach run --workout first-steps --treadmill sim --hrm sim --speedup 30"
        )
        return EXIT_OK
    try:
        result: int = args.handler(args)
        return result
    except BadInput as exc:
        print(f"retrocoach: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except WorkoutFileError as exc:
        print(f"retrocoach: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="retrocoach",
        description="A coach for backwards (retro) running on a smart treadmill.",
    )
    parser.add_argument("--version", action="version", version=f"retrocoach {__version__}")
    parser.set_defaults(command=None)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    run_p = sub.add_parser("run", help="run a session without the GUI (console progress)")
    run_p.add_argument("--workout", required=True, help="a built-in workout's name, or a file")
    run_p.add_argument(
        "--treadmill", default="sim", help="'sim' for the built-in simulator (default)"
    )
    run_p.add_argument(
        "--hrm", default="sim", help="'sim' for a simulated strap (default) or 'none'"
    )
    run_p.add_argument("--profile", help="the runner's profile (TOML file)")
    run_p.add_argument(
        "--speedup",
        default="1",
        help="simulated sessions only: run X times faster than real time, or 'max'",
    )
    run_p.add_argument("--events", help="write the event log (JSON Lines) to this file")
    run_p.set_defaults(command="run", handler=_cmd_run)

    wk_p = sub.add_parser("workouts", help="the built-in library, or one workout in detail")
    wk_p.add_argument("name", nargs="?", help="a built-in workout's name, or a file")
    wk_p.add_argument("--json", action="store_true", help="print JSON")
    wk_p.add_argument("--profile", help="work the speeds out for this profile (TOML file)")
    wk_p.set_defaults(command="workouts", handler=_cmd_workouts)
    return parser


# ---------------------------------------------------------------- inputs


def resolve_workout(spec: str) -> Workout:
    """A built-in name, or the path of a workout file."""
    path = Path(spec)
    if path.suffix.lower() == ".toml" or path.exists() or "/" in spec or "\\" in spec:
        return load_workout(path)
    try:
        return library.get(spec)
    except library.UnknownWorkout as exc:
        hint = f"; did you mean {' or '.join(exc.suggestions)}?" if exc.suggestions else ""
        raise BadInput(
            f"{spec}: no such workout{hint} ('retrocoach workouts' lists them)"
        ) from None


def resolve_profile(spec: str | None) -> RunnerProfile:
    return RunnerProfile() if spec is None else load_profile(spec)


def parse_speedup(text: str) -> float | None:
    if text.strip().lower() == "max":
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadInput(f"--speedup: {text!r} is not a number or 'max'") from None
    if not 0 < value <= 100_000:
        raise BadInput(f"--speedup: must be above 0 and at most 100000, not {text}")
    return value


# ---------------------------------------------------------------- run


def _cmd_run(args: argparse.Namespace) -> int:
    # Everything is checked before anything is written or any device is touched.
    workout = resolve_workout(args.workout)
    profile = resolve_profile(args.profile)
    speedup = parse_speedup(args.speedup)
    if args.treadmill != "sim":
        raise BadInput(
            f"--treadmill: {args.treadmill!r}: only the simulator ('sim') is available in "
            "this version; Bluetooth treadmills come next"
        )
    if args.hrm not in ("sim", "none"):
        raise BadInput(
            f"--hrm: {args.hrm!r}: use 'sim' or 'none' in this version; Bluetooth straps come next"
        )
    if args.events is not None:
        folder = Path(args.events).resolve().parent
        if not folder.is_dir():
            raise BadInput(f"--events: {args.events}: the folder {folder} does not exist")
    return run_session(
        workout,
        profile,
        with_strap=args.hrm == "sim",
        speedup=speedup,
        events_path=args.events,
        out=sys.stdout,
    )


def run_session(
    workout: Workout,
    profile: RunnerProfile,
    *,
    with_strap: bool,
    speedup: float | None,
    events_path: str | None,
    out: TextIO,
) -> int:
    """A simulated session from start to end; launching it is the person's start."""
    clock = VirtualClock(speedup)
    log = EventLog(events_path) if events_path else None
    station = simulated_station(
        workout, profile, now=clock.now(), with_strap=with_strap, sinks=[log] if log else []
    )
    status_every = 30.0 if speedup is not None and speedup <= 5 else 60.0
    station.sinks.append(ConsoleProgress(station.engine, out, status_every_s=status_every))
    _print_header(workout, profile, station, speedup, out)
    interrupted = False

    async def session() -> None:
        nonlocal interrupted
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            nonlocal interrupted
            if interrupted:
                raise SystemExit(EXIT_INTERRUPTED)  # a second Ctrl-C: leave at once
            interrupted = True
            out.write("Emergency stop: stopping the belt (Ctrl-C again to quit at once)\n")
            station.emergency_stop(clock.now())

        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, on_signal)
        station.connect(clock.now())
        station.start(clock.now())
        await run(station, clock)

    try:
        asyncio.run(session())
    except KeyboardInterrupt:  # platforms without loop signal handlers
        interrupted = True
    finally:
        station.close()
        if log is not None:
            log.close()
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAULT if station.engine.end_reason is EndReason.FAULT else EXIT_OK


def _print_header(
    workout: Workout,
    profile: RunnerProfile,
    station: Station,
    speedup: float | None,
    out: TextIO,
) -> None:
    plan = station.engine.segments
    est = estimate(plan, profile, station.engine.limits)
    pace = "as fast as possible" if speedup is None else f"{speedup:g}× real time"
    out.write(
        f"retrocoach · {workout.title} ({workout.name})\n"
        f"  treadmill: {station.treadmill.name} · strap: "
        f"{station.hrm.name if station.hrm else 'none'} · {pace}\n"
        f"  {len(plan)} segments, about {format_duration(est.duration_s)} and "
        f"{format_distance(round(est.distance_m / 10) * 10)}"
        f" ({format_duration(est.backward_s)} backwards)\n"
    )
    clamped = [seg for seg in plan if seg.clamped]
    for seg in clamped:
        out.write(
            f"  note: segment {seg.index + 1} ({seg.label}) runs at "
            f"{profile.units.format_speed(seg.target_kmh)}, not "
            f"{profile.units.format_speed(seg.requested_kmh)}: capped\n"
        )
    out.flush()


# ---------------------------------------------------------------- workouts


def _cmd_workouts(args: argparse.Namespace) -> int:
    profile = resolve_profile(args.profile)
    limits = SpeedLimits()
    if args.name is None:
        rows = [_summary(w, profile, limits) for w in library.all_workouts()]
        if args.json:
            print(json.dumps(rows, indent=2, ensure_ascii=False))
        else:
            _print_listing(rows)
        return EXIT_OK
    workout = resolve_workout(args.name)
    detail = _summary(workout, profile, limits)
    detail["steps"] = _steps(workout, profile, limits)
    if args.json:
        print(json.dumps(detail, indent=2, ensure_ascii=False))
    else:
        _print_detail(detail, profile)
    return EXIT_OK


def _summary(workout: Workout, profile: RunnerProfile, limits: SpeedLimits) -> dict[str, Any]:
    est = estimate(build_plan(workout, profile, limits), profile, limits)
    return {
        "name": workout.name,
        "title": workout.title,
        "description": workout.description,
        "duration_s": round(est.duration_s),
        "distance_m": round(est.distance_m),
        "backward_s": round(est.backward_s),
        "backward_m": round(est.backward_m),
    }


def _steps(workout: Workout, profile: RunnerProfile, limits: SpeedLimits) -> list[dict[str, Any]]:
    plan = build_plan(workout, profile, limits)
    est = estimate(plan, profile, limits)
    steps = []
    for seg in plan:
        steps.append(
            {
                "index": seg.index,
                "label": seg.label,
                "direction": seg.direction.value,
                "gait": seg.gait.value,
                "end": seg.end_record,
                "target_speed_kmh": seg.target_kmh,
                "requested_speed_kmh": round(seg.requested_kmh, 2),
                "incline_pct": seg.incline_pct,
                "note": seg.note,
                "starts_at_s": round(est.starts_s[seg.index]),
                "starts_at_m": round(est.starts_m[seg.index]),
            }
        )
    return steps


def _print_listing(rows: list[dict[str, Any]]) -> None:
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        print(
            f"{r['name']:<{width}}  {format_duration(r['duration_s']):>7}  "
            f"{r['distance_m'] / 1000:5.2f} km  back {format_duration(r['backward_s']):>6}  "
            f"{r['title']}"
        )
    print("\n'retrocoach workouts NAME' shows one workout's steps.")


def _print_detail(detail: dict[str, Any], profile: RunnerProfile) -> None:
    units = profile.units
    print(f"{detail['title']} ({detail['name']})")
    if detail["description"]:
        print(f"  {detail['description']}")
    print(
        f"  about {format_duration(detail['duration_s'])}, "
        f"{detail['distance_m'] / 1000:.2f} km; backwards "
        f"{format_duration(detail['backward_s'])}, {detail['backward_m'] / 1000:.2f} km\n"
    )
    for step in detail["steps"]:
        end = step["end"]
        how = (
            format_duration(end["time_s"])
            if "time_s" in end
            else format_distance(end["distance_m"])
        )
        incline = f"  {step['incline_pct']:g} %" if step["incline_pct"] else ""
        print(
            f"  {step['index'] + 1:>3}. {format_duration(step['starts_at_s']):>7}  "
            f"{step['direction']:<8} {step['gait']:<4} {how:>6}  "
            f"{units.format_speed(step['target_speed_kmh']):>9}{incline}  {step['label']}"
        )
        if step["note"]:
            print(f"{'':20}{step['note']}")


if __name__ == "__main__":
    sys.exit(main())
