"""Live text-to-speech (QtTextToSpeech) for the words a person wrote into a workout
(step notes), which no recording can say. Optional: used only when the system has a
speech engine that starts; the recorded prompts stay the voice of every other cue.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

TEST_ENGINE = "mock"  # Qt's stand-in engine: never the person's voice


class LiveSpeech(QObject):
    finished = Signal()  # what `say` began is over (said, or failed)

    def __init__(self, engine: str | None = None, parent: QObject | None = None) -> None:
        """`engine`: a QtTextToSpeech engine by name; None takes the system's first real
        one. `available` says whether one started."""
        super().__init__(parent)
        self.problem: str | None = None
        self._speaking = False
        self._tts = None
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech
        except ImportError as exc:
            self.problem = f"QtTextToSpeech cannot be loaded ({exc})"
            return
        names = (
            [engine]
            if engine
            else [n for n in QTextToSpeech.availableEngines() if n != TEST_ENGINE]
        )
        for name in names:
            tts = QTextToSpeech(name, self)
            if tts.state() is not QTextToSpeech.State.Error:
                tts.stateChanged.connect(self._state)
                self._tts = tts
                return
            log.info("text-to-speech engine %s: %s", name, tts.errorString())
            tts.deleteLater()
        self.problem = "no text-to-speech engine on this system"

    @property
    def available(self) -> bool:
        return self._tts is not None

    def say(self, text: str) -> bool:
        """Start saying `text`; False (and no `finished`) when it cannot."""
        if self._tts is None:
            return False
        self._speaking = True
        self._tts.say(text)
        return True

    def set_volume(self, volume: float) -> None:
        if self._tts is not None:
            self._tts.setVolume(max(0.0, min(volume, 1.0)))

    def stop(self) -> None:
        if self._tts is not None and self._speaking:
            self._tts.stop()

    def _state(self, state: object) -> None:
        from PySide6.QtTextToSpeech import QTextToSpeech

        if self._speaking and state in (QTextToSpeech.State.Ready, QTextToSpeech.State.Error):
            self._speaking = False
            self.finished.emit()
