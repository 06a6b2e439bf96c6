"""Where sounds go: the system's audio through QtMultimedia, or nowhere (silent).

`MixerOutput` keeps every cue sound in memory and plays them through one QAudioSink
stream, mixing them itself, so a beep sounds over speech. Why not one QSoundEffect per
sound: with Qt 6.10.3 and 6.11.3 on PulseAudio, two QSoundEffects playing at once hang
the whole event loop ("QSocketNotifier: Invalid socket", 100 % CPU), which a beep over
a word does every countdown; one stream of our own never does. When there is no audio
device, no sound server or no QtMultimedia at all, the app goes on silently and
`problem` says why, once.
"""

from __future__ import annotations

import logging
import wave
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from retrocoach.audio.sounds import RATE, Sound

if TYPE_CHECKING:  # numpy loads with the mixer, not with the app's first window
    import numpy as np

log = logging.getLogger(__name__)


class Output(Protocol):
    problem: str | None  # why nothing is heard, or None

    def play(self, stem: str) -> None: ...
    def set_volume(self, volume: float) -> None: ...  # 0.0-1.0, as heard
    def stop(self) -> None: ...


class SilentOutput:
    """Plays nothing; `problem` says why (None: silent by choice, as for screenshots)."""

    def __init__(self, problem: str | None) -> None:
        self.problem = problem

    def play(self, stem: str) -> None:
        pass

    def set_volume(self, volume: float) -> None:
        pass

    def stop(self) -> None:
        pass


def open_output(sounds: Mapping[str, Sound]) -> Output:
    """The system's audio if there is any, else a silent output saying why."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as exc:  # e.g. Linux without libpulse0
        return SilentOutput(f"QtMultimedia cannot be loaded ({exc})")
    if not QMediaDevices.audioOutputs():
        return SilentOutput("no audio output device (or no sound server) was found")
    return MixerOutput(sounds)


class MixerOutput(QObject):
    """One audio stream, fed a few tens of milliseconds ahead while anything plays and
    left idle otherwise (so a cue on a quiet stream starts at once)."""

    problem_found = Signal(str)

    LEAD_S = 0.03  # mixed audio kept queued while playing: a new sound waits at most this
    FEED_MS = 10

    def __init__(self, sounds: Mapping[str, Sound], parent: QObject | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices, QtAudio

        self.problem: str | None = None
        self._pcm = {stem: _samples(sound) for stem, sound in sounds.items()}
        self._voices: list[tuple[np.ndarray, int]] = []  # (samples, next index)
        self._start_pending = False
        fmt = QAudioFormat()
        fmt.setSampleRate(RATE)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        self._sink = QAudioSink(QMediaDevices.defaultAudioOutput(), fmt, self)
        self._sink.setBufferSize(int(RATE * 2 * 2 * self.LEAD_S))
        self._io = self._sink.start()  # push mode: we write when we have something
        if self._sink.error() is not QtAudio.Error.NoError:
            self.problem = f"the audio device would not open a stream ({self._sink.error().name})"
            log.warning("no sound: %s", self.problem)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._feed)

    def play(self, stem: str) -> None:
        samples = self._pcm.get(stem)
        if samples is None or self.problem is not None:
            return
        self._voices.append((samples, 0))
        if not self._start_pending:
            # Fed once this turn of the event loop is over: sounds started together (a
            # beep and its word) go out in the same first write, both on time.
            self._start_pending = True
            QTimer.singleShot(0, self, self._start_feeding)

    def _start_feeding(self) -> None:
        self._start_pending = False
        self._feed()
        if self._voices and not self._timer.isActive():
            self._timer.start(self.FEED_MS)

    def set_volume(self, volume: float) -> None:
        from PySide6.QtMultimedia import QtAudio

        # The slider is as heard; the stream takes a linear amplitude.
        self._sink.setVolume(
            QtAudio.convertVolume(
                max(0.0, min(volume, 1.0)),
                QtAudio.VolumeScale.LogarithmicVolumeScale,
                QtAudio.VolumeScale.LinearVolumeScale,
            )
        )

    def stop(self) -> None:
        self._voices.clear()
        self._timer.stop()

    @property
    def playing(self) -> bool:
        return bool(self._voices)

    def _feed(self) -> None:
        # (stateChanged would say it sooner, but PySide6 cannot pass its QAudio::State.)
        if self._failed():
            return
        queued = self._sink.bufferSize() - self._sink.bytesFree()
        want = (int(RATE * self.LEAD_S) * 2 - queued) // 2
        if want <= 0:
            return
        if not self._voices:
            self._timer.stop()  # nothing left: let the stream run dry and wait
            return
        self._io.write(self._mix(min(want, self._sink.bytesFree() // 2)).tobytes())

    def _mix(self, count: int) -> np.ndarray:
        import numpy as np

        out = np.zeros(count, dtype=np.int32)
        still: list[tuple[np.ndarray, int]] = []
        for samples, at in self._voices:
            chunk = samples[at : at + count]
            out[: len(chunk)] += chunk
            if at + count < len(samples):
                still.append((samples, at + count))
        self._voices = still
        return np.clip(out, -32768, 32767).astype(np.int16)

    def _failed(self) -> bool:
        from PySide6.QtMultimedia import QtAudio

        error = self._sink.error()
        if error not in (QtAudio.Error.OpenError, QtAudio.Error.FatalError):
            return False
        if self.problem is None:
            self.problem = f"the audio device stopped playing ({error.name})"
            log.warning("no sound: %s", self.problem)
            self.stop()
            self.problem_found.emit(self.problem)
        return True


def _samples(sound: Sound) -> np.ndarray:
    import numpy as np

    with wave.open(str(sound.path), "rb") as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
