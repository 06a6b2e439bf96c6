"""Random bytes against every protocol decoder: how many raise (goal: none), how fast.

Every decoder gets the same N random packets (default one million each, not split
between them), lengths 0-40 bytes drawn uniformly, from a fixed seed. For each decoder
it prints how many calls raised, packets per second, and the time per packet as a
ratio to a baseline measured in the same run over the same packets (`bytes(packet)`,
a copy every decoder makes first, in the same timing loop), since this machine is
noisy. The Treadmill Data merger is fed the packets as one stream, as from a machine.

    python benchmarks/fuzz_protocol.py [--packets N] [--seed S]

Exit status 1 if any decoder raised.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from retrocoach.protocol.ftms import (
    decode_control_point,
    decode_feature,
    decode_incline_range,
    decode_machine_status,
    decode_speed_range,
    decode_training_status,
)
from retrocoach.protocol.heart_rate import decode_body_sensor_location, decode_heart_rate
from retrocoach.protocol.treadmill_data import TreadmillDataMerger, decode_treadmill_data

MAX_LENGTH = 40


@dataclass(frozen=True)
class Result:
    name: str
    packets: int
    raised: int
    seconds: float
    first_failure: str | None


def random_packets(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [rng.randbytes(rng.randint(0, MAX_LENGTH)) for _ in range(count)]


def run(name: str, decode: Callable[[bytes], object], packets: list[bytes]) -> Result:
    raised = 0
    first: str | None = None
    start = time.perf_counter()
    for packet in packets:
        try:
            decode(packet)
        except Exception as error:  # counting them is the point
            raised += 1
            if first is None:
                first = f"{packet.hex(' ')!r}: {error!r}"
    return Result(name, len(packets), raised, time.perf_counter() - start, first)


def decoders() -> list[tuple[str, Callable[[bytes], object]]]:
    return [
        ("treadmill-data", decode_treadmill_data),
        ("treadmill-merger", TreadmillDataMerger().feed),
        ("heart-rate", decode_heart_rate),
        ("body-sensor-location", decode_body_sensor_location),
        ("feature", decode_feature),
        ("speed-range", decode_speed_range),
        ("incline-range", decode_incline_range),
        ("machine-status", decode_machine_status),
        ("training-status", decode_training_status),
        ("control-point", decode_control_point),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--packets", type=int, default=1_000_000, help="packets per decoder")
    parser.add_argument("--seed", type=int, default=20240611)
    args = parser.parse_args(argv)
    if args.packets < 1:
        parser.error("--packets must be at least 1")

    start = time.perf_counter()
    packets = random_packets(args.packets, args.seed)
    print(
        f"{args.packets:,} random packets of 0-{MAX_LENGTH} bytes (seed {args.seed}), "
        f"the same ones to every decoder; made in {time.perf_counter() - start:.1f} s"
    )
    baseline = run("baseline: bytes(packet)", bytes, packets)
    per_packet = baseline.seconds / baseline.packets
    results = [run(name, decode, packets) for name, decode in decoders()]

    print(f"{'decoder':<24}{'raised':>8}{'packets/s':>14}{'x baseline':>12}")
    for r in [baseline, *results]:
        rate = r.packets / r.seconds
        ratio = (r.seconds / r.packets) / per_packet
        print(f"{r.name:<24}{r.raised:>8,}{rate:>14,.0f}{ratio:>12.1f}")
    failures = [r for r in results if r.raised]
    for r in failures:
        print(f"{r.name}: first failure {r.first_failure}", file=sys.stderr)
    total = sum(r.raised for r in results)
    print(f"raised: {total:,} of {args.packets * len(results):,} decodes")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
