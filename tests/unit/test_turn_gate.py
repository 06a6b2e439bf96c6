"""The turn gate (gym mode): a station at turn speed before a turn-around holds there
until the gate lets it turn, so a room of stations turns together. Holding is safe (the
belt stays at turn speed); the turn itself keeps every rule."""

from __future__ import annotations

from support import run_until, start_session, step, workout

from retrocoach.coach.events import Phase

TWO_WAYS = workout(
    step("backward", "walk", seconds=30),
    step("forward", "walk", seconds=30),
)


def test_a_closed_gate_holds_the_belt_at_turn_speed_until_it_opens() -> None:
    open_at = 120.0
    asked: list[tuple[int, float]] = []

    def gate(into: int, t: float) -> bool:
        asked.append((into, t))
        return t >= open_at

    session = start_session(TWO_WAYS)
    session.station.engine.turn_gate = gate
    run_until(session, open_at - 1)
    engine = session.station.engine
    assert engine.phase is Phase.SLOW_DOWN and engine.waiting_at_gate
    assert session.treadmill.belt_speed_kmh <= engine.turn_kmh + 0.05
    assert not session.of("cue", id="turn_around")
    # Held, not nagged: the runner is already at turn speed.
    assert not session.of("cue", id="waiting_for_turn_speed")
    assert {into for into, _ in asked} == {1}

    run_until(session)
    turns = session.of("phase", phase="turn")
    assert len(turns) == 1 and open_at <= turns[0]["t"] <= open_at + 0.25 + 1e-6
    assert session.violations() == []
    assert session.of("session_end")[0]["reason"] == "completed"


def test_an_open_gate_changes_nothing() -> None:
    plain = start_session(TWO_WAYS)
    run_until(plain)
    gated = start_session(TWO_WAYS)
    gated.station.engine.turn_gate = lambda _into, _t: True
    run_until(gated)
    assert gated.records == plain.records


def test_a_pause_while_held_leaves_the_gate_behind() -> None:
    session = start_session(TWO_WAYS)
    session.station.engine.turn_gate = lambda _into, t: t >= 200
    run_until(session, 60)
    engine = session.station.engine
    assert engine.waiting_at_gate
    session.station.pause(60)
    assert not engine.waiting_at_gate
    session.station.engine.turn_gate = None
    session.station.resume(70)
    run_until(session)
    assert session.violations() == []
    assert session.of("session_end")[0]["reason"] == "completed"
