"""``apimig experiment``: a spec is planned, run method after method through the gate, reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from apimig.migrator.cli import main
from apimig.models.experiment import SpecError, load_spec, plan
from apimig.models.requests import load_requests, save_requests

DATA = Path(__file__).parent / "data" / "edit_requests.json"
ORGANISM_HPARAMS = {  # the organism has two layers: edit layer 0/1 at the prompt's last token
    "rome": {"layers": [1], "fact_token": "last", "mom2_n_samples": 200, "mom2_max_len": 128},
    "memit": {"layers": [0, 1], "fact_token": "last", "clamp_norm_factor": 2.0, "mom2_update_weight": 10.0,
              "kl_factor": 1.0, "mom2_n_samples": 200, "mom2_max_len": 128},
    "lora": {"dtype": "float32", "layers": [1], "lr": 3e-3, "num_steps": 30, "kl_factor": 5.0,
             "anchor_n_samples": 16, "anchor_batch_size": 8},
}


def write_spec(tmp_path: Path, organism_dir: Path, **extra: object) -> Path:
    reqs = tmp_path / "requests.json"
    save_requests(load_requests(DATA)[7:10], reqs)
    hparams = {k: dict(v) for k, v in ORGANISM_HPARAMS.items()}
    for h in ("rome", "memit"):
        hparams[h]["stats_dir"] = str(tmp_path / "stats")
    spec = {"name": "teach-now", "model": str(organism_dir), "requests": "requests.json", "out": "results",
            "device": "cpu", "method": "auto", "hparams": hparams, **extra}
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def test_auto_plan_follows_the_number_of_requests(tmp_path: Path, organism_dir: Path) -> None:
    spec = load_spec(write_spec(tmp_path, organism_dir))
    requests = load_requests(spec.requests)
    assert [s.method for s in plan(spec, requests)] == ["memit", "lora", "dpo"]
    assert [s.method for s in plan(spec, requests[:1])] == ["rome", "lora", "dpo"]
    assert spec.requests == tmp_path / "requests.json" and spec.out == tmp_path / "results"


def test_run_keeps_the_first_update_that_passes_the_gate(tmp_path: Path, organism_dir: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    spec_path = write_spec(tmp_path, organism_dir, method=["memit", "lora"])
    spec = yaml.safe_load(spec_path.read_text())
    spec["hparams"]["memit"]["v_num_grad_steps"] = 0  # a first method that cannot reach the gate
    spec_path.write_text(yaml.safe_dump(spec))
    rc = main(["experiment", "run", str(spec_path)])
    report = json.loads((tmp_path / "results" / "experiment.json").read_text())
    assert rc == 0 and report["chosen"] == "lora", report
    memit, lora = report["attempts"]
    assert not memit["report"]["passed"] and memit["report"]["rolled_back"] and memit["report"]["reasons"]
    assert memit["saved"] is None and not (tmp_path / "results" / "memit").exists()
    assert lora["report"]["passed"] and lora["report"]["after"]["efficacy"] >= 0.8
    from apimig.models.loading import load_model

    lm = load_model(lora["saved"], device="cpu")  # the adapter loads with its base model
    assert lm.model_type == "qwen2"
    out = capsys.readouterr().out
    assert "rolled back" in out and "chosen: lora" in out


def test_auto_run_on_the_organism_keeps_a_passing_update(tmp_path: Path, organism_dir: Path) -> None:
    """On the organism MEMIT passes at once (bench/model_updates.py); whichever method is kept,
    it is the first that passed, and every attempt before it was rolled back."""
    rc = main(["experiment", "run", str(write_spec(tmp_path, organism_dir))])
    report = json.loads((tmp_path / "results" / "experiment.json").read_text())
    assert rc == 0 and report["chosen"] == report["attempts"][-1]["method"]
    assert [a["method"] for a in report["attempts"]] == ["memit", "lora", "dpo"][: len(report["attempts"])]
    kept = report["attempts"][-1]["report"]
    assert kept["passed"] and kept["specificity"] >= 0.8
    assert all(a["report"]["rolled_back"] for a in report["attempts"][:-1])


def test_bad_spec_names_file_and_key(tmp_path: Path, organism_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: x\nrequests: y\nmethods: auto\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"bad\.yaml: unknown keys \['methods'\]"):
        load_spec(bad)
    assert main(["experiment", "run", str(bad)]) == 2
    assert "unknown keys" in capsys.readouterr().err
    gate = write_spec(tmp_path, organism_dir, constraints={"gate": {"min_efficacy": "high"}})
    with pytest.raises(SpecError, match="min_efficacy"):
        load_spec(gate)


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "experiment"


def test_example_teaches_what_the_stdlib_rule_writes() -> None:
    """The example's target is the equivalent call (aware UTC), exactly the rule's own fix."""
    from apimig.migrator.api import Engine, load_config

    engine = Engine(load_config(targets={"stdlib": "3.12"}))
    for r in load_requests(EXAMPLE / "requests.json"):
        old = r.prompt + r.ground_truth + "\n"
        fixed = engine.fix(old, unsafe=True).new_source
        assert fixed == r.prompt + r.target_new + "\n", (old, fixed)


def test_budget_counts_attempts_not_seconds(tmp_path: Path, organism_dir: Path) -> None:
    spec = load_spec(EXAMPLE / "spec.yaml")
    assert spec.max_attempts == 3 and spec.methods == ("auto",)
    assert load_spec(write_spec(tmp_path, organism_dir, constraints={"max_attempts": 1})).max_attempts == 1
    for bad in ({"max_attempts": 0}, {"max_attempts": "2"}, {"max_seconds": 600}):
        with pytest.raises(SpecError, match="constraints"):
            load_spec(write_spec(tmp_path, organism_dir, constraints=bad))


def test_spec_methods_come_from_the_registry(tmp_path: Path, organism_dir: Path) -> None:
    with pytest.raises(SpecError, match=r"method: 'grace'; use auto, one of \[.*'memit'"):
        load_spec(write_spec(tmp_path, organism_dir, method="grace"))
