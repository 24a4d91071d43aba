"""Two hand migrations in a git repository teach a rule that then fixes the third site."""

from __future__ import annotations

import subprocess
from pathlib import Path

from apimig.migrator.evaluation import make_engine
from apimig.migrator.learner.cli import cli_learn
from apimig.migrator.learner.diffsource import pairs_from_patch, working_tree_patch
from apimig.migrator.learner.history import pairs_from_git
from apimig.migrator.learner.generalize import learn
from apimig.migrator.rules.loader import load_pack_file

OLD = {
    "a.py": "import numpy as np\n\n\ndef area(y):\n    return np.trapz(y)\n",
    "b.py": "import numpy as np\n\nTOTAL = np.trapz([1.0, 2.0], dx=0.5)\n",
    "c.py": "import numpy as np\n\n\ndef f(v):\n    print('x')\n    return np.trapz(v, dx=2)\n",
}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def _repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "t@example.org")
    _git(tmp_path, "config", "user.name", "t")
    for name, text in OLD.items():
        (tmp_path / name).write_text(text)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "start")
    for name in ("a.py", "b.py"):  # the developer migrates two sites by hand
        (tmp_path / name).write_text(OLD[name].replace("np.trapz", "np.trapezoid"))
    return tmp_path


def test_two_hand_edits_teach_a_rule_that_fixes_the_third(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    pairs = pairs_from_patch(repo, working_tree_patch(repo))
    assert sorted(p.id for p in pairs) == ["worktree:a.py:5", "worktree:b.py:3"]
    rules = learn(pairs)
    assert [(r.old, r.fix.rename) for r in rules] == [("numpy.trapz", "numpy.trapezoid")]
    assert rules[0].provenance is not None and rules[0].provenance.support == 2
    fixed = make_engine(rules).fix(OLD["c.py"], "c.py").new_source
    assert fixed == OLD["c.py"].replace("np.trapz", "np.trapezoid")


def test_cli_diff_writes_a_pack_and_previews_the_other_site(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    repo = _repo(tmp_path)
    out = tmp_path / "learned.yaml"
    assert cli_learn(["--diff", "--repo", str(repo), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "1 other site(s)" in printed and "c.py:6: return np.trapz(v, dx=2)  ->  return np.trapezoid(v, dx=2)" in printed
    assert [r.old for r in load_pack_file(out)] == ["numpy.trapz"]


def test_history_keeps_only_the_migration_hunks_of_a_mixed_commit(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "c.py").write_text(OLD["c.py"].replace("print('x')", "print('y')"))  # unrelated change
    _git(repo, "commit", "-q", "-am", "migrate trapz; tweak output")
    pairs = pairs_from_git(repo, "HEAD~1..HEAD", name="demo")
    assert {p.api for p in pairs} == {"numpy.trapz"}
    assert len(pairs) == 2 and all(p.id.startswith("demo@") for p in pairs)


def test_a_patch_that_does_not_apply_is_an_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    repo = _repo(tmp_path)
    bad = tmp_path / "bad.patch"
    bad.write_text("diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -5 +5 @@\n-    return nothing\n+    x\n")
    assert cli_learn(["--diff", str(bad), "--repo", str(repo)]) == 2
    assert "does not apply to a.py" in capsys.readouterr().err
