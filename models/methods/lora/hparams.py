"""LoRA hyper-parameters (names follow EasyEdit ``models/lora/lora_hparams.py`` and peft ``LoraConfig``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class LoRAHyperParams:
    # method
    layers: tuple[int, ...] = ()  # empty = every layer; else peft ``layers_to_transform``
    rank: int = 8
    lora_alpha: float = 16.0
    lora_dropout: float = 0.0
    num_steps: int = 60
    lr: float = 5e-3
    weight_decay: float = 0.0
    batch_size: int = 8
    max_length: int = 128
    max_grad_norm: float = 1.0
    dtype: Literal["float32", "bfloat16"] = "float32"
    kl_factor: float = 1.0  # KL to the base model on ordinary code keeps unrelated APIs in place
    anchor_dataset: str = "self"  # "self": samples of the base model; else local code as in mom2_dataset
    anchor_n_samples: int = 32
    anchor_max_len: int = 64
    anchor_batch_size: int = 4
    seed: int = 0  # adapter initialisation: the same data and seed give the same adapter
    # module templates
    target_modules: tuple[str, ...] = ("q_proj", "v_proj", "up_proj", "down_proj")
    layers_pattern: str = "layers"
