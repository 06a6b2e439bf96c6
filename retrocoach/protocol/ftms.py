"""Fitness Machine Service (FTMS 1.0) numbers: control point op codes, result codes and
machine status op codes, as the specification assigns them."""

from __future__ import annotations

from enum import IntEnum


class ControlOpCode(IntEnum):
    """Fitness Machine Control Point (0x2AD9) request op codes."""

    REQUEST_CONTROL = 0x00
    RESET = 0x01
    SET_TARGET_SPEED = 0x02
    SET_TARGET_INCLINATION = 0x03
    START_OR_RESUME = 0x07
    STOP_OR_PAUSE = 0x08
    RESPONSE = 0x80


class ResultCode(IntEnum):
    """Result codes in a control point response (0x80, request op code, result)."""

    SUCCESS = 0x01
    NOT_SUPPORTED = 0x02
    INVALID_PARAMETER = 0x03
    FAILED = 0x04
    NOT_PERMITTED = 0x05


class StopPauseParam(IntEnum):
    """Parameter of STOP_OR_PAUSE (request) and of STOPPED_OR_PAUSED_BY_USER (status)."""

    STOP = 0x01
    PAUSE = 0x02


class StatusCode(IntEnum):
    """Fitness Machine Status (0x2ADA) op codes."""

    RESET = 0x01
    STOPPED_OR_PAUSED_BY_USER = 0x02
    STOPPED_BY_SAFETY_KEY = 0x03
    STARTED_OR_RESUMED_BY_USER = 0x04
    TARGET_SPEED_CHANGED = 0x05
    TARGET_INCLINE_CHANGED = 0x06
    TARGET_RESISTANCE_CHANGED = 0x07
    TARGET_POWER_CHANGED = 0x08
    TARGET_HEART_RATE_CHANGED = 0x09
    TARGETED_EXPENDED_ENERGY_CHANGED = 0x0A
    TARGETED_STEPS_CHANGED = 0x0B
    TARGETED_STRIDES_CHANGED = 0x0C
    TARGETED_DISTANCE_CHANGED = 0x0D
    TARGETED_TRAINING_TIME_CHANGED = 0x0E
    TARGETED_TIME_IN_HR_ZONES_CHANGED = 0x0F
    TARGETED_TIME_IN_3_HR_ZONES_CHANGED = 0x10
    TARGETED_TIME_IN_5_HR_ZONES_CHANGED = 0x11
    INDOOR_BIKE_SIMULATION_CHANGED = 0x12
    WHEEL_CIRCUMFERENCE_CHANGED = 0x13
    SPIN_DOWN_STATUS = 0x14
    TARGETED_CADENCE_CHANGED = 0x15
    CONTROL_PERMISSION_LOST = 0xFF
