"""The `bluez` fixture: a private D-Bus with the BlueZ mock on it, for real bleak.

Each test gets its own bus and its own bluezoo (about 0.15 s to start), so no state
leaks between tests. bleak finds the bus through DBUS_SYSTEM_BUS_ADDRESS, set here for
the test's duration, and must be told to use the central adapter: ``**bluez.bleak_args``
(``bluez={"adapter": "hci1"}``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bluez_mock import BluezMock, HarnessError


def _running_mock(monkeypatch: pytest.MonkeyPatch, adapters: int) -> Iterator[BluezMock]:
    mock = BluezMock(adapters=adapters)
    try:
        mock.start()
    except HarnessError as e:
        # Never a skip: CI installs dbus-daemon and bluezoo, so a missing one is a fault.
        pytest.fail(f"BlueZ mock harness: {e}", pytrace=False)
    try:
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", mock.bus_address)
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", mock.bus_address)
        yield mock
        errors = mock.errors()
        alive = mock.alive()
    finally:
        # Shown by pytest only when the test fails ("Captured stdout teardown").
        print("--- bluezoo log ---\n" + "\n".join(mock.log().splitlines()[-150:]))
        mock.stop()
    if not alive:
        pytest.fail("bluezoo or its dbus-daemon died during the test (see its log)")
    if errors:
        pytest.fail("bluezoo logged errors during the test:\n" + "\n".join(errors))


@pytest.fixture
def bluez(monkeypatch: pytest.MonkeyPatch) -> Iterator[BluezMock]:
    """The peripheral adapter hci0 and the app's central hci1."""
    yield from _running_mock(monkeypatch, adapters=2)


@pytest.fixture
def bluez3(monkeypatch: pytest.MonkeyPatch) -> Iterator[BluezMock]:
    """As `bluez`, with a third adapter: hci2, a second central (another app)."""
    yield from _running_mock(monkeypatch, adapters=3)
