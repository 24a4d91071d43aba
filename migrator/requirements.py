"""The project's declared dependencies, each with the file and line it was read from.

Read with ``packaging`` (requirement strings) and ``tomllib`` (lock files); nothing is executed:
- ``requirements*.txt`` as pip-compile / ``uv export`` write them: ``\\`` continuations joined,
  ``--hash=…`` and other per-line options dropped, ``-r`` / ``-c`` files followed (once each);
- ``uv.lock`` and ``poetry.lock`` (``[[package]]`` name and exact version);
- ``pyproject.toml``: ``[project] dependencies``, optional dependencies, PEP 735 ``[dependency-groups]``
  (with ``{include-group = …}``), ``requires-python``;
- ``setup.cfg`` ``[options] install_requires``.
"""

from __future__ import annotations

import configparser
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

_OPTION = re.compile(r"\s+--?[A-Za-z][\w-]*(?:[=\s]\S+)?")
_INCLUDE = re.compile(r"^\s*(?:-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)")


@dataclass(frozen=True)
class Declared:
    """One requirement as written, and where: ``origin`` is ``file:line`` or a pyproject table."""

    requirement: Requirement
    origin: str
    exact: bool = False  # from a lock file: the version that is installed


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first physical line, joined text) with ``\\`` continuations joined and comments removed."""
    buf, first = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not buf:
            first = number
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        yield first, buf + line
        buf = ""
    if buf.strip():
        yield first, buf


def requirements_file(path: Path, *, seen: set[Path] | None = None, label: str | None = None) -> Iterator[Declared]:
    """Requirements of one pip requirements file and the files it includes with ``-r`` / ``-c``."""
    seen = set() if seen is None else seen
    resolved = path.resolve()
    if resolved in seen:
        return
    seen.add(resolved)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return
    name = label or path.name
    for number, line in _logical_lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        include = _INCLUDE.match(stripped)
        if include:
            child = path.parent / include.group(1)
            yield from requirements_file(child, seen=seen, label=str(Path(name).parent / include.group(1))
                                         if Path(name).parent != Path(".") else include.group(1))
            continue
        if stripped.startswith("-"):
            continue  # -e, --index-url, ...: no version information
        try:
            req = Requirement(_OPTION.sub("", " " + stripped).strip().rstrip(";").strip())
        except InvalidRequirement:
            continue
        yield Declared(req, f"{name}:{number}")


def _package_lines(text: str) -> dict[str, int]:
    """Line of each ``name = "..."`` in a lock file (tomllib gives no positions)."""
    out: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        m = re.match(r'\s*name\s*=\s*"([^"]+)"', line)
        if m:
            out.setdefault(canonicalize_name(m.group(1)), number)
    return out


def lock_file(path: Path) -> Iterator[Declared]:
    """``uv.lock`` / ``poetry.lock``: every ``[[package]]`` pinned at its locked version."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return
    lines = _package_lines(text)
    for package in data.get("package") or []:
        name, version = package.get("name"), package.get("version")
        if not isinstance(name, str) or not isinstance(version, str):
            continue
        try:
            req = Requirement(f"{name}=={version}")
        except InvalidRequirement:
            continue
        yield Declared(req, f"{path.name}:{lines.get(canonicalize_name(name), 0)}", exact=True)


def _group(groups: Mapping[str, Any], name: str, seen: set[str]) -> Iterator[str]:
    if name in seen:
        return
    seen.add(name)
    for item in groups.get(name) or []:
        if isinstance(item, str):
            yield item
        elif isinstance(item, Mapping) and isinstance(item.get("include-group"), str):
            yield from _group(groups, item["include-group"], seen)


def pyproject_requirements(pyproject: Mapping[str, Any]) -> Iterator[Declared]:
    project = pyproject.get("project")
    if isinstance(project, Mapping):
        deps = list(project.get("dependencies") or [])
        for extra in (project.get("optional-dependencies") or {}).values():
            deps += list(extra)
        yield from _parsed(deps, "pyproject dependencies")
        python = project.get("requires-python")
        if isinstance(python, str):
            yield from _parsed([f"python{python}"], "requires-python")
    groups = pyproject.get("dependency-groups")
    if isinstance(groups, Mapping):
        for name in groups:
            yield from _parsed(_group(groups, name, set()), f"pyproject [dependency-groups] {name}")


def setup_cfg(path: Path) -> Iterator[Declared]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error):
        return
    lines = parser.get("options", "install_requires", fallback="").splitlines()
    yield from _parsed(lines, "setup.cfg install_requires")


def _parsed(items: Any, origin: str) -> Iterator[Declared]:
    for item in items:
        try:
            yield Declared(Requirement(str(item).split("#", 1)[0].strip()), origin)
        except InvalidRequirement:
            continue


def declared(project_root: Path | None, pyproject: Mapping[str, Any] | None) -> Iterator[Declared]:
    """Every declared requirement, most exact source first: lock files, requirements files, pyproject, setup.cfg."""
    if project_root is not None:
        for lock in ("uv.lock", "poetry.lock"):
            if (project_root / lock).is_file():
                yield from lock_file(project_root / lock)
        seen: set[Path] = set()
        for req_file in sorted(project_root.glob("requirements*.txt")):
            yield from requirements_file(req_file, seen=seen)
    yield from pyproject_requirements(pyproject or {})
    if project_root is not None and (project_root / "setup.cfg").is_file():
        yield from setup_cfg(project_root / "setup.cfg")
