"""The server's one concurrency mechanism: a single thread per kind of work, awaited from the loop.

Why one thread: the engine's incremental checkers and a loaded model are not re-entrant, and a
single thread runs their work in order without a lock held across it, so the event loop never
waits for a check; it only awaits its result. Checks and fixes share the ``check`` worker; the
model layer has its own, so loading or asking a model never delays diagnostics.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, TypeVar

T = TypeVar("T")


class Worker:
    def __init__(self, name: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"apimig-{name}")

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the worker after the work queued before it; await its result."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """Queue ``fn(*args)`` behind the work already queued, without waiting for it."""
        return self._pool.submit(fn, *args)
