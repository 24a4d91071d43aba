"""--write touches only verification lines: comments, blank lines and layout stay byte for byte."""

from __future__ import annotations

from pathlib import Path

from apimig.migrator.rules.loader import load_pack_text
from apimig.migrator.rules.schema import Verification
from apimig.migrator.verify.writeback import update_text, write_pack

PACK = """\
# header comment
- id: a-rule
  library: numpy
  kind: rename
  old: numpy.a
  fix: {rename: numpy.b}
  message: "m"
  removed_in: "2.0"
  source: https://example.org
  cases:
    - {bad: "import numpy\\nnumpy.a", good: "import numpy\\nnumpy.b"}
    - noop: "a"

# the next rule
- id: b-rule
  library: numpy
  kind: rename
  old: numpy.c
  fix: {rename: numpy.d}
  message: "m"
  removed_in: "2.0"
  source: https://example.org
  verification:
    status: unverified
    detail: old block form
  cases:
    - {bad: "import numpy\\nnumpy.c", good: "import numpy\\nnumpy.d", noop: "c"}
"""


def test_inserts_after_the_rule_and_replaces_an_existing_block() -> None:
    new = update_text(PACK, {"a-rule": Verification("safe", 'agree "x"', "numpy==1.26.4 -> numpy==2.0.2"),
                             "b-rule": Verification("rejected", "good fails")})
    lines = new.splitlines()
    assert lines[12] == '  verification: {status: safe, env: "numpy==1.26.4 -> numpy==2.0.2", detail: "agree \\"x\\""}'
    assert lines[13:15] == ["", "# the next rule"]
    assert '  verification: {status: rejected, detail: "good fails"}' in lines
    assert "old block form" not in new
    rules = {r.id: r for r in load_pack_text(new, "p.yaml")}
    assert rules["a-rule"].verification == Verification("safe", 'agree "x"', "numpy==1.26.4 -> numpy==2.0.2")
    assert rules["b-rule"].verification == Verification("rejected", "good fails", "")
    untouched = [ln for ln in new.splitlines() if "verification" not in ln]
    assert untouched == [ln for ln in PACK.splitlines() if "verification" not in ln
                         and ln not in ("    status: unverified", "    detail: old block form")]


def test_writing_the_same_result_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(PACK, encoding="utf-8")
    result = {"a-rule": Verification("safe", "ok")}
    assert write_pack(path, result) is True
    once = path.read_text(encoding="utf-8")
    assert write_pack(path, result) is False
    assert path.read_text(encoding="utf-8") == once
