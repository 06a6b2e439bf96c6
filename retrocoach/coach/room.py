"""What the room hears in gym mode: several stations, one workout, one loudspeaker.

Every station's engine words its cues for its own member. Played as they come, a room
of three would hear every turn-around three times, each with another speed. `RoomCues`
decides, cue by cue, what the loudspeaker says instead. The policy:

- **Room words.** A member's own numbers are taken out of the words (each member has
  their own speeds, caps and turn speed): "Speeding up to 8.5 km/h" is heard as
  "Speeding up", "Walk backwards at 3.5" as "Walk backwards", "Holding 3.0 km/h: no
  heart rate" as "Holding the speed: no heart rate"; the text loses the speed likewise.
  Numbers that are the same for everyone stay ("three, two, one", "Resuming in 5
  seconds").
- **Cues for everyone** (`SHARED`: the countdown, get ready, next, turn around, a
  segment's start, speeding up, slowing down, halfway, one minute left, paused,
  resuming, the session's end, emergency stop, the workout's notes) are heard once: the
  same room words from any station within `window_s` (3 s) of the time they were heard
  are dropped. Stations share one clock, so the cues' own times `cue.t` are compared.
- **A station out of step** (distance segments, a late start, a member who slowed down
  longer) says words the room already heard more than `window_s` ago *for the same
  moment of the workout* (the first station there was heard bare): they are heard
  again with the station in front, "Station 2: Turn around now: ...", spoken
  "station, two, turn around, ...". A countdown is named once: after its opener
  ("Station 2: Speeding up") the "three, two, one" of that station's countdown are
  said bare, so they still fit in their seconds. The opener is said short ("station
  two, walk forwards" for a get-ready, "station two, resuming in" for a resume) so
  that, like every opener, it ends before its "three".
- **Cues about one member** (`FOR_ONE_MEMBER`: heart rate, caps, the turn speed, the
  safety key, a stop on the console, a lost device, a speed held or kept, ...) are
  always heard with the station in front, and dropped only when the same station said
  the same words within `window_s`. A cue id this module does not know counts as one
  member's: it is never lost.

"The same moment" is what keeps the next turn-around (everyone's, heard bare) apart
from a late station's last one (heard with its number): each station's cue is placed by
the segment its latest phase belongs to (`phase()`) and by how many times the station
has said those words there. Without phases, the count runs over the whole session.
Stations are numbered from 1, as the coach sees them. No Qt: `retrocoach.audio.room`
plays what this lets through.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from typing import NamedTuple

from retrocoach.coach import speech
from retrocoach.coach.cues import COUNTDOWN_TICKS, CueId
from retrocoach.coach.events import Cue, Phase, PhaseChange
from retrocoach.coach.speech import NUMBER_CLIPS, WAV
from retrocoach.workouts.profile import Units

DEFAULT_WINDOW_S = 3.0
STATION_CLIP = "station"

SHARED: frozenset[CueId] = frozenset(
    {
        CueId.GET_READY,
        *COUNTDOWN_TICKS,
        CueId.SPEEDING_UP,
        CueId.SLOWING_DOWN,
        CueId.NEXT,
        CueId.TURN_AROUND,
        CueId.SEGMENT,
        CueId.NOTE,
        CueId.HALFWAY,
        CueId.ONE_MINUTE_LEFT,
        CueId.PAUSED,
        CueId.RESUMING,
        CueId.SESSION_COMPLETE,
        CueId.SESSION_STOPPED,
        CueId.EMERGENCY_STOP,
    }
)
FOR_ONE_MEMBER: frozenset[CueId] = frozenset(CueId) - SHARED

# The cues whose words carry the member's own speed (cues.py builds them with one).
_SPEED_WORDED = frozenset(
    {
        CueId.GET_READY,
        CueId.NEXT,
        CueId.TURN_AROUND,
        CueId.SEGMENT,
        CueId.SPEEDING_UP,
        CueId.SLOWING_DOWN,
        CueId.HR_HIGH,
        CueId.HOLDING_SPEED,
        CueId.CONSOLE_SPEED,
        CueId.ABOVE_CAP,
        CueId.WAITING_FOR_TURN_SPEED,
    }
)
# Where dropping "to 3.0 km/h" would leave broken words: the room hears its clip's words.
_ROOM_TEXT = {CueId.WAITING_FOR_TURN_SPEED: "Slow down before turning around."}

# A speed as `Units.format_speed` writes it ("5.5 km/h", "3.4 mph").
_SPEED = r"\d+(?:\.\d+)? (?:" + "|".join(re.escape(u.symbol) for u in Units) + ")"
_SPEED_AFTER_WORD = re.compile(r" (?:at|to|of) " + _SPEED)
_SPEED_ALONE = re.compile(_SPEED)
# The clips that lead into a spoken number ("at five point five", "to eight").
_NUMBER_LEADS = frozenset({"at", "to"})
# A countdown's opener with a station in front is said with these clips only: in full
# it would run into its "three", and the speech queue would hold it past the countdown.
_NAMED_OPENER_CLIPS = {
    CueId.GET_READY: frozenset({"walk", "run", "backwards", "forwards"}),
    CueId.RESUMING: frozenset({"resuming_in"}),  # "station two, resuming in... three"
}


class _Words(NamedTuple):
    """A cue as the room hears it, without a station: what makes two cues the same."""

    id: str
    text: str
    speech: tuple[str, ...]


def room_words(cue: Cue) -> Cue:
    """`cue` in the room's words: the member's own speeds taken out of its text and
    speech (and `sound` kept the first file heard)."""
    words = _words(cue)
    return _said(cue, words.text, words.speech)


class RoomCues:
    """The room's memory of what it heard; one per session."""

    def __init__(self, window_s: float = DEFAULT_WINDOW_S) -> None:
        self.window_s = window_s
        self._place: dict[int, int] = {}  # station -> segment of its latest phase
        self._countdown_from: dict[int, float] = {}  # station -> its running countdown's start
        self._count: defaultdict[tuple[int, _Words, int | None], int] = defaultdict(int)
        # (words, place, nth) -> when the room first heard that moment, bare.
        self._moments: dict[tuple[_Words, int | None, int], float] = {}
        self._bare: dict[_Words, float] = {}  # words -> when last heard without a station
        self._own: dict[tuple[int, _Words], float] = {}  # (station, words) -> last heard
        self._named: dict[int, float] = {}  # station -> when last heard with its number

    def phase(self, station: int, change: PhaseChange) -> None:
        """Where `station` is in the workout: its cues are matched with the others' at
        the same segment."""
        self._place[station] = change.segment
        if change.phase is Phase.COUNTDOWN:
            self._countdown_from[station] = change.t
        else:
            self._countdown_from.pop(station, None)

    def heard(self, station: int, cue: Cue) -> Cue | None:
        """The cue the room hears for `station`'s `cue`, or None when it must not be
        said again."""
        if station < 1:
            raise ValueError(f"stations are numbered from 1, not {station}")
        words = _words(cue)
        t = cue.t
        if _cue_id(cue) not in SHARED:
            if self._recent(self._own.get((station, words)), t):
                return None
            return self._name(station, cue, words)
        place = self._place.get(station)
        key = (station, words, place)
        nth = self._count[key]
        self._count[key] += 1
        moment = (words, place, nth)
        if self._recent(self._bare.get(words), t):
            # The room just heard these words: this station's moment is that one too.
            self._moments.setdefault(moment, t)
            return None
        if self._recent(self._own.get((station, words)), t):
            return None
        if moment in self._moments:  # heard a while ago: this station is behind
            if _cue_id(cue) in COUNTDOWN_TICKS and self._named_in_countdown(station):
                # The countdown's opener named the station; bare ticks fit their seconds.
                return self._bare_said(station, cue, words)
            return self._name(station, cue, words)
        self._moments[moment] = t
        return self._bare_said(station, cue, words)

    # -------------------------------------------------------------- internals

    def _recent(self, when: float | None, t: float) -> bool:
        # Both ways: in one step of the shared clock, stations report one after another.
        return when is not None and abs(t - when) <= self.window_s

    def _named_in_countdown(self, station: int) -> bool:
        began = self._countdown_from.get(station)
        named = self._named.get(station)
        return began is not None and named is not None and named >= began

    def _bare_said(self, station: int, cue: Cue, words: _Words) -> Cue:
        self._bare[words] = cue.t
        self._own[(station, words)] = cue.t
        return _said(cue, words.text, words.speech)

    def _name(self, station: int, cue: Cue, words: _Words) -> Cue:
        self._own[(station, words)] = cue.t
        self._named[station] = cue.t
        text = f"Station {station}: {words.text}"
        # A workout's note has no clips (live speech reads its text, which names the
        # station): "station two" alone would be said instead of the note.
        if not words.speech:
            return _said(cue, text, ())
        files = words.speech
        cue_id = _cue_id(cue)
        keep = _NAMED_OPENER_CLIPS.get(cue_id) if cue_id is not None else None
        if keep is not None:
            files = tuple(f for f in files if f.removesuffix(WAV) in keep)
        number = [speech.file_name(stem) for stem in speech.integer(station)]
        return _said(cue, text, (speech.file_name(STATION_CLIP), *number, *files))


def _cue_id(cue: Cue) -> CueId | None:
    try:
        return CueId(cue.id)
    except ValueError:
        return None


def _words(cue: Cue) -> _Words:
    cue_id = _cue_id(cue)
    if cue_id not in _SPEED_WORDED:
        return _Words(cue.id, cue.text, tuple(cue.speech))
    text = _ROOM_TEXT.get(cue_id) or _without_speed(cue.text)
    return _Words(cue.id, text, _without_numbers(cue.speech))


def _without_speed(text: str) -> str:
    text = _SPEED_AFTER_WORD.sub("", text)  # "walk at 3.5 km/h for 1:00" -> "walk for 1:00"
    return _SPEED_ALONE.sub("the speed", text)  # "Holding 3.0 km/h: ..." -> "Holding the speed"


def _without_numbers(files: list[str]) -> tuple[str, ...]:
    stems = [f.removesuffix(WAV) for f in files]
    kept: list[str] = []
    for i, (file, stem) in enumerate(zip(files, stems, strict=True)):
        if stem in NUMBER_CLIPS:
            continue
        if stem in _NUMBER_LEADS and i + 1 < len(stems) and stems[i + 1] in NUMBER_CLIPS:
            continue
        kept.append(file)
    return tuple(kept)


def _said(cue: Cue, text: str, files: tuple[str, ...]) -> Cue:
    first = cue.beep or (files[0] if files else None)
    return replace(cue, text=text, speech=list(files), sound=first)
