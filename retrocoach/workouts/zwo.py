"""Zwift workout files (.zwo): running workouts in, the library's workouts out.

A .zwo file is XML from anywhere, so it is parsed with defusedxml and refused outright if
it has a document type declaration (where entity bombs and references to other files
live). Every problem, from a truncated file to a cycling workout or a zero duration, is
one `WorkoutFileError` naming the file, the line, the element or attribute at fault
(``workout.SteadyState[3].Duration``) and what is wrong; nothing is returned half-read.

The mapping, documented in docs/workout-format.md (".zwo files"):

- Zwift sets a running step to Power × a reference pace. retrocoach converts Power into
  a fraction of the runner's own pace such that the *reference runner* (walk 5 km/h, run
  9 km/h, backward factor 0.7, pinned below) gets Power × 9 km/h; other runners get the
  same fraction of their own paces. An absolute speed is retrocoach's own `speed_kmh`
  attribute (or Power × the file's `thresholdSecPerKm` pace); the incline is QZ's
  `Incline` attribute, a fraction (0.06 is 6 %).
- Direction, gait and label travel in the step's first text event ("Backwards walk:
  Hill 1"), its note in a second one. Without that header, a step whose text says
  backward(s) is a backward step, everything else forward.
- Warmup, Cooldown and Ramp become one step at their mean Power; IntervalsT a repeat of
  two steps; FreeRide a step at the runner's own pace. On export every step is a
  SteadyState, and a repeat of two steps becomes an IntervalsT when it fits.
- Durations are in the workout's `durationType` (seconds, or metres); a step of the other
  kind carries its exact length in `duration_s` or `distance_m`, and an estimate in
  `Duration` for other apps.
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from retrocoach.workouts.errors import WorkoutFileError
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

__all__ = ["dump_zwo", "load_zwo", "loads_zwo", "save_zwo"]

StrPath = str | os.PathLike[str]

# The reference runner that Power is measured against. Part of the file mapping, so
# pinned here rather than taken from the profile defaults (which may change).
REFERENCE_RUN_KMH = 9.0
REFERENCE_WALK_KMH = 5.0
REFERENCE_BACKWARD_FACTOR = 0.7
# A step whose text names no gait is a walk below this speed (Power × 9 km/h, or its
# absolute speed): most people change from walking to running around 7 km/h.
WALK_BELOW_KMH = 6.5
# Written on export: Zwift's slowest reference pace, the closest to an easy run.
EXPORT_PACE = 4
# A workout is a few kilobytes; anything much bigger is not one.
MAX_FILE_BYTES = 2_000_000
# A foreign step's first message becomes its label when it is this short.
MAX_LABEL_CHARS = 60
# A step's note is shown this far (s or m) into the step, after its header.
NOTE_OFFSET = 10.0
# Fractions and inclines come back from Power and Incline to this many decimals.
_DIGITS = 9

_HEADER = re.compile(r"(Backwards|Forwards) (walk|run)(?:: (.*))?", re.S)
_BACKWARD_WORD = re.compile(r"\bbackwards?\b", re.I)
_GAIT_WORD = re.compile(r"\b(walk|walking|run|running|jog|jogging|sprint|strides?)\b", re.I)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_PARSE_POSITION = re.compile(r":\s*line \d+, column \d+$")
# Characters XML 1.0 cannot carry, even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_STEP_TAGS = ("SteadyState", "IntervalsT", "Warmup", "Cooldown", "Ramp", "FreeRide")

# --------------------------------------------------------------------------- loading


def load_zwo(path: StrPath) -> Workout:
    """Read a .zwo file; any problem is a `WorkoutFileError`. The workout's name comes
    from the file name (a .zwo file has none of its own)."""
    name = os.fspath(path)
    return _load(_read_bytes(name), name)


def loads_zwo(text: str, path: str = "<string>") -> Workout:
    """Parse .zwo text; `path` names the text in error messages and gives the name."""
    return _load(text, path)


def _load(data: str | bytes, path: str) -> Workout:
    root, lines = _parse(data, path)
    stem = "" if path.startswith("<") else Path(path).stem
    return _Reader(path, lines, stem).workout(root)


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise WorkoutFileError(path, None, None, f"cannot read the file: {_reason(exc)}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise WorkoutFileError(
            path,
            None,
            None,
            f"too large for a workout file (over {MAX_FILE_BYTES // 1_000_000} MB); "
            ".zwo files are a few kilobytes",
        )
    return data


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


class _LineTarget:
    """Builds the tree like ElementTree does, noting each element's line (which
    ElementTree forgets) and which elements are open (to say where a file is cut off)."""

    def __init__(self) -> None:
        self.builder = TreeBuilder()
        self.expat: Any = None
        self.lines: dict[Element, int] = {}
        self.open: list[tuple[str, int]] = []

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = self.builder.start(tag, attrs)
        line = int(self.expat.CurrentLineNumber) if self.expat is not None else 0
        self.lines[element] = line
        self.open.append((tag, line))
        return element

    def end(self, tag: str) -> Element:
        self.open.pop()
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> Element:
        return self.builder.close()


def _parse(data: str | bytes, path: str) -> tuple[Element, dict[Element, int]]:
    target = _LineTarget()
    # No DTD at all: entity declarations (billion laughs) and external entities or DTDs
    # can only come in one, and a workout never needs it.
    parser = DefusedXMLParser(
        target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    target.expat = parser.parser
    try:
        parser.feed(data)
        root: Element = parser.close()
    except DTDForbidden as exc:
        if exc.sysid:
            what = f"it has a document type declaration that would load {exc.sysid}"
        else:
            what = f"it has a document type declaration (<!DOCTYPE {exc.name} …>)"
        raise _refused(path, parser, what) from exc
    except EntitiesForbidden as exc:
        raise _refused(path, parser, f"it declares an entity ({exc.name})") from exc
    except ExternalReferenceForbidden as exc:
        raise _refused(path, parser, f"it refers to another file ({exc.sysid})") from exc
    except ParseError as exc:
        raise _syntax_error(path, exc, target) from exc
    except UnicodeError as exc:
        raise WorkoutFileError(path, None, None, f"not valid text: {exc}") from exc
    return root, target.lines


def _refused(path: str, parser: Any, what: str) -> WorkoutFileError:
    return WorkoutFileError(
        path,
        int(parser.parser.CurrentLineNumber),
        None,
        f"refused: {what}. A workout file never needs one, and it can hide an entity "
        "bomb or read other files on this computer",
    )


def _syntax_error(path: str, exc: ParseError, target: _LineTarget) -> WorkoutFileError:
    line, column = exc.position
    reason = _PARSE_POSITION.sub("", str(exc))
    if reason == "no element found":
        if target.open:
            tag, opened = target.open[-1]
            reason = f"the file ends inside <{tag}> (opened on line {opened}); it is cut short"
        else:
            reason = "the file has no XML in it"
        return WorkoutFileError(path, line, None, f"not valid XML: {reason}")
    return WorkoutFileError(path, line, None, f"not valid XML: {reason} (column {column + 1})")


@dataclass(frozen=True)
class _Text:
    offset: float
    message: str


@dataclass(frozen=True)
class _Described:
    """What a step's text events say about it."""

    direction: Direction
    gait: Gait | None  # None: decided by its speed
    label: str
    note: str


class _Reader:
    """Turns the parsed tree into a workout, with errors that point into the file."""

    def __init__(self, path: str, lines: dict[Element, int], stem: str) -> None:
        self.path = path
        self.lines = lines
        self.stem = stem
        self.unit = "time"
        self.threshold: float | None = None  # s/km that Power 1.0 stands for, if given

    def error(self, element: Element, key: str | None, message: str) -> WorkoutFileError:
        return WorkoutFileError(self.path, self.lines.get(element), key, message)

    # The document.

    def workout(self, root: Element) -> Workout:
        if root.tag != "workout_file":
            raise self.error(
                root,
                None,
                f"not a Zwift workout: the file is <{root.tag}>, and a .zwo file is <workout_file>",
            )
        head = self.head(root)
        self.sport(root, head.get("sporttype"))
        self.unit = self.duration_type(head.get("durationtype"))
        if "thresholdsecperkm" in head:
            element = head["thresholdsecperkm"]
            self.threshold = self.number(element, element.tag, element.text or "")
            if self.threshold <= 0:
                raise self.error(
                    element, element.tag, f"a pace must be above 0 s/km, not {self.threshold:g}"
                )
        if "workout" not in head:
            raise self.error(
                root, "workout", "missing; the steps of a workout go in a <workout> element"
            )
        items = self.items(head["workout"])
        title = _text(head.get("name")) or self.stem or "Imported workout"
        description = _text(head.get("description"))
        name = _slug(self.stem) or _slug(title) or "imported-workout"
        try:
            return Workout(name=name, title=title, items=items, description=description)
        except InvalidField as exc:
            raise self.error(head["workout"], "workout", exc.message) from exc

    def head(self, root: Element) -> dict[str, Element]:
        """The elements directly under <workout_file>, by lower-case tag."""
        found: dict[str, Element] = {}
        for child in root:
            key = child.tag.lower()
            if key in found and key in ("name", "description", "sporttype", "workout"):
                raise self.error(child, child.tag, "given twice; a workout file has one")
            found.setdefault(key, child)
        return found

    def sport(self, root: Element, element: Element | None) -> None:
        only = "retrocoach takes running workouts only (<sportType>run</sportType>)"
        if element is None:
            raise self.error(
                root,
                "sportType",
                f"missing, so this is a cycling workout (Zwift's default); {only}",
            )
        sport = _text(element)
        if sport.lower() == "run":
            return
        if sport.lower() == "bike":
            raise self.error(
                element,
                element.tag,
                "a cycling workout: its Power is a share of a cyclist's FTP in watts, not a "
                f"running pace, and a treadmill cannot follow it; {only}",
            )
        raise self.error(
            element, element.tag, f"{_show(sport)} is not a sport for a treadmill; {only}"
        )

    def duration_type(self, element: Element | None) -> str:
        if element is None:
            return "time"  # as in Zwift
        value = _text(element).lower()
        if value not in ("time", "distance"):
            raise self.error(
                element,
                element.tag,
                f"{_show(_text(element))} is not a duration type; use time (seconds) or distance "
                "(metres)",
            )
        return value

    # The steps.

    def items(self, workout: Element) -> tuple[Item, ...]:
        items: list[Item] = []
        counts: dict[str, int] = {}
        for element in workout:
            counts[element.tag] = counts.get(element.tag, 0) + 1
            key = f"workout.{element.tag}[{counts[element.tag]}]"
            kind = element.tag.lower()
            if kind == "steadystate":
                items.append(self.steady_state(element, key))
            elif kind in ("warmup", "cooldown", "ramp"):
                items.append(self.ramp(element, key))
            elif kind == "intervalst":
                items.append(self.intervals(element, key))
            elif kind == "freeride":
                items.append(self.free_run(element, key))
            elif kind == "textevent":
                continue  # a message timed from the workout's start: not tied to a step
            elif kind == "maxeffort":
                raise self.error(
                    element,
                    key,
                    "an all-out effort has no speed a treadmill can be set to; "
                    "use a SteadyState with the speed you mean",
                )
            else:
                raise self.error(
                    element,
                    key,
                    f"<{element.tag}> is not a step of a running workout; use "
                    f"{', '.join(_STEP_TAGS)}",
                )
        if not items:
            raise self.error(workout, "workout", "has no steps")
        return tuple(items)

    def steady_state(self, element: Element, key: str) -> Step:
        attrs = self.attributes(element, key)
        end = self.end(element, key, attrs, "Duration")
        power = self.power(element, key, attrs, ("Power",), ("PowerLow", "PowerHigh"))
        return self.step(element, key, attrs, end, power, self.described(element, key))

    def ramp(self, element: Element, key: str) -> Step:
        attrs = self.attributes(element, key)
        end = self.end(element, key, attrs, "Duration")
        # One step at the mean: every speed increase is counted down, so a ramp cut into
        # small steps would be a countdown every few seconds.
        power = self.power(element, key, attrs, ("PowerLow", "PowerHigh"), ("Power",))
        return self.step(element, key, attrs, end, power, self.described(element, key))

    def free_run(self, element: Element, key: str) -> Step:
        attrs = self.attributes(element, key)
        end = self.end(element, key, attrs, "Duration")
        described = self.described(element, key)
        gait = described.gait or Gait.RUN
        # Free running is at the runner's own pace, whatever Power may say.
        return self.build(element, key, attrs, end, RelativeSpeed(), described, gait)

    def intervals(self, element: Element, key: str) -> Repeat:
        attrs = self.attributes(element, key)
        times = self.whole(element, key, attrs, "Repeat")
        on = self.length(element, key, attrs, "OnDuration")
        off = self.length(element, key, attrs, "OffDuration")
        on_power = self.power(element, key, attrs, ("OnPower",), ("PowerOnLow", "PowerOnHigh"))
        off_power = self.power(element, key, attrs, ("OffPower",), ("PowerOffLow", "PowerOffHigh"))
        # Messages in the first round describe the two steps; later ones are left out
        # (they would be said again in every round).
        on_texts: list[str] = []
        off_texts: list[str] = []
        for text in self.texts(element, key):
            if text.offset < on[0]:
                on_texts.append(text.message)
            elif text.offset < on[0] + off[0]:
                off_texts.append(text.message)
        steps = (
            self.step(element, key, attrs, on[1], on_power, _describe(on_texts)),
            self.step(element, key, attrs, off[1], off_power, _describe(off_texts)),
        )
        try:
            return Repeat(times=times, items=steps)
        except InvalidField as exc:
            raise self.error(element, f"{key}.{attrs['repeat'][0]}", exc.message) from exc

    def step(
        self,
        element: Element,
        key: str,
        attrs: dict[str, tuple[str, str]],
        end: End,
        power: tuple[str, float] | None,
        described: _Described,
    ) -> Step:
        """A step from its end, its Power (or absolute speed) and what its text says."""
        speed_name = self.speed_name(element, key, attrs)
        kmh: float | None = None
        if speed_name is not None:
            where = f"{key}.{speed_name}"
            kmh = self.number(element, where, attrs[speed_name.lower()][1])
            file_kmh = kmh
        elif power is None:  # pragma: no cover - power() raises when there is neither
            raise self.error(element, key, "missing a Power")
        else:
            where = f"{key}.{power[0]}"
            file_kmh = power[1] * REFERENCE_RUN_KMH
            if self.threshold is not None:
                kmh = file_kmh = round(power[1] * 3600 / self.threshold, _DIGITS)
        gait = described.gait or (Gait.WALK if file_kmh < WALK_BELOW_KMH else Gait.RUN)
        speed: Speed
        if kmh is not None:
            try:
                speed = AbsoluteSpeed(kmh)
            except InvalidField as exc:
                raise self.error(element, where, exc.message) from exc
        else:
            assert power is not None
            speed = self.relative(element, key, power, described.direction, gait)
        return self.build(element, key, attrs, end, speed, described, gait)

    def relative(
        self,
        element: Element,
        key: str,
        power: tuple[str, float],
        direction: Direction,
        gait: Gait,
    ) -> RelativeSpeed:
        name, value = power
        own = REFERENCE_WALK_KMH if gait is Gait.WALK else REFERENCE_RUN_KMH
        if direction is Direction.BACKWARD:
            own *= REFERENCE_BACKWARD_FACTOR
        fraction = round(value * REFERENCE_RUN_KMH / own, _DIGITS)
        try:
            return RelativeSpeed(fraction)
        except InvalidField as exc:
            raise self.error(
                element,
                f"{key}.{name}",
                f"Power {value:g} on a {direction.word} {gait.value} comes to {fraction:.3g} "
                f"times the runner's own pace ({value * REFERENCE_RUN_KMH:.3g} km/h against "
                f"{own:.3g} km/h); it must be 0.1 to 2 times it",
            ) from exc

    def build(
        self,
        element: Element,
        key: str,
        attrs: dict[str, tuple[str, str]],
        end: End,
        speed: Speed,
        described: _Described,
        gait: Gait,
    ) -> Step:
        incline = 0.0
        if "incline" in attrs:
            name, text = attrs["incline"]
            incline = round(self.number(element, f"{key}.{name}", text) * 100, _DIGITS)
        try:
            return Step(
                direction=described.direction,
                gait=gait,
                end=end,
                speed=speed,
                incline_pct=incline,
                label=described.label,
                note=described.note,
            )
        except InvalidField as exc:
            field = {"incline_pct": "Incline"}.get(exc.field, exc.field)
            raise self.error(element, f"{key}.{field}", exc.message) from exc

    # Attributes.

    def attributes(self, element: Element, key: str) -> dict[str, tuple[str, str]]:
        """Attributes by lower-case name (Zwift's own files are not consistent), each
        with the name as written."""
        found: dict[str, tuple[str, str]] = {}
        for name, value in element.attrib.items():
            lower = name.lower()
            if lower in found:
                raise self.error(
                    element,
                    f"{key}.{name}",
                    f"given twice (as {found[lower][0]} and {name})",
                )
            found[lower] = (name, value)
        return found

    def speed_name(
        self, element: Element, key: str, attrs: dict[str, tuple[str, str]]
    ) -> str | None:
        """The absolute-speed attribute (km/h) as written, if the step has one."""
        present = [attrs[name][0] for name in ("speed_kmh", "speed") if name in attrs]
        if len(present) > 1:
            raise self.error(
                element, f"{key}.{present[1]}", "give at most one of speed_kmh and speed"
            )
        return present[0] if present else None

    def number(self, element: Element, key: str, text: str) -> float:
        if not _NUMBER.fullmatch(text.strip()):
            raise self.error(element, key, f"must be a number, not {_show(text)}")
        value = float(text)
        if not math.isfinite(value):
            raise self.error(element, key, f"{text.strip()} is too large a number")
        return value

    def whole(
        self, element: Element, key: str, attrs: dict[str, tuple[str, str]], name: str
    ) -> int:
        if name.lower() not in attrs:
            raise self.error(element, f"{key}.{name}", "missing; give how many times, as 4")
        written, text = attrs[name.lower()]
        value = self.number(element, f"{key}.{written}", text)
        if not value.is_integer():
            raise self.error(element, f"{key}.{written}", f"must be a whole number, not {text}")
        return int(value)

    def power(
        self,
        element: Element,
        key: str,
        attrs: dict[str, tuple[str, str]],
        names: Sequence[str],
        fallback: Sequence[str],
    ) -> tuple[str, float] | None:
        """The Power a step runs at, with its name as written (for messages): `names`,
        else `fallback`; two names are a range or a ramp, taken at their mean. None
        when the step has an absolute speed instead."""
        for group in (names, fallback):
            present = [attrs[name.lower()] for name in group if name.lower() in attrs]
            if present:
                values = [self.number(element, f"{key}.{name}", text) for name, text in present]
                return present[0][0], sum(values) / len(values)
        if self.speed_name(element, key, attrs) is not None:
            return None
        raise self.error(
            element,
            f"{key}.{names[0]}",
            f"missing; give {' and '.join(names)} (a share of the reference pace: 1.0 is "
            "the pace itself) or speed_kmh",
        )

    def end(self, element: Element, key: str, attrs: dict[str, tuple[str, str]], name: str) -> End:
        exact = [attrs[k] for k in ("duration_s", "distance_m") if k in attrs]
        if len(exact) > 1:
            raise self.error(
                element, f"{key}.{exact[1][0]}", "give at most one of duration_s and distance_m"
            )
        if exact:
            written, text = exact[0]
            value = self.number(element, f"{key}.{written}", text)
            unit = "time" if written.lower() == "duration_s" else "distance"
            return self.make_end(element, f"{key}.{written}", value, unit)
        return self.length(element, key, attrs, name)[1]

    def length(
        self, element: Element, key: str, attrs: dict[str, tuple[str, str]], name: str
    ) -> tuple[float, End]:
        """A length in the workout's unit, with its raw value (for text offsets)."""
        if name.lower() not in attrs:
            unit = "seconds" if self.unit == "time" else "metres"
            raise self.error(element, f"{key}.{name}", f"missing; give the step's length in {unit}")
        written, text = attrs[name.lower()]
        value = self.number(element, f"{key}.{written}", text)
        return value, self.make_end(element, f"{key}.{written}", value, self.unit)

    def make_end(self, element: Element, key: str, value: float, unit: str) -> End:
        try:
            return TimeEnd(value) if unit == "time" else DistanceEnd(value)
        except InvalidField as exc:
            raise self.error(element, key, exc.message) from exc

    def described(self, element: Element, key: str) -> _Described:
        return _describe([text.message for text in self.texts(element, key)])

    def texts(self, element: Element, key: str) -> list[_Text]:
        """The step's messages in the order they are shown."""
        found: list[_Text] = []
        counts: dict[str, int] = {}
        for child in element:
            counts[child.tag] = counts.get(child.tag, 0) + 1
            if child.tag.lower() != "textevent":
                continue
            attrs = self.attributes(child, f"{key}.{child.tag}[{counts[child.tag]}]")
            if "message" not in attrs:
                continue  # nothing to say
            offset = 0.0
            for name in ("timeoffset", "distoffset"):
                if name in attrs:
                    written, text = attrs[name]
                    where = f"{key}.{child.tag}[{counts[child.tag]}].{written}"
                    offset = self.number(child, where, text)
                    break
            found.append(_Text(offset, attrs["message"][1]))
        return sorted(found, key=lambda text: text.offset)


def _describe(messages: Sequence[str]) -> _Described:
    if messages:
        header = _HEADER.fullmatch(messages[0])
        if header:
            direction = Direction.BACKWARD if header[1] == "Backwards" else Direction.FORWARD
            return _Described(direction, Gait(header[2]), header[3] or "", "\n".join(messages[1:]))
    # A file from elsewhere: the words tell what they can.
    backward = any(_BACKWARD_WORD.search(message) for message in messages)
    direction = Direction.BACKWARD if backward else Direction.FORWARD
    gait: Gait | None = None
    for message in messages:
        word = _GAIT_WORD.search(message)
        if word:
            gait = Gait.WALK if word[1].lower().startswith("walk") else Gait.RUN
            break
    label = ""
    if messages and len(messages[0]) <= MAX_LABEL_CHARS and "\n" not in messages[0]:
        label, messages = messages[0].strip(), list(messages[1:])
    return _Described(direction, gait, label, "\n".join(messages))


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _show(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _slug(text: str) -> str:
    """A workout name from a file name or title: "Rückwärts (2)" -> "ruckwarts-2"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


# --------------------------------------------------------------------------- saving


def dump_zwo(workout: Workout) -> str:
    """The workout as a running .zwo file; loading it gives back the same steps."""
    unit = _unit_of(workout)
    elements: list[str] = []
    for element in _elements(workout.items, unit, _has_incline(workout)):
        elements.extend("    " + line for line in element)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<workout_file>",
        "  <author>retrocoach</author>",
        f"  <name>{_escape_text(workout.title)}</name>",
        f"  <description>{_escape_text(workout.description)}</description>",
        "  <sportType>run</sportType>",
        f"  <durationType>{unit}</durationType>",
        "  <workout>",
        *elements,
        "  </workout>",
        "</workout_file>",
    ]
    return "\n".join(lines) + "\n"


def save_zwo(workout: Workout, path: StrPath) -> None:
    name = os.fspath(path)
    try:
        with open(name, "w", encoding="utf-8", newline="\n") as file:
            file.write(dump_zwo(workout))
    except OSError as exc:
        raise WorkoutFileError(name, None, None, f"cannot write the file: {_reason(exc)}") from exc


def _unit_of(workout: Workout) -> str:
    """Distance when most steps (each repetition counted) end by distance, else time."""
    steps = [expanded.step for expanded in workout.expand()]
    by_distance = sum(isinstance(step.end, DistanceEnd) for step in steps)
    return "distance" if by_distance > len(steps) - by_distance else "time"


def _has_incline(workout: Workout) -> bool:
    return any(expanded.step.incline_pct != 0 for expanded in workout.expand())


def _elements(items: Sequence[Item], unit: str, inclines: bool) -> Iterator[list[str]]:
    for item in items:
        if isinstance(item, Step):
            yield _steady_state(item, unit, inclines)
        elif _fits_intervals(item, unit):
            yield _intervals(item, unit, inclines)
        else:
            for _ in range(item.times):
                yield from _elements(item.items, unit, inclines)


def _fits_intervals(repeat: Repeat, unit: str) -> bool:
    """An IntervalsT holds two steps with one incline, lengths in the workout's unit and
    speeds as Power."""
    if len(repeat.items) != 2:
        return False
    on, off = repeat.items
    if not isinstance(on, Step) or not isinstance(off, Step):
        return False
    kind = TimeEnd if unit == "time" else DistanceEnd
    return (
        isinstance(on.end, kind)
        and isinstance(off.end, kind)
        and isinstance(on.speed, RelativeSpeed)
        and isinstance(off.speed, RelativeSpeed)
        and on.incline_pct == off.incline_pct
    )


def _steady_state(step: Step, unit: str, inclines: bool) -> list[str]:
    length = _length_in(step, unit)
    attrs: list[tuple[str, str]] = [("Duration", _num(length))]
    if isinstance(step.end, TimeEnd) and unit != "time":
        attrs.append(("duration_s", _num(step.end.seconds)))
    elif isinstance(step.end, DistanceEnd) and unit != "distance":
        attrs.append(("distance_m", _num(step.end.metres)))
    attrs += [("Power", _power(step)), ("pace", str(EXPORT_PACE))]
    if isinstance(step.speed, AbsoluteSpeed):
        attrs.append(("speed_kmh", _num(step.speed.kmh)))
    if inclines:
        attrs.append(("Incline", _incline(step.incline_pct)))
    return _tag("SteadyState", attrs, _step_texts(step, 0.0, length, unit))


def _intervals(repeat: Repeat, unit: str, inclines: bool) -> list[str]:
    on, off = repeat.items
    assert isinstance(on, Step) and isinstance(off, Step)
    on_length, off_length = _length_in(on, unit), _length_in(off, unit)
    attrs = [
        ("Repeat", str(repeat.times)),
        ("OnDuration", _num(on_length)),
        ("OffDuration", _num(off_length)),
        ("OnPower", _power(on)),
        ("OffPower", _power(off)),
        ("pace", str(EXPORT_PACE)),
    ]
    if inclines:
        attrs.append(("Incline", _incline(on.incline_pct)))
    texts = _step_texts(on, 0.0, on_length, unit) + _step_texts(off, on_length, off_length, unit)
    return _tag("IntervalsT", attrs, texts)


def _step_texts(step: Step, start: float, length: float, unit: str) -> list[str]:
    """The header (direction, gait, label) at the step's start, its note shortly after."""
    offset = "timeoffset" if unit == "time" else "distoffset"
    header = f"{step.direction.word.capitalize()} {step.gait.value}"
    if step.label:
        header += f": {step.label}"
    texts = [_tag("textevent", [(offset, _num(start)), ("message", header)], [])[0]]
    if step.note:
        at = start + min(NOTE_OFFSET, length / 2)
        texts.append(_tag("textevent", [(offset, _num(at)), ("message", step.note)], [])[0])
    return texts


def _length_in(step: Step, unit: str) -> float:
    """The step's length in the workout's unit: exact, or estimated for the reference
    runner when the step ends the other way (other apps read only Duration)."""
    if isinstance(step.end, TimeEnd):
        if unit == "time":
            return step.end.seconds
        return max(1, round(step.end.seconds * _reference_kmh(step) / 3.6))
    if unit == "distance":
        return step.end.metres
    return max(1, round(step.end.metres / (_reference_kmh(step) / 3.6)))


def _reference_kmh(step: Step) -> float:
    if isinstance(step.speed, AbsoluteSpeed):
        return step.speed.kmh
    return step.speed.fraction * _own_kmh(step)


def _own_kmh(step: Step) -> float:
    """The reference runner's own pace for this step's gait and direction."""
    own = REFERENCE_WALK_KMH if step.gait is Gait.WALK else REFERENCE_RUN_KMH
    if step.direction is Direction.BACKWARD:
        own *= REFERENCE_BACKWARD_FACTOR
    return own


def _power(step: Step) -> str:
    """Power for this step: its speed for the reference runner over 9 km/h. Twelve
    significant digits bring the pace fraction back exactly to nine decimals."""
    if isinstance(step.speed, AbsoluteSpeed):
        # Read back from speed_kmh; Power is only for other apps.
        return format(round(step.speed.kmh / REFERENCE_RUN_KMH, 4), "g")
    return format(step.speed.fraction * _own_kmh(step) / REFERENCE_RUN_KMH, ".12g")


def _incline(pct: float) -> str:
    return _num(pct / 100)


def _num(value: float) -> str:
    if float(value).is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(float(value))


def _tag(name: str, attrs: Sequence[tuple[str, str]], children: Sequence[str]) -> list[str]:
    written = "".join(f' {key}="{_escape_attribute(value)}"' for key, value in attrs)
    if not children:
        return [f"<{name}{written}/>"]
    return [f"<{name}{written}>", *("  " + child for child in children), f"</{name}>"]


def _clean(text: str) -> str:
    # Characters XML cannot carry at all become U+FFFD rather than an unreadable file.
    return _NOT_XML.sub("\ufffd", text)


def _escape_text(text: str) -> str:
    text = _clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A bare carriage return would be read back as a line feed.
    return text.replace("\r", "&#13;")


def _escape_attribute(text: str) -> str:
    text = _escape_text(text).replace('"', "&quot;")
    # Line breaks and tabs in attributes are read back as spaces unless written as
    # character references.
    return text.replace("\n", "&#10;").replace("\t", "&#9;")
