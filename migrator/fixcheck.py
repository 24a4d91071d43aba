"""Check after rewriting: the qualified names a fix introduces exist in the installed library.

A rule written against the wrong module path (``scipy.special.simps``) would otherwise turn
a deprecation warning into an ImportError. The check is static and never imports anything:
``importlib.util.find_spec`` locates the top-level package, the package folders are walked
for submodules, and the last module's source is read with ``ast`` for the name. Anything it
cannot see (extension modules, star imports, a module ``__getattr__``, attributes of classes)
counts as present; a library that is not installed, or older than the rule's replacement,
is skipped, because the installed copy is then not the version the fix targets.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import sys
from functools import lru_cache
from pathlib import Path

from packaging.version import InvalidVersion, Version

from . import facts



def _installed(top: str) -> Version | None:
    try:
        return Version(importlib.metadata.version(facts.current().distribution_of(top)))
    except (importlib.metadata.PackageNotFoundError, InvalidVersion, ValueError):
        return None


@lru_cache(maxsize=None)
def _top_level_names(path: str) -> frozenset[str] | None:
    """Names a module's source binds at top level; None when it can bind names we cannot see."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError):
        return None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            if node.name == "__getattr__":
                return None
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    inner = _star_names(path, node)
                    if inner is None:
                        return None
                    names |= inner
                else:
                    names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return frozenset(names)


def _star_names(path: str, node: ast.AST) -> frozenset[str] | None:
    """Names of ``from .sibling import *`` (relative imports inside the package only)."""
    if not isinstance(node, ast.ImportFrom) or node.level < 1 or not node.module:
        return None
    base = Path(path).parent
    for _ in range(node.level - 1):
        base = base.parent
    target = base.joinpath(*node.module.split("."))
    for candidate in (target / "__init__.py", target.with_suffix(".py")):
        if candidate.exists() and str(candidate) != path:
            return _top_level_names(str(candidate))
    return None


def _installed_version(top: str) -> Version | None:
    """The installed version; the running Python's for the standard library."""
    if top in sys.stdlib_module_names:
        return Version(f"{sys.version_info.major}.{sys.version_info.minor}")
    return _installed(top)


@lru_cache(maxsize=4096)
def missing_name(qname: str, since: str | None, target: str | None = None) -> str | None:
    """Why ``qname`` does not exist in the installed library, or None (exists, or cannot tell).

    Only an installed copy of the target release (same major.minor) says anything: a fix aimed at
    pandas 1.5 is not wrong because the pandas installed here is 3.0."""
    parts = qname.split(".")
    if parts[0] == "builtins":
        return None
    installed = _installed_version(parts[0])
    if installed is None or (since is not None and installed < Version(since)):
        return None
    if target is None or Version(target).release[:2] != installed.release[:2]:
        return None
    try:
        spec = importlib.util.find_spec(parts[0])
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    folders = list(spec.submodule_search_locations or [])
    origin = spec.origin
    for i, part in enumerate(parts[1:], start=1):
        sub = next((f for f in folders for f in (Path(f) / part / "__init__.py", Path(f) / f"{part}.py") if f.exists()),
                   None)
        if sub is not None:
            folders = [str(sub.parent)] if sub.name == "__init__.py" else []
            origin = str(sub)
            continue
        if origin is None or not origin.endswith(".py"):
            return None
        names = _top_level_names(origin)
        if names is None or part in names:
            return None  # present (or unknowable); what follows is an attribute of it
        where = ".".join(parts[:i])
        library = "Python" if parts[0] in sys.stdlib_module_names else parts[0]
        return f"the fix writes `{qname}`, but the installed {library} {installed} has no `{part}` in `{where}`"
    return None
