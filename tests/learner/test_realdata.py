"""Hunk references are read back from a mirror folder and scored by ``apimig eval --compare``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from apimig.migrator.learner.cli import cli_eval
from apimig.migrator.learner.realdata import load

BEFORE = "import numpy as np\n\n\ndef f(a, b):\n    return np.in1d(a, b)\n"


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout.strip()


def _mirror(tmp_path: Path) -> tuple[Path, list[dict[str, object]]]:
    repo = tmp_path / "mirrors" / "demo+proj" / "repo"
    repo.mkdir(parents=True)
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.org")
    _git(repo, "config", "user.name", "t")
    refs = []
    for i, name in enumerate(("a.py", "b.py")):
        (repo / name).write_text(BEFORE)
        _git(repo, "add", name)
        _git(repo, "commit", "-qm", "add")
        parent = _git(repo, "rev-parse", "HEAD")
        (repo / name).write_text(BEFORE.replace("np.in1d", "np.isin"))
        _git(repo, "commit", "-qam", "numpy 2: in1d is deprecated")
        commit = _git(repo, "rev-parse", "HEAD")
        refs.append({"id": f"demo-{i}", "repo": "demo/proj", "commit": commit, "parent": parent, "path": name,
                     "old_start": 5, "old_len": 1, "new_start": 5, "new_len": 1, "api": "numpy-in1d",
                     "library": "numpy", "url": f"https://github.com/demo/proj/commit/{commit}", "license": "MIT"})
    return tmp_path / "mirrors", refs


def test_references_become_pairs_and_eval_compares_origins(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    mirrors, refs = _mirror(tmp_path)
    hunks = tmp_path / "hunks.jsonl"
    hunks.write_text("".join(json.dumps(r) + "\n" for r in refs))
    pairs = load(hunks, mirrors)
    assert [(p.id, p.api) for p in pairs] == [("demo-0", "numpy.in1d"), ("demo-1", "numpy.in1d")]
    assert "np.isin(a, b)" in pairs[0].new and pairs[0].source == refs[0]["url"]
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"train": ["demo-0"], "test": ["demo-1"]}))
    assert cli_eval([str(hunks), "--split", str(split), "--mirrors", str(mirrors), "--compare"]) == 0
    out = capsys.readouterr().out
    assert "1 train / 1 test pairs" in out
    learned_row = next(ln for ln in out.splitlines() if ln.startswith("learned"))
    assert learned_row.split()[1:] == ["100.0%", "100.0%"]
