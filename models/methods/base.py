"""What every update method shares: hparams loading, deltas, restore, shape checks.

The contract (STYLE.md section 8): ``compute(model, tok, requests, hp) -> Deltas`` leaves
the model unchanged, ``apply(model, deltas) -> Restore`` keeps the original weights, so the
gate can evaluate an update and undo it. Hparams are frozen dataclasses loaded from
``hparams/<method>/<model_type>.yaml``; unknown keys are rejected and values coerced by
field type (EasyEdit's ``util/hparams.py`` needed a bare ``except`` because YAML 1.1
reads ``5e-1`` as a string; the migrator's ``load_yaml`` reads it as a float, and ``from_mapping``
checks every value against its field type).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Mapping, Protocol, Sequence, TypeVar

import torch

from apimig.migrator.mapping import MappingError, from_mapping, load_yaml_file

HPARAMS_DIR = Path(__file__).resolve().parent.parent / "hparams"
H = TypeVar("H")


class UpdateError(RuntimeError):
    """An update that cannot be computed or applied (bad shape, non-finite loss, ...)."""


class HParamsError(MappingError):
    def __init__(self, path: str, msg: str, line: int = 0) -> None:
        super().__init__(path, line, msg)


class ShapeError(UpdateError):
    def __init__(self, module: str, weight_shape: Sequence[int], delta_shape: Sequence[int]) -> None:
        super().__init__(f"{module}: update of shape {tuple(delta_shape)} does not fit weight of shape {tuple(weight_shape)}")
        self.module = module


def hparams_from_mapping(cls: type[H], data: Mapping[str, Any], path: str = "<mapping>") -> H:
    """Build a frozen hparams dataclass through the migrator's one typed loader."""
    try:
        return from_mapping(cls, data, where=path, numeric_strings=True)
    except MappingError as exc:
        raise HParamsError(exc.path, exc.message, exc.line) from None


def load_hparams(cls: type[H], path: str | Path) -> H:
    try:
        data = load_yaml_file(path) or {}
    except MappingError as exc:
        raise HParamsError(exc.path, exc.message, exc.line) from None
    return hparams_from_mapping(cls, data, str(path))


def hparams_path(method: str, model_type: str) -> Path:
    """``hparams/<method>/<model_type>.yaml``: chosen by ``config.model_type``, never by a name substring."""
    p = HPARAMS_DIR / method / f"{model_type}.yaml"
    if not p.exists():
        known = sorted(x.stem for x in (HPARAMS_DIR / method).glob("*.yaml"))
        raise HParamsError(str(p), f"no {method} hparams for model type {model_type!r}; known: {known}")
    return p


@dataclass
class Deltas:
    """Additive weight updates by parameter name (ROME/MEMIT) or an adapter (LoRA/DPO)."""

    weights: dict[str, torch.Tensor] = field(default_factory=dict)
    adapter_config: Any = None  # a peft config for adapter methods
    adapter_state: dict[str, torch.Tensor] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class Restore:
    """Undo an applied update. ``handle`` is what a saver needs (e.g. the PeftModel)."""

    undo: Callable[[], None]
    handle: Any = None
    done: bool = False

    def __call__(self) -> None:
        if not self.done:
            self.undo()
            self.done = True


class Method(Protocol):
    name: str
    hparams_cls: type

    def compute(self, model: Any, tok: Any, requests: Sequence[Any], hp: Any) -> Deltas: ...

    def apply(self, model: Any, deltas: Deltas) -> Restore: ...


@dataclass(frozen=True)
class FunctionMethod:
    """A method made of two functions and its hparams class."""

    name: str
    hparams_cls: type
    compute_fn: Callable[..., Deltas]
    apply_fn: Callable[[Any, Deltas], Restore]
    kind: Literal["weights", "adapter"] = "weights"

    def compute(self, model: Any, tok: Any, requests: Sequence[Any], hp: Any) -> Deltas:
        return self.compute_fn(model, tok, requests, hp)

    def apply(self, model: Any, deltas: Deltas) -> Restore:
        return self.apply_fn(model, deltas)

    def default_hparams(self, model_type: str) -> Any:
        return load_hparams(self.hparams_cls, hparams_path(self.name, model_type))


def fit_delta(name: str, weight: torch.Tensor, upd: torch.Tensor) -> torch.Tensor:
    """Return ``upd`` shaped like ``weight`` (GPT-2's Conv1D stores it transposed) or raise ShapeError."""
    if tuple(upd.shape) == tuple(weight.shape):
        return upd
    if upd.dim() == 2 and tuple(upd.T.shape) == tuple(weight.shape):
        return upd.T
    raise ShapeError(name, weight.shape, upd.shape)


def apply_weight_deltas(model: torch.nn.Module, deltas: Deltas) -> Restore:
    """Add each delta to its parameter in place, keeping a copy of the originals."""
    params = dict(model.named_parameters())
    for name, d in deltas.weights.items():  # check everything before writing anything
        if name not in params:
            raise UpdateError(f"{name}: no such parameter in the model")
        if tuple(params[name].shape) != tuple(d.shape):
            raise ShapeError(name, params[name].shape, d.shape)
    originals = {name: params[name].detach().clone() for name in deltas.weights}
    with torch.no_grad():
        for name, d in deltas.weights.items():
            p = params[name]
            p.add_(d.to(device=p.device, dtype=p.dtype))

    def undo() -> None:
        with torch.no_grad():
            for name, orig in originals.items():
                params[name].copy_(orig)

    return Restore(undo)


def model_device(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device
