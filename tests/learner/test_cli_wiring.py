"""`apimig learn` and `apimig eval` through the main console entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from apimig.migrator.rules.packs import load_path

ROOT = Path(__file__).resolve().parents[2]


def test_learn_then_eval_through_main(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    rows = [json.loads(line) for line in (ROOT / "data/migrations/pairs.jsonl").read_text().splitlines()
            if '"numpy.trapz"' in line or '"numpy.row_stack"' in line]
    pairs.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "learned.yaml"
    run = subprocess.run([sys.executable, "-m", "apimig.migrator.cli", "learn", str(pairs), "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    learned = {r.old: r for r in load_path(out)}
    assert learned["numpy.row_stack"].fix.rename == "numpy.vstack"
    assert all(r.origin == "learned" and r.provenance and r.provenance.support > 0 for r in learned.values())
    report = tmp_path / "eval.json"
    run = subprocess.run([sys.executable, "-m", "apimig.migrator.cli", "eval", str(pairs), "--rules", str(out),
                          "--origin", "learned", "--json", str(report)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    overall = json.loads(report.read_text())["overall"]
    assert overall["ast_match"] >= 0.9 and overall["untouched"] == 1.0
