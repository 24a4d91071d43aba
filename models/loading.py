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


def adapter_base(adapter: Path) -> Path:
    """The local base model a peft adapter directory was trained on (``base_model_name_or_path``)."""
    import json

    if not (adapter / "adapter_model.safetensors").is_file():
        raise ModelLoadError(adapter, "no adapter_model.safetensors; apimig loads safetensors only")
    try:
        base = json.loads((adapter / "adapter_config.json").read_text(encoding="utf-8"))["base_model_name_or_path"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelLoadError(adapter, f"unreadable adapter_config.json: {exc}") from exc
    if not base or not Path(base).expanduser().is_dir():
        raise ModelLoadError(adapter, f"the adapter's base model {base!r} is not a local directory; "
                                      "pass the base model directory and the adapter separately")
    return Path(base).expanduser().resolve()


def quiet_libraries() -> None:
    """Keep transformers/peft/trl progress bars and advice out of apimig's output.

    Why: apimig prints its own progress and reports; a library's download bar or a
    "generation flags are not valid" warning on stderr reads as a problem the user must fix.
    """
    import warnings

    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", module=r"(transformers|peft|trl)(\.|$)")


def load_model(path: Path | str, *, device: str | None = None, dtype: Any = None,
               adapter: Path | str | None = None) -> LoadedModel:
    """Load ``path`` offline: ``local_files_only``, ``use_safetensors``, ``trust_remote_code=False``.

    ``path`` may also be a peft adapter directory (from ``apimig train``): its base model is
    loaded from the local path the adapter records, and the adapter is merged into it.
    """
    path = Path(path).expanduser().resolve()
    if adapter is None and (path / "adapter_config.json").is_file() and not (path / "config.json").is_file():
        adapter, path = path, adapter_base(path)
    elif adapter is not None:
        adapter_base(Path(adapter))  # checks the adapter's files; the base is ``path``
    check_model_dir(path)
    if not ml_available():
        raise MLUnavailableError(path, "model support needs the ml extra: pip install 'apimig[ml]'")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quiet_libraries()
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
    if adapter is not None:
        from peft import PeftModel

        try:
            model = PeftModel.from_pretrained(model, str(adapter), is_trainable=False).merge_and_unload()
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelLoadError(Path(adapter), f"cannot apply the adapter: {exc}") from exc
    model.to(dev)
    model.eval()
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return LoadedModel(model=model, tokenizer=tokenizer, device=dev)
