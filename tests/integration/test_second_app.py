"""A second app takes control of the treadmill in the middle of a session: a real second
central (plain bleak on hci2) against `VirtualTreadmill` on hci0, while the app's own
`Station` runs a session through `BleTreadmill` on hci1.

What FTMS asks of the machine, and what the coach must do about it: the machine gives
control to the newcomer and tells the old holder "control permission lost" (0xFF); the
coach pauses the coaching without fighting back (no request control, no start) until the
person resumes, which takes control back.

bluezoo forwards notifications and indications to the first central that subscribed
only (tests/integration/README.md, known limits): the second app never hears the answer
to its request, so it writes with response and does not wait for an indication. Its write
still reaches the treadmill, which answers the write when it has acted on it.

A machine's status goes to every subscribed app, so our own takeover's "control
permission lost" (meant for the other app) reaches us too: it must not pause us again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from bleak import BleakClient
from bluez_mock import BluezMock

from retrocoach.coach.events import Event
from retrocoach.devices.ble_treadmill import BleTreadmill
from retrocoach.devices.uuids import FITNESS_MACHINE_CONTROL_POINT
from retrocoach.peripheral.virtual_treadmill import VirtualTreadmill
from retrocoach.protocol import ftms
from retrocoach.protocol.ftms import StatusCode
from retrocoach.station import RealClock, Station, run
from retrocoach.workouts.model import Direction, Gait, Step, TimeEnd, Workout
from retrocoach.workouts.profile import RunnerProfile

FIGHTING = ("request_control", "start")

TEST_TIMEOUT_S = 30.0  # the whole body; it takes about 9 s
STEP_TIMEOUT_S = 10.0  # any one wait


def _walk() -> Workout:
    return Workout("bt-walk", "Bluetooth walk", (Step(Direction.FORWARD, Gait.WALK, TimeEnd(60)),))


async def _until(what: str, condition: Callable[[], bool], timeout: float = STEP_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def test_a_second_app_takes_control_and_the_coach_pauses_without_fighting(
    bluez3: BluezMock,
) -> None:
    ours = bluez3.central_path_on_peripheral
    theirs = bluez3.peripheral.device_path(bluez3.second_central.address)
    events: list[Event] = []

    def records() -> list[dict[str, Any]]:
        return [e.record() for e in events]

    def seen(**fields: Any) -> bool:
        return any(all(r.get(k) == v for k, v in fields.items()) for r in records())

    async def body() -> None:
        vt = VirtualTreadmill(
            bus_address=bluez3.bus_address, adapter=bluez3.peripheral.name, with_hrm=False
        )
        await vt.start()
        clock = RealClock()
        treadmill = BleTreadmill(
            bluez3.peripheral.address,
            adapter=bluez3.central.name,
            clock=clock.now,
            backoff_s=(0.3,),
        )
        station = Station(
            _walk(), RunnerProfile(), treadmill, None, now=clock.now(), sinks=[events.append]
        )
        station.connect(clock.now())
        session = asyncio.get_running_loop().create_task(run(station, clock))
        try:
            await _until(
                "the treadmill to connect",
                lambda: seen(event="device", role="treadmill", state="connected"),
            )
            station.start(clock.now())
            await _until("the first segment", lambda: seen(event="segment_start"))
            assert vt.controller == ours and vt.treadmill.has_control

            # The other app: connects on its own adapter and asks for control.
            async with BleakClient(
                bluez3.peripheral.address, timeout=STEP_TIMEOUT_S, **bluez3.second_bleak_args
            ) as other:
                await other.write_gatt_char(
                    FITNESS_MACHINE_CONTROL_POINT, ftms.encode_request_control(), response=True
                )
                assert vt.controller == theirs  # decided while the write was answered
                await _until(
                    "control permission lost",
                    lambda: seen(
                        event="machine_status", code=int(StatusCode.CONTROL_PERMISSION_LOST)
                    ),
                )
                await _until(
                    "the coach to pause",
                    lambda: seen(event="safety", rule=7, action="control_lost"),
                )
                await _until("the machine to grant it", lambda: vt.treadmill.has_control)
                # No fight (checked in the log below): the other app keeps control for a
                # while, through the engine's retry backoffs, and the device layer's too.
                await asyncio.sleep(2.5)
                assert vt.controller == theirs and vt.treadmill.has_control

                # The person resumes here: that takes control back from the other app.
                resumed = len(events)
                station.resume(clock.now())
                await _until(
                    "a request for control",
                    lambda: any(
                        r["event"] == "command" and r["op"] == "request_control"
                        for r in records()[resumed:]
                    ),
                )
                await _until(
                    "control back with us",
                    lambda: vt.controller == ours and vt.treadmill.has_control,
                )
                await _until(
                    "the request's success",
                    lambda: any(
                        r["event"] == "command_result"
                        and r["op"] == "request_control"
                        and r["result"] == "success"
                        for r in records()[resumed:]
                    ),
                )
                station.stop(clock.now())
                await asyncio.wait_for(session, 20)
        finally:
            station.close()
            await treadmill.aclose()
            await vt.stop()

    asyncio.run(asyncio.wait_for(body(), TEST_TIMEOUT_S))

    log = records()
    assert log[-1]["event"] == "session_end" and log[-1]["reason"] == "stopped"
    lost_at = next(
        i for i, r in enumerate(log) if r["event"] == "machine_status" and r["code"] == 255
    )
    assert log[lost_at]["name"] == "control_permission_lost"
    resumed_at = next(
        i for i, r in enumerate(log) if r["event"] == "user" and r["action"] == "resume"
    )
    commands = [(i, r["op"]) for i, r in enumerate(log) if r["event"] == "command"]
    # Between the loss and the resume: no command that fights for the treadmill.
    assert not [op for i, op in commands if lost_at < i < resumed_at and op in FIGHTING]
    # The resume asks for control; the belt is not started by us after the loss (the
    # session is stopped before the resume's countdown ends).
    assert [op for i, op in commands if i > resumed_at][:1] == ["request_control"]
    assert "start" not in [op for i, op in commands if i > lost_at]
    # Our own takeover at the resume makes the treadmill send "control permission lost"
    # (meant for the other app), which reaches every subscribed app, us too, just after
    # our request for control: the coach must not take it as its own loss.
    echoes = [
        r for r in log[resumed_at:] if r["event"] == "safety" and r["action"] == "control_lost"
    ]
    assert echoes == [], "our own takeover's status, meant for the other app, paused us"
