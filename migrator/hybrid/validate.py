"""Check a model's candidate before anyone sees it: a whitelist, not a blacklist.

Why: a code model can break syntax, edit unrelated code, drop an argument or smuggle in
``os.system``. A candidate is kept only when the whole module compiles, its syntax tree is
identical to the original's everywhere but the finding's expression (imports added for the
replacement aside), the new expression uses only what ``allowed.Allowance`` permits, it keeps
every operand of the original call, each added import is used by the new expression and
rebinds nothing, the finding's rule (and every other rule) no longer fires, and -- where the
library is importable here -- the names exist and the arguments bind to ``inspect.signature``.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import importlib.util
import inspect
from collections import Counter
from dataclasses import dataclass
from typing import Any, Protocol

from apimig.migrator.analysis import Binding, Resolver, import_bindings, parser, qualified_name
from apimig.migrator.findings import Finding
from apimig.migrator.hybrid.allowed import Allowance, ExpressionCheck, Usage, is_builtin, node_key, operands
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


class Rejected(Exception):
    """A check failed; the message is the reason shown to the user."""


def _compile(source: str) -> ast.Module:
    """Parse, then compile: ``return`` or ``break`` at module level parse but do not compile."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise Rejected(f"does not parse: line {exc.lineno}: {exc.msg}") from None
    try:
        compile(tree, "<candidate>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise Rejected(f"does not compile: line {exc.lineno}: {exc.msg}") from None
    return tree


def _check_lines(original: str, candidate: str, finding: Finding) -> None:
    """Text may change only on the finding's lines, plus import lines added elsewhere."""
    first, last = region_lines(finding)
    a, b = original.splitlines(), candidate.splitlines()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "insert" and all(is_import_line(l) or not l.strip() for l in b[j1:j2]) and not first <= i1 <= last:
            continue
        if i1 < first or i2 > last + 1 or (tag == "insert" and not first <= i1 <= last + 1):
            where = i1 + 1 if i1 < first else max(i1, i2 - 1) + 1
            raise Rejected(f"edits outside the finding's lines {first + 1}-{last + 1} (line {where})")


def _finding_expression(tree: ast.Module, source: str, finding: Finding) -> ast.expr:
    """The expression the finding points at, widened to the call when it names the callee."""
    lines = source.splitlines()

    def byte_col(line: int, col: int) -> int:
        return len(lines[line][:col].encode()) if line < len(lines) else col

    span = (finding.start.line + 1, byte_col(finding.start.line, finding.start.col),
            finding.end.line + 1, byte_col(finding.end.line, finding.end.col))
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
        if isinstance(node, ast.expr) and (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset) == span:
            parent = parents.get(id(node))
            return parent if isinstance(parent, ast.Call) and parent.func is node else node
    raise Rejected("the finding is not an expression; only expression fixes are validated")


def _differs(a: Any, b: Any, hole: ast.expr, found: list[ast.expr], line: int) -> int | None:
    """Line of the first difference between ``a`` and ``b`` outside ``hole`` (whose match goes in ``found``)."""
    if a is hole:
        found.append(b)
        return None if isinstance(b, ast.expr) else line
    if isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            return line
        for x, y in zip(a, b):
            where = _differs(x, y, hole, found, line)
            if where is not None:
                return where
        return None
    if not isinstance(a, ast.AST):
        return None if a == b else line
    if type(a) is not type(b):
        return getattr(a, "lineno", line)
    here = getattr(a, "lineno", line)
    for name in a._fields:
        where = _differs(getattr(a, name, None), getattr(b, name, None), hole, found, here)
        if where is not None:
            return where
    return None


def _split_added_imports(old: ast.Module, new: ast.Module) -> tuple[list[ast.stmt], list[ast.stmt]]:
    """(candidate body without the top-level imports it added, those imports)."""
    body: list[ast.stmt] = []
    added: list[ast.stmt] = []
    i = 0
    for stmt in new.body:
        same = i < len(old.body) and ast.dump(stmt) == ast.dump(old.body[i])
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) and not same:
            added.append(stmt)
            continue
        body.append(stmt)
        i += 1
    return body, added


def _new_expression(old: ast.Module, new: ast.Module, hole: ast.expr) -> tuple[ast.expr, list[ast.stmt]]:
    body, added = _split_added_imports(old, new)
    found: list[ast.expr] = []
    if len(body) != len(old.body):
        line = old.body[min(len(body), len(old.body) - 1)].lineno if old.body else 1
        raise Rejected(f"adds or drops a statement outside the finding's expression (line {line})")
    where = _differs(old.body, body, hole, found, 1)
    if where is not None:
        raise Rejected(f"changes code outside the finding's expression (line {where})")
    return found[0], added


class _Names:
    """Name questions about the candidate, answered by the project's one resolver (tree-sitter)."""

    def __init__(self, source: str) -> None:
        self.root = parser().parse(source.encode()).root_node
        self.resolver = Resolver(self.root)

    def node_at(self, node: ast.expr | ast.stmt) -> Any:
        """The tree-sitter node spanning exactly what ``node`` spans in the candidate."""
        return self.root.descendant_for_point_range(
            (node.lineno - 1, node.col_offset), ((node.end_lineno or node.lineno) - 1, node.end_col_offset or 0))

    def qualify(self, node: ast.expr) -> str | None:
        """``np.trapezoid`` -> ``numpy.trapezoid``, ``len`` -> ``builtins.len``; None for locals."""
        return qualified_name(self.resolver, self.node_at(node)) if isinstance(node, (ast.Name, ast.Attribute)) else None

    def is_bound(self, node: ast.Name) -> bool:
        return self.resolver.lookup(node.id, self.node_at(node)) is not None

    def statement_at(self, stmt: ast.stmt) -> Any:
        node = self.node_at(stmt)
        while node is not None and node.type not in ("import_statement", "import_from_statement"):
            node = node.parent
        return node


def _check_operands(check: ExpressionCheck, kept: list[ast.expr], hole: ast.expr, removable: set[str]) -> None:
    """Every operand of the original call is reused, except keywords the rule removes."""
    keywords = [k for k in getattr(hole, "keywords", []) if k.arg]
    labels = {node_key(k.value): f"{k.arg}={ast.unparse(k.value)}" for k in keywords}
    removed = Counter(node_key(k.value) for k in keywords if k.arg in removable)
    for key, left in (check.kept - removed).items():
        if left > 0:
            node = next(k for k in kept if node_key(k) == key)
            raise Rejected(f"drops or changes `{labels.get(key, ast.unparse(node))}` of the original call")


def _check_import_forms(added: list[ast.stmt], names: _Names, old_names: _Names) -> None:
    """Each added import is absolute, names its names, and rebinds nothing the file already binds
    (nor a builtin, which would change every other use of it in the file)."""
    existing = old_names.resolver.module.bindings
    for stmt in added:
        if isinstance(stmt, ast.ImportFrom) and (stmt.level or any(a.name == "*" for a in stmt.names)):
            raise Rejected(f"adds `{ast.unparse(stmt)}` (star or relative import)")
        for binding in _bindings(stmt, names):
            before = existing.get(binding.name)
            if before and any(b.qname != binding.qname for b in before):
                raise Rejected(f"`{ast.unparse(stmt)}` rebinds `{binding.name}`, already bound in the file")
            if is_builtin(binding.name):
                raise Rejected(f"`{ast.unparse(stmt)}` shadows the builtin `{binding.name}` for the whole file")


def _check_imports_used(added: list[ast.stmt], names: _Names, usage: Usage) -> None:
    """Each name an added import binds is used by the new expression, and the module is one it needs."""
    used = set(usage.qnames)
    for stmt in added:
        for binding in _bindings(stmt, names):
            if binding.name not in usage.names:
                raise Rejected(f"adds `{ast.unparse(stmt)}`, which the new expression does not use")
            needed = stmt.module if isinstance(stmt, ast.ImportFrom) and stmt.module else binding.qname or ""
            if isinstance(stmt, ast.Import):
                needed = next((a.name for a in stmt.names if (a.asname or a.name.split(".")[0]) == binding.name), needed)
            if not any(q == needed or q.startswith(needed + ".") for q in used):
                raise Rejected(f"adds `{ast.unparse(stmt)}`, which the replacement does not need")


def _bindings(stmt: ast.stmt, names: _Names) -> list[Binding]:
    ts_stmt = names.statement_at(stmt)
    bindings = list(import_bindings(ts_stmt)) if ts_stmt is not None else []
    if not bindings:
        raise Rejected(f"adds `{ast.unparse(stmt)}`, which binds no name the new expression uses")
    return bindings


def _resolve(qname: str, allowed_roots: set[str]) -> tuple[Any, str]:
    """(object or None, problem). Imports only modules of libraries the file already uses."""
    root = qname.split(".")[0]
    if root not in allowed_roots or importlib.util.find_spec(root) is None:
        return None, ""
    parts = qname.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:
            continue
        for j, attr in enumerate(parts[i:], start=i):
            if not hasattr(obj, attr):
                version = getattr(importlib.import_module(root), "__version__", "")
                return None, f"`{'.'.join(parts[: j + 1])}` does not exist in the installed {root} {version}".rstrip()
            obj = getattr(obj, attr)
        return obj, ""
    return None, ""


def _check_exists(expr: ast.expr, names: _Names, roots: set[str]) -> None:
    """Every library name the new expression reads exists in the installed library."""
    for node in ast.walk(expr):
        qname = names.qualify(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
        problem = _resolve(qname, roots)[1] if qname else ""
        if problem:
            raise Rejected(problem)


def _check_signatures(expr: ast.expr, names: _Names, roots: set[str]) -> None:
    """Library calls in the new expression bind to the installed signature (where importable)."""
    for call in (n for n in ast.walk(expr) if isinstance(n, ast.Call)):
        qname = names.qualify(call.func)
        obj = _resolve(qname, roots)[0] if qname else None
        if obj is None or not callable(obj) or any(isinstance(a, ast.Starred) for a in call.args) or any(
                k.arg is None for k in call.keywords):
            continue
        try:
            sig = inspect.signature(obj)
        except (TypeError, ValueError):
            continue
        try:
            sig.bind(*([None] * len(call.args)), **{k.arg: None for k in call.keywords if k.arg})
        except TypeError as exc:
            raise Rejected(f"arguments do not bind to `{qname}{sig}`: {exc}") from None


def _imported_roots(names: _Names) -> set[str]:
    return {b.qname.split(".")[0] for bs in names.resolver.module.bindings.values() for b in bs
            if b.kind == "import" and b.qname}


def _structure(original: str, candidate: str, finding: Finding) -> tuple[ast.expr, ast.expr, list[ast.stmt]]:
    """(the finding's expression, what replaces it, added imports): the only differences allowed."""
    if candidate == original:
        raise Rejected("the candidate changes nothing")
    new_tree = _compile(candidate)
    _check_lines(original, candidate, finding)
    try:
        old_tree = ast.parse(original)
    except SyntaxError:
        raise Rejected("the original does not parse, so the candidate cannot be compared with it") from None
    hole = _finding_expression(old_tree, original, finding)
    return (hole, *_new_expression(old_tree, new_tree, hole))


def _check(original: str, candidate: str, finding: Finding, checker: Checker, check_signatures: bool) -> None:
    hole, new_expr, added = _structure(original, candidate, finding)
    rule = getattr(checker, "by_id", {}).get(finding.rule_id)
    known = {r.library for r in getattr(checker, "rules", ())} - {"stdlib"}
    names, old_names = _Names(candidate), _Names(original)
    callee = old_names.qualify(hole.func) if isinstance(hole, ast.Call) else None
    allowance = Allowance.of(rule, finding.library, known, callee)
    before = Counter(f.rule_id for f in checker.check(original))
    after = Counter(f.rule_id for f in checker.check(candidate))
    if after[finding.rule_id] >= before[finding.rule_id]:
        raise Rejected(f"still uses the deprecated `{finding.snippet or finding.rule_id}` ({finding.rule_id})")
    added_rules = sorted(r for r in after if after[r] > before[r])
    if added_rules:
        raise Rejected(f"introduces deprecated API ({', '.join(added_rules)})")
    roots = _imported_roots(old_names) | ({finding.library} & allowance.roots)
    if check_signatures:
        _check_exists(new_expr, names, roots)
        _check_signatures(new_expr, names, roots)
    _check_import_forms(added, names, old_names)
    kept = operands(hole, lambda func: old_names.qualify(func) is not None)
    check = ExpressionCheck(allowance, hole, kept, names.qualify, names.is_bound)
    problem = check.run(new_expr)
    if problem:
        raise Rejected(problem)
    _check_operands(check, kept, hole, set(rule.fix.arg_remove) if rule is not None else set())
    _check_imports_used(added, names, check.usage)


def validate_candidate(original: str, candidate: str, finding: Finding, checker: Checker, *,
                       check_signatures: bool = True) -> Verdict:
    """The first failed check gives the reason; ``Verdict(True)`` when all pass."""
    try:
        _check(original, candidate, finding, checker, check_signatures)
    except Rejected as exc:
        return Verdict.reject(str(exc))
    return Verdict(True)
