"""PEP 702 ``@warnings.deprecated("msg")`` / ``typing_extensions.deprecated`` and the ``Deprecated``
package's ``@deprecated(reason=, version=)``."""

from __future__ import annotations

import ast
from typing import Iterator

from ..astutil import arg, decorators, text_of, version_text
from ..candidates import Candidate, Evidence
from ..messages import replacement
from ..sources import ModuleSource

_NAMES = ("warnings.deprecated", "typing_extensions.deprecated", "deprecated.deprecated",
          "deprecated.classic.deprecated", "deprecated.sphinx.deprecated")


def extract(module: ModuleSource) -> Iterator[Candidate]:
    for path, _node, is_method, deco, name in decorators(module):
        if name not in _NAMES:
            continue
        call = deco if isinstance(deco, ast.Call) else None
        message = (text_of(arg(call, 0, "reason")) if call else None) or ""
        yield Candidate(change="deprecated", old=path, replacement=replacement(message), message=message,
                        since=version_text(arg(call, 99, "version")) if call else None, is_method=is_method,
                        evidence=Evidence(module.release, module.file, deco.lineno, name, ast.unparse(deco)[:300]))
