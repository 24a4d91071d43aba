"""Where rule packs come from: the bundled packs, extra files, and plugin entry points.

Bundled packs are found by listing ``apimig.migrator.rulepacks`` (no hand-kept list).
A plugin registers a pack under the ``apimig.rulepacks`` entry point group; the entry
point's object is a path to a YAML file or a callable returning one.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable

from ..packcache import cached
from ..registry import Registry
from .loader import Pack, RuleFileError, read_pack_file
from .schema import PackHeader, Rule

PACKS: Registry[Callable[[], Path] | str | Path] = Registry("rule pack")


def _bundled() -> dict[str, Path]:
    root = resources.files("apimig.migrator.rulepacks")
    return {Path(str(f)).stem: Path(str(f)) for f in root.iterdir() if str(f).endswith(".yaml")}


def _pack_path(name: str) -> Path:
    value = PACKS.get(name)
    return Path(value() if callable(value) else value)


def _register_all() -> None:
    for name, path in sorted(_bundled().items()):
        if name not in PACKS:
            PACKS.register(name, path)
    PACKS.load_entry_points("apimig.rulepacks")


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime: float) -> Pack:
    return cached(Path(path), read_pack_file)


def load_pack_path(path: str | Path) -> Pack:
    """A pack's header and rules, cached by path and modification time."""
    p = Path(path)
    try:
        mtime = p.stat().st_mtime
    except OSError as exc:
        raise RuleFileError(p, 0, f"cannot read rule file: {exc.strerror or exc}") from None
    pack = _load_cached(str(p.resolve()), mtime)
    key = str(p.resolve())
    if pack.header is not None:
        _declare(key, pack.header)
    else:  # a pack without a header (a plain list) still declares the libraries its rules are about
        declare_libraries((r.library for r in pack.rules), key)
    return pack


def declare_libraries(libraries: Iterable[str], where: str = "<rules>") -> None:
    """Make libraries known that rules name without a pack header (rules built in code, plain lists)."""
    for lib in sorted(set(libraries)):
        _declare(f"{where}#{lib}", PackHeader(library=lib))


def _declare(where: str, header: PackHeader) -> None:
    global _GENERATION
    if _HEADERS.get(where) != header:
        _HEADERS[where] = header
        _GENERATION += 1


def load_path(path: str | Path) -> tuple[Rule, ...]:
    return load_pack_path(path).rules


_HEADERS: dict[str, PackHeader] = {}  # resolved path -> header of every pack loaded so far
_REGISTERED_LOADED = False  # whether headers() has loaded the bundled and plugin packs
_GENERATION = 0  # bumped when _HEADERS changes, so derived tables know when to rebuild


def headers_generation() -> int:
    return _GENERATION


def headers() -> tuple[PackHeader, ...]:
    """The headers of every pack loaded in this process; loads the bundled and plugin packs first."""
    global _REGISTERED_LOADED
    if not _REGISTERED_LOADED:
        _register_all()
        for name in PACKS.names():
            load_pack_path(_pack_path(name))
        _REGISTERED_LOADED = True
    return tuple(_HEADERS[k] for k in sorted(_HEADERS))


def load_rules(extra_files: Iterable[str | Path] = (), *, builtin: bool = True) -> list[Rule]:
    """All rules of the bundled and plugin packs plus ``extra_files``; ids must be unique."""
    _register_all()
    paths: list[Path] = [_pack_path(n) for n in PACKS.names()] if builtin else []
    paths += [Path(p) for p in extra_files]
    rules: list[Rule] = []
    owner: dict[str, Rule] = {}
    for path in paths:
        for rule in load_path(path):
            if rule.id in owner:
                first = owner[rule.id]
                if first.pack == rule.pack:
                    continue
                raise RuleFileError(path, rule.line, f"rule id {rule.id!r} is already defined in {first.pack}:{first.line}")
            owner[rule.id] = rule
            rules.append(rule)
    return rules
