"""Read file text at a revision from a local git repository or a mirror folder of them.

Why a mirror folder: datasets of real migrations store references (repository, commit, path, lines)
rather than other people's code; the text is read back from local clones at run time. The folder
holds ``owner+name/repo`` git directories (the layout the search tool's ``fetch`` leaves).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

DEFAULT_MIRRORS = Path("/work/.mirror")


def mirrors_dir(explicit: str | Path | None = None) -> Path:
    """``explicit``, else ``$APIMIG_MIRRORS``, else the default folder."""
    return Path(explicit or os.environ.get("APIMIG_MIRRORS") or DEFAULT_MIRRORS)


def repo_dir(mirrors: Path, name: str) -> Path:
    """The git directory of ``owner/name`` inside a mirror folder."""
    return mirrors / name.replace("/", "+", 1) / "repo"


def git(repo: Path, *args: str, stdin: str | None = None) -> str:
    """Run git in ``repo``; raises ``subprocess.CalledProcessError`` (with stderr) on failure."""
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, input=stdin,
                          text=True, encoding="utf-8", errors="surrogateescape").stdout


def show(repo: Path, rev: str, path: str) -> str | None:
    """The text of ``path`` at ``rev``, or None when it does not exist there."""
    try:
        return git(repo, "show", f"{rev}:{path}")
    except subprocess.CalledProcessError:
        return None
