"""The device hub builds each session's station on the chosen devices: simulators on
their own accelerated clock, Bluetooth devices kept connected across sessions and relayed
to the station of the moment."""

from __future__ import annotations

from pathlib import Path

from app_driver import QuietTreadmill, quiet

from retrocoach.coach.events import DeviceEvent, Event
from retrocoach.devices.memory import DeviceMemory
from retrocoach.devices.ports import HeartRateData, LinkState, Role, TreadmillData
from retrocoach.devices.simulator import SimulatedStrap, SimulatedTreadmill
from retrocoach.gui.device_hub import DeviceHub
from retrocoach.gui.session_runner import MonotonicClock, ScaledClock
from retrocoach.workouts.library import get
from retrocoach.workouts.profile import RunnerProfile


def test_simulators_get_an_accelerated_clock_and_fresh_devices(tmp_path: Path) -> None:
    hub = DeviceHub(DeviceMemory(tmp_path / "d.toml"), simulator_speedup=30.0)
    hub.use_simulators()
    assert hub.ready and hub.simulated
    first, clock = hub.make_station(get("first-steps"), RunnerProfile())
    assert isinstance(clock, ScaledClock) and clock.speedup == 30.0
    assert isinstance(first.treadmill, SimulatedTreadmill)
    assert isinstance(first.hrm, SimulatedStrap)
    hub.release_station()
    second, _ = hub.make_station(get("first-steps"), RunnerProfile())
    assert second.treadmill is not first.treadmill


def test_a_bluetooth_treadmill_is_kept_and_relayed_to_each_session(tmp_path: Path) -> None:
    hub = DeviceHub(DeviceMemory(tmp_path / "d.toml"), link_factory=quiet)
    hub.use_bluetooth(Role.TREADMILL, "AA:BB:CC:DD:EE:01", "Horizon")
    hub.use_simulated(Role.HRM)
    assert not hub.ready  # still connecting
    hub.on_link_state(Role.TREADMILL, LinkState.CONNECTED, 1.0)
    assert hub.ready and not hub.simulated
    assert hub.memory.load()[Role.TREADMILL].address == "AA:BB:CC:DD:EE:01"

    seen: list[Event] = []
    station, clock = hub.make_station(get("first-steps"), RunnerProfile(), [seen.append])
    hub.announce_links()
    assert isinstance(clock, MonotonicClock)
    assert isinstance(station.treadmill, QuietTreadmill)
    # The session knows the treadmill is connected, though it connected before it.
    assert any(
        isinstance(e, DeviceEvent) and e.role == "treadmill" and e.state == "connected"
        for e in seen
    )
    # A simulated strap beside a real belt follows what the engine sees of it.
    assert isinstance(station.hrm, SimulatedStrap)

    # Readings reach this session, and no longer once it is over.
    before = station.engine.snapshot(station.engine.now).belt_kmh
    hub.on_treadmill_data(TreadmillData(clock.now(), 4.2, 0.0, 10.0))
    assert station.engine.snapshot(station.engine.now).belt_kmh == 4.2 != before
    hub.release_station()
    hub.on_treadmill_data(TreadmillData(clock.now(), 6.0, 0.0, 20.0))
    assert station.engine.snapshot(station.engine.now).belt_kmh == 4.2

    # The next session gets the same, still connected, treadmill.
    again, _ = hub.make_station(get("first-steps"), RunnerProfile())
    assert again.treadmill is station.treadmill
    hub.close()


def test_the_strap_shows_its_heart_rate_and_contact_between_sessions(tmp_path: Path) -> None:
    hub = DeviceHub(DeviceMemory(tmp_path / "d.toml"), link_factory=quiet)
    changed: list[object] = []
    hub.changed.connect(changed.append)
    hub.use_bluetooth(Role.HRM, "AA:BB:CC:DD:EE:02", "Polar H10")
    hub.on_link_state(Role.HRM, LinkState.CONNECTED, 1.0)
    hub.on_heart_rate(HeartRateData(2.0, 71, contact=True))
    status = hub.status(Role.HRM)
    assert (status.state, status.bpm, status.contact) == (LinkState.CONNECTED, 71, True)
    hub.on_heart_rate(HeartRateData(3.0, None, contact=False))
    assert hub.status(Role.HRM).contact is False
    assert changed.count(Role.HRM) >= 3
    hub.close()
