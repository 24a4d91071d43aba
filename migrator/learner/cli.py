"""Command-line entry points ``apimig learn`` and ``apimig eval`` (wired into the main CLI by the lead).

Both return an exit code: 0 success, 2 error (bad dataset, split or rule file).
"""

from __future__ import annotations

import argparse
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
from .generalize import learn
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


def cli_learn(argv: Sequence[str] | None = None) -> int:
    """``apimig learn PAIRS.jsonl -o learned.yaml [--split SPLIT.json]`` (learns from the split's train part)."""
    ap = argparse.ArgumentParser(prog="apimig learn", description="Learn rules from (old, new) code pairs.")
    ap.add_argument("pairs", help="JSON Lines file of migration pairs")
    ap.add_argument("-o", "--output", required=True, help="YAML rule pack to write")
    ap.add_argument("--split", help="split file; learn only from its 'train' ids")
    ap.add_argument("--no-precision", action="store_true", help="skip measuring each rule on the training pairs")
    args = ap.parse_args(argv)
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
    args = ap.parse_args(argv)
    try:
        pairs = load_pairs(args.pairs)
        train, test = _train_part(pairs, args.split)
        extra: list[Rule] = [r for path in args.rules for r in load_pack_file(path)]
    except (DatasetError, RuleFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
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
