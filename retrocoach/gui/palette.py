"""The colours that painted widgets (direction band, timeline, heart-rate plot) use.

QSS styles ordinary widgets; what a widget paints itself cannot read QSS, so its
colours live here, one palette per theme. Direction colours are Okabe–Ito (distinct for
the common kinds of colour blindness) and never carry meaning alone: the word, the arrow
and a hatch pattern do too.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor

# Okabe–Ito, as in ui/themes/*.qss.
VERMILLION = "#D55E00"
BLUE = "#0072B2"
YELLOW = "#F0E442"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
ORANGE = "#E69F00"
REDDISH_PURPLE = "#CC79A7"


@dataclass(frozen=True)
class Palette:
    theme: str
    background: str
    text: str
    muted: str  # secondary text, the done part of the timeline
    grid: str
    backward: str
    forward: str
    turn: str
    # Text drawn on a band of the direction colours: chosen for contrast with each.
    on_backward: str
    on_forward: str
    on_turn: str
    hatch: str  # the stripes over backward areas (a pattern, not only a colour)
    idle: str  # the band when nothing runs (before the start, after the end)
    ceiling: str
    heart_rate: str  # the heart-rate line
    zones: tuple[str, str, str, str, str]  # zones 1..5

    def color(self, name: str, alpha: int = 255) -> QColor:
        """One of the named colours as a QColor, optionally translucent."""
        value = QColor(getattr(self, name))
        value.setAlpha(alpha)
        return value

    def zone_color(self, number: int, alpha: int = 255) -> QColor:
        """Zone 1..5 (0, below zone 1, has no colour of its own: the muted one)."""
        value = QColor(self.zones[number - 1] if 1 <= number <= 5 else self.muted)
        value.setAlpha(alpha)
        return value


ZONES = (SKY_BLUE, BLUISH_GREEN, YELLOW, ORANGE, REDDISH_PURPLE)

DARK = Palette(
    theme="dark",
    background="#111418",
    text="#F2F2F2",
    muted="#8A96A3",
    grid="#3A414A",
    backward=VERMILLION,
    forward=BLUE,
    turn=YELLOW,
    on_backward="#FFFFFF",
    on_forward="#FFFFFF",
    on_turn="#111111",
    hatch="#9A4200",
    idle="#3A414A",
    ceiling="#FF4D4D",
    heart_rate="#F2F2F2",
    zones=ZONES,
)

LIGHT = Palette(
    theme="light",
    background="#FAFAF7",
    text="#111111",
    muted="#6B6B66",
    grid="#C8C8C2",
    backward=VERMILLION,
    forward=BLUE,
    turn=YELLOW,
    on_backward="#FFFFFF",
    on_forward="#FFFFFF",
    on_turn="#111111",
    hatch="#9A4200",
    idle="#B8B8B2",
    ceiling="#B00020",
    heart_rate="#111111",
    zones=ZONES,
)

PALETTES = {"dark": DARK, "light": LIGHT}


def palette_for(theme: str) -> Palette:
    """The palette of a theme by name; the dark one for a name it does not know."""
    return PALETTES.get(theme, DARK)
