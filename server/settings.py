"""Editor settings (initializationOptions / workspace/configuration section ``apimig``).

Plain data: the keys mirror the CLI options so that ``targets``, ``select``, ``ignore``,
``unsafeFixes`` and ``severity`` mean the same thing as ``--target``, ``--select``, ``--ignore``,
``--unsafe-fixes`` and ``[tool.apimig] severity``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from apimig.migrator.hybrid.proposer import STRATEGIES
from apimig.migrator.mapping import MappingError, from_mapping, keys_of
from apimig.migrator.severity import LEVELS, STATES, parse_level

SECTION = "apimig"


@dataclass(frozen=True)
class Settings:
    targets: Mapping[str, str] = field(default_factory=dict)
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool | None = None  # None: whatever [tool.apimig] says
    severity: Mapping[str, str] = field(default_factory=dict)
    model: str | None = None  # local model directory for the model tier (ml extra); None: rules only
    model_strategy: str = "with_rules"
    problems: tuple[str, ...] = ()  # values we could not use, reported to the user once


@dataclass(frozen=True)
class _Wire:
    """The settings as the editor sends them; each key is type-checked by from_mapping."""

    targets: Mapping[str, str | None] = field(default_factory=dict)
    select: tuple[str, ...] | str | None = None  # a list, or "a, b" from a plain text setting
    ignore: tuple[str, ...] | str | None = None
    unsafeFixes: bool | None = None
    severity: Mapping[str, str] = field(default_factory=dict)
    model: str | None = None
    modelStrategy: str | None = None


_HINTS = {
    "targets": "targets must be an object such as {\"numpy\": \"2.0\"}",
    "model": "model must be a path to a local model directory",
}


def _read(raw: Mapping[str, Any], problems: list[str]) -> _Wire:
    """Keep every key that checks out; a bad one becomes a problem and keeps its default."""
    good: dict[str, Any] = {}
    for key in keys_of(_Wire):
        if raw.get(key) is None:
            continue
        try:
            from_mapping(_Wire, {key: raw[key]}, where="apimig settings")
            good[key] = raw[key]
        except MappingError as exc:
            problems.append(_HINTS.get(key, exc.message))
    return from_mapping(_Wire, good, where="apimig settings")


def _strings(value: tuple[str, ...] | str | None) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return tuple(value or ())


def parse_settings(raw: Any) -> Settings:
    """Read a settings object; accepts either the section itself or ``{"apimig": {...}}``."""
    if not isinstance(raw, Mapping):
        return Settings()
    if isinstance(raw.get(SECTION), Mapping):
        raw = raw[SECTION]
    problems: list[str] = []
    wire = _read(raw, problems)
    severity: dict[str, str] = {}
    for state, level in wire.severity.items():
        parsed = parse_level(level)
        if parsed is None or state not in STATES:
            problems.append(f"severity.{state} = {level!r}: use {', '.join(LEVELS)}")
        else:
            severity[state] = parsed
    strategy = wire.modelStrategy or "with_rules"
    if strategy not in STRATEGIES:
        problems.append(f"modelStrategy = {strategy!r}: use {', '.join(STRATEGIES)}")
        strategy = "with_rules"
    return Settings(
        targets={k: v for k, v in wire.targets.items() if v not in (None, "")},
        select=_strings(wire.select),
        ignore=_strings(wire.ignore),
        unsafe_fixes=wire.unsafeFixes,
        severity=severity,
        model=wire.model or None,
        model_strategy=strategy,
        problems=tuple(problems),
    )
