"""Status decisions from recorded outcomes, without running anything."""

from __future__ import annotations

from packaging.version import Version

import pytest

from apimig.migrator.rules.loader import rule_from_dict
from apimig.migrator.verify.execute import CaseRun, Outcome
from apimig.migrator.verify.prove import choose_releases
from apimig.migrator.verify.verdict import case_status, combine, outcome_difference, value_difference


def _array(numbers: list[float], dtype: str = "float64") -> dict:
    return {"type": "numpy.ndarray", "kind": "value", "repr": "array(...)", "shape": f"({len(numbers)},)",
            "dtype": dtype, "numbers": numbers}


def _run(*values: dict, error: dict | None = None, warns: str | None = None) -> Outcome:
    record: dict = {"line": 1, "import": False, "bound": [["y", v] for v in values],
                    "warnings": [{"category": "DeprecationWarning", "message": warns, "deprecation": True,
                                  "at_case": True}]
                    if warns else []}
    if error:
        record["error"] = error
    return Outcome({}, (record,))


def test_floats_agree_within_tolerance_and_differ_beyond() -> None:
    assert value_difference(_array([1.0, 2.0]), _array([1.0 + 1e-12, 2.0])) is None
    assert "values differ" in value_difference(_array([1.0, 2.0]), _array([1.0, 2.1]))
    assert value_difference(_array([1.0], "float64"), _array([1.0], "float32")) == "dtype float64 became float32"


def test_renamed_functions_agree_but_types_must_match() -> None:
    f = {"type": "builtins.function", "kind": "callable", "repr": "trapz"}
    g = {"type": "builtins.function", "kind": "callable", "repr": "trapezoid"}
    assert value_difference(f, g) is None
    one = {"type": "builtins.int", "kind": "value", "repr": "1", "numbers": [1.0]}
    assert value_difference(one, {**one, "type": "builtins.float", "repr": "1.0"}) == \
        "type builtins.int became builtins.float"


def test_statement_counts_that_differ_compare_the_last_statement() -> None:
    imp = {"line": 1, "import": True, "bound": [], "warnings": []}
    bad = Outcome({}, (_run(_array([1.0])).statements[0],))
    good = Outcome({}, (imp, {**imp, "line": 2}, _run(_array([1.0])).statements[0]))
    assert outcome_difference(bad, good) is None


def test_case_status_order_of_evidence() -> None:
    ok, other = _run(_array([1.0])), _run(_array([2.0]))
    fail = _run(error={"type": "AttributeError", "message": "no attribute 'x'"})
    assert case_status(CaseRun(ok, ok), "v1", "v2")[0] == "safe"
    assert case_status(CaseRun(ok, other), "v1", "v2")[0] == "unsafe"
    assert case_status(CaseRun(ok, fail), "v1", "v2") == \
        ("rejected", "good case raises AttributeError: no attribute 'x' under v2")
    assert case_status(CaseRun(fail, ok), "v1", "v2")[0] == "unverified"
    assert case_status(CaseRun(fail, fail), "v1", "v2")[0] == "unverified"
    status, detail = case_status(CaseRun(ok, _run(_array([1.0]), warns="still old")), "v1", "v2")
    assert status == "unsafe" and "still warns" in detail


def test_values_that_change_between_two_bad_runs_are_not_compared() -> None:
    bad, again, good = _run(_array([1.0]), _array([7.0])), _run(_array([1.0]), _array([8.0])), \
        _run(_array([1.0]), _array([9.0]))
    assert case_status(CaseRun(bad, good, again), "v1", "v2")[0] == "safe"
    assert case_status(CaseRun(bad, good, bad), "v1", "v2")[0] == "unsafe"


def test_a_rule_takes_its_most_severe_case() -> None:
    assert combine([("safe", "a"), ("unsafe", "b")]) == ("unsafe", "b")
    assert combine([("unverified", "a"), ("safe", "b")]) == ("safe", "b")
    assert combine([("safe", "a"), ("rejected", "c"), ("unsafe", "b")]) == ("rejected", "c")
    assert combine([])[0] == "unverified"


@pytest.mark.parametrize(("removed", "expected"), [
    ("2.0", ("1.26.4", "2.0.2")),  # last release before, newest patch of the removal release
    ("2.1", ("2.0.2", "2.1.0")),
    (None, ("2.1.0", "2.1.0")),  # deprecated, not removed: the latest still has it
    ("3.0", ("2.1.0", "2.1.0")),  # removal announced for a release that does not exist yet
])
def test_choose_releases(removed: str | None, expected: tuple[str, str]) -> None:
    raw = {"id": "r", "library": "numpy", "kind": "rename", "old": "numpy.x", "fix": {"rename": "numpy.y"},
           "message": "m", "source": "https://x", "deprecated_in": "1.0", "removed_in": removed,
           "cases": [{"bad": "a", "good": "b"}, {"noop": "c"}]}
    releases = [Version(v) for v in ("1.25.0", "1.26.4", "2.0.0", "2.0.2", "2.1.0")]
    assert tuple(map(str, choose_releases(rule_from_dict(raw), releases))) == expected


def test_where_the_replacement_exists_on_the_old_release_the_rewrite_is_judged_there() -> None:
    bad, good_old, good_new = _run(_array([1.0])), _run(_array([1.0])), _run(_array([1.0], "int64"))
    status, detail = case_status(CaseRun(bad, good_new, bad, good_old), "v1", "v2")
    assert status == "safe" and "on v1 (good also runs on v2)" in detail  # v2's dtype drift is not the fix's
    failing_old = _run(error={"type": "AttributeError", "message": "not yet"})
    assert case_status(CaseRun(bad, good_new, bad, failing_old), "v1", "v2")[0] == "unsafe"


def test_a_good_case_the_machine_cannot_run_is_unverified_not_rejected() -> None:
    ok = _run(_array([1.0]))
    offline = _run(error={"type": "URLError", "message": "<urlopen error [Errno 101] Network is unreachable>"})
    optional = _run(error={"type": "ImportError", "message": "Missing optional dependency 'pooch' required for x"})
    own_submodule = _run(error={"type": "ModuleNotFoundError", "message": "No module named 'scipy.misc'"})
    assert case_status(CaseRun(ok, offline), "v1", "v2")[0] == "unverified"
    assert case_status(CaseRun(ok, optional), "v1", "v2")[0] == "unverified"
    assert case_status(CaseRun(ok, own_submodule), "v1", "v2")[0] == "rejected"


def test_a_renamed_keyword_in_a_repr_is_the_rename_itself() -> None:
    enc = {"type": "sklearn.OneHotEncoder", "kind": "value"}
    bad = _run({**enc, "repr": "OneHotEncoder(sparse=False)"})
    good = _run({**enc, "repr": "OneHotEncoder(sparse_output=False)"})
    assert case_status(CaseRun(bad, good), "v1", "v2", {"sparse": "sparse_output"})[0] == "safe"
    assert case_status(CaseRun(bad, good), "v1", "v2")[0] == "unsafe"


def test_only_warnings_attributed_to_the_case_mean_the_fix_still_warns() -> None:
    ok = _run(_array([1.0]))
    inside = _run(_array([1.0]))
    inside.statements[0]["warnings"] = [{"category": "PyparsingDeprecationWarning", "message": "oneOf",
                                         "deprecation": True, "at_case": False}]
    assert case_status(CaseRun(ok, inside), "v1", "v2")[0] == "safe"
