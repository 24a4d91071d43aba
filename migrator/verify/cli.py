"""``apimig verify PACK... [--rule ID] [--write]``: prove each rule by running its cases on real releases.

Prints one line per rule (status, id, detail) and a count per library. Exit status 1 when a
rule is rejected (its fix fails on the target release: it must not ship), 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from ..rules.loader import RuleFileError, load_pack_file
from packaging.version import Version

from ..rules.schema import VERIFICATION_STATUSES, Rule, Verification, parse_version
from .envs import EnvBuilder, default_cache
from .prove import Prover
from .writeback import write_pack


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="apimig verify", description="Run each rule's cases against the "
                                "releases it is about, and record safe / unsafe / rejected / unverified.")
    p.add_argument("packs", nargs="+", metavar="PACK", help="rule pack files (YAML)")
    p.add_argument("--rule", action="append", default=[], metavar="ID", help="only these rule ids (repeatable)")
    p.add_argument("--write", action="store_true", help="store each result in the rule's `verification:` field")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--cache", type=Path, default=None, help=f"env cache (default {default_cache()})")
    p.add_argument("--find-links", action="append", default=[], metavar="DIR", help="extra wheel folder for pip")
    p.add_argument("--no-index", action="store_true", help="install only from --find-links folders")
    p.add_argument("--max-mb", type=int, default=500, help="largest env to build, in MB (default 500)")
    p.add_argument("--releases", action="append", default=[], metavar="LIB=V1,V2",
                   help="consider only these releases of LIB (e.g. torch=2.13.0 where only that wheel fits)")
    return p


def cli_verify(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        packs = {Path(p): load_pack_file(p) for p in args.packs}
    except RuleFileError as exc:
        print(f"apimig verify: error: {exc}", file=sys.stderr)
        return 2
    wanted = set(args.rule)
    known = {r.id for rules in packs.values() for r in rules}
    missing = sorted(wanted - known)
    if missing:
        print(f"apimig verify: error: no rule {', '.join(missing)} in {', '.join(map(str, packs))}", file=sys.stderr)
        return 2
    builder = EnvBuilder(cache=args.cache or default_cache(), find_links=args.find_links,
                         no_index=args.no_index, max_mb=args.max_mb)
    try:
        prover = Prover(builder, parse_releases(args.releases))
    except ValueError as exc:
        print(f"apimig verify: error: --releases: {exc}", file=sys.stderr)
        return 2
    rows: list[tuple[Rule, Verification]] = []
    for path, rules in packs.items():
        results: dict[str, Verification] = {}
        for rule in rules:
            if wanted and rule.id not in wanted:
                continue
            result = prover.verify(rule)
            results[rule.id] = result
            rows.append((rule, result))
            if args.format == "text":
                print(f"{result.status:<10} {rule.id:<45} {result.detail}", flush=True)
        if args.write and results and write_pack(path, results):
            print(f"apimig verify: wrote {len(results)} verification(s) to {path}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps([{"id": r.id, "library": r.library, "status": v.status, "detail": v.detail, "env": v.env}
                          for r, v in rows], indent=2))
    else:
        print_counts(rows)
    return 1 if any(v.status == "rejected" for _r, v in rows) else 0


def parse_releases(values: list[str]) -> dict[str, list[Version]]:
    out: dict[str, list[Version]] = {}
    for value in values:
        library, sep, versions = value.partition("=")
        if not sep or not library or not versions:
            raise ValueError(f"{value!r} is not LIB=V1,V2")
        out[library.strip()] = sorted(parse_version(v.strip()) for v in versions.split(",") if v.strip())
    return out


def print_counts(rows: list[tuple[Rule, Verification]]) -> None:
    by_library: dict[str, Counter[str]] = {}
    for rule, result in rows:
        by_library.setdefault(rule.library, Counter())[result.status] += 1
    header = " ".join(f"{s:>10}" for s in VERIFICATION_STATUSES)
    print(f"{'library':<12} {header}", file=sys.stderr)
    for library, counts in sorted(by_library.items()):
        print(f"{library:<12} " + " ".join(f"{counts[s]:>10}" for s in VERIFICATION_STATUSES), file=sys.stderr)
