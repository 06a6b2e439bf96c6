"""Widgets of the session screen that paint themselves: the direction band, the workout
timeline and the heart-rate plot."""

from retrocoach.gui.widgets.direction import DirectionIndicator
from retrocoach.gui.widgets.hr_plot import HeartRatePlot
from retrocoach.gui.widgets.timeline import WorkoutTimeline

__all__ = ["DirectionIndicator", "HeartRatePlot", "WorkoutTimeline"]
