"""ROME: one rank-one update of one ``down_proj`` per request (Meng et al. 2022).

Implemented here on torch + transformers (the ``easyeditor`` release pins torch 2.0 and
transformers 4.30, which lacks Qwen2). For layer ``l`` with weight ``W`` (hidden x
intermediate), key ``k`` (down_proj input at the subject's last token) and optimised
value ``v``: ``W' = W + (v - W k)(C^-1 k)^T / (k^T C^-1 k)``, C the key second moment.
Requests are applied one after another, each computed on the model edited by the
previous ones, then the model is restored: ``compute`` leaves it unchanged.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch

from apimig.models.methods.base import Deltas, FunctionMethod, apply_weight_deltas, fit_delta
from apimig.models.methods.rome.compute import check_layers, contexts, module_io_at, n_layers, optimise_delta, subject_index
from apimig.models.methods.rome.hparams import ROMEHyperParams
from apimig.models.methods.rome.stats import second_moment


def inverse_cov_times(model: torch.nn.Module, tok: Any, hp: Any, module_name: str, k: torch.Tensor,
                      weight: float = 1.0) -> torch.Tensor:
    c = second_moment(model, tok, module_name, dataset=hp.mom2_dataset, n_samples=hp.mom2_n_samples,
                      max_len=hp.mom2_max_len, dtype=hp.mom2_dtype, cache=hp.stats_dir).to(k.device, torch.float64)
    c = weight * c + hp.mom2_ridge * torch.eye(c.shape[0], dtype=c.dtype, device=c.device)
    return torch.linalg.solve(c, k.to(torch.float64)).float()


def rank_one(model: torch.nn.Module, tok: Any, request: Any, hp: ROMEHyperParams, layer: int) -> tuple[str, torch.Tensor]:
    name = hp.rewrite_module_tmp.format(layer)
    prompts = contexts(hp.context_templates, request.prompt)
    idx = [subject_index(tok, p, request.subject, hp.fact_token) for p in prompts]
    k = module_io_at(model, tok, prompts, idx, name, "in").mean(0)  # [intermediate]
    delta, init = optimise_delta(model, tok, request, hp, name, n_layers(model))
    v = init + delta  # [hidden]
    left = inverse_cov_times(model, tok, hp, name, k) if hp.mom2_adjustment else k
    right = (v - init) / torch.dot(left, k)
    upd = torch.outer(right, left)  # [hidden, intermediate]
    weight = model.get_submodule(name).weight
    return f"{name}.weight", fit_delta(name, weight, upd).to(weight.dtype)


def compute(model: torch.nn.Module, tok: Any, requests: Sequence[Any], hp: ROMEHyperParams) -> Deltas:
    check_layers(model, hp.layers)
    total = Deltas(info={"method": "rome", "layers": list(hp.layers), "requests": len(requests)})
    restores = []
    try:
        for request in requests:
            step = Deltas()
            for layer in hp.layers:
                pname, d = rank_one(model, tok, request, hp, layer)
                step.weights[pname] = step.weights.get(pname, 0) + d  # type: ignore[operator]
            restores.append(apply_weight_deltas(model, step))
            for pname, d in step.weights.items():
                total.weights[pname] = total.weights.get(pname, torch.zeros_like(d)) + d
    finally:
        for r in reversed(restores):
            r()
    return total


METHOD = FunctionMethod("rome", ROMEHyperParams, compute, apply_weight_deltas)
