"""Score the model tier per prompt strategy on migration pairs.

Why: the research warns that small models ignore documentation in the prompt; this measures
it. For each strategy every finding of a pair's old code goes to the model (``with_rules``
through the rule-guided tier, the others alone), candidates are validated, and the output is
scored like the rule engine's (exact, AST match, similarity, key-API accuracy), plus the
validation rejection rate and the latency per finding.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Sequence

from apimig.migrator.config import Config
from apimig.migrator.dataset import Pair
from apimig.migrator.engine import Engine
from apimig.migrator.evaluation import Scores, aggregate, score_pair
from apimig.migrator.hybrid import Hybrid
from apimig.models.generation import STRATEGIES
from apimig.models.model_proposer import ModelProposer


@dataclass
class StrategyScores(Scores):
    """The rule engine's scores (``migrator.evaluation.Scores``) plus what only a model has."""

    strategy: str = ""
    findings: int = 0
    candidates: int = 0
    rejected: int = 0
    rejection_rate: float = 0.0
    fixes: int = 0
    seconds_per_finding: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)  # first words of rejection reasons

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def dataset_engine() -> Engine:
    """All built-in rules, every library at its latest version (the dataset's target)."""
    return Engine(Config(installed_versions=False, unsafe_fixes=True))


def evaluate_strategy(lm: Any, pairs: Sequence[Pair], strategy: str, *, engine: Engine | None = None,
                      max_new_tokens: int = 48) -> StrategyScores:
    engine = engine or dataset_engine()
    proposer = ModelProposer(lm, strategy, max_new_tokens=max_new_tokens)
    forced = "rule-guided-model" if strategy == "with_rules" else "model"
    hybrid = Hybrid(engine, proposer, force_route=forced)  # type: ignore[arg-type]
    out = StrategyScores(strategy=strategy)
    results, seconds = [], 0.0
    for pair in pairs:
        error = None
        try:
            res = hybrid.fix(pair.old, f"{pair.id}.py")
            output = res.file.new_source or pair.old
        except Exception as exc:  # one broken pair is counted, not fatal
            res, output, error = None, pair.old, f"{type(exc).__name__}: {exc}"
        if res is not None:
            for d in res.decisions:
                out.findings += 1
                seconds += d.seconds
                out.candidates += len(d.rejected) + (1 if d.fix else 0)
                out.rejected += len(d.rejected)
                out.fixes += d.fix is not None
                for _, reason in d.rejected:
                    key = reason.split(":")[0][:40]
                    out.reasons[key] = out.reasons.get(key, 0) + 1
        origins = tuple(sorted({d.route for d in res.decisions if d.fix})) if res else ()
        results.append(score_pair(pair, output, origins, error=error))
    agg = aggregate(results)
    for f in fields(Scores):
        setattr(out, f.name, getattr(agg, f.name))
    out.rejection_rate = round(out.rejected / out.candidates, 4) if out.candidates else 0.0
    out.seconds_per_finding = round(seconds / out.findings, 4) if out.findings else 0.0
    return out


def evaluate_strategies(lm: Any, pairs: Sequence[Pair], strategies: Sequence[str] = STRATEGIES,
                        **kwargs: Any) -> list[StrategyScores]:
    engine = kwargs.pop("engine", None) or dataset_engine()
    return [evaluate_strategy(lm, pairs, s, engine=engine, **kwargs) for s in strategies]


COLUMNS = ("strategy", "pairs", "findings", "exact", "ast_match", "token_similarity", "key_api", "untouched",
           "rejection_rate", "fixes", "seconds_per_finding")


def format_scores(rows: Sequence[StrategyScores]) -> str:
    head = ["strategy", "pairs", "find", "exact", "ast", "sim", "key-api", "untouch", "reject", "fixes", "s/find"]
    lines = ["  ".join(f"{h:>8}" for h in head)]
    for r in rows:
        vals = [getattr(r, c) for c in COLUMNS]
        lines.append("  ".join(f"{v:>8.3f}" if isinstance(v, float) else f"{str(v):>8}" for v in vals))
    return "\n".join(lines)


def model_eval_cli(model_dir: str, pairs: Sequence[Pair], rules: Sequence[Any], *, strategies: Sequence[str],
                   device: str | None = None, json_out: str | None = None, max_new_tokens: int = 48) -> int:
    """``apimig eval --model DIR``: score each strategy on ``pairs`` with ``rules`` guiding; exit code."""
    import json
    import sys
    from pathlib import Path

    from apimig.models.loading import ModelLoadError, load_model

    try:
        lm = load_model(model_dir, device=device)
    except (ModelLoadError, OSError, ValueError) as exc:
        print(f"apimig eval --model: {exc}", file=sys.stderr)
        return 2
    engine = Engine(Config(installed_versions=False, unsafe_fixes=True), rules=list(rules))
    rows = evaluate_strategies(lm, pairs, strategies, engine=engine, max_new_tokens=max_new_tokens)
    print(f"model tier: {model_dir} ({lm.model_type}, {lm.dtype}) on {lm.device}, {len(pairs)} pairs")
    print(format_scores(rows))
    if json_out:
        Path(json_out).write_text(json.dumps({"model": str(model_dir), "device": lm.device, "pairs": len(pairs),
                                              "scores": [r.as_dict() for r in rows]}, indent=2) + "\n")
        print(f"model scores written to {json_out}")
    return 0
