"""GUI tests: every test gets its own configuration folder, so nothing is read from or
written to the person's real one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retrocoach.devices.memory import DeviceMemory
from retrocoach.gui.device_hub import DeviceHub
from retrocoach.userdata import UserData


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return home


@pytest.fixture
def user_data(tmp_path: Path) -> UserData:
    return UserData(tmp_path / "retrocoach")


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[DeviceHub]:
    devices = DeviceHub(DeviceMemory(tmp_path / "devices.toml"), simulator_speedup=200.0)
    yield devices
    devices.close()
