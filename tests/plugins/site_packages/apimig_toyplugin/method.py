"""An editing method of kind "edit": scales the last layer's MLP down-projection toward the request.

Real enough to go through apimig's whole path (hparams, compute, apply, gate, restore, save):
the delta is ``scale * W`` on one parameter, so a test can check the saved weights exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from apimig.models.methods.base import Deltas, FunctionMethod, apply_weight_deltas


@dataclass(frozen=True)
class NudgeHyperParams:
    parameter: str = "model.layers.0.mlp.down_proj.weight"
    scale: float = 0.01


def compute(model: Any, tok: Any, requests: Sequence[Any], hp: NudgeHyperParams) -> Deltas:
    weight = dict(model.named_parameters())[hp.parameter]
    return Deltas(weights={hp.parameter: hp.scale * weight.detach().clone()}, info={"requests": len(requests)})


METHOD = FunctionMethod("toy-nudge", NudgeHyperParams, compute, apply_weight_deltas, kind="edit",
                        hparams_dir=Path(__file__).with_name("hparams"))
