"""What learned rules would change in a tree: one line per site, before and after.

Why a preview: a rule learned from two or three hand edits is only trusted once the developer has
seen every other site it would rewrite; the same engine as ``apimig fix`` produces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..evaluation import make_engine
from ..files import iter_python_files
from ..rules.schema import Rule


@dataclass(frozen=True)
class Site:
    path: str
    line: int
    rule_id: str
    before: str
    after: str


def preview(rules: Sequence[Rule], root: Path) -> list[Site]:
    """Every site under ``root`` that ``rules`` would rewrite (unsafe fixes included: it is a preview)."""
    if not rules:
        return []
    engine = make_engine(rules, unsafe=True)
    sites: list[Site] = []
    for path in iter_python_files([root]):
        source = Path(path).read_text(encoding="utf-8", errors="surrogateescape")
        try:
            result = engine.fix(source, str(path), unsafe=True)
        except Exception:  # a file that does not parse has no site to preview
            continue
        if result.new_source is None:
            continue
        old_lines, new_lines = source.splitlines(), result.new_source.splitlines()
        for f in result.applied:
            idx = f.start.line  # 0-based
            after = new_lines[idx] if idx < len(new_lines) and len(old_lines) == len(new_lines) else ""
            sites.append(Site(str(Path(path).relative_to(root)) if Path(path).is_absolute() else str(path),
                              idx + 1, f.rule_id, old_lines[idx].strip() if idx < len(old_lines) else "", after.strip()))
    return sites
