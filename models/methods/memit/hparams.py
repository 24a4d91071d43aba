"""MEMIT hyper-parameters, with EasyEdit's field names (``easyeditor/models/memit/memit_hparams.py``).

Why a subclass of ROME's: MEMIT shares every ROME field (key/value optimisation, module
templates, second-moment statistics) and adds the weight of the covariance in the batch update.
"""

from __future__ import annotations

from dataclasses import dataclass

from apimig.models.methods.rome.hparams import ROMEHyperParams


@dataclass(frozen=True)
class MEMITHyperParams(ROMEHyperParams):
    v_num_grad_steps: int = 25
    mom2_update_weight: float = 15000.0
