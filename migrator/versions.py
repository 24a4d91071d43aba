"""Which version of each library a project targets, and whether a rule applies there.

Order of precedence: ``--target`` on the command line, ``[tool.apimig] targets``, the
project's declared dependencies (pinned or lower bound), the installed distribution.
Unknown means "latest": every rule of that library applies.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version as dist_version
from pathlib import Path
from typing import Iterable, Mapping

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from . import facts

@dataclass(frozen=True)
class Target:
    library: str
    version: Version | None  # None: unknown, treated as latest
    origin: str  # "cli", "pyproject [tool.apimig]", "requirements.txt", "installed", "unknown"

    def describe(self) -> str:
        return f"{self.library} {self.version or 'latest'} ({self.origin})"


def _lower_bound(req: Requirement) -> Version | None:
    best: Version | None = None
    for spec in req.specifier:
        if spec.operator in ("==", "===", ">=", "~=", ">") and "*" not in spec.version:
            try:
                v = Version(spec.version)
            except InvalidVersion:
                continue
            if spec.operator in ("==", "==="):
                return v
            best = v if best is None or v > best else best
        elif spec.operator == "==" and spec.version.endswith(".*"):
            return Version(spec.version[:-2])
    return best


def _by_distribution(requirements: Iterable[str]) -> dict[str, Version]:
    found: dict[str, Version] = {}
    for line in requirements:
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        bound = _lower_bound(req)
        if bound is not None:
            found.setdefault(canonicalize_name(req.name), bound)
    return found


def declared_versions(project_root: Path | None, pyproject: Mapping[str, object] | None) -> dict[str, tuple[Version, str]]:
    """Versions the project declares, per library id, with where they were read."""
    out: dict[str, tuple[Version, str]] = {}
    sources: list[tuple[str, list[str]]] = []
    project = (pyproject or {}).get("project") if pyproject else None
    if isinstance(project, dict):
        deps = list(project.get("dependencies") or [])
        for extra in (project.get("optional-dependencies") or {}).values():
            deps += list(extra)
        sources.append(("pyproject dependencies", deps))
        python = project.get("requires-python")
        if isinstance(python, str):
            sources.append(("requires-python", [f"python{python}"]))
    if project_root is not None:
        for req_file in sorted(project_root.glob("requirements*.txt")):
            try:
                sources.append((req_file.name, req_file.read_text(encoding="utf-8").splitlines()))
            except OSError:
                continue
    distributions = facts.current().distributions  # from the pack headers; the stdlib's is "python"
    for origin, lines in sources:
        versions = _by_distribution(lines)
        for lib, dists in distributions.items():
            for dist in dists:
                if canonicalize_name(dist) in versions and lib not in out:
                    out[lib] = (versions[canonicalize_name(dist)], origin)
    return out


def installed_version(library: str) -> Version | None:
    for dist in facts.current().distributions.get(library, (library,)):
        if dist == "python":
            return Version(f"{sys.version_info.major}.{sys.version_info.minor}")
        try:
            return Version(dist_version(dist))
        except (PackageNotFoundError, InvalidVersion):
            continue
    return None


def parse_target_args(values: Iterable[str]) -> dict[str, str]:
    """``["numpy=2.0", "pandas=2.1"]`` -> dict; raises ValueError on a malformed item."""
    out: dict[str, str] = {}
    for item in values:
        for part in filter(None, re.split(r"[,\s]+", item)):
            lib, sep, ver = part.partition("=")
            if not sep or not lib or not ver:
                raise ValueError(f"--target takes LIB=VERSION, got {part!r}")
            Version(ver.lstrip("="))
            out[lib.strip()] = ver.lstrip("=").strip()
    return out


def _by_library(versions: Mapping[str, str] | None) -> dict[str, str]:
    """Key ``--target``/``targets`` by library id: ``scikit-learn`` -> sklearn, ``python`` -> stdlib.

    An unknown key raises ValueError naming the closest library or distribution."""
    known = facts.current()
    return {known.library_for(key): ver for key, ver in (versions or {}).items()}


def resolve_targets(
    libraries: Iterable[str],
    *,
    cli: Mapping[str, str] | None = None,
    configured: Mapping[str, str] | None = None,
    declared: Mapping[str, tuple[Version, str]] | None = None,
    use_installed: bool = True,
) -> dict[str, Target]:
    cli, configured = _by_library(cli), _by_library(configured)
    targets: dict[str, Target] = {}
    for lib in sorted(set(libraries)):
        if cli and lib in cli:
            targets[lib] = Target(lib, Version(str(cli[lib])), "--target")
        elif configured and lib in configured:
            targets[lib] = Target(lib, Version(str(configured[lib])), "[tool.apimig] targets")
        elif declared and lib in declared:
            v, origin = declared[lib]
            targets[lib] = Target(lib, v, origin)
        elif use_installed and (v := installed_version(lib)) is not None:
            targets[lib] = Target(lib, v, "installed")
        else:
            targets[lib] = Target(lib, None, "unknown, assuming latest")
    return targets
