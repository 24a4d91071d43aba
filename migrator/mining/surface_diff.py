"""What changed between two releases' public surfaces: names gone (or moved elsewhere with the
same signature) and parameters gone (or renamed in place)."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from .candidates import Candidate, Evidence
from .surface import Surface, Symbol

CALLABLE = ("function", "class", "method")


def _same_signature(a: Symbol, b: Symbol) -> bool:
    return a.kind == b.kind and a.params is not None and a.params == b.params


def removed_names(old: Surface, new: Surface) -> Iterator[Candidate]:
    """A public path of ``old`` that ``new`` no longer has; ``moved`` when exactly one new path has
    the same name, kind and parameters."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for path in new.public:
        by_name[path.rsplit(".", 1)[-1]].append(path)
    modules = _removed_modules(old, new)
    for module in modules:
        sym = old.public[module]
        yield Candidate(change="removed", old=module, message=f"the module `{module}` was removed in {new.release.version}",
                        evidence=Evidence(new.release.version, sym.file, 1, "surface-diff",
                                          f"module {module} is in {old.release.version} and absent from "
                                          f"{new.release.version}"))
    gone: dict[str, str] = {}  # one report per definition, under its shortest removed path
    for path, sym in old.public.items():
        if sym.kind != "module" and not new.has(path) and not _class_gone(path, old, new):
            best = gone.get(sym.origin)
            if best is None or (path.count("."), len(path)) < (best.count("."), len(best)):
                gone[sym.origin] = path
    for path in sorted(gone.values()):
        sym = old.public[path]
        name = path.rsplit(".", 1)[-1]
        matches = {new.public[q].origin: q for q in by_name.get(name, ())
                   if sym.kind in CALLABLE and _same_signature(sym, new.public[q])}
        evidence = Evidence(new.release.version, sym.file, sym.line, "surface-diff",
                            f"{path} is public in {old.release.version} and absent from {new.release.version}")
        in_removed_module = any(path.startswith(m + ".") for m in modules)
        if len(matches) == 1:  # moved, even out of a removed module
            origin = next(iter(matches))
            target = new.public_path(origin) or matches[origin]
            yield Candidate(change="moved", old=path, replacement=target, evidence=evidence,
                            is_method=sym.kind in ("method", "property"), same_object=origin == sym.origin,
                            message=f"`{path}` is gone from {new.release.version}; `{target}` has the same signature")
        elif not in_removed_module:  # the module's own rule covers its members
            yield Candidate(change="removed", old=path, evidence=evidence, is_method=sym.kind in ("method", "property"),
                            message=f"`{path}` was removed in {new.release.version}")


def _removed_modules(old: Surface, new: Surface) -> list[str]:
    """Public modules that are gone, the outermost only (members of a removed module are not reported)."""
    gone = sorted(p for p, sym in old.public.items() if sym.kind == "module" and p not in new.release.modules
                  and not new.has(p))
    return [m for m in gone if not any(m.startswith(g + ".") for g in gone)]


def _class_gone(path: str, old: Surface, new: Surface) -> bool:
    """Report a removed class once, not once per method."""
    parent = path.rpartition(".")[0]
    return parent in old.public and old.public[parent].kind == "class" and not new.has(parent)


def changed_parameters(old: Surface, new: Surface) -> Iterator[Candidate]:
    """Optional parameters of a callable present in both releases that are gone; one gone and one added
    at the same position is a rename candidate (never certain from signatures alone)."""
    for path, sym in old.public.items():
        if sym.kind not in CALLABLE or sym.params is None or path != old.public_path(sym.origin):
            continue
        now = new.public.get(path)
        if now is None or now.kind not in CALLABLE or now.params is None:
            continue
        gone = [p for p in sym.params if p not in now.params]
        added = [p for p in now.params if p not in sym.params]
        evidence = Evidence(new.release.version, now.file, now.line, "surface-diff",
                            f"{path}({', '.join(sym.params)}) in {old.release.version} -> "
                            f"({', '.join(now.params)}) in {new.release.version}")
        for param in gone:
            if sym.params.index(param) < sym.required:
                continue  # a required positional: callers pass it by position, its name is not API
            renamed = (len(gone) == 1 and len(added) == 1 and sym.params.index(param) == now.params.index(added[0]))
            yield Candidate(change="argument-removed", old=path, param=param, evidence=evidence,
                            new_param=added[0] if renamed else None, is_method=sym.kind in ("method", "property"),
                            message=(f"`{param}` of `{path}` is gone in {new.release.version}"
                                     + (f"; `{added[0]}` took its place" if renamed else "")))
