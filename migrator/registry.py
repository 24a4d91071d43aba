"""One registry mechanism for transforms, rule packs, methods and proposers.

Names are checked but never closed: plugins register through Python entry points
(``load_entry_points``) and values may be lazy ``"module:attr"`` strings, so that
looking a method up never imports torch on the rule-only path.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class RegistryError(KeyError):
    """An unknown or duplicate name; the message lists the known names."""

    def __str__(self) -> str:
        return str(self.args[0])


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T | str] = {}

    def register(self, name: str, value: T | str | None = None) -> Callable[[T], T]:
        """Register ``value`` (or decorate it). A ``"module:attr"`` string is resolved lazily."""

        def add(obj: T) -> T:
            if name in self._items:
                raise RegistryError(f"{self.kind} {name!r} is already registered")
            self._items[name] = obj
            return obj

        if value is not None:
            add(value)  # type: ignore[arg-type]
        return add

    def get(self, name: str) -> T:
        try:
            item = self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise RegistryError(f"unknown {self.kind} {name!r}; known: {known}") from None
        if isinstance(item, str) and ":" in item:
            module, _, attr = item.partition(":")
            resolved: T = getattr(importlib.import_module(module), attr)
            self._items[name] = resolved
            return resolved
        return item  # type: ignore[return-value]

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def load_entry_points(self, group: str) -> None:
        """Register every entry point of ``group`` lazily (as ``module:attr``)."""
        for ep in entry_points(group=group):
            if ep.name not in self._items:
                self._items[ep.name] = ep.value
