"""How many Bluetooth connections a room of stations needs, and how many more fit.

A laptop's Bluetooth adapter holds a handful of LE connections at once: about seven on
the common Intel and Realtek chips (the controller's limit, not the app's), fewer on
some. Every Bluetooth treadmill and every Bluetooth strap is one connection; a
treadmill that also serves the heart rate is one device, so one connection. Past the
limit the adapter refuses new connections, and the words it refuses with depend on the
system, so a failure is read as "refused" from its words *or* from the count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

TYPICAL_ADAPTER_CONNECTIONS = 7
MAX_ADAPTER_CONNECTIONS = 20  # what the coach may set: no laptop adapter holds more

# How systems word a refusal for want of room (BlueZ, HCI error 0x07/0x0D, Windows,
# CoreBluetooth); case is ignored.
_REFUSAL_WORDS = (
    "too many links",
    "too many connections",
    "connection limit",
    "limited resources",
    "memory capacity exceeded",
    "connection rejected",
    "no available connection slot",
    "connection slot",
    "le-connection-abort-by-local",
    "insufficient resources",
)


@dataclass(frozen=True)
class StationDevices:
    """The Bluetooth addresses one station uses ("" where the device is simulated or
    absent)."""

    treadmill: str = ""
    strap: str = ""

    @property
    def connections(self) -> int:
        addresses = {a.upper() for a in (self.treadmill, self.strap) if a}
        return len(addresses)


@dataclass(frozen=True)
class ConnectionBudget:
    capacity: int
    in_use: int

    @classmethod
    def of(
        cls, stations: Iterable[StationDevices], capacity: int = TYPICAL_ADAPTER_CONNECTIONS
    ) -> ConnectionBudget:
        # One device used by two stations would still be one connection; say so by
        # counting addresses over the whole room.
        addresses = {a.upper() for s in stations for a in (s.treadmill, s.strap) if a}
        return cls(capacity, len(addresses))

    @property
    def free(self) -> int:
        return max(self.capacity - self.in_use, 0)

    @property
    def over(self) -> bool:
        return self.in_use > self.capacity

    @property
    def full(self) -> bool:
        return self.in_use >= self.capacity

    def stations_that_fit(self, per_station: int = 2) -> int:
        """More stations of `per_station` Bluetooth devices each that fit."""
        return self.free // per_station if per_station > 0 else 0

    def describe(self) -> str:
        """One line for the coach: what is used and what still fits."""
        used = f"Bluetooth: {self.in_use} of about {self.capacity} connections in use."
        if self.over:
            return (
                f"{used} That is more than this adapter usually holds: a connection may be "
                "refused. Use a simulated or no strap somewhere, or a second adapter."
            )
        with_strap = self.stations_that_fit(2)
        alone = self.stations_that_fit(1)
        if alone == 0:
            return f"{used} The adapter is full: a further device may be refused."
        return (
            f"{used} Room for {_stations(with_strap)} more with a treadmill and a strap "
            f"each, or {_stations(alone)} with a treadmill alone."
        )


def _stations(count: int) -> str:
    return f"{count} station" if count == 1 else f"{count} stations"


def looks_refused(error: str, budget: ConnectionBudget | None = None) -> bool:
    """Whether a failed connection looks like the adapter refusing one more: its words
    say so, or `budget` (the connections held *without* this one) is already full."""
    words = error.casefold()
    if any(w in words for w in _REFUSAL_WORDS):
        return True
    return budget is not None and budget.full
