"""Just enough type inference to know when ``x.append(...)`` is a DataFrame's append.

A receiver's type is known when it is a call of a known constructor/reader, or a name
whose binding in the same scope is such a call; literals and builtin constructors are
"something else" (so ``mylist.append`` is never touched); anything else is unknown.
"""

from __future__ import annotations

from tree_sitter import Node

from . import facts
from .analysis import Resolver, ancestors, text
from .stubtypes import stub_return_type

KNOWN_OTHER = "<other>"

_OTHER_LITERALS = {"list", "dictionary", "set", "tuple", "string", "integer", "float", "list_comprehension",
                   "dictionary_comprehension", "set_comprehension", "concatenated_string", "true", "false", "none"}
_OTHER_BUILTINS = {"list", "dict", "set", "tuple", "str", "bytearray", "deque", "defaultdict", "OrderedDict"}


def _call_type(call: Node, resolver: Resolver) -> str | None:
    func = call.child_by_field_name("function")
    if func is None:
        return None
    if func.type == "identifier" and func.text is not None:
        name = text(func)
        binding = resolver.resolve(name, func)
        if binding is None:
            local = resolver.lookup(name, func)
            if local is None:
                return KNOWN_OTHER if name in _OTHER_BUILTINS else None
            if all(b.node is not None and b.node.type == "class_definition" for b in local):
                return KNOWN_OTHER  # an instance of a class defined here
            return None
        return _constructed(binding.qname or "")
    if func.type == "attribute":
        chain = resolver.qualified_chain(func)
        if chain is not None:
            return _constructed(chain[0])
    return None


def _constructed(callee: str) -> str | None:
    """What calling ``callee`` returns: a factory a pack header lists, or the class itself (CamelCase)."""
    returned = facts.current().returns.get(callee)
    if returned is not None:
        return returned
    last = callee.rsplit(".", 1)[-1]
    if last[:1].isupper() and not last.isupper():
        return callee
    inferred = stub_return_type(callee) if callee else None
    if inferred is None:
        return None
    return KNOWN_OTHER if inferred.type.startswith("builtins.") else inferred.type


def _self_type(node: Node, resolver: Resolver) -> str | None:
    """``self`` inside a class: the type its bases make it (e.g. unittest.TestCase)."""
    for anc in ancestors(node):
        if anc.type == "class_definition":
            return _class_type(anc, resolver)
    return None


def _class_type(cls: Node, resolver: Resolver, depth: int = 0) -> str | None:
    """The library type a class derives from; KNOWN_OTHER when its bases are builtins, relative
    imports or local classes that derive from no library type; None when a base is unknown."""
    bases = cls.child_by_field_name("superclasses")
    if bases is None or depth > 4:
        return KNOWN_OTHER if bases is None else None
    for base in bases.named_children:
        if base.type == "keyword_argument":  # metaclass=...
            continue
        if base.type == "identifier":
            b = resolver.resolve(text(base), base)
            if b is not None and b.qname:
                return b.qname
            local = resolver.lookup(text(base), base)
            if local is None:
                continue  # a builtin (object, Exception) or a relative import: the user's own code
            classes = [x.node for x in local if x.node is not None and x.node.type == "class_definition"]
            if len(classes) != len(local):
                return None
            inner = {_class_type(c, resolver, depth + 1) for c in classes}
            if inner != {KNOWN_OTHER}:
                return inner.pop() if len(inner) == 1 else None
        elif base.type == "attribute":
            chain = resolver.qualified_chain(base)
            return chain[0] if chain is not None else None
        else:
            return None
    return KNOWN_OTHER


_DTYPE_ATTRIBUTES = {"dtype"}
_ACCESSORS = {"str", "dt", "cat", "sparse", "plot", "struct", "list"}

def named_like(node: Node, qtype: str | None) -> bool:
    """Whether the receiver's own name (``df``, ``self.frame``, ``train_df``) suggests ``qtype``."""
    pattern = facts.current().name_hints.get(qtype or "")  # pack headers' name_hints
    if pattern is None:
        return False
    if node.type == "attribute":
        node = node.child_by_field_name("attribute")  # type: ignore[assignment]
    return node is not None and node.type == "identifier" and bool(pattern.search(text(node)))


def infer_type(node: Node, resolver: Resolver, depth: int = 0) -> str | None:
    """The qualified type of ``node``, KNOWN_OTHER, or None when unknown."""
    if depth > 4:
        return None
    if node.type in _OTHER_LITERALS:
        return KNOWN_OTHER
    if node.type == "call":
        return _call_type(node, resolver)
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return infer_type(node.named_children[0], resolver, depth + 1)
    if node.type == "attribute":
        attr = text(node.child_by_field_name("attribute"))  # type: ignore[arg-type]
        if attr in _DTYPE_ATTRIBUTES:
            return "numpy.dtype"  # ``x.dtype`` is a dtype whatever ``x`` is (ndarray, Series, tensor)
        if attr in _ACCESSORS:
            return KNOWN_OTHER  # ``s.str.pad``: a pandas accessor, not the frame or series itself
    if node.type != "identifier":
        return None
    name = text(node)
    if name == "self":
        return _self_type(node, resolver)
    bindings = resolver.lookup(name, node)
    if not bindings:
        return None
    before = [b for b in bindings if b.start <= node.start_byte]
    if before:
        bindings = before[-1:]
    types = set()
    for b in bindings:
        if b.kind == "import":
            types.add(KNOWN_OTHER)  # a module or imported function is never an instance of a receiver type
            continue
        if b.kind == "local" and b.node is not None and b.node.type == "class_definition":
            types.add(KNOWN_OTHER)  # the class object itself: ``MaskedArray.ptp`` is not an instance's method
            continue
        if b.kind != "local" or b.node is None or b.node.type == "function_definition":
            return None
        types.add(infer_type(b.node, resolver, depth + 1) if b.node.id != node.id else None)
    return types.pop() if len(types) == 1 else None
