"""The treadmill client when things go wrong: found in review, each once left a belt in
a state nobody asked for."""

from __future__ import annotations

import time

import pytest
from bluez_mock import BluezMock
from test_ble_clients import Recorder, closing, connected_treadmill, run_async, started

from retrocoach.devices.ports import ControlOp, ControlRequest, ControlResult, LinkState, Role


def test_a_target_sent_after_a_reconnect_to_a_standing_belt_is_held(bluez: BluezMock) -> None:
    async def test() -> None:
        vt = await started(bluez)
        # A slow reconnect: the key is pulled while the link is down.
        tm, rec = await connected_treadmill(bluez, vt, backoff_s=2.5)
        try:
            assert await rec.result_of(tm, ControlRequest(ControlOp.START)) is (
                ControlResult.SUCCESS
            )
            await rec.until(lambda: bool(rec.data) and (rec.data[-1].speed_kmh or 0) >= 0.9, 8)
            await vt.disconnect_centrals()
            await rec.until(lambda: (Role.TREADMILL, LinkState.LOST) in rec.links, 5)
            # While the link is down the runner pulls the key: that status is never heard.
            vt.treadmill.pull_safety_key(time.monotonic())
            await rec.until(lambda: rec.links.count((Role.TREADMILL, LinkState.CONNECTED)) >= 2, 10)
            vt.treadmill.insert_safety_key(time.monotonic())
            result = await rec.result_of(tm, ControlRequest(ControlOp.SET_SPEED, 6.0))
            assert result is ControlResult.SUCCESS  # accepted, and held
            assert not vt.treadmill.running
            assert vt.treadmill.target_speed_kmh != pytest.approx(6.0)
        finally:
            await closing(tm, vt)

    run_async(test, 60)


def test_a_late_answer_is_never_taken_for_the_next_requests(bluez: BluezMock) -> None:
    async def test() -> None:
        vt = await started(bluez)
        tm, rec = await connected_treadmill(bluez, vt)
        try:
            ok = await rec.result_of(tm, ControlRequest(ControlOp.REQUEST_CONTROL))
            assert ok is ControlResult.SUCCESS
            tm.command_timeout_s = 0.035  # shorter than the machine's 50 ms answer
            first = await rec.result_of(tm, ControlRequest(ControlOp.SET_INCLINE, 2.0))
            assert first is ControlResult.TIMEOUT
            tm.command_timeout_s = 3.0
            second = await rec.result_of(tm, ControlRequest(ControlOp.SET_INCLINE, 10.0))
            assert second is ControlResult.SUCCESS
            # ...and that success is the machine's answer to 10 %, not the late one to 2 %.
            assert vt.treadmill._incline_target == pytest.approx(10.0)
        finally:
            await closing(tm, vt)

    run_async(test, 60)


class FailingOnce(Recorder):
    """A listener that fails on the first command result (a console gone, a full disk)."""

    def __init__(self) -> None:
        super().__init__()
        self.raised = False

    def on_control_result(self, request: ControlRequest, result: ControlResult, t: float) -> None:
        super().on_control_result(request, result, t)
        if not self.raised:
            self.raised = True
            raise RuntimeError("a listener failed")


def test_a_failing_listener_never_stops_the_commands_that_follow(bluez: BluezMock) -> None:
    async def test() -> None:
        vt = await started(bluez)
        rec = FailingOnce()
        tm, _ = await connected_treadmill(bluez, vt, listener=rec)
        try:
            tm.submit(ControlRequest(ControlOp.START), time.monotonic())
            await rec.until(lambda: bool(rec.data) and (rec.data[-1].speed_kmh or 0) >= 0.9, 8)
            assert rec.raised
            assert await rec.result_of(tm, ControlRequest(ControlOp.STOP)) is (
                ControlResult.SUCCESS
            )
            assert not vt.treadmill.running
        finally:
            await closing(tm, vt)

    run_async(test, 60)
