"""Put a candidate's text in place of the finding's lines, hoisting the imports it brings.

Why separate: the router, the validator and the benchmark all need the same candidate
source, and the same minimal line edits to show it as a ``Fix``.
"""

from __future__ import annotations

import difflib
import re
import textwrap

from apimig.migrator.edits import Edit, Pos, split_lines
from apimig.migrator.findings import Finding
from apimig.migrator.hybrid.proposer import Candidate, region_lines

_IMPORT = re.compile(r"^(import\s+[\w.]+(\s+as\s+\w+)?(\s*,\s*[\w.]+(\s+as\s+\w+)?)*|from\s+[\w.]+\s+import\s+[\w., ()]+?)\s*$")


def is_import_line(line: str) -> bool:
    return bool(_IMPORT.match(line.strip())) and not line[:1].isspace()


def _insert_at(lines: list[str]) -> int:
    """Line index after the last top-level import (or after a module docstring/__future__)."""
    last = -1
    for i, line in enumerate(lines):
        if is_import_line(line.rstrip("\r\n")):
            last = i
    return last + 1


def splice(source: str, finding: Finding, candidate: Candidate | str) -> str:
    """The full new source; leading import lines of the candidate go to the module's imports."""
    text = candidate.text if isinstance(candidate, Candidate) else candidate
    newline = "\r\n" if "\r\n" in source else "\n"
    lines = split_lines(source)
    first, last = region_lines(finding)
    old_region = lines[first : last + 1]
    indent = re.match(r"[ \t]*", old_region[0] if old_region else "").group(0)  # type: ignore[union-attr]
    body = text.strip("\n").splitlines()
    imports: list[str] = []
    region_is_import = bool(old_region) and is_import_line(old_region[0].rstrip("\r\n"))
    while body and not region_is_import and is_import_line(body[0]):
        imports.append(body.pop(0).strip())
    new_region = textwrap.indent(textwrap.dedent("\n".join(body)), indent, lambda s: bool(s.strip()))
    ends_with_newline = bool(old_region) and old_region[-1].endswith(("\n", "\r"))
    region_text = new_region + (newline if ends_with_newline or last + 1 < len(lines) else "")
    out = lines[:first] + ([region_text] if new_region else []) + lines[last + 1 :]
    existing = {l.strip() for l in lines}
    fresh = [imp + newline for imp in dict.fromkeys(imports) if imp not in existing]
    if fresh:
        at = min(_insert_at(lines[:first]), first)
        out = out[:at] + fresh + out[at:]
    return "".join(out)


def line_edits(old: str, new: str) -> tuple[Edit, ...]:
    """Minimal whole-line edits turning ``old`` into ``new`` (non-overlapping, in order)."""
    a, b = split_lines(old), split_lines(new)
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            edits.append(Edit(Pos(i1, 0), Pos(i2, 0), "".join(b[j1:j2])))
    return tuple(edits)


def map_line(old: str, new: str, line: int) -> int | None:
    """Where an unchanged line of ``old`` sits in ``new`` (None when it was edited)."""
    a, b = _bare_lines(old), _bare_lines(new)
    for tag, i1, i2, j1, _ in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if i1 <= line < i2:
            return j1 + (line - i1) if tag == "equal" else None
    return None


def _bare_lines(source: str) -> list[str]:
    """Lines without their endings, counted as findings count them (``edits.split_lines``)."""
    return [line.rstrip("\r\n") for line in split_lines(source)]
