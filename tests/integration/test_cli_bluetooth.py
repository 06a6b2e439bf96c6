"""`retrocoach scan` and `retrocoach run` on Bluetooth devices, as a person runs them,
against the virtual treadmill on the BlueZ mock (the commands run as subprocesses)."""

from __future__ import annotations

import asyncio
import os
import sys
import tomllib
from pathlib import Path

from bluez_mock import BluezMock

from retrocoach.peripheral.virtual_treadmill import VirtualTreadmill
from retrocoach.record.eventlog import read_events

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from contract import contract_problems  # noqa: E402

from retrocoach.coach.audit import audit  # noqa: E402


def _env(bluez: BluezMock, home: Path) -> dict[str, str]:
    # The private bus, and a private config folder: a test never touches the user's.
    return {
        **os.environ,
        "DBUS_SYSTEM_BUS_ADDRESS": bluez.bus_address,
        "XDG_CONFIG_HOME": str(home / "config"),
        "PYTHONUNBUFFERED": "1",
    }


async def _command(env: dict[str, str], *args: str, timeout: float) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "retrocoach",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def test_scan_lists_the_treadmill_and_strap(bluez: BluezMock, tmp_path: Path) -> None:
    async def test() -> None:
        async with VirtualTreadmill(
            bus_address=bluez.bus_address, adapter=bluez.peripheral.name, with_hrm=True
        ) as vt:
            code, out, err = await _command(
                _env(bluez, tmp_path), "scan", "--timeout", "1.5", "--adapter", "hci1", timeout=30
            )
            assert code == 0, err
            assert "treadmill + heart-rate strap" in out
            assert vt.name in out and bluez.peripheral.address in out

    asyncio.run(test())


def test_a_session_on_the_bluetooth_treadmill_and_strap(bluez: BluezMock, tmp_path: Path) -> None:
    workout = tmp_path / "short.toml"
    workout.write_text(
        'name = "short"\ntitle = "Short walk"\n\n'
        '[[steps]]\ndirection = "forward"\ngait = "walk"\nduration_s = 12\n'
    )
    log = tmp_path / "events.jsonl"

    async def test() -> None:
        async with VirtualTreadmill(
            bus_address=bluez.bus_address, adapter=bluez.peripheral.name, with_hrm=True
        ) as vt:
            address = bluez.peripheral.address
            code, out, err = await _command(
                _env(bluez, tmp_path),
                "run",
                "--workout",
                str(workout),
                "--treadmill",
                address,
                "--hrm",
                address,
                "--adapter",
                "hci1",
                "--events",
                str(log),
                timeout=90,
            )
            assert code == 0, err + out
            assert vt.treadmill.belt_speed_kmh < 0.5  # stopped at the end
        assert "■ completed" in out
        records = read_events(log)
        assert contract_problems(records) == []
        assert audit(records, speed_min_kmh=0.8, speed_max_kmh=20.0) == []
        assert records[0]["treadmill"] == "retrocoach treadmill"
        speeds = [r["speed_kmh"] for r in records if r["event"] == "sample"]
        assert max(speeds) >= 4.5  # the belt really walked at 5 km/h
        assert any(r["event"] == "sample" and r["hr_bpm"] for r in records)
        # The chosen devices are remembered for next time.
        remembered = tomllib.loads(
            (tmp_path / "config" / "retrocoach" / "devices.toml").read_text()
        )
        assert remembered["treadmill"]["address"] == address

    asyncio.run(test())
