"""Align the old and new libcst trees of one pair and turn each smallest change into an observation.

Why tree alignment rather than a text diff: the same change appears under different import styles
and formatting, so we compare syntax, resolve names through the snippet's imports to qualified
names, and describe the change in terms the rule schema understands (a rename, keyword changes, or
a call template with holes for the receiver and arguments).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
import libcst.metadata

from ..analysis import Resolver, import_bindings, import_statements, line_starts, parser, qualified_name

_HOLE = "__apimig_hole_{}__"


@dataclass(frozen=True)
class Observation:
    """What one pair teaches about one API."""

    kind: str  # rename move alias-removal argument-rename argument-removal method-rename method-to-function call-rewrite
    old: str  # qualified name (``<type>.<method>`` for method changes)
    receiver: str | None = None
    rename: str | None = None
    template: str | None = None
    arg_rename: tuple[tuple[str, str], ...] = ()
    arg_remove: tuple[str, ...] = ()

    @property
    def signature(self) -> tuple[object, ...]:
        return (self.kind, self.rename, self.template, self.arg_rename, self.arg_remove)


class Imports:
    """Qualified names for a libcst module's references, answered by ``analysis.Resolver``.

    Why libcst here at all: the learner aligns two libcst trees and rewrites libcst nodes into
    templates, so it asks about libcst expressions. The answer is not computed a second way:
    each expression is mapped by its position onto the tree-sitter node the matcher resolves,
    so the learner and the matcher agree on aliases, scopes and shadowing.
    """

    def __init__(self, module: cst.Module) -> None:
        self._positions = cst.metadata.MetadataWrapper(module, unsafe_skip_copy=True).resolve(
            cst.metadata.PositionProvider)
        self._data = module.code.encode("utf-8", "surrogatepass")
        self._root = parser().parse(self._data).root_node
        self._resolver = Resolver(self._root)
        self._starts = line_starts(self._data)
        # local name -> qualified name, for every import statement (the learner's preconditions read it)
        self.names: dict[str, str] = {b.name: b.qname for stmt in import_statements(self._root, self._data)
                                      for b in import_bindings(stmt) if b.qname}
        self.assigned: dict[str, str] = {}  # variable -> qualified callee it was assigned from
        for node in _walk(module):
            if isinstance(node, cst.Assign) and isinstance(node.value, cst.Call) and len(node.targets) == 1:
                target = node.targets[0].target
                callee = self.qualify(node.value.func)
                if isinstance(target, cst.Name) and callee:
                    self.assigned[target.value] = callee

    def _offset(self, line: int, col: int) -> int:
        start = self._starts[line - 1]
        end = self._starts[line] if line < len(self._starts) else len(self._data)
        return start + len(self._data[start:end].decode("utf-8", "surrogatepass")[:col].encode("utf-8", "surrogatepass"))

    def qualify(self, expr: cst.BaseExpression) -> str | None:
        """The qualified name of a dotted reference bound by an import (or a builtin), else None."""
        if not isinstance(expr, (cst.Name, cst.Attribute)) or expr not in self._positions:
            return None
        span = self._positions[expr]
        start, end = self._offset(span.start.line, span.start.column), self._offset(span.end.line, span.end.column)
        node = self._root.descendant_for_byte_range(start, end)
        if node is None or (node.start_byte, node.end_byte) != (start, end):
            return None
        return qualified_name(self._resolver, node)


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    out = [node]
    for child in node.children:
        out.extend(_walk(child))
    return out


def _dotted_text(node: cst.BaseExpression | cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted_text(node.value)}.{node.attr.value}"
    return cst.Module([]).code_for_node(node)


def _is_import(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)


Path = tuple[tuple[cst.CSTNode, cst.CSTNode], ...]


def diff(a: cst.CSTNode, b: cst.CSTNode, path: Path = ()) -> list[tuple[cst.CSTNode, cst.CSTNode, Path]]:
    """Smallest differing subtree pairs, each with its aligned ancestors (root first)."""
    if a.deep_equals(b):
        return []
    if type(a) is type(b):
        ca, cb = list(a.children), list(b.children)
        if isinstance(a, (cst.Module, cst.IndentedBlock)):  # imports are the engine's job
            ca = [c for c in ca if not _is_import(c)]
            cb = [c for c in cb if not _is_import(c)]
        if len(ca) == len(cb):
            out: list[tuple[cst.CSTNode, cst.CSTNode, Path]] = []
            for x, y in zip(ca, cb):
                out.extend(diff(x, y, path + ((a, b),)))
            if out:  # else the difference is in a field that is not a child (a name's value, an operator)
                return out
    return [(a, b, path)]


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _lift_reference(a: cst.CSTNode, b: cst.CSTNode, path: Path) -> tuple[cst.CSTNode, cst.CSTNode, Path]:
    """Climb from a changed name to the whole dotted reference (``np.trapz`` rather than ``trapz``)."""
    while path and isinstance(path[-1][0], cst.Attribute) and isinstance(path[-1][1], cst.Attribute):
        a, b = path[-1]
        path = path[:-1]
    return a, b, path


def _lift_call(a: cst.CSTNode, b: cst.CSTNode, path: Path) -> tuple[cst.CSTNode, cst.CSTNode] | None:
    """The nearest enclosing call of the old side, with its aligned new counterpart."""
    if isinstance(a, cst.Call):
        return a, b
    for pa, pb in reversed(path):
        if isinstance(pa, cst.Call):
            return pa, pb
        if isinstance(pa, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            return None
    return None


def _template(new: cst.BaseExpression, call: cst.Call, recv: cst.BaseExpression | None, new_imports: Imports,
              ) -> str | None:
    """Write ``new`` with holes: ``{recv}``, ``{0}``.., and ``{qualified.name}`` for imported references."""
    replacements: dict[str, str] = {}
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    if len(positional) != len(call.args):
        return None  # keywords and star-args need params; not learned from examples

    class Holes(cst.CSTTransformer):
        def _hole(self, text: str) -> cst.Name:
            key = _HOLE.format(len(replacements))
            replacements[key] = "{" + text + "}"
            return cst.Name(key)

        def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:  # type: ignore[override]
            if not isinstance(original, cst.BaseExpression):
                return updated
            if recv is not None and original.deep_equals(recv):
                return self._hole("recv")
            for i, arg in enumerate(positional):
                if original.deep_equals(arg.value):
                    return self._hole(str(i))
            if isinstance(original, (cst.Name, cst.Attribute)):
                q = new_imports.qualify(original)
                if q and not q.startswith("builtins."):
                    return self._hole(q)
            return updated

    try:
        rewritten = new.visit(Holes())
    except Exception:
        return None
    text = _code(rewritten).strip()
    if "{" in text or "}" in text:
        return None  # literal braces would read as holes
    for key, hole in replacements.items():
        text = text.replace(key, hole)
    return text


def _receiver_type(recv: cst.BaseExpression, method: str, old_imports: Imports, api: str) -> str | None:
    """The receiver's type: from its assignment (a constructor) in the snippet, else from the pair's API."""
    if isinstance(recv, cst.Name) and recv.value in old_imports.assigned:
        callee = old_imports.assigned[recv.value]
        if callee.rsplit(".", 1)[-1][:1].isupper():
            return callee
    if api.endswith("." + method):
        return api[: -len(method) - 1]
    return None


def _name_kind(old: str, new: str) -> str:
    if new.startswith("builtins."):
        return "alias-removal"
    return "rename" if old.rsplit(".", 1)[0] == new.rsplit(".", 1)[0] else "move"


def observe(old_code: str, new_code: str, api: str = "") -> list[Observation]:
    """Everything one (old, new) pair teaches, one observation per changed API."""
    old_mod, new_mod = cst.parse_module(old_code), cst.parse_module(new_code)
    old_imp, new_imp = Imports(old_mod), Imports(new_mod)
    found: list[Observation] = []
    seen_calls: set[int] = set()
    for a, b, path in diff(old_mod, new_mod):
        a, b, path = _lift_reference(a, b, path)
        if isinstance(a, (cst.Name, cst.Attribute)) and isinstance(b, (cst.Name, cst.Attribute)):
            qa, qb = old_imp.qualify(a), new_imp.qualify(b)  # type: ignore[arg-type]
            if qa and qb and qa != qb and not qa.startswith("builtins."):
                found.append(Observation(_name_kind(qa, qb), qa, rename=qb))
                continue
        lifted = _lift_call(a, b, path)
        if lifted is None or id(lifted[0]) in seen_calls:
            continue
        call, new = lifted
        seen_calls.add(id(call))
        assert isinstance(call, cst.Call)
        obs = _observe_call(call, new, old_imp, new_imp, api)
        if obs is not None:
            found.append(obs)
    templated = {o.old for o in found if o.template}
    unique: list[Observation] = []
    for o in found:  # a call whose callee and arguments both changed is one template, not a rename too
        if o not in unique and not (o.rename and o.old in templated):
            unique.append(o)
    return unique


def _observe_call(call: cst.Call, new: cst.CSTNode, old_imp: Imports, new_imp: Imports,
                  api: str) -> Observation | None:
    if not isinstance(new, cst.BaseExpression):
        return None
    qf = old_imp.qualify(call.func)
    recv: cst.BaseExpression | None = None
    receiver = None
    if qf is None:
        if not isinstance(call.func, cst.Attribute):
            return None
        recv, method = call.func.value, call.func.attr.value
        receiver = _receiver_type(recv, method, old_imp, api)
        if receiver is None:
            return None
        qf = f"{receiver}.{method}"
        if (isinstance(new, cst.Call) and isinstance(new.func, cst.Attribute) and new.func.value.deep_equals(recv)
                and _same_args(call.args, new.args)):
            return Observation("method-rename", qf, receiver, rename=f"{receiver}.{new.func.attr.value}")
    elif isinstance(new, cst.Call) and new_imp.qualify(new.func) == qf:
        return _observe_args(qf, call, new)
    template = _template(new, call, recv, new_imp)
    if template is None:
        return None
    kind = "call-rewrite" if recv is None else "method-to-function"
    return Observation(kind, qf, receiver, template=template)


def _same_args(a: tuple[cst.Arg, ...] | list[cst.Arg], b: tuple[cst.Arg, ...] | list[cst.Arg]) -> bool:
    return len(a) == len(b) and all(x.value.deep_equals(y.value) and _kw(x) == _kw(y) for x, y in zip(a, b))


def _kw(arg: cst.Arg) -> str | None:
    return arg.keyword.value if arg.keyword is not None else None


def _observe_args(qf: str, call: cst.Call, new: cst.Call) -> Observation | None:
    """Same callee: keywords renamed (same value, new name) or removed; anything else is not an arg rule."""
    old_pos = [a for a in call.args if a.keyword is None]
    new_pos = [a for a in new.args if a.keyword is None]
    if not _same_args(old_pos, new_pos):
        return None
    old_kw = {_kw(a): a for a in call.args if a.keyword is not None}
    new_kw = {_kw(a): a for a in new.args if a.keyword is not None}
    renames: list[tuple[str, str]] = []
    removes: list[str] = []
    used: set[str | None] = set()
    for name, arg in old_kw.items():
        if name in new_kw and new_kw[name].value.deep_equals(arg.value):
            used.add(name)
            continue
        target = next((k for k, v in new_kw.items() if k not in old_kw and k not in used
                       and v.value.deep_equals(arg.value)), None)
        if target is not None:
            used.add(target)
            renames.append((str(name), str(target)))
        elif name not in new_kw:
            removes.append(str(name))
        else:
            return None
    if set(new_kw) - used - set(old_kw):
        return None  # a keyword appeared from nowhere: a value change, not an argument rule
    if not renames and not removes:
        return None
    kind = "argument-rename" if renames else "argument-removal"
    return Observation(kind, qf, arg_rename=tuple(sorted(renames)), arg_remove=tuple(sorted(removes)))
