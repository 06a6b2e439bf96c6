# SPDX-FileCopyrightText: 2025 BlueZoo developers
# SPDX-FileCopyrightText: 2025 retrocoach developers
# SPDX-License-Identifier: GPL-2.0-only
#
# This test-only file patches BlueZoo (https://github.com/Samsung/BlueZoo), which is
# licensed under the GNU General Public License v2.0 only; the patched functions below
# are modified copies of BlueZoo 1.0.2 code, so this file carries BlueZoo's licence.
# It is not part of the retrocoach package (the wheel ships only `retrocoach/`).
"""A private D-Bus with the BlueZ API mock `bluezoo` on it, for integration tests.

Two halves in one file:

* `BluezMock` (used by the test process): starts a private `dbus-daemon` on a socket in
  a temporary directory, then runs this file as `python bluez_mock.py --serve ...` on that
  bus, and tears both down again.
* `--serve` (the bluezoo process): applies the fixes that bluezoo 1.0.2 needs
  (`apply_fixes`), starts bluezoo with its adapters and prints ``READY``.

The adapters: hci0 is the peripheral side (the GATT application and the advertisement
are registered there), hci1 is the central side (bleak scans and connects there), and
with ``BluezMock(adapters=3)`` hci2 is a second central (another app on another phone).
See README.md beside this file for what each fix repairs and why.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import ctypes
import importlib.metadata
import importlib.util
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BLUEZOO_VERSION = "1.0.2"
"""The only bluezoo release the fixes below were written for and checked against."""

FIXES = ("peer-disconnect", "reconnect", "scan")
"""The fixes `apply_fixes` makes, by name: README.md fixes 1, 2 and 3."""

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 3.0
DEFAULT_SCAN_INTERVAL_S = 0.1
"""Time between two passes of bluezoo's scan: with fix 3, between advertising reports."""

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class HarnessError(RuntimeError):
    """The harness could not start; the message says what is missing and how to fix it."""


@dataclass(frozen=True)
class AdapterInfo:
    name: str  # "hci0"
    address: str  # "00:AA:00:00:00:01"

    @property
    def path(self) -> str:
        return f"/org/bluez/{self.name}"

    def device_path(self, address: str) -> str:
        """The D-Bus path under which this adapter shows the device with `address`."""
        return f"{self.path}/dev_{address.replace(':', '_')}"


PERIPHERAL = AdapterInfo("hci0", "00:AA:00:00:00:01")
CENTRAL = AdapterInfo("hci1", "00:AA:00:00:00:02")
SECOND_CENTRAL = AdapterInfo("hci2", "00:AA:00:00:00:03")


# --------------------------------------------------------------------------------------
# The test-process side
# --------------------------------------------------------------------------------------


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Ask the kernel to SIGTERM the child when the test process dies (even by SIGKILL)."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def _read_line(proc: subprocess.Popen[str], deadline: float, what: str, log: Path | None) -> str:
    """The next line the process prints on stdout, waiting until `deadline` at most."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise HarnessError(f"{what} did not become ready in time{_log_tail(log)}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            line = proc.stdout.readline()
            if line:
                return line.strip()
            proc.wait(timeout=STOP_TIMEOUT_S)
            raise HarnessError(f"{what} exited with code {proc.returncode}{_log_tail(log)}")


def _log_tail(log: Path | None, lines: int = 60) -> str:
    if log is None or not log.exists():
        return ""
    text = log.read_text(errors="replace").splitlines()[-lines:]
    return "\n--- " + log.name + " (last lines) ---\n" + "\n".join(text)


def _stop(proc: subprocess.Popen[str] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_TIMEOUT_S)


_RUNNING: set[BluezMock] = set()


@atexit.register
def _stop_leftovers() -> None:
    for mock in list(_RUNNING):
        mock.stop()


class BluezMock:
    """A private D-Bus daemon with (patched) bluezoo serving two (or three) adapters on it.

    Use as a context manager or call `start()` / `stop()`. While running, `bus_address`
    is the address to give to D-Bus clients: bleak reads it from the environment variable
    ``DBUS_SYSTEM_BUS_ADDRESS`` (see `environ()`), and is pointed at the central adapter
    with ``bluez={"adapter": mock.central.name}`` (`bleak_args`). ``adapters=3`` adds a
    second central, hci2 (`second_central`, `second_bleak_args`): another app.
    """

    def __init__(
        self,
        *,
        adapters: int = 2,
        fixes: Iterable[str] = FIXES,
        scan_interval_s: float = DEFAULT_SCAN_INTERVAL_S,
        verbose: bool = True,
    ) -> None:
        if adapters not in (2, 3):
            raise ValueError(f"adapters must be 2 or 3, not {adapters}")
        self.fixes = frozenset(fixes)
        if unknown := self.fixes - set(FIXES):
            raise ValueError(f"unknown fixes {sorted(unknown)}; known: {FIXES}")
        self.scan_interval_s = scan_interval_s
        self.verbose = verbose
        self.peripheral = PERIPHERAL
        self.central = CENTRAL
        self.adapters: tuple[AdapterInfo, ...] = (PERIPHERAL, CENTRAL, SECOND_CENTRAL)[:adapters]
        self.tmpdir: Path | None = None
        self.bus_address = ""
        self._dbus: subprocess.Popen[str] | None = None
        self._bluezoo: subprocess.Popen[str] | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> BluezMock:
        dbus_daemon = shutil.which("dbus-daemon") or (
            "/usr/bin/dbus-daemon" if Path("/usr/bin/dbus-daemon").exists() else None
        )
        if dbus_daemon is None:
            raise HarnessError(
                "dbus-daemon not found: the BlueZ integration tests need a private D-Bus "
                "daemon. Install the Debian package 'dbus-daemon' "
                "(apt-get install dbus-daemon)."
            )
        if importlib.util.find_spec("bluezoo") is None:
            raise HarnessError(
                f"bluezoo is not installed: pip install bluezoo=={BLUEZOO_VERSION} "
                "(the BlueZ API mock the integration tests run)."
            )
        installed = importlib.metadata.version("bluezoo")
        if installed != BLUEZOO_VERSION:
            raise HarnessError(
                f"bluezoo {installed} is installed, but the harness's fixes are written "
                f"for bluezoo=={BLUEZOO_VERSION}: pip install bluezoo=={BLUEZOO_VERSION}"
            )

        # A short directory: a unix socket path must stay under 108 bytes.
        base = tempfile.gettempdir()
        self.tmpdir = Path(
            tempfile.mkdtemp(prefix="rc-bluez-", dir=base if len(base) < 60 else "/tmp")
        )
        _RUNNING.add(self)
        try:
            self._start_dbus(dbus_daemon)
            self._start_bluezoo()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_dbus(self, dbus_daemon: str) -> None:
        assert self.tmpdir is not None
        config = self.tmpdir / "bus.conf"
        config.write_text(BUS_CONFIG.format(socket=self.tmpdir / "bus"))
        self._dbus = subprocess.Popen(
            [dbus_daemon, f"--config-file={config}", "--nofork", "--nopidfile", "--print-address"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=(self.tmpdir / "dbus.log").open("w"),
            text=True,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        self.bus_address = _read_line(self._dbus, deadline, "dbus-daemon", self.tmpdir / "dbus.log")
        if not self.bus_address.startswith("unix:path="):
            raise HarnessError(f"dbus-daemon printed an unexpected address: {self.bus_address!r}")

    def _start_bluezoo(self) -> None:
        assert self.tmpdir is not None
        args = [sys.executable, str(Path(__file__).resolve()), "--serve"]
        args += ["--scan-interval", str(self.scan_interval_s)]
        for adapter in self.adapters:  # bluezoo names them hci0, hci1, ... in this order
            args += ["--adapter", adapter.address]
        for name in FIXES:
            if name not in self.fixes:
                args += ["--without", name]
        if self.verbose:
            args.append("--verbose")
        log = self.tmpdir / "bluezoo.log"
        self._bluezoo = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log.open("w"),
            text=True,
            env=self.environ(dict(os.environ)),
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        line = _read_line(self._bluezoo, deadline, "bluezoo", log)
        if line != "READY":
            raise HarnessError(f"bluezoo printed {line!r} instead of READY{_log_tail(log)}")

    def stop(self) -> None:
        """Stop bluezoo and the bus and remove the temporary directory (idempotent)."""
        _stop(self._bluezoo)
        _stop(self._dbus)
        for proc in (self._bluezoo, self._dbus):
            if proc is not None and proc.stdout is not None:
                proc.stdout.close()
        self._bluezoo = self._dbus = None
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None
        _RUNNING.discard(self)

    def __enter__(self) -> BluezMock:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- helpers -----------------------------------------------------------------------

    def environ(self, env: dict[str, str] | None = None) -> dict[str, str]:
        """`env` (or a new dict) with both bus variables pointing at the private bus."""
        env = {} if env is None else env
        env["DBUS_SYSTEM_BUS_ADDRESS"] = self.bus_address
        env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address
        return env

    @property
    def bleak_args(self) -> dict[str, Any]:
        """Keyword arguments for BleakScanner / BleakClient to use the central adapter."""
        return {"bluez": {"adapter": self.central.name}}

    @property
    def second_central(self) -> AdapterInfo:
        """The second central adapter, hci2 (only with ``BluezMock(adapters=3)``)."""
        if SECOND_CENTRAL not in self.adapters:
            raise HarnessError("no second central: use BluezMock(adapters=3)")
        return SECOND_CENTRAL

    @property
    def second_bleak_args(self) -> dict[str, Any]:
        """Keyword arguments for BleakScanner / BleakClient to use the second central."""
        return {"bluez": {"adapter": self.second_central.name}}

    @property
    def peripheral_path_on_central(self) -> str:
        """Where the central (hci1) shows the peripheral: the path bleak connects to."""
        return self.central.device_path(self.peripheral.address)

    @property
    def central_path_on_peripheral(self) -> str:
        """Where the peripheral (hci0) shows the connected central."""
        return self.peripheral.device_path(self.central.address)

    def alive(self) -> bool:
        return all(p is not None and p.poll() is None for p in (self._dbus, self._bluezoo))

    def log(self) -> str:
        """bluezoo's log so far (its stderr)."""
        if self.tmpdir is None:
            return ""
        path = self.tmpdir / "bluezoo.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def errors(self) -> list[str]:
        """Lines where bluezoo logged an error (it logs, and swallows, its exceptions)."""
        return [
            line
            for line in self.log().splitlines()
            if " ERROR " in line or " CRITICAL " in line or line.startswith("Traceback")
        ]


# --------------------------------------------------------------------------------------
# The bluezoo-process side: the fixes for bluezoo 1.0.2, then bluezoo itself
# --------------------------------------------------------------------------------------

DEVICE_INTERFACE = "org.bluez.Device1"

_scan_wakeups: set[asyncio.Event] = set()


def apply_fixes(fixes: Iterable[str] = FIXES) -> None:
    """Patch bluezoo 1.0.2 in this process (see README.md: fixes 1 to 3)."""
    fixes = frozenset(fixes)
    from bluezoo import events
    from bluezoo.adv.manager import LEAdvertisementClient
    from bluezoo.bluezoo import BluezMockService
    from bluezoo.device import Device
    from bluezoo.gatt import GattCharacteristicClientLink
    from bluezoo.log import logger
    from bluezoo.utils import BluetoothUUID

    # Fix 1 -- a disconnect from the peripheral side reaches the central.
    #
    # Stock `Device.attach_to_adapter` always makes a *new* `Device` as the peer, so the
    # device that `Device.connect` exports on the peripheral's adapter points to a fresh,
    # unexported copy of the central's device rather than to the real one. Its
    # `disconnect()` then sets Connected=False on that copy: the central never hears of it.
    # Fixed: the peer is the device the other adapter already shows, when there is one,
    # so both devices of a connection point at each other.
    def attach_to_adapter(self: Any, adapter: Any) -> None:
        """Set the adapter to which this device is added."""
        existing = self.peer_adapter.devices.get(
            f"{self.peer_adapter.get_object_path()}/dev_{adapter.address.replace(':', '_')}"
        )
        self.peer = existing if existing is not None else Device(adapter)
        self.adapter = adapter

    if "peer-disconnect" in fixes:
        Device.attach_to_adapter = attach_to_adapter

    # Fix 2 -- a reconnect works.
    #
    # Stock `Device.disconnect` only flips Connected. The GATT objects that `connect()`
    # exported under the device (service/char links) stay on the bus, so the next
    # `connect()` exports new links at the same paths and sd-bus refuses with error 17
    # (EEXIST, "File exists"): the reconnect fails and no services resolve. The links'
    # notification subscriptions also stay, and the application's characteristic stays
    # Notifying, so after a reconnect StartNotify never subscribes again.
    # Fixed, as BlueZ does on a disconnect: notifications are stopped (StopNotify on the
    # application), ServicesResolved goes False and the linked GATT objects are removed,
    # on both sides of the connection. `connect()` on a device that is already connected
    # with its services resolved is a no-op success, instead of exporting a second set.
    async def unlink_gatt(device: Any) -> None:
        stop_notify = []
        for path in sorted(device.services, reverse=True):  # characteristics before services
            link = device.services.pop(path)
            if isinstance(link, GattCharacteristicClientLink):
                subscription = link.client_props_changed_subscription
                link.client_props_changed_subscription = events.Subscription()
                if subscription.unsubscribe() is True and link.client.Notifying.get(False):
                    stop_notify.append(link.client)
                for f in (link.f_read, link.f_write):
                    if f is not None:
                        with contextlib.suppress(Exception):
                            asyncio.get_running_loop().remove_reader(f.fileno())
                        f.close()
                link.f_read = link.f_write = None
            with contextlib.suppress(KeyError):
                device.peer_adapter.mock.remove_object(link)
        for client in stop_notify:
            try:
                await client.StopNotify()
            except Exception as e:  # the application may be gone already
                logger.info(f"StopNotify on {client.get_object_path()} after disconnect: {e}")

    stock_connect = Device.connect
    stock_disconnect = Device.disconnect

    async def connect(self: Any, uuid: str | None = None) -> None:
        if self.connected and self.services_resolved:
            logger.info(f"{self} is already connected")
            return
        await unlink_gatt(self)
        await stock_connect(self, uuid)

    async def disconnect(self: Any, uuid: str | None = None) -> None:
        devices = [self] if self.peer is None else [self, self.peer]
        for device in devices:
            if device.services_resolved:
                await device.ServicesResolved.set_async(False)
        await stock_disconnect(self, uuid)
        for device in devices:
            await unlink_gatt(device)

    if "reconnect" in fixes:
        Device.connect = connect
        Device.disconnect = disconnect

    # Fix 3 -- a scan sees the peripheral.
    #
    # Stock discovery reports each advertising device once: a pass when discovery starts,
    # then one every `scan_interval` seconds (10 by default), and a device the adapter
    # already knows is then only "updated" when a property changed, which emits no D-Bus
    # signal at all. bleak learns of advertisements only from InterfacesAdded and
    # PropertiesChanged, and `BleakScanner.find_device_by_*` registers its callback only
    # after StartDiscovery has returned, while bluezoo announces the device at once: the
    # one report is often gone before anyone listens, and a second scan (to reconnect,
    # say) never hears of a known device. An advertisement registered just after a pass
    # waits for the next one. And a second StartDiscovery left the first task scanning.
    # Fixed, as a real advertiser and adapter behave: every pass reports every
    # advertising device, a known one with a PropertiesChanged(RSSI), and passes repeat
    # at an advertising interval (`--scan-interval`, 0.1 s here); registering an
    # advertisement starts a pass at once; a new StartDiscovery replaces the old task.
    stock_setup = LEAdvertisementClient.properties_setup_sync_task

    async def properties_setup_sync_task(self: Any) -> None:
        await stock_setup(self)
        # RegisterAdvertisement stores the advertisement right after this returns,
        # without yielding to the loop, so the woken scans will see it.
        asyncio.get_running_loop().call_soon(wake_scans)

    if "scan" in fixes:
        LEAdvertisementClient.properties_setup_sync_task = properties_setup_sync_task

    def wake_scans() -> None:
        for wakeup in _scan_wakeups:
            wakeup.set()

    async def report(scanner: Any, device: Any) -> None:
        device.rssi = -50
        existing = scanner.devices.get(
            f"{scanner.get_object_path()}/dev_{device.address.replace(':', '_')}"
        )
        await scanner.add_device(device)
        if existing is not None:
            existing.rssi = device.rssi
            existing.properties_changed.emit((DEVICE_INTERFACE, {"RSSI": ("n", existing.rssi)}, []))

    def create_discovering_task(self: Any, id: int) -> asyncio.Task[None]:
        """Create a task that scans for devices on the adapter (see Fix 3)."""
        self.adapters[id].discovering_task.cancel()
        is_scan_br_edr = self.adapters[id].scan_filter_transport in ("auto", "bredr")
        is_scan_le = self.adapters[id].scan_filter_transport in ("auto", "le")
        wakeup = asyncio.Event()

        async def task() -> None:
            _scan_wakeups.add(wakeup)
            try:
                logger.info(f"Scanning for devices on {self.adapters[id]}")
                while True:
                    wakeup.clear()
                    for adapter in list(self.adapters.values()):
                        if adapter.id == id:
                            # Do not report our own adapter.
                            continue
                        if not adapter.powered:
                            continue

                        # The adapter can be discoverable either if BR/EDR advertising
                        # is explicitly enabled or when the scan filter enables it.
                        is_adapter_discoverable = adapter.discoverable or (
                            adapter.discovering and adapter.scan_filter_discoverable
                        )

                        # Check if adapter has enabled LE advertising.
                        if is_scan_le and len(adapter.advertisements):
                            adv = next(iter(adapter.advertisements.values()))
                            # The LE advertisement discoverable property is not mandatory,
                            # but if present, it overrides the adapter's property.
                            if not adv.Discoverable.get(is_adapter_discoverable):
                                continue
                            device = Device(adapter, is_le=True)
                            device.name_ = adv.LocalName.get(adapter.name)
                            device.appearance = adv.Appearance.get(0)
                            device.uuids = [BluetoothUUID(x) for x in adv.ServiceUUIDs.get([])]
                            device.manufacturer_data = adv.ManufacturerData.get({})
                            device.service_data = {
                                BluetoothUUID(k): v for k, v in adv.ServiceData.get({}).items()
                            }
                            device.tx_power = adv.TxPower.get()
                            # Report discoverable LE device on our adapter.
                            await report(self.adapters[id], device)

                        # Check if adapter has enabled BR/EDR advertising.
                        if is_scan_br_edr and is_adapter_discoverable:
                            device = Device(adapter, is_br_edr=True)
                            # Report discoverable BR/EDR device on our adapter.
                            await report(self.adapters[id], device)

                    # Wait for the next scan, or for a new advertisement.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wakeup.wait(), self.scan_interval)
            finally:
                _scan_wakeups.discard(wakeup)

        return asyncio.create_task(task())

    if "scan" in fixes:
        BluezMockService.create_discovering_task = create_discovering_task


def serve(argv: list[str]) -> int:
    """Run bluezoo on the bus named by DBUS_SYSTEM_BUS_ADDRESS until SIGTERM."""
    parser = argparse.ArgumentParser(prog="bluez_mock.py --serve")
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--adapter", action="append", required=True, metavar="ADDRESS")
    parser.add_argument("--scan-interval", type=float, default=DEFAULT_SCAN_INTERVAL_S)
    parser.add_argument(
        "--without", action="append", default=[], choices=FIXES, help="leave out one fix"
    )
    parser.add_argument("--verbose", action="store_true", help="log at DEBUG level")
    args = parser.parse_args(argv)

    address = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS", "")
    if not address or "/run/dbus/" in address or "/var/run/dbus/" in address:
        print(
            "refusing to start: DBUS_SYSTEM_BUS_ADDRESS must name a private bus, "
            f"not {address or 'the system bus'}",
            file=sys.stderr,
        )
        return 2

    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s.%(msecs)03d %(name)s %(levelname)s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    from bluezoo import bluezoo
    from bluezoo.utils import BluetoothAddress

    apply_fixes(set(FIXES) - set(args.without))

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(
        bluezoo.startup(
            bus="system",  # sd-bus takes its address from DBUS_SYSTEM_BUS_ADDRESS
            adapters=[BluetoothAddress(a) for a in args.adapter],
            auto_enable=True,
            scan_interval=args.scan_interval,
        )
    )
    print("READY", flush=True)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # nobody reads stdout any more
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    loop.run_forever()
    logging.getLogger("bluezoo").info("stopped by signal")
    return 0


if __name__ == "__main__":
    if "--serve" not in sys.argv[1:]:
        sys.exit("usage: python bluez_mock.py --serve --adapter ADDRESS [--adapter ...]")
    sys.exit(serve(sys.argv[1:]))
