"""The harness run by this test's own interpreter: what it records per statement."""

from __future__ import annotations

import sys
from pathlib import Path

from apimig.migrator.verify.envs import Env, EnvSpec
from apimig.migrator.verify.execute import CANDIDATES, free_names, run_in_env, run_pair

HOST = Env(EnvSpec("host", ()), Path(sys.prefix))  # the test venv has numpy, like a real env would


def test_records_bound_values_expression_values_and_shapes() -> None:
    [out] = run_in_env(HOST, "import numpy as np\nx = np.arange(6.0).reshape(2, 3)\nx.sum()\n")
    imp, assign, expr = out.statements
    assert imp["import"] and imp["bound"][0][1] == {"type": "builtins.module", "repr": "numpy", "kind": "module"}
    name, desc = assign["bound"][0]
    assert (name, desc["shape"], desc["dtype"]) == ("x", "(2, 3)", "float64")
    assert desc["numbers"] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert expr["value"]["numbers"] == [15.0]
    assert out.error is None


def test_stops_at_the_first_exception_and_records_it() -> None:
    [out] = run_in_env(HOST, "x = 1\ny = x.nope\nz = 2\n")
    assert len(out.statements) == 2
    assert out.error == {"type": "AttributeError", "message": "'int' object has no attribute 'nope'"}


def test_records_deprecation_warnings() -> None:
    code = "import warnings\nwarnings.warn('gone soon', DeprecationWarning)\n"
    assert run_in_env(HOST, code)[0].deprecations() == ["DeprecationWarning: gone soon"]


def test_free_names_take_the_first_combination_of_candidates_that_runs() -> None:
    [out] = run_in_env(HOST, "y = len(a) + b\n", candidates=["3", "[1.0, 2.0]"])
    assert out.bindings == {"a": "[1.0, 2.0]", "b": "3"}
    assert out.statements[0]["bound"][0][1]["numbers"] == [5.0]
    both = run_in_env(HOST, "y = len(a) + b\n", candidates=["3", "[1.0, 2.0]", "[1]"], keep=5)
    assert [o.bindings for o in both] == [{"a": "[1.0, 2.0]", "b": "3"}, {"a": "[1]", "b": "3"}]
    [fixed] = run_in_env(HOST, "y = len(a) + b\n", bindings=[{"a": "[1]", "b": "1"}])
    assert fixed.bindings == {"a": "[1]", "b": "1"} and fixed.statements[0]["bound"][0][1]["numbers"] == [2.0]


def test_a_pair_runs_on_inputs_both_releases_accept() -> None:
    run = run_pair(HOST, HOST, "import numpy as np\ny = np.sum(a)\n", "y = a.sum()\n")
    assert run.bad.bindings == run.good.bindings == {"a": CANDIDATES[3]}  # the first candidate with .sum
    assert run.good.error is None and run.bad_again is not None


def test_default_reprs_drop_the_module_and_address() -> None:
    [out] = run_in_env(HOST, "class C:\n    pass\nx = C()\nk = C\n")
    assert out.statements[1]["bound"][0][1]["repr"] == "<C object>"
    assert out.statements[2]["bound"][0][1]["repr"] == "<class 'C'>"


def test_free_names_ignore_imports_definitions_and_builtins() -> None:
    code = "import numpy as np\ndef f(v):\n    return v\nfor i in range(3):\n    q = f(i) + a\nprint(b, np, len)\n"
    assert free_names(code) == ["a", "b"]


def test_cpu_limit_ends_a_runaway_case() -> None:
    [out] = run_in_env(HOST, "while True:\n    pass\n", cpu_seconds=1)
    assert out.statements == () and out.crash and "harness exited" in out.crash
    assert out.error is not None and out.error["type"] == "HarnessCrash"


def test_function_like_objects_are_compared_by_kind() -> None:
    [out] = run_in_env(HOST, "import numpy as np\nf = np.sum\ng = len\n")
    assert [r["bound"][0][1]["kind"] for r in out.statements[1:]] == ["callable", "callable"]


def test_printed_output_is_recorded_per_statement() -> None:
    [out] = run_in_env(HOST, "for k in 'ab':\n    print(k)\n")
    assert out.statements[0]["stdout"] == "a\nb\n"
