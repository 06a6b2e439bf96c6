"""The event log (contract): JSON Lines, one object per event, flushed as it happens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from retrocoach.coach.events import Event


class EventLog:
    """Writes each event as one line and flushes it, so a crash loses nothing written."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: TextIO | None = self.path.open("w", encoding="utf-8")

    def __call__(self, event: Event) -> None:
        if self._file is None:
            return
        self._file.write(json.dumps(event.record(), ensure_ascii=False, separators=(",", ":")))
        self._file.write("\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def read_events(path: str | Path) -> list[dict[str, object]]:
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
