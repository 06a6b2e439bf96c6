"""The gym's room as the coach left it: who stands at which station, the workout, and
how many Bluetooth connections the adapter holds (`gym.toml` beside the profile).

Each station's devices are remembered in a file of their own (`gym/station-N.toml`, the
same format as the home station's `devices.toml`), so a room set up once reconnects by
itself the next day. An unreadable file counts as an empty room, never as a reason not
to start. No Qt here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from retrocoach.devices.budget import MAX_ADAPTER_CONNECTIONS, TYPICAL_ADAPTER_CONNECTIONS
from retrocoach.userdata import write_atomically

# More tiles than this stop being readable across a room on one screen, and more
# stations than this cannot all be Bluetooth on one adapter anyway.
MAX_STATIONS = 8


@dataclass(frozen=True)
class GymSetup:
    members: tuple[str, ...] = ("",)  # the member at each station ("" not chosen yet)
    workout: str = ""  # the workout's name, as the library or the person's files know it
    capacity: int = TYPICAL_ADAPTER_CONNECTIONS  # Bluetooth connections the adapter holds


def setup_path(root: Path) -> Path:
    return root / "gym.toml"


def station_devices_path(root: Path, number: int) -> Path:
    return root / "gym" / f"station-{number}.toml"


def load_setup(root: Path) -> GymSetup:
    try:
        data = tomllib.loads(setup_path(root).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return GymSetup()
    members = data.get("members")
    names = (
        tuple(m if isinstance(m, str) else "" for m in members[:MAX_STATIONS])
        if isinstance(members, list) and members
        else ("",)
    )
    workout = data.get("workout")
    capacity = data.get("capacity")
    usable = (
        isinstance(capacity, int)
        and not isinstance(capacity, bool)
        and 1 <= capacity <= MAX_ADAPTER_CONNECTIONS
    )
    return GymSetup(
        members=names,
        workout=workout if isinstance(workout, str) else "",
        capacity=capacity if usable and isinstance(capacity, int) else TYPICAL_ADAPTER_CONNECTIONS,
    )


def save_setup(root: Path, setup: GymSetup) -> None:
    """OSError if the folder cannot be written."""
    data = {"members": list(setup.members), "workout": setup.workout, "capacity": setup.capacity}
    write_atomically(setup_path(root), tomli_w.dumps(data))
