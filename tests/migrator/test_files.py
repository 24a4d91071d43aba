"""The one walker: project-relative gitignore-style excludes, .gitignore, force-exclude."""

from __future__ import annotations

from pathlib import Path

import pytest

from apimig.migrator.cli import main
from apimig.migrator.files import iter_python_files


def _tree(root: Path) -> Path:
    for rel in ("a.py", "pkg/b.py", "pkg/c.pyi", "vendored/v.py", "pkg/vendored/w.py", "gen/g.py", "notes.txt",
                ".venv/lib/x.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x = 1\n")
    (root / ".gitignore").write_text("gen/\n")
    return root


def _walk(root: Path, paths: list[str], **kw) -> list[str]:
    return [Path(p).resolve().relative_to(root.resolve()).as_posix() for p in iter_python_files(
        [root / p for p in paths], root=root, **kw)]


def test_readme_exclude_example_works_from_the_project_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Regression: ``exclude = ["*/vendored/*"]`` excluded nothing when run from the project root."""
    root = _tree(tmp_path)
    monkeypatch.chdir(root)
    found = [p.as_posix() for p in iter_python_files(["."], ["*/vendored/*"])]
    assert found == ["a.py", "pkg/b.py", "pkg/c.pyi"]


def test_patterns_are_project_relative_and_gitignore_style(tmp_path: Path):
    root = _tree(tmp_path)
    assert _walk(root, ["pkg"], exclude=["pkg/b.py"]) == ["pkg/c.pyi", "pkg/vendored/w.py"]
    assert _walk(root, ["."], exclude=["/vendored"]) == ["a.py", "pkg/b.py", "pkg/c.pyi", "pkg/vendored/w.py"]
    assert _walk(root, ["."], exclude=["vendored/"]) == ["a.py", "pkg/b.py", "pkg/c.pyi"]
    assert _walk(root, ["."], exclude=["*.pyi", "!pkg/c.pyi"]) == [
        "a.py", "pkg/b.py", "pkg/c.pyi", "pkg/vendored/w.py", "vendored/v.py"]


def test_gitignore_is_honoured_by_default(tmp_path: Path):
    root = _tree(tmp_path)
    assert "gen/g.py" not in _walk(root, ["."])
    assert "gen/g.py" in _walk(root, ["."], respect_gitignore=False)
    (root / "pkg" / ".gitignore").write_text("b.py\n")
    assert "pkg/b.py" not in _walk(root, ["."]) and "pkg/b.py" not in _walk(root, ["pkg"])
    assert ".venv/lib/x.py" not in _walk(root, ["."], respect_gitignore=False)


def test_explicit_files_pass_unless_force_exclude(tmp_path: Path):
    root = _tree(tmp_path)
    assert _walk(root, ["vendored/v.py"], exclude=["vendored/"]) == ["vendored/v.py"]
    assert _walk(root, ["vendored/v.py"], exclude=["vendored/"], force_exclude=True) == []
    assert _walk(root, ["gen/g.py"], force_exclude=True) == []


def test_cli_reads_exclude_and_force_exclude(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]):
    (tmp_path / "vendored").mkdir()
    (tmp_path / "vendored" / "old.py").write_text("import numpy as np\nnp.trapz(y)\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.apimig]\nexclude = ["*/vendored/*"]\ntargets = { numpy = "2.0" }\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check", "."]) == 0
    assert main(["check", "vendored/old.py"]) == 1
    (tmp_path / "pyproject.toml").write_text(
        '[tool.apimig]\nexclude = ["*/vendored/*"]\nforce-exclude = true\ntargets = { numpy = "2.0" }\n')
    assert main(["check", "vendored/old.py"]) == 0
    capsys.readouterr()
