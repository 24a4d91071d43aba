"""What a library function returns, read from its type stubs (typeshed for the standard library).

``threading.current_thread().getName()``: the receiver is a ``threading.Thread`` because
typeshed's ``threading.pyi`` says ``def current_thread() -> Thread``. The stubs come from
the optional ``typeshed_client`` package (which bundles typeshed and finds installed stub
packages); without it no type is inferred this way. Stubs are parsed with ``ast``, never
imported, and each answer is cached per qualified name with the file it came from.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Inferred:
    type: str  # qualified type
    source: str  # where it was read, e.g. "typeshed: threading.pyi"


@lru_cache(maxsize=1)
def _context() -> object | None:
    try:
        import typeshed_client
    except ImportError:
        return None
    return typeshed_client.get_search_context()


@lru_cache(maxsize=256)
def _stub(module: str) -> tuple[ast.Module, str] | None:
    ctx = _context()
    if ctx is None:
        return None
    import typeshed_client

    path = typeshed_client.get_stub_file(module, search_context=ctx)
    if path is None:
        return None
    try:
        return ast.parse(Path(path).read_text(encoding="utf-8")), f"typeshed: {Path(path).name}"
    except (OSError, SyntaxError, ValueError):
        return None


_BUILTIN_TYPES = {"str", "bytes", "int", "float", "bool", "list", "dict", "set", "tuple", "bytearray", "complex"}


def _qualify(annotation: ast.expr, module: str, tree: ast.Module) -> str | None:
    """``Thread`` in threading.pyi -> ``threading.Thread``; imported names through their import."""
    if not isinstance(annotation, ast.Name):
        return None  # unions, generics, Self...: not one known type
    name = annotation.id
    if name in _BUILTIN_TYPES:
        return f"builtins.{name}"
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return f"{module}.{name}"
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    return f"{node.module}.{alias.name}"
    return None


@lru_cache(maxsize=4096)
def stub_return_type(callee: str) -> Inferred | None:
    """The type ``callee(...)`` returns according to its stub, when it is one plain class."""
    module, _, func = callee.rpartition(".")
    if not module:
        return None
    found = _stub(module)
    if found is None:
        return None
    tree, source = found
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == func]
    if len(defs) != 1 or defs[0].returns is None:
        return None  # overloaded or unannotated: the type depends on the arguments
    qtype = _qualify(defs[0].returns, module, tree)
    return Inferred(qtype, source) if qtype else None
