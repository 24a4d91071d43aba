"""A disk cache of parsed rule packs, so start-up does not re-read YAML on every run.

Why: parsing the bundled packs with PyYAML costs most of a small `apimig check` run (every
pre-commit hook, server start and CI step pays it). A pack's rules are pickled under the user's
cache directory, keyed on the pack's path, size and mtime and on the loader's own source files,
so an edited pack or an upgraded apimig reads the YAML again. Only the user's own cache
directory is read, never a file from the checked repository; any cache failure falls back to
parsing the pack.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")

_FORMAT = 1


def cache_dir() -> Path:
    """``$APIMIG_CACHE_DIR``, else the platform's user cache directory + ``apimig``."""
    explicit = os.environ.get("APIMIG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "apimig"


@lru_cache(maxsize=1)
def _code_stamp() -> str:
    """Changes whenever the code that parses packs or defines rules changes."""
    here = Path(__file__).resolve().parent
    parts = [str(_FORMAT), sys.version]
    for name in ("rules/loader.py", "rules/schema.py", "mapping.py", "applicability.py", "packcache.py"):
        st = (here / name).stat()
        parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


def cached(path: Path, load: Callable[[Path], T]) -> T:
    """``load(path)``, read from the cache when ``path`` is unchanged since it was stored."""
    try:
        st = path.stat()
    except OSError:
        return load(path)  # load reports the unreadable file
    key = f"{_code_stamp()}|{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    entry = cache_dir() / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".pickle")
    try:
        with open(entry, "rb") as fh:
            stored_key, value = pickle.load(fh)
        if stored_key == key:
            return value  # type: ignore[no-any-return]
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        pass
    value = load(path)
    try:
        _store(entry, (key, value))
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass
    return value


def _store(entry: Path, payload: object) -> None:
    entry.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except BaseException:
        os.unlink(tmp)
        raise
