"""A distribution's releases: list the versions and fetch one artifact per version into a cache.

pip does the talking to the registry (or to a local ``--find-links`` folder, which keeps the tests
offline). Wheels are tried first, platform wheels for macOS arm64 before others because they are
the smallest, and only the Python sources in them are read; an sdist is the last resort (pip
prepares its metadata, so it may run the sdist's build backend).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ARTIFACT_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz")
_WHEEL_ATTEMPTS: tuple[tuple[str, ...], ...] = (
    ("--platform", "macosx_11_0_arm64", "--python-version", "3.11", "--abi", "cp311", "--abi", "abi3",
     "--abi", "none"),
    ("--platform", "macosx_10_9_x86_64", "--platform", "manylinux2014_x86_64", "--python-version", "3.9",
     "--abi", "cp39", "--abi", "abi3", "--abi", "none"),
    ("--platform", "macosx_10_9_x86_64", "--platform", "manylinux1_x86_64", "--python-version", "3.7",
     "--abi", "cp37m", "--abi", "abi3", "--abi", "none"),
    ("--platform", "macosx_10_9_x86_64", "--platform", "manylinux1_x86_64", "--python-version", "3.6",
     "--abi", "cp36m", "--abi", "abi3", "--abi", "none"),
    (),
)


class ReleaseError(Exception):
    """A release that cannot be listed or fetched; the message says which and why."""


@dataclass(frozen=True)
class Index:
    """Where pip looks: the configured registry, or only a local folder of artifacts."""

    find_links: str | None = None

    def pip_args(self) -> list[str]:
        return ["--no-index", "--find-links", self.find_links] if self.find_links else []


def cache_dir() -> Path:
    return Path(os.environ.get("APIMIG_CACHE") or Path.home() / ".cache" / "apimig" / "releases")


def _pip(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, env=env)


def _final(versions: list[str]) -> list[Version]:
    out = []
    for v in versions:
        try:
            parsed = Version(v)
        except InvalidVersion:
            continue
        if not (parsed.is_prerelease or parsed.is_devrelease):
            out.append(parsed)
    return sorted(set(out))


def list_versions(dist: str, index: Index = Index()) -> list[Version]:
    """Every final release the index serves, oldest first."""
    if index.find_links:
        found = _local_versions(dist, Path(index.find_links))
        if found:
            return _final(found)
    proc = _pip(["index", "versions", dist, *index.pip_args()])
    match = re.search(r"Available versions:\s*(.+)", proc.stdout)
    if proc.returncode != 0 or not match:
        raise ReleaseError(f"cannot list the releases of {dist}: {proc.stderr.strip().splitlines()[-1:] or 'no versions'}")
    return _final([v.strip() for v in match.group(1).split(",")])


def _local_versions(dist: str, folder: Path) -> list[str]:
    """Versions in a find-links folder, read from the artifact names (``pip index`` ignores such folders)."""
    want = canonicalize_name(dist)
    versions = []
    for f in folder.iterdir():
        name = f.name
        for suffix in ARTIFACT_SUFFIXES:
            if name.endswith(suffix):
                stem = name[: -len(suffix)]
                parts = stem.split("-")
                if suffix == ".whl" and len(parts) >= 5 and canonicalize_name(parts[0]) == want:
                    versions.append(parts[1])
                elif suffix != ".whl" and len(parts) >= 2 and canonicalize_name("-".join(parts[:-1])) == want:
                    versions.append(parts[-1])
    return versions


def select_series(versions: list[Version], lo: str | None = None, hi: str | None = None) -> list[Version]:
    """The first release of each minor series within [lo, hi], plus hi itself.

    Deprecations and removals land in minor releases; patch releases only make bisection slower.
    """
    low = Version(lo) if lo else None
    high = Version(hi) if hi else None
    inside = [v for v in versions if (low is None or v >= low) and (high is None or v <= high)]
    chosen: dict[tuple[int, int], Version] = {}
    for v in inside:
        chosen.setdefault((v.major, v.minor), v)
    picked = set(chosen.values())
    if inside:
        picked.add(inside[-1] if high is None or high not in inside else high)
        if low is not None and low in inside:
            picked.add(low)
    return sorted(picked)


def fetch(dist: str, version: Version | str, index: Index = Index(), cache: Path | None = None) -> Path:
    """The artifact of ``dist==version``, downloaded once into ``cache/<dist>/<version>/``."""
    target = (cache or cache_dir()) / canonicalize_name(dist) / str(version)
    existing = _artifact_in(target)
    if existing:
        return existing
    target.mkdir(parents=True, exist_ok=True)
    base = ["download", "--no-deps", "-d", str(target), *index.pip_args(), f"{dist}=={version}"]
    errors = []
    for extra in _WHEEL_ATTEMPTS:
        proc = _pip([*base, "--only-binary", ":all:", *extra])
        if proc.returncode == 0 and _artifact_in(target):
            return _artifact_in(target)  # type: ignore[return-value]
        errors.append(proc.stderr.strip().splitlines()[-1:] or [""])
    proc = _pip([*base, "--no-binary", ":all:"])
    found = _artifact_in(target)
    if proc.returncode == 0 and found:
        return found
    raise ReleaseError(f"cannot fetch {dist}=={version}: {errors[-1][0] if errors[-1] else proc.stderr[-200:]}")


def _artifact_in(folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    found = sorted(f for f in folder.iterdir() if f.name.endswith(ARTIFACT_SUFFIXES))
    wheels = [f for f in found if f.suffix == ".whl"]
    return (wheels or found or [None])[0]
