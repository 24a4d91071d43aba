"""ROME hyper-parameters, with EasyEdit's field names (``easyeditor/models/rome/rome_hparams.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ROMEHyperParams:
    # method
    layers: tuple[int, ...]
    fact_token: Literal["subject_last", "last"] = "subject_last"
    v_num_grad_steps: int = 20
    v_lr: float = 5e-1
    v_loss_layer: int = -1  # -1 = last layer; only the final layer's logits are supported
    v_weight_decay: float = 1e-3
    clamp_norm_factor: float = 4.0
    kl_factor: float = 0.0625
    mom2_adjustment: bool = True
    context_templates: tuple[str, ...] = ("{}",)
    # module templates
    rewrite_module_tmp: str = "model.layers.{}.mlp.down_proj"
    layer_module_tmp: str = "model.layers.{}"
    mlp_module_tmp: str = "model.layers.{}.mlp"
    # statistics
    mom2_dataset: str = "stdlib"
    mom2_n_samples: int = 1000
    mom2_max_len: int = 256
    mom2_dtype: Literal["float32", "float64"] = "float32"
    mom2_ridge: float = 1e-4
    stats_dir: str = ""
