"""matplotlib's ``_api`` (formerly ``cbook``) decorators: ``deprecated(since, alternative=)``,
``rename_parameter(since, old, new)`` and ``delete_parameter(since, name)``."""

from __future__ import annotations

import ast
from typing import Iterator

from ..astutil import arg, decorators, text_of, version_text
from ..candidates import Candidate, Evidence
from ..messages import replacement
from ..sources import ModuleSource


def extract(module: ModuleSource) -> Iterator[Candidate]:
    for path, _node, is_method, deco, name in decorators(module):
        if not (isinstance(deco, ast.Call) and name.startswith("matplotlib.")):
            continue
        kind = name.rsplit(".", 1)[-1]
        since = version_text(arg(deco, 0, "since"))
        evidence = Evidence(module.release, module.file, deco.lineno, f"_api.{kind}", ast.unparse(deco)[:300])
        if kind == "deprecated":
            alternative = text_of(arg(deco, 99, "alternative"))
            message = text_of(arg(deco, 99, "message")) or text_of(arg(deco, 99, "addendum")) or ""
            yield Candidate(change="deprecated", old=path, since=since, is_method=is_method, evidence=evidence,
                            replacement=(alternative.strip("`") if alternative else replacement(message)),
                            message=message or (f"use {alternative} instead" if alternative else ""))
        elif kind == "rename_parameter":
            old, new = text_of(arg(deco, 1, "old")), text_of(arg(deco, 2, "new"))
            if old and new:
                yield Candidate(change="argument-renamed", old=path, param=old, new_param=new, since=since,
                                is_method=is_method, evidence=evidence, message=f"{old!r} was renamed {new!r}")
        elif kind == "delete_parameter":
            param = text_of(arg(deco, 1, "name"))
            if param:
                yield Candidate(change="argument-deprecated", old=path, param=param, since=since,
                                is_method=is_method, evidence=evidence, message=f"the {param!r} parameter is deprecated")
