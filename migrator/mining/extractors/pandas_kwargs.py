"""pandas' ``@deprecate_kwarg(old_arg_name=, new_arg_name=)``: a keyword renamed (or, with
``new_arg_name=None``, going away) on the decorated function or method."""

from __future__ import annotations

import ast
from typing import Iterator

from ..astutil import arg, decorators, ends_with, text_of
from ..candidates import Candidate, Evidence
from ..sources import ModuleSource


def extract(module: ModuleSource) -> Iterator[Candidate]:
    for path, _node, is_method, deco, name in decorators(module):
        if not (isinstance(deco, ast.Call) and ends_with(name, "deprecate_kwarg")):
            continue
        old = text_of(arg(deco, 0, "old_arg_name"))
        new_node = arg(deco, 1, "new_arg_name")
        new = text_of(new_node)
        if not old:
            continue
        yield Candidate(
            change="argument-renamed" if new else "argument-deprecated", old=path, param=old, new_param=new,
            is_method=is_method, message=f"the {old!r} keyword is deprecated" + (f", use {new!r}" if new else ""),
            evidence=Evidence(module.release, module.file, deco.lineno, "deprecate_kwarg", ast.unparse(deco)[:300]))
