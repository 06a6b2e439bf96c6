"""The devices a person chose, remembered for the next start (a small TOML file in the
platform's configuration folder)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import tomli_w

from retrocoach.devices.ports import Role


@dataclass(frozen=True)
class RememberedDevice:
    address: str
    name: str


def default_path() -> Path:
    return Path(platformdirs.user_config_dir("retrocoach")) / "devices.toml"


class DeviceMemory:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()

    def load(self) -> dict[Role, RememberedDevice]:
        """What was remembered; an unreadable file counts as nothing remembered."""
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return {}
        found: dict[Role, RememberedDevice] = {}
        for role in Role:
            entry = data.get(role.value)
            if isinstance(entry, dict) and isinstance(entry.get("address"), str):
                name = entry.get("name")
                found[role] = RememberedDevice(
                    entry["address"], name if isinstance(name, str) else ""
                )
        return found

    def remember(self, role: Role, device: RememberedDevice) -> None:
        data = {r.value: {"address": d.address, "name": d.name} for r, d in self.load().items()}
        data[role.value] = {"address": device.address, "name": device.name}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
        tmp.replace(self.path)  # never a half-written file

    def forget(self, role: Role) -> None:
        data = {r.value: {"address": d.address, "name": d.name} for r, d in self.load().items()}
        if data.pop(role.value, None) is not None:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
            tmp.replace(self.path)
