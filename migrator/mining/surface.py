"""A release's public surface: every importable public path and the definition it reaches.

Exports are followed through ``from x import y`` and ``from x import *`` chains (``__all__`` when a
module declares it), so ``pandas.core.frame.DataFrame`` is known as ``pandas.DataFrame``.
Functions keep their parameter names for the signature diff.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Literal

from .astutil import dotted, qualified, text_of, top_level
from .sources import ModuleSource, ReleaseSources, resolve_relative

SymbolKind = Literal["function", "class", "method", "property", "value", "module"]
_PROPERTIES = {"property", "cached_property", "cache_readonly"}  # an attribute, not a call


@dataclass(frozen=True)
class Symbol:
    origin: str  # definition path
    kind: SymbolKind
    file: str
    line: int
    params: tuple[str, ...] | None = None  # None when unknown (no __init__, a value)
    var_keyword: bool = False
    required: int = 0  # leading positional parameters without a default


def _signature(fn: ast.FunctionDef | ast.AsyncFunctionDef | None, method: bool) -> dict[str, object]:
    """Symbol fields of a signature: parameter names, ``**kwargs``, leading positionals without default."""
    if fn is None:
        return {}
    a = fn.args
    positional = [p.arg for p in (*a.posonlyargs, *a.args)]
    names = positional + [p.arg for p in a.kwonlyargs]
    skip = 1 if method and positional and positional[0] in ("self", "cls") else 0
    required = len(positional) - len(a.defaults) - skip
    return {"params": tuple(names[skip:]), "var_keyword": a.kwarg is not None, "required": max(required, 0)}


def compatible(old: Symbol | None, new: Symbol | None) -> bool:
    """Whether a call written for ``old`` binds the same way on ``new``: same kind, the same required
    positionals, and every old parameter still there by name."""
    if old is None or new is None or old.params is None or new.params is None or old.kind != new.kind:
        return False
    lead = old.params[: old.required]
    return new.params[: len(lead)] == lead and set(old.params) <= set(new.params) and new.required <= old.required


class Surface:
    def __init__(self, release: ReleaseSources) -> None:
        self.release = release
        self.defined: dict[str, Symbol] = {}
        self.bases: dict[str, list[str]] = {}  # class -> qualified base classes (for inherited methods)
        self._module_names: dict[str, dict[str, str]] = {}  # module -> local name -> target path
        self._all: dict[str, list[str] | None] = {}
        self._stars: dict[str, list[str]] = {}
        for module in release.modules.values():
            self._scan(module)
        self._exports: dict[str, dict[str, str]] = {}
        self.public: dict[str, Symbol] = {}
        self._build_public()
        self.by_origin: dict[str, list[str]] = {}
        for path, sym in self.public.items():
            self.by_origin.setdefault(sym.origin, []).append(path)

    def _scan(self, module: ModuleSource) -> None:
        names: dict[str, str] = {}
        stars: list[str] = []
        declared: list[str] | None = None
        roots = self.release.roots
        for node in top_level(module):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._define(f"{module.name}.{node.name}", "function", module, node, _signature(node, False))
                names[node.name] = f"{module.name}.{node.name}"
            elif isinstance(node, ast.ClassDef):
                self._scan_class(module, node)
                names[node.name] = f"{module.name}.{node.name}"
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        if t.id == "__all__" and isinstance(node.value, (ast.List, ast.Tuple)):
                            declared = [n for n in (text_of(e) for e in node.value.elts) if n]
                        elif t.id not in names:
                            self._define(f"{module.name}.{t.id}", "value", module, node)
                            names[t.id] = f"{module.name}.{t.id}"
            elif isinstance(node, ast.ImportFrom):
                origin = resolve_relative(module, node.level, node.module) if node.level else (node.module or "")
                if origin.split(".")[0] not in roots:
                    continue
                for alias in node.names:
                    if alias.name == "*":
                        stars.append(origin)
                    else:
                        names[alias.asname or alias.name] = f"{origin}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname and alias.name.split(".")[0] in roots:
                        names[alias.asname] = alias.name
        self._module_names[module.name] = names
        self._all[module.name] = declared
        self._stars[module.name] = stars

    def _scan_class(self, module: ModuleSource, node: ast.ClassDef) -> None:
        path = f"{module.name}.{node.name}"
        init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
        self._define(path, "class", module, node, _signature(init, True))
        self.bases[path] = [b for b in (self._base(e, module) for e in node.bases) if b]
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not item.name.startswith("_"):
                kind: SymbolKind = "property" if any(
                    (dotted(d) or "").rsplit(".", 1)[-1] in _PROPERTIES for d in item.decorator_list) else "method"
                self._define(f"{path}.{item.name}", kind, module, item, _signature(item, True))

    @staticmethod
    def _base(node: ast.expr, module: ModuleSource) -> str | None:
        name = qualified(node, module)
        if name and "." not in name and name not in module.imports:
            return f"{module.name}.{name}"  # a class of the same module
        return name

    def _define(self, path: str, kind: SymbolKind, module: ModuleSource, node: ast.AST,
                signature: dict[str, object] | None = None) -> None:
        self.defined.setdefault(path, Symbol(path, kind, module.file, getattr(node, "lineno", 0), **(signature or {})))

    def exports(self, module: str, _active: frozenset[str] = frozenset()) -> dict[str, str]:
        """Every name ``module`` binds (its own and star-imported), to the path it reaches."""
        if module in self._exports:
            return self._exports[module]
        if module in _active or module not in self._module_names:
            return {}
        out: dict[str, str] = {}
        for star in self._stars.get(module, []):
            declared = self._all.get(star)
            for name, target in self.exports(star, _active | {module}).items():
                if (declared is not None and name in declared) or (declared is None and not name.startswith("_")):
                    out[name] = target
        out.update(self._module_names[module])
        self._exports[module] = out
        return out

    def resolve(self, path: str, depth: int = 0) -> Symbol | None:
        """The definition a path reaches, following re-exports."""
        if path in self.defined:
            return self.defined[path]
        if path in self.release.modules:
            m = self.release.modules[path]
            return Symbol(path, "module", m.file, 1)
        module, _, name = path.rpartition(".")
        if depth > 20 or module not in self.release.modules:
            owner = self.resolve(module, depth + 1) if module and depth <= 20 else None
            if owner and owner.kind == "module" and owner.origin != module:
                return self.resolve(f"{owner.origin}.{name}", depth + 1)
            if owner and owner.kind == "class":
                return self._member(owner.origin, name, depth)
            return None
        target = self.exports(module).get(name)
        if target is None or target == path:
            return None
        return self.resolve(target, depth + 1)

    def _member(self, cls: str, name: str, depth: int) -> Symbol | None:
        """A method of ``cls`` or of one of its bases (a method moved to a base class is not gone)."""
        if f"{cls}.{name}" in self.defined:
            return self.defined[f"{cls}.{name}"]
        for base in self.bases.get(cls, ()):
            sym = self.resolve(base, depth + 1) if depth <= 20 else None
            if sym is not None and sym.kind == "class" and sym.origin != cls:
                found = self._member(sym.origin, name, depth + 1)
                if found is not None:
                    return found
        return None

    def _build_public(self) -> None:
        for module in sorted(self.release.modules):
            if any(part.startswith("_") for part in module.split(".")):
                continue
            declared = self._all.get(module)
            names = self.exports(module)
            listed = declared if declared is not None else self._implied(module, names)
            self.public.setdefault(module, Symbol(module, "module", self.release.modules[module].file, 1))
            for name in listed:
                path = f"{module}.{name}"
                target = names.get(name)
                sym = self.resolve(target) if target else None
                if sym is None:
                    m = self.release.modules[module]
                    sym = Symbol(path, "value", m.file, 1)
                self.public.setdefault(path, sym)
                if sym.kind == "class":
                    for method, msym in self._methods(sym.origin).items():
                        self.public.setdefault(f"{path}.{method}", msym)

    def _implied(self, module: str, names: dict[str, str]) -> list[str]:
        """The public names of a module without ``__all__``: its own functions, classes and UPPER_CASE
        constants, what it star-imports, and (in a package ``__init__``) what it re-exports from the
        library. Names a plain module imports for its own use (``log``, ``queue``) are not its API."""
        package = self.release.modules[module].is_package
        bound_here = self._module_names[module]
        out = []
        for name, target in names.items():
            if name.startswith("_"):
                continue
            own = target == f"{module}.{name}"
            sym = self.defined.get(target)
            if own and sym is not None and (sym.kind != "value" or name.isupper()):
                out.append(name)
            elif not own and (package or name not in bound_here):  # a star import re-exports on purpose
                out.append(name)
        return out

    def _methods(self, cls: str) -> dict[str, Symbol]:
        prefix = cls + "."
        return {p[len(prefix):]: s for p, s in self.defined.items()
                if p.startswith(prefix) and s.kind in ("method", "property") and "." not in p[len(prefix):]}

    def public_path(self, origin: str) -> str | None:
        """The shortest public path of a definition (or of a method through its class)."""
        if origin in self.public:
            paths = self.by_origin.get(self.public[origin].origin, [origin])
            return min(paths, key=lambda p: (p.count("."), len(p)))
        paths = self.by_origin.get(origin)
        if paths:
            return min(paths, key=lambda p: (p.count("."), len(p)))
        owner, _, name = origin.rpartition(".")
        if owner and owner in self.defined and self.defined[owner].kind == "class":
            cls = self.public_path(owner)
            return f"{cls}.{name}" if cls else None
        return None

    def has(self, path: str) -> bool:
        return path in self.public or self.resolve(path) is not None
