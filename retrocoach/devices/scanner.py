"""Finding treadmills (FTMS, 0x1826) and heart-rate straps (0x180D) nearby."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bleak import BleakScanner
from bleak.args.bluez import BlueZScannerArgs
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData

from retrocoach.devices.ports import Role
from retrocoach.devices.uuids import FTMS_SERVICE, HEART_RATE_SERVICE

# A Bluetooth address (Linux, Windows) or a CoreBluetooth UUID (macOS).
_ADDRESS = re.compile(
    r"([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}|[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}"
)


def looks_like_address(text: str) -> bool:
    return _ADDRESS.fullmatch(text.strip()) is not None


@dataclass(frozen=True)
class FoundDevice:
    address: str
    name: str
    rssi: int | None
    roles: frozenset[Role]
    device: BLEDevice

    @property
    def label(self) -> str:
        return self.name or self.address


def roles_of(advertisement: AdvertisementData) -> frozenset[Role]:
    uuids = {u.lower() for u in advertisement.service_uuids}
    roles = set()
    if FTMS_SERVICE in uuids:
        roles.add(Role.TREADMILL)
    if HEART_RATE_SERVICE in uuids:
        roles.add(Role.HRM)
    return frozenset(roles)


def fitness_devices(
    seen: Iterable[tuple[BLEDevice, AdvertisementData]],
) -> list[FoundDevice]:
    """Treadmills and straps among what was seen, strongest signal first."""
    found = []
    for device, adv in seen:
        roles = roles_of(adv)
        if roles:
            name = adv.local_name or device.name or ""
            found.append(FoundDevice(device.address, name, adv.rssi, roles, device))
    return sorted(found, key=lambda d: -(d.rssi if d.rssi is not None else -999))


async def scan(timeout: float = 5.0, adapter: str | None = None) -> list[FoundDevice]:
    """Scan for `timeout` seconds; treadmills and straps, strongest first."""
    bluez: BlueZScannerArgs = {"adapter": adapter} if adapter else {}
    seen = await BleakScanner.discover(
        timeout=timeout,
        return_adv=True,
        service_uuids=[FTMS_SERVICE, HEART_RATE_SERVICE],
        bluez=bluez,
    )
    return fitness_devices(seen.values())


def pick(found: list[FoundDevice], wanted: str, role: Role) -> FoundDevice | None:
    """The device a person named: by address, else by name (exact, then a part of it)."""
    candidates = [d for d in found if role in d.roles]
    key = wanted.strip().lower()
    for device in candidates:
        if device.address.lower() == key:
            return device
    for device in candidates:
        if device.name.lower() == key:
            return device
    for device in candidates:
        if key in device.name.lower():
            return device
    return None
