"""The text pre-filter: which rule names are worth looking for in a file, decided from its text.

Why: most files mention no deprecated API. A substring test for the libraries' root names and
one regex pass over identifiers skip them before parsing; for the rest, only the names that
occur (plus aliases the matcher adds from imports) are located in the tree.
"""

from __future__ import annotations

import re
from typing import Iterable

from .rules.schema import Rule

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class TextFilter:
    """Built once per rule set; ``names_in`` answers per file."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._roots: dict[str, set[str]] = {}  # a name a rule looks for -> the libraries it belongs to
        self.names: frozenset[str] = frozenset()
        names: set[str] = set()
        for r in rules:
            root = (r.receiver or r.old).split(".")[0]
            names.add(r.name)
            self._roots.setdefault(r.name, set()).add(root)
            if r.receiver is None:
                for segment in r.old.split(".")[1:]:
                    self._roots.setdefault(segment, set()).add(root)
        self.names = frozenset(names)
        self._all_roots = sorted({root for roots in self._roots.values() for root in roots})

    def names_in(self, source: str) -> set[str] | None:
        """The rule names ``source`` mentions, or None when it cannot match: no library root appears,
        or no name appears together with its library's root."""
        present = [root for root in self._all_roots if root in source]
        if not present:
            return None
        words = set(_WORD.findall(source))
        hit = any(not roots.isdisjoint(present) for name, roots in self._roots.items() if name in words)
        return set(self.names & words) if hit else None
