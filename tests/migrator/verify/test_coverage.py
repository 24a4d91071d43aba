"""`apimig rules coverage` counts what a pack ships, its verification, and mined candidates beside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apimig.migrator.cli import main

RULE = """\
- id: {id}
  library: fakelib
  kind: rename
  old: fakelib.{old}
  {fix}
  message: "m"
  removed_in: "2.0"
  source: https://example.org
  cases:
    - {{bad: "import fakelib\\nfakelib.{old}()", good: "import fakelib\\nfakelib.new()", noop: "x"}}
  {verification}
"""


def _pack(tmp_path: Path) -> Path:
    rules = [
        RULE.format(id="r-safe", old="a", fix="fix: {rename: fakelib.new}", verification="verification: {status: safe}"),
        RULE.format(id="r-unsafe", old="d", fix="fix: {rename: fakelib.new}",
                    verification="verification: {status: unsafe, detail: values differ}"),
        RULE.format(id="r-rejected", old="b", fix="fix: {rename: fakelib.new}",
                    verification="verification: {status: rejected, detail: good fails}"),
        RULE.format(id="r-manual", old="c", fix="tier: manual", verification=""),
    ]
    path = tmp_path / "fakelib.yaml"
    path.write_text("\n".join(rules), encoding="utf-8")
    return path


def _rows(capsys: pytest.CaptureFixture[str], pack: Path, tmp_path: Path) -> dict[str, dict]:
    assert main(["rules", "coverage", str(tmp_path), "--no-builtin-rules", "--rules", str(pack),
                 "--format", "json"]) == 0
    return {r["library"]: r for r in json.loads(capsys.readouterr().out)}


def test_counts_fix_manual_and_verification(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = _rows(capsys, _pack(tmp_path), tmp_path)["fakelib"]
    assert (row["rules"], row["fix"], row["manual"]) == (4, 3, 1)
    assert (row["v:safe"], row["v:rejected"], row["v:unsafe"], row["v:none"]) == (1, 1, 1, 1)
    assert row["safe-tier-unsafe"] == 1
    assert row["found"] == row["covered"] == "-"


def test_mined_candidates_beside_the_pack_show_the_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = _pack(tmp_path)
    (tmp_path / "fakelib.candidates.yaml").write_text(
        "- {old: fakelib.a, kind: rename}\n- {old: fakelib.z}\n- {old: fakelib.y}\n", encoding="utf-8")
    rows = _rows(capsys, pack, tmp_path)
    assert (rows["fakelib"]["found"], rows["fakelib"]["covered"]) == (3, 1)
    assert rows["total"]["rules"] == 4


def test_markdown_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = _pack(tmp_path)
    assert main(["rules", "coverage", str(tmp_path), "--no-builtin-rules", "--rules", str(pack),
                 "--format", "markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("| library | rules | fix | manual | v:safe |")
    assert lines[2].startswith("| fakelib | 4 | 3 | 1 | 1 | 1 | 1 | 0 | 1 | 1 |")
