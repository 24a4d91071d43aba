"""ROME, MEMIT, LoRA and DPO on the model organism (a 2-layer Qwen2 that prefers old APIs).

Each test checks the issue's promise on real weights: held-out prompts that produced the
old API produce the new one, locality prompts keep their greedy answers within the gate's
tolerance, and the update goes through the gate. The organism has two layers, so ROME and
MEMIT read the key at the prompt's last token (``fact_token: last``); ROME edits layer 1, where
the fully trained (400-step) organism takes a rank-one edit cleanly.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from apimig.models.gate import GateConfig, produces, run_update
from apimig.models.requests import EditRequest, load_requests

DATA = Path(__file__).parent / "data" / "edit_requests.json"
CFG = GateConfig()


@pytest.fixture
def lm(organism_dir: Path) -> Any:
    from apimig.models.loading import load_model

    return load_model(organism_dir, device="cpu")


@pytest.fixture(scope="session")
def stats_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("stats"))


def organism_hparams(name: str, stats_dir: str) -> Any:
    from apimig.models.methods import get_method

    method = get_method(name)
    hp = method.default_hparams("qwen2")
    if name == "rome":
        return dataclasses.replace(hp, layers=(1,), fact_token="last", mom2_n_samples=200, mom2_max_len=128, stats_dir=stats_dir)
    if name == "memit":
        return dataclasses.replace(hp, layers=(0, 1), fact_token="last", clamp_norm_factor=2.0, mom2_update_weight=10.0, kl_factor=1.0,
                                   mom2_n_samples=200, mom2_max_len=128, stats_dir=stats_dir)
    return dataclasses.replace(hp, dtype="float32", layers=(1,), lr=3e-3, num_steps=30, kl_factor=5.0,
                               anchor_n_samples=16, anchor_batch_size=8)


def held_out(requests: list[EditRequest]) -> list[tuple[str, EditRequest]]:
    return [(p, r) for r in requests for p in r.rephrase_prompts]


def _weights(model: Any) -> dict[str, Any]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def check_update(name: str, lm: Any, requests: list[EditRequest], hp: Any) -> Any:
    import torch

    from apimig.models.methods import get_method

    model, tok = lm.model, lm.tokenizer
    every = held_out(requests)
    # the claim is about prompts that produced the OLD API before the update; the organism
    # answers most held-out prompts that way (a few with a sibling old API, e.g. utcfromtimestamp)
    pairs = [(p, r) for p, r in every if produces(model, tok, p, r.ground_truth, CFG.max_new_tokens)]
    assert every and len(pairs) * 2 >= len(every), "organism should prefer old APIs"
    method = get_method(name)
    before = _weights(model)
    deltas = method.compute(model, tok, requests, hp)
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items()), "compute must leave the model unchanged"
    assert not hasattr(model, "peft_config")
    result = run_update(method, model, tok, requests, hp, CFG)
    report = result.report
    assert report.passed, report.table()
    assert report.after["generalisation"] >= CFG.min_generalisation
    assert report.specificity is not None and report.specificity >= CFG.min_specificity
    flipped = [produces(model, tok, p, r.target_new, CFG.max_new_tokens) for p, r in pairs]
    assert sum(flipped) / len(flipped) >= CFG.min_generalisation
    result.restore()
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items()), "restore must give the original weights"
    del deltas
    return result


def test_rome_single_fact(lm: Any, stats_dir: str) -> None:
    requests = load_requests(DATA)[7:8]  # datetime.datetime.utcnow() -> now()
    check_update("rome", lm, requests, organism_hparams("rome", stats_dir))
    assert list(Path(stats_dir).rglob("*.safetensors")), "second moments are cached in safetensors"


def test_memit_ten_edits_in_one_batch_pass_the_gate(lm: Any, stats_dir: str) -> None:
    """Ten edits of two APIs (datetime.utcnow -> now, scipy simps -> simpson) in varied contexts,
    in one batch over both layers: held-out prompts flip to the new API, locality holds."""
    requests = load_requests(Path(__file__).parent / "data" / "memit_batch.json")
    assert len(requests) >= 10
    hp = dataclasses.replace(organism_hparams("memit", stats_dir), mom2_update_weight=1000.0)
    result = check_update("memit", lm, requests, hp)
    assert result.report.after["efficacy"] >= CFG.min_efficacy


def test_memit_mixed_batch_is_gated(lm: Any, stats_dir: str) -> None:
    """Ten edits over torch, pandas and datetime, spread over both layers; gated either way.

    Some of these targets need a second token the edit cannot reach on the 2-layer organism
    (``df.items()``: the edit writes ``items`` but ``()`` is predicted at the next position), so
    this checks the measurable part: the batch is computed without touching the model, improves
    efficacy over the base model, and is kept only if it passes, otherwise restored bit for bit.
    """
    import torch

    from apimig.models.methods import get_method

    requests = load_requests(DATA)
    assert len(requests) >= 10
    model, tok = lm.model, lm.tokenizer
    before = _weights(model)
    hp = organism_hparams("memit", stats_dir)
    deltas = get_method("memit").compute(model, tok, requests, hp)
    assert sorted(deltas.weights) == [f"model.layers.{i}.mlp.down_proj.weight" for i in hp.layers]
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())
    result = run_update(get_method("memit"), model, tok, requests, hp, CFG)
    report = result.report
    assert report.requests == len(requests)
    assert report.after["efficacy"] > report.before["efficacy"]
    if report.passed:
        assert report.specificity is not None and report.specificity >= CFG.min_specificity
    else:
        assert report.rolled_back and report.reasons
        assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())


def test_lora_layer_selected(lm: Any, stats_dir: str) -> None:
    hp = organism_hparams("lora", stats_dir)
    assert hp.layers == (1,)
    check_update("lora", lm, load_requests(DATA)[7:10], hp)


def test_dpo_prefers_migrated_code(lm: Any, stats_dir: str) -> None:
    check_update("dpo", lm, load_requests(DATA)[7:10], organism_hparams("dpo", stats_dir))


@pytest.mark.parametrize("arch", ["llama", "gpt2"])
@pytest.mark.parametrize("name", ["rome", "memit"])
def test_rome_and_memit_shapes_on_llama_and_gpt2(arch: str, name: str, organism_dir: Path, tmp_path: Path) -> None:
    """The architecture's hparams YAML drives the edit; the delta has the weight's shape (GPT-2's
    Conv1D stores c_proj transposed: [intermediate, hidden]); apply then undo restores the model."""
    import torch
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

    from apimig.models.methods import get_method

    tok = AutoTokenizer.from_pretrained(organism_dir)
    if arch == "llama":
        model = LlamaForCausalLM(LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=160,
                                             num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2))
        expect = {f"model.layers.{i}.mlp.down_proj.weight": (64, 160) for i in (0, 1)}
    else:
        model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tok), n_embd=64, n_layer=2, n_head=4, n_positions=256,
                                           bos_token_id=0, eos_token_id=0))
        expect = {f"transformer.h.{i}.mlp.c_proj.weight": (256, 64) for i in (0, 1)}
    model.eval()
    method = get_method(name)
    layers = (0,) if name == "rome" else (0, 1)
    hp = dataclasses.replace(method.default_hparams(arch), layers=layers, fact_token="last", mom2_n_samples=50,
                             mom2_max_len=64, stats_dir=str(tmp_path), v_num_grad_steps=5)
    before = _weights(model)
    deltas = method.compute(model, tok, load_requests(DATA)[7:9], hp)
    assert {k: tuple(v.shape) for k, v in deltas.weights.items()} == {k: expect[k] for k in list(expect)[: len(layers)]}
    undo = method.apply(model, deltas)
    assert not all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())
    undo()
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())
