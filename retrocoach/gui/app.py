"""Start the desktop app: Qt, the qasync event loop that bleak runs in, the main window.

PySide6's own QtAsyncio cannot run bleak (it lacks what bleak's BlueZ backend needs), so
qasync puts asyncio on the Qt event loop: Bluetooth callbacks, timers and clicks all run
on one thread and never wait for each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence

import qasync
from PySide6.QtWidgets import QApplication

from retrocoach import __version__
from retrocoach.gui.device_hub import DeviceHub
from retrocoach.gui.main_window import MainWindow
from retrocoach.userdata import UserData

log = logging.getLogger(__name__)


def _allow_sta() -> None:
    """Windows: Qt makes the GUI thread a single-threaded COM apartment; bleak's WinRT
    backend works there only when told that a Windows event loop is integrated (qasync
    is), else it refuses to run."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        from bleak.backends.winrt.util import allow_sta

        allow_sta()


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(list(argv or sys.argv))
    assert isinstance(app, QApplication)
    app.setApplicationName("retrocoach")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("retrocoach")
    _allow_sta()

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    hub = DeviceHub()
    window = MainWindow(UserData(), hub)
    window.show()
    loop.call_soon(window.startup)  # inside the running loop: Bluetooth needs it

    # Ctrl-C (SIGINT) in the terminal that started the app, or a SIGTERM (a logout), is an
    # emergency stop (rule 4); the app closes once the belt stands still.
    with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows has none
        loop.add_signal_handler(signal.SIGINT, window.interrupt)
        loop.add_signal_handler(signal.SIGTERM, window.interrupt)

    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    app.lastWindowClosed.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
        # Let the Bluetooth links go down cleanly (they would time out on the device).
        loop.run_until_complete(hub.aclose())
    return 0
