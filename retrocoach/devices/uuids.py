"""Bluetooth SIG UUIDs of the services and characteristics retrocoach uses."""

from __future__ import annotations


def sig_uuid(short: int) -> str:
    """The full 128-bit form of a 16-bit SIG-assigned UUID, as bleak writes it."""
    return f"0000{short:04x}-0000-1000-8000-00805f9b34fb"


FTMS_SERVICE = sig_uuid(0x1826)
HEART_RATE_SERVICE = sig_uuid(0x180D)
BATTERY_SERVICE = sig_uuid(0x180F)

FITNESS_MACHINE_FEATURE = sig_uuid(0x2ACC)
TREADMILL_DATA = sig_uuid(0x2ACD)
TRAINING_STATUS = sig_uuid(0x2AD3)
SUPPORTED_SPEED_RANGE = sig_uuid(0x2AD4)
SUPPORTED_INCLINATION_RANGE = sig_uuid(0x2AD5)
FITNESS_MACHINE_CONTROL_POINT = sig_uuid(0x2AD9)
FITNESS_MACHINE_STATUS = sig_uuid(0x2ADA)

HEART_RATE_MEASUREMENT = sig_uuid(0x2A37)
BODY_SENSOR_LOCATION = sig_uuid(0x2A38)
BATTERY_LEVEL = sig_uuid(0x2A19)
