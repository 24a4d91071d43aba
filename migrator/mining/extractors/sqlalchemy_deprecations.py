"""SQLAlchemy's ``util.deprecated(version, message)``, ``deprecated_20``, ``deprecated_cls``,
``moved_20`` and ``deprecated_params(name=(version, message))``."""

from __future__ import annotations

import ast
from typing import Iterator

from ..astutil import arg, decorators, keyword, text_of, version_text
from ..candidates import Candidate, Evidence
from ..messages import replacement
from ..sources import ModuleSource

_NAME_DECORATORS = {"deprecated": 1, "deprecated_cls": 1, "deprecated_20": None, "deprecated_20_cls": None,
                    "moved_20": 0}


def extract(module: ModuleSource) -> Iterator[Candidate]:
    for path, _node, is_method, deco, name in decorators(module):
        if not (isinstance(deco, ast.Call) and name.startswith("sqlalchemy.")):
            continue
        kind = name.rsplit(".", 1)[-1]
        evidence = Evidence(module.release, module.file, deco.lineno, f"util.{kind}", ast.unparse(deco)[:300])
        if kind in _NAME_DECORATORS:
            position = _NAME_DECORATORS[kind]
            message = (text_of(arg(deco, position, "message")) if position is not None else
                       text_of(keyword(deco, "alternative"))) or ""
            since = version_text(arg(deco, 0, "version")) if kind in ("deprecated", "deprecated_cls") else "1.4"
            yield Candidate(change="deprecated", old=path, since=since, replacement=replacement(message),
                            message=message, is_method=is_method, evidence=evidence)
        elif kind == "deprecated_params":
            for kw in deco.keywords:
                spec = kw.value
                if kw.arg and isinstance(spec, ast.Tuple) and len(spec.elts) == 2:
                    message = text_of(spec.elts[1]) or ""
                    yield Candidate(change="argument-deprecated", old=path, param=kw.arg,
                                    since=version_text(spec.elts[0]), message=message, is_method=is_method,
                                    evidence=evidence)

