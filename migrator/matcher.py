"""Find where active rules match in one parsed file.

References are resolved through imports (aliases, ``from`` imports, imports inside
functions); shadowed names, strings and comments never match. Method rules need the
receiver's type: known from a constructor or reader call in the same scope (fix), known
to be something else (silent), or unknown (manual finding). Compatibility shims are
skipped (``guards.in_shim``); suppressed lines are skipped by the engine.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from tree_sitter import Node

from .analysis import Binding, Resolver, captures, dotted, identifiers_named, import_bindings, import_statements, text
from .guards import in_shim
from .rules.schema import Rule
from .typeinfo import infer_type, named_like

_RUFF_ALIAS = re.compile(r"^APIMIG\d+$", re.I)
_SUPPRESS = re.compile(r"#\s*(?:apimig:\s*ignore(?:\[([^\]]*)\])?|noqa(?::\s*([\w\-., ]+))?)", re.I)


@dataclass(frozen=True)
class Match:
    rule: Rule
    node: Node  # the matched reference (attribute chain, identifier, dotted module name, method attribute)
    where: str  # "ref" | "import" | "method"
    call: Node | None = None  # the call whose callee is ``node``
    binding: Binding | None = None
    receiver: Node | None = None
    manual_reason: str | None = None


@dataclass
class RuleIndex:
    by_qname: Mapping[str, Sequence[Rule]]
    by_method: Mapping[str, Sequence[Rule]]

    @classmethod
    def build(cls, rules: Iterable[Rule]) -> "RuleIndex":
        by_qname: dict[str, list[Rule]] = {}
        by_method: dict[str, list[Rule]] = {}
        for rule in rules:
            if rule.is_method:
                by_method.setdefault(rule.name, []).append(rule)
            else:
                by_qname.setdefault(rule.old, []).append(rule)
        return cls(by_qname, by_method)


def suppressions(root: Node) -> dict[int, set[str] | None]:
    """Line -> suppressed rule ids (None: all) from ``# apimig: ignore[...]`` / ``# noqa`` comments."""
    out: dict[int, set[str] | None] = {}
    for node in captures('((comment) @c (#match? @c "apimig|noqa|NOQA"))', root).get("c", []):
        m = _SUPPRESS.search(text(node))
        if not m:
            continue
        ids = m.group(1) if m.group(1) is not None else m.group(2)
        line = node.start_point[0]
        codes = None if ids is None else {i.strip() for i in re.split(r"[,\s]+", ids) if i.strip()}
        # ``# noqa: APIMIG001``: a code ruff accepts (with lint.external = ["APIMIG"]) for every apimig rule
        out[line] = None if codes is None or any(_RUFF_ALIAS.match(c) for c in codes) else codes
    return out


def _callee_call(node: Node) -> Node | None:
    parent = node.parent
    if parent is not None and parent.type == "call" and parent.child_by_field_name("function") == node:
        return parent
    return None


def _has_keyword(call: Node | None, names: Iterable[str]) -> bool:
    if call is None:
        return False
    args = call.child_by_field_name("arguments")
    if args is None:
        return False
    wanted = set(names)
    return any(c.type == "keyword_argument" and text(c.child_by_field_name("name")) in wanted  # type: ignore[arg-type]
               for c in args.children)


_BUILTIN_TYPES = (list, dict, set, frozenset, str, bytes, bytearray, tuple)


@lru_cache(maxsize=None)
def _builtin_signatures(method: str) -> tuple[inspect.Signature | None, ...]:
    """Signatures of the builtin containers' methods called ``method`` (None: not introspectable)."""
    out: list[inspect.Signature | None] = []
    for t in _BUILTIN_TYPES:
        fn = getattr(t, method, None)
        if fn is None or not callable(fn):
            continue
        try:
            out.append(inspect.signature(fn))
        except (TypeError, ValueError):
            out.append(None)
    return tuple(out)


def _fits_a_builtin(method: str, call: Node | None) -> bool:
    """Could ``x.method(...)`` be the list/dict/str/... method of that name, judging by the call's
    arguments? ``rows.append(row)`` could; ``df.append(other, ignore_index=True)`` could not."""
    sigs = _builtin_signatures(method)
    if not sigs:
        return False
    if call is None:
        return True  # a bare reference such as ``f = x.append``
    args = call.child_by_field_name("arguments")
    if args is None or args.type != "argument_list":
        return True
    positional, keywords = 0, []
    for child in args.named_children:
        if child.type in ("list_splat", "dictionary_splat"):
            return True  # the shape is unknown: stay on the quiet side
        if child.type == "keyword_argument":
            keywords.append(text(child.child_by_field_name("name")))  # type: ignore[arg-type]
        elif child.type != "comment":
            positional += 1
    for sig in sigs:
        if sig is None:
            return True
        try:
            sig.bind(object(), *range(positional), **dict.fromkeys(keywords))
            return True
        except TypeError:
            continue
    return False


def _unknown_worth_reporting(rule: Rule, method: str, call: Node | None, receiver: Node) -> bool:
    """A receiver of unknown type: report it (as manual) per the rule's ``unknown_receiver``."""
    if rule.unknown_receiver == "skip":
        return False
    if named_like(receiver, rule.receiver):
        return True
    return rule.unknown_receiver == "manual" and not _fits_a_builtin(method, call)


def _rule_applies(rule: Rule, call: Node | None) -> bool:
    keywords = [*rule.fix.arg_rename, *rule.fix.arg_remove]
    if keywords:
        return _has_keyword(call, keywords)
    return True


class Matcher:
    def __init__(self, index: RuleIndex) -> None:
        self.index = index

    def find(self, root: Node, resolver: Resolver, data: bytes, names: set[str]) -> list[Match]:
        """Matches in one file for the rule ``names`` its text mentions (``TextFilter.names_in``)."""
        stmts = import_statements(root, data)
        imported = {b.name: b for stmt in stmts for b in import_bindings(stmt)}
        if not imported:
            return []
        matches: list[Match] = []
        roots = {b.qname.split(".")[0] for b in imported.values() if b.qname}
        wanted = set(names)
        wanted |= {b.name for b in imported.values()
                   if b.qname in self.index.by_qname and b.name != b.qname.rsplit(".", 1)[-1]}
        nodes = identifiers_named(root, data, wanted)
        for node in nodes:
            parent = node.parent
            if parent is None:
                continue
            if parent.type == "attribute" and parent.child_by_field_name("attribute") == node:
                matches.extend(self._attribute(parent, resolver, imported, roots))
            elif parent.type in ("dotted_name", "aliased_import") or (
                    parent.type == "keyword_argument" and parent.child_by_field_name("name") == node):
                continue
            elif text(node) in imported:
                matches.extend(self._name(node, resolver))
        matches.extend(self._imports(stmts))
        # prefer the longest chain: drop a match whose node is the object of another match's node
        ids = {m.node.id for m in matches}
        kept = [m for m in matches if not (m.node.parent is not None and m.node.parent.type == "attribute"
                                           and m.node.parent.id in ids and m.where != "method")]
        return [m for m in kept if not in_shim(m.node, m.rule)]

    def _attribute(self, node: Node, resolver: Resolver, imported: Mapping[str, Binding], roots: set[str]) -> list[Match]:
        out: list[Match] = []
        head = node
        while head.type == "attribute":
            head = head.child_by_field_name("object")  # type: ignore[assignment]
        # resolving costs a scope walk: only chains that start with an imported name can match
        chain = resolver.qualified_chain(node) if head.type == "identifier" and text(head) in imported else None
        call = _callee_call(node)
        if chain is not None:
            qname, binding = chain
            for rule in self.index.by_qname.get(qname, ()):
                if _rule_applies(rule, call):
                    out.append(Match(rule, node, "ref", call, binding))
            if out:
                return out
        name = text(node.child_by_field_name("attribute"))  # type: ignore[arg-type]
        # a receiver of a library's type can only exist where that library is imported
        rules = [r for r in self.index.by_method.get(name, ()) if r.receiver.split(".")[0] in roots]  # type: ignore[union-attr]
        if not rules:
            return out
        receiver = node.child_by_field_name("object")
        assert receiver is not None
        inferred = infer_type(receiver, resolver)
        for rule in rules:
            if not _rule_applies(rule, call):
                continue
            if inferred == rule.receiver:
                out.append(Match(rule, node, "method", call, None, receiver))
            elif inferred is None and _unknown_worth_reporting(rule, name, call, receiver) \
                    and _imports_library(resolver, rule) \
                    and not any(m.manual_reason for m in out):  # one manual finding per call, not one per type
                types = " or ".join(sorted({r.receiver for r in rules if r.unknown_receiver != "skip"}))  # type: ignore[misc]
                out.append(Match(rule, node, "method", call, None, receiver,
                                 manual_reason=f"the receiver's type is unknown; fix it by hand if it is a {types}"))
            # inferred is another type (or KNOWN_OTHER): never touch it
        return out

    def _name(self, node: Node, resolver: Resolver) -> list[Match]:
        binding = resolver.resolve(text(node), node)
        if binding is None or binding.qname is None:
            return []
        call = _callee_call(node)
        # ``import a.old as x``: the import statement itself is rewritten, its uses stay
        return [Match(rule, node, "ref", call, binding)
                for rule in self.index.by_qname.get(binding.qname, ()) if _rule_applies(rule, call)
                and not (binding.style == "import" and _is_module_rule(rule))]

    def _imports(self, stmts: Sequence[Node]) -> list[Match]:
        """Module paths in import statements (``import sklearn.cross_validation``)."""
        out: list[Match] = []
        for stmt in stmts:
            names: list[Node] = []
            if stmt.type == "import_statement":
                for child in stmt.children_by_field_name("name"):
                    names.append(child.child_by_field_name("name") if child.type == "aliased_import" else child)  # type: ignore[arg-type]
            else:
                mod = stmt.child_by_field_name("module_name")
                if mod is not None and mod.type == "dotted_name":
                    names.append(mod)
            for name_node in names:
                if name_node is None:
                    continue
                path = dotted(name_node)
                parts = path.split(".")
                for i in range(len(parts), 0, -1):
                    prefix = ".".join(parts[:i])
                    rules = [r for r in self.index.by_qname.get(prefix, ()) if not r.is_method and _is_module_rule(r)]
                    if rules:
                        out.extend(Match(r, name_node, "import") for r in rules)
                        break
        return out


def _is_module_rule(rule: Rule) -> bool:
    """A rule about a module path (its fix, if any, renames to another module path)."""
    return rule.fix.template is None and rule.fix.transform is None and not rule.fix.arg_rename and not rule.fix.arg_remove


def _imports_library(resolver: Resolver, rule: Rule) -> bool:
    root = rule.receiver.split(".")[0] if rule.receiver else rule.old.split(".")[0]
    for bindings in resolver.module.bindings.values():
        for b in bindings:
            if b.kind == "import" and b.qname and b.qname.split(".")[0] == root:
                return True
    return False


__all__ = ["Match", "Matcher", "RuleIndex", "suppressions", "import_bindings"]
