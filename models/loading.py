"""Load a local Hugging Face causal LM offline, safetensors only, no remote code.

Why one function: the model organism, real models (Qwen2, Llama, GPT-2 style) and every
method (ROME/MEMIT/LoRA/DPO) go through the same code path, so tests on the organism prove
the path a real model takes. torch and transformers are imported lazily so the rule-only
CLI and server never pay for them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ModelLoadError(RuntimeError):
    """The directory cannot be loaded as a local safetensors model; names the path."""

    def __init__(self, path: Path | str, msg: str) -> None:
        super().__init__(f"{path}: {msg}")
        self.path = str(path)


class MLUnavailableError(ModelLoadError):
    """torch/transformers are not installed (the ``ml`` extra)."""


@dataclass
class LoadedModel:
    model: Any  # transformers PreTrainedModel, in eval mode
    tokenizer: Any  # transformers PreTrainedTokenizerBase
    device: str  # "cuda", "cuda:0" or "cpu"

    @property
    def dtype(self) -> Any:
        return next(self.model.parameters()).dtype

    @property
    def model_type(self) -> str:
        return str(getattr(self.model.config, "model_type", ""))


def ml_available() -> bool:
    """True when the ``ml`` extra (torch + transformers) can be imported."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers", "safetensors"))


def pick_device(device: str | None = None) -> str:
    import torch

    if device:
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


def pick_dtype(device: str, dtype: Any = None) -> Any:
    """bf16 on CUDA, fp32 on CPU, unless the caller asks for one (a torch dtype or its name)."""
    import torch

    if dtype is None:
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    if isinstance(dtype, str):
        name = {"bf16": "bfloat16", "fp16": "float16", "fp32": "float32"}.get(dtype, dtype)
        value = getattr(torch, name, None)
        if not isinstance(value, torch.dtype):
            raise ValueError(f"unknown dtype {dtype!r}")
        return value
    return dtype


def check_model_dir(path: Path) -> None:
    """Refuse anything but a local directory holding a config and safetensors weights."""
    if not path.is_dir():
        raise ModelLoadError(path, "not a local model directory (apimig never downloads models)")
    if not (path / "config.json").is_file():
        raise ModelLoadError(path, "no config.json: not a Hugging Face model directory")
    if not any(path.glob("*.safetensors")):
        found = sorted(p.name for p in path.iterdir() if p.suffix in {".bin", ".pt", ".pth", ".ckpt"})
        hint = f" (found {', '.join(found)}; pickle weights are refused)" if found else ""
        raise ModelLoadError(path, f"no *.safetensors weights{hint}; apimig loads safetensors only")


def load_model(path: Path | str, *, device: str | None = None, dtype: Any = None) -> LoadedModel:
    """Load ``path`` offline: ``local_files_only``, ``use_safetensors``, ``trust_remote_code=False``."""
    path = Path(path).expanduser().resolve()
    check_model_dir(path)
    if not ml_available():
        raise MLUnavailableError(path, "model support needs the ml extra: pip install 'apimig[ml]'")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dev = pick_device(device)
    torch_dtype = pick_dtype(dev, dtype)
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True, trust_remote_code=False)
        model = AutoModelForCausalLM.from_pretrained(
            path,
            local_files_only=True,
            trust_remote_code=False,
            use_safetensors=True,
            dtype=torch_dtype,
        )
    except (OSError, ValueError) as exc:
        raise ModelLoadError(path, f"cannot load: {exc}") from exc
    model.to(dev)
    model.eval()
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return LoadedModel(model=model, tokenizer=tokenizer, device=dev)
