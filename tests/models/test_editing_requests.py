"""Requests, hparams and the method registry: no model needed, so no torch forward passes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from apimig.models.requests import EditRequest, RequestError, load_requests, request_from_pair, request_from_rename

DATA = Path(__file__).parent / "data" / "edit_requests.json"


def test_request_file_loads_with_easyedit_names() -> None:
    reqs = load_requests(DATA)
    assert len(reqs) >= 10
    for r in reqs:
        assert r.subject in r.prompt and r.target_new != r.ground_truth and r.locality_inputs


def test_easyedit_record_shapes_are_accepted(tmp_path: Path) -> None:
    rec = {"prompts": "import torch\nwith torch.", "subject": "torch", "target_new": "amp", "ground_truth": "cuda",
           "rephrase_prompt": "import torch\nscaler = torch.",
           "locality_inputs": {"neighborhood": {"prompt": ["x = 1\n"], "ground_truth": ["y"]}}}
    p = tmp_path / "r.jsonl"
    p.write_text(json.dumps(rec) + "\n")
    (r,) = load_requests(p)
    assert r.prompt == "import torch\nwith torch." and r.rephrase_prompts == ("import torch\nscaler = torch.",)
    assert r.locality_inputs == ("x = 1\n",)


def test_bad_records_name_file_and_index(tmp_path: Path) -> None:
    p = tmp_path / "r.json"
    p.write_text(json.dumps([{"prompt": "a = np.", "subject": "np", "target_new": "x"},
                             {"prompt": "a = np.", "subject": "pd", "target_new": "x"}]))
    with pytest.raises(RequestError, match=r"r.json\[1\].*subject 'pd'"):
        load_requests(p)
    p.write_text(json.dumps([{"prompt": "a = np.", "subject": "np", "target_new": "x", "colour": 1}]))
    with pytest.raises(RequestError, match="unknown keys"):
        load_requests(p)


def test_request_from_pair_and_rename() -> None:
    r = request_from_pair("import numpy as np\narea = np.trapz(y)\n", "import numpy as np\narea = np.trapezoid(y)\n")
    assert (r.prompt, r.subject, r.target_new, r.ground_truth) == (
        "import numpy as np\narea = np.", "np", "trapezoid(y)", "trapz(y)")
    r2 = request_from_rename("numpy.trapz", "numpy.trapezoid", "np", "import numpy as np\narea = ",
                             rephrase_prefixes=["import numpy as np\nres = "])
    assert r2.prompt.endswith("np.") and r2.target_new == "trapezoid" and r2.rephrase_prompts == ("import numpy as np\nres = np.",)
    with pytest.raises(RequestError):
        EditRequest(prompt="x = np.", subject="np", target_new="a", ground_truth="a")


def test_pairs_file_becomes_requests(tmp_path: Path) -> None:
    p = tmp_path / "pairs.yaml"
    p.write_text("- {old: \"import torch\\nwith torch.cuda.amp.autocast():\\n\", new: \"import torch\\nwith torch.amp.autocast('cuda'):\\n\"}\n")
    (r,) = load_requests(p)
    assert r.prompt == "import torch\nwith torch." and r.target_new.startswith("amp") and r.ground_truth.startswith("cuda")


def test_hparams_yaml_files_load_for_every_method_and_architecture() -> None:
    from apimig.models.methods import METHODS

    for name in ("rome", "memit", "lora", "dpo"):
        method = METHODS.get(name)
        for model_type in ("qwen2", "llama", "gpt2"):
            hp = method.default_hparams(model_type)
            if name in ("rome", "memit"):
                assert "{}" in hp.rewrite_module_tmp and hp.layers
                assert isinstance(hp.v_lr, float)  # "5e-1" in YAML 1.1 is a string: coerced by type
            else:
                assert hp.target_modules


def test_hparams_reject_unknown_keys_and_bad_values(tmp_path: Path) -> None:
    from apimig.models.methods.base import HParamsError, load_hparams
    from apimig.models.methods.rome.hparams import ROMEHyperParams

    p = tmp_path / "h.yaml"
    p.write_text("layers: [1]\nv_lr: 5e-1\nmom2_n_samples: '100'\n")
    hp = load_hparams(ROMEHyperParams, p)
    assert hp.layers == (1,) and hp.v_lr == 0.5 and hp.mom2_n_samples == 100
    p.write_text("layers: [1]\nv_lrr: 0.5\n")
    with pytest.raises(HParamsError, match=r"unknown keys \['v_lrr'\]"):
        load_hparams(ROMEHyperParams, p)
    p.write_text("layers: [1]\nfact_token: first\n")
    with pytest.raises(HParamsError, match="fact_token"):
        load_hparams(ROMEHyperParams, p)
    p.write_text("layers: [1]\nv_num_grad_steps: 2.5\n")
    with pytest.raises(HParamsError, match="v_num_grad_steps"):
        load_hparams(ROMEHyperParams, p)


def test_unknown_model_type_lists_known() -> None:
    from apimig.models.methods import METHODS
    from apimig.models.methods.base import HParamsError

    with pytest.raises(HParamsError, match="known: \\['gpt2', 'llama', 'qwen2'\\]"):
        METHODS.get("rome").default_hparams("mamba")


def test_methods_registry_is_lazy_and_checked() -> None:
    code = ("import sys; from apimig.models.methods import METHODS; "
            "assert METHODS.names() == ['alphaedit', 'dpo', 'lora', 'memit', 'rome'], METHODS.names(); "
            "assert 'torch' not in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"
    from apimig.migrator.registry import RegistryError
    from apimig.models.methods import METHODS

    with pytest.raises(RegistryError, match="known: alphaedit, dpo, lora, memit, rome"):
        METHODS.get("grace")


def test_shape_check_names_module_and_shapes() -> None:
    torch = pytest.importorskip("torch")
    from apimig.models.methods.base import ShapeError, fit_delta

    w = torch.zeros(4, 8)
    assert fit_delta("m.down_proj", w, torch.ones(8, 4)).shape == (4, 8)  # GPT-2 Conv1D layout
    with pytest.raises(ShapeError, match=r"m.down_proj: update of shape \(4, 4\) does not fit weight of shape \(4, 8\)"):
        fit_delta("m.down_proj", w, torch.ones(4, 4))
