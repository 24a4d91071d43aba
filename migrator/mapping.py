"""One typed loader for every config, spec, hparams and rule mapping.

``from_mapping(cls, raw, where=...)`` builds a frozen dataclass from plain data (YAML, TOML, JSON),
checking each value against the field's type annotation. It exists so that ``unsafe-fixes = "false"``
is an error instead of ``bool("false") is True``, an unquoted YAML version (``1.10`` read as the
float 1.1) is an error instead of a wrong version, and a misspelt key is reported with the closest
valid key. Errors name the file and, for YAML loaded with :func:`load_yaml`, the line.

Supported annotations: ``bool`` (a real bool only), ``int`` (not bool), ``float`` (int accepted),
``str``, ``Literal[...]``, ``tuple[T, ...]`` / ``list[T]`` / ``Sequence[T]``, ``Mapping[str, T]`` /
``dict[str, T]``, nested dataclasses, ``X | None``, ``Any``, ``packaging.version.Version`` and
:data:`VersionStr` (both accept only strings). Field metadata ``{"key": "unsafe-fixes"}`` sets the
key a field is read from.
"""

from __future__ import annotations

import collections.abc as cabc
import dataclasses
import difflib
import functools
import re
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Callable, Literal, Mapping, TypeVar, Union

import yaml
from packaging.version import InvalidVersion, Version

T = TypeVar("T")


class _VersionMark:
    """Marker inside ``Annotated``: the string must be a PEP 440 version."""


VersionStr = Annotated[str, _VersionMark]
"""A version kept as text (``"2.0"``); YAML/TOML numbers are rejected, they lose digits (1.10 -> 1.1)."""


class MappingError(ValueError):
    """A value that does not fit its schema; ``str()`` is ``file:line: key: message``."""

    def __init__(self, where: str | Path, line: int, message: str) -> None:
        super().__init__(f"{where}:{line}: {message}" if line else f"{where}: {message}")
        self.path = str(where)
        self.line = line
        self.message = message


class LineDict(dict):
    """A dict loaded from YAML that remembers its own line and each key's line (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list):
    """A list loaded from YAML that remembers its own line and each item's line (1-based)."""

    line: int = 0
    item_lines: list[int]


def line_of(value: Any, key: Any = None) -> int:
    """The line of ``value`` (or of ``value[key]``) when it came from :func:`load_yaml`, else 0."""
    if key is not None:
        if isinstance(value, LineDict):
            return value.key_lines.get(key, value.line)
        if isinstance(value, LineList) and isinstance(key, int) and key < len(value.item_lines):
            return value.item_lines[key]
    return getattr(value, "line", 0)


def without(raw: Mapping[Any, Any], *keys: Any) -> dict[Any, Any]:
    """A copy of ``raw`` minus ``keys`` that keeps its line marks (for keys the caller reads itself)."""
    out = LineDict({k: v for k, v in raw.items() if k not in keys})
    out.line, out.key_lines = line_of(raw), dict(getattr(raw, "key_lines", {}))
    return out


def suggest(name: str, choices: typing.Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, else the list of valid ones."""
    choices = sorted(set(choices))
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; valid: {', '.join(choices)}" if choices else ""


def compose_with_lines(node: yaml.Node, constructor: yaml.constructor.SafeConstructor) -> Any:
    """Turn a composed YAML node into LineDict/LineList/scalars, keeping line marks."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = LineDict()
        out.line, out.key_lines = line, {}
        for key_node, value_node in node.value:
            key = compose_with_lines(key_node, constructor)
            if not isinstance(key, cabc.Hashable):
                raise MappingError("<yaml>", key_node.start_mark.line + 1, "a mapping key must be a scalar")
            out[key] = compose_with_lines(value_node, constructor)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        items = LineList(compose_with_lines(v, constructor) for v in node.value)
        items.line, items.item_lines = line, [v.start_mark.line + 1 for v in node.value]
        return items
    return constructor.construct_object(node, deep=True)


class _Loader(yaml.SafeLoader):
    """SafeLoader that also reads ``5e-1`` as a float (YAML 1.2); YAML 1.1 reads it as a string."""


_Loader.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$"),
                              list("-+0123456789"))


def load_yaml(text: str, path: str | Path) -> Any:
    """Safe-load YAML keeping line marks; a syntax error raises MappingError(path, line)."""
    loader = _Loader("")
    try:
        root = yaml.compose(text, Loader=_Loader)
        return None if root is None else compose_with_lines(root, loader)
    except MappingError as exc:
        raise MappingError(path, exc.line, exc.message) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise MappingError(path, mark.line + 1 if mark else 1, f"invalid YAML: {getattr(exc, 'problem', exc)}") from None
    finally:
        loader.dispose()


def load_yaml_file(path: str | Path) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(path, 0, f"cannot read: {exc.strerror or exc}") from None
    return load_yaml(text, path)


def field_key(f: dataclasses.Field) -> str:
    """The mapping key a dataclass field is read from."""
    return f.metadata.get("key", f.name)


def keys_of(cls: type) -> list[str]:
    return [field_key(f) for f in dataclasses.fields(cls) if f.init]


def from_mapping(cls: type[T], raw: Any, *, where: str | Path = "<mapping>", fixed: Mapping[str, Any] | None = None,
                 numeric_strings: bool = False, _path: str = "") -> T:
    """Build ``cls`` from ``raw``; ``fixed`` are constructor values the caller sets (not read from raw).

    ``numeric_strings`` lets int/float fields read ``'100'`` or ``'5e-2'`` (hparams files copied from
    EasyEdit quote numbers); bools and versions stay strict either way."""
    line = line_of(raw)
    prefix = f"{_path}: " if _path else ""
    if not isinstance(raw, Mapping):
        raise MappingError(where, line, f"{prefix}expected a mapping, got {_describe(raw)}")
    fixed = dict(fixed or {})
    fields = {field_key(f): f for f in dataclasses.fields(cls) if f.init and f.name not in fixed}
    hints = typing.get_type_hints(cls, include_extras=True)
    unknown = [key for key in raw if key not in fields]
    if unknown:
        names = [f"{_path}.{key}" if _path else str(key) for key in unknown]
        raise MappingError(where, line_of(raw, unknown[0]), f"unknown keys {names}{suggest(str(unknown[0]), fields)}")
    kwargs: dict[str, Any] = dict(fixed)
    for key, f in fields.items():
        name = f"{_path}.{key}" if _path else key
        if key not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise MappingError(where, line, f"missing required key {name!r}")
            continue
        kwargs[f.name] = convert(hints[f.name], raw[key], where=where, line=line_of(raw, key), path=name,
                                 numeric_strings=numeric_strings)
    try:
        return cls(**kwargs)
    except (ValueError, TypeError) as exc:
        if isinstance(exc, MappingError):
            raise
        raise MappingError(where, line, f"{prefix}{exc}") from None


def convert(tp: Any, value: Any, *, where: str | Path, line: int, path: str, numeric_strings: bool = False) -> Any:
    """Check ``value`` against annotation ``tp`` and return it in the field's shape."""
    again = functools.partial(convert, where=where, numeric_strings=numeric_strings)

    def fail(expected: str) -> typing.NoReturn:
        raise MappingError(where, line, f"{path}: expected {expected}, got {_describe(value)}")

    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return value
    if origin is Annotated:
        if _VersionMark in args[1:]:
            _check_version(value, where=where, line=line, path=path)
        return again(args[0], value, line=line, path=path)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            return again(options[0], value, line=line, path=path)
        errors = []
        for option in options:
            try:
                return again(option, value, line=line, path=path)
            except MappingError as exc:
                errors.append(exc.message.split(": expected ", 1)[-1].split(", got ")[0])
        fail(" or ".join(errors))
    if origin is Literal:
        if any(value == a and type(value) is type(a) for a in args):
            return value
        raise MappingError(where, line, f"{path}: {value!r} is not one of {', '.join(map(str, args))}"
                           f"{suggest(str(value), map(str, args)) if isinstance(value, str) else ''}")
    if tp is bool:
        return value if isinstance(value, bool) else fail("true or false")
    if numeric_strings and tp in (int, float) and isinstance(value, str):
        value = _number(value, tp, fail)
    if tp is int:
        return value if isinstance(value, int) and not isinstance(value, bool) else fail("an integer")
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        fail("a number")
    if tp is str:
        return value if isinstance(value, str) else fail("a string")
    if tp is Version:
        _check_version(value, where=where, line=line, path=path)
        return Version(value)
    if origin in (tuple, list, cabc.Sequence) or tp in (tuple, list):
        if not isinstance(value, (list, tuple)):
            fail("a list")
        item_tp = args[0] if args else Any
        items = tuple(
            again(item_tp, v, line=line_of(value, i) or line, path=f"{path}[{i}]")
            for i, v in enumerate(value)
        )
        return list(items) if origin is list or tp is list else items
    if origin in (dict, cabc.Mapping) or tp in (dict, Mapping):
        if not isinstance(value, Mapping):
            fail("a mapping")
        key_tp, value_tp = args if args else (Any, Any)
        out = {}
        for k, v in value.items():
            k_line = line_of(value, k) or line
            out[again(key_tp, k, line=k_line, path=f"{path} key")] = again(value_tp, v, line=k_line, path=f"{path}.{k}")
        return out
    if dataclasses.is_dataclass(tp):
        return from_mapping(tp, value, where=where, numeric_strings=numeric_strings, _path=path)
    if isinstance(tp, type):
        return value if isinstance(value, tp) else fail(tp.__name__)
    raise TypeError(f"from_mapping: unsupported annotation {tp!r} for {path}")


def _number(text: str, tp: type, fail: Callable[[str], typing.NoReturn]) -> Any:
    try:
        number = float(text)
    except ValueError:
        fail("a number")
    return int(number) if tp is int and number.is_integer() else number


def _check_version(value: Any, *, where: str | Path, line: int, path: str) -> None:
    if not isinstance(value, str):
        hint = f'; quote it: "{value}"' if isinstance(value, (int, float)) and not isinstance(value, bool) else ""
        raise MappingError(where, line, f"{path}: a version must be a string, got {_describe(value)}{hint}"
                           + (" (YAML reads 1.10 as the number 1.1)" if isinstance(value, float) else ""))
    try:
        Version(value)
    except InvalidVersion:
        raise MappingError(where, line, f"{path}: invalid version {value!r}") from None


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    kind = {bool: "boolean", int: "integer", float: "number", str: "string"}.get(type(value))
    if kind:
        return f"{kind} {value!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__
