"""Model-update methods, registered lazily by name.

Values are ``"module:attr"`` strings resolved on first ``get`` (peft
``tuners/lora/__init__.py``), so listing methods never imports torch. Third-party
methods register through the ``apimig.methods`` entry-point group; each resolves to
a :class:`apimig.models.methods.base.Method`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apimig.migrator.registry import Registry

if TYPE_CHECKING:
    from apimig.models.methods.base import Method

METHODS: Registry["Method"] = Registry("method")
METHODS.register("rome", "apimig.models.methods.rome.method:METHOD")
METHODS.register("memit", "apimig.models.methods.memit.method:METHOD")
METHODS.register("lora", "apimig.models.methods.lora.method:METHOD")
METHODS.register("dpo", "apimig.models.methods.dpo.method:METHOD")
METHODS.register("alphaedit", "apimig.models.methods.alphaedit.method:METHOD")
METHODS.load_entry_points("apimig.methods")


def get_method(name: str) -> "Method":
    return METHODS.get(name)


__all__ = ["METHODS", "get_method"]
