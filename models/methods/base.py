"""What every update method shares: the ``Method`` contract, hparams loading, deltas, restore, saving.

The contract (STYLE.md section 8): ``compute(model, tok, requests, hp) -> Deltas`` leaves
the model unchanged, ``apply(model, deltas) -> Restore`` keeps the original weights, so the
gate can evaluate an update and undo it; ``save`` writes a kept update in the format its
``kind`` implies (a transformers directory for an edit, a peft adapter directory otherwise). Hparams are frozen dataclasses loaded from
``hparams/<method>/<model_type>.yaml``; unknown keys are rejected and values coerced by
field type (EasyEdit's ``util/hparams.py`` needed a bare ``except`` because YAML 1.1
reads ``5e-1`` as a string; the migrator's ``load_yaml`` reads it as a float, and ``from_mapping``
checks every value against its field type).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Mapping, Protocol, Sequence, TypeVar, runtime_checkable

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


def hparams_path(method: str, model_type: str, root: Path = HPARAMS_DIR) -> Path:
    """``hparams/<method>/<model_type>.yaml``: chosen by ``config.model_type``, never by a name substring."""
    p = root / method / f"{model_type}.yaml"
    if not p.exists():
        known = sorted(x.stem for x in (root / method).glob("*.yaml"))
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


#: "edit" rewrites base weights (``apimig edit``); "adapter" trains one beside them (``apimig train``).
MethodKind = Literal["edit", "adapter"]


@runtime_checkable
class Method(Protocol):
    """What ``apimig edit|train``, ``experiment`` and the gate need from any method, built-in or plugin."""

    name: str
    kind: MethodKind
    hparams_cls: type

    def default_hparams(self, model_type: str) -> Any: ...

    def compute(self, model: Any, tok: Any, requests: Sequence[Any], hp: Any) -> Deltas: ...

    def apply(self, model: Any, deltas: Deltas) -> Restore: ...

    def save(self, model: Any, tok: Any, restore: Restore, out: Path) -> None: ...


def save_update(kind: MethodKind, model: Any, tok: Any, restore: Restore, out: Path) -> None:
    """Write a kept update: the edited model as safetensors, or the adapter (the Restore's PeftModel)."""
    out.mkdir(parents=True, exist_ok=True)
    if kind == "adapter":
        restore.handle.save_pretrained(str(out))
    else:
        model.save_pretrained(str(out), safe_serialization=True)
        tok.save_pretrained(str(out))


@dataclass(frozen=True)
class FunctionMethod:
    """A method made of two functions and its hparams class; defaults come from ``hparams/<name>/``."""

    name: str
    hparams_cls: type
    compute_fn: Callable[..., Deltas]
    apply_fn: Callable[[Any, Deltas], Restore]
    kind: MethodKind = "edit"
    hparams_dir: Path = HPARAMS_DIR

    def compute(self, model: Any, tok: Any, requests: Sequence[Any], hp: Any) -> Deltas:
        return self.compute_fn(model, tok, requests, hp)

    def apply(self, model: Any, deltas: Deltas) -> Restore:
        return self.apply_fn(model, deltas)

    def default_hparams(self, model_type: str) -> Any:
        return load_hparams(self.hparams_cls, hparams_path(self.name, model_type, self.hparams_dir))

    def save(self, model: Any, tok: Any, restore: Restore, out: Path) -> None:
        save_update(self.kind, model, tok, restore, out)


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
