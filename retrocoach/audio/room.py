"""The room's loudspeaker in gym mode: every station's cues through one `CuePlayer`.

    announcer = RoomAnnouncer.for_system(AudioSettings(volume=90))
    station.sinks.insert(0, announcer.sink(3))   # station 3, first among its sinks

What is said follows `retrocoach.coach.room.RoomCues` (a turn-around heard once, a
member's own cue with their station in front). The player also reserves the seconds of
a countdown's "three, two, one" from its `phase` event and drops the reservation at the
next phase; with several stations that would reserve the room's countdown once per
station, and one station leaving its countdown would cancel another's still ahead. So
the announcer keeps each station's countdown itself, shows the player one countdown per
moment, and after the player cancelled (a phase, a stop) makes the others again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from retrocoach.audio.player import STOPPING, AudioSettings, CuePlayer
from retrocoach.coach.cues import CueId
from retrocoach.coach.events import Cue, Event, Phase, PhaseChange
from retrocoach.coach.room import DEFAULT_WINDOW_S, RoomCues


@dataclass(frozen=True, slots=True)
class _Countdown:
    until: float  # the change, where "one" is said (the station's `t`, one shared clock)
    segment: int
    reserved: bool  # False: another station's countdown at that moment is the room's


class RoomAnnouncer:
    def __init__(self, player: CuePlayer, *, window_s: float = DEFAULT_WINDOW_S) -> None:
        self.player = player
        self.window_s = window_s
        self.room = RoomCues(window_s)
        self._countdowns: dict[int, _Countdown] = {}

    @classmethod
    def for_system(
        cls, settings: AudioSettings | None = None, *, tts_engine: str | None = None
    ) -> RoomAnnouncer:
        """The announcer on this computer's audio (silent, with a warning, if none)."""
        return cls(CuePlayer.for_system(settings or AudioSettings(), tts_engine=tts_engine))

    def sink(self, station: int) -> Callable[[Event], None]:
        """The event sink for station `station` (numbered from 1) to put in its
        `Station.sinks`, first, so a cue is started before anything else runs."""
        if station < 1:
            raise ValueError(f"stations are numbered from 1, not {station}")

        def hear(event: Event) -> None:
            self._event(station, event)

        return hear

    def begin(self, speedup: float = 1.0) -> None:
        """A new session: nothing from the last one is still to be said or matched."""
        self.player.begin(speedup)
        self.room = RoomCues(self.window_s)
        self._countdowns.clear()

    def stop(self) -> None:
        """Silence now (the session thrown away, the app closing)."""
        self.player.stop()
        self._countdowns.clear()

    # -------------------------------------------------------------- internals

    def _event(self, station: int, event: Event) -> None:
        if isinstance(event, Cue):
            heard = self.room.heard(station, event)
            if heard is None:
                return
            self.player(heard)
            if _stops(heard):
                # The player forgot every countdown: this station's is off, the others'
                # still run.
                self._countdowns.pop(station, None)
                self._reserve_again(heard.t)
        elif isinstance(event, PhaseChange):
            self.room.phase(station, event)
            self._phase(station, event)

    def _phase(self, station: int, change: PhaseChange) -> None:
        if change.phase is Phase.COUNTDOWN and change.until is not None:
            # A station's new countdown adds to what is reserved, as the player's own
            # handling does for one station.
            until = change.until
            shared = any(
                other.reserved and abs(other.until - until) <= self.window_s
                for number, other in self._countdowns.items()
                if number != station
            )
            # Within the window its words are dropped as the room's (RoomCues), so the
            # room's countdown, reserved already, is the one heard.
            self._countdowns[station] = _Countdown(until, change.segment, reserved=not shared)
            if not shared:
                self.player(change)
            return
        gone = self._countdowns.pop(station, None)
        if gone is None or not gone.reserved:
            return  # nothing of this station's is reserved: leave the others' alone
        self.player(change)  # cancels every reservation...
        self._reserve_again(change.t)  # ...so the countdowns still ahead are made again

    def _reserve_again(self, t: float) -> None:
        """The player forgot every reservation: make them again for the countdowns still
        ahead, one per moment (a station whose countdown rode on the one just gone now
        has its own)."""
        kept: list[float] = []
        for station, countdown in sorted(self._countdowns.items(), key=lambda c: c[1].until):
            ahead = countdown.until > t
            reserve = ahead and all(abs(countdown.until - u) > self.window_s for u in kept)
            self._countdowns[station] = replace(countdown, reserved=reserve)
            if reserve:
                kept.append(countdown.until)
                self.player(
                    PhaseChange(
                        t, phase=Phase.COUNTDOWN, segment=countdown.segment, until=countdown.until
                    )
                )


def _stops(cue: Cue) -> bool:
    try:
        return CueId(cue.id) in STOPPING
    except ValueError:
        return False
