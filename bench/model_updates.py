"""Benchmark the gated model updates: ROME, MEMIT, LoRA, DPO.

Per method: edit time, efficacy, generalisation, specificity, syntax validity and the
gate's verdict; then, for sequential edits (ROME and MEMIT, one request at a time, no
rollback), how specificity and syntax validity evolve after 1, 10 and 50 edits.

    python bench/model_updates.py                      # on the model organism (built if missing)
    python bench/model_updates.py --model DIR --device cuda --json out.json

Without ``--model`` the organism's hparams overrides are used (2 layers: layer 0, last token).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
REQUESTS = REPO / "tests" / "models" / "data" / "edit_requests.json"
MEMIT_BATCH = REPO / "tests" / "models" / "data" / "memit_batch.json"  # ten edits the organism can express
NAMES = ["x", "y", "z", "a", "b", "out", "res", "vals", "data", "arr", "grid", "w", "v", "m", "total", "t0", "start"]


def organism_overrides(name: str, stats: str) -> dict[str, Any]:
    if name == "rome":
        return dict(layers=(0,), fact_token="last", mom2_n_samples=200, mom2_max_len=128, stats_dir=stats)
    if name == "memit":
        return dict(layers=(0, 1), fact_token="last", clamp_norm_factor=2.0, mom2_update_weight=1000.0, kl_factor=1.0,
                    mom2_n_samples=200, mom2_max_len=128, stats_dir=stats)
    return dict(dtype="float32", layers=(1,), lr=3e-3, num_steps=30, kl_factor=5.0, anchor_n_samples=16, anchor_batch_size=8)


def sequential_requests(n: int) -> list[Any]:
    """``n`` distinct prompts for three facts, varying the assigned variable."""
    from apimig.models.requests import EditRequest

    loc = ["class Point:\n    def", "import numpy as np\nx = np.", "import pandas as pd\ndf = df.",
           "from sklearn.preprocessing import OneHotEncoder\nenc = OneHotEncoder(", "import torch\ntorch.testing."]
    facts = [("import datetime\n{v} = datetime.datetime.", "datetime.datetime", "now()", "utcnow()"),
             ("import pandas as pd\nfor {v}, col in df.", "df", "items()", "iteritems()"),
             ("import torch\n{v} = model(y)\nwith torch.", "torch", "amp.autocast(", "cuda.amp.autocast(")]
    out = []
    for i in range(n):
        tmpl, subj, new, old = facts[i % len(facts)]
        v = NAMES[(i // len(facts)) % len(NAMES)] + ("" if i < len(facts) * len(NAMES) else str(i))
        out.append(EditRequest(tmpl.format(v=v), subj, new, old, locality_inputs=tuple(loc)))
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    from apimig.models.gate import GateConfig, agreement, run_update, snapshot
    from apimig.models.loading import load_model
    from apimig.models.methods import get_method
    from apimig.models.requests import load_requests

    torch.manual_seed(0)
    model_dir = Path(args.model) if args.model else REPO / ".apimig-cache" / "organism"
    organism = args.model is None
    if organism and not (model_dir / "model.safetensors").exists():
        from apimig.models.organism import build_organism

        build_organism(model_dir, seed=0)
    stats = str(Path(args.stats_dir or (REPO / ".apimig-cache" / "stats")))
    requests = load_requests(args.requests)
    memit_batch = load_requests(args.memit_requests)
    cfg = GateConfig.load(args.gate) if args.gate else GateConfig()
    results: dict[str, Any] = {"device": "", "methods": {}, "sequential": {}}
    for name in args.methods:
        lm = load_model(model_dir, device=args.device)
        results["device"] = torch.cuda.get_device_name() if lm.device.startswith("cuda") else "cpu"
        method = get_method(name)
        hp = method.default_hparams(lm.model_type)
        if organism:
            hp = dataclasses.replace(hp, **organism_overrides(name, stats))
        sel = requests[7:8] if name == "rome" else (memit_batch if name == "memit" else requests[7:10])
        res = run_update(method, lm.model, lm.tokenizer, sel, hp, cfg)
        r = res.report
        results["methods"][name] = {"requests": len(sel), "seconds": round(r.seconds, 3), **{k: r.after.get(k) for k in
                                    ("efficacy", "generalisation", "syntax_validity")}, "syntax_before": r.before.get("syntax_validity"),
                                    "specificity": r.specificity, "passed": r.passed, "reasons": r.reasons}
    for name in [m for m in args.methods if m in ("rome", "memit")]:
        lm = load_model(model_dir, device=args.device)
        method = get_method(name)
        hp = method.default_hparams(lm.model_type)
        if organism:
            hp = dataclasses.replace(hp, **organism_overrides(name, stats))
        seq = sequential_requests(max(args.sequential))
        base = snapshot(lm.model, lm.tokenizer, seq[:1], cfg)
        curve = {}
        t0 = time.perf_counter()
        for i, req in enumerate(seq, 1):
            method.apply(lm.model, method.compute(lm.model, lm.tokenizer, [req], hp))
            if i in args.sequential:
                now = snapshot(lm.model, lm.tokenizer, seq[:1], cfg)
                eff = snapshot(lm.model, lm.tokenizer, seq[:i], cfg).efficacy
                curve[i] = {"specificity": agreement(base.locality_tokens, now.locality_tokens),
                            "syntax_validity": now.syntax_validity, "efficacy_all_so_far": eff,
                            "seconds": round(time.perf_counter() - t0, 2)}
        results["sequential"][name] = curve
    return results


def table(results: dict[str, Any]) -> str:
    f = lambda x: "n/a" if x is None else (f"{x:.3f}" if isinstance(x, float) else str(x))  # noqa: E731
    rows = [("method", "n", "time s", "efficacy", "generalis.", "specificity", "syntax (before)", "gate")]
    for name, m in results["methods"].items():
        rows.append((name, str(m["requests"]), f(m["seconds"]), f(m["efficacy"]), f(m["generalisation"]), f(m["specificity"]),
                     f"{f(m['syntax_validity'])} ({f(m['syntax_before'])})", "pass" if m["passed"] else "rolled back"))
    w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = [f"device: {results['device']}"] + ["  ".join(c.ljust(x) for c, x in zip(r, w)) for r in rows]
    for name, curve in results["sequential"].items():
        out.append(f"sequential {name}: " + "; ".join(
            f"{n} edits: specificity {f(c['specificity'])}, syntax {f(c['syntax_validity'])}, efficacy {f(c['efficacy_all_so_far'])}, {c['seconds']}s"
            for n, c in curve.items()))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", help="model directory (default: the organism)")
    p.add_argument("--requests", default=str(REQUESTS))
    p.add_argument("--memit-requests", default=str(MEMIT_BATCH), help="the batch edited at once by MEMIT")
    p.add_argument("--methods", nargs="+", default=["rome", "memit", "lora", "dpo"])
    p.add_argument("--sequential", nargs="+", type=int, default=[1, 10, 50])
    p.add_argument("--device")
    p.add_argument("--gate")
    p.add_argument("--stats-dir")
    p.add_argument("--json", help="also write the results here")
    args = p.parse_args(argv)
    results = run(args)
    sys.stdout.write(table(results) + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
