"""MEMIT: a batch of edits spread over ``layers`` (memit ``memit_main.py``, re-implemented).

For each request a residual delta ``z`` at the last edited layer's output is optimised.
Then, layer by layer from the lowest, the remaining residual is divided by the number of
layers left and written into that layer's ``down_proj`` by a least-squares update:
``upd = R K^T (lambda C + K K^T)^-1`` with K the keys (intermediate x n) and R the residuals
(hidden x n). Updates are applied while computing (later layers see earlier ones) and
the model is restored before returning, so ``compute`` leaves it unchanged.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch

from apimig.models.methods.base import Deltas, FunctionMethod, apply_weight_deltas, fit_delta
from apimig.models.methods.memit.hparams import MEMITHyperParams
from apimig.models.methods.rome.compute import check_layers, contexts, module_io_at, n_layers, optimise_delta, subject_index
from apimig.models.methods.rome.stats import second_moment


def _keys_and_outputs(model: torch.nn.Module, tok: Any, requests: Sequence[Any], hp: MEMITHyperParams,
                      layer: int, z_layer: int) -> tuple[torch.Tensor, torch.Tensor]:
    ks, zs = [], []
    for r in requests:
        prompts = contexts(hp.context_templates, r.prompt)
        idx = [subject_index(tok, p, r.subject, hp.fact_token) for p in prompts]
        ks.append(module_io_at(model, tok, prompts, idx, hp.rewrite_module_tmp.format(layer), "in").mean(0))
        zs.append(module_io_at(model, tok, prompts, idx, hp.layer_module_tmp.format(z_layer), "out").mean(0))
    return torch.stack(ks, 1), torch.stack(zs, 1)  # [intermediate, n], [hidden, n]


def compute(model: torch.nn.Module, tok: Any, requests: Sequence[Any], hp: MEMITHyperParams) -> Deltas:
    check_layers(model, hp.layers)
    layers = sorted(hp.layers)
    z_layer = layers[-1]
    targets = []
    for r in requests:
        delta, init = optimise_delta(model, tok, r, hp, hp.layer_module_tmp.format(z_layer), n_layers(model))
        targets.append(init + delta)
    z_target = torch.stack(targets, 1)  # [hidden, n]
    total = Deltas(info={"method": "memit", "layers": layers, "requests": len(requests)})
    restores = []
    try:
        for i, layer in enumerate(layers):
            name = hp.rewrite_module_tmp.format(layer)
            keys, cur_z = _keys_and_outputs(model, tok, requests, hp, layer, z_layer)
            resid = (z_target - cur_z) / (len(layers) - i)
            c = second_moment(model, tok, name, dataset=hp.mom2_dataset, n_samples=hp.mom2_n_samples,
                              max_len=hp.mom2_max_len, dtype=hp.mom2_dtype, cache=hp.stats_dir).to(keys.device, torch.float64)
            if not hp.mom2_adjustment:
                c = torch.eye(c.shape[0], dtype=c.dtype, device=c.device)
            k64 = keys.double()
            a = hp.mom2_update_weight * c + k64 @ k64.T + hp.mom2_ridge * torch.eye(c.shape[0], dtype=c.dtype, device=c.device)
            adj = torch.linalg.solve(a, k64)  # [intermediate, n]
            upd = (resid.double() @ adj.T).float()  # [hidden, intermediate]
            weight = model.get_submodule(name).weight
            d = fit_delta(name, weight, upd).to(weight.dtype)
            pname = f"{name}.weight"
            restores.append(apply_weight_deltas(model, Deltas(weights={pname: d})))
            total.weights[pname] = total.weights.get(pname, torch.zeros_like(d)) + d
    finally:
        for r in reversed(restores):
            r()
    return total


METHOD = FunctionMethod("memit", MEMITHyperParams, compute, apply_weight_deltas)
