"""``apimig edit`` and ``apimig train``: gated model updates from the command line.

``cli_edit`` runs an editing method (kind "edit": ROME, MEMIT, or a plugin's) and, if the
gate passes, saves a normal transformers directory in safetensors; ``cli_train`` trains an
adapter method (kind "adapter": LoRA, DPO, ...) and, if the gate passes, saves a normal peft
adapter directory. The choices are the registered methods of that kind, so a method
registered under ``apimig.methods`` is usable with no change here. Either way the gate report is written as
``gate_report.json`` (into ``--out``, or ``--report``) and shown as a table on stderr.
Exit codes: 0 update kept, 1 update rejected by the gate (nothing saved), 2 error.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any, Sequence


def _progress(msg: str) -> None:
    sys.stderr.write(f"apimig: {msg}\n")
    sys.stderr.flush()


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, help="local model directory (safetensors)")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--hparams", help="hparams YAML (default: hparams/<method>/<model_type>.yaml)")
    p.add_argument("--gate", help="gate thresholds YAML")
    p.add_argument("--report", help="where to write the JSON report (default: OUT/gate_report.json)")
    p.add_argument("--device", help="cpu, cuda, cuda:0 (default: cuda if available)")
    p.add_argument("--dtype", help="model dtype: float32, bfloat16 (default: bf16 on cuda, fp32 on cpu)")


def _hparams(method: Any, model_type: str, path: str | None, overrides: dict[str, Any]) -> Any:
    from apimig.models.methods.base import HParamsError, load_hparams

    hp = load_hparams(method.hparams_cls, path) if path else method.default_hparams(model_type)
    given = {k: v for k, v in overrides.items() if v is not None}
    known = {f.name for f in dataclasses.fields(hp)}
    unknown = sorted(set(given) - known)
    if unknown:  # a plugin method need not have every option the built-ins share
        raise HParamsError(method.name, f"options {unknown} do not apply; its hparams are {sorted(known)}")
    return dataclasses.replace(hp, **given)


def _run(method_name: str, args: argparse.Namespace, requests_path: str, overrides: dict[str, Any]) -> int:
    from apimig.models.gate import GateConfig, run_update
    from apimig.models.loading import load_model
    from apimig.models.methods import get_method
    from apimig.models.requests import load_requests

    out = Path(args.out)
    method = get_method(method_name)
    requests = load_requests(requests_path)
    _progress(f"loading {args.model}")
    lm = load_model(args.model, device=args.device, dtype=args.dtype)
    hp = _hparams(method, lm.model_type, args.hparams, overrides)
    cfg = GateConfig.load(args.gate) if args.gate else GateConfig()
    result = run_update(method, lm.model, lm.tokenizer, requests, hp, cfg, progress=_progress)
    report = result.report
    if report.passed:
        method.save(lm.model, lm.tokenizer, result.restore, out)
        _progress(f"saved the {'adapter' if method.kind == 'adapter' else 'edited model'} to {out}")
    report_path = Path(args.report) if args.report else out / "gate_report.json"
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(report.to_json() + "\n", encoding="utf-8")
    sys.stderr.write(report.table() + "\n")
    if not report.passed:
        _progress(f"update rejected, nothing saved; report in {report_path}")
    return 0 if report.passed else 1


def _guarded(fn: Any, argv: Sequence[str] | None) -> int:
    from apimig.models.gate import GateConfigError
    from apimig.models.methods.base import HParamsError
    from apimig.models.requests import RequestError

    try:
        return int(fn(argv))
    except (RequestError, HParamsError, GateConfigError, OSError, KeyError) as exc:
        _progress(f"error: {exc}")
        return 2
    except RuntimeError as exc:  # ModelLoadError, UpdateError outside the gate
        _progress(f"error: {exc}")
        return 2


def _edit(argv: Sequence[str] | None) -> int:
    from apimig.models.methods import method_names

    p = argparse.ArgumentParser(prog="apimig edit", description="Edit a model's weights (ROME, MEMIT, ...), gated.")
    p.add_argument("--method", required=True, choices=method_names("edit"))
    p.add_argument("--requests", required=True, help="requests file (JSON list, JSON Lines or YAML)")
    p.add_argument("--stats-dir", help="where second-moment statistics are cached")
    _common(p)
    args = p.parse_args(argv)
    return _run(args.method, args, args.requests, {"stats_dir": args.stats_dir})


def _train(argv: Sequence[str] | None) -> int:
    from apimig.models.methods import method_names

    p = argparse.ArgumentParser(prog="apimig train", description="Train an adapter (LoRA, DPO, ...), gated.")
    p.add_argument("method", choices=method_names("adapter"))
    p.add_argument("--data", required=True, help="requests or {old, new} pairs (JSON, JSON Lines or YAML)")
    p.add_argument("--layers", help="comma-separated layer indices for a layer-selected adapter")
    p.add_argument("--steps", type=int, help="training steps")
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--precision", choices=["float32", "bfloat16"], help="training precision")
    _common(p)
    args = p.parse_args(argv)
    layers = tuple(int(x) for x in args.layers.split(",")) if args.layers else None
    return _run(args.method, args, args.data,
                {"layers": layers, "num_steps": args.steps, "lr": args.lr, "dtype": args.precision})


def cli_edit(argv: Sequence[str] | None = None) -> int:
    """``apimig edit --method NAME --model DIR --requests FILE --out DIR`` (NAME: a method of kind "edit")."""
    return _guarded(_edit, argv)


def cli_train(argv: Sequence[str] | None = None) -> int:
    """``apimig train NAME --model DIR --data FILE --out DIR`` (NAME: a method of kind "adapter")."""
    return _guarded(_train, argv)
