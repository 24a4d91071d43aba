"""Find real migration hunks in public git history and record them as references.

    python bench/realworld/collect.py --mirrors /path/to/mirrors -o bench/realworld/cases.jsonl

A mirror folder holds one bare repository per project, ``owner+name/repo`` (the layout the
search tool's ``fetch`` leaves). For each, the history since 2016 is walked with ``git log -G``
on the triggers of ``apis.yaml``; a hunk counts as a migration when its removed lines use an
old API spelling more often than its added lines and its added lines use the new spelling.

Why references only: the code belongs to its authors, so the dataset stores the commit, the
file and the hunk's line ranges (plus the licence and URL), and ``materialize`` reads the text
back from the mirror when a benchmark runs. Repositories reserved for independent evaluation
are refused.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

import yaml

from apimig.migrator.learner import patch

HERE = Path(__file__).resolve().parent
MAX_CHANGED = 16  # removed + added lines: larger hunks are rewrites, not migrations
PER_REPO_API = 6  # cap so one project cannot dominate an API
MESSAGE_WORDS = ("deprecat", "warning", "remov", "replac", "compat", "upgrad", "migrat", "numpy", "pandas",
                 "scipy", "sklearn", "scikit", "matplotlib", "torch", "tensorflow", "keras", "sqlalchemy", "networkx",
                 "pydantic", "pillow", "urllib3", "python 3", "py3", "modern", "obsolete", "future", "alias",
                 "new api")


@dataclass(frozen=True)
class Api:
    id: str
    library: str
    trigger: str
    old: re.Pattern[str]
    new: re.Pattern[str]


@dataclass(frozen=True)
class Case:
    id: str
    repo: str
    commit: str
    parent: str
    path: str
    old_start: int  # 1-based first line of the hunk in the parent's file
    old_len: int
    new_start: int
    new_len: int
    api: str
    library: str
    url: str
    license: str
    subject: str


def load_apis(path: Path = HERE / "apis.yaml") -> list[Api]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Api(e["id"], lib, e["trigger"], re.compile(e["old"]), re.compile(e["new"]))
            for lib, entries in raw.items() for e in entries]


def reserved(shared: Path) -> set[str]:
    lines = (shared / "reserved-repos.txt").read_text(encoding="utf-8").splitlines()
    return {ln.strip().lower() for ln in lines if ln.strip() and not ln.startswith("#")}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, errors="replace").stdout


def license_of(repo: Path) -> str:
    for name in ("LICENSE", "LICENSE.txt", "LICENSE.md", "LICENSE.rst", "COPYING", "LICENCE"):
        try:
            head = git(repo, "show", f"HEAD:{name}")[:2000].lower()
        except subprocess.CalledProcessError:
            continue
        for needle, spdx in (("apache license", "Apache-2.0"), ("mit license", "MIT"),
                             ("permission is hereby granted, free of charge", "MIT"),
                             ("bsd 3-clause", "BSD-3-Clause"), ("redistribution and use", "BSD"),
                             ("gnu lesser general public", "LGPL"), ("gnu general public", "GPL"),
                             ("mozilla public license", "MPL-2.0"), ("python software foundation", "PSF")):
            if needle in head:
                return spdx
        return "other (see repository)"
    return "unknown"


def _hunks(log: str) -> Iterator[tuple[str, str, str, str, tuple[int, int, int, int], list[str], list[str]]]:
    """(commit, parents, subject, path, ranges, removed, added) for each hunk of ``git log -p`` (learner.patch parses)."""
    for h in patch.parse(log):
        yield h.commit, h.parents, h.subject, h.path, (h.old_start, h.old_len, h.new_start, h.new_len), h.removed, h.added


def _count(pattern: re.Pattern[str], lines: list[str]) -> int:
    return sum(len(pattern.findall(ln)) for ln in lines)


def classify(apis: list[Api], removed: list[str], added: list[str]) -> Api | None:
    if not removed or not added or len(removed) + len(added) > MAX_CHANGED:
        return None
    for api in apis:
        if _count(api.old, removed) > _count(api.old, added) and api.new.search("\n".join(added)):
            return api
    return None


def collect(repo_dir: Path, name: str, apis: list[Api], since: str = "2016-01-01") -> list[Case]:
    trigger = "|".join(f"({a.trigger})" for a in apis)
    # message filters run during the revision walk, before any diff is computed: only commits
    # that talk about deprecations, warnings or upgrades get their diffs searched
    greps = [f"--grep={w}" for w in MESSAGE_WORDS]
    log = git(repo_dir, "log", "--all", f"--since={since}", "--no-merges", "-i", *greps, "-p", "-U0",
              "--no-color", f"--format={patch.COMMIT_MARK}%H %P%n%s", "-E", f"-G{trigger}", "--", "*.py")
    licence = license_of(repo_dir)
    cases: list[Case] = []
    per_api: dict[str, int] = {}
    seen: set[tuple[str, ...]] = set()
    for commit, parents, subject, path, (os_, ol, ns, nl), removed, added in _hunks(log):
        parent = parents.split(" ")[0] if parents else ""
        if not parent or "/site-packages/" in path or path.startswith(("vendor", "third_party")):
            continue
        api = classify(apis, removed, added)
        if api is None or per_api.get(api.id, 0) >= PER_REPO_API:
            continue
        key = (api.id, *removed, "=>", *added)
        if key in seen:
            continue
        seen.add(key)
        per_api[api.id] = per_api.get(api.id, 0) + 1
        cases.append(Case(f"{name.replace('/', '__')}-{commit[:10]}-{len(cases)}", name, commit, parent, path,
                          os_, ol, ns, nl, api.id, api.library, f"https://github.com/{name}/commit/{commit}",
                          licence, subject[:120]))
    return cases


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirrors", type=Path, required=True, help="folder of owner+name/repo bare repositories")
    ap.add_argument("--shared", type=Path, default=HERE.parent.parent.parent / "shared")
    ap.add_argument("--repo", action="append", default=[], help="only these owner/name")
    ap.add_argument("-o", "--out", type=Path, default=HERE / "cases.jsonl")
    args = ap.parse_args(argv)
    banned = reserved(args.shared)
    apis = load_apis()
    out: list[Case] = []
    for folder in sorted(args.mirrors.iterdir()):
        name = folder.name.replace("+", "/", 1)
        if args.repo and name not in args.repo:
            continue
        if name.lower() in banned:
            print(f"skip {name}: reserved for independent evaluation", file=sys.stderr)
            continue
        repo = folder / "repo"
        if not repo.is_dir():
            continue
        try:
            found = collect(repo, name, apis)
        except subprocess.CalledProcessError as exc:
            print(f"skip {name}: {exc.stderr.strip()[:200]}", file=sys.stderr)
            continue
        print(f"{name}: {len(found)} hunks", file=sys.stderr)
        out += found
    with args.out.open("w", encoding="utf-8") as fh:
        for case in out:
            fh.write(json.dumps(asdict(case), sort_keys=True) + "\n")
    print(f"{len(out)} hunks from {len({c.repo for c in out})} repositories -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
