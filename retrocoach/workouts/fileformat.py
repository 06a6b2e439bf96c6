"""Workouts and runner profiles as TOML files that people edit by hand.

Reading uses `tomllib`, writing `tomli_w`. Every problem with a file, from a missing
file through a TOML syntax error to a speed out of range, is raised as one
`WorkoutFileError` naming the file, the line, the key (``steps[2].steps[1].direction``)
and what is wrong. The format is documented in docs/workout-format.md.

Saving is lossless: ``loads_workout(dump_workout(w)) == w`` for every valid workout, and
the same for profiles.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import difflib
import json
import math
import os
import re
import tomllib
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import tomli_w

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
from retrocoach.workouts.profile import KMH_PER_MPH, RunnerProfile, Units

__all__ = [
    "FORMAT_VERSION",
    "WorkoutFileError",
    "dump_profile",
    "dump_workout",
    "load_profile",
    "load_workout",
    "loads_profile",
    "loads_workout",
    "save_profile",
    "save_workout",
]

FORMAT_VERSION = 1

StrPath = str | os.PathLike[str]
# A key path inside a TOML document: table keys and 0-based array indexes.
KeyPath = tuple[str | int, ...]

WORKOUT_KEYS = ("format", "name", "title", "description", "steps")
END_KEYS = ("duration_s", "duration_min", "distance_m", "distance_km")
SPEED_KEYS = ("pace", "speed_kmh", "speed_mph")
STEP_KEYS = ("label", "direction", "gait", *END_KEYS, *SPEED_KEYS, "incline_pct", "note")
REPEAT_KEYS = ("repeat", "label", "steps")
# Step keys first: a typo such as "speeed" is offered "speed_kmh", the first of equals.
ITEM_KEYS = (*STEP_KEYS, "repeat", "steps")
PROFILE_FIELDS = tuple(f.name for f in dataclasses.fields(RunnerProfile))
PROFILE_KEYS = ("format", *PROFILE_FIELDS)
WHOLE_PROFILE_KEYS = ("hr_max", "hr_rest", "hr_ceiling")

# How many seconds / metres one unit of each end key is.
_END_SCALE = {"duration_s": 1, "duration_min": 60, "distance_m": 1, "distance_km": 1000}
_END_UNIT = {"duration_s": "s", "duration_min": "min", "distance_m": "m", "distance_km": "km"}
# Converted values are rounded to this many decimals, so "distance_km = 1.1" is 1100 m
# and not 1100.0000000000002 m.
_CONVERSION_DIGITS = 6

_PROFILE_COMMENTS = {
    "name": "shown in the app and in session records",
    "walk_kmh": "your comfortable forward walking speed",
    "run_kmh": "your easy forward running speed",
    "backward_factor": "backward speed for the same effort, as a fraction of forward",
    "backward_max_kmh": "never faster than this when going backward",
    "forward_max_kmh": "never faster than this when going forward",
    "hr_max": "maximum heart rate, beats per minute",
    "hr_rest": "resting heart rate, beats per minute",
    "hr_ceiling": "the coach slows the belt above this heart rate",
    "turn_speed_kmh": "belt speed while turning around",
    "turn_time_s": "seconds allowed for a turn-around",
    "units": '"kmh" or "mph": how speeds are shown and spoken',
}


# --------------------------------------------------------------------------- loading


def load_workout(path: StrPath) -> Workout:
    """Read a workout file; any problem is a `WorkoutFileError`."""
    name = os.fspath(path)
    return loads_workout(_read_text(name), name)


def loads_workout(text: str, path: str = "<string>") -> Workout:
    """Parse workout TOML; `path` only names the text in error messages."""
    reader = _Reader(text, path)
    return reader.workout(reader.parse())


def load_profile(path: StrPath) -> RunnerProfile:
    """Read a runner profile file; any problem is a `WorkoutFileError`."""
    name = os.fspath(path)
    return loads_profile(_read_text(name), name)


def loads_profile(text: str, path: str = "<string>") -> RunnerProfile:
    """Parse runner-profile TOML; `path` only names the text in error messages."""
    reader = _Reader(text, path)
    return reader.profile(reader.parse())


def _read_text(path: str) -> str:
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as exc:
        raise WorkoutFileError(
            path, None, None, f"cannot read the file: {_os_reason(exc)}"
        ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise WorkoutFileError(
            path, line, None, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        ) from exc


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


# --------------------------------------------------------------------------- saving


def dump_workout(workout: Workout) -> str:
    """The workout as TOML text, canonical and tidy; loading it gives `workout` back."""
    lines = [_pair("format", FORMAT_VERSION), _pair("name", workout.name)]
    lines.append(_pair("title", workout.title))
    if workout.description:
        lines.append(_pair("description", workout.description))
    _dump_items(lines, workout.items, ("steps",))
    return "\n".join(lines) + "\n"


def save_workout(workout: Workout, path: StrPath) -> None:
    _write_text(os.fspath(path), dump_workout(workout))


def dump_profile(profile: RunnerProfile) -> str:
    """The profile as TOML text with every key written out and a comment for each."""
    pairs = [_pair("format", FORMAT_VERSION)]
    for key in PROFILE_FIELDS:
        value = getattr(profile, key)
        if isinstance(value, Units):
            value = value.value
        elif key in WHOLE_PROFILE_KEYS:
            value = _tidy_number(value)
        pairs.append(_pair(key, value))
    width = max(len(pair) for pair in pairs if "\n" not in pair) + 2
    lines = [pairs[0]]
    for key, pair in zip(PROFILE_FIELDS, pairs[1:], strict=True):
        comment = _PROFILE_COMMENTS.get(key)
        # A comment after a multi-line string would land on its last line; leave it out.
        if comment and "\n" not in pair:
            pair = f"{pair.ljust(width)}# {comment}"
        lines.append(pair)
    return "\n".join(lines) + "\n"


def save_profile(profile: RunnerProfile, path: StrPath) -> None:
    _write_text(os.fspath(path), dump_profile(profile))


def _write_text(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
    except OSError as exc:
        raise WorkoutFileError(
            path, None, None, f"cannot write the file: {_os_reason(exc)}"
        ) from exc


def _dump_items(lines: list[str], items: Sequence[Item], names: tuple[str, ...]) -> None:
    indent = "  " * (len(names) - 1)
    header = f"{indent}[[{'.'.join(names)}]]"
    for item in items:
        lines.append("")
        lines.append(header)
        if isinstance(item, Repeat):
            lines.append(indent + _pair("repeat", item.times))
            if item.label:
                lines.append(indent + _pair("label", item.label))
            _dump_items(lines, item.items, (*names, "steps"))
        else:
            lines.extend(indent + _pair(key, value) for key, value in _step_pairs(item))


def _step_pairs(step: Step) -> list[tuple[str, object]]:
    pairs: list[tuple[str, object]] = []
    if step.label:
        pairs.append(("label", step.label))
    pairs.append(("direction", step.direction.value))
    pairs.append(("gait", step.gait.value))
    pairs.append(_end_pair(step.end))
    if isinstance(step.speed, AbsoluteSpeed):
        pairs.append(("speed_kmh", _tidy_number(step.speed.kmh)))
    elif step.speed.fraction != 1:
        pairs.append(("pace", _tidy_number(step.speed.fraction)))
    if step.incline_pct != 0:
        pairs.append(("incline_pct", _tidy_number(step.incline_pct)))
    if step.note:
        pairs.append(("note", step.note))
    return pairs


def _end_pair(end: End) -> tuple[str, object]:
    if isinstance(end, TimeEnd):
        if end.seconds % 60 == 0:
            return "duration_min", _tidy_number(end.seconds / 60)
        return "duration_s", _tidy_number(end.seconds)
    if end.metres % 1000 == 0:
        return "distance_km", _tidy_number(end.metres / 1000)
    return "distance_m", _tidy_number(end.metres)


def _tidy_number(value: float) -> float:
    """5.0 -> 5 (equal, and nicer to read); anything else unchanged."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _pair(key: str, value: object) -> str:
    # Multi-line strings read best, but tomli_w turns "\r\n" into "\n" in them.
    multiline = isinstance(value, str) and "\n" in value and "\r" not in value
    return tomli_w.dumps({key: value}, multiline_strings=multiline).rstrip("\n")


# --------------------------------------------------------------------------- checking


class _Reader:
    """Turns parsed TOML into model objects, raising errors that point into the text."""

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.locator = _Locator(text)

    def error(self, where: KeyPath, message: str) -> WorkoutFileError:
        key = _key_name(where) if where else None
        return WorkoutFileError(self.path, self.locator.line(where), key, message)

    def parse(self) -> dict[str, Any]:
        try:
            return tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            raise self.syntax_error(str(exc)) from exc

    def syntax_error(self, reason: str) -> WorkoutFileError:
        line: int | None = None
        at_line = re.search(r"\s*\(at line (\d+), column (\d+)\)$", reason)
        at_end = re.search(r"\s*\(at end of document\)$", reason)
        if at_line:
            line, column = int(at_line[1]), int(at_line[2])
            reason = f"{reason[: at_line.start()]} (column {column})"
            if reason.startswith("Invalid value") and self.bare_word_at(line, column):
                reason += '; put text in "double quotes"'
        elif at_end:
            # The last line that has anything on it; TOML counts lines by "\n" alone.
            line = max(1, len(self.text.rstrip("\n").split("\n")))
            reason = f"{reason[: at_end.start()]} (at the end of the file)"
        reason = reason[:1].lower() + reason[1:]
        return WorkoutFileError(self.path, line, None, f"not valid TOML: {reason}")

    def bare_word_at(self, line: int, column: int) -> bool:
        """Whether an unquoted word, such as `backward` for "backward", starts there."""
        lines = self.text.split("\n")
        if not 1 <= line <= len(lines):
            return False
        word = re.match(r"[A-Za-z_]\w*", lines[line - 1][column - 1 :])
        return word is not None and word.group() not in ("true", "false", "inf", "nan")

    # Values.

    def check_keys(self, where: KeyPath, table: dict[str, Any], allowed: Sequence[str]) -> None:
        for key in table:
            if key not in allowed:
                guess = _suggest(key, allowed)
                if guess:
                    hint = f"did you mean {_show(guess)}?"
                else:
                    hint = f"use one of {', '.join(allowed)}"
                raise self.error((*where, key), f"unknown key {_show(key)}; {hint}")

    def check_format(self, data: dict[str, Any]) -> None:
        if "format" not in data:
            return
        value = data["format"]
        if isinstance(value, bool) or value != FORMAT_VERSION:
            raise self.error(
                ("format",),
                f"unsupported format {_show(value)}; this version reads format = {FORMAT_VERSION}",
            )

    def number(self, where: KeyPath, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(where, f"must be a number, not {_show(value)}")
        if not math.isfinite(value):
            raise self.error(where, f"must be a finite number, not {_show(value)}")
        return value

    def whole(self, where: KeyPath, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(where, f"must be a whole number, not {_show(value)}")
        return value

    def string(self, where: KeyPath, value: object) -> str:
        if not isinstance(value, str):
            raise self.error(where, f"must be a string in quotes, not {_show(value)}")
        return value

    def table(self, where: KeyPath, value: object) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(where, f"must be a table, not {_show(value)}")
        return value

    # Workouts.

    def workout(self, data: dict[str, Any]) -> Workout:
        self.check_keys((), data, WORKOUT_KEYS)
        self.check_format(data)
        if "name" not in data:
            raise self.error(
                ("name",), "missing; give the workout a name of lower-case letters, digits and '-'"
            )
        name = self.string(("name",), data["name"])
        if "title" not in data:
            raise self.error(("title",), "missing; give the workout a title")
        title = self.string(("title",), data["title"])
        description = self.string(("description",), data.get("description", ""))
        if "steps" not in data:
            raise self.error(("steps",), "missing; a workout needs at least one [[steps]] table")
        items = self.items(("steps",), data["steps"])
        try:
            return Workout(name=name, title=title, items=items, description=description)
        except InvalidField as exc:
            key = {"items": "steps"}.get(exc.field, exc.field)
            raise self.error((key,), exc.message) from exc

    def items(self, where: KeyPath, value: object) -> tuple[Item, ...]:
        header = _header(where)
        if not isinstance(value, list):
            raise self.error(where, f"must be an array of tables ({header}), not {_show(value)}")
        return tuple(self.item((*where, index), element) for index, element in enumerate(value))

    def item(self, where: KeyPath, value: object) -> Item:
        table = self.table(where, value)
        self.check_keys(where, table, ITEM_KEYS)
        if "repeat" in table:
            return self.repeat(where, table)
        return self.step(where, table)

    def repeat(self, where: KeyPath, table: dict[str, Any]) -> Repeat:
        inner = _header((*where, "steps"))
        for key in table:
            if key not in REPEAT_KEYS:
                raise self.error(
                    (*where, key),
                    f"a repeat cannot have {_show(key)}; put it in the steps it repeats ({inner})",
                )
        times = self.whole((*where, "repeat"), table["repeat"])
        label = self.string((*where, "label"), table.get("label", ""))
        if "steps" not in table:
            raise self.error(
                (*where, "steps"),
                f"missing; a repeat needs the steps it repeats, as {inner} tables",
            )
        items = self.items((*where, "steps"), table["steps"])
        try:
            return Repeat(times=times, items=items, label=label)
        except InvalidField as exc:
            key = {"times": "repeat", "items": "steps"}.get(exc.field, exc.field)
            raise self.error((*where, key), exc.message) from exc

    def step(self, where: KeyPath, table: dict[str, Any]) -> Step:
        if "steps" in table:
            raise self.error(
                (*where, "steps"),
                f'a step cannot have steps of its own; add "repeat = N" to its {_header(where)} '
                "table to make it a repeat",
            )
        label = self.string((*where, "label"), table.get("label", ""))
        direction = Direction(
            self.choice(where, table, "direction", "a direction", _values(Direction))
        )
        gait = Gait(self.choice(where, table, "gait", "a gait", _values(Gait)))
        end = self.end(where, table)
        speed = self.speed(where, table)
        incline = self.number((*where, "incline_pct"), table.get("incline_pct", 0.0))
        note = self.string((*where, "note"), table.get("note", ""))
        try:
            return Step(direction, gait, end, speed, incline_pct=incline, label=label, note=note)
        except InvalidField as exc:
            raise self.error((*where, exc.field), exc.message) from exc

    def choice(
        self, where: KeyPath, table: dict[str, Any], key: str, what: str, options: Sequence[str]
    ) -> str:
        choices = " or ".join(_show(option) for option in options)
        if key not in table:
            raise self.error((*where, key), f"missing; use {choices}")
        value = table[key]
        if not isinstance(value, str) or value not in options:
            raise self.error((*where, key), f"{_show(value)} is not {what}; use {choices}")
        return value

    def end(self, where: KeyPath, table: dict[str, Any]) -> End:
        used = [key for key in table if key in END_KEYS]
        if len(used) != 1:
            found = _and(used) if used else "none"
            spot = (*where, used[1]) if used else where
            raise self.error(spot, f"give exactly one of {', '.join(END_KEYS)} (found {found})")
        key = used[0]
        value = self.number((*where, key), table[key])
        scale = _END_SCALE[key]
        amount = value if scale == 1 else round(value * scale, _CONVERSION_DIGITS)
        try:
            return TimeEnd(amount) if key.startswith("duration") else DistanceEnd(amount)
        except InvalidField as exc:
            message = exc.message
            if scale != 1:
                message += f" ({_show(value)} {_END_UNIT[key]})"
            raise self.error((*where, key), message) from exc

    def speed(self, where: KeyPath, table: dict[str, Any]) -> Speed:
        used = [key for key in table if key in SPEED_KEYS]
        if not used:
            return RelativeSpeed()
        if len(used) > 1:
            raise self.error(
                (*where, used[1]),
                f"give at most one of {', '.join(SPEED_KEYS)} (found {_and(used)})",
            )
        key = used[0]
        value = self.number((*where, key), table[key])
        try:
            if key == "pace":
                return RelativeSpeed(value)
            if key == "speed_kmh":
                return AbsoluteSpeed(value)
            return AbsoluteSpeed(round(value * KMH_PER_MPH, _CONVERSION_DIGITS))
        except InvalidField as exc:
            message = exc.message
            if key == "speed_mph":
                message += f" ({_show(value)} mph)"
            raise self.error((*where, key), message) from exc

    # Profiles.

    def profile(self, data: dict[str, Any]) -> RunnerProfile:
        self.check_keys((), data, PROFILE_KEYS)
        self.check_format(data)
        values: dict[str, Any] = {}
        for key, value in data.items():
            where = (key,)
            if key == "format":
                continue
            if key == "name":
                values[key] = self.string(where, value)
            elif key == "units":
                units = " or ".join(_show(unit.value) for unit in Units)
                if not isinstance(value, str) or value not in {unit.value for unit in Units}:
                    raise self.error(where, f"{_show(value)} is not a unit; use {units}")
                values[key] = Units(value)
            elif key in WHOLE_PROFILE_KEYS:
                values[key] = self.whole(where, value)
            else:
                values[key] = self.number(where, value)
        try:
            return RunnerProfile(**values)
        except InvalidField as exc:
            message = exc.message
            if exc.field not in data and exc.field in PROFILE_FIELDS:
                default = getattr(RunnerProfile(), exc.field)
                message += f"; {exc.field} is not in the file, so its default {default} applies"
            raise self.error((exc.field,), message) from exc


def _values(options: type[StrEnum]) -> tuple[str, ...]:
    return tuple(option.value for option in options)


def _header(where: KeyPath) -> str:
    """The array-of-tables header for a key path: ("steps", 2, "steps") -> [[steps.steps]]."""
    return "[[" + ".".join(part for part in where if isinstance(part, str)) + "]]"


def _key_name(where: KeyPath) -> str:
    """("steps", 2, "steps", 0, "direction") -> "steps[3].steps[1].direction"."""
    text = ""
    for part in where:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            name = part if _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False)
            text += f".{name}" if text else name
    return text


def _show(value: object) -> str:
    """A value as it would be written in TOML, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)


def _and(words: Sequence[str]) -> str:
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _suggest(word: str, choices: Sequence[str], cutoff: float = 0.6) -> str | None:
    """The closest of `choices` to a misspelt key, the first of equally close ones."""
    best: str | None = None
    best_ratio = cutoff
    for choice in choices:
        ratio = difflib.SequenceMatcher(None, word.lower(), choice).ratio()
        if ratio > best_ratio or (best is None and ratio == best_ratio):
            best, best_ratio = choice, ratio
    return best


# --------------------------------------------------------------------------- line numbers

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR = re.compile(r"[^,\]}\r\n#]+")


class _ScanError(Exception):
    """The locator met text it does not follow; the lines found so far still count."""


class _Locator:
    """Finds the line of each key path in TOML text, which tomllib does not report.

    It follows ``[table]`` and ``[[array.of.tables]]`` headers (a ``[[steps.steps]]``
    header belongs to the last ``[[steps]]`` so far), ``key = value`` lines, dotted
    keys, and the keys and elements of inline tables and arrays. A key path that was
    not found gets the line of its nearest located ancestor, such as its table header.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self.lines: dict[KeyPath, int] = {}
        self.array_lengths: dict[KeyPath, int] = {}
        with contextlib.suppress(_ScanError, IndexError, ValueError):
            self.scan()

    def line(self, where: KeyPath) -> int | None:
        for end in range(len(where), 0, -1):
            found = self.lines.get(where[:end])
            if found is not None:
                return found
        return None

    def line_at(self, pos: int) -> int:
        return bisect.bisect_right(self.line_starts, pos)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, token: str) -> None:
        if not self.text.startswith(token, self.pos):
            raise _ScanError(token)
        self.pos += len(token)

    def skip(self, *, newlines: bool) -> None:
        """Skip spaces and comments, and line ends too if `newlines`."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t" or (newlines and char in "\r\n"):
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def note(self, where: KeyPath, line: int) -> None:
        self.lines.setdefault(where, line)

    def scan(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip(newlines=True)
            if self.pos >= len(self.text):
                return
            start = self.pos
            if self.text.startswith("[[", start):
                self.pos += 2
                parts = self.key()
                self.expect("]]")
                table = self.open(parts, self.line_at(start), array=True)
            elif self.peek() == "[":
                self.pos += 1
                parts = self.key()
                self.expect("]")
                table = self.open(parts, self.line_at(start), array=False)
            else:
                self.key_value(table)
            self.skip(newlines=False)
            if self.pos < len(self.text) and self.peek() not in "\r\n":
                raise _ScanError("junk after a statement")

    def open(self, parts: list[str], line: int, *, array: bool) -> KeyPath:
        where: KeyPath = ()
        for index, part in enumerate(parts):
            where = (*where, part)
            self.note(where, line)
            if index < len(parts) - 1 and where in self.array_lengths:
                where = (*where, self.array_lengths[where] - 1)
        if array:
            length = self.array_lengths.get(where, 0)
            self.array_lengths[where] = length + 1
            where = (*where, length)
            self.note(where, line)
        return where

    def key_value(self, table: KeyPath) -> None:
        line = self.line_at(self.pos)
        where = table
        for part in self.key():
            where = (*where, part)
            self.note(where, line)
        self.expect("=")
        self.skip(newlines=False)
        self.value(where)

    def key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip(newlines=False)
            start = self.pos
            if self.peek() == '"':
                self.basic_string()
                parts.append(tomllib.loads("k = " + self.text[start : self.pos])["k"])
            elif self.peek() == "'":
                self.literal_string()
                parts.append(self.text[start + 1 : self.pos - 1])
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if not match:
                    raise _ScanError("no key")
                parts.append(match.group())
                self.pos = match.end()
            self.skip(newlines=False)
            if self.peek() != ".":
                return parts
            self.pos += 1

    def value(self, where: KeyPath) -> None:
        if self.text.startswith('"""', self.pos) or self.text.startswith("'''", self.pos):
            self.multiline_string()
        elif self.peek() == '"':
            self.basic_string()
        elif self.peek() == "'":
            self.literal_string()
        elif self.peek() == "[":
            self.array(where)
        elif self.peek() == "{":
            self.inline_table(where)
        else:
            match = _SCALAR.match(self.text, self.pos)
            if not match:
                raise _ScanError("no value")
            self.pos = match.end()

    def array(self, where: KeyPath) -> None:
        self.expect("[")
        index = 0
        while True:
            self.skip(newlines=True)
            if self.peek() == "]":
                self.pos += 1
                return
            element = (*where, index)
            self.note(element, self.line_at(self.pos))
            self.value(element)
            index += 1
            self.skip(newlines=True)
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "]":
                raise _ScanError("bad array")

    def inline_table(self, where: KeyPath) -> None:
        self.expect("{")
        while True:
            self.skip(newlines=True)
            if self.peek() == "}":
                self.pos += 1
                return
            self.key_value(where)
            self.skip(newlines=True)
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "}":
                raise _ScanError("bad inline table")

    def basic_string(self) -> None:
        self.expect('"')
        while True:
            char = self.text[self.pos]
            if char == "\\":
                self.pos += 2
            elif char == '"':
                self.pos += 1
                return
            elif char == "\n":
                raise _ScanError("unclosed string")
            else:
                self.pos += 1

    def literal_string(self) -> None:
        self.expect("'")
        end = self.text.find("'", self.pos)
        if end < 0:
            raise _ScanError("unclosed string")
        self.pos = end + 1

    def multiline_string(self) -> None:
        quote = self.text[self.pos]
        delimiter = quote * 3
        self.pos += 3
        while True:
            char = self.text[self.pos]
            if char == "\\" and quote == '"':
                self.pos += 2
            elif self.text.startswith(delimiter, self.pos):
                self.pos += 3
                # Up to two quotes right before the delimiter belong to the string.
                for _ in range(2):
                    if self.peek() == quote:
                        self.pos += 1
                return
            else:
                self.pos += 1
