"""Score apimig (and ruff NPY201, TorchFix) on real migration hunks from public commits.

    python bench/realworld/score.py --mirrors DIR [--tools apimig,ruff,torchfix] [--unsafe]

For every file of ``cases.jsonl`` the parent commit's text is read from the mirror, each tool
fixes it, and each maintainers' hunk is judged:

- **fixed**: the tool's text for the hunk's lines equals the maintainers' (white space aside);
- **other**: the tool changed those lines differently; ``judgments.yaml`` says whether that
  is also right (``right``) or not (``wrong``); unjudged ones are listed for a person to judge;
- **missed**: the tool left them alone.

Edits outside every hunk are *spurious*: each is judged the same way (``right`` means a real
deprecation the maintainers left). Precision counts changed hunks and spurious edits that are
fixed or judged right; file precision counts files whose every change is right.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import yaml

from apimig.migrator.learner.mirror import show as _git_show

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Hunk:
    id: str
    library: str
    api: str
    old: tuple[int, int]  # 0-based [start, end) lines in the parent's file
    new_text: tuple[str, ...]


@dataclass
class FileCase:
    repo: str
    commit: str
    parent: str
    path: str
    hunks: list[Hunk] = field(default_factory=list)


@dataclass
class Tally:
    fixed: int = 0
    other_right: int = 0
    other_wrong: int = 0
    other_unjudged: int = 0
    missed: int = 0
    spurious_right: int = 0
    spurious_wrong: int = 0
    spurious_unjudged: int = 0
    files_changed: int = 0
    files_right: int = 0
    per_library: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    unjudged: list[str] = field(default_factory=list)

    @property
    def hunks(self) -> int:
        return self.fixed + self.other_right + self.other_wrong + self.other_unjudged + self.missed

    def precision(self) -> float | None:
        right = self.fixed + self.other_right + self.spurious_right
        changed = right + self.other_wrong + self.spurious_wrong
        return right / changed if changed else None


def load_cases(path: Path) -> list[FileCase]:
    """Hunk references grouped per (commit, file)."""
    grouped: dict[tuple[str, str], FileCase] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        c = json.loads(line)
        fc = grouped.setdefault((c["commit"], c["path"]), FileCase(c["repo"], c["commit"], c["parent"], c["path"]))
        fc.hunks.append(Hunk(c["id"], c["library"], c["api"], (c["old_start"] - 1, c["old_start"] - 1 + c["old_len"]),
                             (c["new_start"], c["new_len"])))  # type: ignore[arg-type]  # text filled in later
    return list(grouped.values())


def materialize(fc: FileCase, mirrors: Path) -> str | None:
    """The parent's text; fills each hunk's maintainers' lines from the commit's text."""
    mirror = mirrors / fc.repo.replace("/", "+", 1) / "repo"
    old, new = _git_show(mirror, fc.parent, fc.path), _git_show(mirror, fc.commit, fc.path)
    if old is None or new is None:
        return None
    new_lines = new.splitlines()
    filled = []
    for h in fc.hunks:
        start, length = h.new_text  # type: ignore[misc]
        first = start - 1 if length else start
        filled.append(Hunk(h.id, h.library, h.api, h.old, tuple(new_lines[first:first + length])))
    fc.hunks = filled
    return old


def _norm(lines: Iterable[str]) -> str:
    return "".join("".join(ln.split()) for ln in lines)


def changed_regions(old: list[str], new: list[str]) -> list[tuple[int, int, list[str]]]:
    """(start, end, replacement) blocks in old-line coordinates."""
    sm = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return [(i1, i2, new[j1:j2]) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal"]


def _is_import(line: str) -> bool:
    return line.strip().startswith(("import ", "from ")) or not line.strip()


def _import_hunk_done(h: Hunk, old_lines: list[str], fixed_lines: list[str]) -> bool:
    """An import-only hunk is done when the file has the maintainers' imports and lost the old ones,
    wherever the tool put them (it may sort them in elsewhere)."""
    removed = [ln for ln in old_lines[h.old[0]:h.old[1]] if ln.strip()]
    if not h.new_text or not all(_is_import(ln) for ln in (*h.new_text, *removed)):
        return False
    have = {_norm([ln]) for ln in fixed_lines}
    gone = [ln for ln in removed if _norm([ln]) not in {_norm([n]) for n in h.new_text}]
    return all(_norm([ln]) in have for ln in h.new_text if ln.strip()) and not any(_norm([ln]) in have for ln in gone)


def _count(tally: Tally, kind: str, verdict: str | None) -> str:
    """Count an edit that is not the maintainers' under ``<kind>_right|wrong|unjudged``."""
    verdict = verdict if verdict in ("right", "wrong") else "unjudged"
    setattr(tally, f"{kind}_{verdict}", getattr(tally, f"{kind}_{verdict}") + 1)
    return verdict


def judge(tally: Tally, fc: FileCase, old: str, fixed: str, judgments: dict[str, str], tool: str) -> None:
    old_lines, fixed_lines = old.splitlines(), fixed.splitlines()
    regions = changed_regions(old_lines, fixed_lines)
    file_ok, file_changed = True, bool(regions)
    import_texts = set()
    for h in fc.hunks:
        lo, hi = h.old
        touching = [r for r in regions if r[0] < max(hi, lo + 1) and r[1] >= lo]
        stats = tally.per_library[h.library]
        stats[1] += 1
        if _import_hunk_done(h, old_lines, fixed_lines):
            tally.fixed += 1
            stats[0] += 1
            import_texts |= {_norm([ln]) for ln in h.new_text}
            continue
        if not touching:
            tally.missed += 1
            continue
        out = list(old_lines[lo:hi])
        for r0, r1, rep in sorted(touching, reverse=True):
            a, b = max(r0, lo) - lo, min(r1, hi) - lo
            out[a:b] = rep if r0 >= lo else rep[-(b - a) or len(rep):]
        if _norm(out) == _norm(h.new_text):
            tally.fixed += 1
            stats[0] += 1
            continue
        verdict = _count(tally, "other", judgments.get(f"{tool}:{h.id}"))
        stats[0] += verdict == "right"
        file_ok = file_ok and verdict != "wrong"
        if verdict == "unjudged":
            tally.unjudged.append(f"{tool}:{h.id}  {fc.repo} {fc.path}:{lo + 1}\n"
                                  f"    maintainers: {' / '.join(s.strip() for s in h.new_text)[:160]}\n"
                                  f"    {tool}: {' / '.join(s.strip() for s in out)[:160]}")
    covered = [(h.old[0], max(h.old[1], h.old[0] + 1)) for h in fc.hunks]
    for r0, r1, rep in regions:
        if any(r0 < hi and r1 >= lo for lo, hi in covered):
            continue
        if rep and all(_norm([ln]) in import_texts or not ln.strip() for ln in rep) and r0 == r1:
            continue  # the maintainers' import, sorted in at another line
        key = f"{tool}:{fc.commit[:10]}:{fc.path}:{r0 + 1}"
        verdict = _count(tally, "spurious", judgments.get(key))
        file_ok = file_ok and verdict != "wrong"
        if verdict == "unjudged":
            tally.unjudged.append(f"{key}  spurious\n    before: {' / '.join(s.strip() for s in old_lines[r0:r1])[:160]}\n"
                                  f"    after:  {' / '.join(s.strip() for s in rep)[:160]}")
    if file_changed:
        tally.files_changed += 1
        tally.files_right += file_ok


Fixer = Callable[[list[tuple[str, str]]], list[str]]


def apimig_fixer(unsafe: bool) -> Fixer:
    from apimig.migrator.api import Config, Engine

    # no project around the files: every library at its latest release, so every rule is active
    engine = Engine(Config(unsafe_fixes=unsafe, installed_versions=False))

    def fix_one(path: str, source: str) -> str:
        try:
            result = engine.fix(source, path, unsafe=unsafe)
        except Exception as exc:  # a file the engine cannot read counts as untouched
            print(f"apimig: {path}: {exc}", file=sys.stderr)
            return source
        return result.new_source or source

    return lambda files: [fix_one(path, source) for path, source in files]


def command_fixer(argv: list[str]) -> Fixer:
    """A tool that fixes files in place (ruff, torchfix), run once over a scratch folder."""

    def fix(files: list[tuple[str, str]]) -> list[str]:
        with tempfile.TemporaryDirectory() as tmp:
            targets = []
            for i, (path, source) in enumerate(files):
                target = Path(tmp) / str(i) / Path(path).name
                target.parent.mkdir()
                target.write_text(source, encoding="utf-8", errors="surrogateescape")
                targets.append(target)
            subprocess.run([*argv, tmp], capture_output=True, cwd=tmp, timeout=3600)
            return [t.read_text(encoding="utf-8", errors="surrogateescape") for t in targets]

    return fix


def fixers(names: list[str], unsafe: bool) -> dict[str, Fixer]:
    out: dict[str, Fixer] = {}
    for name in names:
        if name == "apimig":
            out[name] = apimig_fixer(unsafe)
        elif name == "ruff" and shutil.which("ruff"):
            out[name] = command_fixer(["ruff", "check", "--no-cache", "--isolated", "--select", "NPY201", "--fix",
                                       *(["--unsafe-fixes"] if unsafe else []), "--exit-zero"])
        elif name == "torchfix" and shutil.which("torchfix"):
            out[name] = command_fixer(["torchfix", "--fix"])
        else:
            print(f"skip {name}: not installed", file=sys.stderr)
    return out


def report(tallies: dict[str, Tally]) -> str:
    libs = sorted({lib for t in tallies.values() for lib in t.per_library})
    head = "| library | hunks | " + " | ".join(f"{n} recall" for n in tallies) + " |"
    rows = [head, "|" + "---|" * (2 + len(tallies))]
    for lib in libs:
        total = max(t.per_library[lib][1] for t in tallies.values())
        cells = [f"{t.per_library[lib][0] / total:.0%}" if total else "-" for t in tallies.values()]
        rows.append(f"| {lib} | {total} | " + " | ".join(cells) + " |")
    rows.append("")
    rows.append("| tool | hunks | fixed | other right | other wrong | unjudged | missed | spurious right/wrong/unjudged"
                " | precision | files changed | file precision |")
    rows.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, t in tallies.items():
        p = t.precision()
        fp = t.files_right / t.files_changed if t.files_changed else None
        rows.append(f"| {name} | {t.hunks} | {t.fixed} | {t.other_right} | {t.other_wrong} | {t.other_unjudged} | "
                    f"{t.missed} | {t.spurious_right}/{t.spurious_wrong}/{t.spurious_unjudged} | "
                    f"{'-' if p is None else f'{p:.3f}'} | {t.files_changed} | {'-' if fp is None else f'{fp:.3f}'} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirrors", type=Path, default=Path(os.environ.get("APIMIG_MIRRORS", "/work/.mirror")))
    ap.add_argument("--cases", type=Path, default=HERE / "cases.jsonl")
    ap.add_argument("--judgments", type=Path, default=HERE / "judgments.yaml")
    ap.add_argument("--tools", default="apimig,ruff,torchfix")
    ap.add_argument("--unsafe", action="store_true", help="also apply unsafe fixes")
    ap.add_argument("--library", action="append", default=[], help="only hunks of these libraries")
    ap.add_argument("--show-unjudged", action="store_true")
    args = ap.parse_args(argv)
    judgments: dict[str, str] = {}
    if args.judgments.exists():
        judgments = {str(k): str(v) for k, v in (yaml.safe_load(args.judgments.read_text(encoding="utf-8")) or {}).items()}
    tools = fixers(args.tools.split(","), args.unsafe)
    tallies = {name: Tally() for name in tools}
    missing = 0
    cases: list[tuple[FileCase, str]] = []
    for fc in load_cases(args.cases):
        if args.library:
            fc.hunks = [h for h in fc.hunks if h.library in args.library]
            if not fc.hunks:
                continue
        old = materialize(fc, args.mirrors)
        if old is None:
            missing += 1
            continue
        cases.append((fc, old))
    for name, fix in tools.items():
        for (fc, old), fixed in zip(cases, fix([(fc.path, old) for fc, old in cases])):
            judge(tallies[name], fc, old, fixed, judgments, name)
    print(report(tallies))
    if missing:
        print(f"\n{missing} file(s) could not be read from the mirrors", file=sys.stderr)
    if args.show_unjudged:
        for t in tallies.values():
            for line in t.unjudged:
                print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
