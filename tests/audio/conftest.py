"""Audio tests hear what the app really plays, through a private PulseAudio server.

QtMultimedia connects to PulseAudio once per process, the first time anything uses it
(a QSoundEffect, QMediaDevices...), and keeps that server: the `pulse` fixture must be
set up before that, so every test here that makes or checks sound requests it (first
among its fixtures), and nothing in the process may touch QtMultimedia earlier.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pulse import PulseLoopback


@pytest.fixture(scope="session")
def pulse() -> Iterator[PulseLoopback]:
    """A private pulseaudio with the null sink `cue`, PULSE_SERVER pointing at it for
    the session (restored afterwards)."""
    with PulseLoopback() as loopback:
        saved = {name: os.environ.get(name) for name in loopback.env()}
        os.environ.update(loopback.env())
        try:
            yield loopback
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
