"""The gate: every model update is measured against the model before it, or rolled back.

Knowledge edits on code models can break syntax, move unrelated APIs and collapse under
sequential edits (see PRODUCT.md), so an update is kept only if it reaches the configured
efficacy (edited prompts now produce ``target_new``), generalisation (rephrased prompts
too), specificity (locality prompts keep their greedy tokens) and syntax validity (no
larger drop than allowed). ``run_update`` runs compute, apply, evaluate, and restores the
original weights on failure; the report says why, as JSON and as a table.
"""

from __future__ import annotations

import ast
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from apimig.migrator.mapping import MappingError, from_mapping, load_yaml_file
from apimig.models.requests import EditRequest


class GateConfigError(ValueError):
    pass


@dataclass(frozen=True)
class GateConfig:
    """Thresholds (``[tool.apimig.gate]`` or a YAML file)."""

    min_efficacy: float = 0.8
    min_generalisation: float = 0.5
    min_specificity: float = 0.8
    max_syntax_drop: float = 0.1
    max_new_tokens: int = 8  # tokens generated to judge efficacy/generalisation
    specificity_tokens: int = 8  # greedy tokens compared on locality prompts
    syntax_tokens: int = 24  # tokens generated for the syntax check

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "gate") -> "GateConfig":
        try:
            return from_mapping(cls, data, where=where, numeric_strings=True)
        except MappingError as exc:
            raise GateConfigError(str(exc)) from None

    @classmethod
    def load(cls, path: str | Path) -> "GateConfig":
        try:
            data = load_yaml_file(path) or {}
        except MappingError as exc:
            raise GateConfigError(str(exc)) from None
        return cls.from_mapping(data, str(path))


@dataclass
class Snapshot:
    """What the model does on the gate's prompts; the baseline for specificity and syntax."""

    efficacy: float
    generalisation: float | None
    syntax_validity: float
    locality_tokens: list[list[int]] = field(default_factory=list)
    continuations: dict[str, str] = field(default_factory=dict)


@dataclass
class GateReport:
    method: str
    passed: bool
    rolled_back: bool
    reasons: list[str]
    before: dict[str, float | None]
    after: dict[str, float | None]
    specificity: float | None
    seconds: float
    requests: int
    thresholds: dict[str, float]
    error: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    def table(self) -> str:
        rows = [("metric", "before", "after", "threshold")]
        t = self.thresholds
        for key, thr in (("efficacy", f">= {t['min_efficacy']}"), ("generalisation", f">= {t['min_generalisation']}"),
                         ("syntax_validity", f"drop <= {t['max_syntax_drop']}")):
            rows.append((key, _fmt(self.before.get(key)), _fmt(self.after.get(key)), thr))
        rows.append(("specificity", "1.000", _fmt(self.specificity), f">= {t['min_specificity']}"))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        verdict = "PASSED" if self.passed else ("FAILED, rolled back" if self.rolled_back else "FAILED")
        lines.append(f"{self.method}: {verdict} ({self.requests} requests, {self.seconds:.1f}s)")
        lines += [f"  - {r}" for r in self.reasons]
        return "\n".join(lines)


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def greedy(model: Any, tok: Any, prompt: str, n: int) -> list[int]:
    """The first ``n`` greedy tokens after ``prompt`` (ending at EOS when the model emits it)."""
    return greedy_batch(model, tok, [prompt], n)[prompt]


def greedy_batch(model: Any, tok: Any, prompts: Sequence[str], n: int, batch_size: int = 32) -> dict[str, list[int]]:
    """Greedy continuations of every distinct prompt, generated in left-padded batches.

    Why one call: a measurement needs ~40 prompts; generating them together (and each distinct
    prompt once, at the longest length any metric needs) replaces ~40 ``generate`` calls. A row
    is cut after its first EOS, so a prefix of it is what an unbatched call of fewer tokens gives.
    """
    import torch

    device = next(model.parameters()).device
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    eos = tok.eos_token_id
    unique = list(dict.fromkeys(prompts))
    out: dict[str, list[int]] = {}
    for start in range(0, len(unique), batch_size):
        chunk = unique[start:start + batch_size]
        encoded = [list(tok(p)["input_ids"]) for p in chunk]
        width = max(len(e) for e in encoded)
        ids = torch.full((len(chunk), width), pad, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for row, e in enumerate(encoded):
            ids[row, width - len(e):] = torch.tensor(e, dtype=torch.long)
            mask[row, width - len(e):] = 1
        with torch.no_grad():
            gen = model.generate(input_ids=ids.to(device), attention_mask=mask.to(device), max_new_tokens=n,
                                 do_sample=False, pad_token_id=pad)
        for prompt, row in zip(chunk, gen[:, width:].tolist()):
            cut = row.index(eos) + 1 if eos is not None and eos in row else len(row)
            out[prompt] = [int(t) for t in row[:cut]]
    return out


def produces(model: Any, tok: Any, prompt: str, target: str, n: int) -> bool:
    return starts_with(tok.decode(greedy(model, tok, prompt, n), skip_special_tokens=True), target)


def starts_with(text: str, target: str) -> bool:
    return text.startswith(target) or text.lstrip().startswith(target.strip())


def parses(code: str) -> bool:
    """Complete lines of ``code`` parse (an unfinished last line is dropped, an open block closed)."""
    if not code.endswith("\n") and "\n" in code:
        code = code[: code.rfind("\n")]
    code = code.rstrip()
    last = code[code.rfind("\n") + 1:]
    indent = last[: len(last) - len(last.lstrip())]
    for candidate in (code, f"{code}\n{indent}    pass"):
        try:
            ast.parse(candidate)
            return True
        except (SyntaxError, ValueError):
            continue
    return False


#: Ordinary code openings, generated before and after every update: a measure of syntax validity
#: that does not hinge on one or two prompts (with eight prompts, one flip is a 12.5 % drop).
SYNTAX_PROBES: tuple[str, ...] = (
    "def add(a, b):\n    return",
    "def load(path):\n    with open(path) as fh:\n       ",
    "class Config:\n    def __init__(self, name):\n       ",
    "for i in range(10):\n   ",
    "if x is None:\n    x =",
    "try:\n    value = int(text)\nexcept ValueError:\n   ",
    "values = [v for v in",
    "import os\npath = os.path.join(",
    "import numpy as np\narr = np.zeros(",
    "import numpy as np\ntotal = np.sum(",
    "import pandas as pd\ndf = pd.DataFrame(",
    "import torch\nx = torch.randn(",
    "import json\ndata = json.loads(",
    "while n > 0:\n    n -=",
    "result = {}\nfor key, value in items:\n   ",
    "def main():\n    args = parse()\n   ",
)


def snapshot(model: Any, tok: Any, requests: Sequence[EditRequest], cfg: GateConfig) -> Snapshot:
    model.eval()
    local = list(dict.fromkeys(p for r in requests for p in r.locality_inputs))
    syntax_prompts = list(dict.fromkeys([r.prompt for r in requests] + local + list(SYNTAX_PROBES)))
    edit_prompts = [r.prompt for r in requests] + [p for r in requests for p in r.rephrase_prompts]
    longest = max(cfg.max_new_tokens, cfg.specificity_tokens, cfg.syntax_tokens)
    gen = greedy_batch(model, tok, edit_prompts + local + syntax_prompts, longest)

    def text(prompt: str, n: int) -> str:
        return str(tok.decode(gen[prompt][:n], skip_special_tokens=True))

    eff = [starts_with(text(r.prompt, cfg.max_new_tokens), r.target_new) for r in requests]
    reph = [starts_with(text(p, cfg.max_new_tokens), r.target_new) for r in requests for p in r.rephrase_prompts]
    loc_tokens = [gen[p][: cfg.specificity_tokens] for p in local]
    conts = {p: text(p, cfg.syntax_tokens) for p in syntax_prompts}
    valid = [parses(p + c) for p, c in conts.items()]
    return Snapshot(
        efficacy=sum(eff) / len(eff) if eff else 0.0,
        generalisation=sum(reph) / len(reph) if reph else None,
        syntax_validity=sum(valid) / len(valid) if valid else 1.0,
        locality_tokens=loc_tokens,
        continuations=conts,
    )


def agreement(before: list[list[int]], after: list[list[int]]) -> float | None:
    """Token-level agreement of greedy continuations, position by position."""
    if not before:
        return None
    scores = []
    for b, a in zip(before, after):
        n = max(len(b), len(a), 1)
        scores.append(sum(x == y for x, y in zip(b, a)) / n)
    return sum(scores) / len(scores)


def judge(before: Snapshot, after: Snapshot, cfg: GateConfig) -> tuple[list[str], float | None]:
    reasons = []
    spec = agreement(before.locality_tokens, after.locality_tokens)
    if after.efficacy < cfg.min_efficacy:
        reasons.append(f"efficacy {after.efficacy:.3f} < {cfg.min_efficacy}")
    if after.generalisation is not None and after.generalisation < cfg.min_generalisation:
        reasons.append(f"generalisation {after.generalisation:.3f} < {cfg.min_generalisation}")
    if spec is not None and spec < cfg.min_specificity:
        reasons.append(f"specificity {spec:.3f} < {cfg.min_specificity} (locality prompts changed)")
    drop = before.syntax_validity - after.syntax_validity
    if drop > cfg.max_syntax_drop:
        reasons.append(f"syntax validity fell by {drop:.3f} ({before.syntax_validity:.3f} -> "
                       f"{after.syntax_validity:.3f}) > {cfg.max_syntax_drop}")
    return reasons, spec


@dataclass
class UpdateResult:
    report: GateReport
    restore: Any = None  # a Restore when the update was kept (undo it, or save through its handle)


def _metrics(s: Snapshot | None) -> dict[str, float | None]:
    if s is None:
        return {}
    return {"efficacy": s.efficacy, "generalisation": s.generalisation, "syntax_validity": s.syntax_validity}


def run_update(method: Any, model: Any, tok: Any, requests: Sequence[EditRequest], hp: Any,
               cfg: GateConfig | None = None, *, baseline: Snapshot | None = None,
               progress: Callable[[str], None] | None = None) -> UpdateResult:
    """Compute, apply, evaluate; keep the update only if it passes ``cfg``, else restore."""
    cfg = cfg or GateConfig()
    say = progress or (lambda _m: None)
    thresholds = {k: float(v) for k, v in asdict(cfg).items()}
    say("gate: measuring the model before the update")
    before = baseline or snapshot(model, tok, requests, cfg)
    start = time.perf_counter()
    from apimig.models.methods.base import UpdateError

    say(f"{method.name}: computing the update for {len(requests)} requests")
    restore = None
    try:
        deltas = method.compute(model, tok, requests, hp)
        restore = method.apply(model, deltas)
        seconds = time.perf_counter() - start
        say("gate: measuring the model after the update")
        after = snapshot(model, tok, requests, cfg)
        reasons, spec = judge(before, after, cfg)
    except BaseException as exc:  # whatever fails after apply (even Ctrl-C), the model must come back as it was
        if restore is not None:
            restore()
        if not isinstance(exc, UpdateError):
            raise
        return UpdateResult(GateReport(method.name, False, True, [f"update failed: {exc}"], _metrics(before), {},
                                       None, time.perf_counter() - start, len(requests), thresholds, str(exc)))
    passed = not reasons
    if not passed:
        restore()
    report = GateReport(method.name, passed, not passed, reasons, _metrics(before), _metrics(after), spec,
                        seconds, len(requests), thresholds)
    return UpdateResult(report, restore if passed else None)
