"""The heart-rate plot: its window, its cost over a long session, gaps and shading."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from retrocoach.gui.widgets.hr_plot import HeartRatePlot
from retrocoach.workouts.profile import RunnerProfile

THREE_HOURS = 3 * 60 * 60


@pytest.fixture
def plot(qtbot: QtBot) -> HeartRatePlot:
    widget = HeartRatePlot()
    qtbot.addWidget(widget)
    widget.set_profile(RunnerProfile())
    widget.resize(1000, 260)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def fill(plot: HeartRatePlot, seconds: int, direction: str = "forward") -> None:
    for t in range(seconds):
        plot.add_sample(t, 120 + int(20 * math.sin(t / 90)), direction)


def test_last_ten_minutes_by_default_and_one_click_for_the_whole_session(
    plot: HeartRatePlot, qtbot: QtBot
) -> None:
    fill(plot, 30 * 60)
    plot.flush()
    low, high = plot.x_range()
    assert high == pytest.approx(30, abs=0.05)
    assert low == pytest.approx(20, abs=0.05)
    assert plot.toggle.text() == "Show whole session"

    qtbot.mouseClick(plot.toggle, Qt.MouseButton.LeftButton)
    assert plot.whole_session
    assert plot.x_range()[0] == pytest.approx(0, abs=0.05)
    assert plot.x_range()[1] == pytest.approx(30, abs=0.05)
    assert plot.toggle.text() == "Show last 10 min"

    plot.toggle_window()
    assert plot.x_range()[0] == pytest.approx(20, abs=0.05)


def test_a_three_hour_session_draws_a_bounded_number_of_points(plot: HeartRatePlot) -> None:
    fill(plot, THREE_HOURS)
    plot.set_whole_session(True)
    plot.flush()
    assert plot.sample_count == THREE_HOURS
    whole = plot.displayed_points()
    assert 0 < whole < THREE_HOURS / 4  # peak downsampling to the plot's width
    plot.set_whole_session(False)
    plot.flush()
    plot.add_sample(THREE_HOURS, 130, "forward")
    plot.flush()
    recent = plot.displayed_points()
    assert 0 < recent <= 10 * 60 + 10  # only the last ten minutes (and their edges)


def test_samples_are_drawn_by_the_throttle_timer_not_one_by_one(
    plot: HeartRatePlot, qtbot: QtBot
) -> None:
    fill(plot, 120)
    assert plot.displayed_points() == 0  # nothing redrawn per sample
    qtbot.waitUntil(lambda: plot.displayed_points() > 0, timeout=2000)


def test_a_missing_heart_rate_breaks_the_line(plot: HeartRatePlot) -> None:
    for t in range(60):
        plot.add_sample(t, None if 20 <= t < 30 else 110, "forward")
    plot.flush()
    _, y = plot.curve.getData()
    assert y is not None
    assert np.isnan(y).sum() == 10
    assert plot.curve.opts["connect"] == "finite"


def test_backward_stretches_are_shaded(plot: HeartRatePlot) -> None:
    fill(plot, 60, "backward")
    for t in range(60, 120):
        plot.add_sample(t, 120, "forward")
    for t in range(120, 180):
        plot.add_sample(t, 125, "backward")
    plot.flush()
    spans = plot.backward_spans()
    assert len(spans) == 2
    assert spans[0][0] == pytest.approx(0.0)
    assert spans[0][1] == pytest.approx(1.0, abs=0.02)
    assert spans[1][0] == pytest.approx(2.0, abs=0.02)


def test_ceiling_line_at_the_runners_ceiling(plot: HeartRatePlot) -> None:
    plot.set_profile(RunnerProfile(hr_ceiling=168))
    assert plot.ceiling_line.value() == 168


def test_reset_empties_the_plot(plot: HeartRatePlot) -> None:
    fill(plot, 300, "backward")
    plot.flush()
    plot.reset()
    assert plot.sample_count == 0
    assert plot.displayed_points() == 0
    assert plot.backward_spans() == []
