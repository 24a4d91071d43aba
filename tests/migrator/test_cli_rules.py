"""``apimig rules list|explain|docs``: messages, targets with their origin, and the generated pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apimig.migrator.cli import main
from apimig.migrator.rules.packs import load_rules
from apimig.migrator.ruledocs import doc_url

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
