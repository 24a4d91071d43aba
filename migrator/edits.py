"""The one way text is edited: byte-span edits, their overlap test, and applying them.

Why one module: the codemod, the import fixer and the model layer all rewrite files; with
one applier they agree on order (back to front), on what overlaps (shared interior, not a
shared end point) and on what a line is (ends at ``\\n``, as ``Document.pos`` counts lines).
Position edits (``findings.Edit``, what editors receive) are applied by turning them into
byte edits first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True, order=True)
class Pos:
    """0-based line and 0-based column in code points (the language server converts to UTF-16)."""

    line: int
    col: int


@dataclass(frozen=True)
class Edit:
    """A ``ByteEdit`` as editors see it: replace the text between ``start`` and ``end`` with ``text``."""

    start: Pos
    end: Pos
    text: str


@dataclass(frozen=True, order=True)
class ByteEdit:
    """Replace ``data[start:end]`` with ``text`` (UTF-8 encoded on apply)."""

    start: int
    end: int
    text: str


def overlaps(a: ByteEdit, b: ByteEdit) -> bool:
    """Whether two edits touch the same bytes; edits that only meet at an end point do not."""
    return not (a.end <= b.start or a.start >= b.end)


def apply_bytes(data: bytes, edits: Iterable[ByteEdit]) -> bytes:
    """Apply non-overlapping edits, back to front so earlier offsets stay valid."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for a, b in zip(ordered, ordered[1:]):
        if overlaps(a, b):
            raise ValueError(f"overlapping edits at bytes {a.start}-{a.end} and {b.start}-{b.end}")
    out = data
    for e in reversed(ordered):
        out = out[: e.start] + e.text.encode("utf-8", "surrogatepass") + out[e.end:]
    return out


def apply_text(source: str, edits: Iterable[ByteEdit]) -> str:
    """``apply_bytes`` for a text held as ``str`` (lone surrogates survive the round trip)."""
    return apply_bytes(source.encode("utf-8", "surrogatepass"), edits).decode("utf-8", "surrogatepass")


def split_lines(source: str) -> list[str]:
    """Lines with their endings; only ``\\n`` ends a line (``\\r\\n`` stays one ending)."""
    lines = source.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def byte_offset(source: str, pos: Pos) -> int:
    """The byte offset of a 0-based (line, code-point column) position; past the end clamps to the end."""
    lines = split_lines(source)
    before = sum(len(line.encode("utf-8", "surrogatepass")) for line in lines[: pos.line])
    if pos.line >= len(lines):
        return before
    return before + len(lines[pos.line][: pos.col].encode("utf-8", "surrogatepass"))


def apply_positioned(source: str, edits: Iterable[Edit]) -> str:
    """Apply position edits (a ``Fix``'s edits) to ``source``."""
    return apply_text(source, [ByteEdit(byte_offset(source, e.start), byte_offset(source, e.end), e.text)
                               for e in edits])
