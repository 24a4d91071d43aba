"""DPO: prefer ``target_new`` (migrated code) over ``ground_truth`` (old code).

The loss is trl's sigmoid DPO loss, written here in torch over the peft model:
``-log sigmoid(beta * ((pi_c - ref_c) - (pi_r - ref_r)))`` plus ``rpo_alpha`` times the
chosen NLL, with the reference being the same model with the adapter disabled (so no
second copy of the weights). trl's ``DPOTrainer`` needs a ``datasets`` pipeline and the
``Trainer`` loop, which is heavy for the few pairs and seconds a gated CPU update has.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F

from apimig.models.methods.base import Deltas, FunctionMethod, UpdateError, model_device
from apimig.models.methods.dpo.hparams import DPOHyperParams
from apimig.models.methods.lora.method import anchor_batches, apply_adapter, collate, completion, example, sequence_logprob, train_adapter


def compute(model: torch.nn.Module, tok: Any, requests: Sequence[Any], hp: DPOHyperParams) -> Deltas:
    missing = [r.prompt for r in requests if not r.ground_truth]
    if missing:
        raise UpdateError(f"DPO needs ground_truth (the rejected old code) for every request; missing for {missing[:2]}")
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    device = model_device(model)
    chosen = collate([example(tok, r.prompt, completion(model, tok, r, r.target_new), hp.max_length) for r in requests], pad, device)
    rejected = collate([example(tok, r.prompt, completion(model, tok, r, r.ground_truth), hp.max_length) for r in requests], pad, device)
    with torch.no_grad():
        ref_c, ref_r = sequence_logprob(model, chosen), sequence_logprob(model, rejected)
    n_chosen = (chosen["labels"] != -100).sum(-1).clamp_min(1)

    def loss_fn(pm: Any, step: int) -> torch.Tensor:
        pi_c, pi_r = sequence_logprob(pm, chosen), sequence_logprob(pm, rejected)
        margin = hp.beta * ((pi_c - ref_c) - (pi_r - ref_r))
        loss = -F.logsigmoid(margin).mean()
        if hp.rpo_alpha:
            loss = loss + hp.rpo_alpha * (-(pi_c / n_chosen)).mean()
        return loss

    deltas = train_adapter(model, hp, loss_fn, anchor_batches(model, tok, hp))
    deltas.info["method"] = "dpo"
    return deltas


METHOD = FunctionMethod("dpo", DPOHyperParams, compute, apply_adapter, kind="adapter")
