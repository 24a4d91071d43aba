"""The declarative rule: one frozen dataclass per API change.

A rule says which qualified name (or typed method) changed, how to rewrite it,
how safe that rewrite is, and in which library versions it applies. Hand-written
packs and learned packs share this schema; learned rules add ``provenance``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Mapping

from packaging.version import InvalidVersion, Version

Tier = Literal["safe", "unsafe", "manual"]
Origin = Literal["hand", "learned", "mined"]

KINDS = (
    "rename",  # same module, new name: numpy.trapz -> numpy.trapezoid
    "move",  # new module: scipy.misc.comb -> scipy.special.comb
    "alias-removal",  # alias of a builtin/other name removed: numpy.float -> float
    "argument-rename",  # keyword renamed: sklearn ... sparse= -> sparse_output=
    "argument-removal",  # keyword dropped
    "method-to-function",  # df.append(x) -> pandas.concat([df, x])
    "method-rename",  # df.iteritems() -> df.items()
    "call-rewrite",  # any other call template
    "manual",  # report only
)
TIERS = ("safe", "unsafe", "manual")
ORIGINS = ("hand", "learned", "mined")
_QNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
HOLE = re.compile(r"\{([^{}]+)\}")


def parse_version(text: str) -> Version:
    try:
        return Version(str(text))
    except InvalidVersion as exc:
        raise ValueError(f"invalid version {text!r}") from exc


@dataclass(frozen=True)
class FixSpec:
    """How to rewrite a match. Exactly one of rename / template / transform / args is set."""

    rename: str | None = None  # qualified target name (``builtins.float`` for a builtin)
    template: str | None = None  # call template with holes, see docs/rules.md
    transform: str | None = None  # name in the transform registry
    arg_rename: Mapping[str, str] = field(default_factory=dict)
    arg_remove: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.rename or self.template or self.transform or self.arg_rename or self.arg_remove)

    def qualified_names(self) -> list[str]:
        """Qualified names the fix introduces (for import and existence checks)."""
        names = [self.rename] if self.rename else []
        if self.template:
            names += [h for h in HOLE.findall(self.template) if "." in h]
        return names


@dataclass(frozen=True)
class Case:
    """An inline test case: ``bad`` rewritten to ``good``; ``noop`` left alone; ``manual`` flagged only."""

    bad: str | None = None
    good: str | None = None
    noop: str | None = None
    manual: str | None = None
    target: Mapping[str, str] = field(default_factory=dict)  # versions for this case, else the rule's latest


@dataclass(frozen=True)
class Provenance:
    pairs: tuple[str, ...]
    support: int
    consistency: float
    precision: float | None = None
    preconditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    library: str
    kind: str
    old: str  # qualified name; for method rules ``<receiver type>.<method>``
    message: str
    source: str
    tier: Tier = "safe"
    fix: FixSpec = field(default_factory=FixSpec)
    reason: str | None = None  # why an unsafe fix may change behaviour
    deprecated_in: Version | None = None
    removed_in: Version | None = None
    replacement_since: Version | None = None
    receiver: str | None = None  # method rules: qualified type of the receiver
    params: tuple[str, ...] = ()  # signature of the old call, binds positional holes by name
    unknown_receiver: Literal["manual", "named", "skip"] = "manual"  # named: only if the name says so (df)
    confidence: float = 1.0
    origin: Origin = "hand"
    provenance: Provenance | None = None
    cases: tuple[Case, ...] = ()
    evidence: tuple[Mapping[str, object], ...] = ()  # mined rules: where the library says so (release, file, line)
    verification: Mapping[str, object] | None = None  # set by `apimig verify`
    pack: str = ""  # file it was loaded from
    line: int = 0  # line of the entry in that file

    @property
    def name(self) -> str:
        """The last segment of ``old``: what the text pre-filter looks for."""
        return self.old.rsplit(".", 1)[-1]

    @property
    def is_method(self) -> bool:
        return self.receiver is not None

    @property
    def fixable(self) -> bool:
        return self.tier != "manual" and not self.fix.is_empty

    @property
    def first_version(self) -> Version | None:
        return self.deprecated_in or self.removed_in

    def validate(self) -> None:
        """Raise ValueError naming the first problem; the loader adds path and line."""
        if not re.match(r"^[a-z0-9][a-z0-9._-]*$", self.id):
            raise ValueError(f"rule id {self.id!r} must be lowercase kebab-case")
        if self.kind not in KINDS:
            raise ValueError(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.tier not in TIERS:
            raise ValueError(f"tier {self.tier!r} is not one of {', '.join(TIERS)}")
        if not _QNAME.match(self.old):
            raise ValueError(f"old {self.old!r} is not a qualified name")
        if self.receiver is not None and not self.old.startswith(self.receiver + "."):
            raise ValueError(f"old {self.old!r} must be <receiver>.<method> for receiver {self.receiver!r}")
        if not self.source.startswith(("http://", "https://")):
            raise ValueError("source must be a URL to release notes or a migration guide")
        if self.first_version is None:
            raise ValueError("a rule needs deprecated_in or removed_in")
        if self.tier == "unsafe" and not self.reason:
            raise ValueError("an unsafe fix needs a reason")
        if self.tier != "manual" and self.fix.is_empty:
            raise ValueError(f"tier {self.tier} needs a fix (or use tier: manual)")
        if self.kind == "manual" and self.tier != "manual":
            raise ValueError("kind manual needs tier manual")
        if self.fix.rename and not _QNAME.match(self.fix.rename):
            raise ValueError(f"fix.rename {self.fix.rename!r} is not a qualified name")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError("confidence must be within [0, 1]")
        if self.origin == "hand" and not any(c.bad or c.manual for c in self.cases):
            raise ValueError("a hand rule needs at least one case with 'bad' (or 'manual')")
        if self.origin == "hand" and not any(c.noop for c in self.cases):
            raise ValueError("a hand rule needs at least one 'noop' case")
        for case in self.cases:
            if case.bad is not None and case.good is None and self.tier != "manual":
                raise ValueError("a 'bad' case needs its 'good' output")
