"""A fake library with two tiny releases, built as wheels in a temporary folder (no network).

Release 1.0 has ``old()`` (warns), ``new()``, ``scale()`` and ``triple()``; release 2.0 removed
``old`` and ``scale`` and changed nothing else. ``apimigextra`` is a second distribution that a
case may import without the library depending on it. Rules over it must come out safe, unsafe, rejected
and unverified.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import pytest

from apimig.migrator.verify.envs import EnvBuilder

FAKE = "apimigfake"
RELEASE_1 = '''
import warnings

def old(x):
    warnings.warn("old() is deprecated, use new()", DeprecationWarning, stacklevel=2)
    return x * 2

def new(x):
    return x * 2

def scale(x):
    return x * 2

def triple(x):
    return x * 3
'''
RELEASE_2 = '''
def new(x):
    return x * 2

def triple(x):
    return x * 3
'''


def build_wheel(folder: Path, name: str, version: str, files: dict[str, str]) -> Path:
    """A pure-Python wheel, written by hand: the format is a zip with METADATA, WHEEL and RECORD."""
    info = f"{name}-{version}.dist-info"
    contents = dict(files)
    contents[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    contents[f"{info}/WHEEL"] = "Wheel-Version: 1.0\nGenerator: apimig-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    for path, text in contents.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    contents[f"{info}/RECORD"] = "\n".join(record) + "\n"
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, text in contents.items():
            zf.writestr(path, text)
    return wheel


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheels")
    build_wheel(folder, FAKE, "1.0", {f"{FAKE}/__init__.py": RELEASE_1})
    build_wheel(folder, FAKE, "2.0", {f"{FAKE}/__init__.py": RELEASE_2})
    build_wheel(folder, "apimigextra", "1.0", {"apimigextra/__init__.py": "VALUE = 5\n"})  # not a dependency
    return folder


@pytest.fixture(scope="session")
def builder(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> EnvBuilder:
    """Installs only from the wheelhouse, with this test run's own Python."""
    import sys

    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return EnvBuilder(cache=tmp_path_factory.mktemp("envs"), find_links=[str(wheelhouse)], no_index=True,
                      pythons=(python,))
