"""``apimig report PATH``: write the readiness page (or its JSON) for a project.

Exit codes: 0 written, 2 bad input (missing path, bad --target, unreadable --previous report, bad config).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ..api import ConfigError, RuleFileError, load_config
from ..versions import parse_target_args
from .html import render
from .model import ReportError, build, load_previous

EXIT_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="apimig report", description="Write a migration-readiness report.")
    ap.add_argument("paths", nargs="+", help="files or folders to scan")
    ap.add_argument("--target", action="append", default=[], metavar="LIB=VERSION",
                    help="target version (repeatable); default from the project's config and requirements")
    ap.add_argument("--config", help="configuration file (default: the nearest pyproject.toml)")
    ap.add_argument("-o", "--output", help="file to write (default: standard output)")
    ap.add_argument("--format", choices=("html", "json"), default="html")
    ap.add_argument("--previous", action="append", default=[], metavar="REPORT.json",
                    help="an earlier `--format json` report, for the trend (repeatable)")
    return ap


def cli_report(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"apimig: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return EXIT_ERROR
    try:
        config = load_config(paths[0], targets=parse_target_args(args.target), config_file=args.config)
        previous = [load_previous(p) for p in args.previous]
        doc = build(config, paths, previous)
    except (ValueError, ConfigError, RuleFileError, ReportError) as exc:
        print(f"apimig: {exc}", file=sys.stderr)
        return EXIT_ERROR
    text = json.dumps(doc, indent=2) + "\n" if args.format == "json" else render(doc)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"apimig: wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
