"""The validator's reason reaches the user: in the hybrid's decision, its manual reason, and
each rejected candidate's line printed by ``apimig fix --model`` (a scripted proposer, no torch)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import pytest

from apimig.migrator.api import Engine, Finding, load_config
from apimig.migrator.hybrid import Candidate, Hybrid
from apimig.migrator.hybrid.proposer import PROPOSERS
from apimig.migrator.rules.schema import Rule

MANUAL_RULES = Path(__file__).resolve().parents[2] / "models" / "data" / "manual_numpy.yaml"
SRC = """import os
import numpy as np
values = np.linspace(0, 1, 5)
m = np.product(values)
"""
INJECTED = "m = np.prod(values) if not os.system('echo pwned') else 0"
WHY = "adds a conditional expression"


class InjectingProposer:
    """Proposes the issue's injected candidate, then the correct fix."""

    name = "injecting"

    def __init__(self, answers: Sequence[str] = (INJECTED, "m = np.prod(values)")) -> None:
        self.answers = list(answers)

    @classmethod
    def from_path(cls, model_dir: Any, strategy: str, **kwargs: Any) -> "InjectingProposer":
        return cls()

    def propose(self, finding: Finding, source: str, rule: Rule | None) -> Sequence[Candidate]:
        return [Candidate(t, 0.9, "scripted") for t in self.answers]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_config(targets={"numpy": "2.0"}, rules=[str(MANUAL_RULES)], builtin_rules=False))


def test_rejected_candidate_keeps_its_reason_and_the_fix_is_the_next_one(engine: Engine) -> None:
    res = Hybrid(engine, InjectingProposer()).fix(SRC, "legacy.py")
    (d,) = res.decisions
    assert [(c.text, why.split(",")[0]) for c, why in d.rejected] == [(INJECTED, WHY)]
    assert d.fix is not None and res.file.new_source == SRC.replace("np.product", "np.prod")
    assert d.explain("legacy.py") == [
        f"model candidate rejected: legacy.py:4:5: model-only-numpy-product: `{INJECTED}`: {d.rejected[0][1]}"]


def test_all_rejected_leaves_the_finding_manual_with_the_reasons(engine: Engine) -> None:
    res = Hybrid(engine, InjectingProposer([INJECTED, "import json\nm = np.prod(values)"])).fix(SRC, "legacy.py")
    (d,) = res.decisions
    assert d.fix is None and res.file.new_source is None
    assert d.manual_reason is not None and d.manual_reason.startswith(f"model candidates rejected: {WHY}")
    assert "adds `import json`, which the new expression does not use" in d.manual_reason


def test_fix_with_model_prints_why_each_candidate_was_rejected(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from apimig.migrator.cli import main

    monkeypatch.setitem(PROPOSERS._items, "model", InjectingProposer)  # what an apimig.proposers plugin registers
    target = tmp_path / "legacy.py"
    target.write_text(SRC, encoding="utf-8")
    rc = main(["fix", str(target), "--no-builtin-rules", "--rules", str(MANUAL_RULES), "--target", "numpy=2.0",
               "--no-progress", "--model", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc in (0, 1)
    assert f"model candidate rejected: {target}:4:5: model-only-numpy-product: `{INJECTED}`: {WHY}" in err
    assert target.read_text(encoding="utf-8") == SRC.replace("np.product", "np.prod")
