"""``apimig``: check, fix, rules, test-rules, and the lazily imported learn/eval/model commands.

Exit codes: 0 clean, 1 findings (or changes with --diff), 2 usage, config or rule errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable, Sequence

from . import __version__
from .config import Config, ConfigError, load_config
from .engine import Engine
from .files import iter_python_files
from .findings import FileResult
from .hybrid.proposer import STRATEGIES
from .registry import Registry, RegistryError
from .report import json_report, sarif_report, text_line, unified_diff
from .rules.loader import RuleFileError
from .runner import Job, run
from .versions import parse_target_args

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

# subcommands implemented outside the core are registered lazily so `apimig check` never imports them
COMMANDS: Registry[Callable[[list[str]], int]] = Registry("command")
COMMANDS.register("learn", "apimig.migrator.learner.cli:cli_learn")
COMMANDS.register("eval", "apimig.migrator.learner.cli:cli_eval")
COMMANDS.register("model", "apimig.models.cli:cli_model")
COMMANDS.register("edit", "apimig.models.editing_cli:cli_edit")
COMMANDS.register("train", "apimig.models.editing_cli:cli_train")
COMMANDS.register("experiment", "apimig.models.experiment:cli_experiment")
COMMANDS.register("mine", "apimig.migrator.mining.cli:cli_mine")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", action="append", default=[], metavar="LIB=VERSION",
                   help="library version to migrate to, e.g. numpy=2.0 (repeatable)")
    p.add_argument("--select", action="append", default=[], help="only these rule ids or libraries")
    p.add_argument("--ignore", action="append", default=[], help="skip these rule ids or libraries")
    p.add_argument("--rules", action="append", default=[], metavar="FILE", help="extra rule pack (YAML)")
    p.add_argument("--no-builtin-rules", action="store_true", help="use only --rules / configured packs")
    p.add_argument("--config", metavar="PYPROJECT", help="pyproject.toml to read [tool.apimig] from")


def _split(values: Sequence[str]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="apimig", description="Find and fix deprecated library APIs.")
    parser.add_argument("--version", action="version", version=f"apimig {__version__}")
    sub = parser.add_subparsers(dest="command")
    for name, help_text in (("check", "report deprecated API uses"), ("fix", "rewrite deprecated API uses")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("paths", nargs="*", default=["."])
        _common(p)
        p.add_argument("--format", choices=("text", "json", "sarif"), default="text")
        p.add_argument("--jobs", "-j", type=int, default=1, help="worker processes")
        p.add_argument("--quiet", "-q", action="store_true")
        p.add_argument("--no-progress", action="store_true")
        if name == "fix":
            p.add_argument("--diff", action="store_true", help="show the changes, write nothing")
            p.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that may change behaviour")
            p.add_argument("--model", metavar="DIR", help="local code model (safetensors) for findings the rules "
                           "cannot fix; its fixes are validated and labelled")
            p.add_argument("--strategy", default="with_rules", choices=STRATEGIES,
                           help="prompt strategy of the model tier (default with_rules)")
    rules = sub.add_parser("rules", help="inspect rules")
    rules_sub = rules.add_subparsers(dest="rules_command")
    lst = rules_sub.add_parser("list", help="every rule, whether it is active and why")
    lst.add_argument("path", nargs="?", default=".")
    _common(lst)
    lst.add_argument("--format", choices=("text", "json"), default="text")
    tr = sub.add_parser("test-rules", help="run the inline cases of rule packs")
    tr.add_argument("packs", nargs="*", help="pack files (default: the bundled packs)")
    for name in COMMANDS.names():
        sub.add_parser(name, help=f"see `apimig {name} --help`", add_help=False)
    return parser


def _config(args: argparse.Namespace, start: Path) -> Config:
    cfg_start = Path(args.config) if getattr(args, "config", None) else start
    return load_config(
        cfg_start, targets=parse_target_args(args.target), select=_split(args.select), ignore=_split(args.ignore),
        rules=args.rules, unsafe_fixes=True if getattr(args, "unsafe_fixes", False) else None,
        builtin_rules=False if args.no_builtin_rules else None)


def _print_targets(engine: Engine) -> None:
    known = [t.describe() for t in engine.targets.values() if t.version is not None]
    if known:
        print("apimig: targets " + ", ".join(known), file=sys.stderr)


def cmd_check_fix(args: argparse.Namespace) -> int:
    fixing = args.command == "fix"
    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"apimig: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return EXIT_ERROR
    config = _config(args, paths[0])
    engine = Engine(config)
    if args.format == "text" and not args.quiet:
        _print_targets(engine)
    files = list(iter_python_files(paths, config.exclude))
    use_model = fixing and bool(getattr(args, "model", None))
    # with a model, the rule pass writes nothing: the hybrid redoes files with findings from their text
    job = Job(fix=fixing, unsafe=config.unsafe_fixes, write=fixing and not args.diff and not use_model)
    show_progress = sys.stderr.isatty() and not args.no_progress and not args.quiet
    results: list[FileResult] = []
    diffs: list[str] = []
    lines = 0
    for out in run(config, job, files, jobs=args.jobs, progress=show_progress, engine=engine if args.jobs <= 1 else None):
        results.append(out.result)
        lines += out.lines
        if fixing and args.diff and not use_model and out.result.new_source is not None and out.old_source is not None:
            diffs.append(unified_diff(out.result.path, out.old_source, out.result.new_source))
    if use_model:
        from .hybrid.cli import apply_model_tier, fixes_summary

        tier = apply_model_tier(args.model, engine, results, write=not args.diff, diffs=diffs, strategy=args.strategy)
        if tier.loaded and not args.quiet and args.format == "text":
            print(f"apimig: {fixes_summary(tier)}", file=sys.stderr)
    for r in results:
        if r.error:
            print(f"apimig: {r.path}: {r.error}", file=sys.stderr)
    if args.format == "json":
        print(json_report(engine, results, args.command))
    elif args.format == "sarif":
        print(sarif_report(engine, results))
    else:
        _print_text(args, results, diffs, fixing)
    if fixing:
        changed = any(r.new_source is not None for r in results)
        remaining = _remaining(results)
        return EXIT_FINDINGS if (args.diff and changed) or remaining else EXIT_CLEAN
    return EXIT_FINDINGS if any(r.findings for r in results) else EXIT_CLEAN


def _remaining(results: Sequence[FileResult]) -> int:
    return sum(len(r.remaining) for r in results)


def _print_text(args: argparse.Namespace, results: Sequence[FileResult], diffs: Sequence[str], fixing: bool) -> None:
    if fixing:
        for d in diffs:
            sys.stdout.write(d)
        manual = [(r.path, f) for r in results for f in r.remaining]
        if not args.quiet:
            fixed = sum(len(r.applied) for r in results)
            changed = sum(1 for r in results if r.new_source is not None)
            verb = "Would fix" if args.diff else "Fixed"
            print(f"{verb} {fixed} finding(s) in {changed} file(s).", file=sys.stderr)
            for r in results:
                for f, why in r.dropped:
                    print(f"dropped: {r.path}:{f.start.line + 1}:{f.start.col + 1}: {f.rule_id}: {why}", file=sys.stderr)
            if manual:
                print(f"{len(manual)} finding(s) need a decision (manual, or unsafe: add --unsafe-fixes):", file=sys.stderr)
                for path, f in manual:
                    print("  " + text_line(path, f), file=sys.stderr)
        return
    total = 0
    for r in results:
        for f in r.findings:
            print(text_line(r.path, f))
            total += 1
    if not args.quiet:
        fixable = sum(1 for r in results for f in r.findings if f.tier == "safe")
        print(f"Found {total} finding(s) in {sum(1 for r in results if r.findings)} of {len(results)} file(s); "
              f"{fixable} fixable with `apimig fix`.", file=sys.stderr)


def cmd_rules_list(args: argparse.Namespace) -> int:
    engine = Engine(_config(args, Path(args.path)))
    rows = sorted(engine.status.values(), key=lambda s: (s.rule.library, s.rule.id))
    if args.format == "json":
        print(json.dumps([{"id": s.rule.id, "library": s.rule.library, "kind": s.rule.kind, "tier": s.rule.tier,
                           "active": s.active and s.selected, "reason": s.reason, "origin": s.rule.origin,
                           "source": s.rule.source} for s in rows], indent=2))
        return EXIT_CLEAN
    for s in rows:
        mark = "on " if s.active and s.selected else "off"
        print(f"{mark} {s.rule.id:<45} {s.rule.library:<11} {s.rule.tier:<7} {s.reason}")
    on = sum(1 for s in rows if s.active and s.selected)
    print(f"{on} of {len(rows)} rules active", file=sys.stderr)
    return EXIT_CLEAN


def cmd_test_rules(args: argparse.Namespace) -> int:
    from .rules.registry import load_path, load_rules
    from .testing import run_case

    rules = [r for p in args.packs for r in load_path(p)] if args.packs else load_rules()
    failures = 0
    count = 0
    for rule in rules:
        for i, case in enumerate(rule.cases):
            count += 1
            error = run_case(rule, case)
            if error:
                failures += 1
                print(f"FAIL {rule.id}[{i}]: {error}")
    print(f"{count - failures} passed, {failures} failed")
    return EXIT_FINDINGS if failures else EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        try:
            return int(COMMANDS.get(argv[0])(argv[1:]) or 0)
        except (ImportError, RegistryError) as exc:
            print(f"apimig {argv[0]}: not available ({exc}); install the extra: pip install 'apimig[ml]'",
                  file=sys.stderr)
            return EXIT_ERROR
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command in ("check", "fix"):
            return cmd_check_fix(args)
        if args.command == "rules" and args.rules_command == "list":
            return cmd_rules_list(args)
        if args.command == "test-rules":
            return cmd_test_rules(args)
    except (RuleFileError, ConfigError, ValueError) as exc:
        print(f"apimig: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    parser.print_help()
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
