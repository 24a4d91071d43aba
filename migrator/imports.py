"""Writing qualified names through a file's imports, and the import edits a fix needs.

A fix that introduces ``numpy.isin`` writes ``np.isin`` when ``import numpy as np`` is in
scope, ``isin`` when ``from numpy import isin`` is, and otherwise adds an import. A
``from`` import whose last use a fix removes is taken out, so nothing broken is left.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from tree_sitter import Node

from . import facts
from .analysis import Binding, Resolver, captures, dotted, import_bindings, text
from .edits import ByteEdit, apply_bytes

@dataclass(frozen=True, order=True)
class Need:
    kind: str  # "import" | "from"
    module: str
    name: str = ""
    after: int = -1  # end byte of the function-local import to add this one after (-1: module level)

    def line(self) -> str:
        return f"import {self.module}" if self.kind == "import" else f"from {self.module} import {self.name}"


def is_module(path: str) -> bool:
    """Whether ``path`` names an importable module (checked for the stdlib, assumed for known trees)."""
    return _is_module(path, facts.current())


@lru_cache(maxsize=1024)
def _is_module(path: str, known: facts.Facts) -> bool:  # keyed by the facts: a newly loaded pack header counts
    parts = path.split(".")
    if path in known.classes:
        return False
    if len(parts) == 1:
        return True
    if parts[0] in sys.stdlib_module_names:
        try:
            return importlib.util.find_spec(path) is not None
        except (ImportError, ValueError):
            return False
    return parts[0] in known.module_trees and not any(p[:1].isupper() for p in parts)


def looks_like_module(path: str) -> bool:
    """``torch.linalg`` yes, ``pandas.DataFrame`` or ``matplotlib.colormaps`` no (a guess for packages we cannot inspect)."""
    return path not in facts.current().classes and all(p.islower() or p.isdigit() or p.startswith("_") for p in path.split("."))


def module_of(qname: str) -> tuple[str, str]:
    """Split ``scipy.special.comb`` into (module to import, rest); classes and objects are not modules."""
    parts = qname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        if cut == 1 or is_module(".".join(parts[:cut])):
            return ".".join(parts[:cut]), ".".join(parts[cut:])
    return parts[0], ".".join(parts[1:])


def eager_package(module: str) -> bool:
    """Whether importing ``module``'s root loads its submodules (``eager_submodules`` in its pack header)."""
    return module.split(".")[0] in facts.current().eager


def expression_for(qname: str, at: Node, resolver: Resolver, prefer_from: bool,
           replacing: Binding | None = None) -> tuple[str, Need | None]:
    """Expression text for ``qname`` at ``at``, and the import it needs (if any)."""
    if qname.startswith("builtins."):
        return qname[len("builtins."):], None
    best: tuple[int, str, Binding] | None = None
    shadowed: set[str] = set()
    for scope_node in resolver.enclosing_scopes(at):
        for name, bindings in resolver.scope(scope_node).bindings.items():
            if name in shadowed:
                continue
            shadowed.add(name)
            for b in bindings:
                if b.kind != "import" or not b.qname or b is replacing:
                    continue
                if qname == b.qname or qname.startswith(b.qname + "."):
                    seen = resolver.resolve(name, at)
                    if seen is None or seen.qname != b.qname:
                        continue
                    if best is None or len(b.qname) > best[0]:
                        best = (len(b.qname), name + qname[len(b.qname):], b)
    module, rest = module_of(qname)
    if best is not None:
        _, expr, b = best
        if b.style == "import" and module.startswith(b.qname + ".") and not eager_package(module) \
                and is_module(module):
            return expr, Need("import", module)  # `import collections` does not load collections.abc
        return expr, None
    if prefer_from:
        # the user imported the old name with `from`: import the new one the same way
        parent, _, name = qname.rpartition(".")
        if parent and (is_module(parent) or looks_like_module(parent)):
            module, rest = parent, name
    head = rest.split(".")[0]
    taken = resolver.lookup(head, at) or resolver.module.bindings.get(head) or []
    # `try: from m import x / except ImportError: x = None`: the fallback rebinds the same name, keep it
    if prefer_from and rest and all(b is replacing or (replacing is not None and b.kind != "import")
                                    for b in taken):
        return rest, Need("from", module, head)
    root = module.split(".")[0]
    for b in resolver.lookup(root, at) or resolver.module.bindings.get(root) or []:
        if b is not replacing and not (b.kind == "import" and b.qname == root):
            bound = f"`{b.qname}`" if b.kind == "import" and b.qname else "a local name"
            raise NameClash(f"the fix needs `import {module}`, but `{root}` is already bound to {bound} here")
    return qname, Need("import", module, after=_local_anchor(root, at, resolver))


def _local_anchor(root: str, at: Node, resolver: Resolver) -> int:
    """End of the function-local import of ``root`` that the module does not import itself.

    ``def plot(): import matplotlib.cm as cm`` keeps matplotlib optional; the import a fix
    adds there stays local too instead of becoming a module-level (mandatory) one.
    """
    if any(b.kind == "import" and (b.qname or "").split(".")[0] == root
           for bs in resolver.module.bindings.values() for b in bs):
        return -1
    for scope_node in resolver.enclosing_scopes(at)[:-1]:
        for bindings in resolver.scope(scope_node).bindings.values():
            for b in bindings:
                if b.kind == "import" and b.node is not None and (b.qname or "").split(".")[0] == root \
                        and b.node.start_byte < at.start_byte:
                    return b.node.end_byte
    return -1


class NameClash(Exception):
    """Importing what a fix needs would rebind a name the code already uses for something else."""


_IMPORTS = ("import_statement", "import_from_statement", "future_import_statement")


def _is_prelude(child: Node) -> bool:
    """Statements that belong to the import block: ``sys.path.insert(...)`` and ``try: import x`` shims."""
    if child.type == "try_statement":
        body = child.child_by_field_name("body")
        return body is not None and all(c.type in _IMPORTS for c in body.named_children if c.type != "comment")
    if child.type == "if_statement":  # `if TYPE_CHECKING:` / `if sys.version_info ...:` import blocks
        body = child.child_by_field_name("consequence")
        return body is not None and all(c.type in _IMPORTS for c in body.named_children if c.type != "comment")
    return child.type == "expression_statement" and text(child).startswith(("sys.path.", "os.environ"))


def _sort_key(line: str) -> tuple[bool, str]:
    """isort/ruff order inside a section: plain ``import`` lines first, then ``from``, by module."""
    parts = line.split()
    return parts[0] == "from", parts[1].lower()


def _insert_point(root: Node, data: bytes, line: str | None = None) -> tuple[int, str, str]:
    """Where a new import line goes: (byte offset, prefix, suffix).

    Next to the imports of the same top-level package, in isort order, when there are any;
    otherwise after the module's import block (which includes ``sys.path`` edits and
    ``try/except ImportError`` shims, so a new import never lands above them).
    """
    last_import = None
    docstring = None
    block: list[Node] = []
    for child in root.children:
        if child.type in _IMPORTS:
            last_import = child
            block.append(child)
        elif child.type == "comment":
            continue
        elif last_import is not None and _is_prelude(child):
            continue
        elif child.type == "expression_statement" and docstring is None and last_import is None \
                and child.named_child_count == 1 and child.named_children[0].type == "string":
            docstring = child
        else:
            break
    if line is not None:
        sibling = _sibling_point(block, line)
        if sibling is not None:
            return sibling
    anchor = last_import or docstring
    if anchor is not None:
        return anchor.end_byte, "\n", ""
    # after a shebang / coding line, else at the very top
    offset = 0
    for raw in data.splitlines(keepends=True):
        if raw.startswith(b"#!") or (raw.startswith(b"#") and b"coding" in raw):
            offset += len(raw)
        else:
            break
    return offset, "", "\n"


def _sibling_point(block: list[Node], line: str) -> tuple[int, str, str] | None:
    """Before the first same-package import that sorts after ``line``, else after the last one."""
    root = _sort_key(line)[1].split(".")[0]
    same = [s for s in block if s.type != "future_import_statement"
            and _sort_key(text(s))[1].split(".")[0] == root.lower()]
    if not same:
        return None
    for stmt in same:
        if _sort_key(text(stmt)) > _sort_key(line):
            return stmt.start_byte, "", "\n"
    return same[-1].end_byte, "\n", ""


def _lines_for(needs: list[Need]) -> list[str]:
    """One line per module: ``from m import a, b`` is never split into two statements."""
    names: dict[str, list[str]] = {}
    lines: list[str] = []
    for need in needs:
        if need.kind == "from":
            if need.module not in names:
                names[need.module] = []
                lines.append(need.module)
            names[need.module].append(need.name)
        else:
            lines.append(need.line())
    return list(dict.fromkeys(f"from {m} import {', '.join(sorted(set(names[m])))}" if m in names else m
                              for m in lines))


def _rewrite_from(stmt: Node, add: Iterable[str], remove: Iterable[str]) -> str | None:
    """The text of a ``from`` import with names added/removed; None when nothing is left."""
    import libcst as cst  # imported when an import is rewritten, not for every check

    node = cst.parse_statement(text(stmt))
    assert isinstance(node, cst.SimpleStatementLine)
    imp = node.body[0]
    assert isinstance(imp, cst.ImportFrom) and not isinstance(imp.names, cst.ImportStar)
    removed = set(remove)
    kept = [a for a in imp.names if (a.asname.name.value if a.asname else cst.helpers.get_full_name_for_node(a.name))  # type: ignore[union-attr]
            not in removed]
    present = {cst.helpers.get_full_name_for_node(a.name) for a in kept if a.asname is None}
    for name in add:
        if name not in present:
            kept.append(cst.ImportAlias(name=cst.Name(name)))
            present.add(name)
    if not kept:
        return None
    fixed = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) if i == len(kept) - 1 else
             a.with_changes(comma=a.comma if isinstance(a.comma, cst.Comma) else cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
             for i, a in enumerate(kept)]
    new = imp.with_changes(names=fixed)
    if imp.lpar is None and len(fixed) > 1:
        new = new.with_changes(names=[a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                                      if i < len(fixed) - 1 else a for i, a in enumerate(fixed)])
    return cst.Module([]).code_for_node(new)


def _rewrite_import(stmt: Node, remove: set[str]) -> str | None:
    import libcst as cst  # imported when an import is rewritten, not for every check

    node = cst.parse_statement(text(stmt))
    assert isinstance(node, cst.SimpleStatementLine)
    imp = node.body[0]
    assert isinstance(imp, cst.Import)
    kept = [a for a in imp.names if (a.asname.name.value if a.asname else  # type: ignore[union-attr]
                                     cst.helpers.get_full_name_for_node(a.name).split(".")[0]) not in remove]  # type: ignore[union-attr]
    if not kept:
        return None
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return cst.Module([]).code_for_node(imp.with_changes(names=kept))


def _delete_statement(stmt: Node, data: bytes, eat_blank: bool = True) -> ByteEdit:
    start, end = stmt.start_byte, stmt.end_byte
    line_start = data.rfind(b"\n", 0, start) + 1
    if data[line_start:start].strip() == b"":
        start = line_start
        nl = data.find(b"\n", end)
        end = len(data) if nl == -1 else nl + 1
        first_in_block = stmt.prev_named_sibling is None and stmt.parent is not None and stmt.parent.type == "block"
        previous_blank = start == 0 or first_in_block or data[:start].endswith((b"\n\n", b"\n\r\n"))
        if previous_blank and eat_blank:  # do not leave a blank line where the import block was
            for blank in (b"\r\n", b"\n"):
                if data.startswith(blank, end):
                    end += len(blank)
                    break
    return ByteEdit(start, end, "")


def import_edits(root: Node, data: bytes, needs: Iterable[Need], removals: Iterable[Binding], newline: str = "\n") -> list[ByteEdit]:
    """Import edits for ``needs`` (added) and ``removals`` (bindings whose last use went away)."""
    needs = sorted(set(needs))
    by_stmt_remove: dict[int, tuple[Node, set[str]]] = {}
    for b in removals:
        if b.node is None:
            continue
        by_stmt_remove.setdefault(b.node.id, (b.node, set()))[1].add(b.name)
    by_stmt_add: dict[int, tuple[Node, set[str]]] = {}
    new_lines: list[str] = []
    top_from = {}
    top_import = set()
    for child in root.children:
        if child.type == "import_from_statement":
            mod = child.child_by_field_name("module_name")
            if mod is not None and mod.type == "dotted_name" and not any(c.type == "wildcard_import" for c in child.children):
                top_from.setdefault(dotted(mod), child)
        elif child.type == "import_statement":
            for n in child.children_by_field_name("name"):
                if n.type == "dotted_name":
                    top_import.add(dotted(n))
    for need in needs:
        if need.kind == "from" and need.module in top_from:
            stmt = top_from[need.module]
            by_stmt_add.setdefault(stmt.id, (stmt, set()))[1].add(need.name)
        elif need.kind == "import" and need.module in top_import:
            continue
        else:
            new_lines.append(need.line())
    edits: list[ByteEdit] = []
    deleted: dict[int, Node] = {}
    for sid in set(by_stmt_add) | set(by_stmt_remove):
        stmt = (by_stmt_add.get(sid) or by_stmt_remove[sid])[0]
        add = by_stmt_add.get(sid, (stmt, set()))[1]
        rem = by_stmt_remove.get(sid, (stmt, set()))[1]
        bound = {b.name for b in import_bindings(stmt)}
        if not add and bound and bound <= rem:
            new = None  # every name goes: delete the statement, nothing to rewrite
        else:
            import libcst as cst  # loaded only when an import statement is rewritten
            try:
                if stmt.type == "import_from_statement":
                    new = _rewrite_from(stmt, sorted(add), rem)
                else:
                    new = _rewrite_import(stmt, rem)
            except (cst.ParserSyntaxError, AssertionError):
                continue
        if new is None:
            edits.append(_delete_statement(stmt, data))
            deleted[edits[-1].start] = stmt
        else:
            edits.append(ByteEdit(stmt.start_byte, stmt.end_byte, new))
    new_lines = sorted(_lines_for([n for n in needs if n.line() in new_lines]), key=_sort_key)
    if new_lines and deleted:
        # the fix moved what a deleted import provided: write the new import in its place (same
        # indentation, inside a try/except shim or a function when that is where it was)
        start = min(deleted)
        stmt = deleted[start]
        line_start = data.rfind(b"\n", 0, stmt.start_byte) + 1
        indent = data[line_start:stmt.start_byte].decode("utf-8", "replace")
        index = next(i for i, e in enumerate(edits) if e.start == start and e.text == "")
        # only the statement's own bytes: its indentation and a trailing comment stay
        edits[index] = ByteEdit(stmt.start_byte, stmt.end_byte, (newline + indent).join(new_lines))
    elif new_lines:
        module_level = {n.line() for n in needs if n.after < 0}
        for need in needs:
            if need.after >= 0 and need.line() in new_lines and need.line() not in module_level:
                new_lines.remove(need.line())
                edits.append(_local_insert(data, need, newline))
        for ln in new_lines:
            offset, prefix, suffix = _insert_point(root, data, ln)
            edits.append(ByteEdit(offset, offset, prefix.replace("\n", newline) + ln + suffix.replace("\n", newline)))
        edits = _merge_inserts(edits)
    return edits


def _local_insert(data: bytes, need: Need, newline: str) -> ByteEdit:
    """``need`` beside the function-local import ending at ``need.after``, same indentation, isort order."""
    stmt_start = data.rfind(b"\n", 0, need.after) + 1
    stmt = data[stmt_start:need.after].decode("utf-8", "replace")
    indent = stmt[: len(stmt) - len(stmt.lstrip())]
    if _sort_key(need.line()) < _sort_key(stmt.strip()):
        return ByteEdit(stmt_start, stmt_start, indent + need.line() + newline)
    return ByteEdit(need.after, need.after, newline + indent + need.line())


def _merge_inserts(edits: list[ByteEdit]) -> list[ByteEdit]:
    """Insertions at the same offset become one edit (in the order they were made)."""
    merged: dict[tuple[int, int], ByteEdit] = {}
    for e in edits:
        key = (e.start, e.end)
        if key in merged and e.start == e.end:
            merged[key] = ByteEdit(e.start, e.end, merged[key].text + e.text)
        else:
            merged[key] = e
    return list(merged.values())


def drop_stale_module_imports(source: str, before: str, modules: Iterable[str], parser: "object") -> str:
    """Remove ``import scipy.misc`` once a fix rewrote every ``scipy.misc.…`` use it existed for."""
    data = source.encode("utf-8", "surrogatepass")
    root = parser.parse(data).root_node  # type: ignore[attr-defined]
    edits: list[ByteEdit] = []
    code_after = code_only(data, root)  # a module path in a docstring or comment is not a use
    code_before = code_only(before.encode("utf-8", "surrogatepass"),
                            parser.parse(before.encode("utf-8", "surrogatepass")).root_node)  # type: ignore[attr-defined]
    for stmt in captures("(import_statement) @s", root).get("s", []):
        dead = []
        for name in stmt.children_by_field_name("name"):
            if name.type != "dotted_name":
                continue
            path = dotted(name)
            if "." not in path or path not in modules:
                continue
            pattern = re.compile(rf"(?<![\w.]){re.escape(path)}\b")
            outside = lambda text: len(pattern.findall(text)) - len(pattern.findall(text_of_imports(text)))  # noqa: E731
            if outside(code_before) > 0 and outside(code_after) == 0:
                dead.append(path)
        if dead:
            others = [dotted(n) for s2 in captures("(import_statement) @s", root).get("s", [])
                      for n in s2.children_by_field_name("name") if n.type == "dotted_name"]
            keep_root = {p for p in dead if re.search(rf"(?<![\w.]){re.escape(p.split('.')[0])}\.", source)
                         and not any(q != p and q.split(".")[0] == p.split(".")[0] for q in others)}
            new = _rewrite_import_paths(stmt, set(dead), keep_root)
            edits.append(_delete_statement(stmt, data) if new is None else ByteEdit(stmt.start_byte, stmt.end_byte, new))
    if not edits:
        return source
    return apply_bytes(data, edits).decode("utf-8", "surrogatepass")


def code_only(data: bytes, root: Node) -> str:
    """The source with strings and comments blanked (newlines kept), to search for real uses."""
    buf = bytearray(data)
    found = captures("[(string) (comment)] @x", root).get("x", [])
    for node in found:
        buf[node.start_byte:node.end_byte] = _NOT_NEWLINE.sub(b" ", bytes(buf[node.start_byte:node.end_byte]))
    return bytes(buf).decode("utf-8", "replace")


_NOT_NEWLINE = re.compile(rb"[^\n]")


def text_of_imports(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if line.lstrip().startswith(("import ", "from ")))


def _rewrite_import_paths(stmt: Node, remove: set[str], keep_root: set[str]) -> str | None:
    """Drop dotted names from an import; those in ``keep_root`` become ``import <root>`` (still used)."""
    import libcst as cst  # imported when an import is rewritten, not for every check

    node = cst.parse_statement(text(stmt))
    assert isinstance(node, cst.SimpleStatementLine)
    imp = node.body[0]
    assert isinstance(imp, cst.Import)
    kept = []
    for a in imp.names:
        full = cst.helpers.get_full_name_for_node(a.name)
        if a.asname is not None or full not in remove:
            kept.append(a)
        elif full in keep_root:
            kept.append(a.with_changes(name=cst.Name(full.split(".")[0])))
    if not kept:
        return None
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return cst.Module([]).code_for_node(imp.with_changes(names=kept))
