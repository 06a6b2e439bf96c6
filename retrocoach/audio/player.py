"""The cue player: the engine's events in, beeps and spoken prompts out, on time.

A `CuePlayer` is an event sink of a station. The station hands it each cue at the
moment the engine's clock reaches it (the runner wakes for the engine's next deadline),
and the player starts it at once: a beep mixes over whatever is said; words go through
the `SpeechQueue`, which a precise timer wakes only when a clip ends or a waiting
prompt may go. A countdown announced by the engine (its phase carries the moment of the
change) is known ahead, so nothing long is begun across its "three, two, one".
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from retrocoach.audio.live_speech import LiveSpeech
from retrocoach.audio.output import MixerOutput, Output, open_output
from retrocoach.audio.sounds import Sound, load_catalogue
from retrocoach.audio.speech_queue import Kind, SpeechQueue, Utterance
from retrocoach.coach.cues import COUNTDOWN_AHEAD_S, COUNTDOWN_TICKS, CueId
from retrocoach.coach.events import Cue, Event, Phase, PhaseChange
from retrocoach.coach.speech import WAV, Beep

log = logging.getLogger(__name__)

# Above this speed-up a simulated session is too fast to follow by ear: it stays silent.
MAX_AUDIBLE_SPEEDUP = 3.0

# Safety first: these go before ordinary prompts and wait longer to be said.
URGENT = frozenset(
    {
        CueId.HR_HIGH,
        CueId.HR_HIGH_AT_MINIMUM,
        CueId.HR_MISSING,
        CueId.ABOVE_CAP,
        CueId.WAITING_FOR_TURN_SPEED,
        CueId.SAFETY_KEY,
        CueId.STOPPED_ON_CONSOLE,
        CueId.BELT_STOPPED,
        CueId.START_FAILED,
        CueId.CONTROL_TAKEN,
        CueId.DEVICE_LOST,
        CueId.PAUSED,
        CueId.EMERGENCY_STOP,
        CueId.SESSION_STOPPED,
    }
)
# After these, what was waiting to be said is out of date.
STOPPING = frozenset(
    {
        CueId.PAUSED,
        CueId.SAFETY_KEY,
        CueId.STOPPED_ON_CONSOLE,
        CueId.BELT_STOPPED,
        CueId.START_FAILED,
        CueId.CONTROL_TAKEN,
        CueId.EMERGENCY_STOP,
        CueId.SESSION_STOPPED,
    }
)
_COUNTDOWN = frozenset(COUNTDOWN_TICKS)


class HasAudioSettings(Protocol):
    @property
    def voice(self) -> bool: ...
    @property
    def beeps(self) -> bool: ...
    @property
    def volume(self) -> int: ...
    @property
    def muted(self) -> bool: ...
    @property
    def speak_notes(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class AudioSettings:
    voice: bool = True  # the spoken prompts
    beeps: bool = True
    volume: int = 80  # 0-100, as heard
    muted: bool = False
    speak_notes: bool = True  # a workout's own notes, by live text-to-speech if any

    @classmethod
    def of(cls, settings: HasAudioSettings) -> AudioSettings:
        """The sound part of the app's settings (`userdata.AppSettings`)."""
        return cls(
            voice=settings.voice,
            beeps=settings.beeps,
            volume=settings.volume,
            muted=settings.muted,
            speak_notes=settings.speak_notes,
        )


class CuePlayer(QObject):
    silent = Signal(str)  # the sound cannot be heard: why (said once)

    def __init__(
        self,
        output: Output,
        sounds: Mapping[str, Sound],
        *,
        settings: AudioSettings = AudioSettings(),
        live: LiveSpeech | None = None,
        clock: Callable[[], float] = time.monotonic,
        problems: list[str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.output = output
        self.sounds = dict(sounds)
        self.live = live
        self.settings = settings
        self._clock = clock
        self.speedup = 1.0
        # The clip lengths from the catalogue itself, not through `self`: a bound method
        # of the player's own would make a cycle only the garbage collector frees, on
        # whatever thread it runs (a recorder's writer), which a QObject cannot bear.
        self.queue = SpeechQueue(functools.partial(_seconds_of, self.sounds))
        self.problems = list(problems or [])  # sound files missing or broken
        self._warned = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # clips chain to the ms
        self._timer.timeout.connect(self._pump)
        if isinstance(output, MixerOutput):
            output.problem_found.connect(self._went_silent)
        if live is not None:
            live.finished.connect(self._live_finished)
        output.set_volume(settings.volume / 100)
        for problem in self.problems:
            log.warning("cue sounds: %s", problem)

    @classmethod
    def for_system(
        cls, settings: AudioSettings = AudioSettings(), *, tts_engine: str | None = None
    ) -> CuePlayer:
        """The player on this computer's audio, silent (with a warning) if it has none."""
        sounds, problems = load_catalogue()
        output = open_output(sounds)
        live = LiveSpeech(tts_engine) if output.problem is None else None
        if live is not None and not live.available:
            live = None
        player = cls(output, sounds, settings=settings, live=live, problems=problems)
        if live is not None:
            live.setParent(player)
        return player

    # ------------------------------------------------------------------ state

    @property
    def problem(self) -> str | None:
        """Why cues cannot be heard, or None."""
        return self.output.problem

    @property
    def audible(self) -> bool:
        return self.output.problem is None and self.speedup <= MAX_AUDIBLE_SPEEDUP

    @property
    def can_speak_notes(self) -> bool:
        return self.live is not None and self.live.available

    def warn_if_silent(self) -> str | None:
        """The one clear warning when nothing can be heard: emitted (and returned) the
        first time only."""
        if self.output.problem is None or self._warned:
            return None
        self._warned = True
        message = f"Cues will not be heard: {self.output.problem}. They are still shown."
        log.warning("%s", message)
        self.silent.emit(message)
        return message

    def apply(self, settings: AudioSettings) -> None:
        before = self.settings
        self.settings = settings
        self.output.set_volume(settings.volume / 100)
        if self.live is not None:
            self.live.set_volume(settings.volume / 100)
        if (before.voice and not settings.voice) or (settings.muted and not before.muted):
            self.queue.clear()  # what waits is not to be said any more
            if self.live is not None:
                self.live.stop()
        if settings.muted and not before.muted:
            self.output.stop()

    def toggle_mute(self) -> bool:
        self.apply(replace(self.settings, muted=not self.settings.muted))
        return self.settings.muted

    def test(self, settings: AudioSettings) -> None:
        """Let the person hear `settings` now (the settings page's Test button): a beep
        and a prompt, whatever the mute says (they asked to hear it)."""
        self.output.set_volume(settings.volume / 100)
        self.output.play(Beep.GO.value)
        self.queue.clear()
        self.queue.add(Utterance("test", ("session_complete",), Kind.URGENT, self._clock()))
        self._pump()
        # Back to the saved volume once heard (the page's value is not saved yet).
        QTimer.singleShot(3000, self, lambda: self.output.set_volume(self.settings.volume / 100))

    def begin(self, speedup: float = 1.0) -> None:
        """A new session: nothing from the last one is still to be said."""
        self.speedup = speedup
        self.stop()

    def stop(self) -> None:
        """Silence now (a session thrown away, the app closing)."""
        self.queue.clear()
        self._timer.stop()
        self.output.stop()
        if self.live is not None:
            self.live.stop()

    # ------------------------------------------------------------ the sink

    def __call__(self, event: Event) -> None:
        if isinstance(event, Cue):
            self._cue(event)
        elif isinstance(event, PhaseChange):
            self._phase(event)

    def _cue(self, cue: Cue) -> None:
        if not self.audible or self.settings.muted:
            return
        now = self._clock()
        cue_id = CueId(cue.id)
        if cue_id in STOPPING:
            self.queue.interrupt()
        if self.settings.beeps and cue.beep is not None:
            self.output.play(_stem(cue.beep))
        if self.settings.voice:
            utterance = self._utterance(cue, cue_id, now)
            if utterance is not None:
                self.queue.add(utterance)
        self._pump()

    def _utterance(self, cue: Cue, cue_id: CueId, now: float) -> Utterance | None:
        kind = (
            Kind.COUNTDOWN
            if cue_id in _COUNTDOWN
            else Kind.URGENT
            if cue_id in URGENT
            else Kind.ORDINARY
        )
        clips = tuple(s for s in map(_stem, cue.speech) if s in self.sounds)
        if clips:
            return Utterance(cue.id, clips, kind, now)
        if cue_id is CueId.NOTE and self.settings.speak_notes and self.can_speak_notes:
            return Utterance(cue.id, (), kind, now, live_text=cue.text)
        return None

    def _phase(self, change: PhaseChange) -> None:
        if change.phase is Phase.COUNTDOWN and change.until is not None:
            now = self._clock()
            ahead = (change.until - change.t) / self.speedup
            self.queue.reserve(now + ahead - s / self.speedup for s in COUNTDOWN_AHEAD_S)
        else:
            self.queue.cancel_countdown()  # the countdown is over, or was called off

    # -------------------------------------------------------------- playing

    def _pump(self) -> None:
        now = self._clock()
        while (start := self.queue.step(now)) is not None:
            if start.clip is not None:
                self.output.play(start.clip)
            elif start.text is not None and not (self.live and self.live.say(start.text)):
                self.queue.live_done(now)
        wake = self.queue.next_wake(now)
        if wake is None:
            self._timer.stop()
        else:
            self._timer.start(max(math.ceil((wake - now) * 1000), 0))

    def _live_finished(self) -> None:
        self.queue.live_done(self._clock())
        self._pump()

    def _went_silent(self, _problem: str) -> None:
        self.queue.clear()
        self._timer.stop()
        self.warn_if_silent()


def _seconds_of(sounds: Mapping[str, Sound], stem: str) -> float:
    sound = sounds.get(stem)
    return sound.seconds if sound is not None else 0.0


def _stem(file_name: str) -> str:
    return file_name.removesuffix(WAV)
