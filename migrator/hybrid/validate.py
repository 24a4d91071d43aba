"""Check a model's candidate before anyone sees it.

Why: small code models fall back on the APIs they were trained on, break syntax or edit
unrelated code. A candidate is kept only when it parses, changes nothing outside the
finding's lines (except added imports), no longer trips the finding's rule (nor another
rule), introduces no undefined name, and -- where the library is importable here -- calls
names that exist with arguments that bind to ``inspect.signature``.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import inspect
from collections import Counter
from dataclasses import dataclass
from typing import Any, Protocol

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider, QualifiedNameSource, ScopeProvider

from apimig.migrator.findings import Finding
from apimig.migrator.hybrid.proposer import region_lines
from apimig.migrator.hybrid.splice import is_import_line


class Checker(Protocol):
    def check(self, source: str, path: str = "<string>") -> list[Finding]: ...


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str | None = None

    @staticmethod
    def reject(reason: str) -> "Verdict":
        return Verdict(False, reason)


def _parse(source: str) -> cst.Module | str:
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        return f"does not parse: line {exc.raw_line}: {exc.message}"
    except Exception as exc:  # libcst's own limits
        return f"does not parse: {exc}"


def _new_region(original: str, candidate: str, finding: Finding) -> tuple[str | None, range]:
    """Check the edit stays in the finding's lines; return (problem, new-region line range)."""
    first, last = region_lines(finding)
    a, b = original.splitlines(), candidate.splitlines()
    lo, hi = None, None
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "insert" and all(is_import_line(l) or not l.strip() for l in b[j1:j2]) and not (first <= i1 <= last):
            continue
        if i1 < first or i2 > last + 1 or (tag == "insert" and not first <= i1 <= last + 1):
            where = i1 + 1 if i1 < first else max(i1, i2 - 1) + 1
            return f"edits outside the finding's lines {first + 1}-{last + 1} (line {where})", range(0)
        lo = j1 if lo is None else min(lo, j1)
        hi = j2 if hi is None else max(hi, j2)
    return None, range(lo or 0, hi or 0)


def undefined_names(module: cst.Module) -> set[str]:
    """Names read somewhere that no assignment, import or builtin defines."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    names: set[str] = set()
    for scope in set(wrapper.resolve(ScopeProvider).values()):
        if scope is None:
            continue
        for access in scope.accesses:
            if not access.referents:
                node = access.node
                names.add(node.value if isinstance(node, cst.Name) else cst.Module([]).code_for_node(node))
    return names


def _resolve(qname: str, allowed_roots: set[str]) -> tuple[bool, Any, str]:
    """(importable, object or None, message). Imports only modules of libraries the file already uses."""
    root = qname.split(".")[0]
    if root not in allowed_roots or importlib.util.find_spec(root) is None:
        return False, None, ""
    parts = qname.split(".")
    obj: Any = None
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:
            continue
        for j, attr in enumerate(parts[i:], start=i):
            if not hasattr(obj, attr):
                version = getattr(importlib.import_module(root), "__version__", "")
                return True, None, f"`{'.'.join(parts[: j + 1])}` does not exist in the installed {root} {version}".rstrip()
            obj = getattr(obj, attr)
        return True, obj, ""
    return False, None, ""


class _CallCollector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider)

    def __init__(self, lines: range) -> None:
        super().__init__()
        self.lines = lines
        self.calls: list[tuple[str, cst.Call | None]] = []  # (qualified name, call or None for a bare reference)
        self._funcs: set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        self._funcs.add(id(node.func))
        self._record(node.func, node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if id(node) not in self._funcs:
            self._record(node, None)

    def _record(self, node: cst.CSTNode, call: cst.Call | None) -> None:
        if self.get_metadata(PositionProvider, node).start.line - 1 not in self.lines:
            return
        for qn in self.get_metadata(QualifiedNameProvider, node, set()):
            if qn.source == QualifiedNameSource.IMPORT:
                self.calls.append((qn.name, call))


def _check_calls(module: cst.Module, lines: range, allowed_roots: set[str]) -> str | None:
    collector = _CallCollector(lines)
    MetadataWrapper(module, unsafe_skip_copy=True).visit(collector)
    for qname, call in collector.calls:
        importable, obj, problem = _resolve(qname, allowed_roots)
        if problem:
            return problem
        if call is None or not importable or obj is None or not callable(obj):
            continue
        if any(a.star for a in call.args):
            continue
        try:
            sig = inspect.signature(obj)
        except (TypeError, ValueError):
            continue
        n_pos = sum(1 for a in call.args if a.keyword is None)
        kwargs = {a.keyword.value: None for a in call.args if a.keyword is not None}
        try:
            sig.bind(*([None] * n_pos), **kwargs)
        except TypeError as exc:
            return f"arguments do not bind to `{qname}{sig}`: {exc}"
    return None


def _imported_roots(module: cst.Module) -> set[str]:
    roots: set[str] = set()
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Import):
                roots |= {cst.Module([]).code_for_node(a.name).split(".")[0] for a in small.names}
            elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
                roots.add(cst.Module([]).code_for_node(small.module).split(".")[0])
    return roots


def validate_candidate(original: str, candidate: str, finding: Finding, checker: Checker, *,
                       check_signatures: bool = True) -> Verdict:
    """The first failed check gives the reason; ``Verdict(True)`` when all pass."""
    if candidate == original:
        return Verdict.reject("the candidate changes nothing")
    new_module = _parse(candidate)
    if isinstance(new_module, str):
        return Verdict.reject(new_module)
    problem, region = _new_region(original, candidate, finding)
    if problem:
        return Verdict.reject(problem)
    before = Counter(f.rule_id for f in checker.check(original))
    after = Counter(f.rule_id for f in checker.check(candidate))
    if after[finding.rule_id] >= before[finding.rule_id]:
        return Verdict.reject(f"still uses the deprecated `{finding.snippet or finding.rule_id}` ({finding.rule_id})")
    added = sorted(r for r in after if after[r] > before[r])
    if added:
        return Verdict.reject(f"introduces deprecated API ({', '.join(added)})")
    old_module = _parse(original)
    old_undefined = undefined_names(old_module) if isinstance(old_module, cst.Module) else set()
    new_undefined = undefined_names(new_module) - old_undefined
    if new_undefined:
        return Verdict.reject(f"introduces undefined name(s): {', '.join(sorted(new_undefined))}")
    if check_signatures:
        roots = _imported_roots(old_module) if isinstance(old_module, cst.Module) else set()
        roots |= {finding.library} if finding.library.isidentifier() else set()
        problem = _check_calls(new_module, region, roots)
        if problem:
            return Verdict.reject(problem)
    return Verdict(True)
