"""``ModelProposer``: a local code model as the hybrid's ``FixProposer``.

Why here: the migrator's hybrid only knows the Protocol; this class turns a finding into a
prompt (one of the strategies), generates greedily and extracts the rewritten lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apimig.migrator.findings import Finding
from apimig.migrator.hybrid.proposer import Candidate, region_lines
from apimig.migrator.rules.schema import Rule
from apimig.models.generation import (AFTER_MARK, STRATEGIES, Generation, answer_prefix, build_prompt, extract_code,
                                      generate)
from apimig.models.loading import LoadedModel, load_model


class ModelProposer:
    """Propose replacements for a finding's lines with a loaded causal LM."""

    def __init__(self, lm: LoadedModel, strategy: str = "with_rules", *, max_new_tokens: int = 64,
                 num_candidates: int = 1, name: str | None = None) -> None:
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {strategy!r}; known: {', '.join(STRATEGIES)}")
        self.lm = lm
        self.strategy = strategy
        self.max_new_tokens = max_new_tokens
        self.num_candidates = num_candidates
        self.name = name or Path(str(getattr(lm.model, "name_or_path", "model"))).name or "model"
        self.last_prompt: str = ""
        self.last_outputs: list[str] = []

    @classmethod
    def from_path(cls, path: Path | str, strategy: str = "with_rules", *, device: str | None = None,
                  dtype: Any = None, **kwargs: Any) -> "ModelProposer":
        return cls(load_model(path, device=device, dtype=dtype), strategy, name=Path(path).name, **kwargs)

    def propose(self, finding: Finding, source: str, rule: Rule | None) -> list[Candidate]:
        # rule-less strategies never see the rule, even in the rule-guided tier
        strategy = self.strategy if rule is not None or self.strategy != "with_rules" else "basic"
        prompt = build_prompt(strategy, finding, source, rule)
        first, last = region_lines(finding)
        gens = generate(self.lm, prompt, max_new_tokens=self.max_new_tokens, num_candidates=self.num_candidates)
        if strategy == "cot":
            gens = [self._answer_after_reasoning(prompt, g, answer_prefix(finding, source)) for g in gens]
        self.last_prompt, self.last_outputs = prompt, [g.text for g in gens]
        cands = []
        prefix = answer_prefix(finding, source)
        for g in gens:
            text = g.text.split(AFTER_MARK + "\n", 1)[1] if strategy == "cot" else g.text
            code = extract_code(text, max_lines=last - first + 4, prefix=prefix)
            if code.strip():
                cands.append(Candidate(code, round(g.score, 4), strategy))
        return cands

    def _answer_after_reasoning(self, prompt: str, gen: Generation, prefix: str) -> Generation:
        """Chain of thought: keep the first reasoning line, then force ``# After:`` and the prefix."""
        reasoning = next((l for l in gen.text.splitlines() if l.strip()), "#").strip()
        if not reasoning.startswith("#"):
            reasoning = "# " + reasoning
        head = f"{reasoning}\n{AFTER_MARK}\n"
        answer = generate(self.lm, prompt + head + prefix, max_new_tokens=self.max_new_tokens)[0]
        return Generation(head + answer.text, answer.score, gen.new_tokens + answer.new_tokens)
