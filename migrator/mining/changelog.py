"""Deprecation sentences in the release notes shipped inside a release ("`X` is deprecated, use `Y`").

Each sentence is tied to the nearest version heading above it, which is the version it speaks of.
"""

from __future__ import annotations

import re
from typing import Iterator

from .candidates import Candidate, Evidence
from .messages import normalise, replacement

_HEADING = re.compile(r"^\s*(?:#+\s*|\W*)?(?:v(?:ersion)?\s*)?(\d+\.\d+(?:\.\d+)?)\b")
_SENTENCE = re.compile(r"`(?P<old>[A-Za-z_][\w.]*)(?:\(\))?`[^.`]{0,40}?\b(?P<verb>(?:is|are|has been|have been|was|were) "
                       r"(?:now )?(?P<what>deprecated|removed))", re.I)


def sentences(path: str, text: str, release: str) -> Iterator[tuple[str, Candidate]]:
    """``(version heading, candidate)`` for each deprecation or removal sentence; old is as written."""
    version = None
    for number, line in enumerate(text.splitlines(), 1):
        heading = _HEADING.match(line)
        if heading and len(line) < 80:
            version = heading.group(1)
            continue
        if version is None:
            continue
        clean = normalise(line)
        for match in _SENTENCE.finditer(clean):
            what = match.group("what").lower()
            rest = clean[match.end():]
            yield version, Candidate(
                change="removed" if what == "removed" else "deprecated", old=match.group("old"),
                replacement=replacement(rest), since=version, message=clean[:300],
                evidence=Evidence(release, path, number, "changelog", clean[:300]))
