"""Gym mode's guided session: several simulated stations, one workout, one clock, one
coach. What a coach and the members would notice: everyone runs to the end at their own
speeds, a stop reaches every belt, one station's trouble stays at that station, each
member's session is kept and exported on its own, and the room hears a change once."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path
from typing import Any

import pytest
from gym_driver import GUIDED, MEMBERS, Room, simulated_hub
from pytestqt.qtbot import QtBot

from retrocoach.coach.audit import audit
from retrocoach.coach.engine import EngineState
from retrocoach.devices.memory import DeviceMemory
from retrocoach.gui.device_hub import DeviceHub
from retrocoach.gui.gym_session import GymError, GymMember, GymSession, export_file_name
from retrocoach.gui.history_page import COLUMN, HistoryPage
from retrocoach.record.store import SessionStore


@pytest.fixture
def room(tmp_path: Path, qtbot: QtBot) -> Any:
    made = Room(tmp_path)
    yield made
    made.close()


def segment_starts(room: Room, number: int) -> list[tuple[int, str, float]]:
    return [
        (int(r["index"]), str(r["direction"]), float(r["target_speed_kmh"]))  # type: ignore[arg-type]
        for r in room.records(number, "segment_start")
    ]


def test_three_stations_run_one_guided_session_to_the_end(room: Room, tmp_path: Path) -> None:
    room.session.start_all()
    room.advance_until(lambda: room.session.finished, limit_s=400)

    for station in room.session.stations:
        assert station.end is not None and station.end.reason == "completed", station.name
        events = [e.record() for e in room.events[station.number]]
        limits = station.runner.station.engine.limits
        assert audit(events, speed_min_kmh=limits.speed_min_kmh) == [], station.name
        assert [d for _, d, _ in segment_starts(room, station.number)] == [
            "backward",
            "forward",
            "backward",
        ]
    # Each member at their own speeds and caps: the forward run is each one's run pace.
    forward = {s.name: segment_starts(room, s.number)[1][2] for s in room.session.stations}
    assert forward == {"Anna": 8.0, "Ben": 11.0, "Chloé": 9.5}
    back_run = {s.name: segment_starts(room, s.number)[2][2] for s in room.session.stations}
    for profile in MEMBERS:
        assert back_run[profile.name] <= profile.backward_max_kmh

    # Each member's session kept on its own, under their name.
    with SessionStore(room.store_path) as store:
        kept = store.list_sessions()
    assert sorted(s.runner for s in kept) == ["Anna", "Ben", "Chloé"]
    assert all(s.workout_name == "guided" and s.end_reason == "completed" for s in kept)
    assert all(station.saved for station in room.session.stations)
    history = HistoryPage(room.store_path)
    history.refresh()
    assert not history.table.isColumnHidden(COLUMN["runner"])
    assert sorted(history.row_texts(r)["runner"] for r in range(3)) == ["Anna", "Ben", "Chloé"]
    history.close_store()

    # ...and exported on its own: one file per member, each with their own belt speeds.
    folder = tmp_path / "exports"
    folder.mkdir()
    written = room.session.export_all(folder, ".csv")
    assert len(written) == 3 and all(p.exists() for p in written)
    fastest = {}
    for path in written:
        assert path.name.endswith(".csv") and GUIDED.title in path.name
        with path.open(encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        speeds = [float(r["speed_kmh"]) for r in rows if r.get("speed_kmh")]
        fastest[path.stem.rsplit(" - ", 1)[1]] = max(speeds)
    assert fastest["Ben"] > fastest["Chloé"] > fastest["Anna"]


def test_the_room_hears_each_turn_around_once(room: Room) -> None:
    room.session.start_all()
    room.advance_until(lambda: room.session.finished, limit_s=400)

    turns_per_station = [
        sum(1 for r in room.records(s.number, "cue") if r["id"] == "turn_around")
        for s in room.session.stations
    ]
    assert turns_per_station == [2, 2, 2]
    assert room.output.stems().count("turn_around") == 2
    # Every countdown's "go" once for the room, not once per belt.
    gos = [
        sum(1 for r in room.records(s.number, "cue") if r["id"] == "countdown_1")
        for s in room.session.stations
    ]
    assert gos[0] == gos[1] == gos[2] > 0
    assert room.output.stems().count("beep_go") == gos[0]
    # No member's speed is spoken to the room: only the words everyone shares.
    assert "at" not in room.output.stems() and "point" not in room.output.stems()


def test_the_room_turns_together_whatever_each_members_speed(room: Room) -> None:
    # Each belt slows from its member's own speed, so each reaches turn speed at its own
    # moment; the room waits at turn speed for the last one, then all turn at once.
    room.session.start_all()
    room.advance_until(lambda: room.session.finished, limit_s=400)
    slowed = [
        [float(r["t"]) for r in room.records(s.number, "phase") if r["phase"] == "slow_down"]  # type: ignore[arg-type]
        for s in room.session.stations
    ]
    turned = [
        [float(r["t"]) for r in room.records(s.number, "phase") if r["phase"] == "turn"]  # type: ignore[arg-type]
        for s in room.session.stations
    ]
    assert all(len(t) == 2 for t in turned)
    for moment in zip(*turned, strict=True):
        assert max(moment) - min(moment) <= 0.3, moment
    # ...and the segments after each turn start together too: the room stays in step.
    starts = [[t for _, t in _starts_at(room, s.number)] for s in room.session.stations]
    for moment in zip(*starts, strict=True):
        assert max(moment) - min(moment) <= 0.6, moment
    assert slowed  # the slow-downs themselves were each station's own


def _starts_at(room: Room, number: int) -> list[tuple[int, float]]:
    return [(int(r["index"]), float(r["t"])) for r in room.records(number, "segment_start")]  # type: ignore[arg-type]


def test_an_emergency_stop_reaches_every_belt(room: Room) -> None:
    room.session.start_all()
    room.advance(70)  # into the forward run: every belt moving
    assert all(room.treadmill(n).belt_speed_kmh > 5 for n in (1, 2, 3))

    room.session.emergency_stop_all()
    for n in (1, 2, 3):
        stops = [r for r in room.records(n, "command") if r["op"] == "stop"]
        assert stops, f"station {n} sent no stop"
    room.advance(10)
    for station in room.session.stations:
        assert room.treadmill(station.number).belt_speed_kmh == 0.0
        assert station.end is not None and station.end.reason == "emergency_stop"


def test_an_emergency_stop_that_fails_at_one_station_still_stops_the_others(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    room.session.start_all()
    room.advance(70)
    broken = room.session.station(1).runner

    def fails() -> None:
        raise RuntimeError("station 1's runner is broken")

    monkeypatch.setattr(broken, "emergency_stop", fails)
    room.session.emergency_stop_all()
    room.advance(10)
    assert room.treadmill(2).belt_speed_kmh == 0.0
    assert room.treadmill(3).belt_speed_kmh == 0.0


def test_the_coach_acts_on_one_station_or_on_all(room: Room) -> None:
    room.session.start(2)
    room.advance(15)
    states = [s.state for s in room.session.stations]
    assert states[0] is EngineState.IDLE and states[2] is EngineState.IDLE
    assert states[1] is EngineState.RUNNING

    room.session.start_all()  # the others now; station 2 goes on as it was
    room.advance(15)
    assert all(s.state is EngineState.RUNNING for s in room.session.stations)

    room.session.pause(3)
    room.advance(5)
    assert room.session.station(3).state is EngineState.PAUSED
    assert room.treadmill(3).belt_speed_kmh == 0.0
    assert room.treadmill(1).belt_speed_kmh > 0.0

    room.session.pause_all()
    room.advance(5)
    assert all(s.state is EngineState.PAUSED for s in room.session.stations)
    room.session.resume_all()
    room.advance(10)
    assert all(s.state is EngineState.RUNNING for s in room.session.stations)

    room.session.emergency_stop(1)
    room.advance(5)
    assert room.session.station(1).end is not None
    assert room.treadmill(1).belt_speed_kmh == 0.0
    assert room.session.station(2).state is EngineState.RUNNING


def _timeline(room: Room, number: int) -> list[tuple[str, int, float]]:
    return [
        (str(r["event"]), int(r["index"]), round(float(r["t"]), 3))  # type: ignore[arg-type]
        for r in (e.record() for e in room.events[number])
        if r["event"] in ("segment_start", "segment_end")
    ]


def test_one_stations_link_loss_does_not_disturb_the_others(tmp_path: Path, qtbot: QtBot) -> None:
    calm = Room(tmp_path / "calm")
    calm.session.start_all()
    calm.advance_until(lambda: calm.session.finished, limit_s=400)
    expected = {n: _timeline(calm, n) for n in (1, 3)}
    calm.close()

    room = Room(tmp_path / "troubled")
    try:
        room.session.start_all()
        room.advance(20)
        room.treadmill(2).drop_link(room.clock.now())
        room.advance(3)
        lost = room.session.station(2).device_problem()
        assert "Treadmill" in lost and "reconnecting" in lost
        assert room.session.station(1).device_problem() == ""
        assert room.session.station(3).device_problem() == ""
        room.advance(10)
        room.treadmill(2).restore_link(room.clock.now())
        room.advance(2)
        assert room.session.station(2).device_problem() == ""
        room.advance_until(lambda: room.session.finished, limit_s=400)

        # The others ran exactly as they would have without the loss.
        for n in (1, 3):
            assert _timeline(room, n) == expected[n]
            times = [float(r["t"]) for r in room.records(n, "sample")]  # type: ignore[arg-type]
            assert all(b - a <= 1.0 + 1e-6 for a, b in itertools.pairwise(times))
        assert any(
            r["role"] == "treadmill" and r["state"] == "lost" for r in room.records(2, "device")
        )
        assert room.session.station(2).end is not None
    finally:
        room.close()


def test_a_station_without_a_treadmill_keeps_the_room_closed(tmp_path: Path, qtbot: QtBot) -> None:
    ready = simulated_hub(tmp_path, 1)
    empty = DeviceHub(DeviceMemory(tmp_path / "station-2.toml"))
    try:
        with pytest.raises(GymError) as raised:
            GymSession(
                GUIDED,
                [GymMember(1, MEMBERS[0], ready), GymMember(2, MEMBERS[1], empty)],
                store_path=None,
            )
        assert raised.value.problems == ["Station 2 (Ben): its treadmill is not connected yet"]
    finally:
        ready.close()
        empty.close()


def test_export_file_names_sort_by_date_and_are_safe() -> None:
    import datetime

    when = datetime.datetime(2026, 11, 21, 17, 30, tzinfo=datetime.UTC)
    name = export_file_name(when, "Backward hills: 6×", 'Zoë "Z" / B.')
    assert name.startswith(when.astimezone().strftime("%Y-%m-%d %H-%M"))
    assert "/" not in name and ":" not in name and '"' not in name
    assert name.endswith("Zoë -Z- - B")
