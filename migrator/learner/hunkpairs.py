"""Turn one changed hunk of a file into a small (old, new) pair the aligner can read.

Why the enclosing statement: a hunk's lines cut through expressions, and a whole file carries
unrelated changes. The smallest statement(s) that cover the hunk on each side, dedented and
preceded by the file's imports, keep the names resolvable (so ``np.trapz`` still means
``numpy.trapz``) while nothing else from the commit leaks into the pair.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass

from .align import Observation, observe

MAX_STATEMENT_LINES = 40  # a larger enclosing statement is a rewrite, not a call-site migration


@dataclass(frozen=True)
class Snippets:
    old: str
    new: str
    old_line: int  # 1-based first line of the old statement in its file


def _span(body: list[ast.stmt], first: int, last: int) -> tuple[int, int] | None:
    """Lines of the sibling statements covering [first, last], descending into a compound statement's block."""
    hit = [s for s in body if s.lineno <= last and (s.end_lineno or s.lineno) >= first]
    if not hit:
        return None
    if len(hit) == 1:
        stmt = hit[0]
        for name in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(stmt, name, None)
            if isinstance(block, list) and block and block[0].lineno <= first:
                inner = [s for s in block if isinstance(s, ast.stmt)] or [
                    s for h in block for s in getattr(h, "body", [])]
                if inner and inner[0].lineno <= first and (inner[-1].end_lineno or 0) >= last:
                    found = _span(inner, first, last)
                    if found is not None:
                        return found
    start = min(min((d.lineno for d in getattr(s, "decorator_list", [])), default=s.lineno) for s in hit)
    return start, max(s.end_lineno or s.lineno for s in hit)


def _imports(tree: ast.Module, lines: list[str]) -> list[str]:
    return ["\n".join(lines[n.lineno - 1:n.end_lineno]) for n in ast.walk(tree)
            if isinstance(n, (ast.Import, ast.ImportFrom)) and n.col_offset == 0]


def _side(text: str, start: int, length: int) -> tuple[str, int] | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    lines = text.splitlines()
    first = start if length else start + 1
    span = _span(tree.body, first, first + max(length, 1) - 1)
    if span is None or span[1] - span[0] >= MAX_STATEMENT_LINES:
        return None
    stmt = textwrap.dedent("\n".join(lines[span[0] - 1:span[1]]))
    header = _imports(tree, lines)
    return "\n".join(header + ["", stmt]) + "\n", span[0]


def hunk_snippets(old_text: str, new_text: str, old_start: int, old_len: int, new_start: int,
                  new_len: int) -> Snippets | None:
    """The pair for one hunk, or None when either side does not parse or the change is a large rewrite."""
    if not old_len or not new_len:
        return None  # pure insertions and deletions replace nothing
    old, new = _side(old_text, old_start, old_len), _side(new_text, new_start, new_len)
    if old is None or new is None:
        return None
    return Snippets(old[0], new[0], old[1])


def _top(qname: str) -> str:
    return qname.split(".", 1)[0]


def migrations(snippets: Snippets, libraries: set[str], own: set[str] = frozenset()) -> list[Observation]:  # type: ignore[assignment]
    """The observations of a library API replaced by another name of the same library (or a builtin).

    ``libraries``: top-level modules that count as libraries; ``own``: the project's own packages,
    whose renames are refactorings rather than migrations.
    """
    try:
        found = observe(snippets.old, snippets.new)
    except Exception:  # libcst rejects some code ast accepts; such a hunk teaches nothing
        return []
    out = []
    for o in found:
        lib = _top(o.old)
        if lib not in libraries or lib in own:
            continue
        if o.rename and not (_top(o.rename) == lib or o.rename.startswith("builtins.")):
            continue
        out.append(o)
    return out
