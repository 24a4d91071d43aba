"""``apimig rules coverage``: per library, what the packs ship and what verification showed.

Counts rules with a fix and manual rules, and the verification statuses (``v:rejected`` rules
must not ship; ``v:none`` were never verified; ``safe-tier-unsafe`` ship as ``tier: safe`` although
running them showed a difference). When a
mined candidates file (``<pack>.candidates.yaml``: a YAML list of mappings with at least ``old``)
lies beside a pack, it also counts the deprecations the miner found against those a rule covers,
so the gaps are visible instead of unknown.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import yaml

from ..rules.schema import VERIFICATION_STATUSES, Rule

COLUMNS = ("rules", "fix", "manual", *(f"v:{s}" for s in VERIFICATION_STATUSES), "v:none",
           "safe-tier-unsafe", "found", "covered")


@dataclass
class LibraryCoverage:
    library: str
    counts: Counter[str] = field(default_factory=Counter)
    found: set[str] = field(default_factory=set)  # candidate old names mined from the releases
    shipped_olds: set[str] = field(default_factory=set)

    def row(self) -> dict[str, int | str]:
        row: dict[str, int | str] = {"library": self.library}
        row.update({c: self.counts[c] for c in COLUMNS if not c.startswith(("found", "covered"))})
        row["found"] = len(self.found) if self.found else "-"
        row["covered"] = len(self.found & self.shipped_olds) if self.found else "-"
        return row


def candidates_file(pack: str | Path) -> Path:
    p = Path(pack)
    return p.with_name(p.stem + ".candidates.yaml")


def _candidate_olds(path: Path) -> set[str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read the mined candidates: {exc}") from None
    if not isinstance(data, list):
        raise ValueError(f"{path}: mined candidates must be a YAML list of mappings with 'old'")
    return {str(item["old"]) for item in data if isinstance(item, dict) and item.get("old")}


def coverage(rules: Iterable[Rule]) -> list[LibraryCoverage]:
    libraries: dict[str, LibraryCoverage] = {}
    packs: set[str] = set()
    for rule in rules:
        lib = libraries.setdefault(rule.library, LibraryCoverage(rule.library))
        lib.counts["rules"] += 1
        lib.counts["fix" if rule.fixable else "manual"] += 1
        status = rule.verification.status if rule.verification else "none"
        lib.counts[f"v:{status}"] += 1
        if status == "unsafe" and rule.tier == "safe":
            lib.counts["safe-tier-unsafe"] += 1  # the pack claims a safe fix the evidence contradicts
        lib.shipped_olds.add(rule.old)
        if rule.pack and rule.pack not in packs:
            packs.add(rule.pack)
            mined = candidates_file(rule.pack)
            if mined.exists():
                lib.found |= _candidate_olds(mined)
    return sorted(libraries.values(), key=lambda c: c.library)


def format_table(rows: Sequence[dict[str, int | str]], markdown: bool = False) -> str:
    headers = ["library", *COLUMNS]
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(str(r[h]) for h in headers) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(str(r[h])) for r in rows)) if rows else len(h) for h in headers]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths))]
    out += ["  ".join(str(r[h]).ljust(w) for h, w in zip(headers, widths)) for r in rows]
    return "\n".join(out)


def report(rules: Iterable[Rule], fmt: str = "text") -> str:
    rows = [c.row() for c in coverage(rules)]
    if rows:
        total: dict[str, int | str] = {"library": "total"}
        for col in COLUMNS:
            nums = [r[col] for r in rows if isinstance(r[col], int)]
            total[col] = sum(nums) if nums else "-"  # type: ignore[arg-type]
        rows.append(total)
    if fmt == "json":
        return json.dumps(rows, indent=2)
    return format_table(rows, markdown=fmt == "markdown")
