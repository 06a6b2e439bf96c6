"""The command line (contract: DESIGN.md). Exit codes: 0 done, 1 the session ended by a
fault, 2 bad input (the message names the file, the line or key, and what is wrong),
130 interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bleak.backends.device import BLEDevice
from bleak.exc import BleakError

from retrocoach import __version__
from retrocoach.coach.events import DeviceEvent, EndReason, Event
from retrocoach.coach.plan import PlanError, SpeedLimits, build_plan, estimate
from retrocoach.console import ConsoleProgress
from retrocoach.console_record import (
    ExportPathError,
    check_export_path,
    export_one,
    finish_recording,
    list_sessions,
    open_recorder,
)
from retrocoach.console_sound import describe_sound, finish_sound, open_sound, run_loop
from retrocoach.devices import scanner
from retrocoach.devices.ble_strap import BleHeartRateStrap
from retrocoach.devices.ble_treadmill import BleTreadmill
from retrocoach.devices.memory import DeviceMemory, RememberedDevice
from retrocoach.devices.ports import HeartRateMonitor, LinkState, Role, Treadmill
from retrocoach.devices.simulator import SimulatedTreadmill
from retrocoach.protocol.describe import KINDS, as_json, describe, format_field, parse_hex
from retrocoach.record.eventlog import EventLog
from retrocoach.record.export import ExportError
from retrocoach.record.schema import StoreError
from retrocoach.station import (
    Clock,
    EventSink,
    RealClock,
    Station,
    VirtualClock,
    run,
    simulated_station,
    strap_following,
)
from retrocoach.userdata import read_workout_file
from retrocoach.workouts import library
from retrocoach.workouts.errors import WorkoutFileError
from retrocoach.workouts.fileformat import load_profile
from retrocoach.workouts.model import Workout, format_distance, format_duration
from retrocoach.workouts.profile import RunnerProfile

if TYPE_CHECKING:
    from retrocoach.audio import CuePlayer

EXIT_OK, EXIT_FAULT, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
log = logging.getLogger("retrocoach")
SCAN_S = 8.0  # how long `run` looks for the devices it was given


class BadInput(Exception):
    """Input the command cannot use; the message says which and why."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _open_app()
    try:
        result: int = args.handler(args)
        sys.stdout.flush()  # here, where a reader gone away can still be told apart
        return result
    except BrokenPipeError:
        # The reader left early (`retrocoach workouts | head`): not an error. Later
        # writes (and the interpreter's final flush) go nowhere instead of failing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except BadInput as exc:
        print(f"retrocoach: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (WorkoutFileError, PlanError) as exc:
        print(f"retrocoach: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _open_app() -> int:
    """`retrocoach` alone opens the desktop app (Qt is loaded only then)."""
    try:
        from retrocoach.gui.app import main as app_main
    except ImportError as exc:  # e.g. Qt's system libraries missing
        print(f"retrocoach: the desktop app cannot start: {exc}", file=sys.stderr)
        return EXIT_FAULT
    return app_main()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="retrocoach",
        description="A coach for backwards (retro) running on a smart treadmill. "
        "Without a command, it opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"retrocoach {__version__}")
    parser.set_defaults(command=None)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    run_p = sub.add_parser("run", help="run a session without the GUI (console progress)")
    run_p.add_argument("--workout", required=True, help="a built-in workout's name, or a file")
    run_p.add_argument(
        "--treadmill",
        default="sim",
        help="a treadmill's Bluetooth address or name, or 'sim' for the simulator (default)",
    )
    run_p.add_argument(
        "--hrm",
        default="sim",
        help="a strap's Bluetooth address or name, 'sim' for a simulated one (default), or 'none'",
    )
    run_p.add_argument("--profile", help="the runner's profile (TOML file)")
    run_p.add_argument(
        "--speedup",
        default="1",
        help="simulated sessions only: run X times faster than real time, or 'max'",
    )
    run_p.add_argument("--events", help="write the event log (JSON Lines) to this file")
    run_p.add_argument(
        "--export", help="also export the session to this file (.fit, .tcx or .csv) at its end"
    )
    run_p.add_argument(
        "--no-record",
        action="store_true",
        help="do not keep the session in the saved sessions (it is kept by default)",
    )
    run_p.add_argument("--mute", action="store_true", help="no sound: the cues are printed only")
    run_p.add_argument("--adapter", help="the Bluetooth adapter to use (Linux: hci0, hci1, ...)")
    run_p.set_defaults(command="run", handler=_cmd_run)

    scan_p = sub.add_parser("scan", help="nearby FTMS treadmills and heart-rate straps")
    scan_p.add_argument("--timeout", type=float, default=5.0, help="seconds to listen (5)")
    scan_p.add_argument("--adapter", help="the Bluetooth adapter to use (Linux: hci0, ...)")
    scan_p.set_defaults(command="scan", handler=_cmd_scan)

    dec_p = sub.add_parser(
        "decode", help="decode one characteristic value (hex from a BLE sniffer)"
    )
    dec_p.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    dec_p.add_argument("hex", nargs="+", help="the bytes, e.g. '00 00 e8 03' or 0000e803")
    dec_p.add_argument("--json", action="store_true", help="print JSON")
    dec_p.set_defaults(command="decode", handler=_cmd_decode)

    vt_p = sub.add_parser(
        "virtual-treadmill",
        help="(Linux/BlueZ) serve the simulated treadmill as a Bluetooth LE peripheral",
    )
    vt_p.add_argument("--hrm", action="store_true", help="serve a simulated heart-rate strap too")
    vt_p.add_argument("--adapter", default="hci0", help="the adapter to serve on (hci0)")
    vt_p.add_argument("--name", default="retrocoach treadmill", help="the name it advertises")
    vt_p.set_defaults(command="virtual-treadmill", handler=_cmd_virtual_treadmill)

    wk_p = sub.add_parser("workouts", help="the built-in library, or one workout in detail")
    wk_p.add_argument("name", nargs="?", help="a built-in workout's name, or a file")
    wk_p.add_argument("--json", action="store_true", help="print JSON")
    wk_p.add_argument("--profile", help="work the speeds out for this profile (TOML file)")
    wk_p.set_defaults(command="workouts", handler=_cmd_workouts)

    ses_p = sub.add_parser("sessions", help="the recorded sessions, newest first")
    ses_p.add_argument("--json", action="store_true", help="print JSON")
    ses_p.set_defaults(command="sessions", handler=_cmd_sessions)

    exp_p = sub.add_parser("export", help="export a recorded session to FIT, TCX or CSV")
    exp_p.add_argument("id", type=int, help="the session's ID ('retrocoach sessions' lists them)")
    exp_p.add_argument("file", help="the file to write: .fit, .tcx or .csv")
    exp_p.set_defaults(command="export", handler=_cmd_export)
    return parser


# ---------------------------------------------------------------- inputs


def resolve_workout(spec: str) -> Workout:
    """A built-in name, or the path of a workout file (TOML or Zwift's .zwo)."""
    path = Path(spec)
    if path.suffix.lower() in (".toml", ".zwo") or path.exists() or "/" in spec or "\\" in spec:
        return read_workout_file(path)
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
    simulated = args.treadmill == "sim" and args.hrm in ("sim", "none")
    if not simulated and speedup != 1.0:
        raise BadInput("--speedup: only a fully simulated session can run faster than real time")
    if args.events is not None:
        folder = Path(args.events).resolve().parent
        if not folder.is_dir():
            raise BadInput(f"--events: {args.events}: the folder {folder} does not exist")
    export_path = _export_path(args.export, "--export: ") if args.export else None
    sound = None if args.mute else open_sound(speedup, sys.stderr)
    if simulated:
        return run_session(
            workout,
            profile,
            with_strap=args.hrm == "sim",
            speedup=speedup,
            events_path=args.events,
            out=sys.stdout,
            sound=sound,
            keep=not args.no_record,
            export_path=export_path,
        )
    try:
        return run_loop(
            _run_on_devices(args, workout, profile, sound, export_path), qt=sound is not None
        )
    except KeyboardInterrupt:  # after the belt was stopped (see _drive), or before a start
        return EXIT_INTERRUPTED


async def _run_on_devices(
    args: argparse.Namespace,
    workout: Workout,
    profile: RunnerProfile,
    sound: CuePlayer | None,
    export_path: Path | None,
) -> int:
    """A session on at least one Bluetooth device, in real time."""
    clock = RealClock()
    wanted = [w for w in (args.treadmill, args.hrm) if w not in ("sim", "none")]
    print("Looking for your devices...", flush=True)
    try:
        found = await scanner.scan(timeout=SCAN_S, adapter=args.adapter) if wanted else []
    except BleakError as exc:
        raise BadInput(f"cannot look for Bluetooth devices: {exc}") from None
    holder: list[Station] = []

    treadmill: Treadmill
    if args.treadmill == "sim":
        treadmill = SimulatedTreadmill()
    else:
        treadmill = BleTreadmill(
            _device(args.treadmill, found, Role.TREADMILL), clock=clock.now, adapter=args.adapter
        )
    hrm: HeartRateMonitor | None = None
    if args.hrm == "sim":
        hrm = strap_following(holder, profile)
    elif args.hrm != "none":
        hrm = BleHeartRateStrap(
            _device(args.hrm, found, Role.HRM), clock=clock.now, adapter=args.adapter
        )
    log = EventLog(args.events) if args.events else None
    recorder = open_recorder(workout, keep=not args.no_record, err=sys.stderr)
    sinks: list[EventSink] = [log, recorder] if log else [recorder]
    station = Station(workout, profile, treadmill, hrm, now=clock.now(), sinks=sinks)
    if sound is not None:
        station.sinks.insert(0, sound)  # first: a cue starts before anything is printed
    holder.append(station)
    station.sinks.append(ConsoleProgress(station.engine, sys.stdout, status_every_s=30.0))
    try:
        station.connect(clock.now())
        if not await _connected(station, clock, timeout_s=30.0):
            print(
                "retrocoach: could not connect to "
                + " and ".join(d.name for d in (treadmill, hrm) if d is not None),
                file=sys.stderr,
            )
            return EXIT_FAULT
        try:
            station.use_treadmill_limits()
        except PlanError as exc:
            raise BadInput(f"{treadmill.name}: {exc}") from None
        _remember(treadmill, hrm)
        _print_header(workout, profile, station, 1.0, sys.stdout, sound)
        try:
            code = await _drive(station, clock, sys.stdout)
        finally:
            await finish_sound(sound)
        exported = finish_recording(recorder, export_path, sys.stdout, sys.stderr)
        return code if exported or code != EXIT_OK else EXIT_FAULT
    finally:
        station.close()
        recorder.close()  # (again: harmless) what was recorded is kept, whatever happened
        for device in (treadmill, hrm):
            if isinstance(device, BleTreadmill | BleHeartRateStrap):
                await device.aclose()
        if log is not None:
            log.close()


def _device(wanted: str, found: list[scanner.FoundDevice], role: Role) -> BLEDevice:
    """The device a person named (by address or name) among those just seen."""
    match = scanner.pick(found, wanted, role)
    if match is None:
        what = "treadmill" if role is Role.TREADMILL else "heart-rate strap"
        seen = ", ".join(f"{d.label} ({d.address})" for d in found if role in d.roles) or "none"
        how = "with address" if scanner.looks_like_address(wanted) else "named"
        raise BadInput(
            f"no {what} {how} {wanted!r} nearby (seen: {seen}); is it awake, and not "
            "connected to another app? ('retrocoach scan' lists what is nearby)"
        )
    return match.device


async def _connected(station: Station, clock: Clock, timeout_s: float) -> bool:
    """Wait until every device of the station reports a connection."""
    states: dict[str, str] = {}

    def watch(event: Event) -> None:
        if isinstance(event, DeviceEvent):
            states[event.role] = event.state

    station.sinks.append(watch)
    roles = {Role.TREADMILL.value} | ({Role.HRM.value} if station.hrm is not None else set())
    deadline = clock.now() + timeout_s
    try:
        while clock.now() < deadline:
            station.step(clock.now())
            # Connected and quiet (stale) is connected: some machines say nothing idle.
            up = (LinkState.CONNECTED.value, LinkState.STALE.value)
            if all(states.get(role) in up for role in roles):
                return True
            await asyncio.sleep(0.05)
        return False
    finally:
        station.sinks.remove(watch)


def _remember(treadmill: Treadmill, hrm: HeartRateMonitor | None) -> None:
    memory = DeviceMemory()
    for role, device in ((Role.TREADMILL, treadmill), (Role.HRM, hrm)):
        if isinstance(device, BleTreadmill | BleHeartRateStrap):
            try:
                memory.remember(role, RememberedDevice(device.address, device.name))
            except OSError as exc:  # a read-only config folder must not stop a session
                print(f"retrocoach: could not remember {device.name}: {exc}", file=sys.stderr)


def run_session(
    workout: Workout,
    profile: RunnerProfile,
    *,
    with_strap: bool,
    speedup: float | None,
    events_path: str | None,
    out: TextIO,
    sound: CuePlayer | None = None,
    keep: bool = True,
    export_path: Path | None = None,
) -> int:
    """A simulated session from start to end; launching it is the person's start."""
    clock = VirtualClock(speedup)
    log = EventLog(events_path) if events_path else None
    recorder = open_recorder(workout, keep=keep, err=sys.stderr)
    sinks: list[EventSink] = [sound] if sound is not None else []
    station = simulated_station(
        workout,
        profile,
        now=clock.now(),
        with_strap=with_strap,
        sinks=[*sinks, *([log] if log else []), recorder],
    )
    status_every = 30.0 if speedup is not None and speedup <= 5 else 60.0
    station.sinks.append(ConsoleProgress(station.engine, out, status_every_s=status_every))
    _print_header(workout, profile, station, speedup, out, sound)

    async def session() -> int:
        station.connect(clock.now())
        try:
            return await _drive(station, clock, out)
        finally:
            await finish_sound(sound)

    try:
        code = run_loop(session(), qt=sound is not None)
    except KeyboardInterrupt:  # after the belt was stopped (see _drive)
        code = EXIT_INTERRUPTED
    finally:
        station.close()
        if log is not None:
            log.close()
    exported = finish_recording(recorder, export_path, out, sys.stderr)
    return code if exported or code != EXIT_OK else EXIT_FAULT


async def _drive(station: Station, clock: Clock, out: TextIO) -> int:
    """The person's start, then the session to its end. Ctrl-C (or SIGTERM) is an
    emergency stop: the belt is stopped at once and the command ends when it stands
    still; a second Ctrl-C leaves at once."""
    interrupted = False
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        nonlocal interrupted
        if interrupted:
            raise SystemExit(EXIT_INTERRUPTED)
        interrupted = True
        station.emergency_stop(clock.now())  # first: the words can wait
        with contextlib.suppress(OSError):
            out.write("Emergency stop: stopping the belt (Ctrl-C again to quit at once)\n")

    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_signal)
            installed.append(sig)
    try:
        station.start(clock.now())
        await run(station, clock)
    except (KeyboardInterrupt, asyncio.CancelledError):
        # Ctrl-C where the loop has no signal handlers (Windows): asyncio cancels us.
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
        await _stop_belt(station, clock)
        return EXIT_INTERRUPTED
    except Exception:
        # Whatever went wrong, the belt is not left running.
        log.exception("the session failed")
        await _stop_belt(station, clock)
        print("retrocoach: the session failed; the belt was stopped", file=sys.stderr)
        return EXIT_FAULT
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAULT if station.engine.end_reason is EndReason.FAULT else EXIT_OK


async def _stop_belt(station: Station, clock: Clock, within_s: float = 30.0) -> None:
    """Emergency stop, and keep the session going until the belt stands (bounded)."""
    station.emergency_stop(clock.now())
    with contextlib.suppress(Exception, asyncio.CancelledError):
        await asyncio.wait_for(run(station, clock), within_s)


def _print_header(
    workout: Workout,
    profile: RunnerProfile,
    station: Station,
    speedup: float | None,
    out: TextIO,
    sound: CuePlayer | None = None,
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
        f"  sound: {describe_sound(sound, speedup)}\n"
    )
    clamped = [seg for seg in plan if seg.clamped]
    for seg in clamped:
        out.write(
            f"  note: segment {seg.index + 1} ({seg.label}) runs at "
            f"{profile.units.format_speed(seg.target_kmh)}, not "
            f"{profile.units.format_speed(seg.requested_kmh)}: capped\n"
        )
    out.flush()


# ---------------------------------------------------------------- scan, decode


def _cmd_scan(args: argparse.Namespace) -> int:
    if not 0 < args.timeout <= 120:
        raise BadInput(f"--timeout: must be above 0 and at most 120 s, not {args.timeout:g}")
    print(f"Listening for {args.timeout:g} s...", flush=True)
    try:
        found = asyncio.run(scanner.scan(args.timeout, adapter=args.adapter))
    except Exception as exc:  # no adapter, Bluetooth off, no permission: say so plainly
        print(f"retrocoach: cannot scan: {exc}", file=sys.stderr)
        return EXIT_FAULT
    remembered = {d.address.lower() for d in DeviceMemory().load().values()}
    if not found:
        print("No treadmill or heart-rate strap found. Is it awake and not connected elsewhere?")
    for device in found:
        kinds = " + ".join(
            word
            for role, word in ((Role.TREADMILL, "treadmill"), (Role.HRM, "heart-rate strap"))
            if role in device.roles
        )
        rssi = f"{device.rssi} dBm" if device.rssi is not None else "?"
        mark = "  (remembered)" if device.address.lower() in remembered else ""
        print(f"{kinds:<18} {device.label:<28} {device.address}  {rssi}{mark}")
    return EXIT_OK


def _cmd_virtual_treadmill(args: argparse.Namespace) -> int:
    from retrocoach.peripheral.cli import main_virtual_treadmill  # Linux only, imported late

    return main_virtual_treadmill(with_hrm=args.hrm, adapter=args.adapter, name=args.name)


def _cmd_decode(args: argparse.Namespace) -> int:
    try:
        data = parse_hex(" ".join(args.hex))
    except ValueError as exc:
        raise BadInput(f"decode: {exc}") from None
    if args.json:
        print(json.dumps(as_json(args.kind, data), indent=2, ensure_ascii=False))
    else:
        for field in describe(args.kind, data):
            print(format_field(field))
    return EXIT_OK


# ---------------------------------------------------------------- sessions


def _export_path(path: str, what: str = "") -> Path:
    try:
        return check_export_path(path)
    except ExportPathError as exc:
        raise BadInput(f"{what}{exc}") from None


def _cmd_sessions(args: argparse.Namespace) -> int:
    try:
        list_sessions(args.json, sys.stdout, sys.stderr)
    except StoreError as exc:
        print(f"retrocoach: cannot read the saved sessions: {exc}", file=sys.stderr)
        return EXIT_FAULT
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    path = _export_path(args.file)
    try:
        export_one(args.id, path, sys.stdout)
    except KeyError:
        listed = "'retrocoach sessions' lists them"
        raise BadInput(f"there is no session {args.id} ({listed})") from None
    except StoreError as exc:
        print(f"retrocoach: cannot read the saved sessions: {exc}", file=sys.stderr)
        return EXIT_FAULT
    except ExportError as exc:
        print(f"retrocoach: {exc}", file=sys.stderr)
        return EXIT_FAULT
    return EXIT_OK


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
