"""Whether a match sits in compatibility code that already works on both versions (a shim).

Why its own module and why so narrow: a guard that is too broad hides real findings. Only
three shapes are shims:

- a fallback: the old API in an ``except (AttributeError, ImportError, ...)`` handler whose
  ``try`` uses the new name (``try: f = np.trapezoid`` / ``except AttributeError: f = np.trapz``);
- a probe: the old API in a ``try`` body whose handler catches exactly what its absence
  raises (``AttributeError`` for an attribute, ``ImportError`` for an import);
- a branch on a condition that compares a version (``np.__version__``, ``sys.version_info``)
  or probes the API (``hasattr(np, "trapezoid")``), including ``x = old`` directly followed by
  such an ``if`` that rebinds ``x`` to the new API.

Everything else is reported: ``if args.version:``, ``np.trapz`` inside ``try/except ImportError``
(its absence raises AttributeError), and any ``try`` with a bare ``except``.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from .analysis import text
from .rules.schema import Rule

_FALLBACK_EXCEPTIONS = {"AttributeError", "ImportError", "ModuleNotFoundError", "NameError"}
_IMPORT_ABSENT = {"ImportError", "ModuleNotFoundError"}
_ATTRIBUTE_ABSENT = {"AttributeError"}
# an operand that is a version: np.__version__, sys.version_info, version("numpy"), Version(..), TORCH_VERSION
_VERSION_OPERAND = re.compile(
    r"__version__|version_info|\bversion\s*\(|Version\s*\(|parse_version\s*\(|VERSION|\w_version\b")
_AVAILABLE_AT = re.compile(r"available\s*\(\s*[\"'][\d.]+")  # is_numpy_available("2.0")
_PROBES = {"hasattr", "getattr"}
_IMPORTS = ("import_statement", "import_from_statement")


def in_shim(node: Node, rule: Rule) -> bool:
    """Whether the match at ``node`` for ``rule`` is compatibility code (see the module docstring)."""
    if _default_before_upgrade(node):
        return True
    child = node
    parent = node.parent
    while parent is not None:
        if parent.type == "try_statement" and _try_shim(parent, child, node, rule):
            return True
        if parent.type in ("if_statement", "elif_clause"):
            cond = parent.child_by_field_name("condition")
            if cond is not None and compat_condition(cond, node):
                return True
        elif parent.type == "conditional_expression" and parent.named_child_count == 3:
            if compat_condition(parent.named_children[1], node):
                return True
        child, parent = parent, parent.parent
    return False


def _caught(try_stmt: Node) -> set[str]:
    """Exception names the handlers of ``try_stmt`` catch (a bare ``except`` adds nothing)."""
    names: set[str] = set()
    for clause in try_stmt.children:
        if clause.type == "except_clause":
            header = text(clause).split(":", 1)[0]
            names |= set(re.findall(r"\w+", header)) - {"except", "as"}
    return names


def _try_shim(try_stmt: Node, child: Node, node: Node, rule: Rule) -> bool:
    caught = _caught(try_stmt)
    body = try_stmt.child_by_field_name("body")
    if body is not None and child.id == body.id:  # a probe: the handler catches the old API's absence
        in_import = any(a.type in _IMPORTS for a in _up_to(node, try_stmt))
        return bool(caught & (_IMPORT_ABSENT if in_import else _ATTRIBUTE_ABSENT))
    if child.type == "except_clause" and caught & _FALLBACK_EXCEPTIONS:
        return body is not None and _uses_new_name(body, rule)
    return False


def _up_to(node: Node, stop: Node) -> list[Node]:
    out = []
    cur = node
    while cur is not None and cur.id != stop.id:
        out.append(cur)
        cur = cur.parent  # type: ignore[assignment]
    return out


def _uses_new_name(body: Node, rule: Rule) -> bool:
    """The ``try`` tries the replacement: it names every segment of the new name after the root
    (``trapezoid`` for numpy.trapezoid; ``special`` and ``comb`` for scipy.special.comb). A rule
    whose replacement has no name (a transform, a manual rule) counts when the body avoids the old name."""
    words = set(re.findall(r"\w+", text(body)))
    new = list(rule.fix.qualified_names())
    if rule.is_method and rule.fix.rename:
        new = [rule.fix.rename.rsplit(".", 1)[-1]]
    if not new:
        return rule.name not in words
    return any(set(q.split(".")[1:] or q.split(".")) <= words for q in new)


def compat_condition(cond: Node, node: Node) -> bool:
    """A version comparison, or ``hasattr``/``getattr`` probing the API ``node`` uses (its module or
    name): ``if hasattr(np, "trapezoid")`` guards ``np.trapz``; ``if getattr(out, "loss")`` does not."""
    names = set(re.findall(r"\w+", text(node)))
    stack = [cond]
    while stack:
        n = stack.pop()
        if n.type == "comparison_operator" and _VERSION_OPERAND.search(text(n)):
            return True
        if n.type == "call":
            func = n.child_by_field_name("function")
            args = n.child_by_field_name("arguments")
            if _AVAILABLE_AT.search(text(n)):
                return True
            if func is not None and text(func) in _PROBES and args is not None and args.named_child_count:
                probed = set(re.findall(r"\w+", " ".join(text(a) for a in args.named_children[:2])))
                if probed & names:
                    return True
        stack.extend(n.named_children)
    return False


def _default_before_upgrade(node: Node) -> bool:
    """``x = old`` directly followed by ``if hasattr(...)/version...: x = new``: the code already
    upgrades itself where the new API exists; the first line is the fallback for older versions."""
    stmt = node
    while stmt.parent is not None and stmt.type != "expression_statement":
        if stmt.type in ("block", "module", "function_definition", "class_definition"):
            return False
        stmt = stmt.parent
    assign = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
    if assign is None or assign.type != "assignment":
        return False
    target = assign.child_by_field_name("left")
    if target is None or target.type != "identifier":
        return False
    nxt = stmt.next_named_sibling
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    if nxt is None or nxt.type != "if_statement":
        return False
    cond = nxt.child_by_field_name("condition")
    body = nxt.child_by_field_name("consequence")
    if cond is None or body is None or not compat_condition(cond, node):
        return False
    name = text(target)
    for child in body.named_children:
        inner = child.named_children[0] if child.type == "expression_statement" and child.named_children else None
        left = inner.child_by_field_name("left") if inner is not None and inner.type == "assignment" else None
        if left is not None and left.type == "identifier" and text(left) == name:
            return True
    return False
