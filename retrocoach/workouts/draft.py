"""A workout being edited: text as the person typed it, turned into a model `Workout`
with every problem named, and the tree operations of an editor (add, duplicate,
delete, move). No Qt: the GUI's editor shows a `WorkoutDraft` and tests drive it here.

The range rules are the model's own: a field's text is parsed only as far as its
format (``m:ss``, a number, a percentage) and then handed to the model class, whose
`InvalidField` message is what the person reads. Nothing here knows that a speed must
be at most 30 km/h.
"""

from __future__ import annotations

import copy
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from retrocoach.workouts.model import (
    AbsoluteSpeed,
    Direction,
    DistanceEnd,
    End,
    Gait,
    InvalidField,
    Item,
    RelativeSpeed,
    Repeat,
    Speed,
    Step,
    TimeEnd,
    Workout,
)
from retrocoach.workouts.profile import KMH_PER_MPH, Units

__all__ = [
    "DraftPath",
    "EndKind",
    "ItemDraft",
    "Problem",
    "RepeatDraft",
    "SpeedKind",
    "StepDraft",
    "WorkoutDraft",
    "format_seconds",
    "name_from_title",
    "number",
    "parse_seconds",
]

# Where an item sits in the draft: indexes from the top level down, 0-based.
DraftPath = tuple[int, ...]

# Converted values are rounded like the file format rounds them, so "6.2 mph" or
# "85 %" give the same number whether typed here or written in a file.
_DIGITS = 6
# Stands in for the parts that are not being checked, so each field is checked alone.
_ANY_STEP = Step(Direction.FORWARD, Gait.WALK, TimeEnd(60))


class EndKind(StrEnum):
    TIME = "time"
    DISTANCE = "distance"


class SpeedKind(StrEnum):
    RELATIVE = "relative"  # percent of the runner's own pace
    ABSOLUTE = "absolute"  # in the runner's units (km/h or mph)


@dataclass
class StepDraft:
    direction: Direction = Direction.FORWARD
    gait: Gait = Gait.WALK
    end_kind: EndKind = EndKind.TIME
    end_text: str = "1:00"  # m:ss (or h:mm:ss, or seconds) for time; metres for distance
    speed_kind: SpeedKind = SpeedKind.RELATIVE
    speed_text: str = "100"
    incline_text: str = "0"
    label: str = ""
    note: str = ""
    # The exact speed behind `speed_text` when it came from a workout: 10 km/h shows as
    # "6.21" mph, which must not become 9.99 km/h when saved unchanged.
    speed_origin: tuple[SpeedKind, str, Speed] | None = None


@dataclass
class RepeatDraft:
    times_text: str = "2"
    label: str = ""
    items: list[ItemDraft] = field(default_factory=list)


ItemDraft = StepDraft | RepeatDraft


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the draft. `path` is None for the workout's own fields;
    `field` is one of name, title, items (workout), end, speed, incline (step),
    times, items (repeat)."""

    path: DraftPath | None
    field: str
    message: str
    where: str  # "Step 3", "Repeat 2", "Step 4.1", "Name", "Title", "Steps"

    @property
    def text(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class WorkoutDraft:
    name: str = ""
    title: str = ""
    description: str = ""
    items: list[ItemDraft] = field(default_factory=list)
    units: Units = Units.KMH

    # ------------------------------------------------------------ conversion

    @classmethod
    def from_workout(cls, workout: Workout, units: Units = Units.KMH) -> WorkoutDraft:
        return cls(
            name=workout.name,
            title=workout.title,
            description=workout.description,
            items=[_item_draft(item, units) for item in workout.items],
            units=units,
        )

    def build(self) -> tuple[Workout | None, list[Problem]]:
        """The workout, or None and every problem found, in the order they appear."""
        problems: list[Problem] = []
        for key, value in (("name", self.name), ("title", self.title)):
            try:
                fields: dict[str, Any] = {"name": "x", "title": "x", key: value}
                Workout(items=(_ANY_STEP,), **fields)
            except InvalidField as exc:
                problems.append(Problem(None, key, exc.message, key.capitalize()))
        items = self._build_items(self.items, (), problems)
        if items is not None:
            try:
                Workout("x", "x", items)  # at least one step, not too many
            except InvalidField as exc:
                where = _WORKOUT_WHERE.get(exc.field, exc.field.capitalize())
                problems.append(Problem(None, exc.field, exc.message, where))
        if problems or items is None:
            return None, problems
        return Workout(self.name, self.title, items, self.description), []

    def _build_items(
        self, drafts: list[ItemDraft], base: DraftPath, problems: list[Problem]
    ) -> tuple[Item, ...] | None:
        built: list[Item] = []
        whole = True
        for index, draft in enumerate(drafts):
            path = (*base, index)
            if isinstance(draft, StepDraft):
                item: Item | None = self._build_step(draft, path, problems)
            else:
                item = self._build_repeat(draft, path, problems)
            if item is None:
                whole = False
            else:
                built.append(item)
        return tuple(built) if whole else None

    def _build_step(
        self, draft: StepDraft, path: DraftPath, problems: list[Problem]
    ) -> Step | None:
        where = "Step " + number(path)
        found = len(problems)

        def problem(key: str, message: str) -> None:
            problems.append(Problem(path, key, message, where))

        end: End | None = None
        try:
            end = self.end_of(draft)
        except InvalidField as exc:
            problem("end", exc.message)
        speed: Speed | None = None
        try:
            speed = self.speed_of(draft)
        except InvalidField as exc:
            problem("speed", exc.message)
        incline = _number(draft.incline_text, default=0.0)
        try:
            step = Step(
                draft.direction,
                draft.gait,
                end or _ANY_STEP.end,
                speed or _ANY_STEP.speed,
                incline_pct=incline,  # type: ignore[arg-type]  # the model reports non-numbers
                label=draft.label,
                note=draft.note,
            )
        except InvalidField as exc:
            problem(_STEP_FIELDS.get(exc.field, exc.field), exc.message)
            return None
        return step if len(problems) == found else None

    def _build_repeat(
        self, draft: RepeatDraft, path: DraftPath, problems: list[Problem]
    ) -> Repeat | None:
        where = "Repeat " + number(path)
        found = len(problems)
        times: Any = _whole(draft.times_text)
        try:
            # A stand-in step, so a bad count is reported even when a step inside is wrong.
            Repeat(times, (_ANY_STEP,), label=draft.label)
        except InvalidField as exc:
            problems.append(Problem(path, exc.field, exc.message, where))
        if not draft.items:
            try:
                Repeat(1, (), label=draft.label)
            except InvalidField as exc:
                problems.append(Problem(path, exc.field, exc.message, where))
        items = self._build_items(draft.items, path, problems)
        if items is None or len(problems) > found:
            return None
        return Repeat(times, items, label=draft.label)

    def end_of(self, draft: StepDraft) -> End:
        """The step's end as typed; InvalidField (field "end") says what is wrong."""
        text = draft.end_text.strip()
        if draft.end_kind is EndKind.TIME:
            seconds = parse_seconds(text)
            if seconds is None:
                try:
                    TimeEnd(text)  # type: ignore[arg-type]  # the model says why
                except InvalidField as exc:
                    raise InvalidField(
                        "end", f"{exc.message}; write minutes:seconds, like 1:30"
                    ) from exc
            return TimeEnd(seconds)  # type: ignore[arg-type]
        return DistanceEnd(_number(text))  # type: ignore[arg-type]

    def speed_of(self, draft: StepDraft) -> Speed:
        """The step's speed as typed; InvalidField (field "speed") says what is wrong."""
        text = draft.speed_text.strip()
        if draft.speed_origin is not None and draft.speed_origin[:2] == (draft.speed_kind, text):
            return draft.speed_origin[2]
        value = _number(text)
        if draft.speed_kind is SpeedKind.RELATIVE:
            fraction: Any = value if isinstance(value, str) else round(value / 100, _DIGITS)
            try:
                return RelativeSpeed(fraction)
            except InvalidField as exc:
                raise InvalidField(
                    "speed", f"{exc.message} ({text or 'nothing'} % of your pace)"
                ) from exc
        kmh: Any = value
        if self.units is Units.MPH and not isinstance(value, str):
            kmh = round(value * KMH_PER_MPH, _DIGITS)
        try:
            return AbsoluteSpeed(kmh)
        except InvalidField as exc:
            if self.units is Units.MPH:
                raise InvalidField("speed", f"{exc.message} ({text} mph)") from exc
            raise

    # ------------------------------------------------------------ the tree

    def walk(self) -> Iterator[tuple[DraftPath, ItemDraft]]:
        """Every item, depth first, in the order they appear."""

        def go(items: list[ItemDraft], base: DraftPath) -> Iterator[tuple[DraftPath, ItemDraft]]:
            for index, item in enumerate(items):
                path = (*base, index)
                yield path, item
                if isinstance(item, RepeatDraft):
                    yield from go(item.items, path)

        return go(self.items, ())

    def item_at(self, path: DraftPath) -> ItemDraft:
        return self._container(path)[path[-1]]

    def _container(self, path: DraftPath) -> list[ItemDraft]:
        items = self.items
        for index in path[:-1]:
            parent = items[index]
            assert isinstance(parent, RepeatDraft), "a path goes through repeats"
            items = parent.items
        return items

    def insert_after(self, path: DraftPath | None, item: ItemDraft) -> DraftPath:
        """Put `item` right after `path`, at its level (at the end when None)."""
        if path is None:
            self.items.append(item)
            return (len(self.items) - 1,)
        self._container(path).insert(path[-1] + 1, item)
        return (*path[:-1], path[-1] + 1)

    def duplicate(self, path: DraftPath) -> DraftPath:
        return self.insert_after(path, copy.deepcopy(self.item_at(path)))

    def remove(self, path: DraftPath) -> DraftPath | None:
        """Delete the item; the path of the item to select next (None when none is left)."""
        container = self._container(path)
        del container[path[-1]]
        if container:
            return (*path[:-1], min(path[-1], len(container) - 1))
        return path[:-1] or None

    def can_move(self, path: DraftPath, delta: int) -> bool:
        return self._moved(path, delta) is not None

    def move(self, path: DraftPath, delta: int) -> DraftPath:
        """Move up (-1) or down (+1) one place. Inside a repeat, moving past its first
        or last item takes it out of the repeat; a step moving onto a repeat goes into
        it. Returns the item's new path (unchanged when it cannot move)."""
        target = self._moved(path, delta)
        if target is None:
            return path
        item = self._container(path).pop(path[-1])
        self._container(target).insert(target[-1], item)
        return target

    def _moved(self, path: DraftPath, delta: int) -> DraftPath | None:
        """Where `path` lands after one move, in paths valid once it is taken out."""
        container = self._container(path)
        index = path[-1] + delta
        if 0 <= index < len(container):
            neighbour = container[index]
            if isinstance(self.item_at(path), StepDraft) and isinstance(neighbour, RepeatDraft):
                # Into the repeat: its last place going up, its first going down.
                into = (*path[:-1], min(index, path[-1]) if delta > 0 else index)
                return (*into, len(neighbour.items) if delta < 0 else 0)
            return (*path[:-1], index)
        if len(path) == 1:
            return None
        # Out of the repeat: just before it going up, just after it going down.
        parent = path[:-1]
        return (*parent[:-1], parent[-1] + (1 if delta > 0 else 0))


_WORKOUT_WHERE = {"name": "Name", "title": "Title", "items": "Steps"}
_STEP_FIELDS = {"incline_pct": "incline"}


def number(path: DraftPath) -> str:
    """(3, 0) -> "4.1": positions as a person counts, outermost first."""
    return ".".join(str(index + 1) for index in path)


def _item_draft(item: Item, units: Units) -> ItemDraft:
    if isinstance(item, Repeat):
        return RepeatDraft(
            str(item.times), item.label, [_item_draft(inner, units) for inner in item.items]
        )
    draft = StepDraft(
        direction=item.direction,
        gait=item.gait,
        incline_text=_show(item.incline_pct),
        label=item.label,
        note=item.note,
    )
    if isinstance(item.end, TimeEnd):
        draft.end_kind, draft.end_text = EndKind.TIME, _time_text(item.end.seconds)
    else:
        draft.end_kind, draft.end_text = EndKind.DISTANCE, _show(item.end.metres)
    if isinstance(item.speed, RelativeSpeed):
        draft.speed_kind = SpeedKind.RELATIVE
        draft.speed_text = _show(round(item.speed.fraction * 100, 2))
    else:
        draft.speed_kind = SpeedKind.ABSOLUTE
        draft.speed_text = _show(round(units.from_kmh(item.speed.kmh), 2))
    draft.speed_origin = (draft.speed_kind, draft.speed_text, item.speed)
    return draft


def _time_text(seconds: float) -> str:
    """m:ss when that reads back as exactly these seconds, else the seconds themselves."""
    text = format_seconds(seconds)
    return text if parse_seconds(text) == seconds else _show(seconds)


def _show(value: float) -> str:
    """5.0 -> "5", 2.5 -> "2.5": the shortest text that reads back as the same number."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _number(text: str, default: float | None = None) -> float | str:
    """The number in `text`, or the text itself for the model to refuse."""
    text = text.strip()
    if not text and default is not None:
        return default
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _whole(text: str) -> int | str:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return text


_CLOCK = re.compile(r"(?:(\d+):)?(\d+):(\d+(?:[.,]\d*)?)|(\d+(?:[.,]\d*)?)")


def parse_seconds(text: str) -> float | None:
    """ "1:30" -> 90, "1:02:05" -> 3725, "45" -> 45 (seconds); None if not a time."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        return None
    hours, minutes, seconds, plain = match.groups()
    if plain is not None:
        return float(plain.replace(",", "."))
    secs = float(seconds.replace(",", "."))
    if secs >= 60 or (hours is not None and int(minutes) >= 60):
        return None
    return int(hours or 0) * 3600 + int(minutes) * 60 + secs


def format_seconds(seconds: float) -> str:
    """90 -> "1:30", 3725 -> "1:02:05", 45.5 -> "0:45.5": `parse_seconds` reads it back."""
    whole, fraction = divmod(round(seconds, _DIGITS), 1)
    hours, rest = divmod(int(whole), 3600)
    minutes, secs = divmod(rest, 60)
    tail = f"{fraction:.6f}".rstrip("0").rstrip(".")[1:] if fraction else ""
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}{tail}"
    return f"{minutes}:{secs:02d}{tail}"


def name_from_title(title: str) -> str:
    """A file-safe workout name from a title: "My 4 × 400 m" -> "my-4-400-m"."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()  # é -> e
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return slug[:60].rstrip("-")
