"""Benchmark the gated model updates: ROME, MEMIT, AlphaEdit, LoRA, DPO.

Per method: edit time, efficacy, generalisation, specificity, syntax validity and the
gate's verdict; then, for sequential edits (ROME, MEMIT and AlphaEdit, one request at a
time, no rollback), efficacy and generalisation over every edit so far, specificity and
syntax validity after 1, 10, 50 and 100 edits. The sequential requests are generated
(``sequential_requests``): four old APIs the organism writes, each in prompts that vary the
preceding line and the variable name, so 100 requests have 100 distinct prompts.

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
SEQUENTIAL_METHODS = ("rome", "memit", "alphaedit")
#: AlphaEdit on the 2-layer organism: both layers, the key at the prompt's last token; K0 from the
#: organism's own kind of code (``organism_corpus_file``), where its locality prompts live.
ALPHAEDIT_ORGANISM: dict[str, Any] = dict(layers=(0, 1), fact_token="last", clamp_norm_factor=2.0, kl_factor=1.0,
                                          mom2_n_samples=200, mom2_max_len=128, nullspace_threshold=2e-2, L2=1.0)


def organism_corpus_file(stats: str) -> str:
    """Old-API documents interleaved with stdlib code (seed 1, not the training seed), as one file."""
    import random

    from apimig.models.organism_corpus import old_api_document, stdlib_chunks

    path = Path(stats) / "organism-corpus-1.py"
    if not path.exists():
        rng = random.Random(1)
        std = stdlib_chunks(200_000, random.Random(1))
        parts = [old_api_document(rng) + (std[i // 3] if i % 3 == 0 and i // 3 < len(std) else "") for i in range(3000)]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(parts), encoding="utf-8")
    return str(path)

#: Facts the organism can express: it writes the old API after these prompts (organism_corpus.OLD_API), and
#: the new API's first token decides the rest (an edit at the prompt's last token reaches one position;
#: ``linalg.eigh(`` for ``symeig(`` or ``float64`` for ``float_`` are beyond a 2-layer model's single-token edit).
#: (prompt template, subject, target_new, ground_truth); {v} is a variable name.
FACTS = [
    ("import datetime\n{v} = datetime.datetime.", "datetime.datetime", "now()", "utcnow()"),
    ("import torch\n{v} = model(y)\nwith torch.", "torch", "amp.autocast(", "cuda.amp.autocast("),
    ("from scipy.integrate import simps\n{v} = ", "simps", "simpson(", "simps("),
    ("import torch\n{v} = model(y)\nscaler = torch.", "torch", "amp.GradScaler(", "cuda.amp.GradScaler("),
]
#: What comes before the fact's line: varies the context (and so the key) of each request.
PREFIXES = ["", "\n", "x = 1\n", "print(y)\n", "import os\n", "# update\n"]
VARIABLES = ["x", "y", "z", "a", "b", "out", "res", "vals", "data", "arr", "grid", "w", "v", "m", "total", "t0",
             "start", "stamp", "key", "name", "values", "k", "c", "s", "item", "value"]
LOCALITY = ("class Point:\n    def", "def compute(a, b):\n    return", "for i in range(10):\n    x =",
            "import numpy as np\nx = np.", "import torch\ntorch.testing.", "import pandas as pd\nx = pd.",
            "from sklearn.preprocessing import OneHotEncoder\nenc = OneHotEncoder(", "import pandas as pd\nfor k, v in df.",
            "import numpy as np\nx = np.trapz(y, dx=0.5)\nz = np.")



def organism_overrides(name: str, stats: str) -> dict[str, Any]:
    if name == "rome":
        return dict(layers=(0,), fact_token="last", mom2_n_samples=200, mom2_max_len=128, stats_dir=stats)
    if name == "memit":
        return dict(layers=(0, 1), fact_token="last", clamp_norm_factor=2.0, mom2_update_weight=1000.0, kl_factor=1.0,
                    mom2_n_samples=200, mom2_max_len=128, stats_dir=stats)
    if name == "alphaedit":
        return dict(ALPHAEDIT_ORGANISM, stats_dir=stats, mom2_dataset=organism_corpus_file(stats))
    return dict(dtype="float32", layers=(1,), lr=3e-3, num_steps=30, kl_factor=5.0, anchor_n_samples=16, anchor_batch_size=8)


def sequential_requests(n: int) -> list[Any]:
    """``n`` distinct requests: fact ``i % len(FACTS)`` in a context and with a variable chosen by ``i``.

    Each request's rephrase is the same fact after another prefix and variable, so
    generalisation is measured on prompts no edit saw.
    """
    from apimig.models.requests import EditRequest

    out = []
    for i in range(n):
        tmpl, subj, new, old = FACTS[i % len(FACTS)]
        j = i // len(FACTS)  # distinct (prefix, variable) pairs for lcm(6, 26) = 78 rounds
        prompt = PREFIXES[j % len(PREFIXES)] + tmpl.format(v=VARIABLES[j % len(VARIABLES)])
        reph = PREFIXES[(j + 3) % len(PREFIXES)] + tmpl.format(v=VARIABLES[(j + 7) % len(VARIABLES)])
        out.append(EditRequest(prompt, subj, new, old, rephrase_prompts=(reph,), locality_inputs=LOCALITY))
    return out


def sequential_curve(name: str, model_dir: Path, organism: bool, stats: str, cfg: Any,
                     args: argparse.Namespace) -> dict[int, dict[str, Any]]:
    """Edit one request at a time, no rollback; measure every edit so far at each checkpoint."""
    from apimig.models.gate import agreement, snapshot
    from apimig.models.loading import load_model
    from apimig.models.methods import get_method

    lm = load_model(model_dir, device=args.device)
    method = get_method(name)
    hp = method.default_hparams(lm.model_type)
    if organism:
        hp = dataclasses.replace(hp, **organism_overrides(name, stats))
    seq = sequential_requests(max(args.sequential))
    base = snapshot(lm.model, lm.tokenizer, seq, cfg)
    fixed = snapshot(lm.model, lm.tokenizer, seq[:1], cfg)  # syntax on one prompt set, before and after
    curve: dict[int, dict[str, Any]] = {0: {"efficacy": base.efficacy, "generalisation": base.generalisation,
                                            "specificity": 1.0, "syntax_validity": fixed.syntax_validity, "seconds": 0.0}}
    t0 = time.perf_counter()
    for i, req in enumerate(seq, 1):
        method.apply(lm.model, method.compute(lm.model, lm.tokenizer, [req], hp))
        if i in args.sequential:
            now = snapshot(lm.model, lm.tokenizer, seq[:i], cfg)
            curve[i] = {"efficacy": now.efficacy, "generalisation": now.generalisation,
                        "specificity": agreement(base.locality_tokens, now.locality_tokens),
                        "syntax_validity": snapshot(lm.model, lm.tokenizer, seq[:1], cfg).syntax_validity,
                        "seconds": round(time.perf_counter() - t0, 1)}
            sys.stderr.write(f"model_updates: {name} after {i} edits: {curve[i]}\n")
    return curve


def run(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    from apimig.models.gate import GateConfig, run_update
    from apimig.models.loading import load_model
    from apimig.models.methods import get_method
    from apimig.models.requests import load_requests

    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
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
    for name in [m for m in args.methods if m in SEQUENTIAL_METHODS]:
        results["sequential"][name] = sequential_curve(name, model_dir, organism, stats, cfg, args)
    return results


def table(results: dict[str, Any]) -> str:
    f = lambda x: "n/a" if x is None else (f"{x:.3f}" if isinstance(x, float) else str(x))  # noqa: E731
    rows = [("method", "n", "time s", "efficacy", "generalis.", "specificity", "syntax (before)", "gate")]
    for name, m in results["methods"].items():
        rows.append((name, str(m["requests"]), f(m["seconds"]), f(m["efficacy"]), f(m["generalisation"]), f(m["specificity"]),
                     f"{f(m['syntax_validity'])} ({f(m['syntax_before'])})", "pass" if m["passed"] else "rolled back"))
    w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = [f"device: {results['device']}"] + ["  ".join(c.ljust(x) for c, x in zip(r, w)) for r in rows]
    if results["sequential"]:
        out.append("sequential edits (one request at a time, no rollback; efficacy/generalisation over all edits so far)")
        seq = [("method", "edits", "efficacy", "generalis.", "specificity", "syntax", "time s")]
        for name, curve in results["sequential"].items():
            seq += [(name, str(n), f(c["efficacy"]), f(c["generalisation"]), f(c["specificity"]), f(c["syntax_validity"]),
                     f(c["seconds"])) for n, c in curve.items()]
        w = [max(len(r[i]) for r in seq) for i in range(len(seq[0]))]
        out += ["  ".join(c.ljust(x) for c, x in zip(r, w)) for r in seq]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", help="model directory (default: the organism)")
    p.add_argument("--requests", default=str(REQUESTS))
    p.add_argument("--memit-requests", default=str(MEMIT_BATCH), help="the batch edited at once by MEMIT")
    p.add_argument("--methods", nargs="+", default=["rome", "memit", "alphaedit", "lora", "dpo"])
    p.add_argument("--sequential", nargs="+", type=int, default=[1, 10, 50, 100])
    p.add_argument("--device")
    p.add_argument("--gate")
    p.add_argument("--stats-dir")
    p.add_argument("--json", help="also write the results here")
    p.add_argument("--threads", type=int, default=1, help="torch threads (1: steady on a shared machine)")
    args = p.parse_args(argv)
    results = run(args)
    sys.stdout.write(table(results) + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
