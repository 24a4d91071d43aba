"""``apimig edit`` / ``apimig train`` end to end: outputs reload with plain transformers / peft."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from apimig.models.editing_cli import cli_edit, cli_train
from apimig.models.requests import load_requests, save_requests

DATA = Path(__file__).parent / "data" / "edit_requests.json"
LORA_QWEN2 = Path(__file__).resolve().parents[2] / "models" / "hparams" / "lora" / "qwen2.yaml"


def _greedy_text(model, tok, prompt: str, n: int = 6) -> str:  # type: ignore[no-untyped-def]
    from apimig.models.gate import greedy

    return str(tok.decode(greedy(model, tok, prompt, n), skip_special_tokens=True))


def test_edit_saves_a_plain_transformers_model(organism_dir: Path, tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    req = load_requests(DATA)[7]
    reqs = tmp_path / "requests.json"
    save_requests([req], reqs)
    hp = tmp_path / "rome.yaml"
    hp.write_text(yaml.safe_dump({"layers": [1], "fact_token": "last", "mom2_n_samples": 200, "mom2_max_len": 128,
                                  "stats_dir": str(tmp_path / "stats")}))
    out = tmp_path / "edited"
    rc = cli_edit(["--method", "rome", "--model", str(organism_dir), "--requests", str(reqs), "--out", str(out),
                   "--hparams", str(hp), "--device", "cpu"])
    report = json.loads((out / "gate_report.json").read_text())
    assert rc == 0, report
    assert report["passed"] and (out / "model.safetensors").exists() and not list(out.glob("*.bin"))
    model = AutoModelForCausalLM.from_pretrained(out)
    tok = AutoTokenizer.from_pretrained(out)
    assert _greedy_text(model, tok, req.rephrase_prompts[0]).startswith(req.target_new)
    from apimig.models.loading import load_model  # and through the LLM tier's loader

    lm = load_model(out, device="cpu")
    assert _greedy_text(lm.model, lm.tokenizer, req.rephrase_prompts[0]).startswith(req.target_new)


def test_train_saves_a_plain_peft_adapter(organism_dir: Path, tmp_path: Path) -> None:
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    reqs = load_requests(DATA)[7:10]
    data = tmp_path / "data.json"
    save_requests(reqs, data)
    out = tmp_path / "adapter"
    # layer-selected, few steps, a strong KL anchor: an edit that leaves the locality prompts alone
    hp = tmp_path / "lora.yaml"
    hp.write_text(yaml.safe_dump({**yaml.safe_load(LORA_QWEN2.read_text()), "kl_factor": 5.0}))
    rc = cli_train(["lora", "--model", str(organism_dir), "--data", str(data), "--out", str(out), "--layers", "1",
                    "--steps", "30", "--lr", "3e-3", "--hparams", str(hp), "--precision", "float32", "--device", "cpu"])
    report = json.loads((out / "gate_report.json").read_text())
    assert rc == 0, report
    assert (out / "adapter_config.json").exists() and (out / "adapter_model.safetensors").exists()
    assert json.loads((out / "adapter_config.json").read_text())["layers_to_transform"] == [1]
    base = AutoModelForCausalLM.from_pretrained(organism_dir)
    tok = AutoTokenizer.from_pretrained(organism_dir)
    # held-out prompts on which the base model writes the old API
    prompts = [p for r in reqs for p in r.rephrase_prompts if _greedy_text(base, tok, p).startswith(r.ground_truth)]
    assert prompts
    model = PeftModel.from_pretrained(base, out)
    assert all(_greedy_text(model, tok, p).startswith(reqs[0].target_new) for p in prompts)
    # the LLM tier loads the adapter directory itself: base model from the recorded local path
    from apimig.models.loading import load_model

    lm = load_model(out, device="cpu")
    assert all(_greedy_text(lm.model, lm.tokenizer, p).startswith(reqs[0].target_new) for p in prompts)


def test_rejected_update_saves_nothing(organism_dir: Path, tmp_path: Path) -> None:
    reqs = load_requests(DATA)[7:10]
    data = tmp_path / "data.json"
    save_requests(reqs, data)
    out = tmp_path / "adapter"
    rc = cli_train(["lora", "--model", str(organism_dir), "--data", str(data), "--out", str(out), "--lr", "1e4",
                    "--steps", "5", "--precision", "float32", "--device", "cpu", "--report", str(tmp_path / "r.json")])
    assert rc == 1
    assert not out.exists() or not list(out.iterdir())
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["rolled_back"] and report["reasons"]


def test_bad_requests_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "r.json"
    bad.write_text('[{"prompt": "x = np.", "subject": "pd", "target_new": "a"}]')
    rc = cli_edit(["--method", "rome", "--model", str(tmp_path), "--requests", str(bad), "--out", str(tmp_path / "o")])
    assert rc == 2 and "subject 'pd'" in capsys.readouterr().err
