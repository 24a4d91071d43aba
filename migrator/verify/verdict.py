"""Decide a rule's verification status from what its bad and good cases did under real releases.

safe: both ran and every observed value agrees (floats and arrays within a tolerance), compared
on the old release when the replacement exists there too, else across the two releases;
unsafe: both ran but a value, type, shape or exception differs, or the fix itself warns of a
deprecation; rejected: the good case fails where the bad one ran; unverified: nothing could be
compared (no env, no runnable case).
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping, Sequence

from .execute import CaseRun, Outcome

REL_TOL, ABS_TOL = 1e-6, 1e-9
STATUS_ORDER = ("rejected", "unsafe", "safe", "unverified")  # a rule takes the first its cases reach


def _short_type(desc: dict[str, Any]) -> str:
    return desc.get("type", "").rsplit(".", 1)[-1]


def _numbers_agree(a: list[Any], b: list[Any]) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if isinstance(x, str) or isinstance(y, str):  # nan / inf travel as their repr
            if x != y:
                return False
        elif not math.isclose(x, y, rel_tol=REL_TOL, abs_tol=ABS_TOL):
            return False
    return True


def value_difference(bad: dict[str, Any], good: dict[str, Any], renames: Mapping[str, str] = {}) -> str | None:
    """None when two described values agree, else what differs (for the ``unsafe`` reason).
    ``renames`` are keywords the fix renames: an estimator's repr shows ``sparse=False`` before and
    ``sparse_output=False`` after, which is the rename itself, not a difference."""
    if bad.get("kind") != good.get("kind"):
        return f"{bad.get('kind')} {bad.get('repr')!r} became {good.get('kind')} {good.get('repr')!r}"
    kind = bad.get("kind")
    if kind in ("module", "callable"):  # a renamed function is a different object by design
        return None
    if _short_type(bad) != _short_type(good):
        return f"type {bad.get('type')} became {good.get('type')}"
    for attr in ("shape", "dtype"):
        if bad.get(attr) != good.get(attr):
            return f"{attr} {bad.get(attr)} became {good.get(attr)}"
    if "numbers" in bad and "numbers" in good:
        return None if _numbers_agree(bad["numbers"], good["numbers"]) else \
            f"values differ: {bad.get('repr', '')[:120]!r} vs {good.get('repr', '')[:120]!r}"
    if _renamed(bad.get("repr", ""), renames) != good.get("repr"):
        return f"{bad.get('repr', '')[:120]!r} became {good.get('repr', '')[:120]!r}"
    return None


def _renamed(text: str, renames: Mapping[str, str]) -> str:
    for old, new in renames.items():
        text = re.sub(rf"\b{re.escape(old)}=", f"{new}=", text)
    return text


def _observations(outcome: Outcome) -> list[list[dict[str, Any]]]:
    """Per non-import statement, the values it produced (bound names in order, or the expression)."""
    out = []
    for record in outcome.statements:
        if record.get("import") and "error" not in record:
            continue
        values = [desc for _name, desc in record.get("bound", ())]
        if "value" in record:
            values.append(record["value"])
        if "stdout" in record:
            values.append({"type": "stdout", "kind": "value", "repr": record["stdout"]})
        out.append(values)
    return out


def outcome_difference(bad: Outcome, good: Outcome, bad_again: Outcome | None = None,
                       renames: Mapping[str, str] = {}) -> str | None:
    """None when the two runs agree statement by statement (or, if the fix changed the statement
    count, on the last statement), else the first difference. Values that differ between ``bad``
    and ``bad_again`` (the same code and inputs) are not reproducible and are skipped."""
    b, g = _observations(bad), _observations(good)
    again = _observations(bad_again) if bad_again is not None else b
    if len(again) != len(b):
        again = b
    index = list(range(len(b))) if len(b) == len(g) else ([len(b) - 1] if b and g else [])
    if not index and (b or g):
        return f"the bad case produced {len(b)} observation(s), the good case {len(g)}"
    offset = 0 if len(b) == len(g) else len(g) - len(b)
    for i in index:
        vb, vg, va = b[i], g[i + offset], again[i]
        if len(vb) != len(vg):
            return f"statement {i + 1}: {len(vb)} value(s) became {len(vg)}"
        for db, dg, da in zip(vb, vg, va):
            if value_difference(db, da) is not None:
                continue  # not reproducible: differs between two runs of the bad case itself
            why = value_difference(db, dg, renames)
            if why:
                return f"statement {i + 1}: {why}"
    return None


_MISSING = (re.compile(r"No module named '([A-Za-z_]\w*)'"),
            re.compile(r".*[Mm]issing optional dependency '([A-Za-z_][\w-]*)'.*", re.S))


def missing_module(outcome: Outcome) -> str | None:
    """The top-level module (or optional dependency) a run failed to import, if that is how it failed."""
    error = outcome.error
    if not error or error["type"] not in ("ModuleNotFoundError", "ImportError"):
        return None
    for pattern in _MISSING:
        match = pattern.fullmatch(error["message"])
        if match:
            return match.group(1)
    return None


_OFFLINE = re.compile(r"Network is unreachable|Temporary failure in name resolution|Name or service not known|"
                      r"urlopen error|Failed to establish a new connection")


def environment_problem(error: dict[str, str]) -> bool:
    """A failure of the machine, not of the fix: a missing distribution (after apimig tried to add
    it) or no network. Those leave a rule unverified rather than rejected."""
    if _OFFLINE.search(error["message"]) or error["type"] in ("URLError", "ConnectionError", "gaierror"):
        return True
    return missing_module(Outcome({}, ({"error": error},))) is not None


def case_status(run: CaseRun, bad_env: str, good_env: str, renames: Mapping[str, str] = {}) -> tuple[str, str]:
    """(status, detail) for one bad/good case pair run under ``bad_env`` and ``good_env``."""
    bad, good = run.bad, run.good
    bad_err, good_err = bad.error, good.error
    if bad_err and good_err:
        return "unverified", (f"the case does not run: bad under {bad_env} raises {_fmt(bad_err)}; "
                              f"good under {good_env} raises {_fmt(good_err)}")
    if good_err and environment_problem(good_err):
        return "unverified", f"good case cannot run here: {_fmt(good_err)} under {good_env}"
    if good_err:
        return "rejected", f"good case raises {_fmt(good_err)} under {good_env}{_inputs(bad)}"
    if bad_err:
        return "unverified", f"bad case raises {_fmt(bad_err)} under {bad_env} (check the version interval)"
    fix_warns = good.deprecations(at_case=True)
    if fix_warns:
        return "unsafe", f"good case still warns under {good_env}: {fix_warns[0][:200]}"
    before = run.good_before if run.good_before is not None and run.good_before.error is None else None
    where = f" on {bad_env} (good also runs on {good_env})" if before else ""
    why = outcome_difference(bad, before or good, run.bad_again, renames)
    if why:
        return "unsafe", why + where + _inputs(bad)
    warned = bad.deprecations(at_case=True) or bad.deprecations()  # the case's own warning first
    seen = f"; bad warned {warned[0][:160]}" if warned else ""
    return "safe", f"bad and good agree{where}{_inputs(bad)}{seen}"


def _inputs(outcome: Outcome) -> str:
    return " with " + ", ".join(f"{k} = {v}" for k, v in outcome.bindings.items()) if outcome.bindings else ""


def combine(results: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """One status for a rule from its cases: the most severe that any case reached."""
    if not results:
        return "unverified", "no case with both 'bad' and 'good' to run"
    for status in STATUS_ORDER:
        for got, detail in results:
            if got == status:
                return got, detail
    return results[0]


def _fmt(error: dict[str, str]) -> str:
    return f"{error['type']}: {error['message'][:200]}"
