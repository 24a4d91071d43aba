"""Editor settings (initializationOptions / workspace/configuration section ``apimig``).

Plain data: the keys mirror the CLI options so that ``targets``, ``select``, ``ignore``,
``unsafeFixes`` and ``severity`` mean the same thing as ``--target``, ``--select``, ``--ignore``,
``--unsafe-fixes`` and ``[tool.apimig] severity``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from apimig.migrator.hybrid.proposer import STRATEGIES

SECTION = "apimig"
LEVELS = ("error", "warning", "information", "hint")
STATES = ("removed", "deprecated")


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


def _strings(value: Any, key: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    problems.append(f"{key} must be a list of strings")
    return ()


def parse_settings(raw: Any) -> Settings:
    """Read a settings object; accepts either the section itself or ``{"apimig": {...}}``."""
    if not isinstance(raw, Mapping):
        return Settings()
    if isinstance(raw.get(SECTION), Mapping):
        raw = raw[SECTION]
    problems: list[str] = []
    targets: dict[str, str] = {}
    raw_targets = raw.get("targets") or {}
    if isinstance(raw_targets, Mapping):
        targets = {str(k): str(v) for k, v in raw_targets.items() if v not in (None, "")}
    else:
        problems.append("targets must be an object such as {\"numpy\": \"2.0\"}")
    severity: dict[str, str] = {}
    raw_sev = raw.get("severity") or {}
    if isinstance(raw_sev, Mapping):
        for state, level in raw_sev.items():
            if state in STATES and isinstance(level, str) and level.lower() in LEVELS:
                severity[state] = level.lower()
            else:
                problems.append(f"severity.{state} = {level!r}: use {', '.join(LEVELS)}")
    unsafe = raw.get("unsafeFixes")
    model = raw.get("model")
    if model is not None and not isinstance(model, str):
        problems.append("model must be a path to a local model directory")
        model = None
    strategy = raw.get("modelStrategy") or "with_rules"
    if strategy not in STRATEGIES:
        problems.append(f"modelStrategy = {strategy!r}: use {', '.join(STRATEGIES)}")
        strategy = "with_rules"
    return Settings(
        targets=targets,
        select=_strings(raw.get("select"), "select", problems),
        ignore=_strings(raw.get("ignore"), "ignore", problems),
        unsafe_fixes=bool(unsafe) if isinstance(unsafe, bool) else None,
        severity=severity,
        model=model or None,
        model_strategy=strategy,
        problems=tuple(problems),
    )
