"""The cues heard in `retrocoach run`: the app's own cue player, on a Qt event loop.

QtMultimedia needs Qt's event loop, so a session with sound runs asyncio on it (qasync,
as the app does); without sound the plain asyncio loop is kept. Qt is imported only
when sound is wanted: `scan` or `decode` never load it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TextIO

from retrocoach.userdata import UserData

if TYPE_CHECKING:
    from retrocoach.audio import CuePlayer

log = logging.getLogger(__name__)

LAST_WORDS_S = 6.0  # the longest a session's last cue is waited for before exiting


def open_sound(speedup: float | None, err: TextIO) -> CuePlayer | None:
    """The cue player for a session at `speedup` with the person's sound settings, or
    None when a session that fast cannot be followed by ear. Nothing to hear (no
    device, no server) prints one warning and the session goes on silently."""
    from retrocoach.audio import MAX_AUDIBLE_SPEEDUP, AudioSettings, CuePlayer

    if speedup is None or speedup > MAX_AUDIBLE_SPEEDUP:
        return None
    _qt_app()
    settings = UserData().load_settings()
    player = CuePlayer.for_system(AudioSettings.of(settings))
    warning = player.warn_if_silent()
    if warning is not None:
        err.write(f"retrocoach: {warning}\n")
        err.flush()
    player.begin(speedup)
    return player


def describe_sound(player: CuePlayer | None, speedup: float | None) -> str:
    """For the header: is the session heard, and how loud."""
    from retrocoach.audio import MAX_AUDIBLE_SPEEDUP

    if player is None:
        if speedup is None or speedup > MAX_AUDIBLE_SPEEDUP:
            return f"off above {MAX_AUDIBLE_SPEEDUP:g}× real time"
        return "off (--mute)"
    if player.problem is not None:
        return f"off ({player.problem})"
    settings = player.settings
    if settings.muted:
        return "muted in the app's settings"
    parts = [p for p, on in (("voice", settings.voice), ("beeps", settings.beeps)) if on]
    return f"{' and '.join(parts) or 'nothing (voice and beeps off)'}, volume {settings.volume} %"


async def finish_sound(player: CuePlayer | None) -> None:
    """Let the last words ("Session complete") be heard before the command exits."""
    if player is None or player.problem is not None:
        return
    until = time.monotonic() + LAST_WORDS_S
    while player.queue.busy or player.queue.next_wake(time.monotonic()) is not None:
        if time.monotonic() > until:
            break
        await asyncio.sleep(0.05)
    player.stop()


def run_loop(main: Coroutine[Any, Any, int], *, qt: bool) -> int:
    """Run `main` to its end: on Qt's event loop (qasync) for sound, else plain asyncio."""
    if not qt:
        return asyncio.run(main)
    import qasync

    loop = qasync.QEventLoop(_qt_app())
    asyncio.set_event_loop(loop)
    try:
        with loop:
            result: int = loop.run_until_complete(main)
            return result
    finally:
        asyncio.set_event_loop(None)


def _qt_app() -> Any:
    from PySide6.QtCore import QCoreApplication, QtMsgType, qInstallMessageHandler

    app = QCoreApplication.instance()
    if app is None:
        # Qt's chatter about audio back-ends is for a log, not the runner's console.
        def to_log(mode: QtMsgType, _context: object, message: str) -> None:
            level = (
                logging.WARNING
                if mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
                else logging.DEBUG
            )
            log.log(level, "Qt: %s", message)

        qInstallMessageHandler(to_log)
        app = QCoreApplication(["retrocoach"])
    return app
