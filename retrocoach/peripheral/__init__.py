"""The simulator served as a real Bluetooth LE peripheral, through BlueZ's D-Bus API.

`virtual_treadmill.VirtualTreadmill` registers a GATT application (the Fitness Machine
Service, optionally the Heart Rate Service) and an LE advertisement with BlueZ
(`org.bluez.GattManager1`, `org.bluez.LEAdvertisingManager1`) and answers for a
`SimulatedTreadmill` (and a `SimulatedStrap`) that it drives in real time. Any FTMS app
can then connect to it: our own, QZ, Zwift. `gatt` holds the D-Bus objects; `cli` the
`retrocoach virtual-treadmill` command.

Linux only: it needs BlueZ and dbus-fast (a dependency of bleak on Linux). Nothing here
is imported by the rest of the app, so this package's import stays optional elsewhere.
"""
