"""Find, read and write source files without losing anything: encoding, BOM, newlines, mode.

A file is written only when its text changed, through a temporary file in the same
folder and an atomic rename. Exclude patterns and ``.gitignore`` use gitignore semantics through
``pathspec`` (the library black and others use for this), so they behave as users know from git.
"""

from __future__ import annotations

import io
import os
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import pathspec

SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".tox", ".nox", "node_modules", "build",
             "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", ".eggs"}
PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str  # as found by tokenize.detect_encoding: "utf-8", "utf-8-sig" (BOM), "latin-1", ...


def read_source(path: Path) -> SourceText:
    data = path.read_bytes()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return SourceText(data.decode(encoding), encoding)


def write_source(path: Path, text: str, encoding: str) -> bool:
    """Atomically replace ``path`` with ``text``; returns False when the content is unchanged."""
    data = text.encode(encoding)
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    mode = path.stat().st_mode if path.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".apimig", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True


def _spec(lines: Iterable[str]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(list(lines))


def exclude_spec(patterns: Iterable[str]) -> pathspec.GitIgnoreSpec:
    """Gitignore-style patterns; a leading ``*/`` also matches at the top (``*/vendored/*`` excludes
    ``vendored/x.py``), as the fnmatch-style patterns written for apimig before always meant."""
    return _spec("**/" + p[2:] if p.startswith("*/") else p for p in patterns)


class _Gitignores:
    """The ``.gitignore`` files from the project root down to each folder walked, read once each."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._specs: dict[Path, pathspec.GitIgnoreSpec | None] = {}

    def _at(self, folder: Path) -> pathspec.GitIgnoreSpec | None:
        if folder not in self._specs:
            try:
                self._specs[folder] = _spec((folder / ".gitignore").read_text(encoding="utf-8").splitlines())
            except (OSError, UnicodeDecodeError):
                self._specs[folder] = None
        return self._specs[folder]

    def ignored(self, path: Path, root: Path, is_dir: bool) -> bool:
        if not self.enabled or not path.is_relative_to(root):
            return False
        for folder in (p for p in reversed(path.parents) if p.is_relative_to(root)):
            spec = self._at(folder)
            rel = path.relative_to(folder).as_posix() + ("/" if is_dir else "")
            if spec is not None and spec.match_file(rel):
                return True
        return False


def iter_python_files(paths: Iterable[str | Path], exclude: Iterable[str] = (), *, root: Path | None = None,
                      respect_gitignore: bool = True, force_exclude: bool = False) -> Iterator[Path]:
    """The Python files under ``paths``: the one walker of the CLI and the editor's "fix workspace".

    ``exclude`` patterns match paths relative to ``root`` (the project root; default the current
    folder), gitignore-style. ``.gitignore`` files are honoured unless ``respect_gitignore`` is off.
    A path named explicitly is used even when excluded, unless ``force_exclude`` (pre-commit names
    every staged file)."""
    base = (root or Path.cwd()).resolve()
    spec = exclude_spec(exclude)
    gitignores = _Gitignores(respect_gitignore)

    def skipped(p: Path, is_dir: bool) -> bool:
        full = p.resolve()
        rel = full.relative_to(base).as_posix() if full.is_relative_to(base) else p.as_posix()
        return spec.match_file(rel + ("/" if is_dir else "")) or gitignores.ignored(full, base, is_dir)

    seen: set[Path] = set()
    for raw in paths:
        start = Path(raw)
        if force_exclude and skipped(start, start.is_dir()):
            continue
        if start.is_file():
            if start not in seen:
                seen.add(start)
                yield start
            continue
        for dirpath, dirnames, filenames in os.walk(start):
            folder = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")
                                 and not skipped(folder / d, True))
            for name in sorted(filenames):
                p = folder / name
                if name.endswith(PYTHON_SUFFIXES) and p not in seen and not skipped(p, False):
                    seen.add(p)
                    yield p
