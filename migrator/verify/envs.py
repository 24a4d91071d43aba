"""Isolated environments holding one library release, built with pip and cached by their requirements.

A rule is proven by running its cases against real releases, so each (python, requirements) pair
gets its own venv under the cache (``$APIMIG_CACHE/envs``, else ``~/.cache/apimig/envs``), built
once and reused. The venv is made without pip (``venv --without-pip``) and filled by this
interpreter's pip through ``pip --python``: building one costs a resolver run, not an ensurepip.
A release that cannot be installed here (no wheel for any local Python, a build failure, more
than ``max_mb`` installed) is recorded with the reason, so the rule is reported ``unverified``
instead of retried on every run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from packaging.version import InvalidVersion, Version

# tried in this order: the host's version first, then older ones (old releases lack new wheels)
PYTHONS = ("3.11", "3.10", "3.9", "3.12", "3.13", "3.8")
# extra pins tried when a release installs but fails to import against today's dependencies
# (numpy 2 broke the C ABI; numpy 1.24 removed the np.bool/np.int aliases old pandas/scipy use)
FALLBACK_PINS: tuple[tuple[str, ...], ...] = ((), ("numpy<2",), ("numpy<1.24",))
_VERSIONS_LINE = re.compile(r"^Available versions:\s*(.*)$", re.M)


class EnvUnavailable(Exception):
    """No environment can be built for a spec; the message is the reason shown in ``unverified``."""


@dataclass(frozen=True)
class EnvSpec:
    python: str  # "3.11"
    requirements: tuple[str, ...]  # ("numpy==1.26.4",)

    @property
    def key(self) -> str:
        text = json.dumps([self.python, sorted(self.requirements)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def describe(self) -> str:
        return " ".join([*self.requirements, f"(python {self.python})"])


@dataclass(frozen=True)
class Env:
    spec: EnvSpec
    path: Path

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"


def default_cache() -> Path:
    root = os.environ.get("APIMIG_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "apimig") / "envs"


@functools.lru_cache(maxsize=None)
def interpreter(version: str) -> str | None:
    """A local ``pythonX.Y`` that runs, or None. pyenv installs are looked up directly, since its
    shims answer only for the versions selected in the current shell."""
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found = [str(p) for p in sorted(pyenv.glob(f"{version}*/bin/python{version}"))]
    on_path = shutil.which(f"python{version}")
    this = [sys.executable] if version == f"{sys.version_info.major}.{sys.version_info.minor}" else []
    for exe in [*found, *([on_path] if on_path else []), *this]:
        if subprocess.run([exe, "-c", "import venv"], capture_output=True).returncode == 0:
            return exe
    return None


@dataclass
class EnvBuilder:
    cache: Path = field(default_factory=default_cache)
    find_links: Sequence[str] = ()
    no_index: bool = False
    max_mb: int = 500
    pythons: Sequence[str] = PYTHONS

    def _pip_options(self) -> list[str]:
        opts = ["--disable-pip-version-check"]
        if self.no_index:
            opts.append("--no-index")
        for link in self.find_links:
            opts += ["--find-links", str(link)]
        return opts

    def releases(self, dist: str) -> list[Version]:
        """Final releases of ``dist`` the index (or the find-links folders) offers, oldest first.
        pip lists only releases with files for the Python it is asked about, so every local
        Python is asked (tensorflow 1.x has no wheel for this interpreter, but one for another)."""
        found: set[Version] = set()
        for python in [p for p in self.pythons if interpreter(p)]:
            proc = subprocess.run(
                [sys.executable, "-m", "pip", "index", "versions", dist, "--python-version", python,
                 "--only-binary=:all:", *self._pip_options()], capture_output=True, text=True)
            match = _VERSIONS_LINE.search(proc.stdout)
            if proc.returncode != 0 or not match:
                continue
            for text in match.group(1).split(","):
                try:
                    v = Version(text.strip())
                except InvalidVersion:
                    continue
                if not v.is_prerelease and not v.is_devrelease:
                    found.add(v)
        return sorted(found)

    def build(self, spec: EnvSpec) -> Env:
        """The cached env for ``spec``, built on first use; raises EnvUnavailable with the reason."""
        path = self.cache / spec.key
        ok, failed = path / "apimig-env.json", path / "apimig-env-failed.txt"
        if ok.exists():
            return Env(spec, path)
        if failed.exists():
            raise EnvUnavailable(failed.read_text(encoding="utf-8"))
        exe = interpreter(spec.python)
        if exe is None:
            raise EnvUnavailable(f"python{spec.python} is not installed here")
        if path.exists():
            shutil.rmtree(path)  # a build that was interrupted
        path.parent.mkdir(parents=True, exist_ok=True)
        made = subprocess.run([exe, "-m", "venv", "--without-pip", str(path)], capture_output=True, text=True)
        if made.returncode != 0:
            return self._fail(path, spec, "venv failed: " + _last_error(made.stderr))
        if spec.requirements:  # a bare interpreter (standard-library rules) needs no install
            proc = subprocess.run(
                [sys.executable, "-m", "pip", "--python", str(path / "bin" / "python"), "install",
                 "--quiet", "--only-binary=:all:", *self._pip_options(), *spec.requirements],
                capture_output=True, text=True)
            if proc.returncode != 0:
                return self._fail(path, spec, "pip could not install it: " + _last_error(proc.stderr))
        size_mb = _size_mb(path)
        if size_mb > self.max_mb:
            return self._fail(path, spec, f"installed size {size_mb} MB exceeds the {self.max_mb} MB limit")
        ok.write_text(json.dumps({"python": spec.python, "requirements": list(spec.requirements),
                                  "size_mb": size_mb}), encoding="utf-8")
        return Env(spec, path)

    def _fail(self, path: Path, spec: EnvSpec, reason: str) -> Env:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)
        text = f"{spec.describe()}: {reason}"
        (path / "apimig-env-failed.txt").write_text(text, encoding="utf-8")
        raise EnvUnavailable(text)

    def for_release(self, requirement: str, module: str, extras: Sequence[str] = ()) -> Env:
        """An env where ``requirement`` (and ``extras``, other distributions a case needs) installs
        and ``module`` (a dotted name: its deepest existing module) imports, trying each Python and
        pin set."""
        reasons: list[str] = []
        for version in [p for p in self.pythons if interpreter(p)]:
            for pins in FALLBACK_PINS:
                try:
                    env = self.build(EnvSpec(version, (requirement, *extras, *pins)))
                except EnvUnavailable as exc:
                    reasons.append(str(exc))
                    break  # extra pins do not make a missing wheel appear: next Python
                problem = import_error(env, module)
                if problem is None:
                    return env
                reasons.append(f"{env.spec.describe()}: import {module} fails: {problem}")
        raise EnvUnavailable("; ".join(reasons[-2:]) or f"no Python available for {requirement}")

    def for_python(self, version: str, extras: Sequence[str] = ()) -> Env:
        """An interpreter env, for standard-library rules (the release under test is Python itself)."""
        return self.build(EnvSpec(version, tuple(extras)))


# imports the longest importable prefix of a dotted name: scipy.linalg.pinv2 imports scipy.linalg,
# where a release built against another numpy fails even though `import scipy` works
_IMPORT_PREFIX = """
import importlib, sys
parts = sys.argv[1].split(".")
for end in range(len(parts), 0, -1):
    try:
        importlib.import_module(".".join(parts[:end]))
        break
    except ModuleNotFoundError:
        if end == 1:
            raise
"""


def import_error(env: Env, dotted: str) -> str | None:
    """None when the deepest module of ``dotted`` that exists imports, else the error."""
    proc = subprocess.run([str(env.python), "-c", _IMPORT_PREFIX, dotted], capture_output=True, text=True,
                          env=harness_environ())
    return None if proc.returncode == 0 else _last_error(proc.stderr)


def harness_environ() -> dict[str, str]:
    """A small, fixed environment for code run inside an env: no user site, headless plotting."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONNOUSERSITE": "1", "PYTHONHASHSEED": "0",
            "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "HOME": os.environ.get("HOME", "/tmp"),
            "TF_CPP_MIN_LOG_LEVEL": "3", "LC_ALL": "C.UTF-8"}


def _last_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip() and not ln.startswith("WARNING: Location")]
    errors = [ln for ln in lines if ln.startswith("ERROR") or "Error" in ln]
    return (errors or lines or ["no output"])[-1][:300]


def _size_mb(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total // (1 << 20)
