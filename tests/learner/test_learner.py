"""The learner: rules learned from a handful of pairs fix unseen code through the real engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apimig.migrator.dataset import DEFAULT_PAIRS, DatasetError, Pair, load_pairs, load_split, parse_pairs
from apimig.migrator.evaluation import evaluate, make_engine
from apimig.migrator.learner import dump_pack, learn
from apimig.migrator.learner.cli import cli_eval, cli_learn
from apimig.migrator.rules.loader import load_pack_text

URL = "https://numpy.org/devdocs/numpy_2_0_migration_guide.html"


def pair(pid: str, old: str, new: str, api: str, library: str = "numpy", noop: bool = False) -> Pair:
    return Pair(id=pid, library=library, version_from="1.0", version_to="2.0", api=api, old=old, new=new,
                source=URL, must_not_change=noop)


TRAPZ = [
    pair("t1", "import numpy as np\nr = np.trapz(y)\n", "import numpy as np\nr = np.trapezoid(y)\n", "numpy.trapz"),
    pair("t2", "import numpy\nprint(numpy.trapz(a, b))\n", "import numpy\nprint(numpy.trapezoid(a, b))\n",
         "numpy.trapz"),
    pair("t3", "import numpy as np\ndef f(y):\n    return np.trapz(y, dx=2)\n",
         "import numpy as np\ndef f(y):\n    return np.trapezoid(y, dx=2)\n", "numpy.trapz"),
    pair("t-noop", "def trapz(v):\n    return v\n\nr = trapz(1)\n", "def trapz(v):\n    return v\n\nr = trapz(1)\n",
         "numpy.trapz", noop=True),
]
KEEPDIMS = [
    pair("k1", "import tensorflow as tf\ns = tf.reduce_sum(x, keep_dims=True)\n",
         "import tensorflow as tf\ns = tf.reduce_sum(x, keepdims=True)\n", "tensorflow.reduce_sum", "tensorflow"),
    pair("k2", "import tensorflow as tf\ns = tf.reduce_sum(x, axis=1, keep_dims=False)\n",
         "import tensorflow as tf\ns = tf.reduce_sum(x, axis=1, keepdims=False)\n", "tensorflow.reduce_sum",
         "tensorflow"),
]
APPEND = [
    pair("a1", "import pandas as pd\ndf = pd.DataFrame({'a': [1]})\nout = df.append(other)\n",
         "import pandas as pd\ndf = pd.DataFrame({'a': [1]})\nout = pd.concat([df, other])\n",
         "pandas.DataFrame.append", "pandas"),
    pair("a2", "import pandas as pd\ndef g(rows):\n    frame = pd.DataFrame(rows)\n    return frame.append(rows)\n",
         "import pandas as pd\ndef g(rows):\n    frame = pd.DataFrame(rows)\n    return pd.concat([frame, rows])\n",
         "pandas.DataFrame.append", "pandas"),
]


def fix(rules: list, source: str) -> str:  # type: ignore[type-arg]
    result = make_engine(rules).fix(source)
    return result.new_source if result.new_source is not None else source


def by_old(rules: list, old: str):  # type: ignore[no-untyped-def, type-arg]
    return next(r for r in rules if r.old == old)


def test_rename_learned_and_applied_to_unseen_import_style() -> None:
    rules = learn(TRAPZ)
    rule = by_old(rules, "numpy.trapz")
    assert (rule.kind, rule.fix.rename, rule.origin) == ("rename", "numpy.trapezoid", "learned")
    unseen = "from numpy import trapz as tz\n\nvalue = tz([1, 2], dx=0.5)\n"
    assert "trapezoid([1, 2], dx=0.5)" in fix(rules, unseen)
    assert fix(rules, "def trapz(v):\n    return v\nr = trapz(2)\n") == "def trapz(v):\n    return v\nr = trapz(2)\n"


def test_argument_rename_learned_and_applied() -> None:
    rules = learn(KEEPDIMS)
    rule = by_old(rules, "tensorflow.reduce_sum")
    assert rule.kind == "argument-rename" and dict(rule.fix.arg_rename) == {"keep_dims": "keepdims"}
    out = fix(rules, "import tensorflow\nm = tensorflow.reduce_sum(t, 0, keep_dims=flag)\n")
    assert out == "import tensorflow\nm = tensorflow.reduce_sum(t, 0, keepdims=flag)\n"


def test_method_to_function_template_learned_and_applied() -> None:
    rules = learn(APPEND)
    rule = by_old(rules, "pandas.DataFrame.append")
    assert rule.kind == "method-to-function" and rule.receiver == "pandas.DataFrame"
    assert rule.fix.template == "{pandas.concat}([{recv}, {0}])"
    out = fix(rules, "import pandas\ntable = pandas.DataFrame()\ntable = table.append(extra)\n")
    assert out == "import pandas\ntable = pandas.DataFrame()\ntable = pandas.concat([table, extra])\n"
    assert fix(rules, "items = []\nitems.append(1)\n") == "items = []\nitems.append(1)\n"


def test_provenance_and_confidence_recorded_and_pack_round_trips() -> None:
    rules = learn(TRAPZ + KEEPDIMS)
    rule = by_old(rules, "numpy.trapz")
    assert rule.provenance is not None
    assert rule.provenance.pairs == ("t1", "t2", "t3") and rule.provenance.support == 3
    assert rule.provenance.consistency == 1.0 and rule.provenance.precision == 1.0
    assert any("resolves to numpy.trapz" in p for p in rule.provenance.preconditions)
    assert 0.8 < rule.confidence <= 1.0
    loaded = load_pack_text(dump_pack(rules), "learned.yaml")
    assert [r.id for r in loaded] == [r.id for r in rules]
    assert by_old(loaded, "numpy.trapz").provenance == rule.provenance
    assert all(r.origin == "learned" for r in loaded)


def test_contradictory_pair_lowers_confidence_instead_of_a_second_rule() -> None:
    clean = by_old(learn(TRAPZ), "numpy.trapz")
    odd = pair("t4", "import numpy as np\nr = np.trapz(y)\n", "import numpy as np\nr = np.sum(y)\n", "numpy.trapz")
    rules = learn(TRAPZ + [odd])
    assert [r.old for r in rules].count("numpy.trapz") == 1
    rule = by_old(rules, "numpy.trapz")
    assert rule.fix.rename == "numpy.trapezoid"
    assert rule.provenance is not None and rule.provenance.consistency == 0.75
    assert "t4" not in rule.provenance.pairs
    assert rule.confidence < clean.confidence


def test_malformed_lines_name_file_and_line(tmp_path: Path) -> None:
    good = json.dumps({"id": "x1", "library": "numpy", "versions": {"from": "1", "to": "2"}, "api": "numpy.a",
                       "old": "a\n", "new": "b\n", "source": URL})
    cases = {
        "{not json": "invalid JSON",
        json.dumps({"id": "x2", "library": "numpy"}): "missing required field 'versions'",
        good.replace('"b\\n"', '"b(\\n"'): "'new' is not valid Python",
        good: "duplicate pair id 'x1'",
    }
    for bad, message in cases.items():
        path = tmp_path / "pairs.jsonl"
        path.write_text(good + "\n\n" + bad + "\n", encoding="utf-8")
        with pytest.raises(DatasetError) as err:
            load_pairs(path)
        assert err.value.line == 3 and err.value.path == str(path)
        assert message in str(err.value) and str(err.value).startswith(f"{path}:3:")
    assert len(parse_pairs([good])) == 1


def test_shipped_dataset_and_splits() -> None:
    pairs = load_pairs(DEFAULT_PAIRS)
    assert len(pairs) >= 400
    assert len({p.library for p in pairs}) >= 8
    assert sum(p.must_not_change for p in pairs) >= 50
    assert all(p.source.startswith("https://") for p in pairs)
    splits = DEFAULT_PAIRS.parent / "splits"
    train, test = load_split(splits / "random.json", pairs)
    assert not {p.id for p in train} & {p.id for p in test} and len(train) + len(test) == len(pairs)
    train, test = load_split(splits / "heldout_api.json", pairs)
    assert not {p.api for p in train} & {p.api for p in test}


def test_cli_learn_and_eval_on_a_small_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pairs = tmp_path / "pairs.jsonl"
    rows = [{"id": p.id, "library": p.library, "versions": {"from": "1.0", "to": "2.0"}, "api": p.api,
             "old": p.old, "new": p.new, "source": URL, "must_not_change": p.must_not_change} for p in TRAPZ]
    pairs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "learned.yaml"
    assert cli_learn([str(pairs), "-o", str(out)]) == 0
    assert "numpy.trapezoid" in out.read_text(encoding="utf-8")
    report = tmp_path / "report.json"
    assert cli_eval([str(pairs), "--rules", str(out), "--origin", "learned", "--json", str(report)]) == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["overall"]["ast_match"] == 1.0 and data["overall"]["untouched"] == 1.0
    assert "overall" in capsys.readouterr().out
    assert cli_eval([str(tmp_path / "missing.jsonl")]) == 2


def test_evaluation_scores_a_wrong_rewrite() -> None:
    wrong = pair("w1", "import numpy as np\nr = np.trapz(y)\n", "import numpy as np\nr = np.trapz2(y)\n",
                 "numpy.trapz")
    report = evaluate([wrong], learn(TRAPZ, precision=False))
    res = report.results[0]
    assert not res.exact and not res.ast_match and not res.key_api and 0.5 < res.token_similarity < 1.0
