"""Shared test settings: Qt draws offscreen, `support` (this folder) is importable, and
hypothesis runs a quick profile by default (HYPOTHESIS_PROFILE=thorough for many more
examples, e.g. before a release)."""

import asyncio
import gc
import os
from collections.abc import Iterator
from typing import Any

import pytest
import qasync
from hypothesis import HealthCheck, settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def garbage_collected_here() -> Iterator[None]:
    """What a test leaves in reference cycles (a simulated station and the widgets and
    players hanging off it) is freed here, on the main thread, after the test: left to
    the collector, it is freed wherever the collector next runs, which may be a session
    writer's thread, and a QObject deleted there can crash the process."""
    yield
    gc.collect()
    # What survived is kept out of later collections: each test's collection then looks
    # at that test's objects only, not at everything the session has built up.
    gc.freeze()


@pytest.fixture(autouse=True)
def private_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: Any) -> None:
    """No test reads or writes the person's own settings or saved sessions: the
    platform's folders point into a fresh temporary home for each test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))


@pytest.fixture
def loop(qapp: Any) -> Iterator[qasync.QEventLoop]:
    """The app's event loop: asyncio on Qt's (qasync), so bleak, dbus-fast and the
    widgets share it. Run a test's body with `loop.run_until_complete(...)` and wait
    with asyncio sleeps (qtbot.waitUntil does not let qasync tasks progress)."""
    event_loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    pending = asyncio.all_tasks(event_loop)
    for task in pending:
        task.cancel()
    if pending:
        event_loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    asyncio.set_event_loop(None)
    event_loop.close()
