"""Small static readers of syntax trees shared by the extractors: strings, dotted names, arguments."""

from __future__ import annotations

import ast
from typing import Iterator

from .sources import ModuleSource


def text_of(node: ast.AST | None) -> str | None:
    """The literal text of a string expression; f-string holes and ``%``/``.format`` stay as ``{...}``."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        out = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(str(part.value))
            else:
                out.append("{" + ast.unparse(getattr(part, "value", part)) + "}")
        return "".join(out)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        left = text_of(node.left)
        right = text_of(node.right) if isinstance(node.op, ast.Add) else ""
        return None if left is None else left + (right if right is not None else "{...}")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return text_of(node.func.value)
    if isinstance(node, ast.Call) and (dotted(node.func) or "").rsplit(".", 1)[-1] == "dedent" and node.args:
        return text_of(node.args[0])  # msg = textwrap.dedent("""...""") before the warn call
    return None


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def qualified(node: ast.AST, module: ModuleSource) -> str | None:
    """The dotted name with its first segment resolved through the module's imports."""
    name = dotted(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    origin = module.imports.get(head, head)
    return f"{origin}.{rest}" if rest else origin


def call_name(node: ast.AST, module: ModuleSource) -> str | None:
    return qualified(node.func, module) if isinstance(node, ast.Call) else None


def keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def arg(call: ast.Call, index: int, name: str | None = None) -> ast.AST | None:
    """Positional argument ``index``, or the keyword ``name``."""
    if index < len(call.args) and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    return keyword(call, name) if name else None


def ends_with(name: str | None, *suffixes: str) -> bool:
    return bool(name) and any(name == s or name.endswith("." + s) for s in suffixes)  # type: ignore[union-attr]


def definitions(module: ModuleSource) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, bool]]:
    """``(qualified path, node, is_method)`` of module-level functions and classes and of class methods."""
    for node in _top_level(module.tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            path = f"{module.name}.{node.name}"
            yield path, node, False
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        yield f"{path}.{item.name}", item, True


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module statements, looking into ``if``/``try`` blocks (version-conditional definitions)."""
    for node in body:
        if isinstance(node, ast.If):
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            yield from _top_level(node.body)
            for handler in node.handlers:
                yield from _top_level(handler.body)
            yield from _top_level(node.orelse)
        else:
            yield node


def top_level(module: ModuleSource) -> Iterator[ast.stmt]:
    return _top_level(module.tree.body)


def version_text(node: ast.AST | None) -> str | None:
    """A version literal such as ``"3.6"``; None for anything else (dates, messages)."""
    text = text_of(node)
    if text and text[:1].isdigit() and all(c.isdigit() or c == "." for c in text.strip()):
        return text.strip()
    return None


def decorators(module: ModuleSource) -> Iterator[tuple[str, ast.AST, bool, ast.expr, str]]:
    """``(path, definition, is_method, decorator, decorator's qualified name)`` for every decorator."""
    for path, node, is_method in definitions(module):
        for deco in node.decorator_list:
            name = qualified(deco.func if isinstance(deco, ast.Call) else deco, module)
            if name:
                yield path, node, is_method, deco, name

