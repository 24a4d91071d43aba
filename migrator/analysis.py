"""Fast syntax analysis with tree-sitter: imports, scopes and what a name refers to.

libcst's name-resolution metadata runs at about 1-2k lines/s; tree-sitter parses at
hundreds of thousands. So candidates are found here (with queries that run in C and a
scope walk only for the functions that contain a candidate) and libcst is used only to
build the rewritten expressions.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Iterator

import tree_sitter_python as tspython
from tree_sitter import Language, Node, Parser, Query, QueryCursor

LANGUAGE = Language(tspython.language())
SCOPE_TYPES = {"function_definition", "lambda", "class_definition", "list_comprehension",
               "set_comprehension", "dictionary_comprehension", "generator_expression"}
_FUNCTION_TYPES = {"function_definition", "lambda"}
_COMPOUND = {"if_statement", "elif_clause", "else_clause", "try_statement", "except_clause", "finally_clause",
             "with_statement", "for_statement", "while_statement", "block", "decorated_definition",
             "match_statement", "case_clause", "except_group_clause"}
_DESCEND = _COMPOUND | {"expression_statement", "with_clause", "with_item", "as_pattern", "module"}


def parser() -> Parser:
    return Parser(LANGUAGE)


class Reparser:
    """Parse successive versions of one document, re-using the previous tree.

    Why: tree-sitter re-parses only what an edit touched when told where the edit is; an
    editor buffer changes by a few bytes per keystroke. The edit is found by comparing the
    old and new bytes (common prefix and suffix), so callers pass whole texts.
    """

    def __init__(self) -> None:
        self._parser = parser()
        self._data: bytes | None = None
        self._tree: Any = None

    def parse(self, data: bytes) -> Any:
        old, tree = self._data, self._tree
        if old is None or tree is None:
            tree = self._parser.parse(data)
        elif old != data:
            start = _common_prefix(old, data)
            tail = _common_suffix(old, data, start)
            old_end, new_end = len(old) - tail, len(data) - tail
            tree.edit(start_byte=start, old_end_byte=old_end, new_end_byte=new_end,
                      start_point=_point(old, start), old_end_point=_point(old, old_end),
                      new_end_point=_point(data, new_end))
            tree = self._parser.parse(data, tree)
        self._data, self._tree = data, tree
        return tree


def _common_prefix(a: bytes, b: bytes) -> int:
    """Length of the common prefix, by bisection on slice equality (memcmp, not a Python loop)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: bytes, b: bytes, prefix: int) -> int:
    lo, hi = 0, min(len(a), len(b)) - prefix
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:] == b[len(b) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _point(data: bytes, offset: int) -> tuple[int, int]:
    row = data.count(b"\n", 0, offset)
    return row, offset - (data.rfind(b"\n", 0, offset) + 1)


@lru_cache(maxsize=64)
def query(source: str) -> Query:
    return Query(LANGUAGE, source)


def captures(q: str, node: Node) -> dict[str, list[Node]]:
    return QueryCursor(query(q)).captures(node)


def text(node: Node) -> str:
    return node.text.decode("utf-8", "replace") if node.text is not None else ""


@dataclass(frozen=True)
class Binding:
    """What a name is bound to in one scope."""

    name: str
    kind: str  # "import" | "local"
    qname: str | None = None  # for imports: the qualified name the name stands for
    style: str = ""  # "import" (import a.b as x) | "from" (from a import b)
    node: Node | None = None  # the import statement, or the assigned value for locals
    start: int = 0  # byte offset where the binding happens


@dataclass
class Scope:
    node: Node
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)

    def add(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)


def dotted(node: Node) -> str:
    return "".join(text(c) for c in node.children if c.type in ("identifier", ".")) if node.type == "dotted_name" else text(node)


def import_bindings(stmt: Node) -> Iterator[Binding]:
    """Bindings made by an ``import`` or ``from ... import`` statement."""
    if stmt.type == "import_statement":
        for child in stmt.children_by_field_name("name"):
            if child.type == "aliased_import":
                module = dotted(child.child_by_field_name("name"))  # type: ignore[arg-type]
                alias = text(child.child_by_field_name("alias"))  # type: ignore[arg-type]
                yield Binding(alias, "import", module, "import", stmt, stmt.start_byte)
            else:
                module = dotted(child)
                head = module.split(".")[0]
                yield Binding(head, "import", head, "import", stmt, stmt.start_byte)
    elif stmt.type == "import_from_statement":
        mod_node = stmt.child_by_field_name("module_name")
        if mod_node is None or mod_node.type == "relative_import":
            return
        module = dotted(mod_node)
        for child in stmt.children_by_field_name("name"):
            if child.type == "aliased_import":
                name = dotted(child.child_by_field_name("name"))  # type: ignore[arg-type]
                alias = text(child.child_by_field_name("alias"))  # type: ignore[arg-type]
            else:
                name = alias = dotted(child)
            yield Binding(alias, "import", f"{module}.{name}", "from", stmt, stmt.start_byte)


def _target_names(node: Node) -> Iterator[Node]:
    """Identifiers bound by an assignment/for/with target."""
    if node.type == "identifier":
        yield node
    elif node.type in ("pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "list_splat_pattern",
                       "parenthesized_expression", "as_pattern_target"):
        for child in node.children:
            yield from _target_names(child)


def _param_names(params: Node) -> Iterator[Node]:
    for p in params.children:
        if p.type == "identifier":
            yield p
        elif p.type in ("default_parameter", "typed_default_parameter"):
            n = p.child_by_field_name("name")
            if n is not None:
                yield n
        elif p.type in ("typed_parameter", "list_splat_pattern", "dictionary_splat_pattern"):
            for c in p.children:
                if c.type == "identifier":
                    yield c
                    break


def collect_scope(scope_node: Node) -> Scope:
    """Bindings made directly in ``scope_node`` (not in nested scopes)."""
    scope = Scope(scope_node)
    if scope_node.type in _FUNCTION_TYPES:
        params = scope_node.child_by_field_name("parameters")
        if params is not None:
            for ident in _param_names(params):
                scope.add(Binding(text(ident), "local", start=ident.start_byte))
    if scope_node.type in ("list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"):
        for clause in scope_node.children:
            if clause.type == "for_in_clause":
                left = clause.child_by_field_name("left")
                if left is not None:
                    for ident in _target_names(left):
                        scope.add(Binding(text(ident), "local", start=ident.start_byte))
        return scope
    body = scope_node.child_by_field_name("body") if scope_node.type != "module" else scope_node
    if body is None:
        return scope
    stack = list(reversed(body.children))
    while stack:
        node = stack.pop()
        t = node.type
        if t in ("import_statement", "import_from_statement"):
            for b in import_bindings(node):
                scope.add(b)
            continue
        if t in ("function_definition", "class_definition"):
            name = node.child_by_field_name("name")
            if name is not None:
                scope.add(Binding(text(name), "local", node=node, start=node.start_byte))
            continue
        if t in SCOPE_TYPES:
            continue
        if t == "global_statement" or t == "nonlocal_statement":
            scope.globals.update(text(c) for c in node.children if c.type == "identifier")
            continue
        if t in ("assignment", "augmented_assignment"):
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if left is not None:
                for ident in _target_names(left):
                    value = right if left.type == "identifier" else None
                    scope.add(Binding(text(ident), "local", node=value, start=node.end_byte))
            if right is not None and right.type in ("assignment", "augmented_assignment"):
                stack.append(right)
            continue
        elif t == "for_statement":
            left = node.child_by_field_name("left")
            if left is not None:
                for ident in _target_names(left):
                    scope.add(Binding(text(ident), "local", start=node.start_byte))
        elif t in ("as_pattern",):
            alias = node.child_by_field_name("alias")
            if alias is not None:
                for ident in _target_names(alias):
                    scope.add(Binding(text(ident), "local", start=node.start_byte))
        elif t == "named_expression":
            name = node.child_by_field_name("name")
            if name is not None:
                scope.add(Binding(text(name), "local", start=node.start_byte))
        if t in _DESCEND or t == "for_statement":
            stack.extend(reversed(node.children))
    return scope


class Resolver:
    """Resolves a name at a position to the qualified name it was imported as, or None."""

    def __init__(self, root: Node) -> None:
        self.root = root
        self._scopes: dict[int, Scope] = {}

    def scope(self, node: Node) -> Scope:
        key = node.id
        found = self._scopes.get(key)
        if found is None:
            found = self._scopes[key] = collect_scope(node)
        return found

    @property
    def module(self) -> Scope:
        return self.scope(self.root)

    def enclosing_scopes(self, node: Node) -> list[Node]:
        """Scope nodes whose bindings are visible at ``node``, innermost first (module last)."""
        out: list[Node] = []
        child = node
        parent = node.parent
        in_function = False
        while parent is not None:
            if parent.type in SCOPE_TYPES:
                # a default value or decorator belongs to the enclosing scope, not the function's
                body = parent.child_by_field_name("body")
                inside = parent.type not in ("function_definition", "class_definition", "lambda") or (
                    body is not None and body.start_byte <= child.start_byte)
                if inside:
                    if parent.type == "class_definition" and in_function:
                        pass  # class bodies are invisible from their methods
                    else:
                        out.append(parent)
                    if parent.type in _FUNCTION_TYPES:
                        in_function = True
            child = parent
            parent = parent.parent
        out.append(self.root)
        return out

    def lookup(self, name: str, node: Node) -> list[Binding] | None:
        """The bindings of ``name`` in the innermost scope that binds it, or None (builtin/undefined)."""
        for scope_node in self.enclosing_scopes(node):
            scope = self.scope(scope_node)
            if name in scope.globals:
                continue
            bindings = scope.bindings.get(name)
            if bindings:
                return bindings
        return None

    def resolve(self, name: str, node: Node) -> Binding | None:
        """The import binding ``name`` refers to at ``node``; None when local, shadowed or ambiguous."""
        bindings = self.lookup(name, node)
        if not bindings:
            return None
        imports = [b for b in bindings if b.kind == "import"]
        others = [b for b in bindings if b.kind != "import" and not _is_none(b.node)]
        if not imports or others:
            return None
        qnames = {b.qname for b in imports}
        if len(qnames) != 1:
            return None
        before = [b for b in imports if b.start <= node.start_byte]
        return (before or imports)[-1]

    def qualified_chain(self, node: Node) -> tuple[str, Binding] | None:
        """``np.random.rand`` -> ("numpy.random.rand", binding of np)."""
        parts: list[str] = []
        cur = node
        while cur.type == "attribute":
            attr = cur.child_by_field_name("attribute")
            obj = cur.child_by_field_name("object")
            if attr is None or obj is None:
                return None
            parts.append(text(attr))
            cur = obj
        if cur.type != "identifier":
            return None
        binding = self.resolve(text(cur), cur)
        if binding is None or binding.qname is None:
            return None
        parts.append(binding.qname)
        return ".".join(reversed(parts)), binding


def identifiers_named(root: Node, data: bytes, names: Iterable[str], start: int = 0, end: int | None = None) -> list[Node]:
    """Identifier nodes spelled as one of ``names`` (in bytes [start, end)), located by a regex: no tree traversal."""
    names = frozenset(names)
    if not names:
        return []
    out = []
    for m in _plain_pattern(names).finditer(data, start, len(data) if end is None else end):
        node = root.descendant_for_byte_range(m.start(), m.end())
        if node is not None and node.type == "identifier" and node.start_byte == m.start() and node.end_byte == m.end():
            out.append(node)
    return out


@lru_cache(maxsize=512)
def _plain_pattern(names: frozenset[str]) -> re.Pattern[bytes]:
    return re.compile(rb"\b(?:" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)).encode() + rb")\b")


def is_name_use(node: Node) -> bool:
    """An identifier that reads a name (not an attribute, keyword or a name inside an import)."""
    parent = node.parent
    if parent is None or parent.type in ("dotted_name", "aliased_import", "keyword_argument"):
        return False
    return not (parent.type == "attribute" and parent.child_by_field_name("attribute") == node)


class UsageIndex:
    """The uses of each import binding in one file, found once per name.

    Why: a fix that removes the last use of an import also removes the import. Asking "which
    uses are left" per finding, by scanning the file and resolving every use, made checking
    quadratic in the number of findings; here each name is scanned and resolved once per file.
    """

    def __init__(self, root: Node, data: bytes, resolver: Resolver) -> None:
        self.root, self.data, self.resolver = root, data, resolver
        self._by_name: dict[str, dict[int, list[Node]]] = {}

    def uses(self, binding: Binding) -> list[Node]:
        """Identifiers (outside imports, attribute names and keywords) that refer to ``binding``."""
        found = self._by_name.get(binding.name)
        if found is None:
            found = self._by_name[binding.name] = self._scan(binding.name)
        return found.get(id(binding), [])

    def _scan(self, name: str) -> dict[int, list[Node]]:
        out: dict[int, list[Node]] = {}
        for node in identifiers_named(self.root, self.data, (name,)):
            if not is_name_use(node):
                continue
            b = self.resolver.resolve(name, node)
            if b is not None:
                out.setdefault(id(b), []).append(node)
        return out


def _is_none(node: Node | None) -> bool:
    return node is not None and node.type == "none"


def ancestors(node: Node) -> Iterator[Node]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def line_starts(data: bytes) -> list[int]:
    starts = [0]
    idx = data.find(b"\n")
    while idx != -1:
        starts.append(idx + 1)
        idx = data.find(b"\n", idx + 1)
    return starts


_IMPORT_LINE = re.compile(rb"(?m)^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import|import)[ \t\\(]")


def import_statements(root: Node, data: bytes) -> list[Node]:
    """Every import statement, module level or nested, located by a regex on line starts."""
    found: dict[int, Node] = {}
    for m in _IMPORT_LINE.finditer(data):
        start = m.end() - 1
        node = root.descendant_for_byte_range(start, start)
        while node is not None and node.type not in ("import_statement", "import_from_statement"):
            if node.type in ("module", "block", "ERROR"):
                node = None
                break
            node = node.parent
        if node is not None:
            found.setdefault(node.start_byte, node)
    return [found[k] for k in sorted(found)]


_BUILTINS = frozenset(dir(builtins))


def qualified_name(resolver: Resolver, node: Node) -> str | None:
    """What a reference (identifier or attribute chain) names: the qualified name through its imports,
    ``builtins.<name>`` for an unshadowed builtin, else None (a local, a parameter, anything shadowed)."""
    if node.type == "attribute":
        chain = resolver.qualified_chain(node)
        return chain[0] if chain else None
    if node.type != "identifier":
        return None
    name = text(node)
    binding = resolver.resolve(name, node)
    if binding is not None:
        return binding.qname
    if name in _BUILTINS and resolver.lookup(name, node) is None:
        return f"builtins.{name}"
    return None


# identifiers in these places bind or label a name; they are not references to one
_NOT_A_REFERENCE = {("attribute", "attribute"), ("keyword_argument", "name"), ("function_definition", "name"),
                    ("class_definition", "name"), ("assignment", "left"), ("augmented_assignment", "left"),
                    ("for_statement", "left"), ("for_in_clause", "left"), ("named_expression", "name"),
                    ("default_parameter", "name"), ("typed_default_parameter", "name"), ("as_pattern", "alias")}
_BINDING_PARENTS = {"parameters", "lambda_parameters", "typed_parameter", "list_splat_pattern",
                    "dictionary_splat_pattern", "dotted_name", "aliased_import", "global_statement",
                    "nonlocal_statement", "pattern_list", "tuple_pattern", "list_pattern", "as_pattern_target"}


def _is_reference(node: Node) -> bool:
    parent = node.parent
    if parent is None or parent.type in _BINDING_PARENTS:
        return False
    return not any(parent.child_by_field_name(f) == node for p, f in _NOT_A_REFERENCE if p == parent.type)


def referenced_names(code: str) -> set[str]:
    """Qualified names the code reads, resolved like the matcher resolves them, plus ``.attr`` for
    every attribute read; empty when the code does not parse."""
    data = code.encode("utf-8", "surrogatepass")
    root = parser().parse(data).root_node
    if root.has_error:
        return set()
    resolver = Resolver(root)
    out: set[str] = set()
    for node in captures("[(identifier) (attribute)] @ref", root).get("ref", []):
        if not _is_reference(node):
            continue
        name = qualified_name(resolver, node)
        if name:
            out.add(name[len("builtins."):] if name.startswith("builtins.") else name)
        if node.type == "attribute":
            attr = node.child_by_field_name("attribute")
            if attr is not None:
                out.add("." + text(attr))
    return out
