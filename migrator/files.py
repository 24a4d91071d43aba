"""Read and write source files without losing anything: encoding, BOM, newlines, mode.

A file is written only when its text changed, through a temporary file in the same
folder and an atomic rename.
"""

from __future__ import annotations

import fnmatch
import io
import os
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".tox", ".nox", "node_modules", "build",
             "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", ".eggs"}


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


def iter_python_files(paths: Iterable[str | Path], exclude: Iterable[str] = ()) -> Iterator[Path]:
    patterns = list(exclude)

    def excluded(p: Path) -> bool:
        s = p.as_posix()
        return any(fnmatch.fnmatch(s, pat) or fnmatch.fnmatch(p.name, pat) for pat in patterns)

    seen: set[Path] = set()
    for raw in paths:
        root = Path(raw)
        if root.is_file():
            if root not in seen and not excluded(root):
                seen.add(root)
                yield root
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")
                                 and not excluded(Path(dirpath) / d))
            for name in sorted(filenames):
                if name.endswith((".py", ".pyi")):
                    p = Path(dirpath) / name
                    if p not in seen and not excluded(p):
                        seen.add(p)
                        yield p
