"""The gate: thresholds from configuration, metrics, report, and rollback of a bad update."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from apimig.models.gate import GateConfig, GateConfigError, GateReport, agreement, parses
from apimig.models.requests import load_requests

DATA = Path(__file__).parent / "data" / "edit_requests.json"


def test_config_reads_yaml_and_rejects_unknown_keys(tmp_path: Path) -> None:
    p = tmp_path / "gate.yaml"
    p.write_text("min_efficacy: 0.9\nmax_syntax_drop: '5e-2'\n")
    cfg = GateConfig.load(p)
    assert cfg.min_efficacy == 0.9 and cfg.max_syntax_drop == 0.05 and cfg.min_specificity == GateConfig().min_specificity
    p.write_text("min_efficacy: 0.9\nmin_accuracy: 0.5\n")
    with pytest.raises(GateConfigError, match=r"unknown keys \['min_accuracy'\]"):
        GateConfig.load(p)


def test_syntax_check_keeps_complete_lines_and_closes_open_blocks() -> None:
    assert parses("class Point:\n    def __init__(self, b):\n        self.data = b\n")
    assert parses("with torch.amp.autocast():\n    data = model(y)\ntorch.testing.asser")  # cut mid-line
    assert parses("for key, col in df.items():")  # open block at the cut
    assert not parses("x = torch.amp.autocast():\n    data = model(y)\n")


def test_agreement_is_token_level() -> None:
    assert agreement([[1, 2, 3, 4]], [[1, 2, 9, 4]]) == 0.75
    assert agreement([], []) is None


def test_report_json_and_table() -> None:
    r = GateReport("rome", False, True, ["specificity 0.500 < 0.8 (locality prompts changed)"],
                   {"efficacy": 0.0, "generalisation": 0.0, "syntax_validity": 0.9},
                   {"efficacy": 1.0, "generalisation": 1.0, "syntax_validity": 0.9}, 0.5, 0.2, 1,
                   {k: float(v) for k, v in dataclasses.asdict(GateConfig()).items()})
    assert json.loads(r.to_json())["reasons"] == r.reasons
    table = r.table()
    assert "specificity" in table and "0.500" in table and "FAILED, rolled back" in table and "locality prompts changed" in table


def _weights(model: Any) -> dict[str, Any]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_absurd_learning_rate_is_rolled_back(organism_dir: Path) -> None:
    """LoRA at lr=1e4: the guard or the gate stops it, and the model is exactly as before."""
    import torch

    from apimig.models.loading import load_model
    from apimig.models.methods import get_method
    from apimig.models.gate import run_update

    lm = load_model(organism_dir, device="cpu")
    before = _weights(lm.model)
    method = get_method("lora")
    hp = dataclasses.replace(method.default_hparams("qwen2"), lr=1e4, num_steps=8, dtype="float32", anchor_n_samples=0)
    requests = load_requests(DATA)[7:10]
    result = run_update(method, lm.model, lm.tokenizer, requests, hp, GateConfig())
    assert not result.report.passed and result.report.rolled_back and result.report.reasons
    assert result.restore is None
    after = _weights(lm.model)
    assert after.keys() == before.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not hasattr(lm.model, "peft_config")


def test_non_finite_guard_names_step_and_fix(organism_dir: Path) -> None:
    from apimig.models.loading import load_model
    from apimig.models.methods import get_method
    from apimig.models.methods.lora.method import NonFiniteError

    lm = load_model(organism_dir, device="cpu")
    method = get_method("lora")
    hp = dataclasses.replace(method.default_hparams("qwen2"), lr=float("inf"), num_steps=3, dtype="float32", anchor_n_samples=0)
    with pytest.raises(NonFiniteError, match=r"step \d+: .* lower the learning rate"):
        method.compute(lm.model, lm.tokenizer, load_requests(DATA)[7:8], hp)


def test_any_exception_after_apply_restores_the_weights(organism_dir: Path) -> None:
    """A method whose update makes evaluation raise: the error propagates, the weights come back."""
    import torch

    from apimig.models.gate import run_update
    from apimig.models.loading import load_model
    from apimig.models.methods.base import Deltas, FunctionMethod, Restore, apply_weight_deltas

    lm = load_model(organism_dir, device="cpu")
    before = _weights(lm.model)
    name = "model.layers.0.mlp.down_proj.weight"

    def compute(model: Any, tok: Any, requests: Any, hp: Any) -> Deltas:
        return Deltas(weights={name: torch.ones_like(dict(model.named_parameters())[name])})

    def apply(model: Any, deltas: Deltas) -> Restore:
        weights = apply_weight_deltas(model, deltas)

        def broken_forward(*_: Any) -> None:
            raise ValueError("evaluation broke")

        hook = model.model.layers[0].register_forward_hook(broken_forward)

        def undo() -> None:
            hook.remove()
            weights()

        return Restore(undo)

    method = FunctionMethod("breaks-evaluation", object, compute, apply)
    with pytest.raises(ValueError, match="evaluation broke"):
        run_update(method, lm.model, lm.tokenizer, load_requests(DATA)[7:8], None, GateConfig(),
                   baseline=None)
    after = _weights(lm.model)
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not lm.model.model.layers[0]._forward_hooks
