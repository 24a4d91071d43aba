"""One progress bar for long runs on a terminal: done/total, rate and ETA, redrawn at most 10 times a second.

Hand-written (a dozen lines) so the core does not depend on tqdm or rich for one line of output."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60:d}:{seconds % 60:02d}"


def bar_line(done: int, total: int, elapsed: float, *, unit: str = "files", width: int = 30) -> str:
    """The text of the bar, e.g. ``[#####     ] 10/20 files 4.1 files/s ETA 0:02``."""
    filled = int(width * done / total) if total else width
    rate = done / elapsed if elapsed > 0 else 0.0
    eta = _clock((total - done) / rate) if rate > 0 else "?"
    return f"[{'#' * filled}{' ' * (width - filled)}] {done}/{total} {unit} {rate:.1f} {unit}/s ETA {eta}"


class Progress:
    """Call :meth:`step` once per item; draws on ``stream`` only when enabled and there is more than one item."""

    def __init__(self, total: int, enabled: bool, *, unit: str = "files", stream: TextIO | None = None) -> None:
        self.total, self.enabled, self.done, self.unit = total, enabled and total > 1, 0, unit
        self.stream = stream or sys.stderr
        self._start = time.monotonic()
        self._last = 0.0
        self._width = 0

    def step(self) -> None:
        self.done += 1
        now = time.monotonic()
        if not self.enabled or (now - self._last <= 0.1 and self.done != self.total):
            return
        self._last = now
        line = bar_line(self.done, self.total, now - self._start, unit=self.unit)
        self._width = max(self._width, len(line))
        self.stream.write("\r" + line)
        if self.done == self.total:
            self.stream.write("\r" + " " * self._width + "\r")
        self.stream.flush()
