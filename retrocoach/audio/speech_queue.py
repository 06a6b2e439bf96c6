"""The speech channel's plan: which clip starts when, so prompts never overlap or cut
each other and a countdown's words land on their second.

Pure logic on plain seconds (the player's monotonic clock), no Qt, so every rule is
tested in microseconds:

- One clip at a time. An utterance (a cue's clips) once begun is said to its end.
- A countdown word ("three", "two", "one") goes before anything waiting. Said late it
  would mislead, so one that cannot start within `countdown_late_s` is dropped (its beep,
  mixed over speech, has sounded and the screen shows it).
- While a countdown runs, an ordinary prompt starts only if it ends before the next
  countdown word; otherwise it waits until after "one".
- Urgent prompts (safety) go before ordinary ones. A stop or pause empties what is
  waiting: "halfway" after a stop would be wrong.
- A prompt that waited too long is dropped rather than said out of time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum


class Kind(IntEnum):
    """Who goes first when the channel frees: the higher value."""

    ORDINARY = 0
    URGENT = 1
    COUNTDOWN = 2


@dataclass(slots=True)
class Utterance:
    cue: str  # the cue id, for logs and tests
    clips: tuple[str, ...]  # clip stems, said one after another
    kind: Kind
    arrived: float  # when the cue came (seconds)
    live_text: str | None = None  # no clips: words for live text-to-speech


@dataclass(frozen=True, slots=True)
class Start:
    """Start this now: a recorded clip, or (`clip` None) live speech of `text`."""

    clip: str | None
    text: str | None
    cue: str
    at: float


class SpeechQueue:
    def __init__(
        self,
        duration: Callable[[str], float],
        *,
        word_gap_s: float = 0.04,
        utterance_gap_s: float = 0.2,
        countdown_late_s: float = 0.25,
        stale_s: float = 4.0,
        urgent_stale_s: float = 20.0,
        live_limit_s: float = 30.0,
    ) -> None:
        self._duration = duration
        self.word_gap_s = word_gap_s
        self.utterance_gap_s = utterance_gap_s
        self.countdown_late_s = countdown_late_s
        self.stale_s = stale_s
        self.urgent_stale_s = urgent_stale_s
        self.live_limit_s = live_limit_s
        self._waiting: list[Utterance] = []
        self._current: Utterance | None = None
        self._next_clip = 0
        self._busy_until = float("-inf")
        self._live = False
        self._reserved: list[float] = []  # countdown words to come
        self.dropped: list[tuple[str, str]] = []  # (cue, why): what was never said

    # ------------------------------------------------------------------ input

    def add(self, utterance: Utterance) -> None:
        if utterance.kind is Kind.COUNTDOWN:
            # This word fills its slot: the slot no longer holds anything back.
            self._reserved = [t for t in self._reserved if t > utterance.arrived + 0.3]
        if utterance.kind is Kind.ORDINARY:
            # A newer word from the same cue says it better ("slow down" reminders).
            for old in [w for w in self._waiting if w.cue == utterance.cue]:
                self._drop(old, "replaced by a newer one")
        self._waiting.append(utterance)

    def reserve(self, times: Iterable[float]) -> None:
        """A countdown is running: its words will be due at `times`."""
        self._reserved = sorted(set(self._reserved) | set(times))

    def cancel_countdown(self) -> None:
        self._reserved.clear()

    def interrupt(self) -> None:
        """A stop or a pause: what waits is out of date, and so is any countdown."""
        self._reserved.clear()
        for old in list(self._waiting):
            self._drop(old, "out of date after a stop")

    def live_done(self, now: float) -> None:
        """Live speech finished (or failed)."""
        if self._live:
            self._live = False
            self._busy_until = now + self.utterance_gap_s

    def clear(self) -> None:
        self._waiting.clear()
        self._reserved.clear()
        self._current = None
        self._live = False
        self._busy_until = float("-inf")

    # ----------------------------------------------------------------- output

    @property
    def busy(self) -> bool:
        return self._live or self._current is not None

    def step(self, now: float) -> Start | None:
        """What to start now, if anything; call again at `next_wake()`."""
        if self._live and now >= self._busy_until:
            self._live = False  # live speech that never said it was done: go on without it
        if self._live or now < self._busy_until:
            return None
        current = self._current
        if current is not None and self._next_clip < len(current.clips):
            return self._say_clip(current, now)
        self._current = None
        chosen = self._choose(now)
        if chosen is None:
            return None
        self._waiting.remove(chosen)
        self._current = chosen
        self._next_clip = 0
        if chosen.live_text is not None:
            self._live = True
            self._busy_until = now + self.live_limit_s
            return Start(None, chosen.live_text, chosen.cue, now)
        return self._say_clip(chosen, now)

    def next_wake(self, now: float) -> float | None:
        """When `step` may have something to start (None: only new input can)."""
        if self._live:
            return self._busy_until  # live speech that never says it is done
        if self._current is not None or now < self._busy_until:
            return max(self._busy_until, now)
        if not self._waiting:
            return None
        held = self._held_until(now)
        return now if held is None else held

    # -------------------------------------------------------------- internals

    def _say_clip(self, utterance: Utterance, now: float) -> Start:
        clip = utterance.clips[self._next_clip]
        self._next_clip += 1
        last = self._next_clip >= len(utterance.clips)
        gap = self.utterance_gap_s if last else self.word_gap_s
        self._busy_until = now + self._duration(clip) + gap
        if last:
            self._current = None
        return Start(clip, None, utterance.cue, now)

    def _choose(self, now: float) -> Utterance | None:
        patience = {
            Kind.COUNTDOWN: self.countdown_late_s,
            Kind.URGENT: self.urgent_stale_s,
            Kind.ORDINARY: self.stale_s,
        }
        for waiting in list(self._waiting):
            late = now - waiting.arrived
            if late > patience[waiting.kind]:
                self._drop(waiting, f"{late:.2f} s late")
        ready = [w for w in self._waiting if w.kind is not Kind.ORDINARY or self._fits(w, now)]
        if not ready:
            return None
        return max(ready, key=lambda w: (w.kind, -w.arrived))

    def _fits(self, utterance: Utterance, now: float) -> bool:
        """An ordinary prompt, and the pause after it, end before the next countdown word
        is due."""
        upcoming = self._upcoming(now)
        length = self._length(utterance) + self.utterance_gap_s
        return not upcoming or now + length <= upcoming[0]

    def _upcoming(self, now: float) -> list[float]:
        """The countdown words still to come. A word's moment stays reserved until the
        word arrives (it may come a moment after it) or is too late to be said."""
        return [t for t in self._reserved if t + self.countdown_late_s > now]

    def _held_until(self, now: float) -> float | None:
        """When the ordinary prompts held back by a countdown may go (None: not held)."""
        if any(w.kind is not Kind.ORDINARY for w in self._waiting):
            return None
        if any(self._fits(w, now) for w in self._waiting):
            return None
        upcoming = self._upcoming(now)
        # After the last word of the countdown; its arrival wakes the queue anyway.
        return upcoming[-1] + self.countdown_late_s if upcoming else None

    def _length(self, utterance: Utterance) -> float:
        if utterance.live_text is not None:
            return self.live_limit_s
        clips = utterance.clips
        return sum(self._duration(c) for c in clips) + self.word_gap_s * (len(clips) - 1)

    def _drop(self, utterance: Utterance, why: str) -> None:
        self._waiting.remove(utterance)
        self.dropped.append((utterance.cue, why))
