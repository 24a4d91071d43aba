"""Run a case's code through the harness inside an env, without network, under a CPU limit.

The harness is a stand-alone script (``harness.py``) run by the env's own interpreter; this side
only ships it the code and reads back the JSON record. Network is cut with a fresh network
namespace (``unshare -n``) where the machine allows it: a case must not fetch anything.
"""

from __future__ import annotations

import ast
import builtins
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from .envs import Env, harness_environ

HARNESS = Path(__file__).with_name("harness.py")
CPU_SECONDS = 60
# values tried for names a case uses without binding: numbers first, then arrays, sequences, text,
# a class (issubclass-like APIs)
CANDIDATES = (
    "3",
    "1",
    "2.5",
    "__import__('numpy').arange(1.0, 7.0).reshape(2, 3)",
    "__import__('numpy').arange(1.0, 7.0)",
    "[1.0, 2.0, 3.0]",
    "'abc'",
    "'1.5'",
    "float",
)


@dataclass(frozen=True)
class Outcome:
    """What the harness saw: the bindings used for free names and one record per statement."""

    bindings: dict[str, str]
    statements: tuple[dict[str, Any], ...]
    crash: str | None = None  # the harness itself died (CPU limit, segfault): no records

    @property
    def error(self) -> dict[str, str] | None:
        for record in self.statements:
            if "error" in record:
                return record["error"]
        return {"type": "HarnessCrash", "message": self.crash} if self.crash else None

    def deprecations(self, at_case: bool = False) -> list[str]:
        """Deprecation warnings seen; ``at_case``: only those attributed to the case's own code (a
        library's dependency warning about the library's internals is not the case's concern)."""
        return [f"{w['category']}: {w['message']}" for r in self.statements for w in r.get("warnings", ())
                if w.get("deprecation") and (w.get("at_case") or not at_case)]


def free_names(code: str) -> list[str]:
    """Names the code reads but never binds (nor builtins): the placeholders of a hand case."""
    tree = ast.parse(code)
    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    loads = sorted((n.lineno, n.col_offset, n.id) for n in ast.walk(tree)
                   if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in bound)
    return list(dict.fromkeys(name for _line, _col, name in loads))  # source order, once each


def run_in_env(env: Env, code: str, candidates: Sequence[str] = CANDIDATES,
               bindings: Sequence[Mapping[str, str]] = (), keep: int = 1,
               cpu_seconds: int = CPU_SECONDS) -> list[Outcome]:
    """Execute ``code`` in ``env`` once per binding of its free names (``bindings``, else the
    combinations of ``candidates``): the first ``keep`` clean runs, else the one that got furthest."""
    request = {"code": code, "free": free_names(code), "candidates": list(candidates),
               "bindings": [dict(b) for b in bindings], "keep": keep, "cpu_seconds": cpu_seconds}
    cmd = [str(env.python), "-s", str(_harness_copy(env))]
    if shutil.which("unshare") and _can_unshare():
        cmd = ["unshare", "-n", *cmd]
    proc = subprocess.run(cmd, input=json.dumps(request), capture_output=True, text=True,
                          env=harness_environ(), cwd=env.path)
    try:
        runs = json.loads(proc.stdout)["runs"]
    except (json.JSONDecodeError, KeyError):
        tail = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        return [Outcome({}, (), crash=f"harness exited {proc.returncode}: {tail[:300]}")]
    return [Outcome(r.get("bindings") or {}, tuple(r.get("statements", ()))) for r in runs] or \
        [Outcome({}, (), crash="no binding of the free names could be built")]


def _harness_copy(env: Env) -> Path:
    """The harness beside the env, so the script's folder on sys.path holds nothing of apimig."""
    target = env.path / "apimig-harness" / "harness.py"
    text = HARNESS.read_text(encoding="utf-8")
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return target


_UNSHARE_OK: list[bool] = []


def _can_unshare() -> bool:
    if not _UNSHARE_OK:
        _UNSHARE_OK.append(subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0)
    return _UNSHARE_OK[0]


@dataclass(frozen=True)
class CaseRun:
    """A bad/good pair run on the same inputs, the bad case once more to expose values that change
    from run to run (addresses, timestamps), and the good case on the bad case's release: where the
    replacement already exists there, comparing on one release isolates the rewrite from whatever
    else changed between the releases."""

    bad: Outcome
    good: Outcome
    bad_again: Outcome | None = None
    good_before: Outcome | None = None  # the good case on the bad case's release, when it runs there


def run_pair(bad_env: Env, good_env: Env, bad_code: str, good_code: str, keep: int = 100) -> CaseRun:
    """Run ``bad_code`` and ``good_code`` on the first inputs under which both run cleanly (else
    the first under which the bad one does, so a fix that fails there is seen failing)."""
    bad_runs = run_in_env(bad_env, bad_code, keep=keep)
    if bad_runs[0].error:
        return CaseRun(bad_runs[0], run_in_env(good_env, good_code, bindings=[bad_runs[0].bindings])[0])
    good = run_in_env(good_env, good_code, bindings=[r.bindings for r in bad_runs])[0]
    if good.error:
        good = run_in_env(good_env, good_code, bindings=[bad_runs[0].bindings])[0]
    bad = next((r for r in bad_runs if r.bindings == good.bindings), bad_runs[0])
    return CaseRun(bad, good, run_in_env(bad_env, bad_code, bindings=[bad.bindings])[0],
                   run_in_env(bad_env, good_code, bindings=[bad.bindings])[0] if bad_env != good_env else None)
