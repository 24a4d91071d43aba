"""scikit-learn's ``@deprecated("message")`` (``sklearn.utils.deprecated``) on functions, classes,
methods and properties; the message usually names the replacement."""

from __future__ import annotations

import ast
from typing import Iterator

from ..astutil import arg, decorators, text_of
from ..candidates import Candidate, Evidence
from ..messages import replacement
from ..sources import ModuleSource


def extract(module: ModuleSource) -> Iterator[Candidate]:
    for path, _node, is_method, deco, name in decorators(module):
        if not (name.startswith("sklearn.") and name.endswith(".deprecated")):
            continue
        message = (text_of(arg(deco, 0, "extra")) if isinstance(deco, ast.Call) else None) or ""
        yield Candidate(change="deprecated", old=path, replacement=replacement(message), message=message,
                        is_method=is_method,
                        evidence=Evidence(module.release, module.file, deco.lineno, "sklearn.utils.deprecated",
                                          ast.unparse(deco)[:300]))
