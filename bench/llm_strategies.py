"""Per-strategy metrics and latency of the model tier on the dataset's test split.

    python bench/llm_strategies.py --model DIR [--strategy basic --strategy cot] [--split random]
                                   [--limit N] [--device cuda] [--dtype bf16] [--json OUT]

Any local Hugging Face model directory works (safetensors only, offline); the model organism
is built with `apimig model organism --out DIR`.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from apimig.migrator.dataset import DEFAULT_PAIRS, load_pairs, load_split
from apimig.models.evaluation import evaluate_strategies, format_scores
from apimig.models.generation import STRATEGIES
from apimig.models.loading import load_model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, type=Path)
    ap.add_argument("--strategy", action="append", choices=STRATEGIES, help="repeatable; default: all")
    ap.add_argument("--split", default="random", help="split name under data/migrations/splits (or a path)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N test pairs (0: all)")
    ap.add_argument("--device", default=None)
    ap.add_argument("--dtype", default=None)
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--json", type=Path, help="also write the scores as JSON")
    args = ap.parse_args(argv)

    pairs = load_pairs(DEFAULT_PAIRS)
    split = Path(args.split) if args.split.endswith(".json") else DEFAULT_PAIRS.parent / "splits" / f"{args.split}.json"
    _, test = load_split(split, pairs)
    if args.limit:
        test = test[: args.limit]
    t0 = time.perf_counter()
    lm = load_model(args.model, device=args.device, dtype=args.dtype)
    load_s = time.perf_counter() - t0
    device = lm.device
    if device.startswith("cuda"):
        import torch

        device = f"{device} ({torch.cuda.get_device_name(0)})"
    print(f"model {args.model} ({lm.model_type}, {lm.dtype}) on {device}; loaded in {load_s:.1f} s; "
          f"{len(test)} test pairs from {split.name}; host {platform.node()}", file=sys.stderr)
    rows = evaluate_strategies(lm, test, args.strategy or STRATEGIES, max_new_tokens=args.max_new_tokens)
    print(format_scores(rows))
    if args.json:
        args.json.write_text(json.dumps({"model": str(args.model), "device": device, "pairs": len(test),
                                         "scores": [r.as_dict() for r in rows]}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
