"""Time every update method on randomly initialised models of real Qwen2.5-Coder shapes.

Why: the organism (2 layers, hidden 128) proves the code paths, not the shapes or the cost.
This builds a random Qwen2 with the 0.5B or 1.5B configuration, saves it, loads it back
through ``apimig.models.loading.load_model`` (the path a real checkpoint takes), and
measures, with peak memory: generation tokens/s, the key second-moment statistics (from
the local standard library, cached), one ROME edit, a 10-request MEMIT batch, 10 LoRA steps
on chosen layers and one DPO step. The seed prototype's ROME failed at 1.5B because it
mixed up the intermediate (8960) and hidden (1536) sizes; every weight delta's shape is
checked against its weight here.

    python bench/real_shape.py --shape 0.5b                 # CPU, bf16
    python bench/real_shape.py --shape 1.5b --device cuda

The vocabulary is shrunk (``--vocab``, a BPE trained on the standard library) so the
embedding does not dominate memory; the transformer blocks have the real shapes.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
REQUESTS = REPO / "tests" / "models" / "data" / "memit_batch.json"
SHAPES: dict[str, dict[str, int]] = {  # Qwen2.5-Coder-{0.5B,1.5B} config.json
    "0.5b": dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2),
    "1.5b": dict(hidden_size=1536, intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12, num_key_value_heads=2),
}


class Peak:
    """Peak memory of a block: CUDA's allocator counter, or the process RSS sampled every 20 ms on CPU."""

    def __init__(self, device: str) -> None:
        self.device = device
        self.gib = 0.0

    def __enter__(self) -> "Peak":
        import torch

        if self.device.startswith("cuda"):
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            return self
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while True:
            rss = int(Path("/proc/self/statm").read_text().split()[1]) * page / 2**30
            self.gib = max(self.gib, rss)
            if self._stop.wait(0.02):
                return

    def __exit__(self, *exc: Any) -> None:
        import torch

        if self.device.startswith("cuda"):
            torch.cuda.synchronize()
            self.gib = torch.cuda.max_memory_allocated() / 2**30
        else:
            self._stop.set()
            self._thread.join()


def measure(rows: list[tuple[str, str, str, str]], device: str, what: str, fn: Callable[[], str]) -> Any:
    with Peak(device) as peak:
        t0 = time.perf_counter()
        note = fn()
        seconds = time.perf_counter() - t0
    rows.append((what, f"{seconds:.1f}", f"{peak.gib:.2f}", note))
    sys.stderr.write(f"real_shape: {what}: {seconds:.1f} s, peak {peak.gib:.2f} GiB; {note}\n")


def build(shape: str, vocab: int, out: Path) -> str:
    """Random weights (seed 0) in bf16, saved as safetensors with a locally trained tokenizer."""
    import random

    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from apimig.models.organism import EOS, train_tokenizer
    from apimig.models.organism_corpus import stdlib_chunks

    tok = train_tokenizer(stdlib_chunks(400_000, random.Random(0)), vocab, out)
    eos = tok.convert_tokens_to_ids(EOS)
    config = Qwen2Config(vocab_size=len(tok), max_position_embeddings=4096, tie_word_embeddings=True,
                         bos_token_id=eos, eos_token_id=eos, pad_token_id=tok.pad_token_id, **SHAPES[shape])
    torch.manual_seed(0)
    model = Qwen2ForCausalLM._from_config(config, dtype=torch.bfloat16)
    model.save_pretrained(out, safe_serialization=True)
    n = sum(p.numel() for p in model.parameters())
    return f"{n / 1e9:.2f} B parameters, vocab {len(tok)}"


def checked(model: Any, deltas: Any) -> str:
    """Every delta has its weight's shape (apply would raise ShapeError otherwise)."""
    params = dict(model.named_parameters())
    for name, d in deltas.weights.items():
        assert tuple(d.shape) == tuple(params[name].shape), (name, d.shape, params[name].shape)
    name, d = next(iter(deltas.weights.items()))
    return f"{len(deltas.weights)} deltas, {name.rsplit('.', 2)[0]}: {tuple(d.shape)} = weight shape"


def run(args: argparse.Namespace) -> list[tuple[str, str, str, str]]:
    import torch
    from transformers.utils import logging as hf_logging

    from apimig.models.loading import load_model
    from apimig.models.methods import get_method
    from apimig.models.methods.rome.stats import second_moment
    from apimig.models.requests import load_requests

    hf_logging.disable_progress_bar()
    torch.set_num_threads(args.threads)
    work = Path(args.work) / args.shape
    stats = str(work / "stats")
    rows: list[tuple[str, str, str, str]] = []
    wanted = set(args.methods)
    if not (work / "model.safetensors").exists():
        measure(rows, "cpu", "build + save random model", lambda: build(args.shape, args.vocab, work))
    holder: dict[str, Any] = {}

    def load() -> str:
        holder["lm"] = load_model(work, device=args.device, dtype="bfloat16")
        return f"{holder['lm'].device}, {holder['lm'].dtype}"

    measure(rows, args.device, "load_model", load)
    lm = holder["lm"]
    model, tok, dev = lm.model, lm.tokenizer, lm.device
    requests = load_requests(REQUESTS)

    def generate() -> str:
        ids = torch.tensor([list(tok(requests[0].prompt)["input_ids"])], device=model.device)
        t0 = time.perf_counter()
        with torch.no_grad():
            out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=args.tokens,
                                 min_new_tokens=args.tokens, do_sample=False, pad_token_id=tok.pad_token_id)
        n = out.shape[1] - ids.shape[1]
        return f"{n / (time.perf_counter() - t0):.1f} tokens/s ({n} tokens, greedy)"

    measure(rows, dev, "generate", generate)
    fast = dict(mom2_n_samples=args.stats_samples, mom2_max_len=args.stats_len, stats_dir=stats,
                v_num_grad_steps=args.v_steps)
    rome = get_method("rome")
    rome_hp = dataclasses.replace(rome.default_hparams(lm.model_type), **fast)
    memit = get_method("memit")
    memit_hp = dataclasses.replace(memit.default_hparams(lm.model_type), **fast)
    edited = (set(rome_hp.layers) if "rome" in wanted else set()) | (set(memit_hp.layers) if "memit" in wanted else set())
    for layer in sorted(edited):
        name = rome_hp.rewrite_module_tmp.format(layer)
        measure(rows, dev, f"stats {name}", lambda name=name: "E[kk^T] %s from %d stdlib samples x <=%d tokens" % (
            tuple(second_moment(model, tok, name, dataset="stdlib", n_samples=args.stats_samples, max_len=args.stats_len,
                                dtype="float32", cache=stats).shape), args.stats_samples, args.stats_len))

    def edit(method: Any, hp: Any, reqs: list[Any]) -> Callable[[], str]:
        def go() -> str:
            deltas = method.compute(model, tok, reqs, hp)
            method.apply(model, deltas)()  # apply checks shapes again, then undo
            return checked(model, deltas) if deltas.weights else f"adapter, final loss {deltas.info['losses'][-1]:.3f}"
        return go

    if "rome" in wanted:
        measure(rows, dev, f"ROME 1 edit (layer {rome_hp.layers[0]}, {args.v_steps} v steps)", edit(rome, rome_hp, requests[:1]))
    if "memit" in wanted:
        measure(rows, dev, f"MEMIT 10-request batch (layers {list(memit_hp.layers)})", edit(memit, memit_hp, requests[:10]))
    n = model.config.num_hidden_layers
    top = tuple(range(n - 4, n))
    adapter = dict(layers=top, dtype="bfloat16", kl_factor=1.0, anchor_dataset="stdlib", anchor_n_samples=4,
                   anchor_max_len=32, anchor_batch_size=4, batch_size=4, max_length=64)
    lora = get_method("lora")
    lora_hp = dataclasses.replace(lora.default_hparams(lm.model_type), num_steps=10, **adapter)
    if "lora" in wanted:
        measure(rows, dev, f"LoRA 10 steps (layers {list(top)}, batch 4)", edit(lora, lora_hp, requests[:4]))
    dpo = get_method("dpo")
    dpo_hp = dataclasses.replace(dpo.default_hparams(lm.model_type), num_steps=1, **adapter)
    if "dpo" in wanted:
        measure(rows, dev, f"DPO 1 step (layers {list(top)}, 4 pairs)", edit(dpo, dpo_hp, requests[:4]))
    return rows


def table(rows: list[tuple[str, str, str, str]], header: str) -> str:
    rows = [("step", "seconds", "peak GiB", "result")] + rows
    w = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join([header] + ["  ".join(c.ljust(x) for c, x in zip(r, w)).rstrip() for r in rows])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shape", choices=sorted(SHAPES), default="0.5b")
    p.add_argument("--device", default="cpu")
    p.add_argument("--methods", nargs="+", choices=["rome", "memit", "lora", "dpo"], default=["rome", "memit", "lora", "dpo"])
    p.add_argument("--vocab", type=int, default=8192, help="BPE vocabulary (the real one is 151936)")
    p.add_argument("--tokens", type=int, default=8, help="tokens generated for the tokens/s figure")
    p.add_argument("--stats-samples", type=int, default=8, help="corpus samples for each E[kk^T]")
    p.add_argument("--stats-len", type=int, default=32, help="tokens per corpus sample")
    p.add_argument("--v-steps", type=int, default=3, help="value-optimisation steps per ROME/MEMIT request")
    p.add_argument("--threads", type=int, default=max(1, (os.cpu_count() or 2)))
    p.add_argument("--work", default=str(REPO / ".apimig-cache" / "real-shape"), help="model and stats directory")
    args = p.parse_args(argv)
    rows = run(args)
    sys.stdout.write(table(rows, f"{args.shape} ({', '.join(f'{k}={v}' for k, v in SHAPES[args.shape].items())}, "
                                 f"vocab {args.vocab}) on {args.device}, bf16, {args.threads} threads") + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
