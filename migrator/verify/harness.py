"""Runs one case's code inside a verification environment and prints what each statement did.

This file is executed by the environment's own interpreter (``ENV/bin/python harness.py``), so it
imports only the standard library and nothing of apimig: the environment holds just the library
release under test. Input is one JSON object on stdin::

    {"code": "...", "free": ["a", "b"], "candidates": ["3", "[1.0, 2.0]"], "keep": 20, "cpu_seconds": 60}

``free`` are names the case uses without binding (hand cases write ``np.trapz(y)``); the
combinations of candidate expressions are bound to them in a fixed order, and the first ``keep``
under which the code runs without an exception are returned. The good case is then run with
``"bindings": [{name: expr}, ...]``, those of the bad case, so both releases see the same inputs.
Output is one JSON object on stdout, ``{"runs": [...]}``: per binding, the bindings and, per
statement, the values it bound, its value, its exception and its warnings. When no binding runs
cleanly, the one that got furthest is the only run.
"""

from __future__ import annotations

import ast
import contextlib
import io
import itertools
import json
import math
import re
import resource
import sys
import types
import warnings

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# a default repr names the class's module, which moves between releases (numpy.lib.npyio -> numpy)
_QUALIFIED = re.compile(r"(<(?:class ')?)(?:[A-Za-z_][\w]*\.)+([A-Za-z_]\w*)('>| object>)")
_MAX_NUMBERS = 1000
MAX_COMBINATIONS = 400  # bindings tried for a case's free names, in a fixed order
# function-like objects that are not FunctionType (numpy's array-function dispatchers, wrappers)
_CALLABLE_REPR = re.compile(r"<(function|built-in function|bound method|method) ")
_DEPRECATIONS = (DeprecationWarning, FutureWarning)  # pending ones announce, they do not expire


def _numbers(value: object) -> list[float] | None:
    """The value's numbers, flattened, when it is numeric (a number or an array-like with a shape)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, complex):
        return [value.real, value.imag]
    if hasattr(value, "shape") and hasattr(value, "tolist") and "numpy" in sys.modules:
        np = sys.modules["numpy"]
        try:
            arr = np.asarray(value)
            if arr.dtype.kind in "biuf":
                return [float(x) for x in arr.astype(float).ravel()[:_MAX_NUMBERS].tolist()]
            if arr.dtype.kind == "c":
                flat = arr.ravel()[:_MAX_NUMBERS]
                return [float(x) for z in flat.tolist() for x in (z.real, z.imag)]
        except Exception:
            return None
    return None


def _safe_repr(value: object) -> str:
    try:
        return repr(value)
    except Exception as exc:
        return f"<repr failed: {type(exc).__name__}>"


def describe(value: object) -> dict:
    """Type, shape, dtype, numbers and an address-free repr: what the two runs are compared on."""
    kind = type(value)
    out: dict = {"type": f"{kind.__module__}.{kind.__qualname__}"}
    if isinstance(value, types.ModuleType):
        out["repr"] = value.__name__
        out["kind"] = "module"
        return out
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)) or (
            callable(value) and not isinstance(value, type) and _CALLABLE_REPR.match(_safe_repr(value))):
        out["kind"] = "callable"
        out["repr"] = getattr(value, "__qualname__", kind.__qualname__)
        return out
    out["kind"] = "class" if isinstance(value, type) else "value"
    text = _safe_repr(value)
    out["repr"] = _QUALIFIED.sub(r"\1\2\3", _ADDRESS.sub("", text))[:2000]
    for attr in ("shape", "dtype"):
        try:
            got = getattr(value, attr, None)
        except Exception:
            got = None
        if got is not None and not callable(got):
            out[attr] = str(tuple(got)) if attr == "shape" and not isinstance(got, str) else str(got)
    nums = _numbers(value)
    if nums is not None:
        out["numbers"] = [x if math.isfinite(x) else repr(x) for x in nums]
    return out


def _targets(stmt: ast.stmt) -> list[str]:
    """Names a statement binds, in source order (imports, assignments, defs, for/with targets)."""
    names: list[str] = []
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        for alias in stmt.names:
            if alias.name != "*":
                names.append((alias.asname or alias.name).split(".")[0])
        return names
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in names:
            names.append(node.id)
    return names


def run_code(code: str, namespace: dict) -> list[dict]:
    """Execute ``code`` statement by statement; stop at the first exception (later ones depend on it)."""
    tree = ast.parse(code)
    records: list[dict] = []
    for stmt in tree.body:
        record: dict = {"line": stmt.lineno, "import": isinstance(stmt, (ast.Import, ast.ImportFrom))}
        printed = io.StringIO()  # what the case prints is an observation, and must not mix with the JSON
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(printed):
            warnings.simplefilter("always")
            try:
                if isinstance(stmt, ast.Expr):
                    expr = ast.Expression(stmt.value)
                    value = eval(compile(expr, "<case>", "eval"), namespace)
                    record["value"] = describe(value)
                else:
                    exec(compile(ast.Module([stmt], type_ignores=[]), "<case>", "exec"), namespace)
                    record["bound"] = [[n, describe(namespace[n])] for n in _targets(stmt) if n in namespace]
            except BaseException as exc:  # noqa: BLE001 - the case's own failure is the observation
                record["error"] = {"type": type(exc).__name__, "message": _ADDRESS.sub("", str(exc))[:2000]}
        if printed.getvalue():
            record["stdout"] = _ADDRESS.sub("", printed.getvalue())[:2000]
        record["warnings"] = [
            {"category": w.category.__name__, "message": str(w.message)[:500],
             "deprecation": issubclass(w.category, _DEPRECATIONS),
             "at_case": w.filename == "<case>"}  # attributed to the case's code, not raised inside a library
            for w in caught]
        records.append(record)
        if "error" in record:
            break
    return records


def _bindings(request: dict) -> list[dict]:
    """Ways to bind the free names: the given ``bindings`` list, else each combination of candidates."""
    if request.get("bindings"):
        return list(request["bindings"])
    free = request.get("free") or []
    if not free:
        return [{}]
    combos = itertools.islice(itertools.product(request.get("candidates") or [], repeat=len(free)), MAX_COMBINATIONS)
    return [dict(zip(free, combo)) for combo in combos]


def main() -> None:
    request = json.loads(sys.stdin.read())
    seconds = int(request.get("cpu_seconds", 60))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    keep = int(request.get("keep", 1))
    clean: list[dict] = []
    best: dict = {}
    for bindings in _bindings(request):
        namespace: dict = {"__name__": "__case__"}
        try:  # one fresh object per name, so a case that mutates one input leaves the others alone
            namespace.update({name: eval(expr, {}) for name, expr in bindings.items()})
        except Exception:
            continue  # a candidate this release cannot build (e.g. needs numpy) is skipped
        records = run_code(request["code"], namespace)
        result = {"bindings": bindings, "statements": records}
        if not any("error" in r for r in records):
            clean.append(result)
            if len(clean) >= keep:
                break
        elif not best or len(records) > len(best["statements"]):
            best = result  # when nothing runs, report the binding that got furthest
    sys.stdout.write(json.dumps({"runs": clean or ([best] if best else [])}))


if __name__ == "__main__":
    main()
