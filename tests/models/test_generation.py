"""Prompt strategies on the organism: templates from data files, greedy candidates, extraction."""

from __future__ import annotations

from typing import Any

import pytest
from apimig.migrator.api import Engine, Finding
from apimig.migrator.hybrid import Hybrid
from apimig.models.generation import (
    STRATEGIES,
    build_prompt,
    extract_code,
    load_template,
)

from .cases import TRAPZ_SRC as SRC


def test_templates_are_data_files() -> None:
    for s in STRATEGIES:
        assert "$code_commented" in load_template(s).template
    with pytest.raises(ValueError, match="unknown strategy"):
        load_template("nope")


def test_prompts_differ_by_strategy(engine: Engine, finding: Finding) -> None:
    rule = engine.by_id[finding.rule_id]
    prompts = {s: build_prompt(s, finding, SRC, rule) for s in STRATEGIES}
    assert prompts["basic"].endswith("# After:\n    out = ")  # forced prefix up to the finding
    assert "numpy.trapezoid" in prompts["with_rules"] and "numpy.trapezoid" not in prompts["basic"]
    assert "y = np.linspace(0, 1, 5)" in prompts["with_context"]
    assert prompts["cot"].endswith("# Reasoning:\n")


def test_extract_code() -> None:
    assert extract_code("np.trapezoid(y)\n\n# Before:\n# junk") == "np.trapezoid(y)"
    assert extract_code("np.trapezoid(y)\n# After:", prefix="    out = ") == "    out = np.trapezoid(y)"
    assert extract_code("# reasoning\n# After:\nx = 1\ny = 2\n# Before:") == "x = 1\ny = 2"
    assert extract_code("Sure!\n```python\nx = np.prod(y)\n```\nbye") == "x = np.prod(y)"
    assert extract_code("a\nb\nc\nd", max_lines=2) == "a\nb"


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_each_strategy_produces_a_candidate(organism: Any, engine: Engine, finding: Finding, strategy: str) -> None:
    from apimig.models.model_proposer import ModelProposer

    proposer = ModelProposer(organism, strategy, max_new_tokens=24)
    cands = proposer.propose(finding, SRC, engine.by_id[finding.rule_id])
    assert cands, proposer.last_outputs
    assert cands[0].text.startswith("    out = ")  # the forced prefix survives extraction
    assert 0.0 < cands[0].score <= 1.0 and cands[0].strategy == strategy


def test_hybrid_on_the_organism_validates_every_candidate(organism: Any, engine: Engine) -> None:
    """End to end on the real model: whatever it proposes is either validated or rejected with a reason."""
    from apimig.models.model_proposer import ModelProposer

    res = Hybrid(engine, ModelProposer(organism, "basic", max_new_tokens=24), force_route="model").fix(SRC)
    (d,) = res.decisions
    assert d.route == "model" and d.seconds > 0
    if d.fix is None:  # the organism prefers old APIs: usually rejected
        assert d.manual_reason and d.manual_reason.startswith("model candidates rejected")
        assert res.file.new_source is None
    else:
        assert d.fix.origin == "model" and engine.check(res.file.new_source or "") == []
