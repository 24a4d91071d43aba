"""Every package folder is installed under the apimig namespace, and nothing generic lands top-level."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _holds_files(folder: Path) -> bool:
    return any(path.is_file() and path.suffix != ".pyc" for path in folder.iterdir())


def test_every_package_folder_is_listed() -> None:
    """Code and data folders alike: an unlisted data folder is what makes setuptools warn
    "Package would be ignored" (and a later setuptools drop it from the wheel)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    mapping = config["package-dir"]
    found = set()
    for prefix, folder in mapping.items():
        for sub in [ROOT / folder, *(ROOT / folder).rglob("*")]:
            if sub.is_dir() and sub.name != "__pycache__" and _holds_files(sub):
                rel = sub.relative_to(ROOT / folder)
                found.add(".".join([prefix, *rel.parts]) if rel.parts else prefix)
    assert found == listed
    assert all(name == "apimig" or name.startswith("apimig.") for name in listed)


def test_the_wheel_carries_the_licence() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert all((ROOT / name).is_file() for name in project["license-files"])
    assert "MIT License" in (ROOT / "LICENSE").read_text()


BLOCK_LSP_AND_RUN = """
import sys
class Absent:
    def find_spec(self, name, path=None, target=None):
        if name.partition('.')[0] in ('pygls', 'lsprotocol'):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
for name in [m for m in sys.modules if m.partition('.')[0] in ('pygls', 'lsprotocol')]:
    del sys.modules[name]
sys.meta_path.insert(0, Absent())
from apimig.server.__main__ import main
sys.exit(main([]))
"""


def test_the_language_server_without_its_extra_says_what_to_install() -> None:
    """A core-only install (no pygls) gets one line naming the extra, not a traceback."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", BLOCK_LSP_AND_RUN], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "pip install 'apimig[lsp]'" in done.stderr
