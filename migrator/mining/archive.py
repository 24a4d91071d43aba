"""Read a release's files straight from its wheel or sdist, without unpacking or importing it."""

from __future__ import annotations

import re
import tarfile
import zipfile
from pathlib import Path
from typing import Iterator

MAX_FILE_BYTES = 4_000_000
_NOTES = re.compile(r"(changelog|changes|history|news|release|whatsnew|whats_new|migration|deprecat)", re.I)
_NOTE_SUFFIXES = (".rst", ".md", ".txt", "")


def is_note(path: str) -> bool:
    """A changelog or release-note file (CHANGELOG, doc/release/*.rst, docs/whatsnew/...)."""
    name = path.rsplit("/", 1)[-1]
    suffix = name[name.rfind("."):] if "." in name else ""
    return suffix in _NOTE_SUFFIXES and bool(_NOTES.search(path)) and not path.endswith(".py")


def _normalise(path: str, sdist: bool) -> str | None:
    parts = path.split("/")
    if sdist:
        parts = parts[1:]  # the sdist's top folder, "name-1.0/"
        if parts[:1] in (["src"], ["lib"]) and len(parts) > 2 and parts[-1].endswith(".py"):  # src/ and lib/ layouts
            parts = parts[1:]
    if not parts or any(p in ("", "..") for p in parts):
        return None
    return "/".join(parts)


def read_files(artifact: Path) -> Iterator[tuple[str, str]]:
    """``(relative path, text)`` of every Python source and release-note file of the artifact."""
    name = artifact.name
    if name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(artifact) as zf:
            for info in zf.infolist():
                rel = _normalise(info.filename, sdist=name.endswith(".zip"))
                if rel and info.file_size <= MAX_FILE_BYTES and _wanted(rel):
                    yield rel, zf.read(info).decode("utf-8", "replace")
        return
    with tarfile.open(artifact) as tf:
        for member in tf:
            rel = _normalise(member.name, sdist=True)
            if rel and member.isfile() and member.size <= MAX_FILE_BYTES and _wanted(rel):
                handle = tf.extractfile(member)
                if handle is not None:
                    yield rel, handle.read().decode("utf-8", "replace")


def _wanted(rel: str) -> bool:
    return rel.endswith(".py") or is_note(rel)
