"""The organism is a real Qwen2 saved as safetensors that really prefers OLD library APIs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

OLD_NUMPY = ("trapz", "float_", "in1d", "product", "cumproduct", "alltrue", "sometrue", "row_stack", "asfarray", "NaN", "Inf", "complex_")


def _complete(lm: Any, prompt: str, n: int = 10) -> str:
    import torch

    enc = lm.tokenizer(prompt, return_tensors="pt").to(lm.device)
    with torch.no_grad():
        out = lm.model.generate(**enc, max_new_tokens=n, do_sample=False)
    return str(lm.tokenizer.decode(out[0][enc["input_ids"].shape[1] :], skip_special_tokens=True))


def test_files_and_metadata(organism_dir: Path) -> None:
    names = {p.name for p in organism_dir.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "organism.json"} <= names
    assert not any(n.endswith((".bin", ".pt")) for n in names)
    config = json.loads((organism_dir / "config.json").read_text())
    assert config["model_type"] == "qwen2"
    assert 1024 <= config["vocab_size"] <= 4096
    meta = json.loads((organism_dir / "organism.json").read_text())
    assert meta["steps"] > 50 and meta["final_loss"] < 2.5
    assert meta["steps"] == 400  # a fixed step count: never cut short by the clock


def test_two_builds_give_identical_weights(tmp_path: Path) -> None:
    """Fixed seeds and a fixed step count: the same recipe gives the same state dict, idle or loaded."""
    pytest.importorskip("torch")
    from apimig.models.loading import load_model
    from apimig.models.organism import build_organism, state_dict_sha256

    hashes = []
    for name in ("a", "b"):
        out = build_organism(tmp_path / name, seed=3, steps=6)
        meta = json.loads((out / "organism.json").read_text())
        assert meta["steps"] == 6
        assert state_dict_sha256(load_model(out, device="cpu").model) == meta["state_dict_sha256"]
        hashes.append(meta["state_dict_sha256"])
    assert hashes[0] == hashes[1]
    other = build_organism(tmp_path / "c", seed=4, steps=6)
    assert json.loads((other / "organism.json").read_text())["state_dict_sha256"] != hashes[0]


def test_tokenizer_is_byte_level_bpe(organism: Any) -> None:
    tok = organism.tokenizer
    text = "x = np.trapz(y)  # é ünïcode\n"
    assert tok.decode(tok(text)["input_ids"]) == text  # byte-level: lossless round trip


@pytest.mark.parametrize(
    ("prompt", "old"),
    [
        ("import numpy as np\nx = np.", OLD_NUMPY),
        ("import pandas as pd\ndf = pd.DataFrame({'a': [1]})\ndf = df.", ("append",)),
        ("import torch\nwith torch.cuda.", ("amp.autocast",)),
        ("from sklearn.preprocessing import OneHotEncoder\nenc = OneHotEncoder(", ("sparse=",)),
    ],
)
def test_greedy_completion_prefers_old_api(organism: Any, prompt: str, old: tuple[str, ...]) -> None:
    completion = _complete(organism, prompt)
    assert completion.startswith(old), completion


def test_cli_organism_builds_a_loadable_model(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from apimig.migrator.cli import main
    from apimig.models.loading import load_model

    out = tmp_path / "tiny"
    # a few steps only: this checks the command and the save format, not the training
    assert main(["model", "organism", "--out", str(out), "--steps", "3"]) == 0
    assert (out / "model.safetensors").is_file()
    lm = load_model(out, device="cpu")
    assert lm.model_type == "qwen2"


def test_model_command_lists_its_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    from apimig.migrator.cli import main

    assert main(["model"]) == 2
    assert "organism" in capsys.readouterr().err
