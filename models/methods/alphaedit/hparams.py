"""AlphaEdit hyper-parameters, with EasyEdit's field names (``easyeditor/models/alphaedit/AlphaEdit_hparams.py``).

Why a subclass of ROME's: AlphaEdit shares every ROME field (key/value optimisation, module
templates, second-moment statistics) and adds the two knobs of the null-space update.
``mom2_adjustment: false`` turns the projection off (then the update is a ridge-regularised
MEMIT that still keeps earlier edits' keys).
"""

from __future__ import annotations

from dataclasses import dataclass

from apimig.models.methods.rome.hparams import ROMEHyperParams


@dataclass(frozen=True)
class AlphaEditHyperParams(ROMEHyperParams):
    v_num_grad_steps: int = 25
    # eigenvectors of E[k0 k0^T] with eigenvalues below this span the null space the update may use
    nullspace_threshold: float = 2e-2
    L2: float = 10.0  # ridge on the update, relative to the keys' Gram matrix
