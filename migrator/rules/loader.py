"""Load rule packs from YAML through :func:`from_mapping`, so a bad entry names its file and line.

A pack is a mapping: the library facts of :class:`PackHeader` plus ``rules:``, a list of rules.
A plain list of rules still loads (third-party packs written before headers existed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..mapping import MappingError, convert, from_mapping, line_of, load_yaml, without
from .schema import FixSpec, PackHeader, Rule

__all__ = ["Pack", "RuleFileError", "load_pack", "load_pack_file", "load_pack_text", "rule_from_dict"]


class RuleFileError(MappingError):
    """A rule file that cannot be used; carries the path and the 1-based line."""


@dataclass(frozen=True)
class _ArgEdits:
    rename: Mapping[str, str] = field(default_factory=dict)
    remove: tuple[str, ...] = ()


@dataclass(frozen=True)
class _FixEntry:
    """The YAML shape of ``fix:``: exactly one of rename / template / transform / args."""

    rename: str | None = None
    template: str | None = None
    transform: str | None = None
    args: _ArgEdits | None = None

    def __post_init__(self) -> None:
        if sum(v is not None for v in (self.rename, self.template, self.transform, self.args)) != 1:
            raise ValueError("fix must have exactly one of rename, template, transform, args")

    def spec(self) -> FixSpec:
        args = self.args or _ArgEdits()
        return FixSpec(rename=self.rename, template=self.template, transform=self.transform,
                       arg_rename=dict(args.rename), arg_remove=args.remove)


@dataclass(frozen=True)
class Pack:
    header: PackHeader | None  # None for a plain list of rules
    rules: tuple[Rule, ...]


def rule_from_dict(raw: Mapping[str, Any], pack: str = "", line: int = 0) -> Rule:
    """Build and validate one rule; raises MappingError (a ValueError) naming ``pack`` and the line."""
    line = line or line_of(raw)
    if not isinstance(raw, Mapping):
        raise RuleFileError(pack or "<rule>", line, "each rule must be a mapping")
    where = pack or "<rule>"
    fix = convert(_FixEntry | None, raw.get("fix"), where=where, line=line_of(raw, "fix"), path="fix")
    rule = from_mapping(Rule, without(raw, "fix"), where=where,
                        fixed={"fix": fix.spec() if fix else FixSpec(), "pack": pack, "line": line})
    try:
        rule.validate()
    except ValueError as exc:
        raise MappingError(where, line, str(exc)) from None
    return rule


def _pack(raw: Any, path: str) -> Pack:
    if raw is None:
        return Pack(None, ())
    header: PackHeader | None = None
    entries = raw
    if isinstance(raw, Mapping):
        if "rules" not in raw:
            raise RuleFileError(path, line_of(raw), "a rule pack needs 'rules:', a list of rules")
        header = from_mapping(PackHeader, without(raw, "rules"), where=path)
        entries = raw["rules"] or []
    if not isinstance(entries, list):
        raise RuleFileError(path, line_of(raw), "a rule pack must be a list of rules, or a mapping with 'rules:'")
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(entries):
        line = line_of(entries, i)
        try:
            rule = rule_from_dict(item, pack=path, line=line)
        except MappingError as exc:
            rid = f" (rule {item.get('id')!r})" if isinstance(item, Mapping) and item.get("id") else ""
            raise RuleFileError(path, exc.line or line, f"{exc.message}{rid}") from None
        if header is not None and rule.library != header.library:
            raise RuleFileError(path, line, f"rule {rule.id!r} has library {rule.library!r} in a "
                                            f"{header.library!r} pack")
        if rule.id in seen:
            raise RuleFileError(path, line, f"duplicate rule id {rule.id!r} (first at line {seen[rule.id]})")
        seen[rule.id] = line
        rules.append(rule)
    return Pack(header, tuple(rules))


def load_pack(text: str, path: str | Path) -> Pack:
    """Parse a pack's text into header and rules; every problem raises RuleFileError(path, line, message)."""
    try:
        raw = load_yaml(text, path)
    except MappingError as exc:
        raise RuleFileError(exc.path, exc.line, exc.message) from None
    return _pack(raw, str(path))


def load_pack_text(text: str, path: str | Path) -> list[Rule]:
    """The rules of a pack's text."""
    return list(load_pack(text, path).rules)


def read_pack_file(path: str | Path) -> Pack:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(p, 0, f"cannot read rule file: {exc.strerror or exc}") from None
    return load_pack(text, p)


def load_pack_file(path: str | Path) -> list[Rule]:
    return list(read_pack_file(path).rules)

