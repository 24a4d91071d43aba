"""AlphaEdit: MEMIT's batch update, projected onto the null space of preserved knowledge.

Fang et al., "AlphaEdit: Null-Space Constrained Knowledge Editing for Language Models"
(ICLR 2025, https://arxiv.org/abs/2410.02355), re-implemented on torch. Why: ROME and MEMIT
collapse after tens of sequential edits because every update also moves the outputs of the
keys that ordinary code produces, and of the earlier edits' keys. AlphaEdit projects each
update with ``P``, the projector onto the eigenvectors of ``E[k0 k0^T]`` (keys of a code
corpus, ``rome/stats.py``) whose eigenvalues are below ``nullspace_threshold``, so that
``delta @ k0 = 0``, and includes the Gram matrix ``Kp Kp^T`` of the earlier edits' keys in the
least squares, so that they are kept:

    delta^T = (P (Kp Kp^T + K1 K1^T) + L2 I)^-1 P K1 R^T

The per-layer loop is MEMIT's (lowest layer first, residual split over the layers left).
``Kp Kp^T`` lives on the edited model (:func:`edit_memory`): ``apply`` adds the update's key
Gram to it and its ``Restore`` takes it back, so the gate's rollback forgets a rejected edit's
keys too, and a sequence of calls on one model keeps every kept edit's keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import torch

from apimig.models.methods.alphaedit.hparams import AlphaEditHyperParams
from apimig.models.methods.base import Deltas, FunctionMethod, Restore, apply_weight_deltas, fit_delta
from apimig.models.methods.memit.method import _keys_and_outputs
from apimig.models.methods.rome.compute import check_layers, n_layers, optimise_delta
from apimig.models.methods.rome.stats import second_moment

MEMORY_ATTR = "apimig_edit_memory"


@dataclass
class EditMemory:
    """What sequential AlphaEdit calls share on one model: projectors (derived, cached) and key Grams."""

    projections: dict[str, torch.Tensor] = field(default_factory=dict)
    key_grams: dict[str, torch.Tensor] = field(default_factory=dict)  # parameter name -> sum of K K^T


def edit_memory(model: torch.nn.Module) -> EditMemory:
    mem = getattr(model, MEMORY_ATTR, None)
    if mem is None:
        mem = EditMemory()
        setattr(model, MEMORY_ATTR, mem)
    return mem


def null_space_projector(cov: torch.Tensor, threshold: float) -> torch.Tensor:
    """``U U^T`` over the eigenvectors of ``cov`` whose eigenvalue is below ``threshold`` (as the paper)."""
    evals, evecs = torch.linalg.eigh(cov.double())
    small = evecs[:, evals < threshold]
    return small @ small.T


def null_space_update(keys: torch.Tensor, resid: torch.Tensor, proj: torch.Tensor,
                      prev_gram: torch.Tensor | None, l2: float) -> torch.Tensor:
    """The AlphaEdit update ``[out, in]`` for keys ``[in, n]`` and residuals ``[out, n]``."""
    k = keys.double()
    gram = k @ k.T if prev_gram is None else k @ k.T + prev_gram.to(k)
    a = proj @ gram + l2 * torch.eye(k.shape[0], dtype=k.dtype, device=k.device)
    return torch.linalg.solve(a, proj @ k @ resid.double().T).T


def projector(model: torch.nn.Module, tok: Any, hp: AlphaEditHyperParams, module_name: str) -> torch.Tensor:
    mem = edit_memory(model)
    key = f"{module_name}|{hp.mom2_dataset}|{hp.mom2_n_samples}|{hp.mom2_max_len}|{hp.nullspace_threshold}"
    if key not in mem.projections:
        cov = second_moment(model, tok, module_name, dataset=hp.mom2_dataset, n_samples=hp.mom2_n_samples,
                            max_len=hp.mom2_max_len, dtype=hp.mom2_dtype, cache=hp.stats_dir)
        mem.projections[key] = null_space_projector(cov, hp.nullspace_threshold)
    return mem.projections[key]


def compute(model: torch.nn.Module, tok: Any, requests: Sequence[Any], hp: AlphaEditHyperParams) -> Deltas:
    check_layers(model, hp.layers)
    layers = sorted(hp.layers)
    z_layer, z_module = layers[-1], hp.layer_module_tmp.format(layers[-1])
    # MEMIT's value targets: the unedited output plus the optimised delta, [hidden, n]
    z_target = torch.stack([torch.add(*optimise_delta(model, tok, r, hp, z_module, n_layers(model))) for r in requests], 1)
    grams: dict[str, torch.Tensor] = {}
    total = Deltas(info={"method": "alphaedit", "layers": layers, "requests": len(requests), "key_grams": grams})
    prev = edit_memory(model).key_grams
    restores = []
    try:
        for i, layer in enumerate(layers):
            name = hp.rewrite_module_tmp.format(layer)
            pname = f"{name}.weight"
            keys, cur_z = _keys_and_outputs(model, tok, requests, hp, layer, z_layer)
            resid = (z_target - cur_z) / (len(layers) - i)
            proj = (projector(model, tok, hp, name) if hp.mom2_adjustment
                    else torch.eye(keys.shape[0], dtype=torch.float64)).to(keys.device)
            upd = null_space_update(keys, resid, proj, prev.get(pname), hp.L2).float()
            weight = model.get_submodule(name).weight
            d = fit_delta(name, weight, upd).to(weight.dtype)
            restores.append(apply_weight_deltas(model, Deltas(weights={pname: d})))
            total.weights[pname] = total.weights.get(pname, torch.zeros_like(d)) + d
            grams[pname] = (keys.double() @ keys.double().T).cpu()
    finally:
        for r in reversed(restores):
            r()
    return total


def apply(model: torch.nn.Module, deltas: Deltas) -> Restore:
    """Apply the weights and remember the update's keys; the Restore forgets them again."""
    restore_weights = apply_weight_deltas(model, deltas)
    grams = edit_memory(model).key_grams
    before = dict(grams)
    for pname, g in deltas.info.get("key_grams", {}).items():
        grams[pname] = before[pname] + g if pname in before else g

    def undo() -> None:
        restore_weights()
        grams.clear()
        grams.update(before)

    return Restore(undo)


METHOD = FunctionMethod("alphaedit", AlphaEditHyperParams, compute, apply)
