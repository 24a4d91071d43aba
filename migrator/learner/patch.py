"""Unified diffs as data: parse ``git diff``/``git log -p`` output into hunks and apply them to a file's text.

Why one parser: ``learn --git`` reads ``git log -p``, ``learn --diff`` reads ``git diff`` or a patch on
stdin, and bench/realworld/collect.py scans history the same way; all three go through ``parse``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
COMMIT_MARK = "@@@COMMIT "  # the ``--format`` line ``log`` asks git for: ``@@@COMMIT <sha> <parents>`` then the subject


class PatchError(ValueError):
    """A patch that does not apply to the text it names; carries the 1-based line of the patch."""


@dataclass
class Hunk:
    path: str
    old_start: int  # 1-based, as in the ``@@`` header
    old_len: int
    new_start: int
    new_len: int
    body: list[str] = field(default_factory=list)  # lines with their ' ', '-', '+' prefix
    commit: str = ""
    parents: str = ""
    subject: str = ""
    line: int = 0  # 1-based line of the ``@@`` header in the patch

    @property
    def removed(self) -> list[str]:
        return [ln[1:] for ln in self.body if ln.startswith("-")]

    @property
    def added(self) -> list[str]:
        return [ln[1:] for ln in self.body if ln.startswith("+")]

    @property
    def parent(self) -> str:
        return self.parents.split(" ")[0] if self.parents else ""


def parse(text: str) -> Iterator[Hunk]:
    """Every hunk of a unified diff (several files, and several commits when ``COMMIT_MARK`` lines are present)."""
    commit = parents = subject = path = ""
    current: Hunk | None = None
    expect_subject = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(COMMIT_MARK):
            if current is not None:
                yield current
            current = None
            _, commit, *rest = line.split(" ")
            parents, expect_subject = " ".join(rest), True
            continue
        if expect_subject:
            subject, expect_subject = line, False
            continue
        if line.startswith("diff --git "):
            if current is not None:
                yield current
            current, path = None, ""
        elif current is None and line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else ""
        elif current is None and line.startswith("--- "):
            continue
        elif (m := HUNK.match(line)) is not None:
            if current is not None:
                yield current
            current = Hunk(path, int(m.group(1)), int(m.group(2) or 1), int(m.group(3)), int(m.group(4) or 1),
                           commit=commit, parents=parents, subject=subject, line=number) if path else None
        elif current is not None and line[:1] in (" ", "-", "+"):
            current.body.append(line)
    if current is not None:
        yield current


def apply(old: str, hunks: list[Hunk]) -> str:
    """``old`` with ``hunks`` (all of one file, in order) applied; each hunk's old lines must match."""
    lines = old.splitlines(keepends=True)
    out: list[str] = []
    pos = 0
    for h in hunks:
        start = h.old_start - 1 if h.old_len else h.old_start
        expected = [ln[1:] for ln in h.body if ln[:1] in (" ", "-")]
        if start < pos or [ln.rstrip("\r\n") for ln in lines[start:start + len(expected)]] != expected:
            raise PatchError(f"hunk at patch line {h.line} does not apply to {h.path}")
        out += lines[pos:start]
        out += [ln[1:] + "\n" for ln in h.body if ln[:1] in (" ", "+")]
        pos = start + len(expected)
    out += lines[pos:]
    return "".join(out)
