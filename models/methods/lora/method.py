"""LoRA with peft: all layers, or only ``layers`` (peft ``layers_to_transform``).

Layer-selected adapters are the variant the literature finds more reliable on code
models. ``compute`` trains an adapter on ``prompt -> target_new`` (loss on the target
tokens only) and unloads it again, so the model is unchanged; ``apply`` re-injects it
(the returned Restore's ``handle`` is the PeftModel, whose ``save_pretrained`` writes a
normal peft adapter directory). A guard stops on a non-finite loss or gradient.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, Sequence

import torch

from apimig.models.methods.base import Deltas, FunctionMethod, Restore, UpdateError, model_device
from apimig.models.methods.lora.hparams import LoRAHyperParams
from apimig.models.methods.rome.compute import encode


class NonFiniteError(UpdateError):
    """Training produced NaN/Inf; the message says where and suggests a fix."""


def lora_config(hp: Any) -> Any:
    from peft import LoraConfig

    return LoraConfig(
        r=hp.rank, lora_alpha=hp.lora_alpha, lora_dropout=hp.lora_dropout, target_modules=list(hp.target_modules),
        layers_to_transform=list(hp.layers) or None, layers_pattern=hp.layers_pattern if hp.layers else None,
        bias="none", task_type="CAUSAL_LM",
    )


def example(tok: Any, prompt: str, completion: str, max_length: int) -> tuple[list[int], list[int]]:
    """Token ids and labels (-100 on the prompt) for ``prompt + completion``."""
    p = encode(tok, prompt)
    c = list(tok(completion, add_special_tokens=False)["input_ids"])
    ids = (p + c)[:max_length]
    labels = ([-100] * len(p) + c)[:max_length]
    return ids, labels


def completion(model: torch.nn.Module, tok: Any, request: Any, new: str, n: int = 24) -> str:
    """``new`` followed by what the base model writes after the old target, to the end of the line.

    Training on the whole migrated line, not just the name, keeps the code after the new
    name well formed (the base model's own continuation, so nothing is invented).
    """
    if not request.ground_truth:
        return new
    from apimig.models.gate import greedy

    text = tok.decode(greedy(model, tok, request.prompt, n), skip_special_tokens=True)
    if not text.startswith(request.ground_truth):
        return new
    rest = text[len(request.ground_truth):]
    cut = rest.find("\n")
    return new + (rest[: cut + 1] if cut >= 0 else "")


def collate(rows: Sequence[tuple[list[int], list[int]]], pad: int, device: torch.device) -> dict[str, torch.Tensor]:
    width = max(len(r[0]) for r in rows)
    ids = torch.tensor([r[0] + [pad] * (width - len(r[0])) for r in rows], device=device)
    labels = torch.tensor([r[1] + [-100] * (width - len(r[1])) for r in rows], device=device)
    attn = torch.tensor([[1] * len(r[0]) + [0] * (width - len(r[0])) for r in rows], device=device)
    return {"input_ids": ids, "labels": labels, "attention_mask": attn}


def sequence_logprob(model: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Sum of log p(label) over labelled tokens, per row."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits.float()
    labels = batch["labels"][:, 1:]
    logp = torch.log_softmax(logits[:, :-1], -1)
    mask = labels != -100
    picked = logp.gather(-1, labels.clamp_min(0).unsqueeze(-1)).squeeze(-1)
    return (picked * mask).sum(-1)


def guard(step: int, loss: torch.Tensor, params: Sequence[torch.nn.Parameter], hp: Any) -> None:
    if not torch.isfinite(loss):
        raise NonFiniteError(f"step {step}: loss is {loss.item()} (lr={hp.lr}, dtype={hp.dtype}); "
                             "lower the learning rate or train in float32")
    norm = torch.nn.utils.clip_grad_norm_(params, hp.max_grad_norm if hp.max_grad_norm > 0 else float("inf"))
    if not torch.isfinite(norm):
        raise NonFiniteError(f"step {step}: gradient norm is {norm.item()} (lr={hp.lr}, dtype={hp.dtype}); "
                             "lower the learning rate or train in float32")


def _autocast(model: Any, hp: Any) -> contextlib.AbstractContextManager[Any]:
    if hp.dtype == "bfloat16":
        return torch.autocast(device_type=model_device(model).type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


@contextlib.contextmanager
def peft_session(model: torch.nn.Module, hp: Any) -> Iterator[Any]:
    """Wrap ``model`` in a fresh adapter; on exit unload it and restore ``requires_grad``.

    The adapter's random init (and dropout) draws from a forked RNG seeded with ``hp.seed``, so
    an update is reproducible whatever ran before it, and the caller's RNG is left alone.
    """
    from peft import get_peft_model

    flags = {n: p.requires_grad for n, p in model.named_parameters()}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(hp.seed)
        peft_model = get_peft_model(model, lora_config(hp))
    try:
        yield peft_model
    finally:
        peft_model.unload()
        if hasattr(model, "peft_config"):
            del model.peft_config
        for n, p in model.named_parameters():
            p.requires_grad_(flags.get(n, p.requires_grad))


def anchor_batches(model: torch.nn.Module, tok: Any, hp: Any) -> list[dict[str, torch.Tensor]]:
    """Batches of ordinary local code for the KL term (empty when ``kl_factor`` is 0)."""
    if not hp.kl_factor or not hp.anchor_n_samples:
        return []
    from apimig.models.methods.rome.stats import corpus_chunks

    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    if hp.anchor_dataset == "self":
        texts = self_samples(model, tok, hp.anchor_n_samples, hp.anchor_max_len)
    else:
        texts = list(corpus_chunks(hp.anchor_dataset, tok, hp.anchor_n_samples, hp.anchor_max_len))
    chunks = [(c, c) for c in texts]
    size = max(1, hp.anchor_batch_size)
    return [collate(chunks[i:i + size], pad, model_device(model)) for i in range(0, len(chunks), size)]


def self_samples(model: torch.nn.Module, tok: Any, n: int, length: int) -> list[list[int]]:
    """Code sampled from the base model itself: the distribution the update must not move.

    Sampling runs under a forked RNG with a fixed seed, so it is reproducible and leaves the
    caller's random state alone.
    """
    start = tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id
    device = model_device(model)
    ids = torch.full((n, 1), int(start), device=device)
    pad = tok.pad_token_id if tok.pad_token_id is not None else start
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []), torch.no_grad():
        torch.manual_seed(0)
        out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=True, top_k=50,
                             max_new_tokens=length, min_new_tokens=length, pad_token_id=pad)
    return [[int(t) for t in row] for row in out]


def anchor_kl(pm: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """KL(base || adapted) over the anchor tokens; the base is the same model with the adapter off."""
    with torch.no_grad(), pm.disable_adapter():
        ref = torch.log_softmax(pm(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits.float(), -1)
    cur = torch.log_softmax(pm(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits.float(), -1)
    mask = batch["attention_mask"].bool()
    kl = (ref.exp() * (ref - cur)).sum(-1)
    return kl[mask].mean()


def train_adapter(model: torch.nn.Module, hp: Any, loss_fn: Callable[[Any, int], torch.Tensor],
                  anchors: Sequence[dict[str, torch.Tensor]] = ()) -> Deltas:
    from peft import get_peft_model_state_dict

    was_training = model.training
    with peft_session(model, hp) as pm:
        params = [p for p in pm.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(params, lr=hp.lr, weight_decay=hp.weight_decay)
        pm.train()
        losses = []
        try:
            for step in range(hp.num_steps):
                opt.zero_grad()
                with _autocast(model, hp):
                    loss = loss_fn(pm, step)
                    if anchors:
                        loss = loss + hp.kl_factor * anchor_kl(pm, anchors[step % len(anchors)])
                if torch.isfinite(loss):
                    loss.backward()
                guard(step, loss, params, hp)
                opt.step()
                losses.append(float(loss.item()))
        finally:
            pm.train(was_training)
        state = {k: v.detach().clone() for k, v in get_peft_model_state_dict(pm).items()}
        cfg = pm.peft_config["default"]
    return Deltas(adapter_config=cfg, adapter_state=state, info={"losses": losses})


def compute(model: torch.nn.Module, tok: Any, requests: Sequence[Any], hp: LoRAHyperParams) -> Deltas:
    rows = [example(tok, r.prompt, completion(model, tok, r, r.target_new), hp.max_length) for r in requests]
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    device = model_device(model)

    def loss_fn(pm: Any, step: int) -> torch.Tensor:
        start = (step * hp.batch_size) % len(rows)
        batch = [rows[(start + i) % len(rows)] for i in range(min(hp.batch_size, len(rows)))]
        b = collate(batch, pad, device)
        return pm(**b).loss.float()

    deltas = train_adapter(model, hp, loss_fn, anchor_batches(model, tok, hp))
    deltas.info["method"] = "lora"
    return deltas


def apply_adapter(model: torch.nn.Module, deltas: Deltas) -> Restore:
    """Inject the adapter and load its weights; undo unloads it."""
    from peft import get_peft_model, set_peft_model_state_dict

    if deltas.adapter_config is None:
        raise UpdateError("no adapter to apply")
    pm = get_peft_model(model, deltas.adapter_config)
    result = set_peft_model_state_dict(pm, deltas.adapter_state)
    missing = [k for k in result.unexpected_keys] if hasattr(result, "unexpected_keys") else []
    if missing:
        pm.unload()
        raise UpdateError(f"adapter keys do not fit the model: {missing[:3]}")
    pm.eval()

    def undo() -> None:
        pm.unload()
        if hasattr(model, "peft_config"):
            del model.peft_config

    return Restore(undo, handle=pm)


METHOD = FunctionMethod("lora", LoRAHyperParams, compute, apply_adapter, kind="adapter")
