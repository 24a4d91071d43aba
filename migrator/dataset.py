"""The migration dataset: (old code, new code) pairs in JSON Lines, and its splits.

Why a strict loader: learned rules carry the ids of the pairs that taught them, so a silently
skipped or half-read line would corrupt provenance. Every problem raises ``DatasetError`` with the
file and the 1-based line number.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

DEFAULT_PAIRS = Path(__file__).resolve().parent.parent / "data" / "migrations" / "pairs.jsonl"
REQUIRED = ("id", "library", "versions", "api", "old", "new", "source")
OPTIONAL = ("kind", "must_not_change", "style")


class DatasetError(Exception):
    """A dataset file that cannot be used; carries the path and the 1-based line (0: whole file)."""

    def __init__(self, path: str | Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = str(path)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Pair:
    id: str
    library: str
    version_from: str
    version_to: str
    api: str  # the old qualified API the pair is about
    old: str
    new: str
    source: str
    kind: str = "change"
    must_not_change: bool = False
    style: str = ""
    line: int = 0


def pair_from_dict(raw: Mapping[str, Any], line: int = 0) -> Pair:
    """Validate one decoded record; raises ValueError with a plain message."""
    if not isinstance(raw, Mapping):
        raise ValueError("each line must be a JSON object")
    unknown = set(raw) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)}")
    for name in REQUIRED:
        if name not in raw or raw[name] in (None, ""):
            raise ValueError(f"missing required field {name!r}")
    for name in ("id", "library", "api", "old", "new", "source"):
        if not isinstance(raw[name], str):
            raise ValueError(f"field {name!r} must be a string")
    versions = raw["versions"]
    if not isinstance(versions, Mapping) or set(versions) != {"from", "to"}:
        raise ValueError('versions must be an object {"from": ..., "to": ...}')
    if not str(raw["source"]).startswith(("http://", "https://")):
        raise ValueError("source must be a URL to release notes or a migration guide")
    must_not_change = raw.get("must_not_change", False)
    if not isinstance(must_not_change, bool):
        raise ValueError("must_not_change must be true or false")
    if must_not_change and raw["old"] != raw["new"]:
        raise ValueError("a must_not_change pair needs old == new")
    for side in ("old", "new"):
        try:
            ast.parse(raw[side])
        except SyntaxError as exc:
            raise ValueError(f"{side!r} is not valid Python (line {exc.lineno}: {exc.msg})") from None
    return Pair(
        id=raw["id"], library=raw["library"], version_from=str(versions["from"]), version_to=str(versions["to"]),
        api=raw["api"], old=raw["old"], new=raw["new"], source=raw["source"],
        kind=str(raw.get("kind") or ("noop" if must_not_change else "change")),
        must_not_change=must_not_change, style=str(raw.get("style") or ""), line=line,
    )


def parse_pairs(lines: Iterable[str], path: str | Path = "<pairs>") -> list[Pair]:
    pairs: list[Pair] = []
    seen: dict[str, int] = {}
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DatasetError(path, number, f"invalid JSON: {exc.msg} (column {exc.colno})") from None
        try:
            pair = pair_from_dict(raw, number)
        except ValueError as exc:
            rid = f" (pair {raw.get('id')!r})" if isinstance(raw, dict) and raw.get("id") else ""
            raise DatasetError(path, number, f"{exc}{rid}") from None
        if pair.id in seen:
            raise DatasetError(path, number, f"duplicate pair id {pair.id!r} (first at line {seen[pair.id]})")
        seen[pair.id] = number
        pairs.append(pair)
    return pairs


def load_pairs(path: str | Path = DEFAULT_PAIRS) -> list[Pair]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise DatasetError(p, 0, f"cannot read dataset: {exc.strerror or exc}") from None
    return parse_pairs(text.splitlines(), p)


def load_split(path: str | Path, pairs: list[Pair]) -> tuple[list[Pair], list[Pair]]:
    """Read ``{"train": [ids], "test": [ids]}`` and return (train, test) pairs; unknown ids are an error."""
    p = Path(path)
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DatasetError(p, 0, f"cannot read split: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("train"), list) or not isinstance(raw.get("test"), list):
        raise DatasetError(p, 0, 'a split is an object {"train": [ids], "test": [ids]}')
    by_id = {pair.id: pair for pair in pairs}
    out: list[list[Pair]] = []
    for part in ("train", "test"):
        missing = [i for i in raw[part] if i not in by_id]
        if missing:
            raise DatasetError(p, 0, f"{part} names unknown pair id(s): {', '.join(map(str, missing[:5]))}")
        out.append([by_id[i] for i in raw[part]])
    return out[0], out[1]
