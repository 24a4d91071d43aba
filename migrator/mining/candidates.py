"""What a miner reports: one API change seen in one release, with the evidence that shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Change = Literal["deprecated", "removed", "moved", "argument-renamed", "argument-deprecated", "argument-removed"]
ARGUMENT_CHANGES = ("argument-renamed", "argument-deprecated", "argument-removed")


@dataclass(frozen=True)
class Evidence:
    release: str
    file: str
    line: int
    kind: str  # the declaration that says so: "warnings.warn", "_api.deprecated", "surface-diff", "changelog"
    text: str

    def as_dict(self) -> dict[str, object]:
        return {"release": self.release, "file": self.file, "line": self.line, "kind": self.kind,
                "text": self.text[:300]}


@dataclass(frozen=True)
class Candidate:
    """``old`` is the qualified definition path (``pkg.mod.Class.meth`` for a method)."""

    change: Change
    old: str
    evidence: Evidence
    replacement: str | None = None  # the library's own words for what replaces it ("np.trapezoid")
    param: str | None = None  # the argument, for argument changes
    new_param: str | None = None  # its new name, when the library declares one
    since: str | None = None  # the version the library claims
    message: str = ""
    is_method: bool = False
    same_object: bool = False  # the replacement is the very object (a shim forwarding it): a drop-in

    @property
    def is_argument(self) -> bool:
        return self.change in ARGUMENT_CHANGES
