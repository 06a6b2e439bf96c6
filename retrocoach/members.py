"""Gym members: named runner profiles kept on this machine, one file each.

A gym's staff keep the members they coach in one folder (`UserData.members_dir`), one
profile file per member in the documented profile format, so a member's file can be
read, copied or edited like the person's own `profile.toml`. A member is known by name,
without regard to case ("Ana" and "ana" are the same member); the file name is only
derived from it. No account, no network: the folder is all there is. No Qt here.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from retrocoach.userdata import write_atomically
from retrocoach.workouts.errors import WorkoutFileError
from retrocoach.workouts.fileformat import dump_profile, load_profile
from retrocoach.workouts.profile import RunnerProfile

SUFFIX = ".toml"
# Long enough to tell members apart, short enough for any file system's name limit.
SLUG_MAX = 40
# Names Windows will not give to a file, whatever the suffix.
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)]
)


class MemberError(ValueError):
    """A member that cannot be saved as asked; the message is for the person."""


@dataclass(frozen=True)
class _Entry:
    profile: RunnerProfile
    path: Path


class MemberBook:
    """The members in `folder`; read afresh on every call, so a file copied in (or
    edited by hand) shows up without a restart."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[str] = []  # files that could not be read, each said once

    def _problem(self, message: str) -> None:
        # The list is read again and again (each refresh): say each thing once.
        if message not in self.problems:
            self.problems.append(message)

    # ---------------------------------------------------------------- reading

    def members(self) -> list[RunnerProfile]:
        """Every member, by name (ignoring case); an unreadable file is left out and
        said in `problems`. Never raises."""
        return [entry.profile for entry in self._entries()]

    def get(self, name: str) -> RunnerProfile | None:
        """The member called `name` (ignoring case and surrounding spaces), if any."""
        entry = self._find(self._entries(), name)
        return entry.profile if entry is not None else None

    # ---------------------------------------------------------------- writing

    def save(self, profile: RunnerProfile, *, replacing: str | None = None) -> Path:
        """Keep `profile` as a member and return its file.

        `replacing` names the member being edited: saving under a new name renames it
        (its old file goes). MemberError if the name is blank or another member's;
        OSError if the folder cannot be written (a failed write changes nothing)."""
        name = profile.name.strip()
        if not name:
            raise MemberError("A member needs a name.")
        profile = replace(profile, name=name)
        entries = self._entries()
        old = self._find(entries, replacing) if replacing is not None else None
        same = self._find(entries, name)
        if same is not None and same is not old:
            raise MemberError(
                f'There is already a member called "{same.profile.name}". '
                "Choose another name, or pick that member from the list to change them."
            )
        if old is not None and _slug(old.profile.name) == _slug(name):
            target = old.path  # the same file still fits the name (a case change, an edit)
        else:
            target = self._free_path(_slug(name))
        write_atomically(target, dump_profile(profile))
        if old is not None and old.path != target:
            # Only after the new file is in place: a failure between the two leaves the
            # member twice rather than not at all.
            old.path.unlink(missing_ok=True)
        return target

    def delete(self, name: str) -> None:
        """Forget the member called `name`; one that is not there is no error."""
        entry = self._find(self._entries(), name)
        if entry is not None:
            entry.path.unlink(missing_ok=True)

    # ---------------------------------------------------------------- helpers

    def _entries(self) -> list[_Entry]:
        try:
            paths = sorted(self.folder.glob(f"*{SUFFIX}")) if self.folder.is_dir() else []
        except OSError as exc:
            self._problem(f"{self.folder}: cannot be read ({exc.strerror or exc})")
            return []
        found: dict[str, _Entry] = {}
        for path in paths:
            try:
                profile = load_profile(path)
            except WorkoutFileError as exc:
                self._problem(f"{exc}; this member is left out")
                continue
            name = profile.name.strip()
            if not name:
                self._problem(f"{path}: name: blank; a member needs a name, so it is left out")
                continue
            first = found.get(name.casefold())
            if first is not None:
                # Two files for one name (a copy made by hand): which one `save` and
                # `delete` act on must be clear, so only the first counts.
                self._problem(
                    f'{path}: name: "{name}" is already the member in {first.path.name}; '
                    "this file is left out"
                )
                continue
            found[name.casefold()] = _Entry(replace(profile, name=name), path)
        return sorted(found.values(), key=lambda entry: entry.profile.name.casefold())

    @staticmethod
    def _find(entries: list[_Entry], name: str) -> _Entry | None:
        key = name.strip().casefold()
        return next((e for e in entries if e.profile.name.casefold() == key), None)

    def _free_path(self, slug: str) -> Path:
        """A file for a new name that no other file has: names that slug alike ("Ana",
        "ANA!") get ana.toml, ana-2.toml…, and a broken file is never written over."""
        for number in itertools.count(1):
            stem = slug if number == 1 else f"{slug}-{number}"
            path = self.folder / f"{stem}{SUFFIX}"
            if not path.exists():
                return path
        raise AssertionError("unreachable")  # itertools.count never ends


def _slug(name: str) -> str:
    """A file-name stem for a member's name: lower-case ASCII letters, digits and
    hyphens ("José Núñez" -> "jose-nunez"), "member" when nothing of it is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    slug = slug[:SLUG_MAX].rstrip("-")
    if not slug:
        return "member"
    return f"member-{slug}" if slug in _RESERVED else slug
