"""The speech channel's plan (`SpeechQueue`), on plain seconds: prompts never overlap or
cut each other, countdown words land on their second, safety goes first, and what is out
of date is dropped rather than said late. No Qt, no sound."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrocoach.audio.speech_queue import Kind, SpeechQueue, Start, Utterance

# Made-up clip lengths (seconds): the queue only ever asks for them.
SECONDS = {
    "n3": 0.3,
    "n2": 0.3,
    "n1": 0.3,
    "short": 0.5,
    "word": 0.8,
    "long": 2.0,
    "very_long": 5.0,
}


def make_queue(seconds: dict[str, float] | None = None, **options: float) -> SpeechQueue:
    lengths = seconds or SECONDS
    return SpeechQueue(lengths.__getitem__, **options)


def say(cue: str, *clips: str, kind: Kind = Kind.ORDINARY, at: float = 0.0) -> Utterance:
    return Utterance(cue, clips, kind, at)


def tick(cue: str, at: float) -> Utterance:
    """A countdown word, as the player queues it ("n3" for countdown_3...)."""
    return Utterance(cue, (f"n{cue[-1]}",), Kind.COUNTDOWN, at)


def starts_now(queue: SpeechQueue, now: float) -> list[Start]:
    """Everything the player would start at `now` (it loops on `step` the same way)."""
    started: list[Start] = []
    while (start := queue.step(now)) is not None:
        started.append(start)
    return started


# ------------------------------------------------------------ a simulated channel


@dataclass(frozen=True)
class Heard:
    cue: str
    clip: str | None  # None: live speech
    start: float
    end: float


class Channel:
    """Drives a queue the way the player does: `step` at every input and exactly at each
    `next_wake`; live speech ends after its own length (`live_done`). Records every
    clip started with when it is heard."""

    def __init__(self, queue: SpeechQueue, seconds: Callable[[str], float]) -> None:
        self.queue = queue
        self.seconds = seconds
        self.now = 0.0
        self.heard: list[Heard] = []
        self.live_seconds: dict[str, float] = {}
        self._live_end: float | None = None

    def run_to(self, t: float) -> None:
        """Every wake up to `t` (inclusive), each at its own time."""
        for _ in range(10_000):
            due = [w for w in (self.queue.next_wake(self.now), self._live_end) if w is not None]
            due = [w for w in due if w <= t]
            if not due:
                self.now = max(self.now, t)
                return
            self.now = max(self.now, min(due))
            if self._live_end is not None and self.now >= self._live_end:
                self._live_end = None
                self.queue.live_done(self.now)
            self._start_all()
        raise AssertionError(f"the queue keeps asking to be woken at {self.now} for nothing")

    def at(self, t: float, action: Callable[[SpeechQueue], None]) -> None:
        self.run_to(t)
        action(self.queue)
        self._start_all()

    def finish(self) -> None:
        self.run_to(float("inf"))
        assert self.queue.next_wake(self.now) is None
        assert not self.queue.busy

    def _start_all(self) -> None:
        while (start := self.queue.step(self.now)) is not None:
            assert start.at == self.now
            if start.clip is not None:
                end = self.now + self.seconds(start.clip)
            else:
                end = self.now + self.live_seconds[start.cue]
                self._live_end = end
            self.heard.append(Heard(start.cue, start.clip, self.now, end))


# --------------------------------------------------------------------- properties

POOL = ("c0", "c1", "c2", "c3", "c4")
# What happens at a moment: a prompt comes, or ("reserve", slots) / ("interrupt", []) /
# ("cancel", []) -- a countdown begins, a stop, a countdown called off.
Happening = Utterance | tuple[str, list[float]]
Timeline = list[tuple[float, int, Happening]]  # (when, order, what), in time order


def _happen(queue: SpeechQueue, what: Happening) -> None:
    if isinstance(what, Utterance):
        queue.add(what)
        return
    op, slots = what
    if op == "reserve":
        queue.reserve(slots)
    elif op == "interrupt":
        queue.interrupt()
    else:
        queue.cancel_countdown()


@st.composite
def timelines(draw: st.DrawFn) -> tuple[dict[str, float], Timeline]:
    """Clip lengths, and a time-ordered list of what happens: prompts of every kind
    (live ones too), countdowns (a reservation, then its three words on time, unless
    called off), interrupts."""
    seconds = {clip: draw(st.floats(0.05, 2.0, allow_nan=False), label=clip) for clip in POOL}
    events: Timeline = []
    for i in range(draw(st.integers(1, 14), label="count")):
        at = draw(st.floats(0.0, 30.0, allow_nan=False))
        what = draw(st.sampled_from(["say", "say", "say", "live", "countdown", "stop", "cancel"]))
        cue = f"u{i}"
        if what == "say":
            kind = draw(st.sampled_from(list(Kind)))
            clips = tuple(draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=4)))
            events.append((at, len(events), Utterance(cue, clips, kind, at)))
        elif what == "live":
            seconds[cue] = draw(st.floats(0.1, 6.0, allow_nan=False))
            kind = draw(st.sampled_from([Kind.ORDINARY, Kind.URGENT]))
            events.append((at, len(events), Utterance(cue, (), kind, at, live_text="a note")))
        elif what == "countdown":
            lead = draw(st.floats(2.0, 6.0, allow_nan=False))
            slots = [at + lead - 2, at + lead - 1, at + lead]
            events.append((at, len(events), ("reserve", slots)))
            called_off = draw(st.none() | st.floats(0.0, lead + 1, allow_nan=False))
            for n, slot in zip((3, 2, 1), slots, strict=True):
                if called_off is None or slot < at + called_off:
                    word = draw(st.sampled_from(POOL))
                    said = Utterance(f"{cue}_{n}", (word,), Kind.COUNTDOWN, slot)
                    events.append((slot, len(events), said))
            if called_off is not None:
                events.append((at + called_off, len(events), ("cancel", [])))
        elif what == "stop":
            events.append((at, len(events), ("interrupt", [])))
        else:
            events.append((at, len(events), ("cancel", [])))
    events.sort(key=lambda e: (e[0], e[1]))
    return seconds, events


def _play(seconds: dict[str, float], events: Timeline) -> Channel:
    queue = SpeechQueue(seconds.__getitem__)
    channel = Channel(queue, seconds.__getitem__)
    channel.live_seconds = seconds
    for at, _, what in events:
        channel.at(at, functools.partial(_happen, what=what))
    channel.finish()
    return channel


@given(timelines())
def test_prompts_never_overlap_nor_cut_each_other(
    timeline: tuple[dict[str, float], Timeline],
) -> None:
    seconds, events = timeline
    channel = _play(seconds, events)
    queue, heard = channel.queue, channel.heard

    # One sound at a time, with the queue's own pauses between words and prompts.
    for before, after in itertools.pairwise(heard):
        gap = queue.word_gap_s if before.cue == after.cue else queue.utterance_gap_s
        assert after.start >= before.end + gap - 1e-9, (before, after)

    # Each prompt begun is said whole, in order, in one piece: nothing else in between.
    said = [h.cue for h in heard]
    utterances = {u.cue: u for _, _, u in events if isinstance(u, Utterance)}
    for cue in dict.fromkeys(said):
        first = said.index(cue)
        run = heard[first : first + said.count(cue)]
        assert [h.cue for h in run] == [cue] * len(run), f"{cue} was cut: {said}"
        expected = utterances[cue].clips or (None,)
        assert tuple(h.clip for h in run) == tuple(expected)

    # Nothing vanishes: every prompt is either said or reported dropped (once).
    dropped = [cue for cue, _ in queue.dropped]
    assert sorted([*dict.fromkeys(said), *dropped]) == sorted(utterances)

    # A countdown word begins within `countdown_late_s` of its moment, or not at all.
    for cue in dict.fromkeys(said):
        utterance = utterances[cue]
        if utterance.kind is Kind.COUNTDOWN:
            begun = heard[said.index(cue)].start
            assert begun - utterance.arrived <= queue.countdown_late_s + 1e-9


@st.composite
def countdown_sessions(draw: st.DrawFn) -> Timeline:
    """What the engine does: countdowns (5 s, well apart) and ordinary prompts of at most
    2.5 s at any time, as the openers and announcements are."""
    events: Timeline = []
    start = 0.0
    for i in range(draw(st.integers(1, 4), label="countdowns")):
        start += draw(st.floats(1.0, 8.0, allow_nan=False))
        change = start + 5.0
        events.append((start, len(events), ("reserve", [change - 2, change - 1, change])))
        for n, slot in zip((3, 2, 1), (change - 2, change - 1, change), strict=True):
            events.append((slot, len(events), tick(f"c{i}_countdown_{n}", slot)))
        start = change
    for i in range(draw(st.integers(0, 8), label="prompts")):
        at = draw(st.floats(0.0, start + 3, allow_nan=False))
        clips = tuple(draw(st.lists(st.sampled_from(["short", "word"]), min_size=1, max_size=3)))
        events.append((at, len(events), say(f"p{i}", *clips, at=at)))
    events.sort(key=lambda e: (e[0], e[1]))
    return events


@given(countdown_sessions())
def test_ordinary_prompts_never_delay_a_countdown_word(
    events: Timeline,
) -> None:
    """The player wakes at `next_wake` and the engine's words arrive on their second; when
    both fall on the same instant the wake may come first (it does here)."""
    channel = _play(SECONDS, events)
    words = {u.cue: u.arrived for _, _, u in events if isinstance(u, Utterance)}
    ticks = {h.cue: h.start for h in channel.heard if "countdown" in h.cue}
    expected = {cue: at for cue, at in words.items() if "countdown" in cue}
    assert ticks == pytest.approx(expected, abs=1e-9), channel.queue.dropped


# ------------------------------------------------------------------- the rules


def test_a_countdown_word_goes_before_ordinary_prompts_already_waiting() -> None:
    queue = make_queue()
    queue.add(say("next", "short"))
    assert [s.clip for s in starts_now(queue, 0.0)] == ["short"]  # busy until 0.7
    queue.add(say("halfway", "word", at=0.3))
    queue.add(tick("countdown_3", at=0.6))
    assert starts_now(queue, 0.6) == []
    assert queue.next_wake(0.6) == pytest.approx(0.7)
    first = starts_now(queue, 0.7)
    assert [(s.cue, s.clip) for s in first] == [("countdown_3", "n3")]
    assert [s.cue for s in starts_now(queue, 0.7 + 0.3 + 0.2)] == ["halfway"]
    assert queue.dropped == []


def test_a_countdown_word_that_cannot_start_in_time_is_dropped_not_said_late() -> None:
    queue = make_queue()
    queue.add(say("next", "word"))
    starts_now(queue, 0.0)  # busy until 1.0
    queue.add(tick("countdown_2", at=0.8))  # can start 0.2 s late: still in time
    assert [s.cue for s in starts_now(queue, 1.0)] == ["countdown_2"]

    late = make_queue()
    late.add(say("next", "long"))
    starts_now(late, 0.0)  # busy until 2.2
    late.add(tick("countdown_3", at=1.0))
    late.add(say("segment", "short", at=1.5))
    assert [s.cue for s in starts_now(late, 2.2)] == ["segment"]  # not "three", 1.2 s late
    assert [cue for cue, _ in late.dropped] == ["countdown_3"]
    assert late.countdown_late_s < 1.2


def test_a_prompt_that_would_run_into_a_countdown_word_waits_until_after_it() -> None:
    queue = make_queue()
    queue.reserve([3.0, 4.0, 5.0])  # "three" at 3, "one" at 5
    queue.add(say("console_speed", "long", at=1.5))  # 2 s: would end at 3.5
    assert starts_now(queue, 1.5) == []
    wake = queue.next_wake(1.5)
    assert wake is not None and wake >= 5.0  # not before the countdown is over
    heard: list[tuple[float, str | None]] = []
    for n, at in ((3, 3.0), (2, 4.0), (1, 5.0)):
        queue.add(tick(f"countdown_{n}", at))
        heard += [(at, s.clip) for s in starts_now(queue, at)]
    after_one = 5.0 + SECONDS["n1"] + queue.utterance_gap_s
    heard += [(after_one, s.clip) for s in starts_now(queue, after_one)]
    assert heard == [(3.0, "n3"), (4.0, "n2"), (5.0, "n1"), (after_one, "long")]


def test_a_prompt_that_fits_before_the_countdown_goes_at_once() -> None:
    queue = make_queue()
    queue.reserve([3.0, 4.0, 5.0])
    queue.add(say("halfway", "word", at=1.0))  # 0.8 s: over by 1.8
    assert [(s.clip, s.at) for s in starts_now(queue, 1.0)] == [("word", 1.0)]
    # And "three" is not held up by it.
    queue.add(tick("countdown_3", 3.0))
    assert [s.clip for s in starts_now(queue, 3.0)] == ["n3"]


def test_a_prompt_that_ends_just_before_three_does_not_push_three_late() -> None:
    """The prompt "fits" only if the queue's pause after it is over by "three" too: the
    beep of "three" sounds on its second and the word must go with it."""
    queue = make_queue()
    queue.reserve([3.0, 4.0, 5.0])
    queue.add(say("halfway", "word", at=2.1))  # over at 2.9, the channel free at 3.1
    starts_now(queue, 2.1)
    queue.add(tick("countdown_3", 3.0))
    assert [(s.clip, s.at) for s in starts_now(queue, 3.0)] == [("n3", 3.0)]


def test_a_held_prompt_woken_at_the_instant_of_one_waits_for_one() -> None:
    """The player's timer for a prompt held by a countdown fires at the moment of "one";
    the engine's "one" may arrive a moment after it. The prompt must not take its place."""
    queue = make_queue()
    queue.reserve([3.0, 4.0, 5.0])
    queue.add(tick("countdown_3", 3.0))
    starts_now(queue, 3.0)
    queue.add(tick("countdown_2", 4.0))
    starts_now(queue, 4.0)
    queue.add(say("hr_back", "long", at=4.5))
    wake = queue.next_wake(4.5)
    assert wake is not None
    if wake < 5.01:
        assert starts_now(queue, wake) == [], "the held prompt took the moment of one"
    queue.add(tick("countdown_1", 5.01))
    assert [s.clip for s in starts_now(queue, 5.01)] == ["n1"]
    assert queue.dropped == []
    # The held prompt still comes, after "one".
    assert [s.cue for s in starts_now(queue, 5.01 + 0.3 + queue.utterance_gap_s)] == ["hr_back"]


def test_urgent_prompts_go_before_ordinary_ones_that_came_first() -> None:
    queue = make_queue()
    queue.add(say("next", "short"))
    starts_now(queue, 0.0)
    queue.add(say("halfway", "word", at=0.1))
    queue.add(say("hr_high", "short", kind=Kind.URGENT, at=0.2))
    queue.add(say("one_minute_left", "word", at=0.3))
    order = []
    now = 0.0
    while (wake := queue.next_wake(now)) is not None:
        now = wake
        order += [s.cue for s in starts_now(queue, now)]
    assert order == ["hr_high", "halfway", "one_minute_left"]


def test_interrupt_drops_what_waits_but_finishes_what_is_being_said() -> None:
    queue = make_queue()
    queue.add(say("next", "short", "word", "short"))
    assert [s.clip for s in starts_now(queue, 0.0)] == ["short"]
    queue.add(say("halfway", "word", at=0.1))
    queue.add(say("hr_missing", "word", kind=Kind.URGENT, at=0.1))
    queue.reserve([3.0, 4.0, 5.0])
    queue.interrupt()
    assert sorted(queue.dropped) == [
        ("halfway", "out of date after a stop"),
        ("hr_missing", "out of date after a stop"),
    ]
    assert queue.busy
    rest: list[str | None] = []
    now = 0.0
    while (wake := queue.next_wake(now)) is not None:
        now = wake
        rest += [s.clip for s in starts_now(queue, now)]
    assert rest == ["word", "short"]  # "next" said to its end, nothing after it
    # The countdown was called off with it: a long prompt is no longer held for it.
    queue.add(say("paused", "long", at=now))
    assert [s.clip for s in starts_now(queue, now)] == ["long"]


def test_a_prompt_that_waited_too_long_is_dropped_but_an_urgent_one_waits_longer() -> None:
    queue = make_queue()
    queue.add(say("control_taken", "very_long", kind=Kind.URGENT))
    starts_now(queue, 0.0)  # busy until 5.2
    queue.add(say("halfway", "word", at=0.1))
    queue.add(say("hr_missing", "word", kind=Kind.URGENT, at=0.1))
    assert queue.stale_s < 5.1 < queue.urgent_stale_s
    assert [s.cue for s in starts_now(queue, 5.2)] == ["hr_missing"]
    assert queue.dropped == [("halfway", "5.10 s late")]
    assert starts_now(queue, 6.2) == []  # halfway is gone for good


def test_a_newer_prompt_of_the_same_cue_replaces_the_one_waiting() -> None:
    queue = make_queue()
    queue.add(say("segment", "long"))
    starts_now(queue, 0.0)
    queue.add(say("waiting_for_turn_speed", "word", at=0.5))
    queue.add(say("waiting_for_turn_speed", "short", at=1.0))
    queue.add(say("halfway", "word", at=1.5))
    assert queue.dropped == [("waiting_for_turn_speed", "replaced by a newer one")]
    said = []
    now = 0.0
    while (wake := queue.next_wake(now)) is not None:
        now = wake
        said += [(s.cue, s.clip) for s in starts_now(queue, now)]
    assert said == [("waiting_for_turn_speed", "short"), ("halfway", "word")]


def test_live_speech_holds_the_channel_until_it_is_done() -> None:
    queue = make_queue()
    queue.add(Utterance("note", (), Kind.ORDINARY, 0.0, live_text="Hold the rails."))
    started = starts_now(queue, 0.0)
    assert started == [Start(None, "Hold the rails.", "note", 0.0)]
    assert queue.busy
    queue.add(say("hr_high", "short", kind=Kind.URGENT, at=1.0))
    assert starts_now(queue, 1.0) == []
    assert starts_now(queue, 6.0) == []  # still talking: nothing is said over it
    queue.live_done(6.0)
    assert starts_now(queue, 6.0) == []  # the pause after a prompt
    assert queue.next_wake(6.0) == pytest.approx(6.0 + queue.utterance_gap_s)
    assert [s.cue for s in starts_now(queue, 6.0 + queue.utterance_gap_s)] == ["hr_high"]


def test_live_speech_that_never_says_it_is_done_frees_the_channel_after_its_limit() -> None:
    queue = make_queue(live_limit_s=30.0)
    queue.add(Utterance("note", (), Kind.ORDINARY, 0.0, live_text="A long note."))
    starts_now(queue, 0.0)
    queue.add(say("hr_high", "short", kind=Kind.URGENT, at=10.0))
    assert starts_now(queue, 10.0) == []
    wake = queue.next_wake(10.0)
    assert wake is not None and wake == pytest.approx(30.0)
    # At its limit the queue gives up on the live speech and goes on (before, the
    # channel stayed taken for good and the player's timer spun on a wake in the past).
    assert [s.cue for s in starts_now(queue, wake)] == ["hr_high"]
    for now in (wake + 0.1, wake + 1.0, wake + 60.0):
        next_wake = queue.next_wake(now)
        assert next_wake is None or next_wake >= now
