"""The one error a workout or profile file can produce, pointing at the line and key."""

from __future__ import annotations


class WorkoutFileError(Exception):
    """A workout or profile file that cannot be read, parsed or accepted.

    `key` is a dotted path with 1-based indexes, as a person counts:
    ``steps[2].steps[1].direction``. `str(err)` is ``"{path}:{line}: {key}: {message}"``,
    leaving out the parts that are None.
    """

    def __init__(self, path: str, line: int | None, key: str | None, message: str) -> None:
        super().__init__(path, line, key, message)
        self.path = path
        self.line = line
        self.key = key
        self.message = message

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        if self.key is None:
            return f"{where}: {self.message}"
        return f"{where}: {self.key}: {self.message}"
