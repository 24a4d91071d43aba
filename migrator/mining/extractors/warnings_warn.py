"""Generic ``warnings.warn(msg, DeprecationWarning | FutureWarning | PendingDeprecationWarning)``.

Where the call sits says what is deprecated: unconditionally at the top of a function's body, the
function; under an ``if`` that tests one of its parameters, that argument; in a module
``__getattr__`` under ``name == "x"`` / ``name in (...)``, those attributes; at module level, the
module. The replacement is read from the message ("use X instead").
"""

from __future__ import annotations

import ast
import re
from typing import Iterator

from ..astutil import arg, definitions, dotted, qualified, text_of, top_level
from ..candidates import Candidate, Evidence
from ..messages import replacement, since
from ..sources import ModuleSource

_CATEGORY = re.compile(r"(Deprecat\w*Warning|FutureWarning|^RemovedIn\w*Warning)$")


def _warning(node: ast.AST, module: ModuleSource, strings: dict[str, str]) -> str | None:
    """The message of a deprecation warning call, else None."""
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return None
    call = node.value
    if qualified(call.func, module) not in ("warnings.warn", "warnings.warn_explicit"):
        return None
    category = dotted(arg(call, 1, "category") or ast.Constant(None)) or ""
    if not _CATEGORY.search(category.rsplit(".", 1)[-1]):
        return None
    first = arg(call, 0, "message")
    if isinstance(first, ast.Name):
        return strings.get(first.id, "")
    return text_of(first) or ""


def _strings(body: list[ast.stmt]) -> dict[str, str]:
    out = {}
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            text = text_of(node.value)
            if text is not None:
                out[node.targets[0].id] = text
    return out


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    a = fn.args
    return {p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)} - {"self", "cls"}


def _tested_names(test: ast.AST) -> set[str]:
    names = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
    names |= {n.value for n in ast.walk(test) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return names


def _evidence(module: ModuleSource, node: ast.AST, message: str) -> Evidence:
    return Evidence(module.release, module.file, node.lineno, "warnings.warn", message)


def _in_function(path: str, fn: ast.AST, is_method: bool, module: ModuleSource) -> Iterator[Candidate]:
    body = fn.body if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) else []
    strings = _strings(body)
    for stmt in body:
        message = _warning(stmt, module, strings)
        if message is not None:
            yield Candidate(change="deprecated", old=path, replacement=replacement(message), message=message,
                            since=since(message), is_method=is_method, evidence=_evidence(module, stmt, message))
            return
    params = _params(fn) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) else set()
    for node in ast.walk(fn):
        if not isinstance(node, ast.If):
            continue
        tested = _tested_names(node.test) & params
        for stmt in node.body:
            message = _warning(stmt, module, strings)
            if message is None:
                continue
            named = [p for p in tested if re.search(rf"\b{re.escape(p)}\b", message)]
            if len(named) != 1:
                continue
            new = replacement(message, params)
            new = new if new in params and new != named[0] else None
            yield Candidate(change="argument-renamed" if new else "argument-deprecated", old=path, param=named[0],
                            new_param=new, message=message, since=since(message), is_method=is_method,
                            evidence=_evidence(module, stmt, message))


def _attribute_names(test: ast.AST, tables: dict[str, list[str]]) -> list[str]:
    if isinstance(test, ast.BoolOp):
        return [n for v in test.values for n in _attribute_names(v, tables)]
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name)):
        return []
    right = test.comparators[0]
    if isinstance(test.ops[0], ast.Eq):
        return [t for t in [text_of(right)] if t]
    if isinstance(test.ops[0], ast.In):
        if isinstance(right, (ast.Tuple, ast.List, ast.Set)):
            return [t for t in (text_of(e) for e in right.elts) if t]
        if isinstance(right, ast.Name):
            return tables.get(right.id, [])
    return []


def _module_tables(module: ModuleSource) -> dict[str, list[str]]:
    tables = {}
    for node in top_level(module):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            keys = value.keys if isinstance(value, ast.Dict) else getattr(value, "elts", None)
            if keys is not None:
                tables[node.targets[0].id] = [t for t in (text_of(k) for k in keys if k is not None) if t]
    return tables


def _in_getattr(fn: ast.FunctionDef, module: ModuleSource) -> Iterator[Candidate]:
    tables = _module_tables(module)
    strings = _strings(fn.body)
    for node in ast.walk(fn):
        if not isinstance(node, ast.If):
            continue
        names = _attribute_names(node.test, tables)
        for stmt in ast.walk(ast.Module(body=node.body, type_ignores=[])):
            message = _warning(stmt, module, strings)
            if message is None:
                continue
            for name in names:
                text = re.sub(r"\{[^{}]*\}", name, message)
                yield Candidate(change="deprecated", old=f"{module.name}.{name}", replacement=replacement(text),
                                message=text, evidence=_evidence(module, stmt, text))
            break


def extract(module: ModuleSource) -> Iterator[Candidate]:
    strings = _strings(module.tree.body)
    for stmt in top_level(module):
        message = _warning(stmt, module, strings)
        if message is not None:
            yield Candidate(change="deprecated", old=module.name, replacement=replacement(message), message=message,
                            evidence=_evidence(module, stmt, message))
        if isinstance(stmt, ast.FunctionDef) and stmt.name == "__getattr__":
            yield from _in_getattr(stmt, module)
    for path, node, is_method in definitions(module):
        if path.endswith(".__init__"):  # a warning in the constructor is about the class
            yield from _in_function(path[: -len(".__init__")], node, False, module)
        elif not path.endswith(".__getattr__"):
            yield from _in_function(path, node, is_method, module)
