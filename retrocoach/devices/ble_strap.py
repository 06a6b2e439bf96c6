"""A heart-rate strap over Bluetooth LE (Heart Rate Service), filling the
`HeartRateMonitor` port: heart rate, RR intervals and skin contact; stale after 5 s.
The battery level (Battery Service) is read once per connection where the strap has it."""

from __future__ import annotations

import contextlib
import logging

from bleak import BleakClient
from bleak.exc import BleakError

from retrocoach.devices.ble_link import BleLink
from retrocoach.devices.ports import HeartRateData, HeartRateListener, LinkState, Role
from retrocoach.devices.uuids import BATTERY_LEVEL, BODY_SENSOR_LOCATION, HEART_RATE_MEASUREMENT
from retrocoach.protocol.heart_rate import decode_body_sensor_location, decode_heart_rate

log = logging.getLogger(__name__)

STRAP_STALE_AFTER_S = 5.0


class BleHeartRateStrap(BleLink):
    role = Role.HRM

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("stale_after_s", STRAP_STALE_AFTER_S)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._listener: HeartRateListener | None = None
        self.sensor_location: str | None = None
        self.battery_pct: int | None = None  # as last read; None until the strap says

    def attach(self, listener: HeartRateListener) -> None:
        self._listener = listener

    def report_state(self, state: LinkState) -> None:
        if self._listener is not None:
            self._listener.on_link_state(Role.HRM, state, self.clock())

    async def on_connected(self, client: BleakClient) -> None:
        with contextlib.suppress(BleakError):
            where = decode_body_sensor_location(await client.read_gatt_char(BODY_SENSOR_LOCATION))
            self.sensor_location = where.name
        await self._read_battery(client)
        await self.subscribe(client, HEART_RATE_MEASUREMENT, self._on_measurement)

    async def _read_battery(self, client: BleakClient) -> None:
        """Battery Level (0x2A19): one byte, 0-100 %. Many straps have no Battery Service
        (bleak raises a BleakError for a missing characteristic): the level stays unknown,
        and the connection goes on whatever the read does."""
        try:
            value = await client.read_gatt_char(BATTERY_LEVEL)
        except (BleakError, TimeoutError, OSError, EOFError) as exc:
            log.debug("%s: no battery level: %s", self.name, exc)
            return
        if len(value) >= 1 and value[0] <= 100:
            self.battery_pct = value[0]
        else:
            log.debug("%s: battery level %s ignored", self.name, bytes(value).hex(" "))

    def _on_measurement(self, data: bytes) -> None:
        record = decode_heart_rate(data)
        if record.problems:
            self.malformed_packets += 1
            log.debug("%s: heart rate %s: %s", self.name, data.hex(" "), record.problems)
        if self._listener is not None:
            self._listener.on_heart_rate(
                HeartRateData(self.clock(), record.bpm, record.contact, record.rr_s)
            )
