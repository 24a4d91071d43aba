"""Library facts, read from rule-pack headers: the one place the code asks about a library.

Which distribution provides a library, which of its lowercase names are classes, whether
``import numpy`` loads ``numpy.linalg``, which calls return which types, which variable names
suggest a type. They used to be Python tables beside the packs; in the headers, a third-party
pack can declare them for its own library.
"""

from __future__ import annotations

import re
from typing import Iterable

from packaging.utils import canonicalize_name

from .mapping import suggest
from .rules import packs
from .rules.schema import PackHeader


class Facts:
    """The merged headers of the loaded packs, indexed for the questions the code asks."""

    def __init__(self, headers: Iterable[PackHeader]) -> None:
        # a bare header (implied by a pack without one) never overrides a library's declared facts
        self.headers = tuple(sorted(headers, key=lambda h: h != PackHeader(library=h.library)))
        self.distributions = {h.library: h.distributions or (h.library,) for h in self.headers}
        self.modules = {h.library: h.modules or (h.library,) for h in self.headers}
        self.eager = frozenset(m for h in self.headers if h.eager_submodules for m in self.modules[h.library])
        self.module_trees = frozenset(m for h in self.headers if h.module_tree for m in self.modules[h.library])
        self.classes = frozenset(c for h in self.headers for c in h.classes)
        self.returns = {callee: qtype for h in self.headers for callee, qtype in h.returns.items()}
        self.name_hints = {qtype: re.compile(p) for h in self.headers for qtype, p in h.name_hints.items()}

    def distribution_of(self, root: str) -> str:
        """The distribution that provides import root ``root`` (``sklearn`` -> scikit-learn)."""
        for lib, roots in self.modules.items():
            if root in roots:
                return self.distributions[lib][0]
        return root

    def library_for(self, key: str) -> str:
        """The library id for a ``--target`` key: a library id, a distribution, or an import root."""
        if key in self.distributions:
            return key
        wanted = canonicalize_name(key)
        for lib, dists in self.distributions.items():
            if wanted in {canonicalize_name(d) for d in dists}:
                return lib
        for lib, roots in self.modules.items():
            if key in roots:
                return lib
        names = {*self.distributions, *(d for ds in self.distributions.values() for d in ds)}
        raise ValueError(f"unknown library {key!r}{suggest(key, names)}")


_CACHE: tuple[int, Facts] | None = None


def current() -> Facts:
    """Facts of every pack loaded so far (the bundled and plugin packs at least)."""
    global _CACHE
    pack_headers = packs.headers() if _CACHE is None else None
    generation = packs.headers_generation()
    if _CACHE is None or _CACHE[0] != generation:
        _CACHE = (generation, Facts(pack_headers or packs.headers()))
    return _CACHE[1]
