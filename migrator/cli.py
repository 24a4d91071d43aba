"""``apimig``: check, fix, rules, test-rules, and the lazily imported learn/eval/model commands.

Flags follow ruff where the meaning is the same (``--output-format``, ``--statistics``, ``--exit-zero``,
``--fix-only``, ``--show-fixes``, ``--stdin-filename``, ``--color``); docs/ruff-comparison.md lists them.

Exit codes: 0 clean; 1 findings, or a file that was not read or does not parse (like ruff's syntax-error
diagnostic: a CI gate must not pass on code it never read), or with ``fix --diff`` only: there is a diff;
2 usage, config or rule errors.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Iterator, Sequence

from . import __version__, ruledocs
from .config import Config, ConfigError, check_selectors, closest_hint, load_config
from .engine import Engine
from .files import iter_python_files
from .findings import FileResult
from .registry import Registry, RegistryError
from .report import (
    FORMATS,
    Sources,
    Style,
    full_block,
    github,
    gitlab,
    json_lines,
    json_report,
    junit,
    summary,
    text_line,
    unified_diff,
)
from .rules.loader import RuleFileError
from .runner import Job, Outcome, process_text, run
from .sarif import sarif_report
from .versions import parse_target_args

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

# subcommands implemented outside the core are entry points (``apimig.commands``), resolved lazily
# so `apimig check` never imports them
COMMANDS: Registry[Callable[[list[str]], int]] = Registry("command")
COMMANDS.load_entry_points("apimig.commands")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", action="append", default=[], metavar="LIB=VERSION",
                   help="library version to migrate to, e.g. numpy=2.0 (repeatable)")
    p.add_argument("--select", action="append", default=[], help="only these rule ids or libraries")
    p.add_argument("--ignore", action="append", default=[], help="skip these rule ids or libraries")
    p.add_argument("--rules", action="append", default=[], metavar="FILE", help="extra rule pack (YAML)")
    p.add_argument("--no-builtin-rules", action="store_true", help="use only --rules / configured packs")
    p.add_argument("--config", metavar="FILE", help="TOML file to read settings from: a pyproject.toml or an "
                   "apimig.toml ([tool.apimig] or top-level keys); it must exist")


def _split(values: Sequence[str]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _output_options(p: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    p.add_argument("--output-format", "--format", dest="format", choices=formats, default="text",
                   help="how findings are printed (--format is an alias)")


def _strategy(value: str) -> str:
    """Checked on use, so `apimig check` does not import the hybrid layer to build its parser."""
    from .hybrid.proposer import STRATEGIES

    if value not in STRATEGIES:
        raise argparse.ArgumentTypeError(f"invalid choice: {value!r} (choose from {', '.join(STRATEGIES)})")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="apimig", description="Find and fix deprecated library APIs.")
    parser.add_argument("--version", action="version", version=f"apimig {__version__}")
    sub = parser.add_subparsers(dest="command")
    for name, help_text in (("check", "report deprecated API uses"), ("fix", "rewrite deprecated API uses")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("paths", nargs="*", default=["."], help="files or folders; `-` reads stdin")
        _common(p)
        _output_options(p, FORMATS)
        p.add_argument("--jobs", "-j", type=int, default=None,
                       help="worker processes (default: every core; one process for a few small files)")
        p.add_argument("--quiet", "-q", action="store_true")
        p.add_argument("--no-progress", action="store_true")
        p.add_argument("--statistics", action="store_true", help="count findings per rule instead of listing them")
        p.add_argument("--show-fixes", action="store_true", help="list each fix (check: that would apply; fix: applied)")
        p.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings (errors still exit 2)")
        p.add_argument("--stdin-filename", metavar="PATH", help="the name of the file read from stdin (`-`)")
        p.add_argument("--force-exclude", action="store_true",
                       help="apply exclude patterns to files named on the command line too (pre-commit passes them)")
        p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour text output (auto: on a terminal unless NO_COLOR is set)")
        if name == "fix":
            p.add_argument("--diff", action="store_true", help="show the changes, write nothing; exit 1 only on a diff")
            p.add_argument("--fix-only", action="store_true", help="apply fixes, do not report the findings left")
            p.add_argument("--exit-non-zero-on-fix", action="store_true",
                           help="exit 1 when a file was fixed, even if nothing is left")
            p.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that may change behaviour")
            p.add_argument("--model", metavar="DIR", help="local code model (safetensors) for findings the rules "
                           "cannot fix; its fixes are validated and labelled")
            p.add_argument("--strategy", default=None, type=_strategy,
                           help="prompt strategy of the model layer (default with_rules)")
            p.add_argument("--proposer", default="model", metavar="NAME",
                           help="fix proposer registered under apimig.proposers (default: model, the local code model)")
    rules = sub.add_parser("rules", help="inspect rules")
    rules_sub = rules.add_subparsers(dest="rules_command")
    lst = rules_sub.add_parser("list", help="every rule, whether it is active and why")
    lst.add_argument("path", nargs="?", default=".")
    _common(lst)
    _output_options(lst, ("text", "json"))
    exp = rules_sub.add_parser("explain", help="what a rule finds, its versions, its fix and how safe it is")
    exp.add_argument("rule_id")
    _common(exp)
    _output_options(exp, ("text", "json"))
    docs = rules_sub.add_parser("docs", help="write one Markdown page per rule and an index per library")
    docs.add_argument("-o", "--output", required=True, metavar="DIR")
    _common(docs)
    tr = sub.add_parser("test-rules", help="run the inline cases of rule packs")
    tr.add_argument("packs", nargs="*", help="pack files (default: the bundled packs)")
    for name in COMMANDS.names():
        sub.add_parser(name, help=f"see `apimig {name} --help`", add_help=False)
    return parser


def _config(args: argparse.Namespace, start: Path) -> Config:
    return load_config(
        start, config_file=getattr(args, "config", None), targets=parse_target_args(args.target), select=_split(args.select), ignore=_split(args.ignore),
        rules=args.rules, unsafe_fixes=True if getattr(args, "unsafe_fixes", False) else None,
        builtin_rules=False if args.no_builtin_rules else None)


def _engine(config: Config) -> Engine:
    """The engine, after checking that every --select/--ignore item names something."""
    engine = Engine(config)
    check_selectors(config, list(engine.by_id), sorted({r.library for r in engine.rules}))
    return engine


def _print_targets(engine: Engine) -> None:
    known = [t.describe() for t in engine.targets.values() if t.version is not None]
    if known:
        print("apimig: targets " + ", ".join(known), file=sys.stderr)


def _style(choice: str) -> Style:
    if choice == "auto":
        return Style(sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    return Style(choice == "always")


def _stdin_mode(args: argparse.Namespace) -> bool:
    if "-" in args.paths and len(args.paths) > 1:
        raise ValueError("`-` (stdin) cannot be combined with other paths")
    return args.paths == ["-"]


def cmd_check_fix(args: argparse.Namespace) -> int:
    fixing = args.command == "fix"
    stdin = _stdin_mode(args)
    paths = [Path(args.stdin_filename or "-")] if stdin else [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not stdin and not p.exists()]
    if missing:
        print(f"apimig: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return EXIT_ERROR
    config = _config(args, paths[0] if not stdin or args.stdin_filename else Path.cwd())
    if args.force_exclude:
        config = dataclasses.replace(config, force_exclude=True)
    engine = _engine(config)
    if args.format in ("text", "full") and not args.quiet:
        _print_targets(engine)
    use_model = fixing and bool(getattr(args, "model", None))
    # with a model, the rule pass writes nothing: the hybrid redoes files with findings from their text
    job = Job(fix=fixing, unsafe=config.unsafe_fixes, write=fixing and not args.diff and not use_model and not stdin)
    given: dict[str, str] = {}
    if stdin:
        given[str(paths[0])] = sys.stdin.read()
        outcomes: Iterator[Outcome] | list[Outcome] = [process_text(engine, job, given[str(paths[0])], str(paths[0]))]
    else:
        files = list(iter_python_files(paths, config.exclude, root=config.project_root,
                                       respect_gitignore=config.respect_gitignore, force_exclude=config.force_exclude))
        show_progress = sys.stderr.isatty() and not args.no_progress and not args.quiet
        outcomes = run(config, job, files, jobs=args.jobs, progress=show_progress, engine=engine)
    results: list[FileResult] = []
    diffs: list[str] = []
    for out in outcomes:
        results.append(out.result)
        if fixing and args.diff and not use_model and out.result.new_source is not None and out.old_source is not None:
            diffs.append(unified_diff(out.result.path, out.old_source, out.result.new_source))
    if use_model:
        from .hybrid.layer import apply_model_layer, fixes_summary

        layer = apply_model_layer(args.model, engine, results, write=not args.diff and not stdin, diffs=diffs,
                                  strategy=args.strategy or "with_rules", proposer_name=args.proposer)
        if layer.loaded and not args.quiet and args.format == "text":
            print(f"apimig: {fixes_summary(layer)}", file=sys.stderr)
    if fixing and getattr(args, "fix_only", False):
        for r in results:
            r.findings, r.remaining = [], []
    for r in results:
        if r.error:
            print(f"apimig: {r.path}: {r.error}", file=sys.stderr)
    sources = Sources(given)
    if fixing and stdin and not args.diff:  # the fixed text goes to stdout, like ruff
        sys.stdout.write(results[0].new_source if results[0].new_source is not None else given[str(paths[0])])
    elif args.statistics:
        _print_statistics(results, args.format)
    elif args.format in ("text", "full"):
        _print_text(args, results, diffs, fixing, sources)
    else:
        sys.stdout.write(_render(args.format, engine, results, args.command, sources))
    return _exit_code(args, results, diffs, fixing)


def _render(fmt: str, engine: Engine, results: Sequence[FileResult], mode: str, sources: Sources) -> str:
    if fmt == "json":
        return json_report(engine, results, mode) + "\n"
    if fmt == "sarif":
        return sarif_report(engine, results, sources) + "\n"
    if fmt == "json-lines":
        return json_lines(results)
    if fmt == "github":
        return github(engine, results)
    if fmt == "gitlab":
        return gitlab(engine, results, sources)
    return junit(results)


def _exit_code(args: argparse.Namespace, results: Sequence[FileResult], diffs: Sequence[str], fixing: bool) -> int:
    skipped = any(r.error for r in results)
    if fixing and args.diff:
        changed = bool(diffs) or any(r.new_source is not None for r in results)
        return EXIT_FINDINGS if changed or skipped else EXIT_CLEAN
    if fixing and args.exit_non_zero_on_fix and any(r.applied for r in results):
        return EXIT_FINDINGS
    if args.exit_zero:
        return EXIT_CLEAN
    if fixing:
        return EXIT_FINDINGS if _remaining(results) or skipped else EXIT_CLEAN
    return EXIT_FINDINGS if skipped or any(r.findings for r in results) else EXIT_CLEAN


def _remaining(results: Sequence[FileResult]) -> int:
    return sum(len(r.remaining) for r in results)


def _print_statistics(results: Sequence[FileResult], fmt: str) -> None:
    """ruff's ``--statistics``: count, rule id, ``[*]`` when safely fixable, message, most frequent first
    (with ``--output-format json``: a list of ``{code, count, fixable, message}``)."""
    counts = Counter(f.rule_id for r in results for f in r.findings)
    first = {f.rule_id: f for r in results for f in reversed(r.findings)}
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if fmt == "json":
        print(json.dumps([{"code": rid, "count": n, "fixable": first[rid].tier == "safe",
                           "message": first[rid].message} for rid, n in rows], indent=2))
        return
    for rid, n in rows:
        mark = "[*]" if first[rid].tier == "safe" else "[ ]"
        print(f"{n:>5}\t{rid}\t{mark} {first[rid].message}")


def _print_text(args: argparse.Namespace, results: Sequence[FileResult], diffs: Sequence[str], fixing: bool,
                sources: Sources) -> None:
    style = _style(args.color)
    if fixing:
        for d in diffs:
            sys.stdout.write(d)
        manual = [(r.path, f) for r in results for f in r.remaining]
        if args.show_fixes:
            for r in results:
                for f in r.applied:
                    print(f"{'would fix' if args.diff else 'fixed'}: {text_line(r.path, f, style)}")
        if not args.quiet:
            fixed = sum(len(r.applied) for r in results)
            changed = sum(1 for r in results if r.new_source is not None)
            verb = "Would fix" if args.diff else "Fixed"
            print(f"{verb} {fixed} finding(s) in {changed} file(s).", file=sys.stderr)
            if args.diff and diffs:
                print(f"Run `apimig fix {' '.join(args.paths)}` to apply.", file=sys.stderr)
            for r in results:
                for f, why in r.dropped:
                    print(f"dropped: {r.path}:{f.start.line + 1}:{f.start.col + 1}: {f.rule_id}: {why}", file=sys.stderr)
            if manual:
                print(f"{len(manual)} finding(s) need a decision (manual, or unsafe: add --unsafe-fixes):", file=sys.stderr)
                for path, f in manual:
                    print("  " + text_line(path, f), file=sys.stderr)
        return
    for r in results:
        for f in r.findings:
            if args.format == "full":
                print(full_block(r.path, f, sources, style))
            else:
                print(text_line(r.path, f, style))
            if args.show_fixes and f.fix is not None:
                print(f"    fix ({f.tier}): {f.fix.title}")
    if not args.quiet:
        s = summary(results)
        hidden = f" ({s.unsafe_fixable} more with `--unsafe-fixes`)" if s.unsafe_fixable else ""
        print(f"Found {s.findings} finding(s) in {sum(1 for r in results if r.findings)} of {s.files} file(s); "
              f"{s.fixable} fixable with `apimig fix`{hidden}.", file=sys.stderr)


def cmd_rules_list(args: argparse.Namespace) -> int:
    engine = _engine(_config(args, Path(args.path)))
    rows = sorted(engine.status.values(), key=lambda s: (s.rule.library, s.rule.id))
    target_of = {lib: t.describe() for lib, t in engine.targets.items()}
    if args.format == "json":
        print(json.dumps([{"id": s.rule.id, "library": s.rule.library, "kind": s.rule.kind, "tier": s.rule.tier,
                           "message": s.rule.message, "active": s.active and s.selected, "reason": s.reason,
                           "target": target_of.get(s.rule.library), "origin": s.rule.origin,
                           "source": s.rule.source, "docs": ruledocs.doc_url(s.rule.library, s.rule.id)}
                          for s in rows], indent=2))
        return EXIT_CLEAN
    for s in rows:
        mark = "on " if s.active and s.selected else "off"
        message = s.rule.message.replace("\n", " ")
        message = message if len(message) <= 60 else message[:59] + "…"
        print(f"{mark} {s.rule.id:<45} {s.rule.library:<11} {s.rule.tier:<7} {message:<60}  {s.reason}")
    on = sum(1 for s in rows if s.active and s.selected)
    print(f"{on} of {len(rows)} rules active; targets: " + "; ".join(sorted(target_of.values())), file=sys.stderr)
    return EXIT_CLEAN


def cmd_rules_explain(args: argparse.Namespace) -> int:
    engine = Engine(_config(args, Path.cwd()))
    rule = engine.by_id.get(args.rule_id)
    if rule is None:
        print(f"apimig: error: unknown rule {args.rule_id!r}{closest_hint(args.rule_id, list(engine.by_id))}",
              file=sys.stderr)
        return EXIT_ERROR
    if args.format == "json":
        print(json.dumps({"id": rule.id, "library": rule.library, "kind": rule.kind, "message": rule.message,
                          "deprecated_in": str(rule.deprecated_in or "") or None,
                          "removed_in": str(rule.removed_in or "") or None, "fix": ruledocs.fix_text(rule),
                          "tier": rule.tier, "unsafe_reason": rule.reason, "source": rule.source,
                          "docs": ruledocs.doc_url(rule.library, rule.id),
                          "cases": [{k: v for k, v in c.__dict__.items() if v and k != "target"} for c in rule.cases]},
                         indent=2))
    else:
        sys.stdout.write(ruledocs.explain(rule))
    return EXIT_CLEAN


def cmd_rules_docs(args: argparse.Namespace) -> int:
    engine = Engine(_config(args, Path.cwd()))
    written = ruledocs.write_docs(engine.rules, args.output)
    print(f"wrote {len(written)} pages under {args.output}", file=sys.stderr)
    return EXIT_CLEAN


def cmd_test_rules(args: argparse.Namespace) -> int:
    from .rules.packs import load_path, load_rules
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


RULES_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "list": cmd_rules_list, "explain": cmd_rules_explain, "docs": cmd_rules_docs}


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
        if args.command == "rules" and args.rules_command in RULES_COMMANDS:
            return RULES_COMMANDS[args.rules_command](args)
        if args.command == "test-rules":
            return cmd_test_rules(args)
    except (RuleFileError, ConfigError, ValueError) as exc:
        print(f"apimig: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    parser.print_help()
    return EXIT_ERROR


def console_main() -> int:
    """The console script: like :func:`main`, but a closed pipe (``apimig check | head``) ends quietly."""
    try:
        code = main()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # the reader left: point stdout at devnull so the interpreter's final flush does not raise again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FINDINGS


if __name__ == "__main__":
    sys.exit(console_main())
