"""A heart-rate strap over Bluetooth LE (Heart Rate Service), filling the
`HeartRateMonitor` port: heart rate, RR intervals and skin contact; stale after 5 s."""

from __future__ import annotations

import contextlib
import logging

from bleak import BleakClient
from bleak.exc import BleakError

from retrocoach.devices.ble_link import BleLink
from retrocoach.devices.ports import HeartRateData, HeartRateListener, LinkState, Role
from retrocoach.devices.uuids import BODY_SENSOR_LOCATION, HEART_RATE_MEASUREMENT
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

    def attach(self, listener: HeartRateListener) -> None:
        self._listener = listener

    def report_state(self, state: LinkState) -> None:
        if self._listener is not None:
            self._listener.on_link_state(Role.HRM, state, self.clock())

    async def on_connected(self, client: BleakClient) -> None:
        with contextlib.suppress(BleakError):
            where = decode_body_sensor_location(await client.read_gatt_char(BODY_SENSOR_LOCATION))
            self.sensor_location = where.name
        await self.subscribe(client, HEART_RATE_MEASUREMENT, self._on_measurement)

    def _on_measurement(self, data: bytes) -> None:
        record = decode_heart_rate(data)
        if record.problems:
            self.malformed_packets += 1
            log.debug("%s: heart rate %s: %s", self.name, data.hex(" "), record.problems)
        if self._listener is not None:
            self._listener.on_heart_rate(
                HeartRateData(self.clock(), record.bpm, record.contact, record.rr_s)
            )
