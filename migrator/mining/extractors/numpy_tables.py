"""numpy's attribute tables: ``__expired_attributes__``/``__former_attrs__`` (removed names, with the
message numpy raises) and ``__deprecated_attrs__`` (still there, warning). The table lives in the
package whose ``__getattr__`` consults it (``numpy/_expired_attrs_2_0.py`` serves ``numpy``)."""

from __future__ import annotations

import ast
from typing import Iterator

from ..astutil import text_of, top_level
from ..candidates import Candidate, Evidence
from ..messages import replacement
from ..sources import ModuleSource

_REMOVED = ("__expired_attributes__", "__expired_functions__", "__former_attrs__", "_expired_attrs_2_0")
_DEPRECATED = ("__deprecated_attrs__",)


def _owner(module: ModuleSource) -> str:
    last = module.name.rsplit(".", 1)[-1]
    return module.package if last.startswith("_expired") and not module.is_package else module.name


def extract(module: ModuleSource) -> Iterator[Candidate]:
    for node in top_level(module):
        if not (isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Dict)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        table = next((n for n in names if n in _REMOVED + _DEPRECATED), None)
        if table is None:
            continue
        change = "removed" if table in _REMOVED else "deprecated"
        for key, value in zip(node.value.keys, node.value.values):
            name = text_of(key)
            if not name or not name.isidentifier():
                continue
            message = text_of(value.elts[-1] if isinstance(value, ast.Tuple) and value.elts else value) or ""
            yield Candidate(
                change=change, old=f"{_owner(module)}.{name}", replacement=replacement(message), message=message,
                evidence=Evidence(module.release, module.file, key.lineno, table, f"{name!r}: {message}"))
