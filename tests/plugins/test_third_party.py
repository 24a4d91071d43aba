"""A third-party distribution registered ONLY through entry points works from the command line.

``site_packages/`` holds an unpacked distribution (a package and its ``.dist-info`` with
``entry_points.txt``), as pip would leave it. Each test runs ``apimig`` in a subprocess with
that folder on ``PYTHONPATH``: apimig has no list naming the plugin, so a method, a rule pack
and a proposer that work there work because the entry points are read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SITE = Path(__file__).parent / "site_packages"
APIMIG = "import sys; from apimig.migrator.cli import main; sys.exit(main())"


def apimig(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SITE), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", APIMIG, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_plugin_rule_pack_is_used_by_check(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import toylib\n\nvalue = toylib.old_api(3)\n", encoding="utf-8")
    done = apimig("check", "app.py", "--target", "toylib=2.0", "--no-progress", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "toylib-old-api" in done.stdout and "app.py:3:" in done.stdout


def test_plugin_proposer_fixes_through_fix_model(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import toylib\n\nvalue = toylib.old_api(3)\n", encoding="utf-8")
    (tmp_path / "model").mkdir()
    done = apimig("fix", "app.py", "--target", "toylib=2.0", "--no-progress", "--model", "model",
                  "--proposer", "toy", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == "import toylib\n\nvalue = toylib.new_api(3)\n"
    assert "model fix: app.py:3:" in done.stderr and "toylib-old-api" in done.stderr


def test_unknown_proposer_names_the_registered_ones(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import toylib\n\nvalue = toylib.old_api(3)\n", encoding="utf-8")
    done = apimig("fix", "app.py", "--target", "toylib=2.0", "--no-progress", "--model", ".",
                  "--proposer", "nope", cwd=tmp_path)
    assert "unknown proposer 'nope'" in done.stderr and "known: model, toy" in done.stderr


def _tiny_model(path: Path) -> None:
    """A random two-layer Qwen2 with a small byte-level tokenizer: enough for the edit path."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from apimig.models.organism import EOS, PAD, train_tokenizer

    tok = train_tokenizer(["import datetime\nx = datetime.datetime.utcnow()\n" * 4, "def f(a):\n    return a\n"],
                          300, path)
    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                         eos_token_id=tok.convert_tokens_to_ids(EOS), pad_token_id=tok.convert_tokens_to_ids(PAD))
    Qwen2ForCausalLM(config).save_pretrained(path, safe_serialization=True)


def test_plugin_method_is_offered_and_run_by_edit(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from safetensors.torch import load_file

    base = tmp_path / "base"
    _tiny_model(base)
    requests = [{"prompt": "import datetime\nx = datetime.datetime.", "subject": "datetime.datetime",
                 "target_new": "now(datetime.timezone.utc)", "ground_truth": "utcnow()"}]
    (tmp_path / "requests.json").write_text(json.dumps(requests), encoding="utf-8")
    (tmp_path / "gate.yaml").write_text("min_efficacy: 0\nmin_generalisation: 0\nmin_specificity: 0\n"
                                        "max_syntax_drop: 1\n", encoding="utf-8")
    helped = apimig("edit", "--help", cwd=tmp_path)
    assert "toy-nudge" in helped.stdout and "rome" in helped.stdout and "lora" not in helped.stdout
    done = apimig("edit", "--method", "toy-nudge", "--model", "base", "--requests", "requests.json", "--out", "edited",
                  "--gate", "gate.yaml", "--device", "cpu", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "edited" / "gate_report.json").read_text())
    assert report["method"] == "toy-nudge" and report["passed"]
    name = "model.layers.0.mlp.down_proj.weight"
    before, after = load_file(base / "model.safetensors")[name], load_file(tmp_path / "edited" / "model.safetensors")[name]
    assert after.allclose(before * 1.01) and not after.equal(before)
    trained = apimig("train", "toy-nudge", "--model", "base", "--data", "requests.json", "--out", "x", cwd=tmp_path)
    assert trained.returncode == 2 and "invalid choice: 'toy-nudge'" in trained.stderr
