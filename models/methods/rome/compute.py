"""Shared ROME/MEMIT pieces: token positions, keys, and the optimised value vector.

Shapes (the point most ports get wrong): the *key* is the input of ``down_proj``
(intermediate size), the *value* its output (hidden size). Following rome
``compute_v.py``/memit ``compute_z.py``: a delta added at the subject's last token of a
module's output is optimised so the model predicts ``target_new``, with a KL term that
keeps the subject's own next-token distribution, weight decay, and a norm clamp.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F

from apimig.models.methods.base import UpdateError, model_device


def encode(tok: Any, text: str) -> list[int]:
    return list(tok(text)["input_ids"])


def subject_index(tok: Any, prompt: str, subject: str, fact_token: str) -> int:
    """Index of the subject's last token in ``encode(prompt)`` (last occurrence of the subject)."""
    ids = encode(tok, prompt)
    if fact_token == "last":
        return len(ids) - 1
    end = prompt.rfind(subject) + len(subject)
    if end < len(subject):
        raise UpdateError(f"subject {subject!r} not in prompt {prompt!r}")
    prefix = encode(tok, prompt[:end])
    return min(len(prefix), len(ids)) - 1


def _out(output: Any) -> torch.Tensor:
    return output[0] if isinstance(output, tuple) else output


def module_io_at(model: torch.nn.Module, tok: Any, texts: Sequence[str], indices: Sequence[int],
                 module_name: str, which: str) -> torch.Tensor:
    """Input (``which='in'``) or output of ``module_name`` at one position per text -> [n, dim]."""
    module = model.get_submodule(module_name)
    got: list[torch.Tensor] = []
    device = model_device(model)

    def pre(_m: torch.nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
        got.append(inputs[0].detach())

    def post(_m: torch.nn.Module, _i: Any, output: Any) -> None:
        got.append(_out(output).detach())

    handle = module.register_forward_pre_hook(pre) if which == "in" else module.register_forward_hook(post)
    rows = []
    try:
        with torch.no_grad():
            for text, idx in zip(texts, indices):
                got.clear()
                model(input_ids=torch.tensor([encode(tok, text)], device=device))
                rows.append(got[0][0, idx].float())
    finally:
        handle.remove()
    return torch.stack(rows)


def contexts(templates: Sequence[str], prompt: str) -> list[str]:
    return [t.replace("{}", prompt) for t in templates]


def optimise_delta(model: torch.nn.Module, tok: Any, request: Any, hp: Any, module_name: str,
                   n_layers: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (delta, init) for ``module_name``'s output at the subject's last token.

    ``init`` is the mean unedited output there; the optimised value is ``init + delta``.
    """
    if hp.v_loss_layer not in (-1, n_layers - 1):
        raise UpdateError(f"v_loss_layer={hp.v_loss_layer}: only the last layer ({n_layers - 1}) or -1 is supported")
    device = model_device(model)
    target = list(tok(request.target_new, add_special_tokens=False)["input_ids"])
    if not target:
        raise UpdateError(f"target_new {request.target_new!r} encodes to no tokens")
    prompts = contexts(hp.context_templates, request.prompt)
    batch, lookups, tgt_pos = [], [], []
    for p in prompts:
        ids = encode(tok, p)
        batch.append(ids + target[:-1])
        lookups.append(subject_index(tok, p, request.subject, hp.fact_token))
        tgt_pos.append(list(range(len(ids) - 1, len(ids) - 1 + len(target))))
    kl_ids = encode(tok, request.subject)
    batch.append(kl_ids)
    lookups.append(len(kl_ids) - 1)
    width = max(len(b) for b in batch)
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    input_ids = torch.tensor([b + [pad] * (width - len(b)) for b in batch], device=device)
    attn = torch.tensor([[1] * len(b) + [0] * (width - len(b)) for b in batch], device=device)
    targets = torch.tensor(target, device=device)

    module = model.get_submodule(module_name)
    init = module_io_at(model, tok, prompts, lookups[:-1], module_name, "out").mean(0)
    delta = torch.zeros_like(init, requires_grad=True)
    state = {"on": True}

    def hook(_m: torch.nn.Module, _i: Any, output: Any) -> Any:
        if not state["on"]:
            return output
        h = _out(output)
        h = h.clone()
        for row, idx in enumerate(lookups):
            h[row, idx] = h[row, idx] + delta.to(h.dtype)
        return (h,) + tuple(output[1:]) if isinstance(output, tuple) else h

    requires = {n: p.requires_grad for n, p in model.named_parameters()}
    for p in model.parameters():
        p.requires_grad_(False)
    with torch.no_grad():
        base_logits = model(input_ids=input_ids, attention_mask=attn).logits
        kl_ref = F.log_softmax(base_logits[-1, lookups[-1]].float(), -1)
    handle = module.register_forward_hook(hook)
    opt = torch.optim.Adam([delta], lr=hp.v_lr)
    max_norm = hp.clamp_norm_factor * init.norm()
    try:
        for _ in range(hp.v_num_grad_steps):
            opt.zero_grad()
            logits = model(input_ids=input_ids, attention_mask=attn).logits.float()
            nll = torch.stack([
                F.cross_entropy(logits[r, pos], targets) for r, pos in enumerate(tgt_pos)
            ]).mean()
            kl = F.kl_div(F.log_softmax(logits[-1, lookups[-1]], -1), kl_ref, log_target=True, reduction="sum")
            decay = hp.v_weight_decay * delta.norm() ** 2 / init.norm().clamp_min(1e-6) ** 2
            loss = nll + hp.kl_factor * kl + decay
            if not torch.isfinite(loss):
                raise UpdateError(f"{module_name}: non-finite loss while optimising the value (v_lr={hp.v_lr})")
            if nll.item() < 5e-2:
                break
            loss.backward()
            opt.step()
            with torch.no_grad():
                if delta.norm() > max_norm:
                    delta.mul_(max_norm / delta.norm())
    finally:
        handle.remove()
        for n, p in model.named_parameters():
            p.requires_grad_(requires[n])
    return delta.detach(), init.detach()


def n_layers(model: torch.nn.Module) -> int:
    cfg = model.config
    return int(getattr(cfg, "num_hidden_layers", None) or getattr(cfg, "n_layer"))


def check_layers(model: torch.nn.Module, layers: Sequence[int]) -> None:
    n = n_layers(model)
    bad = [l for l in layers if not 0 <= l < n]
    if bad or not layers:
        raise UpdateError(f"layers {list(layers)}: the model has layers 0..{n - 1}")
