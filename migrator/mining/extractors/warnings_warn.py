"""Generic ``warnings.warn(msg, DeprecationWarning | FutureWarning | PendingDeprecationWarning)`` (and
the library categories: ``*Deprecation*``, ``RemovedIn*Warning``; setuptools' ``Category.emit``;
``warn_deprecated`` helpers; Pillow's ``_deprecate.deprecate(what, when, replacement)``).

Where the call sits says what is deprecated: unconditionally at the top of a function's body, the
function; under an ``if`` that tests one of its parameters, that argument; in a module
``__getattr__`` under ``name == "x"`` / ``name in (...)``, those attributes; at module level, the
module. The replacement is read from the message ("use X instead").
"""

from __future__ import annotations

import ast
import re
from typing import Iterator

from ..astutil import arg, definitions, dotted, keyword, qualified, text_of, top_level, version_text
from ..candidates import Candidate, Evidence
from ..messages import replacement, since
from ..sources import ModuleSource

_CATEGORY = re.compile(r"(Deprecat\w*|FutureWarning|^RemovedIn\w*Warning)$")
_DEPRECATED = re.compile(r"\b(is|are|has been|have been) (a )?deprecated\b", re.I)
_CATEGORY_SINCE = re.compile(r"Since(\d)(\d+)$")  # pydantic's PydanticDeprecatedSince20
Warned = tuple[str, "str | None"]  # (message, the version it claims)


def _deprecation_category(node: ast.AST | None) -> tuple[bool, str | None]:
    name = (dotted(node) or "").rsplit(".", 1)[-1] if node is not None else ""
    version = _CATEGORY_SINCE.search(name)
    return bool(_CATEGORY.search(name)), f"{version.group(1)}.{version.group(2)}" if version else None


def _message(node: ast.AST | None, strings: dict[str, str]) -> str:
    if isinstance(node, ast.Name):
        return strings.get(node.id, "")
    return text_of(node) or ""


def _warning(node: ast.AST, module: ModuleSource, strings: dict[str, str]) -> Warned | None:
    """The message (and claimed version) of a deprecation warning: ``warnings.warn(msg, Category)``,
    setuptools' ``SomeDeprecationWarning.emit(summary, details)``, ``*.warn_deprecated(...)``."""
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return None
    call = node.value
    name = qualified(call.func, module) or ""
    if name in ("warnings.warn", "warnings.warn_explicit"):
        is_deprecation, claimed = _deprecation_category(arg(call, 1, "category"))
        message = _message(arg(call, 0, "message"), strings)
        if not is_deprecation and not _DEPRECATED.search(message):  # some libraries warn UserWarning("... is deprecated")
            return None
        return message, claimed or since(message)
    if isinstance(call.func, ast.Attribute) and call.func.attr == "emit":
        is_deprecation, claimed = _deprecation_category(call.func.value)
        if is_deprecation:
            message = " ".join(_message(a, strings) for a in call.args[:2])
            return message, claimed or since(message)
        return None
    if name.endswith("._deprecate.deprecate"):  # Pillow's deprecate(what, major, replacement, action=)
        what = _message(arg(call, 0, "deprecated"), strings)
        instead = text_of(arg(call, 2, "replacement"))
        action = text_of(keyword(call, "action"))
        return f"{what} is deprecated." + (f" Use {instead} instead." if instead else f" {action}" if action else ""), None
    if name.rsplit(".", 1)[-1].startswith("warn_deprecated"):
        first = version_text(arg(call, 0))
        if first:  # matplotlib's warn_deprecated(since, message=, alternative=)
            alternative = text_of(keyword(call, "alternative"))
            message = text_of(keyword(call, "message")) or (f"use {alternative} instead" if alternative else "")
            return message, first
        message = _message(arg(call, 0, "msg"), strings)
        return message, version_text(arg(call, 1, "version")) or since(message)
    return None


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
        warned = _warning(stmt, module, strings)
        if warned is not None:
            message, claimed = warned
            yield Candidate(change="deprecated", old=path, replacement=replacement(message), message=message,
                            since=claimed, is_method=is_method, evidence=_evidence(module, stmt, message))
            return
    params = _params(fn) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) else set()
    for node in ast.walk(fn):
        if not isinstance(node, ast.If):
            continue
        tested = _tested_names(node.test) & params
        kwargs = fn.args.kwarg.arg if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and fn.args.kwarg else None
        if kwargs and kwargs in _tested_names(node.test):  # `if "old" in kwargs:`
            tested |= {n.value for n in ast.walk(node.test) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        for stmt in node.body:
            warned = _warning(stmt, module, strings)
            if warned is None:
                continue
            message, claimed = warned
            named = [p for p in tested if re.search(rf"\b{re.escape(p)}\b", message)]
            if len(named) != 1:
                continue
            new = replacement(message, params)
            new = new if new in params and new != named[0] else None
            yield Candidate(change="argument-renamed" if new else "argument-deprecated", old=path, param=named[0],
                            new_param=new, message=message, since=claimed, is_method=is_method,
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
            warned = _warning(stmt, module, strings)
            if warned is None:
                continue
            for name in names:
                text = re.sub(r"\{[^{}]*\}", name, warned[0])
                yield Candidate(change="deprecated", old=f"{module.name}.{name}", replacement=replacement(text),
                                message=text, since=warned[1], evidence=_evidence(module, stmt, text))
            break


def extract(module: ModuleSource) -> Iterator[Candidate]:
    strings = _strings(module.tree.body)
    for stmt in top_level(module):
        warned = _warning(stmt, module, strings)
        if warned is not None:
            yield Candidate(change="deprecated", old=module.name, replacement=replacement(warned[0]),
                            message=warned[0], since=warned[1], evidence=_evidence(module, stmt, warned[0]))
        if isinstance(stmt, ast.FunctionDef) and stmt.name == "__getattr__":
            yield from _in_getattr(stmt, module)
    for path, node, is_method in definitions(module):
        if not path.endswith(".__getattr__"):
            yield from _in_function(path, node, is_method, module)
