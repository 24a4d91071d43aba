"""Model-update methods, found by name through the ``apimig.methods`` entry-point group.

The built-ins are declared in pyproject.toml exactly as a third-party method would be, as lazy
``"module:attr"`` values resolved on first ``get`` (peft ``tuners/lora/__init__.py``), so
listing methods never imports torch. Each resolves to a :class:`apimig.models.methods.base.Method`;
its ``kind`` ("edit" rewrites weights, "adapter" trains one) decides which command offers it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apimig.migrator.registry import Registry

if TYPE_CHECKING:
    from apimig.models.methods.base import Method, MethodKind

METHODS: Registry["Method"] = Registry("method")
METHODS.load_entry_points("apimig.methods")


def get_method(name: str) -> "Method":
    return METHODS.get(name)


def method_names(kind: "MethodKind | None" = None) -> list[str]:
    """Registered method names, only those of ``kind`` when given (imports each method's module)."""
    return [n for n in METHODS.names() if kind is None or get_method(n).kind == kind]


__all__ = ["METHODS", "get_method", "method_names"]
