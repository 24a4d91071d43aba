"""Re-check only the top-level definitions that changed since the last check of a document.

Why: an editor re-checks a buffer after every keystroke, and a keystroke changes one
function. A finding inside a top-level ``def``/``class`` depends only on that definition's
text and on the module level around it (imports, assignments, the names of other
definitions), so when the module level is unchanged the findings of an unchanged definition
are reused, moved to where the definition now starts. Unchanged definitions are replaced by a
one-line stub that keeps their name bound, and the engine checks what is left: the module
level and the edited definition. Anything that could make this unsound (a ``global`` or
``nonlocal`` statement, a syntax error) makes the definition part of the module level, which
is always checked; a changed module level drops the cache.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from .analysis import Reparser, Resolver, collect_scope, identifiers_named, is_name_use, text
from .findings import Edit, Finding, Fix, Pos

_UNIT_TYPES = ("function_definition", "class_definition", "decorated_definition")
_UNSOUND = (b"global ", b"nonlocal ")
_IMPORT_TYPES = ("import_statement", "import_from_statement", "future_import_statement")


@dataclass(frozen=True)
class Unit:
    """A top-level definition: its lines [first, last] and its exact text."""

    first: int
    last: int
    text: str
    stub: str  # a line that binds the same name
    start_byte: int = 0
    end_byte: int = 0


@dataclass
class _Cached:
    first: int  # where the unit started when its findings were computed
    last: int
    findings: list[Finding]
    uses: tuple[str, ...] = ()  # its reads of module-level imports, kept in its stub


def split_units(source: str, reparser: Reparser | None = None) -> tuple[list[Unit], tuple[Any, ...]]:
    """Top-level definitions that can be cached, and the key of the module level they depend on.

    A definition's findings depend on the module level only through (a) the imports and what
    precedes the first definition, with their order among the definitions (not their line
    numbers: a fix that edits an import is never reused), (b) which imported names are also
    bound otherwise at module level (shadowing), and (c) whether the buffer parses. Other
    module-level statements may change or move freely.
    """
    data = source.encode("utf-8", "surrogatepass")
    root = (reparser or Reparser()).parse(data).root_node
    units: list[Unit] = []
    anchored: list[tuple[int, str]] = []  # (definitions before it, text): content, not line numbers
    for node in root.children:
        stub = _stub(node)
        if (node.type in _UNIT_TYPES and stub is not None and not node.has_error
                and not any(k in data[node.start_byte:node.end_byte] for k in _UNSOUND)):
            units.append(Unit(node.start_point[0], node.end_point[0], text(node), stub, node.start_byte, node.end_byte))
        elif not units or node.type in _IMPORT_TYPES or _imports_inside(node):
            # imports (also inside try/except ImportError) and the module's head
            anchored.append((len(units), text(node)))
    shadowed = []
    for name, bindings in sorted(collect_scope(root).bindings.items()):
        if any(b.kind == "import" for b in bindings) and any(b.kind != "import" for b in bindings):
            shadowed.append((name, tuple(text(b.node) if b.node is not None else "" for b in bindings)))
    # a broken buffer is checked whole: error recovery can regroup statements across definitions
    return units, (tuple(anchored), tuple(shadowed), root.has_error)


def _imports_inside(node: Any) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type in _IMPORT_TYPES:
            return True
        if n.type not in _UNIT_TYPES:
            stack.extend(n.children)
    return False


def _stub(node: Any) -> str | None:
    inner = node.child_by_field_name("definition") if node.type == "decorated_definition" else node
    if inner is None:
        return None
    name = inner.child_by_field_name("name")
    if name is None:
        return None
    keyword = "class" if inner.type == "class_definition" else "def"
    return f"{keyword} {text(name)}(): pass" if keyword == "def" else f"class {text(name)}: pass"


class IncrementalChecker:
    """``check(source)`` equal to ``engine.check(source)``, reusing unchanged definitions."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self._source_trees = Reparser()  # the buffer, for its top-level structure
        self._checked_trees = Reparser()  # what the engine checks: module level + edited definitions
        self._context: tuple[Any, ...] | None = None
        self._cache: dict[str, _Cached] = {}
        self.reused = 0  # definitions reused by the last check (for tests and benchmarks)

    def check(self, source: str, path: str = "<string>") -> list[Finding]:
        units, context = split_units(source, self._source_trees)
        if context != self._context or context[-1]:  # nothing is reused while the buffer does not parse
            self._context, self._cache = context, {}
        lines = _lines(source)
        reused: list[Finding] = []
        stubbed: set[int] = set()
        cache: dict[str, _Cached] = {}
        fresh_units: list[Unit] = []
        for unit in units:
            hit = self._cache.get(unit.text)
            if hit is None or unit.last >= len(lines):
                fresh_units.append(unit)
                continue
            delta = unit.first - hit.first
            moved = [_moved(f, hit.first, hit.last, delta) for f in hit.findings] if delta else hit.findings
            reused += moved
            cache[unit.text] = _Cached(unit.first, unit.last, moved, hit.uses)
            # the stub keeps the definition's reads of imports, so "is this import still used" stays right
            stub = unit.stub if not hit.uses else unit.stub.replace(" pass", " " + "; ".join(hit.uses))
            lines[unit.first] = stub + _ending(lines[unit.last])
            for i in range(unit.first + 1, unit.last + 1):
                lines[i] = _ending(lines[i])
            stubbed.add(unit.first)
        self.reused = len(units) - len(fresh_units)
        # the module level is always checked; reused definitions are stubs there
        # tree-sitter's incremental re-parse of a broken text may recover differently from a fresh one
        reparser = None if context[-1] else self._checked_trees
        fresh = [f for f in self.engine.check("".join(lines), path, reparser=reparser)
                 if f.start.line not in stubbed]
        if fresh_units:
            data = source.encode("utf-8", "surrogatepass")
            tree = self._source_trees.parse(data)
            imported = self._imported_names(tree.root_node)
            resolver = Resolver(tree.root_node)
        for unit in fresh_units:
            inside = [f for f in fresh if unit.first <= f.start.line <= unit.last]
            if all(_self_contained(f, unit) for f in inside):
                cache[unit.text] = _Cached(unit.first, unit.last, inside,
                                           _import_uses(tree.root_node, data, unit, imported, resolver))
        self._cache = cache
        return sorted(fresh + reused, key=lambda f: (f.start, f.rule_id))

    @staticmethod
    def _imported_names(root: Any) -> set[str]:
        return {name for name, bindings in collect_scope(root).bindings.items()
                if any(b.kind == "import" for b in bindings)}


def _lines(source: str) -> list[str]:
    """Lines ended by ``\n`` only, as tree-sitter counts them (not ``str.splitlines``: form feeds,
    U+2028 and lone CRs do not end a line there)."""
    lines = source.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def _import_uses(root: Any, data: bytes, unit: Unit, imported: set[str], resolver: Resolver) -> tuple[str, ...]:
    """The unit's reads of module-level import bindings, at most two per name: a check asks only
    whether a binding has more than one use, so two keep that answer and the stub stays short."""
    module = resolver.module
    out: list[str] = []
    for node in identifiers_named(root, data, imported, unit.start_byte, unit.end_byte):
        name = text(node)
        if out.count(name) < 2 and is_name_use(node) and resolver.lookup(name, node) is module.bindings.get(name):
            out.append(name)
    return tuple(out)


def _self_contained(f: Finding, unit: Unit) -> bool:
    """Whether ``f``'s fix edits only its own definition. An edit elsewhere (an import added or
    removed) depends on the rest of the file, so such a definition is checked again each time."""
    return f.fix is None or all(unit.first <= e.start.line and e.end.line <= unit.last for e in f.fix.edits)


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


def _moved(f: Finding, first: int, last: int, delta: int) -> Finding:
    """Shift ``f`` and the edits of its fix that start inside lines [first, last] by ``delta`` lines."""
    if not delta:
        return f

    def shift(p: Pos) -> Pos:
        return Pos(p.line + delta, p.col)

    def inside(p: Pos) -> bool:
        return first <= p.line <= last

    fix: Fix | None = f.fix
    if fix is not None:
        fix = replace(fix, edits=tuple(Edit(shift(e.start), shift(e.end), e.text) if inside(e.start) else e
                                       for e in fix.edits))
    return replace(f, start=shift(f.start), end=shift(f.end), fix=fix)
