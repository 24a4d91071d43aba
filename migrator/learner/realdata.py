"""The real-migration dataset: hunk references (repository, commit, path, lines, URL, licence) read into pairs.

Why references: the code belongs to its authors, so ``data/migrations/real/hunks.jsonl`` stores
only where each hunk is; ``load`` reads the text back from a mirror folder (``mirror.mirrors_dir``)
and cuts the enclosing statements with ``hunkpairs``, exactly as ``learn --git`` does.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..dataset import DatasetError, Pair
from . import mirror
from .history import Libraries, pair_for
from .hunkpairs import hunk_snippets

FIELDS = ("id", "repo", "commit", "parent", "path", "old_start", "old_len", "new_start", "new_len", "api",
          "library", "url", "license")


def is_reference_file(path: str | Path) -> bool:
    """True when the first record of a JSON Lines file is a hunk reference rather than a pair."""
    try:
        with open(path, encoding="utf-8") as fh:
            first = next((line for line in fh if line.strip()), "")
        record = json.loads(first) if first else None
    except (OSError, ValueError):  # the pair loader reports a missing or broken file with its line
        return False
    return isinstance(record, dict) and "commit" in record


def load(path: str | Path, mirrors: Path | None = None) -> list[Pair]:
    """Pairs for the references of ``path`` whose text the mirrors hold and which show a library migration."""
    mirrors = mirror.mirrors_dir(mirrors)
    libs = Libraries.known()
    pairs: list[Pair] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            ref = json.loads(line)
            missing = [f for f in FIELDS if f not in ref]
        except json.JSONDecodeError as exc:
            raise DatasetError(path, number, f"invalid JSON: {exc.msg}") from None
        if missing:
            raise DatasetError(path, number, f"missing field(s) {missing}")
        repo = mirror.repo_dir(mirrors, ref["repo"])
        old, new = mirror.show(repo, ref["parent"], ref["path"]), mirror.show(repo, ref["commit"], ref["path"])
        if old is None or new is None:
            continue
        snippets = hunk_snippets(old, new, ref["old_start"], ref["old_len"], ref["new_start"], ref["new_len"])
        if snippets is None:
            continue
        pair = pair_for(ref["id"], snippets, libs, set(), ref["repo"], ref["commit"])
        if pair is not None:
            pairs.append(Pair(pair.id, ref["library"], "0", "0", pair.api, pair.old, pair.new, ref["url"],
                              kind="real"))
    return pairs


def load_split_of(split: str | Path, pairs: list[Pair]) -> tuple[list[Pair], list[Pair]]:
    """(train, test) of a split over references: ids whose text could not be read are simply absent."""
    raw = json.loads(Path(split).read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not isinstance(raw.get("train"), list) or not isinstance(raw.get("test"), list):
        raise DatasetError(split, 0, 'a split is an object {"train": [ids], "test": [ids]}')
    train, test = set(raw["train"]), set(raw["test"])
    return [p for p in pairs if p.id in train], [p for p in pairs if p.id in test]
