"""Heart-rate zones by the Karvonen method (percent of heart-rate reserve)."""

from __future__ import annotations

from dataclasses import dataclass

from retrocoach.workouts.profile import RunnerProfile

# Lower edge of zones 1..5 as a fraction of heart-rate reserve.
ZONE_EDGES = (0.50, 0.60, 0.70, 0.80, 0.90)
ZONE_NAMES = ("recovery", "endurance", "tempo", "threshold", "maximum")


@dataclass(frozen=True)
class Zone:
    number: int  # 0 below zone 1, then 1..5
    name: str
    low_bpm: int
    high_bpm: int  # exclusive; the maximum heart rate + 1 for zone 5


def zone_bounds(profile: RunnerProfile) -> list[Zone]:
    reserve = profile.hr_max - profile.hr_rest
    edges = [round(profile.hr_rest + f * reserve) for f in ZONE_EDGES] + [profile.hr_max + 1]
    zones = [Zone(0, "rest", 0, edges[0])]
    for number in range(1, 6):
        zones.append(Zone(number, ZONE_NAMES[number - 1], edges[number - 1], edges[number]))
    return zones


def zone_of(bpm: int | None, profile: RunnerProfile) -> Zone | None:
    if bpm is None:
        return None
    zones = zone_bounds(profile)
    for zone in zones:
        if zone.low_bpm <= bpm < zone.high_bpm:
            return zone
    return zones[-1]


def heart_rate_reserve_fraction(bpm: int, profile: RunnerProfile) -> float:
    return (bpm - profile.hr_rest) / (profile.hr_max - profile.hr_rest)
