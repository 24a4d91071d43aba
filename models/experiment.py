"""``apimig experiment plan|run SPEC.yaml``: a declarative model-update experiment.

Why: a researcher states *what* (model, edit requests, method or ``auto``, constraints) and
the tool decides *how*: it plans an ordered list of methods, runs them one after the other
from the same base model, each through the gate, keeps the first update that passes, and
reports every attempt. The budget counts attempts, never seconds, so the same spec chooses
the same method on an idle and on a loaded machine. A spec looks like::

    name: teach-datetime-now
    model: ../models/qwen2-0.5b          # local directory, paths relative to the spec
    requests: requests.json              # edit requests or {old, new} pairs
    method: auto                         # or any registered method (rome, memit, ...), or a list
    sequential: true                     # optional: requests arrive one after another (auto: alphaedit)
    out: results/teach-datetime-now
    device: cuda                         # optional; dtype too
    constraints:
      max_attempts: 2                    # methods tried at most (default: the whole plan)
      gate: {min_efficacy: 0.9, min_specificity: 0.85}
    hparams:
      lora: {layers: [20, 21, 22, 23], num_steps: 100}
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from apimig.migrator.mapping import MappingError, from_mapping
from apimig.models.gate import GateConfig
from apimig.models.methods import METHODS


class SpecError(ValueError):
    """A spec that cannot be run; the message names the file and the key."""


@dataclass(frozen=True)
class _Constraints:
    max_attempts: int | None = None
    gate: GateConfig = field(default_factory=GateConfig)


@dataclass(frozen=True)
class _SpecFile:
    """The spec file as written; from_mapping checks keys and types."""

    model: str
    requests: str
    name: str | None = None
    method: str | tuple[str, ...] = "auto"
    out: str | None = None
    device: str | None = None
    dtype: str | None = None
    constraints: _Constraints = field(default_factory=_Constraints)
    hparams: Mapping[str, Mapping[str, Any] | None] = field(default_factory=dict)
    sequential: bool = False


@dataclass(frozen=True)
class Spec:
    name: str
    model: Path
    requests: Path
    out: Path
    methods: tuple[str, ...] = ("auto",)
    device: str | None = None
    dtype: str | None = None
    max_attempts: int | None = None
    gate: GateConfig = field(default_factory=GateConfig)
    hparams: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sequential: bool = False


@dataclass(frozen=True)
class Step:
    method: str
    why: str


def load_spec(path: str | Path) -> Spec:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(f"{path}: cannot read the spec: {exc}") from exc
    try:
        raw = from_mapping(_SpecFile, data, where=path)
    except MappingError as exc:
        raise SpecError(str(exc)) from None
    base = path.parent

    def rel(value: Any) -> Path:
        p = Path(str(value)).expanduser()
        return p if p.is_absolute() else (base / p).resolve()

    known = METHODS.names()
    raw_method = raw.method
    methods = raw_method if isinstance(raw_method, tuple) else (raw_method,)
    bad = [m for m in methods if m not in (*known, "auto")]
    if bad or ("auto" in methods and len(methods) > 1):
        raise SpecError(f"{path}: method: {raw_method!r}; use auto, one of {known} or a list of them")
    hparams = raw.hparams
    if set(hparams) - set(known):
        raise SpecError(f"{path}: hparams: one mapping per method among {known}")
    max_attempts = raw.constraints.max_attempts
    if max_attempts is not None and max_attempts < 1:
        raise SpecError(f"{path}: constraints.max_attempts: {max_attempts!r} is not a positive integer")
    name = raw.name or path.stem
    return Spec(name=name, model=rel(raw.model), requests=rel(raw.requests),
                out=rel(raw.out or f"results/{name}"), methods=methods,
                device=raw.device, dtype=raw.dtype,
                max_attempts=max_attempts, gate=raw.constraints.gate,
                hparams={k: dict(v or {}) for k, v in hparams.items()}, sequential=raw.sequential)


def plan(spec: Spec, requests: Sequence[Any]) -> list[Step]:
    """The methods to try, in order, and why; ``auto`` follows the knowledge-editing literature:
    AlphaEdit when requests arrive one after another (ROME and MEMIT collapse under sequential
    edits), else ROME for one fact, MEMIT for a batch, then adapters (layer-selected LoRA, DPO)
    when editing does not pass the gate. DPO needs the old code (``ground_truth``) of every request."""
    if spec.methods != ("auto",):
        return [Step(m, "asked for in the spec") for m in spec.methods]
    steps = [Step("alphaedit", "sequential requests: a null-space edit keeps the earlier edits") if spec.sequential
             else Step("rome", "one request: a rank-one edit is the smallest change") if len(requests) == 1
             else Step("memit", f"{len(requests)} requests: one batched edit over several layers")]
    steps.append(Step("lora", "adapter: used when the edit does not pass the gate"))
    if all(getattr(r, "ground_truth", "") for r in requests):
        steps.append(Step("dpo", "preference adapter: the old code is known for every request"))
    return steps


@dataclass
class Attempt:
    method: str
    why: str
    report: dict[str, Any] | None = None
    skipped: str | None = None
    saved: str | None = None


def run(spec: Spec, say: Any = None) -> dict[str, Any]:
    """Run the plan; returns the experiment report (also written to ``OUT/experiment.json``)."""
    from apimig.models.gate import run_update, snapshot
    from apimig.models.loading import load_model
    from apimig.models.methods import get_method
    from apimig.models.requests import load_requests

    say = say or (lambda m: print(f"apimig: {m}", file=sys.stderr))
    t0 = time.perf_counter()
    requests = load_requests(spec.requests)
    steps = plan(spec, requests)
    say(f"experiment {spec.name}: plan " + " -> ".join(s.method for s in steps))
    lm = load_model(spec.model, device=spec.device, dtype=spec.dtype)
    baseline = snapshot(lm.model, lm.tokenizer, requests, spec.gate)
    attempts: list[Attempt] = []
    chosen = None
    for step in steps:
        attempt = Attempt(step.method, step.why)
        attempts.append(attempt)
        if spec.max_attempts is not None and len(attempts) > spec.max_attempts:
            attempt.skipped = f"attempt budget spent ({spec.max_attempts} tried)"
            continue
        method = get_method(step.method)
        hp = method.default_hparams(lm.model_type)
        overrides = dict(spec.hparams.get(step.method, {}))
        if "layers" in overrides:
            overrides["layers"] = tuple(overrides["layers"])
        try:
            hp = dataclasses.replace(hp, **overrides)
        except TypeError as exc:
            raise SpecError(f"hparams.{step.method}: {exc}") from exc
        result = run_update(method, lm.model, lm.tokenizer, requests, hp, spec.gate, baseline=baseline, progress=say)
        attempt.report = json.loads(result.report.to_json())
        say(result.report.table())
        if result.report.passed:
            target = spec.out / step.method
            method.save(lm.model, lm.tokenizer, result.restore, target)
            attempt.saved = str(target)
            chosen = step.method
            break
    report = {
        "name": spec.name, "model": str(spec.model), "requests": len(requests), "device": lm.device,
        "plan": [dataclasses.asdict(s) for s in steps], "attempts": [dataclasses.asdict(a) for a in attempts],
        "chosen": chosen, "seconds": round(time.perf_counter() - t0, 2),
    }
    spec.out.mkdir(parents=True, exist_ok=True)
    (spec.out / "experiment.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def format_report(report: Mapping[str, Any]) -> str:
    rows = [("method", "result", "efficacy", "generalis.", "specificity", "syntax", "seconds")]
    for a in report["attempts"]:
        r = a.get("report")
        if r is None:
            rows.append((a["method"], f"skipped: {a['skipped']}", "", "", "", "", ""))
            continue
        after = r.get("after") or {}

        def f(x: Any) -> str:
            return "n/a" if x is None else f"{x:.3f}"

        verdict = "kept" if r["passed"] else "rolled back: " + "; ".join(r["reasons"])
        rows.append((a["method"], verdict, f(after.get("efficacy")), f(after.get("generalisation")),
                     f(r.get("specificity")), f(after.get("syntax_validity")), f"{r['seconds']:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.append(f"chosen: {report['chosen'] or 'none (every attempt failed the gate)'}; {report['seconds']} s")
    return "\n".join(lines)


def cli_experiment(argv: Sequence[str] | None = None) -> int:
    """``apimig experiment plan|run SPEC.yaml``: exit 0 an update was kept (or the plan printed),
    1 every attempt failed the gate, 2 a bad spec or model."""
    p = argparse.ArgumentParser(prog="apimig experiment", description="Plan and run a gated model-update experiment.")
    p.add_argument("action", choices=["plan", "run"])
    p.add_argument("spec", help="experiment spec (YAML)")
    args = p.parse_args(argv)
    from apimig.models.requests import RequestError, load_requests

    try:
        spec = load_spec(args.spec)
        if args.action == "plan":
            for i, step in enumerate(plan(spec, load_requests(spec.requests)), 1):
                print(f"{i}. {step.method}: {step.why}")
            return 0
        report = run(spec)
    except (SpecError, RequestError, OSError) as exc:
        print(f"apimig experiment: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:  # ModelLoadError
        print(f"apimig experiment: {exc}", file=sys.stderr)
        return 2
    print(format_report(report))
    print(f"report: {spec.out / 'experiment.json'}")
    return 0 if report["chosen"] else 1
