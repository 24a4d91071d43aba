"""Rule packs through from_mapping: headers, evidence/verification, and the version bug."""

from __future__ import annotations

from pathlib import Path

import pytest

from apimig.migrator import facts
from apimig.migrator.api import Engine, load_config
from apimig.migrator.rules.loader import RuleFileError, load_pack, load_pack_text
from apimig.migrator.rules.packs import load_path

RULE = """\
- id: mylib-old
  library: {library}
  kind: method-rename
  old: mylib.Frame.old
  receiver: mylib.Frame
  fix: {{rename: mylib.Frame.new}}
  message: "`Frame.old` was removed; use `Frame.new`"
  deprecated_in: {version}
  source: https://example.org/mylib/changes
  cases:
    - {{bad: "import mylib\\nmylib.load().old()\\n", good: "import mylib\\nmylib.load().new()\\n"}}
    - {{noop: "x = []\\nx.old()\\n"}}
"""


def test_unquoted_version_is_an_error_naming_file_and_line():
    text = "\n" + RULE.format(library="mylib", version="1.10")
    with pytest.raises(RuleFileError) as err:
        load_pack_text(text, "mylib.yaml")
    assert err.value.path == "mylib.yaml" and err.value.line == 9
    assert "deprecated_in: a version must be a string, got number 1.1" in str(err.value)
    assert str(err.value).startswith("mylib.yaml:9: ")
    assert load_pack_text(RULE.format(library="mylib", version='"1.10"'), "mylib.yaml")[0].deprecated_in.minor == 10


def test_unquoted_case_target_version_is_an_error():
    text = RULE.format(library="mylib", version='"1.0"').replace(
        '{noop: "x = []\\nx.old()\\n"}', '{noop: "x = []\\nx.old()\\n", target: {mylib: 1.10}}')
    with pytest.raises(RuleFileError, match=r"cases\[1\]\.target\.mylib: a version must be a string"):
        load_pack_text(text, "t.yaml")


def test_misspelt_rule_key_names_the_closest():
    text = RULE.format(library="mylib", version='"1.0"').replace("message:", "mesage:")
    with pytest.raises(RuleFileError, match=r"unknown keys \['mesage'\]; did you mean 'message'\?"):
        load_pack_text(text, "t.yaml")


def _header_pack(version: str = '"1.0"') -> str:
    body = RULE.format(library="mylib", version=version)
    return ("library: mylib\ndistributions: [mylib-dist]\nmodules: [mylib]\n"
            "returns: {mylib.load: mylib.Frame}\nname_hints: {mylib.Frame: \"(?i)frame\"}\nrules:\n" + body)


def test_header_pack_loads_and_feeds_the_facts(tmp_path: Path):
    pack = load_pack(_header_pack(), "mylib.yaml")
    assert pack.header is not None and pack.header.distributions == ("mylib-dist",)
    assert [r.id for r in pack.rules] == ["mylib-old"]
    path = tmp_path / "mylib.yaml"
    path.write_text(_header_pack())
    load_path(path)
    known = facts.current()
    assert known.returns["mylib.load"] == "mylib.Frame"
    assert known.library_for("mylib-dist") == "mylib" and known.library_for("mylib") == "mylib"


def test_third_party_factory_and_distribution_target(tmp_path: Path):
    """The pack's header alone makes ``mylib.load()`` a Frame and ``--target mylib-dist=...`` work."""
    path = tmp_path / "mylib.yaml"
    path.write_text(_header_pack('"2.0"'))
    src = "import mylib\nf = mylib.load()\nf.old()\n"
    engine = Engine(load_config(None, rules=[str(path)], builtin_rules=False, targets={"mylib-dist": "2.1"}))
    assert engine.targets["mylib"].version.public == "2.1"
    assert [f.rule_id for f in engine.check(src)] == ["mylib-old"]
    old = Engine(load_config(None, rules=[str(path)], builtin_rules=False, targets={"mylib-dist": "1.5"}))
    assert old.check(src) == []


def test_plain_list_pack_still_loads():
    assert load_pack(RULE.format(library="mylib", version='"1.0"'), "old.yaml").header is None


def test_header_and_rule_library_must_agree():
    text = _header_pack().replace("  library: mylib", "  library: other")
    with pytest.raises(RuleFileError, match="has library 'other' in a 'mylib' pack"):
        load_pack_text(text, "t.yaml")


def test_evidence_and_verification_for_mined_rules():
    text = RULE.format(library="mylib", version='"1.0"') + (
        "  origin: mined\n"
        "  evidence:\n"
        "    - {release: \"1.0\", file: CHANGES.rst, line: 12, kind: changelog, text: Frame.old is deprecated}\n"
        "  verification: {status: safe, detail: cases pass on 1.0 and 2.0, env: mylib==2.0}\n")
    rule = load_pack_text(text, "mined.yaml")[0]
    assert rule.origin == "mined"
    assert rule.evidence[0].line == 12 and rule.evidence[0].kind == "changelog"
    assert rule.verification is not None and rule.verification.status == "safe"
    with pytest.raises(RuleFileError, match=r"verification.status: 'maybe' is not one of safe, unsafe, rejected"):
        load_pack_text(text.replace("status: safe", "status: maybe"), "mined.yaml")
    with pytest.raises(RuleFileError, match=r"evidence\[0\].line: expected an integer"):
        load_pack_text(text.replace("line: 12", "line: twelve"), "mined.yaml")


def test_bundled_headers_declare_the_library_facts():
    known = facts.current()
    assert known.library_for("scikit-learn") == "sklearn"
    assert known.library_for("python") == "stdlib"
    assert known.library_for("tensorflow-cpu") == "tensorflow"
    assert "numpy" in known.eager and "scipy" in known.module_trees and "joblib" in known.module_trees
    assert "datetime.datetime" in known.classes and known.returns["pandas.read_csv"] == "pandas.DataFrame"
    assert known.name_hints["pandas.DataFrame"].search("train_df")
    with pytest.raises(ValueError, match="unknown library 'scikit-lern'; did you mean 'scikit-learn'"):
        known.library_for("scikit-lern")
