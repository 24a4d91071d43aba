"""numpy's attribute tables: ``__expired_attributes__``/``__expired_functions__``/``__former_attrs__``
(removed names, with the message numpy raises) and ``__deprecated_attrs__`` (still there, warning).

The tables are dict literals or comprehensions over a module-level list (``{n: _msg.format(n=n, an=an)
for n, alias, an in _type_info}``); both are evaluated statically. A table lives in the package whose
``__getattr__`` consults it (``numpy/_expired_attrs_2_0.py`` serves ``numpy``)."""

from __future__ import annotations

import ast
from typing import Iterator

from ..astutil import text_of
from ..candidates import Candidate, Evidence
from ..messages import replacement, since
from ..sources import ModuleSource

_REMOVED = ("__expired_attributes__", "__expired_functions__", "__former_attrs__", "_expired_attrs_2_0")
_DEPRECATED = ("__deprecated_attrs__",)
Env = dict[str, str]


def _owner(module: ModuleSource) -> str:
    last = module.name.rsplit(".", 1)[-1]
    return module.package if last.startswith("_expired") and not module.is_package else module.name


def _value(node: ast.AST, env: Env, strings: Env) -> str | None:
    """A string expression with the comprehension's variables (``env``) and module strings bound."""
    if isinstance(node, ast.Tuple) and node.elts:
        return _value(node.elts[-1], env, strings)
    if isinstance(node, ast.Name):
        return env.get(node.id, strings.get(node.id))
    if isinstance(node, ast.JoinedStr):
        parts = [str(p.value) if isinstance(p, ast.Constant) else _value(p.value, env, strings) or "{...}"
                 for p in node.values if isinstance(p, (ast.Constant, ast.FormattedValue))]
        return "".join(parts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        template = _value(node.func.value, env, strings)
        values = {k.arg: _value(k.value, env, strings) or "" for k in node.keywords if k.arg}
        try:
            return template.format(**values) if template is not None else None
        except (KeyError, IndexError, ValueError):
            return template
    return text_of(node)


def _rows(node: ast.AST | None) -> list[list[ast.AST]]:
    if not isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return []
    return [list(e.elts) if isinstance(e, ast.Tuple) else [e] for e in node.elts]


def _entries(table: ast.AST, lists: dict[str, ast.AST], strings: Env) -> Iterator[tuple[str, str, int]]:
    """``(name, message, line)`` of a dict literal or of a comprehension over a module-level list."""
    if isinstance(table, ast.Dict):
        for key, value in zip(table.keys, table.values):
            name = text_of(key)
            if name:
                yield name, _value(value, {}, strings) or "", key.lineno
    elif isinstance(table, ast.DictComp) and len(table.generators) == 1:
        gen = table.generators[0]
        targets = gen.target.elts if isinstance(gen.target, ast.Tuple) else [gen.target]
        names = [t.id if isinstance(t, ast.Name) else "" for t in targets]
        source = lists.get(gen.iter.id) if isinstance(gen.iter, ast.Name) else gen.iter
        for row in _rows(source):
            if len(row) != len(names):
                continue
            env = {n: text_of(v) or ast.unparse(v) for n, v in zip(names, row) if n}
            name = _value(table.key, env, strings)
            if name:
                yield name, _value(table.value, env, strings) or "", row[0].lineno


def _tables(module: ModuleSource) -> Iterator[tuple[str, ast.AST]]:
    """Assignments to a table and ``table.update(...)`` calls, anywhere at module level."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name) and t.id in _REMOVED + _DEPRECATED:
                    yield t.id, node.value
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update"
              and isinstance(node.func.value, ast.Name) and node.func.value.id in _REMOVED + _DEPRECATED
              and node.args):
            yield node.func.value.id, node.args[0]


def extract(module: ModuleSource) -> Iterator[Candidate]:
    lists: dict[str, ast.AST] = {}
    strings: Env = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            lists[node.targets[0].id] = node.value
            text = text_of(node.value)
            if text is not None:
                strings[node.targets[0].id] = text
    for table, value in _tables(module):
        change = "removed" if table in _REMOVED else "deprecated"
        for name, message, line in _entries(value, lists, strings):
            if name.isidentifier():
                yield Candidate(change=change, old=f"{_owner(module)}.{name}", replacement=replacement(message),
                                message=message, since=since(message),
                                evidence=Evidence(module.release, module.file, line, table, f"{name!r}: {message}"))
