"""Command-line entry points ``apimig learn`` and ``apimig eval`` (wired into the main CLI by the lead).

Both return an exit code: 0 success, 2 error (bad dataset, split or rule file).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Callable, Sequence

from ..dataset import DatasetError, Pair, load_pairs, load_split
from ..evaluation import evaluate, format_table
from ..hybrid.proposer import STRATEGIES
from ..progress import Progress
from ..registry import Registry, RegistryError
from ..rules.loader import RuleFileError, load_pack_file
from ..rules.packs import load_rules
from ..rules.schema import Rule
from . import realdata
from .diffsource import pairs_from_patch, working_tree_patch
from .generalize import learn
from .history import pairs_from_git
from .patch import PatchError
from .preview import preview
from .writer import write_pack

#: ``--model`` evaluators, found lazily: the ml extra is optional and the migrator never imports it.
MODEL_EVALUATORS: Registry = Registry("model evaluator")  # type: ignore[type-arg]
MODEL_EVALUATORS.load_entry_points("apimig.evaluators")


def _progress(enabled: bool) -> Callable[[int, int], None]:
    """``learn``'s callback ``(i, n)`` drawn with the one progress bar."""
    bars: list[Progress] = []

    def show(i: int, n: int) -> None:
        if not bars:
            bars.append(Progress(n, enabled, unit="pairs"))
        bars[0].step()

    return show


def _train_part(pairs: list[Pair], split: str | None) -> tuple[list[Pair], list[Pair]]:
    if split is None:
        return pairs, pairs
    return load_split(split, pairs)


def _learn_from_history(args: argparse.Namespace) -> int:
    """``--git REPO`` or ``--diff [PATCH|-]``: pairs from commits or from the uncommitted hand edits."""
    repo = Path(args.git or args.repo)
    try:
        if args.git:
            pairs = pairs_from_git(repo, args.rev, args.paths)
        else:
            text = working_tree_patch(repo) if args.diff == "HEAD" else (
                sys.stdin.read() if args.diff == "-" else Path(args.diff).read_text(encoding="utf-8"))
            pairs = pairs_from_patch(repo, text)
    except (subprocess.CalledProcessError, PatchError, OSError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        print(f"error: {repo}: {str(detail).strip()[:300]}", file=sys.stderr)
        return 2
    rules = learn(pairs, precision=not args.no_precision)
    write_pack(rules, args.output, source=f"{'git history' if args.git else 'hand edits'} of {repo.resolve().name}")
    print(f"learned {len(rules)} rules from {len(pairs)} migration hunks -> {args.output}")
    for rule in rules:
        p = rule.provenance
        assert p is not None
        print(f"  {rule.id}: {rule.old} -> {rule.fix.rename or rule.fix.template or rule.kind}"
              f"  support {p.support}, consistency {p.consistency}, confidence {rule.confidence}")
        for where in p.pairs:
            print(f"    from {where}")
    if args.diff or args.preview:
        sites = preview(rules, repo)
        print(f"{len(sites)} other site(s) it would change (apply: apimig fix --rules {args.output}):")
        for s in sites:
            print(f"  {s.path}:{s.line}: {s.before}  ->  {s.after}")
    return 0


def cli_learn(argv: Sequence[str] | None = None) -> int:
    """``apimig learn PAIRS.jsonl -o learned.yaml [--split SPLIT.json]`` (learns from the split's train part).

    ``--git REPO [--rev A..B] [--paths ...]`` learns from a repository's history, ``--diff [PATCH|-]``
    from the working tree against ``HEAD`` (or a patch) and previews every other site."""
    ap = argparse.ArgumentParser(prog="apimig learn", description="Learn rules from (old, new) code pairs.")
    ap.add_argument("pairs", nargs="?", help="JSON Lines file of migration pairs")
    ap.add_argument("-o", "--output", default="learned.yaml", help="YAML rule pack to write")
    ap.add_argument("--git", metavar="REPO", help="learn from the migration hunks in this repository's history")
    ap.add_argument("--rev", help="with --git: revision range, e.g. v1.0..v2.0 (default: all history)")
    ap.add_argument("--paths", nargs="*", default=[], help="with --git: only these paths")
    ap.add_argument("--diff", nargs="?", const="HEAD", metavar="PATCH",
                    help="learn from the working tree against HEAD, or from PATCH ('-': stdin)")
    ap.add_argument("--repo", default=".", help="with --diff: the repository (default: .)")
    ap.add_argument("--preview", action="store_true", help="with --git: list the sites the rules would change")
    ap.add_argument("--split", help="split file; learn only from its 'train' ids")
    ap.add_argument("--no-precision", action="store_true", help="skip measuring each rule on the training pairs")
    args = ap.parse_args(argv)
    if args.git or args.diff:
        return _learn_from_history(args)
    if not args.pairs:
        ap.error("give PAIRS.jsonl, --git REPO or --diff")
    try:
        pairs = load_pairs(args.pairs)
        train, _ = _train_part(pairs, args.split)
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rules = learn(train, progress=_progress(sys.stderr.isatty()), precision=not args.no_precision)
    write_pack(rules, args.output, source=Path(args.pairs).name)
    print(f"learned {len(rules)} rules from {len(train)} pairs -> {args.output}")
    return 0


def _compare(train: list[Pair], test: list[Pair], extra: list[Rule]) -> int:
    """Learned rules alone, hand rules alone, both; and the test cases that only the learned rules fix."""
    hand = load_rules(builtin=True) + [r for r in extra if r.origin == "hand"]
    learned = [r for r in extra if r.origin == "learned"] or learn(train)
    print(f"{len(train)} train / {len(test)} test pairs; {len(learned)} learned rules, {len(hand)} hand rules")
    print(f"{'rules':<10}{'exact':>8}{'ast':>8}")
    fixed: dict[str, set[str]] = {}
    for name, rules in (("learned", learned), ("hand", hand), ("both", hand + learned)):
        report = evaluate(test, rules)
        fixed[name] = {r.id for r in report.results if r.ast_match}
        print(f"{name:<10}{100 * report.overall.exact:7.1f}%{100 * report.overall.ast_match:7.1f}%")
    only = sorted(fixed["learned"] - fixed["hand"])
    print(f"fixed only by learned rules: {len(only)}")
    for pair_id in only:
        print(f"  {pair_id}")
    return 0


def cli_eval(argv: Sequence[str] | None = None) -> int:
    """``apimig eval PAIRS.jsonl [--rules PACK ...] [--split SPLIT.json] [--origin hand|learned|both] [--json OUT]``.

    Without ``--rules`` holding learned rules, ``learned``/``both`` learn from the split's train part first.
    """
    ap = argparse.ArgumentParser(prog="apimig eval", description="Score rules against migration pairs.")
    ap.add_argument("pairs")
    ap.add_argument("--rules", action="append", default=[], help="extra rule pack(s), e.g. learned.yaml")
    ap.add_argument("--split", help="split file; evaluate on its 'test' ids")
    ap.add_argument("--origin", choices=("hand", "learned", "both"), default="both")
    ap.add_argument("--json", dest="json_out", help="write the report as JSON to this file ('-' for stdout)")
    ap.add_argument("--pairs-detail", action="store_true", help="include every pair's output in the JSON")
    ap.add_argument("--safe-only", action="store_true", help="apply only safe fixes")
    ap.add_argument("--model", metavar="DIR", help="also score the model layer of this local model, per strategy")
    ap.add_argument("--strategy", action="append", choices=STRATEGIES, help="with --model; repeatable (default: all)")
    ap.add_argument("--limit", type=int, default=0, help="with --model: only the first N test pairs")
    ap.add_argument("--device", help="with --model: cpu, cuda, ... (default: automatic)")
    ap.add_argument("--mirrors", help="folder of git mirrors for a file of hunk references (default: $APIMIG_MIRRORS)")
    ap.add_argument("--compare", action="store_true",
                    help="score learned alone, hand alone and both, and list the cases only learned rules fix")
    args = ap.parse_args(argv)
    try:
        if realdata.is_reference_file(args.pairs):
            pairs = realdata.load(args.pairs, Path(args.mirrors) if args.mirrors else None)
            train, test = realdata.load_split_of(args.split, pairs) if args.split else (pairs, pairs)
        else:
            pairs = load_pairs(args.pairs)
            train, test = _train_part(pairs, args.split)
        extra: list[Rule] = [r for path in args.rules for r in load_pack_file(path)]
    except (DatasetError, RuleFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.compare:
        return _compare(train, test, extra)
    rules: list[Rule] = []
    if args.origin in ("hand", "both"):
        rules += load_rules(builtin=True) + [r for r in extra if r.origin == "hand"]
    if args.origin in ("learned", "both"):
        learned = [r for r in extra if r.origin == "learned"]
        if not learned:
            learned = learn(train, progress=_progress(sys.stderr.isatty()))
        rules += learned
    seen = {p.api for p in train if not p.must_not_change} if args.split else None
    report = evaluate(test, rules, seen_apis=seen, unsafe=not args.safe_only)
    title = f"{len(test)} pairs, {len(rules)} rules (origin: {args.origin})"
    if args.json_out != "-":
        print(format_table(report, title))
    if args.json_out:
        text = report.to_json(with_pairs=args.pairs_detail)
        if args.json_out == "-":
            print(text)
        else:
            Path(args.json_out).write_text(text + "\n", encoding="utf-8")
    if args.model:
        try:
            model_eval = MODEL_EVALUATORS.get("model")
        except (ImportError, RegistryError) as exc:
            print(f"apimig eval --model: the model tier needs the ml extra (pip install 'apimig[ml]'): {exc}",
                  file=sys.stderr)
            return 2
        test_pairs = test[: args.limit] if args.limit else test
        json_model = str(Path(args.json_out).with_suffix(".model.json")) if args.json_out not in (None, "-") else None
        return int(model_eval(args.model, test_pairs, rules, strategies=args.strategy or STRATEGIES,
                              device=args.device, json_out=json_model))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(cli_eval(sys.argv[1:]))
