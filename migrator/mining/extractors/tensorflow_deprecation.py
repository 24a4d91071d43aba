"""TensorFlow's ``deprecation.deprecated(date, instructions)`` and ``deprecated_args(date,
instructions, *names)``. The public name comes from the ``@tf_export("a.b")`` beside it."""

from __future__ import annotations

import ast
from typing import Iterator

from ..astutil import arg, decorators, qualified, text_of
from ..candidates import Candidate, Evidence
from ..messages import replacement
from ..sources import ModuleSource


def _exports(node: ast.AST, module: ModuleSource) -> list[str]:
    """``tensorflow.<name>`` for each v2 name of the definition's ``tf_export`` (empty when none)."""
    names = []
    for deco in getattr(node, "decorator_list", ()):
        if isinstance(deco, ast.Call) and (qualified(deco.func, module) or "").endswith("tf_export"):
            names += [f"tensorflow.{t}" for t in (text_of(a) for a in deco.args) if t]
    return names


def extract(module: ModuleSource) -> Iterator[Candidate]:
    for path, node, is_method, deco, name in decorators(module):
        tensorflow = name.startswith(("tensorflow", "keras", "tf_keras"))
        if not (isinstance(deco, ast.Call) and ".deprecation." in f".{name}" and tensorflow):
            continue
        kind = name.rsplit(".", 1)[-1]
        instructions = text_of(arg(deco, 1, "instructions")) or ""
        olds = [path, *_exports(node, module)]
        evidence = Evidence(module.release, module.file, deco.lineno, f"deprecation.{kind}", ast.unparse(deco)[:300])
        for old in olds:
            if kind == "deprecated":
                yield Candidate(change="deprecated", old=old, replacement=replacement(instructions),
                                message=instructions, is_method=is_method, evidence=evidence)
            elif kind == "deprecated_args":
                for param in (text_of(a) for a in deco.args[2:]):
                    if param:
                        yield Candidate(change="argument-deprecated", old=old, param=param, message=instructions,
                                        is_method=is_method, evidence=evidence)
