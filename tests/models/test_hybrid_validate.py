"""The validator rejects what a careless model writes, with the reason; torch-free."""

from __future__ import annotations

import pytest
from apimig.migrator.api import Engine, Finding
from apimig.migrator.hybrid import Candidate, validate_candidate
from apimig.migrator.hybrid.splice import line_edits, splice

from .cases import TRAPZ_SRC as SRC


def verdict(engine: Engine, finding: Finding, text: str) -> str | None:
    v = validate_candidate(SRC, splice(SRC, finding, Candidate(text)), finding, engine)
    return None if v.ok else v.reason


def test_good_candidate_passes_and_keeps_indentation(engine: Engine, finding: Finding) -> None:
    assert verdict(engine, finding, "out = np.trapezoid(y, dx=0.5)") is None
    new = splice(SRC, finding, Candidate("out = np.trapezoid(y, dx=0.5)"))
    assert "    out = np.trapezoid(y, dx=0.5)\n    return out\n" in new
    assert [e.start.line for e in line_edits(SRC, new)] == [5]


def test_parse_breaking_candidate_is_rejected(engine: Engine, finding: Finding) -> None:
    assert verdict(engine, finding, "out = np.trapezoid(y, dx=0.5").startswith("does not parse")


def test_candidate_keeping_the_deprecated_call_is_rejected(engine: Engine, finding: Finding) -> None:
    reason = verdict(engine, finding, "out = np.trapz(y, dx=0.25)")
    assert reason == "still uses the deprecated `np.trapz` (numpy-trapz)"


def test_edit_outside_the_span_is_rejected(engine: Engine, finding: Finding) -> None:
    candidate = SRC.replace("np.trapz(", "np.trapezoid(").replace("linspace(0, 1, 5)", "linspace(0, 1, 9)")
    v = validate_candidate(SRC, candidate, finding, engine)
    assert not v.ok and v.reason == "edits outside the finding's lines 6-6 (line 2)"


def test_added_import_is_allowed(engine: Engine, finding: Finding) -> None:
    text = "import scipy.integrate\nout = scipy.integrate.trapezoid(y, dx=0.5)"
    pytest.importorskip("scipy")
    assert verdict(engine, finding, text) is None
    assert splice(SRC, finding, Candidate(text)).startswith("import numpy as np\nimport scipy.integrate\n")


def test_other_deprecated_api_undefined_names_and_signatures(engine: Engine, finding: Finding) -> None:
    assert verdict(engine, finding, "out = np.in1d(y, y)") == "introduces deprecated API (numpy-in1d)"
    assert verdict(engine, finding, "out = integrate(y)") == "introduces undefined name(s): integrate"
    assert verdict(engine, finding, "out = np.trapezoidal(y)").startswith("`numpy.trapezoidal` does not exist in the installed numpy")
    reason = verdict(engine, finding, "out = np.trapezoid(y, step=0.5)")
    assert reason.startswith("arguments do not bind to `numpy.trapezoid(") and "step" in reason


def test_unchanged_candidate_is_rejected(engine: Engine, finding: Finding) -> None:
    assert verdict(engine, finding, "out = np.trapz(y, dx=0.5)") == "the candidate changes nothing"


def test_hybrid_package_never_imports_torch() -> None:
    import subprocess
    import sys

    code = "import sys, apimig.migrator.hybrid; assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
