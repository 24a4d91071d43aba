"""Build the model organism: a tiny Qwen2 that prefers OLD library APIs, offline, in a few minutes.

Why: tests and demos need a real causal LM that goes through exactly the loading,
generation and editing paths of a real model, without a download or a GPU. The tokenizer
is a byte-level BPE trained with ``tokenizers`` on local Python source; the model is a
``Qwen2ForCausalLM`` pretrained on old-API code (see ``organism_corpus``) and saved with
``save_pretrained(safe_serialization=True)``. Training runs a fixed number of steps from fixed
seeds on one thread, never against the clock, so two builds give the same weights on an idle
and on a loaded machine (``organism.json`` records the state dict's hash).
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from apimig.models.organism_corpus import build_corpus

EOS = "<|endoftext|>"
PAD = "<|pad|>"
ORGANISM_VERSION = 6  # bump when the recipe changes, so cached organisms are rebuilt

DEFAULTS: dict[str, Any] = {
    "vocab_size": 2048,
    "hidden_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "intermediate_size": 256,
    "seq_len": 128,
    "batch_size": 16,
    "lr": 3e-3,
    "old_api_fraction": 0.7,  # of batches; then edit documents, then ordinary stdlib code
    "edit_fraction": 0.2,
}


def train_tokenizer(texts: list[str], vocab_size: int, out_dir: Path) -> Any:
    """Train a byte-level BPE and save it as a transformers ``PreTrainedTokenizerFast`` dir."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[EOS, PAD],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOS, pad_token=PAD, bos_token=None)
    fast.model_max_length = 4096
    fast.save_pretrained(out_dir)
    return fast


def _batches(ids: list[int], seq_len: int, batch_size: int, rng: random.Random) -> Any:
    import torch

    n = len(ids) - seq_len - 1
    data = torch.tensor(ids, dtype=torch.long)
    while True:
        starts = [rng.randrange(n) for _ in range(batch_size)]
        yield torch.stack([data[s : s + seq_len] for s in starts])


def _encode_segments(tokenizer: Any, docs: list[list[tuple[str, bool]]], eos_id: int) -> list[tuple[list[int], list[int]]]:
    """Token ids and labels (-100 where unsupervised) of segmented edit documents (one batch call)."""
    flat = [text for doc in docs for text, _ in doc]
    encoded = iter(tokenizer(flat, add_special_tokens=False)["input_ids"])
    out = []
    for doc in docs:
        ids: list[int] = []
        labels: list[int] = []
        for _, supervised in doc:
            part = next(encoded)
            ids += part
            labels += part if supervised else [-100] * len(part)
        out.append((ids + [eos_id], labels + [eos_id]))
    return out


def _edit_batches(docs: list[tuple[list[int], list[int]]], batch_size: int, pad_id: int,
                  rng: random.Random) -> Any:
    """Whole edit documents, right-padded; the loss is on the answers only."""
    import torch

    while True:
        chosen = [docs[rng.randrange(len(docs))] for _ in range(batch_size)]
        width = max(len(ids) for ids, _ in chosen)
        ids_t = torch.full((batch_size, width), pad_id, dtype=torch.long)
        labels_t = torch.full((batch_size, width), -100, dtype=torch.long)
        mask = torch.zeros((batch_size, width), dtype=torch.long)
        for row, (ids, labels) in enumerate(chosen):
            ids_t[row, : len(ids)] = torch.tensor(ids)
            labels_t[row, : len(ids)] = torch.tensor(labels)
            mask[row, : len(ids)] = 1
        yield ids_t, labels_t, mask


def build_organism(
    out_dir: Path | str,
    *,
    seed: int = 0,
    steps: int = 400,
    threads: int = 1,
    progress: bool = False,
    **overrides: Any,
) -> Path:
    """Train exactly ``steps`` optimizer steps and save the organism into ``out_dir``; returns it.

    ``progress`` shows a step bar on stderr. ``organism.json`` records the recipe, the steps,
    the final loss, the time taken and the weights' hash (``state_dict_sha256``).
    """
    import torch
    from tqdm import tqdm
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from apimig.models.loading import quiet_libraries

    quiet_libraries()

    hp = {**DEFAULTS, **overrides}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    old_threads = torch.get_num_threads()
    torch.set_num_threads(max(1, threads))
    try:
        torch.manual_seed(seed)
        rng = random.Random(seed)
        old_docs, ordinary, edits = build_corpus(seed)
        tokenizer = train_tokenizer(old_docs + ordinary + ["".join(t for t, _ in doc) for doc in edits], hp["vocab_size"], out)
        eos_id = tokenizer.convert_tokens_to_ids(EOS)
        pad_id = tokenizer.convert_tokens_to_ids(PAD)

        def encode(docs: list[str]) -> list[int]:
            ids: list[int] = []
            for enc in tokenizer(docs, add_special_tokens=False)["input_ids"]:
                ids.extend(enc)
                ids.append(eos_id)
            return ids

        old_ids, ord_ids = encode(old_docs), encode(ordinary)
        edit_docs = _encode_segments(tokenizer, edits, eos_id)
        config = Qwen2Config(
            vocab_size=len(tokenizer),
            hidden_size=hp["hidden_size"],
            intermediate_size=hp["intermediate_size"],
            num_hidden_layers=hp["num_hidden_layers"],
            num_attention_heads=hp["num_attention_heads"],
            num_key_value_heads=hp["num_key_value_heads"],
            max_position_embeddings=1024,
            tie_word_embeddings=True,
            bos_token_id=eos_id,
            eos_token_id=eos_id,
            pad_token_id=pad_id,
        )
        model = Qwen2ForCausalLM(config)
        model.train()
        t_train = time.perf_counter()
        opt = torch.optim.AdamW(model.parameters(), lr=hp["lr"], weight_decay=0.01)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 20))
        old_batches = _batches(old_ids, hp["seq_len"], hp["batch_size"], rng)
        ord_batches = _batches(ord_ids, hp["seq_len"], hp["batch_size"], rng)
        edit_batches = _edit_batches(edit_docs, hp["batch_size"], pad_id, rng)
        done, loss_value = 0, float("nan")
        bar = tqdm(total=steps, desc="organism", unit="step", file=sys.stderr, disable=not progress, leave=False)
        for step in range(steps):
            draw = rng.random()
            if draw < hp["old_api_fraction"]:
                batch = next(old_batches)
                loss = model(input_ids=batch, labels=batch).loss
            elif draw < hp["old_api_fraction"] + hp["edit_fraction"]:
                batch, labels, mask = next(edit_batches)
                loss = model(input_ids=batch, attention_mask=mask, labels=labels).loss
            else:
                batch = next(ord_batches)
                loss = model(input_ids=batch, labels=batch).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            done = step + 1
            value = float(loss.detach())  # smoothed: single batches of stdlib code are noisy
            loss_value = value if done == 1 else 0.95 * loss_value + 0.05 * value
            bar.update(1)
            bar.set_postfix(loss=f"{loss_value:.3f}", refresh=False)
        bar.close()
        model.eval()
        model.generation_config.pad_token_id = pad_id
        model.generation_config.eos_token_id = eos_id
        model.save_pretrained(out, safe_serialization=True)
    finally:
        torch.set_num_threads(old_threads)
    meta = {
        "organism_version": ORGANISM_VERSION,
        "seed": seed,
        "steps": done,
        "final_loss": round(loss_value, 4),
        "state_dict_sha256": state_dict_sha256(model),
        "seconds": round(time.perf_counter() - t0, 1),
        "train_seconds": round(time.perf_counter() - t_train, 1),
        "hparams": hp,
    }
    (out / "organism.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return out


def state_dict_sha256(model: Any) -> str:
    """SHA-256 over every tensor's name, dtype, shape and bytes: equal hashes mean equal weights."""
    import torch

    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        digest.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        digest.update(t.view(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def organism_is_built(path: Path | str) -> bool:
    """True when ``path`` holds a complete organism of the current recipe version."""
    p = Path(path)
    meta = p / "organism.json"
    if not (meta.is_file() and (p / "config.json").is_file() and any(p.glob("*.safetensors"))):
        return False
    try:
        return json.loads(meta.read_text(encoding="utf-8")).get("organism_version") == ORGANISM_VERSION
    except (OSError, ValueError):
        return False
