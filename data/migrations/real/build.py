"""Write data/migrations/real/hunks.jsonl (references only) and its by-API and by-repository splits.

    python data/migrations/real/build.py --hunks /work/cache/hunks --exclude /work/cache/hunks/realworld-repos.txt --exclude /work/shared/reserved-repos.txt

Repositories in the exclude list (bench/realworld's) and in shared/reserved-repos.txt are left out,
so the learner is evaluated on projects nobody wrote its rules from. Split: every 5th API (sorted) /
every 5th repository is held out for test.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _names(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {ln.strip().lower() for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hunks", type=Path, required=True)
    ap.add_argument("--exclude", type=Path, action="append", default=[])
    args = ap.parse_args()
    banned = set().union(*(_names(p) for p in args.exclude))
    refs = [json.loads(ln) for f in sorted(args.hunks.glob("*.jsonl")) for ln in f.read_text().splitlines()
            if ln.strip()]
    refs = [r for r in refs if r["repo"].lower() not in banned]
    with (HERE / "hunks.jsonl").open("w", encoding="utf-8") as fh:
        for r in refs:
            fh.write(json.dumps({k: r[k] for k in sorted(r) if k != "subject"}, sort_keys=True) + "\n")
    for name, key in (("by-api", "api"), ("by-repo", "repo")):
        values = sorted({r[key] for r in refs})
        held = set(values[::5])
        split = {"kind": name, "train": [r["id"] for r in refs if r[key] not in held],
                 "test": [r["id"] for r in refs if r[key] in held]}
        (HERE / "splits" / f"{name}.json").write_text(json.dumps(split, indent=1) + "\n", encoding="utf-8")
    print(f"{len(refs)} references from {len({r['repo'] for r in refs})} repositories")


if __name__ == "__main__":
    main()
