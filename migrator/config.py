"""``[tool.apimig]`` in pyproject.toml plus command-line overrides, resolved to one frozen Config.

The CLI and the language server both call :func:`load_config`, so an option means the
same thing in the terminal and in the editor.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from packaging.version import InvalidVersion, Version

SEVERITIES = ("error", "warning", "information", "hint")
DEFAULT_SEVERITY = {"removed": "warning", "deprecated": "information"}
_KEYS = {"targets", "select", "ignore", "unsafe-fixes", "rules", "builtin-rules", "exclude", "severity", "installed-versions"}


class ConfigError(Exception):
    """A bad ``[tool.apimig]`` value; names the file."""

    def __init__(self, path: str | Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = str(path)


@dataclass(frozen=True)
class Config:
    project_root: Path | None = None
    pyproject: Mapping[str, Any] = field(default_factory=dict)
    cli_targets: Mapping[str, str] = field(default_factory=dict)
    targets: Mapping[str, str] = field(default_factory=dict)  # from [tool.apimig]
    select: tuple[str, ...] = ()  # rule ids or libraries; empty = all
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool = False
    rule_files: tuple[str, ...] = ()
    builtin_rules: bool = True
    exclude: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITY))
    installed_versions: bool = True  # fall back to the versions installed here

    def selects(self, rule_id: str, library: str) -> bool:
        def hit(items: Sequence[str]) -> bool:
            return any(i in (rule_id, library) or (i.endswith("*") and rule_id.startswith(i[:-1])) for i in items)

        return (not self.select or hit(self.select)) and not hit(self.ignore)


def find_pyproject(start: Path) -> Path | None:
    here = start if start.is_dir() else start.parent
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _str_list(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(path, f"[tool.apimig] {key} must be a list of strings")
    return tuple(value)


def _versions(path: Path | str, key: str, value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ConfigError(path, f"{key} must be a table such as {{numpy = \"2.0\"}}")
    out = {}
    for lib, ver in value.items():
        try:
            Version(str(ver))
        except InvalidVersion:
            raise ConfigError(path, f"{key}.{lib}: invalid version {ver!r}") from None
        out[str(lib)] = str(ver)
    return out


def load_config(
    start: str | Path | None = None,
    *,
    targets: Mapping[str, str] | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    rules: Sequence[str] | None = None,
    unsafe_fixes: bool | None = None,
    severity: Mapping[str, str] | None = None,
    builtin_rules: bool | None = None,
) -> Config:
    """Read the nearest pyproject.toml above ``start`` and apply the explicit overrides."""
    pyproject_path = find_pyproject(Path(start).resolve()) if start is not None else None
    data: dict[str, Any] = {}
    if pyproject_path is not None:
        try:
            data = tomllib.loads(pyproject_path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(pyproject_path, f"cannot read: {exc}") from None
    section = data.get("tool", {}).get("apimig", {})
    where = pyproject_path or "<config>"
    unknown = set(section) - _KEYS
    if unknown:
        raise ConfigError(where, f"unknown [tool.apimig] key(s): {', '.join(sorted(unknown))}")
    root = pyproject_path.parent if pyproject_path else None
    rule_files = tuple(
        str((root / p) if root and not Path(p).is_absolute() else Path(p))
        for p in _str_list(where, "rules", section.get("rules", []))  # type: ignore[arg-type]
    ) + tuple(rules or ())
    sev = dict(DEFAULT_SEVERITY)
    for state, level in {**section.get("severity", {}), **(severity or {})}.items():
        if state not in DEFAULT_SEVERITY or level not in SEVERITIES:
            raise ConfigError(where, f"severity.{state} = {level!r}: states are removed/deprecated, levels {SEVERITIES}")
        sev[state] = level
    return Config(
        project_root=root,
        pyproject=data,
        cli_targets=_versions("--target", "--target", dict(targets or {})),
        targets=_versions(where, "targets", section.get("targets", {})),
        select=tuple(select) if select else _str_list(where, "select", section.get("select", [])),  # type: ignore[arg-type]
        ignore=tuple(ignore or ()) + _str_list(where, "ignore", section.get("ignore", [])),  # type: ignore[arg-type]
        unsafe_fixes=bool(section.get("unsafe-fixes", False)) if unsafe_fixes is None else unsafe_fixes,
        rule_files=rule_files,
        builtin_rules=bool(section.get("builtin-rules", True)) if builtin_rules is None else builtin_rules,
        exclude=_str_list(where, "exclude", section.get("exclude", [])),  # type: ignore[arg-type]
        severity=sev,
        installed_versions=bool(section.get("installed-versions", True)),
    )
