"""The opt-in feedback store: off by default, persistent, robust to corruption and concurrency."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from apimig.migrator.dataset import load_pairs
from apimig.migrator.learner.feedback import FeedbackStore, adjust
from apimig.migrator.learner.feedback_cli import cli_feedback
from apimig.migrator.rules.schema import FixSpec, Rule


def _rule() -> Rule:
    return Rule(id="learned-numpy-trapz", library="numpy", kind="rename", old="numpy.trapz", message="m",
                source="https://numpy.org", fix=FixSpec(rename="numpy.trapezoid"), origin="learned", confidence=0.8)


def test_off_by_default(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.json")
    assert store.record("r", "shown") is False
    assert not (tmp_path / "fb.json").exists()


def test_counts_persist_across_sessions(tmp_path: Path) -> None:
    FeedbackStore(tmp_path / "fb.json", enabled=True).record("r", "applied")
    FeedbackStore(tmp_path / "fb.json", enabled=True).record("r", "applied")
    assert FeedbackStore(tmp_path / "fb.json").stats()["r"]["applied"] == 2


def test_corrupt_store_is_moved_aside_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "fb.json"
    path.write_text("{not json")
    with pytest.warns(UserWarning, match="moved aside"):
        FeedbackStore(path, enabled=True).record("r", "shown")
    assert (tmp_path / "fb.json.corrupt").read_text() == "{not json"
    assert FeedbackStore(path).stats() == {"r": {"shown": 1, "applied": 0, "undone": 0, "edited": 0}}


def _hammer(path: str) -> None:
    store = FeedbackStore(Path(path), enabled=True)
    for _ in range(25):
        store.record("r", "shown")


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "fb.json"
    procs = [multiprocessing.get_context("fork").Process(target=_hammer, args=(str(path),)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    assert FeedbackStore(path).stats()["r"]["shown"] == 100


def test_undo_evidence_moves_a_learned_rule_to_unsafe_then_manual() -> None:
    rule = _rule()
    assert adjust(rule, {"applied": 4}).tier == "safe"
    once = adjust(rule, {"applied": 4, "undone": 1})
    assert once.tier == "unsafe" and once.reason and once.confidence < rule.confidence
    assert adjust(rule, {"applied": 4, "undone": 3}).tier == "manual"


def test_export_gives_pairs_the_learner_reads(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    store = FeedbackStore(tmp_path / "fb.json", enabled=True)
    store.record("learned-numpy-trapz", "edited", "np.trapz(y)\n", "np.trapezoid(y, dx=1)\n", "numpy.trapz", "numpy")
    out = tmp_path / "pairs.jsonl"
    assert cli_feedback(["export", "--store", str(tmp_path / "fb.json"), "-o", str(out)]) == 0
    assert [p.new for p in load_pairs(out)] == ["np.trapezoid(y, dx=1)\n"]
    assert cli_feedback(["stats", "--store", str(tmp_path / "fb.json")]) == 0
    assert "learned-numpy-trapz" in capsys.readouterr().out
    assert json.loads(out.read_text())["api"] == "numpy.trapz"
