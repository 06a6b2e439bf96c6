"""`retrocoach virtual-treadmill`: the simulator as a Bluetooth treadmill, until Ctrl-C.

It runs on the system bus, on a real adapter, so any FTMS app nearby (QZ, Zwift, our
own) can find and drive it, and prints what happens: connections, subscriptions,
commands and their results, machine statuses and the belt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrocoach.peripheral.virtual_treadmill import VirtualTreadmill

EXIT_OK, EXIT_FAULT, EXIT_BAD_INPUT = 0, 1, 2
REPORT_EVERY_S = 1.0


def main_virtual_treadmill(with_hrm: bool, adapter: str, name: str) -> int:
    """Serve until SIGINT/SIGTERM; 0 when stopped so, 1 if BlueZ fails, 2 for bad input."""
    if not sys.platform.startswith("linux"):
        print("virtual-treadmill needs Linux with BlueZ", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not name or len(name.encode()) > 29:  # it must fit an advertisement (31 bytes)
        print(f"virtual-treadmill: name {name!r} must be 1-29 bytes", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        import dbus_fast  # noqa: F401  # bleak's D-Bus library on Linux
    except ImportError:
        print("virtual-treadmill needs dbus-fast: pip install dbus-fast", file=sys.stderr)
        return EXIT_FAULT

    logger = logging.getLogger("retrocoach.peripheral")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s  %(message)s", "%H:%M:%S"))
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # printed here, not again by a root handler
    try:
        return asyncio.run(_serve(with_hrm, adapter, name))
    except KeyboardInterrupt:  # before the signal handlers were in place
        return EXIT_OK
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


async def _serve(with_hrm: bool, adapter: str, name: str) -> int:
    from retrocoach.peripheral.virtual_treadmill import (
        AdapterNotFound,
        PeripheralError,
        VirtualTreadmill,
    )

    vt = VirtualTreadmill(None, adapter=adapter, name=name, with_hrm=with_hrm)
    try:
        await vt.start()
    except AdapterNotFound as exc:
        print(f"virtual-treadmill: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except PeripheralError as exc:
        print(f"virtual-treadmill: {exc}", file=sys.stderr)
        return EXIT_FAULT

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    limits = vt.treadmill.limits
    print(
        f"{name!r} is a Bluetooth FTMS treadmill{' with a heart-rate strap' if with_hrm else ''} "
        f"on {adapter}: {limits.speed_min_kmh:g}-{limits.speed_max_kmh:g} km/h, "
        f"{limits.incline_min_pct:g}-{limits.incline_max_pct:g} %. Ctrl-C to stop.",
        flush=True,
    )
    reporter = loop.create_task(_report_belt(vt))
    try:
        await stop.wait()
    finally:
        reporter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reporter
        for sig in signals:
            loop.remove_signal_handler(sig)
        await vt.stop()
    print(
        f"stopped after {vt.treadmill.distance_m / 1000:.2f} km on the belt; "
        f"{vt.commands_received} commands, {vt.notifications_sent} notifications sent",
        flush=True,
    )
    return EXIT_OK


async def _report_belt(vt: VirtualTreadmill) -> None:
    """A line whenever the belt's speed or incline has changed since the last one."""
    last: tuple[float, float] | None = None
    while True:
        await asyncio.sleep(REPORT_EVERY_S)
        tm = vt.treadmill
        state = (round(tm.belt_speed_kmh, 1), round(tm.incline_pct, 1))
        if state == last:
            continue
        last = state
        hr = f", heart {vt.strap.true_bpm:.0f} bpm" if vt.strap is not None else ""
        print(
            f"belt {state[0]:.1f} km/h, incline {state[1]:.1f} %, "
            f"{tm.distance_m / 1000:.2f} km{hr}",
            flush=True,
        )
