"""Write a mined pack: a header (library, distributions, modules) and the rules, versions quoted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_VERSION_KEYS = ("deprecated_in", "removed_in", "replacement_since", "release")


class _Quoted(str):
    """A string always written in double quotes ("2.0" must never become the float 2.0)."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style='"'))


def _quote_versions(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _Quoted(v) if k in _VERSION_KEYS and isinstance(v, str) else _quote_versions(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_quote_versions(v) for v in value]
    return value


def pack_text(library: str, distributions: list[str], modules: list[str], rules: list[dict[str, Any]],
              comment: str = "") -> str:
    header = "".join(f"# {line}\n" for line in comment.splitlines())
    body = {"library": library, "distributions": distributions, "modules": modules,
            "rules": _quote_versions(rules)}
    return header + yaml.dump(body, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def write_pack(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
