"""One release as parsed modules: module names, syntax trees and import maps, plus its notes."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .archive import is_note, read_files

_SKIP_PARTS = {"tests", "test", "testing", "conftest", "_vendor", "vendor", "vendored", "externals", "_externals",
               "extern", "_extern", "six", "benchmarks", "examples", "doc", "docs"}  # tests and vendored copies
_NOT_ROOTS = {"setup", "conftest", "tests", "test", "doc", "docs", "examples", "benchmarks", "tools", "scripts"}


@dataclass
class ModuleSource:
    """A parsed module; ``imports`` maps each local name to the qualified name it was bound to."""

    name: str
    file: str
    tree: ast.Module
    release: str
    is_package: bool
    imports: dict[str, str] = field(default_factory=dict)

    @property
    def package(self) -> str:
        return self.name if self.is_package else self.name.rpartition(".")[0]


@dataclass
class ReleaseSources:
    version: str
    roots: tuple[str, ...]
    modules: dict[str, ModuleSource]
    notes: list[tuple[str, str]]


def module_name(rel: str) -> tuple[str, bool] | None:
    """``pkg/sub/mod.py`` -> (``pkg.sub.mod``, False); ``pkg/__init__.py`` -> (``pkg``, True)."""
    if not rel.endswith(".py"):
        return None
    parts = rel[:-3].split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    if any(p in _SKIP_PARTS or p.startswith("test_") for p in parts):
        return None
    return ".".join(parts), is_package


def resolve_relative(module: ModuleSource, level: int, target: str | None) -> str:
    base = module.package.split(".") if module.package else []
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([target] if target else [])])


def import_map(module: ModuleSource) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    names.setdefault(alias.name.split(".")[0], alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            origin = resolve_relative(module, node.level, node.module) if node.level else (node.module or "")
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = f"{origin}.{alias.name}" if origin else alias.name
    return names


def _roots(paths: list[str]) -> tuple[str, ...]:
    roots = set()
    for rel in paths:
        parts = rel.split("/")
        if len(parts) == 1 and rel.endswith(".py"):
            root = rel[:-3]
        elif len(parts) > 1 and f"{parts[0]}/__init__.py" in paths:
            root = parts[0]
        else:
            continue
        if root.isidentifier() and root not in _NOT_ROOTS and not root.startswith("_"):
            roots.add(root)
    return tuple(sorted(roots))


def load_release(artifact: Path, version: str) -> ReleaseSources:
    """Parse every module of the artifact; files that do not parse (Python 2 sources) are skipped."""
    files = dict(read_files(artifact))
    py_paths = [p for p in files if p.endswith(".py")]
    roots = _roots(py_paths)
    modules: dict[str, ModuleSource] = {}
    for rel in py_paths:
        named = module_name(rel)
        if named is None or named[0].split(".")[0] not in roots:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(files[rel], filename=rel)
        except (SyntaxError, ValueError):
            continue
        module = ModuleSource(name=named[0], file=rel, tree=tree, release=version, is_package=named[1])
        module.imports = import_map(module)
        modules[module.name] = module
    notes = [(p, t) for p, t in files.items() if is_note(p)]
    return ReleaseSources(version=version, roots=roots, modules=modules, notes=notes)
