"""BlueZ GATT server objects on dbus-fast: services, characteristics, an advertisement.

An application exports these below its own path and hands the path to BlueZ
(`GattManager1.RegisterApplication`); BlueZ reads the tree with
`ObjectManager.GetManagedObjects`, which dbus-fast answers by itself for any path.
What BlueZ (and the bluezoo mock the tests use) needs, and what to leave out, is in
tests/integration/README.md; the short of it:

* no `WriteAcquired` / `NotifyAcquired` (BlueZ would switch to file descriptors) and no
  `Handle` (BlueZ then numbers the attributes itself);
* `Confirm()` must exist: bluezoo calls it after every value it forwards;
* a notification or indication is a `PropertiesChanged(Value)` while `Notifying`.
"""

# No `from __future__ import annotations` in this module: dbus-fast reads the annotations
# of D-Bus methods and properties as their signatures, and a postponed "None" breaks it.

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from dbus_fast import DBusError, Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusBool, DBusBytes, DBusDict, DBusObjectPath, DBusStr
from dbus_fast.annotations import DBusSignature as Sig
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property

log = logging.getLogger(__name__)

BLUEZ = "org.bluez"
GATT_MANAGER = "org.bluez.GattManager1"
ADVERTISING_MANAGER = "org.bluez.LEAdvertisingManager1"
ADAPTER = "org.bluez.Adapter1"
DEVICE = "org.bluez.Device1"
OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager"

# Error names BlueZ turns into ATT error codes (src/gatt-database.c).
ERROR_INVALID_VALUE_LENGTH = "org.bluez.Error.InvalidValueLength"  # ATT 0x0D
ERROR_INVALID_OFFSET = "org.bluez.Error.InvalidOffset"  # ATT 0x07
ERROR_NOT_SUPPORTED = "org.bluez.Error.NotSupported"  # ATT 0x06
# BlueZ 5.75+ answers ATT 0xFD "CCC improperly configured"; older versions 0x0E.
ERROR_IMPROPERLY_CONFIGURED = "org.bluez.Error.ImproperlyConfigured"

DEFAULT_ATT_MTU = 23  # what a link has until the central negotiates more

DBusStrList = Annotated[list[str], Sig("as")]


class BluezCallError(RuntimeError):
    """A call to BlueZ was answered with a D-Bus error; `name` is the error's name."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(text)
        self.name = name


async def call_bluez(
    bus: MessageBus,
    path: str,
    interface: str,
    member: str,
    signature: str = "",
    body: Sequence[Any] = (),
) -> list[Any]:
    """Call a BlueZ method and return the reply's body; BluezCallError on an error."""
    reply = await bus.call(
        Message(
            destination=BLUEZ,
            path=path,
            interface=interface,
            member=member,
            signature=signature,
            body=list(body),
        )
    )
    if reply.message_type == MessageType.ERROR:
        text = str(reply.body[0]) if reply.body else ""
        name = reply.error_name or "unknown"
        raise BluezCallError(name, f"{interface}.{member} on {path}: {name}: {text}")
    return list(reply.body)


def unpack_options(options: dict[str, Any]) -> dict[str, Any]:
    """The a{sv} options BlueZ passes to ReadValue/WriteValue, as plain values."""
    return {k: v.value if isinstance(v, Variant) else v for k, v in options.items()}


@dataclass(frozen=True)
class Access:
    """Who is reading or writing, as BlueZ tells the application."""

    device: str | None  # the central's D-Bus path on our adapter
    mtu: int | None  # ATT MTU of its link, when BlueZ says
    offset: int = 0
    write_type: str | None = None  # "request" (with response) or "command"

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> "Access":
        opts = unpack_options(options)
        mtu = opts.get("mtu")
        return cls(
            device=opts.get("device"),
            mtu=int(mtu) if mtu else None,
            offset=int(opts.get("offset", 0)),
            write_type=opts.get("type"),
        )


class Service(ServiceInterface):
    """org.bluez.GattService1."""

    def __init__(self, path: str, uuid: str, primary: bool = True) -> None:
        super().__init__("org.bluez.GattService1")
        self.path = path
        self._uuid = uuid
        self._primary = primary
        self.characteristics: list[Characteristic] = []

    def add(
        self,
        uuid: str,
        flags: Sequence[str],
        value: bytes = b"",
        on_write: "Callable[[bytes, Access], None] | None" = None,
    ) -> "Characteristic":
        char = Characteristic(
            f"{self.path}/char{len(self.characteristics)}", self, uuid, flags, value, on_write
        )
        self.characteristics.append(char)
        return char

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> DBusStr:
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Primary(self) -> DBusBool:
        return self._primary


class Characteristic(ServiceInterface):
    """org.bluez.GattCharacteristic1 as an application serves it.

    `value` is what a read returns and what the last notification carried. `on_write`
    gets each written value; it runs inside WriteValue, so it must not block, and it may
    raise `DBusError` to answer the write with an ATT error. `on_access` (set by the
    owner) hears every read and write, to learn the central and its MTU.
    """

    def __init__(
        self,
        path: str,
        service: Service,
        uuid: str,
        flags: Sequence[str],
        value: bytes = b"",
        on_write: Callable[[bytes, Access], None] | None = None,
    ) -> None:
        super().__init__("org.bluez.GattCharacteristic1")
        self.path = path
        self.service = service
        self.uuid = uuid
        self.flags = list(flags)
        self.value = bytes(value)
        self.notifying = False
        self.on_write = on_write
        self.on_access: Callable[[Access], None] | None = None
        self.on_notifying: Callable[[Characteristic, bool], None] | None = None
        self.sent = 0  # values notified or indicated
        self.confirms = 0

    # properties

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> DBusStr:
        return self.uuid

    @dbus_property(access=PropertyAccess.READ)
    def Service(self) -> DBusObjectPath:
        return self.service.path

    @dbus_property(access=PropertyAccess.READ)
    def Flags(self) -> DBusStrList:
        return self.flags

    @dbus_property(access=PropertyAccess.READ)
    def Value(self) -> DBusBytes:
        return self.value

    @dbus_property(access=PropertyAccess.READ)
    def Notifying(self) -> DBusBool:
        return self.notifying

    # methods BlueZ calls for the central

    @dbus_method()
    def ReadValue(self, options: DBusDict) -> DBusBytes:
        access = Access.from_options(options)
        self._accessed(access)
        if "read" not in self.flags:
            raise DBusError(ERROR_NOT_SUPPORTED, "not readable")
        if access.offset > len(self.value):
            raise DBusError(ERROR_INVALID_OFFSET, f"offset {access.offset}")
        return self.value[access.offset :]

    @dbus_method()
    def WriteValue(self, value: DBusBytes, options: DBusDict) -> None:
        access = Access.from_options(options)
        self._accessed(access)
        if self.on_write is None:
            raise DBusError(ERROR_NOT_SUPPORTED, "not writable")
        self.on_write(bytes(value), access)

    @dbus_method()
    def StartNotify(self) -> None:
        self._set_notifying(True)

    @dbus_method()
    def StopNotify(self) -> None:
        self._set_notifying(False)

    @dbus_method()
    def Confirm(self) -> None:
        # Real BlueZ calls this when a central confirms an indication; bluezoo 1.0.2
        # after every value it forwards. Nothing waits on it.
        self.confirms += 1

    # the application's side

    def send(self, value: bytes) -> bool:
        """Notify or indicate `value`; False (and only stored) while nobody subscribed."""
        self.value = bytes(value)
        if not self.notifying:
            return False
        self.emit_properties_changed({"Value": self.value})
        self.sent += 1
        return True

    def _set_notifying(self, on: bool) -> None:
        if self.notifying == on:
            return
        self.notifying = on
        self.emit_properties_changed({"Notifying": on})
        if self.on_notifying is not None:
            self.on_notifying(self, on)

    def _accessed(self, access: Access) -> None:
        if self.on_access is not None:
            self.on_access(access)


class Advertisement(ServiceInterface):
    """org.bluez.LEAdvertisement1: a connectable, discoverable peripheral."""

    def __init__(
        self,
        path: str,
        local_name: str,
        service_uuids: Sequence[str],
        service_data: dict[str, bytes] | None = None,
    ) -> None:
        super().__init__("org.bluez.LEAdvertisement1")
        self.path = path
        self._local_name = local_name
        self._service_uuids = list(service_uuids)
        self._service_data = dict(service_data or {})
        self.released = False

    @dbus_property(access=PropertyAccess.READ)
    def Type(self) -> DBusStr:
        return "peripheral"

    @dbus_property(access=PropertyAccess.READ)
    def ServiceUUIDs(self) -> DBusStrList:
        return self._service_uuids

    @dbus_property(access=PropertyAccess.READ)
    def ServiceData(self) -> DBusDict:
        return {uuid: Variant("ay", data) for uuid, data in self._service_data.items()}

    @dbus_property(access=PropertyAccess.READ)
    def LocalName(self) -> DBusStr:
        return self._local_name

    @dbus_property(access=PropertyAccess.READ)
    def Discoverable(self) -> DBusBool:
        # bluezoo reports an advertisement only if it (or else the adapter) is
        # discoverable; real BlueZ then sets the LE General Discoverable flag.
        return True

    @dbus_method()
    def Release(self) -> None:
        # BlueZ dropped the advertisement (adapter off, bluetoothd restarting).
        self.released = True
        log.info("BlueZ released the advertisement %s", self.path)


class GattApplication:
    """Services and an advertisement, exported on one bus and registered with BlueZ."""

    def __init__(self, path: str, advertisement: Advertisement) -> None:
        self.path = path
        self.advertisement = advertisement
        self.services: list[Service] = []
        self.registered = False
        self.advertising = False

    def add_service(self, uuid: str) -> Service:
        service = Service(f"{self.path}/service{len(self.services)}", uuid)
        self.services.append(service)
        return service

    def export(self, bus: MessageBus) -> None:
        # Objects first: BlueZ reads the whole tree while RegisterApplication runs.
        for service in self.services:
            bus.export(service.path, service)
            for char in service.characteristics:
                bus.export(char.path, char)
        # Outside the application's subtree, so it is not taken for a GATT object.
        bus.export(self.advertisement.path, self.advertisement)

    async def register(self, bus: MessageBus, adapter_path: str) -> None:
        await call_bluez(
            bus,
            adapter_path,
            GATT_MANAGER,
            "RegisterApplication",
            "oa{sv}",
            [
                self.path,
                {},
            ],
        )
        self.registered = True
        await call_bluez(
            bus,
            adapter_path,
            ADVERTISING_MANAGER,
            "RegisterAdvertisement",
            "oa{sv}",
            [self.advertisement.path, {}],
        )
        self.advertising = True

    async def unregister(self, bus: MessageBus, adapter_path: str) -> None:
        """Withdraw the advertisement and the application; errors are only logged."""
        if self.advertising:
            self.advertising = False
            await _quietly(
                call_bluez(
                    bus,
                    adapter_path,
                    ADVERTISING_MANAGER,
                    "UnregisterAdvertisement",
                    "o",
                    [self.advertisement.path],
                )
            )
        if self.registered:
            self.registered = False
            await _quietly(
                call_bluez(
                    bus, adapter_path, GATT_MANAGER, "UnregisterApplication", "o", [self.path]
                )
            )


async def _quietly(call: Awaitable[object]) -> None:
    try:
        await call
    except (BluezCallError, ConnectionError, EOFError) as exc:
        log.debug("while unregistering: %s", exc)
