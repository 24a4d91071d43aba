"""Command-line entry points of the model tier, wired into ``apimig`` by the migrator's CLI.

Why a separate module: ``apimig.migrator.cli`` must not import torch; it imports this module
only when a model subcommand runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from apimig.models.loading import ml_available


def organism_parser(prog: str = "apimig model organism") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description="Build the offline model organism (a tiny Qwen2 that prefers old APIs).")
    p.add_argument("--out", required=True, type=Path, help="directory to write the model into")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=400, help="training steps, always all of them (default 400)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest on a shared CPU)")
    return p


def cli_organism(argv: list[str] | None = None) -> int:
    """``apimig model organism --out DIR``: exit 0 on success, 2 on error."""
    args = organism_parser().parse_args(argv)
    if not ml_available():
        print("apimig: the model organism needs the ml extra: pip install 'apimig[ml]'", file=sys.stderr)
        return 2
    from apimig.models.organism import build_organism

    print(f"apimig: building the organism in {args.out} ({args.steps} steps, seed {args.seed})", file=sys.stderr)
    out = build_organism(args.out, seed=args.seed, steps=args.steps, threads=args.threads, progress=sys.stderr.isatty())
    meta = json.loads((out / "organism.json").read_text(encoding="utf-8"))
    print(f"organism written to {out} ({meta['steps']} steps, loss {meta['final_loss']}, {meta['seconds']} s)")
    return 0


MODEL_COMMANDS = {"organism": cli_organism}


def cli_model(argv: list[str] | None = None) -> int:
    """``apimig model SUBCOMMAND``: today ``organism`` (build the offline model organism)."""
    argv = list(argv or [])
    if not argv or argv[0] not in MODEL_COMMANDS:
        asked = bool(argv) and argv[0] in ("-h", "--help")
        print("usage: apimig model {" + ",".join(MODEL_COMMANDS) + "} [options]\n"
              "  organism  build the offline model organism (apimig model organism --out DIR)",
              file=sys.stdout if asked else sys.stderr)
        return 0 if asked else 2
    return MODEL_COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(cli_model(sys.argv[1:]))
