"""Which version of each library a project targets, and whether a rule applies there.

Order of precedence: ``--target`` on the command line, ``[tool.apimig] targets``, the
project's declared dependencies (:mod:`requirements`: lock files, requirements files, pyproject,
setup.cfg; pinned, else lower bound, else the newest rule version below an upper bound), the
installed distribution.
Unknown means "latest": every rule of that library applies.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version as dist_version
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from . import facts, requirements

if TYPE_CHECKING:
    from .rules.schema import Rule

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


def _below_upper_bound(req: Requirement, releases: Sequence[Version]) -> Version | None:
    """``numpy<2``: the newest version the rules know of (their deprecated/removed/replacement versions)
    that the specifier allows. The rules change only at those versions, so any release between it and
    the bound gates the same rules; no package index is asked."""
    allowed = [v for v in releases if req.specifier.contains(v, prereleases=False)]
    return max(allowed) if allowed else None


def declared_versions(project_root: Path | None, pyproject: Mapping[str, object] | None,
                      releases: Mapping[str, Sequence[Version]] | None = None) -> dict[str, tuple[Version, str]]:
    """Versions the project declares, per library id, with the file and line they were read from.

    ``releases``: per library, the versions its rules name (see :func:`_below_upper_bound`)."""
    distributions = facts.current().distributions  # from the pack headers; the stdlib's is "python"
    library_of = {canonicalize_name(d): lib for lib, dists in distributions.items() for d in dists}
    out: dict[str, tuple[Version, str]] = {}
    for item in requirements.declared(project_root, pyproject):
        lib = library_of.get(canonicalize_name(item.requirement.name))
        if lib is None or lib in out:
            continue
        version = _lower_bound(item.requirement)
        if version is None and item.requirement.specifier:
            version = _below_upper_bound(item.requirement, (releases or {}).get(lib, ()))
        if version is not None:
            out[lib] = (version, item.origin)
    return out


def rule_versions(rules: Iterable[Rule]) -> dict[str, list[Version]]:
    """Per library, every version its rules name: what :func:`declared_versions` picks from for ``<bound``."""
    out: dict[str, set[Version]] = {}
    for r in rules:
        for v in (r.deprecated_in, r.removed_in, r.replacement_since):
            if v is not None:
                out.setdefault(r.library, set()).add(v)
    return {lib: sorted(vs) for lib, vs in out.items()}


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
