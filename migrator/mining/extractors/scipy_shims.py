"""scipy's module-deprecation shims: a private-in-all-but-name module (``scipy.signal.signaltools``)
whose ``__getattr__`` sends each name of its ``__all__`` to the public namespace (``scipy.signal``),
through ``_sub_module_deprecation(sub_package=, module=)`` or a warning naming the namespace."""

from __future__ import annotations

import ast
import re
from typing import Iterator

from ..astutil import call_name, keyword, text_of, top_level
from ..candidates import Candidate, Evidence
from ..sources import ModuleSource

_NAMESPACE = re.compile(r"from the `?(scipy(?:\.\w+)*)`? namespace")


def _all_names(module: ModuleSource) -> list[str]:
    for node in top_level(module):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            if isinstance(node.value, (ast.List, ast.Tuple)):
                return [n for n in (text_of(e) for e in node.value.elts) if n]
    return []


def _target(getattr_def: ast.FunctionDef, module: ModuleSource) -> tuple[str, ast.AST] | None:
    for node in ast.walk(getattr_def):
        if not isinstance(node, ast.Call):
            continue
        name = call_name(node, module) or ""
        if name.endswith("_sub_module_deprecation"):
            sub = text_of(keyword(node, "sub_package"))
            if sub:
                return f"scipy.{sub}", node
        for part in (*node.args, *(k.value for k in node.keywords)):
            text = text_of(part) or ""
            match = _NAMESPACE.search(text)
            if match:
                return match.group(1), node
    return None


def extract(module: ModuleSource) -> Iterator[Candidate]:
    if not module.name.startswith("scipy."):
        return
    getattr_def = next((n for n in top_level(module) if isinstance(n, ast.FunctionDef) and n.name == "__getattr__"), None)
    found = _target(getattr_def, module) if getattr_def else None
    if not found:
        return
    namespace, call = found
    for name in _all_names(module):
        yield Candidate(
            change="deprecated", old=f"{module.name}.{name}", replacement=f"{namespace}.{name}", same_object=True,
            message=f"the `{module.name}` namespace is deprecated; use `{namespace}.{name}`",
            evidence=Evidence(module.release, module.file, call.lineno, "scipy sub-module deprecation",
                              ast.unparse(call)[:300]))
