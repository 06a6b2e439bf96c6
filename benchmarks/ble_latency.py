"""From a treadmill notification to the engine: how much does retrocoach add to bleak?

Runs the virtual treadmill on the BlueZ mock (a private D-Bus, no hardware, as the
integration tests do) with the app's own client on the other adapter, inside a running
session, and times each Treadmill Data notification at three points:

  sent       the peripheral hands the value to BlueZ
  callback   bleak calls our notification callback (bleak's own path ends here)
  engine     the station has passed the reading to the engine, which has taken it in
             and dispatched whatever events followed

It prints the median and p99 of bleak's part (sent -> callback) and of ours
(callback -> engine), and the ratio of the whole path to bleak's part, measured in the
same run (these machines are noisy). Goal: our processing adds under 1 ms.

Needs the test extras (bluezoo) and dbus-daemon, like the integration tests.

    python benchmarks/ble_latency.py [--notifications N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))

from bluez_mock import BluezMock

from retrocoach.devices.ble_treadmill import BleTreadmill
from retrocoach.devices.ports import TreadmillData
from retrocoach.devices.simulator import SimulatedTreadmill
from retrocoach.peripheral.virtual_treadmill import VirtualTreadmill
from retrocoach.station import RealClock, Station, run
from retrocoach.workouts.model import Direction, Gait, Step, TimeEnd, Workout
from retrocoach.workouts.profile import RunnerProfile

INTERVAL_S = 0.05  # the simulator notifies at 20 Hz here, to gather many in little time


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(bluez: BluezMock, count: int) -> tuple[list[float], list[float]]:
    sent: list[tuple[float, bytes]] = []
    arrived: list[tuple[float, bytes]] = []
    done: list[float] = []
    belt = SimulatedTreadmill(notify_interval_s=INTERVAL_S)
    vt = VirtualTreadmill(
        bus_address=bluez.bus_address, adapter=bluez.peripheral.name, treadmill=belt
    )
    await vt.start()
    plain_send = vt.treadmill_data.send

    def timed_send(value: bytes) -> bool:
        sent.append((time.perf_counter(), bytes(value)))
        return plain_send(value)

    vt.treadmill_data.send = timed_send  # type: ignore[method-assign]
    clock = RealClock()
    client = BleTreadmill(bluez.peripheral.address, adapter=bluez.central.name, clock=clock.now)
    workout = Workout("bench", "Bench", (Step(Direction.FORWARD, Gait.WALK, TimeEnd(3600)),))
    station = Station(workout, RunnerProfile(), client, None, now=clock.now())
    plain_on_data = client._on_data
    plain_to_station = station.on_treadmill_data

    def timed_on_data(data: bytes) -> None:  # what bleak calls, through our link
        arrived.append((time.perf_counter(), data))
        plain_on_data(data)

    def timed_to_station(data: TreadmillData) -> None:
        plain_to_station(data)
        done.append(time.perf_counter())

    client._on_data = timed_on_data  # type: ignore[method-assign]
    station.on_treadmill_data = timed_to_station  # type: ignore[method-assign]
    station.connect(clock.now())
    session = asyncio.get_running_loop().create_task(run(station, clock))
    try:
        while not client.connected:
            await asyncio.sleep(0.05)
        station.start(clock.now())
        while len(done) < count:
            await asyncio.sleep(0.1)
    finally:
        station.stop(clock.now())
        await asyncio.wait_for(session, 30)
        await client.aclose()
        await vt.stop()
    # Pair each arrival with its sending, in order, by the bytes themselves.
    bleak_part, our_part = [], []
    queue = list(sent)
    for (t_arrived, payload), t_done in zip(arrived, done, strict=False):
        while queue and queue[0][1] != payload:
            queue.pop(0)  # sent before the subscription
        if not queue:
            break
        t_sent, _ = queue.pop(0)
        bleak_part.append(t_arrived - t_sent)
        our_part.append(t_done - t_arrived)
    return bleak_part, our_part


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notifications", type=int, default=400)
    args = parser.parse_args()
    bluez = BluezMock()
    bluez.start()
    os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = bluez.bus_address
    try:
        bleak_part, our_part = asyncio.run(measure(bluez, args.notifications))
    finally:
        bluez.stop()
    whole = [b + o for b, o in zip(bleak_part, our_part, strict=True)]
    ms = 1000.0
    print(f"{len(whole)} notifications at {1 / INTERVAL_S:g} Hz, in a running session")
    print("                          median      p99")
    for label, values in (
        ("bleak (sent -> callback)", bleak_part),
        ("ours (callback -> engine)", our_part),
        ("whole path", whole),
    ):
        print(
            f"{label:<26}{statistics.median(values) * ms:7.3f} ms"
            f"{percentile(values, 0.99) * ms:8.3f} ms"
        )
    ratio = statistics.median(whole) / statistics.median(bleak_part)
    print(f"whole path / bleak's part: {ratio:.3f}x (median)")
    added = statistics.median(our_part) * ms
    verdict = "goal met" if percentile(our_part, 0.99) * ms < 1.0 else "GOAL MISSED"
    print(
        f"retrocoach adds {added:.3f} ms (median), p99 {percentile(our_part, 0.99) * ms:.3f} ms:"
        f" {verdict} (under 1 ms)"
    )


if __name__ == "__main__":
    main()
