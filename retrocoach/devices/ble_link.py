"""What every Bluetooth device needs: connect, stay connected, say when it goes quiet.

A link keeps one device connected for as long as the session wants it: a fresh
`BleakClient` for every connection (bleak's advice after a disconnect), subscriptions
made once per connection, reconnection with backoff while the session goes on, and a
"stale" report when a connected device stops sending. Notifications are tagged with
their connection, so one from an old connection is never delivered after a reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Callable

from bleak import BleakClient
from bleak.args.bluez import BlueZClientArgs
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.device import BLEDevice
from bleak.exc import BleakError

from retrocoach.devices.ports import LinkState, Role

log = logging.getLogger(__name__)

BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 8.0)
CONNECT_TIMEOUT_S = 15.0

# One connection attempt at a time per device: a treadmill that also serves the heart
# rate is one device to BlueZ, which refuses a second connect while the first is under
# way, and bleak answers the refusal by disconnecting, which drops the first too.
_connecting: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _connect_lock(address: str) -> asyncio.Lock:
    locks = _connecting.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault(address.upper(), asyncio.Lock())


Notify = Callable[[bytes], None]


class BleLink:
    """Base of the treadmill and strap clients; subclasses say what to do once
    connected (`on_connected`) and report data through their listener."""

    role: Role

    def __init__(
        self,
        target: str | BLEDevice,
        *,
        name: str = "",
        clock: Callable[[], float] = time.monotonic,
        adapter: str | None = None,
        stale_after_s: float = 3.0,
        backoff_s: tuple[float, ...] = BACKOFF_S,
    ) -> None:
        self.target = target
        address = target if isinstance(target, str) else target.address
        self.name = name or (target.name if isinstance(target, BLEDevice) and target.name else "")
        self.name = self.name or address
        self.address = address
        self.clock = clock
        self.adapter = adapter
        self.stale_after_s = stale_after_s
        self.backoff_s = backoff_s
        self.malformed_packets = 0
        self.client: BleakClient | None = None
        self._generation = 0
        self._closed = False
        self._supervisor: asyncio.Task[None] | None = None
        self._disconnected = asyncio.Event()
        self._last_data: float | None = None
        self._stale = False
        self._state: LinkState | None = None
        # Told why each connection attempt failed, in the system's words (the gym's
        # coach is warned when the adapter refuses one more); the link keeps trying.
        self.on_failure: Callable[[str], None] | None = None
        self.last_error = ""

    # -- the port's life cycle

    def connect(self, now: float) -> None:
        """Start keeping the device connected (returns at once; needs a running loop)."""
        if self._supervisor is None and not self._closed:
            self._supervisor = asyncio.get_running_loop().create_task(self._supervise())

    def close(self) -> None:
        self._closed = True
        self._disconnected.set()
        if self._supervisor is not None:
            self._supervisor.cancel()
        client = self.client
        if client is not None and client.is_connected:
            with contextlib.suppress(RuntimeError):
                asyncio.get_running_loop().create_task(self._disconnect_quietly(client))

    async def aclose(self) -> None:
        """Close and wait until the link is really down."""
        self.close()
        if self._supervisor is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        if self.client is not None:
            await self._disconnect_quietly(self.client)

    @property
    def closed(self) -> bool:
        return self._closed

    def _closing(self) -> bool:
        return self._closed

    @property
    def connected(self) -> bool:
        return self._state in (LinkState.CONNECTED, LinkState.STALE)

    # -- for subclasses

    def report_state(self, state: LinkState) -> None:
        """Tell the listener (subclasses deliver it)."""
        raise NotImplementedError

    async def on_connected(self, client: BleakClient) -> None:
        """Read what is needed and subscribe; raise BleakError if the device is unusable."""
        raise NotImplementedError

    def on_disconnected(self) -> None:
        """The link went down: forget per-connection state."""

    async def subscribe(self, client: BleakClient, uuid: str, handler: Notify) -> None:
        generation = self._generation

        def deliver(_: BleakGATTCharacteristic, data: bytearray) -> None:
            if generation != self._generation:
                return  # from a connection that is gone
            self._last_data = self.clock()
            if self._stale:
                self._stale = False
                self._set_state(LinkState.CONNECTED)
            try:
                handler(bytes(data))
            except Exception:  # a bad packet must never kill the notification loop
                self.malformed_packets += 1
                log.exception("%s: notification handler failed on %s", self.name, data.hex())

        await client.start_notify(uuid, deliver)

    # -- the supervisor

    def _set_state(self, state: LinkState) -> None:
        if state is not self._state:
            self._state = state
            self.report_state(state)

    async def _supervise(self) -> None:
        attempt = 0
        ever_connected = False
        watchdog = asyncio.get_running_loop().create_task(self._watch_staleness())
        try:
            while not self.closed:
                self._set_state(LinkState.RECONNECTING if ever_connected else LinkState.CONNECTING)
                try:
                    await self._connect_once()
                    ever_connected = True
                    attempt = 0
                    await self._disconnected.wait()
                except (BleakError, TimeoutError, OSError, EOFError) as exc:
                    log.info("%s: connection failed: %s", self.name, exc)
                    self._failed(exc)
                finally:
                    self._generation += 1
                    self.on_disconnected()
                    if self.client is not None:
                        await self._disconnect_quietly(self.client)
                if self._closing():  # close() may have run while we awaited
                    break
                if ever_connected:
                    self._set_state(LinkState.LOST)
                await asyncio.sleep(self.backoff_s[min(attempt, len(self.backoff_s) - 1)])
                attempt += 1
        finally:
            watchdog.cancel()

    def _failed(self, exc: BaseException) -> None:
        self.last_error = str(exc) or type(exc).__name__
        if self.on_failure is not None:
            try:
                self.on_failure(self.last_error)
            except Exception:  # whoever listens must not stop the reconnecting
                log.exception("%s: the failure listener failed", self.name)

    async def _connect_once(self) -> None:
        self._disconnected.clear()
        bluez: BlueZClientArgs = {"adapter": self.adapter} if self.adapter else {}
        client = BleakClient(
            self.target,
            disconnected_callback=self._lost,
            timeout=CONNECT_TIMEOUT_S,
            bluez=bluez,
        )
        self.client = client
        async with _connect_lock(self.address):
            await client.connect()
            self._generation += 1
            self._stale = False
            self._last_data = None  # reading and subscribing may take a while
            await self.on_connected(client)
        self._last_data = self.clock()
        self._set_state(LinkState.CONNECTED)

    def _lost(self, client: BleakClient) -> None:
        if client is self.client:
            self._disconnected.set()

    async def _disconnect_quietly(self, client: BleakClient) -> None:
        with contextlib.suppress(
            BleakError, TimeoutError, OSError, EOFError, asyncio.CancelledError
        ):
            await client.disconnect()

    async def _watch_staleness(self) -> None:
        while True:
            await asyncio.sleep(min(0.5, self.stale_after_s / 2))
            last = self._last_data
            if (
                self._state is LinkState.CONNECTED
                and last is not None
                and self.clock() - last > self.stale_after_s
            ):
                self._stale = True
                self._set_state(LinkState.STALE)
