"""from_mapping: the one typed loader. Strict types, closest-key suggestions, file:line in errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping

import pytest
from packaging.version import Version

from apimig.migrator.mapping import MappingError, VersionStr, from_mapping, load_yaml


@dataclass(frozen=True)
class Inner:
    name: str
    weight: float = 1.0


@dataclass(frozen=True)
class Outer:
    flag: bool = False
    count: int = 0
    mode: Literal["a", "b"] = "a"
    names: tuple[str, ...] = ()
    targets: Mapping[str, VersionStr] = field(default_factory=dict)
    since: Version | None = None
    inner: Inner | None = None
    items: tuple[Inner, ...] = ()
    dashed: bool = field(default=True, metadata={"key": "dashed-key"})


def test_builds_every_supported_type():
    raw = {"flag": True, "count": 3, "mode": "b", "names": ["x", "y"], "targets": {"numpy": "2.0"},
           "since": "1.10", "inner": {"name": "n", "weight": 2}, "items": [{"name": "m"}], "dashed-key": False}
    out = from_mapping(Outer, raw, where="t.toml")
    assert out == Outer(True, 3, "b", ("x", "y"), {"numpy": "2.0"}, Version("1.10"), Inner("n", 2.0),
                        (Inner("m"),), False)
    assert isinstance(out.inner.weight, float)


@pytest.mark.parametrize("raw, needle", [
    ({"flag": "false"}, "flag: expected true or false, got string 'false'"),
    ({"count": True}, "count: expected an integer"),
    ({"count": 1.5}, "count: expected an integer"),
    ({"mode": "c"}, "mode: 'c' is not one of a, b"),
    ({"names": "x"}, "names: expected a list"),
    ({"names": [1]}, "names[0]: expected a string"),
    ({"targets": {"numpy": 2.0}}, "targets.numpy: a version must be a string"),
    ({"targets": {"numpy": "two"}}, "targets.numpy: invalid version 'two'"),
    ({"inner": {"weight": 1}}, "missing required key 'inner.name'"),
    ({"inner": {"name": "n", "weight": "heavy"}}, "inner.weight: expected a number"),
])
def test_wrong_types_are_errors(raw, needle):
    with pytest.raises(MappingError) as err:
        from_mapping(Outer, raw, where="t.toml")
    assert needle in str(err.value)
    assert str(err.value).startswith("t.toml: ")


def test_unknown_key_names_the_closest():
    with pytest.raises(MappingError, match=r"unknown keys \['dashed_key'\]; did you mean 'dashed-key'\?"):
        from_mapping(Outer, {"dashed_key": True}, where="x")
    with pytest.raises(MappingError, match=r"unknown keys \['inner.nam'\]; did you mean 'name'\?"):
        from_mapping(Outer, {"inner": {"nam": "n"}}, where="x")


def test_yaml_errors_carry_file_and_line():
    text = "flag: true\ncount: 2\nsince: 1.10\n"
    with pytest.raises(MappingError) as err:
        from_mapping(Outer, load_yaml(text, "pack.yaml"), where="pack.yaml")
    assert err.value.path == "pack.yaml" and err.value.line == 3
    assert "since: a version must be a string, got number 1.1" in str(err.value)
    assert str(err.value).startswith("pack.yaml:3: ")


def test_yaml_lines_of_nested_items():
    text = "items:\n  - name: a\n  - name: b\n    weight: heavy\n"
    with pytest.raises(MappingError) as err:
        from_mapping(Outer, load_yaml(text, "p.yaml"), where="p.yaml")
    assert err.value.line == 4 and "items[1].weight" in err.value.message


def test_yaml_syntax_error_names_line():
    with pytest.raises(MappingError) as err:
        load_yaml("a: 1\nb: [\n", "bad.yaml")
    assert err.value.path == "bad.yaml" and err.value.line >= 2


def test_fixed_values_are_not_read_from_raw():
    out = from_mapping(Inner, {"weight": 3}, where="x", fixed={"name": "given"})
    assert out == Inner("given", 3.0)
    with pytest.raises(MappingError, match=r"unknown keys \['name'\]"):
        from_mapping(Inner, {"name": "raw"}, where="x", fixed={"name": "given"})


def test_constructor_errors_carry_the_place():
    @dataclass(frozen=True)
    class Checked:
        n: int = 0

        def __post_init__(self) -> None:
            if self.n < 0:
                raise ValueError("n must be >= 0")

    with pytest.raises(MappingError, match=r"^c.yaml:2: n must be >= 0$"):
        from_mapping(Checked, load_yaml("\n{n: -1}\n", "c.yaml"), where="c.yaml")


def test_yaml_reads_exponent_floats_and_numeric_strings_are_opt_in():
    raw = load_yaml("weight: 5e-1\nname: n\n", "h.yaml")
    assert from_mapping(Inner, raw, where="h.yaml") == Inner("n", 0.5)
    with pytest.raises(MappingError, match="weight: expected a number"):
        from_mapping(Inner, {"name": "n", "weight": "5e-2"}, where="x")
    assert from_mapping(Inner, {"name": "n", "weight": "5e-2"}, where="x", numeric_strings=True).weight == 0.05
    with pytest.raises(MappingError, match="flag: expected true or false"):
        from_mapping(Outer, {"flag": "true", "count": "2"}, where="x", numeric_strings=True)
    assert from_mapping(Outer, {"count": "2"}, where="x", numeric_strings=True).count == 2
