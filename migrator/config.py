"""``[tool.apimig]`` in pyproject.toml plus command-line overrides, resolved to one frozen Config.

The CLI and the language server both call :func:`load_config`, so an option means the
same thing in the terminal and in the editor.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from . import facts
from .mapping import MappingError, VersionStr, from_mapping
from .rules import packs
from .severity import DEFAULT as DEFAULT_SEVERITY, Level, State


class ConfigError(MappingError):
    """A bad ``[tool.apimig]`` value or config file; names the file."""

    def __init__(self, path: str | Path, message: str, line: int = 0) -> None:
        super().__init__(path, line, message)


def _key(name: str) -> dict[str, str]:
    return {"key": name}


@dataclass(frozen=True)
class Section:
    """The ``[tool.apimig]`` table as written; every value is type-checked by from_mapping."""

    targets: Mapping[str, VersionStr] = field(default_factory=dict)
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool = field(default=False, metadata=_key("unsafe-fixes"))
    rules: tuple[str, ...] = ()  # extra packs, relative to the config file
    builtin_rules: bool = field(default=True, metadata=_key("builtin-rules"))
    exclude: tuple[str, ...] = ()  # gitignore-style patterns, relative to the project root
    extend_exclude: tuple[str, ...] = field(default=(), metadata=_key("extend-exclude"))
    force_exclude: bool = field(default=False, metadata=_key("force-exclude"))
    respect_gitignore: bool = field(default=True, metadata=_key("respect-gitignore"))
    severity: Mapping[State, Level] = field(default_factory=dict)
    installed_versions: bool = field(default=True, metadata=_key("installed-versions"))


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
    force_exclude: bool = False  # exclude files named on the command line too (pre-commit passes them)
    respect_gitignore: bool = True
    severity: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITY))
    installed_versions: bool = True  # fall back to the versions installed here
    config_file: Path | None = None  # the file [tool.apimig] was read from

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


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, "config file not found") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(path, f"cannot read: {exc}") from None


def _section(path: Path, data: Mapping[str, Any], *, explicit: bool) -> Mapping[str, Any]:
    """``[tool.apimig]``; an explicit non-pyproject file (apimig.toml) may also hold the keys at top level."""
    tool = data.get("tool", {})
    if isinstance(tool, Mapping) and "apimig" in tool:
        return tool["apimig"]
    if explicit and path.name != "pyproject.toml":
        return data
    return {}


def _check_libraries(*sources: tuple[str, Mapping[str, str]], rule_files: Sequence[str]) -> None:
    """Every target key must name a library some pack declares (its id, distribution or import root)."""
    if not any(versions for _, versions in sources):
        return
    for path in rule_files:
        packs.load_pack_path(path)  # their headers may declare the library
    known = facts.current()
    for where, versions in sources:
        for key in versions:
            try:
                known.library_for(key)
            except ValueError as exc:
                raise ConfigError(where, str(exc)) from None


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
    config_file: str | Path | None = None,
) -> Config:
    """Read ``config_file`` (else the nearest pyproject.toml above ``start``) and apply the overrides.

    ``config_file`` may be a pyproject.toml or any TOML file (e.g. apimig.toml) holding ``[tool.apimig]``
    or the same keys at top level; it must exist. The project's own pyproject.toml (for declared
    dependencies) is still the nearest one above ``start``."""
    try:
        return _load(start, targets, select, ignore, rules, unsafe_fixes, severity, builtin_rules, config_file)
    except MappingError as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(exc.path, exc.message, exc.line) from None


def _load(start: str | Path | None, targets: Mapping[str, str] | None, select: Sequence[str] | None,
          ignore: Sequence[str] | None, rules: Sequence[str] | None, unsafe_fixes: bool | None,
          severity: Mapping[str, str] | None, builtin_rules: bool | None, config_file: str | Path | None) -> Config:
    found = find_pyproject(Path(start).resolve()) if start is not None else None
    if config_file is not None:
        source: Path | None = Path(config_file).resolve()
        data = _read_toml(source)
        pyproject = data if source.name == "pyproject.toml" else (_read_toml(found) if found else {})
    else:
        source = found
        data = pyproject = _read_toml(found) if found else {}
    where = f"{source} [tool.apimig]" if source is not None else "[tool.apimig]"
    section = from_mapping(Section, _section(source, data, explicit=config_file is not None) if source else {},
                           where=where)
    root = source.parent if source is not None else None
    rule_files = tuple(str(root / p if root and not Path(p).is_absolute() else Path(p)) for p in section.rules)
    cli_targets = from_mapping(Section, {"targets": dict(targets or {})}, where="--target").targets
    _check_libraries(("--target", cli_targets), (where, section.targets), rule_files=rule_files + tuple(rules or ()))
    sev = {**DEFAULT_SEVERITY, **section.severity}
    if severity:
        sev.update(from_mapping(Section, {"severity": dict(severity)}, where="severity override").severity)
    return Config(
        project_root=root,
        pyproject=pyproject,
        cli_targets=cli_targets,
        targets=section.targets,
        select=tuple(select) if select else section.select,
        ignore=tuple(ignore or ()) + section.ignore,
        unsafe_fixes=section.unsafe_fixes if unsafe_fixes is None else unsafe_fixes,
        rule_files=rule_files + tuple(rules or ()),
        builtin_rules=section.builtin_rules if builtin_rules is None else builtin_rules,
        exclude=section.exclude + section.extend_exclude,
        force_exclude=section.force_exclude,
        respect_gitignore=section.respect_gitignore,
        severity=sev,
        installed_versions=section.installed_versions,
        config_file=source,
    )


def check_selectors(config: Config, rule_ids: Sequence[str], libraries: Sequence[str]) -> None:
    """Every ``select``/``ignore`` item must name a rule, a library or a prefix ending in ``*``.

    A typo would otherwise select nothing (or ignore nothing) and the run would pass silently."""
    known = sorted(set(rule_ids) | set(libraries))
    for option, items in (("select", config.select), ("ignore", config.ignore)):
        for item in items:
            if item in known or (item.endswith("*") and any(r.startswith(item[:-1]) for r in rule_ids)):
                continue
            raise ConfigError(f"--{option} / [tool.apimig] {option}",
                              f"unknown rule or library {item!r}{closest_hint(item, known)}")


def closest_hint(item: str, known: Sequence[str]) -> str:
    """``; did you mean 'x'?`` for the nearest known name, else a pointer to ``apimig rules list``."""
    close = difflib.get_close_matches(item, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else "; see `apimig rules list`"
