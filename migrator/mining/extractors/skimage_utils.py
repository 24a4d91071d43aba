"""scikit-image's ``skimage._shared.utils`` decorators: ``deprecate_func(deprecated_version=, hint=)``,
``deprecated(alt_func=)``, ``deprecate_kwarg({old: new}, deprecated_version)`` and
``deprecate_parameter(old, new_name=, start_version=)``."""

from __future__ import annotations

import ast
from typing import Iterator

from ..astutil import arg, decorators, keyword, text_of, version_text
from ..candidates import Candidate, Evidence
from ..messages import replacement
from ..sources import ModuleSource


def _renames(node: ast.AST | None) -> list[tuple[str, str]]:
    if not isinstance(node, ast.Dict):
        return []
    pairs = [(text_of(k), text_of(v)) for k, v in zip(node.keys, node.values)]
    return [(old, new) for old, new in pairs if old and new]


def extract(module: ModuleSource) -> Iterator[Candidate]:
    for path, _node, is_method, deco, name in decorators(module):
        if not (isinstance(deco, ast.Call) and name.startswith("skimage.")):
            continue
        kind = name.rsplit(".", 1)[-1]
        evidence = Evidence(module.release, module.file, deco.lineno, kind, ast.unparse(deco)[:300])
        if kind == "deprecate_func":
            hint = text_of(keyword(deco, "hint")) or ""
            yield Candidate(change="deprecated", old=path, since=version_text(keyword(deco, "deprecated_version")),
                            replacement=replacement(hint), message=hint, is_method=is_method, evidence=evidence)
        elif kind == "deprecated":
            alt = text_of(arg(deco, 0, "alt_func"))
            yield Candidate(change="deprecated", old=path, replacement=alt, is_method=is_method, evidence=evidence,
                            message=f"use `{alt}` instead" if alt else "")
        elif kind == "deprecate_kwarg":
            since = version_text(arg(deco, 1, "deprecated_version"))
            for old, new in _renames(arg(deco, 0, "kwarg_mapping")):
                yield Candidate(change="argument-renamed", old=path, param=old, new_param=new, since=since,
                                is_method=is_method, evidence=evidence, message=f"`{old}` is deprecated; use `{new}`")
        elif kind == "deprecate_parameter":
            old, new = text_of(arg(deco, 0, "deprecated_name")), text_of(keyword(deco, "new_name"))
            if old:
                yield Candidate(change="argument-renamed" if new else "argument-deprecated", old=path, param=old,
                                new_param=new, since=version_text(keyword(deco, "start_version")),
                                is_method=is_method, evidence=evidence,
                                message=f"`{old}` is deprecated" + (f"; use `{new}`" if new else ""))
