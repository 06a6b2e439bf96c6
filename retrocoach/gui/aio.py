"""Running a coroutine from a Qt slot, on the qasync loop the app runs on.

A slot cannot await, so it starts a task and returns. Two things go wrong with a bare
`create_task`: the loop keeps only a weak reference (a task may vanish mid-way), and an
exception is only logged when the task is garbage-collected (long after, or never).
`start_task` keeps the task alive until it is done and hands its exception to the caller's
`on_error` at once (and logs it), so a failure reaches the screen.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

_running: set[asyncio.Task[Any]] = set()  # strong references until each task is done


def start_task(
    coro: Coroutine[Any, Any, T],
    *,
    on_done: Callable[[T], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    name: str | None = None,
) -> asyncio.Task[T]:
    """Run `coro` on the running loop (RuntimeError if there is none, the coroutine is
    closed then). `on_done(result)` or `on_error(exception)` is called from the loop
    when it finishes; a cancelled task calls neither."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        coro.close()  # never "coroutine was never awaited"
        raise
    task = loop.create_task(coro, name=name)
    _running.add(task)

    def finished(done: asyncio.Task[T]) -> None:
        _running.discard(done)
        if done.cancelled():
            return
        exc = done.exception()
        if exc is None:
            if on_done is not None:
                on_done(done.result())
            return
        if on_error is None:
            log.error("task %s failed", done.get_name(), exc_info=exc)
            return
        log.info("task %s failed: %r", done.get_name(), exc)
        on_error(exc)

    task.add_done_callback(finished)
    return task


def running_tasks() -> int:
    """How many tasks started here are still running (for tests and shutdown)."""
    return len(_running)
