"""Opt-in, local record of what editor users did with each rule's quick fixes, and what it says about the rule.

Why a lock plus an atomic replace: several editor windows share one store; each update takes an
exclusive ``fcntl`` lock on a side file, reads, changes and writes a temporary file that replaces
the store in one step, so a reader never sees half a file. A store that does not parse is moved
aside (with a warning) rather than crashing the editor or silently losing the next record.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import warnings
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

from ..applicability import LEARNED_UNSAFE_REASON
from ..rules.schema import Rule

EVENTS = ("shown", "applied", "undone", "edited")
UNSAFE_AFTER_UNDOS = 1  # one undone fix: a person now reviews each rewrite
MANUAL_AFTER_UNDOS = 3  # and when undone again and again, the rule only reports


def default_path() -> Path:
    """``$XDG_CACHE_HOME/apimig/feedback.json`` (``~/.cache`` when unset): the user's cache dir, never the repo."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "apimig" / "feedback.json"


class FeedbackStore:
    """Per-rule counts of quick-fix events and the (before, after) texts of fixes edited after applying."""

    def __init__(self, path: Path | None = None, enabled: bool = False) -> None:
        self.path = path or default_path()
        self.enabled = enabled

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("rules"), dict):
                return data
        except FileNotFoundError:
            return {"rules": {}, "pairs": []}
        except (OSError, ValueError):
            pass
        aside = self.path.with_name(self.path.name + ".corrupt")
        os.replace(self.path, aside)
        warnings.warn(f"{self.path}: feedback store unreadable; moved aside to {aside}", stacklevel=3)
        return {"rules": {}, "pairs": []}

    def _write(self, data: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".feedback-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, sort_keys=True)
        os.replace(tmp, self.path)

    def record(self, rule_id: str, event: str, before: str = "", after: str = "", api: str = "",
               library: str = "") -> bool:
        """Count one event (no-op unless enabled); ``edited`` keeps the user's text as a learnable pair."""
        if event not in EVENTS:
            raise ValueError(f"unknown feedback event {event!r}; expected one of {', '.join(EVENTS)}")
        if not self.enabled:
            return False
        with self._locked():
            data = self._read()
            counts = data["rules"].setdefault(rule_id, dict.fromkeys(EVENTS, 0))
            counts[event] = counts.get(event, 0) + 1
            if event == "edited" and before and after:
                data.setdefault("pairs", []).append({"rule": rule_id, "old": before, "new": after,
                                                     "api": api or rule_id, "library": library or "unknown"})
            self._write(data)
        return True

    def stats(self) -> dict[str, dict[str, int]]:
        if not self.path.exists():
            return {}
        with self._locked():
            return dict(self._read()["rules"])

    def pairs(self) -> list[dict[str, str]]:
        if not self.path.exists():
            return []
        with self._locked():
            return list(self._read().get("pairs", []))


def adjust(rule: Rule, counts: dict[str, int]) -> Rule:
    """A learned rule's tier and confidence after the users' evidence: undo -> unsafe, then manual."""
    if rule.origin != "learned":
        return rule
    applied, undone = counts.get("applied", 0), counts.get("undone", 0)
    kept = max(applied - undone - counts.get("edited", 0), 0)
    confidence = round(rule.confidence * (kept + 1) / (applied + 1), 3) if applied else rule.confidence
    if undone >= MANUAL_AFTER_UNDOS:
        return replace(rule, tier="manual", confidence=confidence)
    if undone >= UNSAFE_AFTER_UNDOS and rule.tier == "safe":
        return replace(rule, tier="unsafe", reason=rule.reason or LEARNED_UNSAFE_REASON, confidence=confidence)
    return replace(rule, confidence=confidence)
