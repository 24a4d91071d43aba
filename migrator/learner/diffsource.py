"""Pairs from what the developer just did: the working tree against ``HEAD``, or a patch on stdin.

Why the old side always comes from ``HEAD``: a hand migration of two or three call sites is
uncommitted work (or a patch of it), so ``HEAD`` holds the code before the change; the new side is
the working tree, or ``HEAD`` with the patch applied.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ..dataset import Pair
from . import mirror, patch
from .history import Libraries, own_packages, pairs_from_hunks


def working_tree_patch(repo: Path) -> str:
    return mirror.git(repo, "diff", "HEAD", "-U0", "--no-color", "--no-ext-diff", "--", "*.py")


def pairs_from_patch(repo: Path, text: str, libs: Libraries | None = None) -> list[Pair]:
    """Library-migration pairs of ``text`` (a unified diff against ``HEAD`` of ``repo``)."""
    hunks = list(patch.parse(text))
    by_path: dict[str, list[patch.Hunk]] = defaultdict(list)
    for h in hunks:
        by_path[h.path].append(h)
    new_texts: dict[str, str | None] = {}

    def old(h: patch.Hunk) -> str | None:
        return mirror.show(repo, "HEAD", h.path)

    def new(h: patch.Hunk) -> str | None:
        if h.path not in new_texts:
            base = old(h)
            new_texts[h.path] = None if base is None else patch.apply(base, sorted(by_path[h.path],
                                                                                     key=lambda x: x.old_start))
        return new_texts[h.path]

    return pairs_from_hunks(hunks, old, new, "worktree", libs or Libraries.known(), own_packages(repo))
