"""Second-moment statistics C = E[k k^T] of a down_proj input, from a local code corpus.

ROME and MEMIT weight their least-squares update by the key covariance so that keys
seen in ordinary code move little (rome ``layer_stats.py`` uses Wikipedia; a code model
needs code). The corpus is Python's own standard library unless ``mom2_dataset`` names
a file or directory of ``.py`` files. Results are cached per model and layer in
safetensors under the stats directory (hparams ``stats_dir``, else ``$APIMIG_STATS_DIR``,
else ``~/.cache/apimig/stats``); the cache key includes a fingerprint of the weights.
"""

from __future__ import annotations

import hashlib
import os
import sysconfig
from pathlib import Path
from typing import Any, Callable, Iterator

import torch
from safetensors.torch import load_file, save_file

from apimig.models.methods.base import UpdateError, model_device


def stats_dir(configured: str = "") -> Path:
    if configured:
        return Path(configured).expanduser()
    env = os.environ.get("APIMIG_STATS_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "apimig" / "stats"


def corpus_files(dataset: str) -> list[Path]:
    """``stdlib`` or a path; files sorted so the sample is deterministic."""
    root = Path(sysconfig.get_paths()["stdlib"]) if dataset == "stdlib" else Path(dataset).expanduser()
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise UpdateError(f"mom2_dataset {dataset!r}: no such file or directory")
    top = sorted(root.glob("*.py"))  # the stdlib's own modules first; a walk of site-packages is slow
    return top + sorted(p for p in root.glob("*/*.py") if "test" not in p.parts and "site-packages" not in p.parts)


def corpus_chunks(dataset: str, tok: Any, n: int, max_len: int) -> Iterator[list[int]]:
    count = 0
    for path in corpus_files(dataset):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for cstart in range(0, len(text), max_len * 4):  # about max_len tokens of code
            ids = tok(text[cstart:cstart + max_len * 4], add_special_tokens=False)["input_ids"][:max_len]
            if len(ids) < 8:
                continue
            yield ids
            count += 1
            if count >= n:
                return


def model_fingerprint(model: torch.nn.Module) -> str:
    name = Path(str(getattr(model.config, "_name_or_path", "") or "model")).name or "model"
    h = hashlib.sha1(model.config.to_json_string(use_diff=False).encode())
    emb = model.get_input_embeddings().weight
    h.update(emb[: min(8, emb.shape[0])].detach().float().cpu().numpy().tobytes())
    return f"{name}-{h.hexdigest()[:12]}"


def second_moment(model: torch.nn.Module, tok: Any, module_name: str, *, dataset: str, n_samples: int,
                  max_len: int, dtype: str, cache: str = "",
                  progress: Callable[[str], None] | None = None) -> torch.Tensor:
    """E[k k^T] over every token of the corpus sample, k the input of ``module_name``."""
    tag = hashlib.sha1(dataset.encode()).hexdigest()[:8]
    path = stats_dir(cache) / model_fingerprint(model) / f"{module_name}-{tag}-{n_samples}-{max_len}.safetensors"
    tdtype = getattr(torch, dtype)
    if path.exists():
        return load_file(str(path))["mom2"].to(tdtype)
    module = model.get_submodule(module_name)
    acc: dict[str, torch.Tensor] = {}
    count = 0
    mask: dict[str, torch.Tensor] = {}

    def hook(_m: torch.nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
        nonlocal count
        keep = mask["m"].reshape(-1).bool()
        k = inputs[0].detach().reshape(-1, inputs[0].shape[-1])[keep].to(tdtype)
        acc["sum"] = acc["sum"] + k.T @ k if "sum" in acc else k.T @ k
        count += k.shape[0]

    handle = module.register_forward_pre_hook(hook)
    device = model_device(model)
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    chunks = list(corpus_chunks(dataset, tok, n_samples, max_len))
    try:
        with torch.no_grad():
            for i in range(0, len(chunks), 16):
                batch = chunks[i:i + 16]
                width = max(len(c) for c in batch)
                ids = torch.tensor([c + [pad] * (width - len(c)) for c in batch], device=device)
                mask["m"] = torch.tensor([[1] * len(c) + [0] * (width - len(c)) for c in batch], device=device)
                model(input_ids=ids, attention_mask=mask["m"])
                if progress:
                    progress(f"stats {module_name}: {i + len(batch)}/{len(chunks)} samples")
    finally:
        handle.remove()
    if not count:
        raise UpdateError(f"mom2_dataset {dataset!r} gave no tokens for {module_name}")
    mom2 = (acc["sum"] / count).cpu()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    save_file({"mom2": mom2.float().contiguous(), "count": torch.tensor([count])}, str(tmp))
    tmp.replace(path)
    return mom2
