"""Code transforms for rules whose fix is more than a rename or a template.

Each module in this package registers one function with ``@transform("name")``; it takes
``(call: libcst.Call, ctx: TransformContext)`` and returns the replacement node, or None
to decline (the finding is then reported as manual). Modules are found by a package
walk, so adding a file is enough; plugins use the ``apimig.transforms`` entry point group.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Callable, Protocol

import libcst as cst

from ..registry import Registry


class TransformContext(Protocol):
    def render(self, qname: str) -> str:
        """Expression text for a qualified name; records the import it needs."""


TransformFn = Callable[[cst.Call, TransformContext], "cst.BaseExpression | None"]
TRANSFORMS: Registry[TransformFn] = Registry("transform")
_loaded = False


def transform(name: str) -> Callable[[TransformFn], TransformFn]:
    return TRANSFORMS.register(name)


def load_transforms() -> Registry[TransformFn]:
    global _loaded
    if not _loaded:
        _loaded = True
        for info in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{info.name}")
        TRANSFORMS.load_entry_points("apimig.transforms")
    return TRANSFORMS
