"""DPO hyper-parameters: the LoRA fields plus ``beta`` and an SFT term (trl ``DPOConfig`` names).

Why a subclass: DPO trains the same LoRA adapter (same layers, rank, anchors), only the loss differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from apimig.models.methods.lora.hparams import LoRAHyperParams


@dataclass(frozen=True)
class DPOHyperParams(LoRAHyperParams):
    beta: float = 0.1
    rpo_alpha: float = 0.0  # weight of the chosen-completion NLL (trl ``rpo_alpha``)
