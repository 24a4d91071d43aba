"""The hybrid end to end on the organism, loaded through ``load_proposer`` as ``fix --model`` does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from apimig.migrator.api import Engine, load_config
from apimig.migrator.hybrid import Hybrid, ProposerUnavailable, load_proposer

SRC = """import numpy as np
values = np.linspace(0, 1, 5)
area = np.trapz(values)
m = np.product(values)
f = np.float_(3)
"""


@pytest.fixture(scope="module")
def engine() -> Engine:
    base = Engine(load_config(targets={"numpy": "2.0"}))
    guided = {"numpy-trapz", "numpy-product"}  # medium confidence: the rule guides the model
    return Engine(base.config, rules=[replace(r, confidence=0.7, origin="learned") if r.id in guided else r
                                      for r in base.rules])


def test_rule_guided_model_fixes_on_the_organism(organism_dir: Path, engine: Engine) -> None:
    proposer = load_proposer(organism_dir, strategy="with_rules", device="cpu", max_new_tokens=24)
    res = Hybrid(engine, proposer).fix(SRC, "demo.py")
    routes = {d.finding.rule_id: d.route for d in res.decisions}
    assert routes == {"numpy-trapz": "rule-guided-model", "numpy-product": "rule-guided-model",
                      "numpy-float-underscore": "rule"}
    guided = [d for d in res.decisions if d.route == "rule-guided-model"]
    written = [c.text for d in guided for c, _ in d.rejected] + [e.text for d in guided if d.fix for e in d.fix.edits]
    # the rule in the prompt steers the organism (which prefers the old API) to the new one
    assert any("np.trapezoid(" in t or "np.prod(" in t for t in written), written
    for d in guided:  # each guided finding is either a validated fix or manual with the validator's reason
        if d.fix is None:
            assert d.manual_reason and d.manual_reason.startswith("model candidates rejected"), d
        else:
            assert d.fix.tier == "unsafe" and 0.0 < d.fix.confidence <= 1.0
            assert "rule-guided model, confidence" in d.fix.title
    assert res.file.new_source is not None
    remaining = {f.rule_id for f in engine.check(res.file.new_source)}
    assert "numpy-float-underscore" not in remaining
    assert remaining == {d.finding.rule_id for d in guided if d.fix is None}  # only validated fixes were applied


MANUAL_RULES = Path(__file__).parent / "data" / "manual_numpy.yaml"
LEGACY = """import numpy as np
values = np.linspace(0, 1, 5)
m = np.product(values)
c = np.cumproduct(values)
ok = np.alltrue(values > 0)
some = np.sometrue(values > 0)
s = np.row_stack([values, values])
f = np.asfarray(values)
"""


@pytest.mark.xfail(strict=False, reason="the fixed-step 400-step organism (issue 15 §2) writes wrong fixes for these findings (np.cumproduct(value) for np.product(values)); the whitelist rightly rejects them. Earlier passes came from organisms cut short by the wall-clock cap. Needs an organism recipe that copies arguments.")
def test_fix_with_model_end_to_end(organism_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``apimig fix --model``: rules that know no fix leave the findings to the organism alone."""
    import ast
    import json

    from apimig.migrator.cli import main

    target = tmp_path / "legacy.py"
    target.write_text(LEGACY, encoding="utf-8")
    common = ["--no-builtin-rules", "--rules", str(MANUAL_RULES), "--target", "numpy=2.0", "--no-progress"]
    assert main(["fix", str(target), *common, "--model", str(organism_dir), "--strategy", "with_context"]) == 1
    err = capsys.readouterr().err
    new = target.read_text(encoding="utf-8")
    assert new != LEGACY and "model fix:" in err and "validated, review before applying" in err
    ast.parse(new)
    target.write_text(LEGACY, encoding="utf-8")
    assert main(["fix", str(target), *common, "--model", str(organism_dir), "--strategy", "with_context",
                 "--diff", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["fixed"] and all(f["fix_origin"] == "model" and 0 < f["fix_confidence"] <= 1 for f in report["fixed"])
    assert target.read_text(encoding="utf-8") == LEGACY  # --diff wrote nothing
    engine = Engine(load_config(targets={"numpy": "2.0"}, rules=[str(MANUAL_RULES)], builtin_rules=False))
    left = engine.check(new, "legacy.py")
    assert 0 < len(left) < 6  # some findings fixed by the model, the others left manual
    fixed_lines = [i for i, (a, b) in enumerate(zip(LEGACY.splitlines(), new.splitlines())) if a != b]
    for i in fixed_lines:  # each rewritten line lost its deprecated call and nothing else changed
        assert not engine.check("import numpy as np\n" + new.splitlines()[i] + "\n", "x.py")
        assert engine.check("import numpy as np\n" + LEGACY.splitlines()[i] + "\n", "x.py")
    assert len(new.splitlines()) == len(LEGACY.splitlines())


def test_fix_with_missing_model_falls_back_to_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from apimig.migrator.cli import main

    target = tmp_path / "legacy.py"
    target.write_text(SRC, encoding="utf-8")
    rc = main(["fix", str(target), "--target", "numpy=2.0", "--no-progress", "--model", str(tmp_path / "nope")])
    err = capsys.readouterr().err
    assert err.count("model layer unavailable, using rules only") == 1
    assert rc == 0 and "np.trapezoid(values)" in target.read_text()  # the rule fixes are still written


def test_missing_model_dir_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProposerUnavailable, match="not a local model directory"):
        load_proposer(tmp_path / "missing")


def test_eval_with_model_scores_each_strategy(organism_dir: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from apimig.migrator.cli import main
    from apimig.migrator.dataset import DEFAULT_PAIRS

    split = DEFAULT_PAIRS.parent / "splits" / "random.json"
    out = tmp_path / "report.json"
    rc = main(["eval", str(DEFAULT_PAIRS), "--split", str(split), "--origin", "hand", "--model", str(organism_dir),
               "--strategy", "basic", "--strategy", "with_rules", "--limit", "6", "--device", "cpu",
               "--json", str(out)])
    assert rc == 0
    printed = capsys.readouterr().out
    assert "with_rules" in printed and "reject" in printed
    report = json.loads(out.with_suffix(".model.json").read_text())
    assert report["pairs"] == 6 and [s["strategy"] for s in report["scores"]] == ["basic", "with_rules"]
    for s in report["scores"]:
        assert 0.0 <= s["rejection_rate"] <= 1.0 and s["seconds_per_finding"] >= 0.0
        assert s["candidates"] == s["rejected"] + s["fixes"]
