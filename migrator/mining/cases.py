"""Inline cases generated from a mined rule, so `apimig test-rules` and `apimig verify` can run them.

``bad`` uses the old API the way users write it, ``good`` is the expected rewrite, ``noop`` uses a
local definition of the same name that must not be touched.
"""

from __future__ import annotations


def _split(path: str) -> tuple[str, str]:
    module, _, name = path.rpartition(".")
    return module, name


def _local(name: str) -> str:
    return f"def {name}(*args, **kwargs):\n    return None\n\nvalue = {name}()\n"


def name_cases(old: str, new: str | None) -> list[dict[str, str]]:
    """Cases for a module-level name: imported, then referenced."""
    module, name = _split(old)
    if not module:
        return [{"manual": f"import {old}\nvalue = {old}\n"}, {"noop": "value = 1\n"}]
    bad = f"from {module} import {name}\nvalue = {name}\n"
    noop = {"noop": _local(name)}
    if new is None:
        return [{"manual": bad}, noop]
    new_module, new_name = _split(new)
    return [{"bad": bad, "good": f"from {new_module} import {new_name}\nvalue = {new_name}\n"}, noop]


def module_cases(old: str) -> list[dict[str, str]]:
    head = old.split(".")[0]
    return [{"manual": f"import {old}\nvalue = {old}\n"}, {"noop": f"import {head}\n" if head != old else "value = 1\n"}]


def method_cases(old: str, new: str | None) -> list[dict[str, str]]:
    """Cases for a method: the receiver built from its class, so its type is known."""
    cls, method = _split(old)
    module, cls_name = _split(cls)
    bad = f"import {module}\nobj = {module}.{cls_name}()\nresult = obj.{method}()\n"
    noop = {"noop": f"class Other:\n    def {method}(self):\n        return None\n\nresult = Other().{method}()\n"}
    if new is None:
        return [{"manual": bad}, noop]
    good = f"import {module}\nobj = {module}.{cls_name}()\nresult = obj.{new.rsplit('.', 1)[-1]}()\n"
    return [{"bad": bad, "good": good}, noop]


def argument_cases(old: str, param: str, new_param: str | None, method: bool) -> list[dict[str, str]]:
    module, name = _split(old)
    if method:
        cls_module, cls_name = _split(module)
        prefix = f"import {cls_module}\nobj = {cls_module}.{cls_name}()\nresult = obj.{name}"
    else:
        prefix = f"import {module}\nresult = {module}.{name}"
    bad = f"{prefix}({param}=1)\n"
    if new_param is None:
        return [{"manual": bad}, {"noop": f"{prefix}()\n"}]
    return [{"bad": bad, "good": f"{prefix}({new_param}=1)\n"}, {"noop": f"{prefix}({new_param}=1)\n"}]
