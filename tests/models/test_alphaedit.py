"""AlphaEdit: the null-space projection keeps preserved keys, and sequential edits do not collapse.

The unit tests check the algebra on random keys (fixed seed); the organism tests run real
sequential edits through the same gate as ROME and MEMIT.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from apimig.models.gate import GateConfig, agreement, run_update, snapshot  # noqa: E402
from apimig.models.methods.alphaedit.method import edit_memory, null_space_projector, null_space_update  # noqa: E402
from apimig.models.requests import EditRequest, load_requests  # noqa: E402

from .test_editing_methods import DATA, check_update, lm, organism_hparams, stats_dir  # noqa: E402,F401


def _preserved_keys(d: int = 48, rank: int = 30, n: int = 500) -> Any:
    g = torch.Generator().manual_seed(0)
    basis = torch.randn(d, rank, generator=g, dtype=torch.float64)
    return basis @ torch.randn(rank, n, generator=g, dtype=torch.float64)  # [d, n], rank 30


def test_projected_update_leaves_preserved_keys_outputs_unchanged() -> None:
    k0 = _preserved_keys()
    proj = null_space_projector(k0 @ k0.T / k0.shape[1], 1e-6)
    assert torch.linalg.matrix_rank(proj).item() == k0.shape[0] - 30
    g = torch.Generator().manual_seed(1)
    keys, resid = torch.randn(48, 4, generator=g, dtype=torch.float64), torch.randn(16, 4, generator=g, dtype=torch.float64)
    upd = null_space_update(keys, resid, proj, None, l2=1e-3)
    assert upd.shape == (16, 48)
    assert (upd @ k0).norm() / (upd.norm() * k0.norm()) < 1e-10, "delta k0 must vanish for every preserved key"
    unprojected = null_space_update(keys, resid, torch.eye(48, dtype=torch.float64), None, l2=1e-3)
    assert (unprojected @ k0).norm() / (unprojected.norm() * k0.norm()) > 1e-2, "without P the update moves them"
    assert (upd @ keys - resid).norm() < 0.5 * resid.norm(), "the new keys are still written, through the null space"


def test_earlier_edits_keys_are_kept_by_the_least_squares() -> None:
    """With the earlier keys' Gram in the solve, a new update barely moves their outputs."""
    g = torch.Generator().manual_seed(2)
    proj = torch.eye(48, dtype=torch.float64)
    earlier = torch.randn(48, 6, generator=g, dtype=torch.float64)
    keys, resid = torch.randn(48, 3, generator=g, dtype=torch.float64), torch.randn(16, 3, generator=g, dtype=torch.float64)
    forgetful = null_space_update(keys, resid, proj, None, l2=1.0)
    keeping = null_space_update(keys, resid, proj, earlier @ earlier.T, l2=1.0)
    assert (keeping @ earlier).norm() < 0.5 * (forgetful @ earlier).norm()


CFG = GateConfig()
N_SEQUENTIAL = 10


def _bench() -> Any:
    """bench/model_updates.py: the sequential requests and the organism settings the bench measures."""
    spec = importlib.util.spec_from_file_location("model_updates", Path(__file__).parents[2] / "bench" / "model_updates.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()


def alphaedit_hparams(stats_dir: str) -> Any:
    """The organism has two layers: edit both, key at the prompt's last token (as MEMIT's tests)."""
    from apimig.models.methods import get_method

    hp = get_method("alphaedit").default_hparams("qwen2")
    return dataclasses.replace(hp, **BENCH.organism_overrides("alphaedit", stats_dir))


def test_sequential_requests_are_a_hundred_distinct_prompts() -> None:
    requests = BENCH.sequential_requests(100)
    assert len({r.prompt for r in requests}) == 100
    assert all(r.rephrase_prompts and r.locality_inputs and r.ground_truth for r in requests)


def test_alphaedit_passes_the_gate_and_restores(lm: Any, stats_dir: str) -> None:
    check_update("alphaedit", lm, load_requests(DATA)[7:8], alphaedit_hparams(stats_dir))
    assert not edit_memory(lm.model).key_grams, "the restore forgets the edit's keys"


def test_rolled_back_edit_leaves_no_keys_behind(lm: Any, stats_dir: str) -> None:
    from apimig.models.methods import get_method

    method, hp = get_method("alphaedit"), alphaedit_hparams(stats_dir)
    first = method.apply(lm.model, method.compute(lm.model, lm.tokenizer, BENCH.sequential_requests(1), hp))
    kept = {k: v.clone() for k, v in edit_memory(lm.model).key_grams.items()}
    assert sorted(kept) == [f"model.layers.{i}.mlp.down_proj.weight" for i in (0, 1)]
    strict = GateConfig(min_efficacy=1.1)  # nothing passes: the gate rolls the second edit back
    result = run_update(method, lm.model, lm.tokenizer, BENCH.sequential_requests(2)[1:], hp, strict)
    assert result.report.rolled_back
    grams = edit_memory(lm.model).key_grams
    assert all(torch.equal(grams[k], v) for k, v in kept.items()), "only kept edits' keys stay in the memory"
    first()


def sequential_run(name: str, lm: Any, hp: Any, requests: list[EditRequest]) -> tuple[float, float]:
    """Edit one request at a time without rollback; (efficacy over all edits, specificity)."""
    from apimig.models.methods import get_method

    method = get_method(name)
    base = snapshot(lm.model, lm.tokenizer, requests, CFG)
    for r in requests:
        method.apply(lm.model, method.compute(lm.model, lm.tokenizer, [r], hp))
    after = snapshot(lm.model, lm.tokenizer, requests, CFG)
    spec = agreement(base.locality_tokens, after.locality_tokens)
    assert spec is not None
    return after.efficacy, spec


def test_sequential_edits_do_not_collapse(organism_dir: Path, stats_dir: str) -> None:
    """Ten sequential edits (four APIs in varied contexts): AlphaEdit keeps them and the locality
    prompts; MEMIT, with the organism settings of its own tests, does no better (bench/model_updates.py
    measures MEMIT at 0.5 efficacy and 0.83 specificity after 10 edits, AlphaEdit at 1.0 and 0.98)."""
    from apimig.models.loading import load_model

    requests = BENCH.sequential_requests(N_SEQUENTIAL)
    eff, spec = sequential_run("alphaedit", load_model(organism_dir, device="cpu"), alphaedit_hparams(stats_dir), requests)
    memit_eff, memit_spec = sequential_run("memit", load_model(organism_dir, device="cpu"),
                                           organism_hparams("memit", stats_dir), requests)
    # The organism's weights follow the CPU's float kernels: one CI machine measured 1.0 / 0.98, another
    # 0.7 / 0.93 (MEMIT 0.5 / 0.81 there). The floor holds on both; the 100-edit target is bench/model_updates.py's.
    assert eff >= 0.7 and spec >= 0.9, (eff, spec)
    assert eff > memit_eff and spec >= memit_spec, ((eff, spec), (memit_eff, memit_spec))


def test_experiment_auto_plans_alphaedit_for_sequential_requests(tmp_path: Path) -> None:
    import yaml

    from apimig.models.experiment import SpecError, load_spec, plan

    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(yaml.safe_dump({"model": "m", "requests": "r.json", "sequential": True}), encoding="utf-8")
    requests = load_requests(DATA)
    assert [s.method for s in plan(load_spec(spec_path), requests)] == ["alphaedit", "lora", "dpo"]
    spec_path.write_text(yaml.safe_dump({"model": "m", "requests": "r.json"}), encoding="utf-8")
    assert plan(load_spec(spec_path), requests)[0].method == "memit"
    spec_path.write_text(yaml.safe_dump({"model": "m", "requests": "r.json", "sequential": "yes"}), encoding="utf-8")
    with pytest.raises(SpecError, match=r"spec\.yaml: sequential: .*'yes'"):
        load_spec(spec_path)
