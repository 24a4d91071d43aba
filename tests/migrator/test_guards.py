"""Compatibility shims are skipped, and only they: a guard that is too broad hides real findings.

Each shape is tested both ways: the shim is skipped, the look-alike that is no shim is reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from apimig.migrator.config import Config
from apimig.migrator.engine import Engine
from apimig.migrator.rules.packs import load_path

RULES = list(load_path(Path(__file__).parent / "data" / "rules.yaml"))
ENGINE = Engine(Config(installed_versions=False), rules=RULES)


def trapz_lines(src: str) -> list[int]:
    return [f.start.line + 1 for f in ENGINE.check("import numpy as np\n" + src) if f.rule_id == "numpy-trapz"]


@pytest.mark.parametrize("src", [
    # fallback: the handler uses the old name, the try the new one
    "try:\n    f = np.trapezoid\nexcept AttributeError:\n    f = np.trapz\n",
    "try:\n    f = np.trapezoid\nexcept (AttributeError, ImportError):\n    f = np.trapz\n",
    # probe: the handler catches exactly what the old API's absence raises
    "try:\n    f = np.trapz\nexcept AttributeError:\n    f = None\n",
    # a version comparison, in an if, an elif and a ternary
    "if np.__version__ < '2':\n    f = np.trapz\n",
    "import sys\nif sys.version_info < (3, 9):\n    f = np.trapz\n",
    "if x:\n    pass\nelif np.lib.NumpyVersion(np.__version__) < '2.0.0':\n    f = np.trapz\n",
    "f = np.trapz if np.__version__.startswith('1') and NP_VERSION < 2 else np.trapezoid\n",
    # an API probe
    "if hasattr(np, 'trapezoid'):\n    f = np.trapezoid\nelse:\n    f = np.trapz\n",
    "f = np.trapezoid if hasattr(np, 'trapezoid') else np.trapz\n",
    "f = np.trapz\nif hasattr(np, 'trapezoid'):\n    f = np.trapezoid\n",
])
def test_shims_are_skipped(src: str) -> None:
    assert trapz_lines(src) == []


@pytest.mark.parametrize("src, line", [
    # a truth test of something called version is no version comparison
    ("if args.version:\n    area = np.trapz(y)\n", 3),
    ("area = np.trapz(y) if opts.version else 0\n", 2),
    # the try body of try/except ImportError: a missing np.trapz raises AttributeError
    ("try:\n    area = np.trapz(y)\nexcept ImportError:\n    area = 0\n", 3),
    # a bare except is no compatibility guard, in the body or the handler
    ("try:\n    area = np.trapz(y)\nexcept:\n    area = 0\n", 3),
    ("try:\n    area = compute(y)\nexcept:\n    area = np.trapz(y)\n", 5),
    # a handler whose try does not try the new name is ordinary error handling
    ("try:\n    area = compute(y)\nexcept ImportError:\n    area = np.trapz(y)\n", 5),
    # a handler for other errors is no guard even when the try uses the new name
    ("try:\n    f = np.trapezoid\nexcept ValueError:\n    f = np.trapz\n", 5),
    # hasattr on something else guards nothing
    ("if hasattr(model, 'fit'):\n    area = np.trapz(y)\n", 3),
    # else/finally of a try are ordinary code
    ("try:\n    import scipy\nexcept ImportError:\n    pass\nelse:\n    area = np.trapz(y)\n", 7),
])
def test_look_alikes_are_reported(src: str, line: int) -> None:
    assert trapz_lines(src) == [line]


def _module_rule_lines(src: str) -> list[int]:
    return [f.start.line + 1 for f in ENGINE.check(src) if f.rule_id == "sklearn-cross-validation"]


def test_import_in_a_try_body_is_a_probe_only_under_import_errors() -> None:
    probe = "try:\n    from sklearn.cross_validation import KFold\nexcept ImportError:\n    KFold = None\n"
    assert _module_rule_lines(probe) == []
    wrong_error = "try:\n    from sklearn.cross_validation import KFold\nexcept AttributeError:\n    KFold = None\n"
    assert _module_rule_lines(wrong_error) == [2]
    bare = "try:\n    from sklearn.cross_validation import KFold\nexcept:\n    KFold = None\n"
    assert _module_rule_lines(bare) == [2]
