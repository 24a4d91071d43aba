"""Find library-API migrations in a repository's history and turn them into learner pairs.

Why per hunk and not per commit: a commit that replaces ``np.in1d`` also fixes typos and adds
features; only the hunks whose enclosing statements show a library name replaced by another name
of the same library (``hunkpairs.migrations``) become pairs, each with its provenance
(``owner/name@commit:path:line``) as the pair id, so a learned rule says where it came from.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from ..dataset import Pair
from ..rules.packs import load_rules
from . import mirror, patch
from .hunkpairs import Snippets, hunk_snippets, migrations

MAX_CHANGED = 16  # removed + added lines: larger hunks are rewrites, not migrations


@dataclass(frozen=True)
class Libraries:
    """Which top-level modules are libraries, and the library name the rule packs give each."""

    names: dict[str, str]  # top-level module -> library
    docs: dict[str, str]  # top-level module -> a release-notes URL (a rule's source must be a URL)

    @classmethod
    def known(cls) -> "Libraries":
        names = {m: "python" for m in sys.stdlib_module_names if not m.startswith("_")}
        docs = {m: "https://docs.python.org/3/whatsnew/" for m in names}
        for rule in load_rules(builtin=True):
            top = rule.old.split(".", 1)[0]
            names[top] = rule.library
            docs.setdefault(top, rule.source)
        return cls(names, docs)

    def source(self, qname: str, name: str, commit: str) -> str:
        """The commit's URL for a GitHub ``owner/name``, else the library's release notes."""
        if commit and name.count("/") == 1:
            return f"https://github.com/{name}/commit/{commit}"
        top = qname.split(".", 1)[0]
        return self.docs.get(top, f"https://pypi.org/project/{top}/")

    def library(self, qname: str) -> str:
        top = qname.split(".", 1)[0]
        return self.names.get(top, top)


def own_packages(repo: Path, rev: str = "HEAD") -> set[str]:
    """Top-level packages the repository defines (its own renames are refactorings, not migrations)."""
    try:
        listing = mirror.git(repo, "ls-tree", "--name-only", rev).split()
    except Exception:
        return set()
    tops = {n[:-3] if n.endswith(".py") else n for n in listing}
    try:
        tops |= {n.split("/")[1] for n in mirror.git(repo, "ls-tree", "-r", "--name-only", rev, "src").split()
                 if n.count("/") >= 2}
    except Exception:
        pass
    return tops


def pair_for(hunk_id: str, snippets: Snippets, libs: Libraries, own: set[str], name: str,
             commit: str = "") -> Pair | None:
    """A learner pair when the snippets show a library migration, else None."""
    found = migrations(snippets, set(libs.names), own)
    if not found:
        return None
    api = found[0].old
    return Pair(hunk_id, libs.library(api), "0", "0", api, snippets.old, snippets.new,
                libs.source(api, name, commit), kind="real")


def pairs_from_hunks(hunks: Iterable[patch.Hunk], old_text, new_text, name: str, libs: Libraries,  # type: ignore[no-untyped-def]
                     own: set[str]) -> list[Pair]:
    """Pairs from hunks; ``old_text(hunk)``/``new_text(hunk)`` give the two versions of the hunk's file."""
    out: list[Pair] = []
    cache: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for h in hunks:
        if not h.path.endswith(".py") or not h.removed or len(h.removed) + len(h.added) > MAX_CHANGED:
            continue
        key = (h.commit, h.path)
        if key not in cache:
            cache[key] = (old_text(h), new_text(h))
        old, new = cache[key]
        if old is None or new is None:
            continue
        snippets = hunk_snippets(old, new, h.old_start, h.old_len, h.new_start, h.new_len)
        if snippets is None:
            continue
        at = f"@{h.commit[:12]}" if h.commit else ""
        pair = pair_for(f"{name}{at}:{h.path}:{snippets.old_line}", snippets, libs, own, name, h.commit)
        if pair is not None:
            out.append(pair)
    return out


def log_patch(repo: Path, rev: str | None, paths: Sequence[str]) -> str:
    """``git log -p -U0`` of ``rev`` (default: all history) limited to ``paths`` (default: Python files)."""
    return mirror.git(repo, "log", "--no-merges", "-p", "-U0", "--no-color", "--no-ext-diff",
                      f"--format={patch.COMMIT_MARK}%H %P%n%s", *([rev] if rev else []), "--",
                      *(paths or ["*.py"]))


def pairs_from_git(repo: Path, rev: str | None = None, paths: Sequence[str] = (), name: str | None = None,
                   libs: Libraries | None = None) -> list[Pair]:
    """Every library-migration pair in the history of ``repo`` (a work tree or a bare git directory)."""
    libs = libs or Libraries.known()
    name = name or repo.resolve().name
    hunks = [h for h in patch.parse(log_patch(repo, rev, paths)) if h.parent]
    return pairs_from_hunks(hunks, lambda h: mirror.show(repo, h.parent, h.path),
                            lambda h: mirror.show(repo, h.commit, h.path), name, libs, own_packages(repo))
