"""Loading refuses what is not a local safetensors model and loads the organism like a real one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from apimig.models.loading import ModelLoadError, check_model_dir, load_model


def test_missing_dir_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="not a local model directory"):
        load_model(tmp_path / "nope")


def test_dir_without_safetensors_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "qwen2"}))
    (tmp_path / "pytorch_model.bin").write_bytes(b"\x80\x04")
    with pytest.raises(ModelLoadError, match=r"no \*\.safetensors.*pytorch_model\.bin.*refused"):
        check_model_dir(tmp_path)


def test_organism_loads_offline_on_cpu(organism_dir: Path) -> None:
    import torch

    lm = load_model(organism_dir)  # device auto: this CI has no CUDA
    assert lm.model_type == "qwen2"
    assert lm.device == ("cuda" if torch.cuda.is_available() else "cpu")
    assert lm.dtype == (torch.bfloat16 if lm.device == "cuda" else torch.float32)
    assert not lm.model.training
    assert lm.tokenizer.pad_token is not None


def test_explicit_dtype(organism_dir: Path) -> None:
    import torch

    lm = load_model(organism_dir, device="cpu", dtype="bf16")
    assert lm.dtype == torch.bfloat16


def test_weights_must_be_safetensors_even_with_config(organism_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "m"
    shutil.copytree(organism_dir, copy)
    for f in copy.glob("*.safetensors"):
        f.unlink()
    with pytest.raises(ModelLoadError, match="safetensors only"):
        load_model(copy)


@pytest.mark.parametrize("arch", ["llama", "gpt2"])
def test_llama_and_gpt2_directories_load_through_the_same_path(arch: str, organism_dir: Path, tmp_path: Path) -> None:
    """Tiny random Llama / GPT-2 models saved as safetensors, with the organism's tokenizer."""
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(organism_dir)
    if arch == "llama":
        model = LlamaForCausalLM(LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128,
                                             num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2))
    else:
        model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tok), n_embd=64, n_layer=2, n_head=4, n_positions=256))
    out = tmp_path / arch
    model.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    lm = load_model(out, device="cpu")
    assert lm.model_type == arch and lm.device == "cpu"
    from apimig.models.generation import generate

    assert generate(lm, "import numpy as np\nx = np.", max_new_tokens=4)[0].new_tokens > 0
