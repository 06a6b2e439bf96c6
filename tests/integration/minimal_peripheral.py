"""A minimal BLE GATT peripheral served over BlueZ's D-Bus API with dbus-fast.

It proves the harness: one primary service with two characteristics, shaped like FTMS:

* DATA  (read, notify): `read` returns `data_value`; `notify(value)` sends a notification.
* CONTROL (write, indicate): a write (with response) is answered with an indication
  ``0x80 <first byte written> 0x01``, like an FTMS control point's "success" response.

and an LE advertisement carrying the service UUID and a local name. What BlueZ (and
bluezoo) needs from an application, and what to leave out, is written down in README.md.
"""

# No `from __future__ import annotations` here: dbus-fast reads the annotations of D-Bus
# methods as their signatures, and a postponed "None" breaks it (TypeError in
# dbus_method), while a real `-> None` means "returns nothing".

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusBool, DBusBytes, DBusDict, DBusObjectPath, DBusStr
from dbus_fast.annotations import DBusSignature as Sig
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property

SERVICE_UUID = "7e570000-0000-4000-8000-00000000c0de"
DATA_UUID = "7e570001-0000-4000-8000-00000000c0de"
CONTROL_UUID = "7e570002-0000-4000-8000-00000000c0de"
LOCAL_NAME = "RC Proof"

APP_PATH = "/org/retrocoach/proof/app"
SERVICE_PATH = f"{APP_PATH}/service0"
DATA_PATH = f"{SERVICE_PATH}/char0"
CONTROL_PATH = f"{SERVICE_PATH}/char1"
ADVERTISEMENT_PATH = "/org/retrocoach/proof/advertisement0"

BLUEZ = "org.bluez"
DBusStrList = Annotated[list[str], Sig("as")]


class Service(ServiceInterface):
    def __init__(self, uuid: str) -> None:
        super().__init__("org.bluez.GattService1")
        self._uuid = uuid

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> DBusStr:
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Primary(self) -> DBusBool:
        return True


class Characteristic(ServiceInterface):
    """org.bluez.GattCharacteristic1 as an application serves it.

    Deliberately without WriteAcquired / NotifyAcquired (bluezoo would then use
    AcquireWrite / AcquireNotify and file descriptors) and without Handle (bluezoo
    assigns handles itself when the property is absent).
    """

    def __init__(self, peripheral: "MinimalPeripheral", uuid: str, flags: list[str]) -> None:
        super().__init__("org.bluez.GattCharacteristic1")
        self.peripheral = peripheral
        self._uuid = uuid
        self._flags = flags
        self.value = b""
        self.notifying = False
        self.notifying_changed = asyncio.Event()
        self.confirms = 0
        self.on_write: Callable[[bytes, dict[str, Any]], None] | None = None

    # properties

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> DBusStr:
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Service(self) -> DBusObjectPath:
        return SERVICE_PATH

    @dbus_property(access=PropertyAccess.READ)
    def Flags(self) -> DBusStrList:
        return self._flags

    @dbus_property(access=PropertyAccess.READ)
    def Value(self) -> DBusBytes:
        return self.value

    @dbus_property(access=PropertyAccess.READ)
    def Notifying(self) -> DBusBool:
        return self.notifying

    # methods called by BlueZ (bluezoo) on behalf of the central

    @dbus_method()
    def ReadValue(self, options: DBusDict) -> DBusBytes:
        self.peripheral.calls.append(("ReadValue", self._uuid, b"", _unpack(options)))
        return self.value

    @dbus_method()
    def WriteValue(self, value: DBusBytes, options: DBusDict) -> None:
        opts = _unpack(options)
        self.peripheral.calls.append(("WriteValue", self._uuid, bytes(value), opts))
        if self.on_write is not None:
            # After the method returns: the central gets the write response first.
            asyncio.get_running_loop().call_soon(self.on_write, bytes(value), opts)

    @dbus_method()
    def StartNotify(self) -> None:
        self.peripheral.calls.append(("StartNotify", self._uuid, b"", {}))
        self._set_notifying(True)

    @dbus_method()
    def StopNotify(self) -> None:
        self.peripheral.calls.append(("StopNotify", self._uuid, b"", {}))
        self._set_notifying(False)

    @dbus_method()
    def Confirm(self) -> None:
        # bluezoo 1.0.2 calls Confirm after every value it forwards, notify or indicate.
        self.confirms += 1

    # the application's side

    def _set_notifying(self, on: bool) -> None:
        if self.notifying != on:
            self.notifying = on
            self.emit_properties_changed({"Notifying": on})
        self.notifying_changed.set()

    def send(self, value: bytes) -> bool:
        """Notify or indicate `value`; False (and nothing sent) if nobody subscribed."""
        self.value = bytes(value)
        if not self.notifying:
            return False
        self.emit_properties_changed({"Value": self.value})
        return True

    async def wait_notifying(self, on: bool, timeout: float = 3.0) -> None:
        async with asyncio.timeout(timeout):
            while self.notifying != on:
                self.notifying_changed.clear()
                await self.notifying_changed.wait()


class Advertisement(ServiceInterface):
    def __init__(self, service_uuids: list[str], local_name: str) -> None:
        super().__init__("org.bluez.LEAdvertisement1")
        self._service_uuids = service_uuids
        self._local_name = local_name
        self.released = False

    @dbus_property(access=PropertyAccess.READ)
    def Type(self) -> DBusStr:
        return "peripheral"

    @dbus_property(access=PropertyAccess.READ)
    def ServiceUUIDs(self) -> DBusStrList:
        return self._service_uuids

    @dbus_property(access=PropertyAccess.READ)
    def LocalName(self) -> DBusStr:
        return self._local_name

    @dbus_property(access=PropertyAccess.READ)
    def Discoverable(self) -> DBusBool:
        # bluezoo reports an LE advertisement only if it is discoverable: this property,
        # or else the adapter's Discoverable (False by default).
        return True

    @dbus_method()
    def Release(self) -> None:
        self.released = True


@dataclass
class MinimalPeripheral:
    """The proof peripheral on `adapter` of the bus at `bus_address`."""

    bus_address: str
    adapter: str = "hci0"
    local_name: str = LOCAL_NAME
    data_value: bytes = b"\x00\x01"
    advertise_on_start: bool = True
    calls: list[tuple[str, str, bytes, dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.bus: MessageBus | None = None
        self.service = Service(SERVICE_UUID)
        self.data = Characteristic(self, DATA_UUID, ["read", "notify"])
        self.data.value = self.data_value
        self.control = Characteristic(self, CONTROL_UUID, ["write", "indicate"])
        self.control.on_write = self._answer_control
        self.advertisement = Advertisement([SERVICE_UUID], self.local_name)
        self.advertising = False

    @property
    def adapter_path(self) -> str:
        return f"/org/bluez/{self.adapter}"

    async def start(self) -> "MinimalPeripheral":
        bus = MessageBus(bus_address=self.bus_address, bus_type=BusType.SYSTEM)
        self.bus = await bus.connect()
        bus.export(SERVICE_PATH, self.service)
        bus.export(DATA_PATH, self.data)
        bus.export(CONTROL_PATH, self.control)
        bus.export(ADVERTISEMENT_PATH, self.advertisement)
        # The application root answers ObjectManager.GetManagedObjects: dbus-fast does
        # that for any path, listing the objects exported below it.
        await self._call(
            self.adapter_path,
            "org.bluez.GattManager1",
            "RegisterApplication",
            "oa{sv}",
            [APP_PATH, {}],
        )
        if self.advertise_on_start:
            await self.advertise()
        return self

    async def advertise(self) -> None:
        await self._call(
            self.adapter_path,
            "org.bluez.LEAdvertisingManager1",
            "RegisterAdvertisement",
            "oa{sv}",
            [ADVERTISEMENT_PATH, {}],
        )
        self.advertising = True

    async def stop(self) -> None:
        if self.bus is None:
            return
        with _suppress_dbus_errors():
            if self.advertising:
                await self._call(
                    self.adapter_path,
                    "org.bluez.LEAdvertisingManager1",
                    "UnregisterAdvertisement",
                    "o",
                    [ADVERTISEMENT_PATH],
                )
            await self._call(
                self.adapter_path,
                "org.bluez.GattManager1",
                "UnregisterApplication",
                "o",
                [APP_PATH],
            )
        self.bus.disconnect()
        await self.bus.wait_for_disconnect()
        self.bus = None

    async def __aenter__(self) -> "MinimalPeripheral":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # the peripheral's actions

    def notify(self, value: bytes) -> bool:
        return self.data.send(value)

    async def connected_centrals(self) -> list[str]:
        """D-Bus paths of the devices connected to our adapter (the centrals)."""
        reply = await self._call("/", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects")
        prefix = self.adapter_path + "/dev_"
        return sorted(
            path
            for path, interfaces in reply.body[0].items()
            if path.startswith(prefix)
            and "org.bluez.Device1" in interfaces
            and interfaces["org.bluez.Device1"]["Connected"].value
        )

    async def disconnect_centrals(self) -> list[str]:
        """Drop every connection, from the peripheral's side (Device1.Disconnect on hci0)."""
        paths = await self.connected_centrals()
        for path in paths:
            await self._call(path, "org.bluez.Device1", "Disconnect")
        return paths

    def _answer_control(self, value: bytes, options: dict[str, Any]) -> None:
        opcode = value[:1] or b"\x00"
        self.control.send(b"\x80" + opcode + b"\x01")

    async def _call(
        self,
        path: str,
        interface: str,
        member: str,
        signature: str = "",
        body: list[Any] | None = None,
    ) -> Message:
        assert self.bus is not None, "start() the peripheral first"
        reply = await self.bus.call(
            Message(
                destination=BLUEZ,
                path=path,
                interface=interface,
                member=member,
                signature=signature,
                body=body or [],
            )
        )
        assert reply is not None
        if reply.message_type == MessageType.ERROR:
            raise DBusCallError(f"{interface}.{member} on {path}: {reply.error_name} {reply.body}")
        return reply


class DBusCallError(RuntimeError):
    pass


class _suppress_dbus_errors:
    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> bool:
        return exc_type is not None and issubclass(exc_type, DBusCallError | ConnectionError)


def _unpack(options: dict[str, Any]) -> dict[str, Any]:
    return {k: v.value if isinstance(v, Variant) else v for k, v in options.items()}
