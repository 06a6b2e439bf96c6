"""The workout timeline: bars as long as the plan, backward told apart by a pattern, and a
marker that follows the session."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot
from support import run_until, start_session, step, workout

from retrocoach.gui.palette import palette_for
from retrocoach.gui.widgets.timeline import WorkoutTimeline
from retrocoach.workouts.profile import RunnerProfile

BACK_THEN_FORTH = workout(
    step("backward", "walk", seconds=60), step("forward", "run", seconds=120, kmh=9.0)
)


@pytest.fixture
def timeline(qtbot: QtBot) -> WorkoutTimeline:
    widget = WorkoutTimeline(palette=palette_for("dark"))
    qtbot.addWidget(widget)
    widget.resize(900, 60)
    return widget


def plan(timeline: WorkoutTimeline) -> None:
    session = start_session(BACK_THEN_FORTH, start=False)
    engine = session.station.engine
    timeline.set_plan(engine.segments, RunnerProfile(), engine.limits)


def test_bars_are_as_long_as_planned_with_the_turn_around_between(
    timeline: WorkoutTimeline,
) -> None:
    plan(timeline)
    back, forth = timeline.spans
    assert back.duration_s == pytest.approx(60)
    assert forth.duration_s == pytest.approx(120)
    assert forth.start_s > back.end_s + 4  # the turn-around's time (5 s hold and more)
    assert timeline.total_s == pytest.approx(forth.end_s)


def colours_along(image: QImage, x0: int, x1: int, y: int) -> set[str]:
    return {QColor(image.pixel(x, y)).name() for x in range(x0, x1)}


def test_backward_is_hatched_and_forward_plain(timeline: WorkoutTimeline) -> None:
    plan(timeline)
    timeline.set_position(0.0)
    image = timeline.grab().toImage()
    p = palette_for("dark")
    back, forth = timeline.spans
    y = image.height() - 8  # inside both bars, near their base
    back_colours = colours_along(
        image, int(timeline.x_of(back.start_s)) + 3, int(timeline.x_of(back.end_s)) - 3, y
    )
    forth_colours = colours_along(
        image, int(timeline.x_of(forth.start_s)) + 3, int(timeline.x_of(forth.end_s)) - 3, y
    )
    assert p.backward.lower() in back_colours and p.hatch.lower() in back_colours
    assert forth_colours == {p.forward.lower()}


def test_the_marker_moves_along_and_dims_what_is_done(timeline: WorkoutTimeline) -> None:
    session = start_session(BACK_THEN_FORTH, profile=RunnerProfile())
    engine = session.station.engine
    timeline.set_plan(engine.segments, RunnerProfile(), engine.limits)
    run_until(session, 20.0)
    timeline.follow(engine.snapshot(20.0))
    early = timeline.marker_x()
    run_until(session, 40.0)
    timeline.follow(engine.snapshot(40.0))
    later = timeline.marker_x()
    back = timeline.spans[0]
    assert timeline.x_of(back.start_s) < early < later < timeline.x_of(back.end_s)

    image = timeline.grab().toImage()
    y = image.height() - 8
    done = QColor(image.pixel(int(early) - 10, y)).name()
    to_do = QColor(image.pixel(int(later) + 10, y)).name()
    assert done != to_do  # the part already run is veiled


def test_the_marker_stays_inside_the_segment_being_run(timeline: WorkoutTimeline) -> None:
    session = start_session(BACK_THEN_FORTH, profile=RunnerProfile())
    engine = session.station.engine
    timeline.set_plan(engine.segments, RunnerProfile(), engine.limits)
    forth = timeline.spans[1]
    for when in range(10, 200, 10):
        run_until(session, float(when))
        snap = engine.snapshot(float(when))
        timeline.follow(snap)
        if snap.segment_active and snap.segment is not None:
            span = timeline.spans[snap.segment.index]
            assert span.start_s <= timeline.position_s <= span.end_s + 1e-6
    assert timeline.position_s > forth.start_s
