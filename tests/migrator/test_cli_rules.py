"""``apimig rules list|explain|docs``: messages, targets with their origin, and the generated pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apimig.migrator.cli import main
from apimig.migrator.ruledocs import doc_url
from apimig.migrator.rules.packs import load_rules

DOCS = Path(__file__).parents[2] / "docs" / "rules"


def test_explain_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "explain", "numpy-in1d"]) == 0
    out = capsys.readouterr().out
    assert "removed in: numpy 2.4" in out and "fix: rename to `numpy.isin`" in out
    assert "why unsafe: in1d always returns a 1-d result" in out and "Before:" in out and "After:" in out
    assert "source: https://numpy.org/" in out
    assert main(["rules", "explain", "numpy-in1d", "--output-format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tier"] == "unsafe" and data["docs"] == doc_url("numpy", "numpy-in1d") and data["cases"]


def test_explain_unknown_rule_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "explain", "numpy-in1"]) == 2
    assert "did you mean 'numpy-in1d'?" in capsys.readouterr().err


def test_rules_list_has_messages_and_target_origins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = \"p\"\n", encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("numpy==1.26.4\n", encoding="utf-8")
    assert main(["rules", "list", "--select", "numpy", str(tmp_path), "--output-format", "json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["numpy-in1d"]["message"].startswith("`numpy.in1d`")
    assert rows["numpy-in1d"]["target"] == "numpy 1.26.4 (requirements.txt:1)"
    assert main(["rules", "list", "--select", "numpy", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "`numpy.in1d` was deprecated" in captured.out and "numpy 1.26.4 (requirements.txt:1)" in captured.err


def test_committed_rule_docs_are_current(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "docs", "-o", str(tmp_path)]) == 0
    generated = {p.relative_to(tmp_path): p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.md")}
    committed = {p.relative_to(DOCS): p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md")}
    assert generated == committed, "run `apimig rules docs -o docs/rules`"
    for rule in load_rules():
        assert doc_url(rule.library, rule.id).endswith(f"docs/rules/{rule.library}/{rule.id}.md")
        assert (DOCS / rule.library / f"{rule.id}.md").is_file()


def _targets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    assert main(["rules", "list", str(tmp_path), "--output-format", "json"]) == 0
    return {r["library"]: r["target"] for r in json.loads(capsys.readouterr().out)}


def test_pip_compile_requirements_with_hashes_and_includes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\n', encoding="utf-8")
    (tmp_path / "requirements.txt").write_text(
        "# via pip-compile\n-r base.txt\nnumpy==1.26.4 \\\n    --hash=sha256:aaaa \\\n    --hash=sha256:bbbb\n"
        "    # via -r requirements.in\n", encoding="utf-8")
    (tmp_path / "base.txt").write_text("--index-url https://example.invalid\npandas>=1.5 ; python_version >= '3.9'\n",
                                       encoding="utf-8")
    targets = _targets(tmp_path, capsys)
    assert targets["numpy"] == "numpy 1.26.4 (requirements.txt:3)"
    assert targets["pandas"] == "pandas 1.5 (base.txt:2)"


def test_upper_bound_picks_the_newest_rule_version_below_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\ndependencies = ["numpy<2"]\n', encoding="utf-8")
    numpy_versions = {v for r in load_rules() if r.library == "numpy"
                      for v in (r.deprecated_in, r.removed_in, r.replacement_since) if v is not None}
    expected = max(v for v in numpy_versions if v.major < 2)
    assert _targets(tmp_path, capsys)["numpy"] == f"numpy {expected} (pyproject dependencies)"


def test_lock_files_groups_and_setup_cfg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\n\n[dependency-groups]\ntest = ["scipy>=1.10"]\ndev = [{include-group = "test"}]\n',
        encoding="utf-8")
    (tmp_path / "uv.lock").write_text('version = 1\n\n[[package]]\nname = "numpy"\nversion = "2.1.3"\n', encoding="utf-8")
    (tmp_path / "setup.cfg").write_text("[options]\ninstall_requires =\n    pandas==2.0.3\n", encoding="utf-8")
    targets = _targets(tmp_path, capsys)
    assert targets["numpy"] == "numpy 2.1.3 (uv.lock:4)"
    assert targets["scipy"] == "scipy 1.10 (pyproject [dependency-groups] test)"
    assert targets["pandas"] == "pandas 2.0.3 (setup.cfg install_requires)"
    (tmp_path / "uv.lock").unlink()
    (tmp_path / "poetry.lock").write_text('[[package]]\nname = "numpy"\nversion = "1.24.0"\n', encoding="utf-8")
    assert _targets(tmp_path, capsys)["numpy"] == "numpy 1.24.0 (poetry.lock:2)"
