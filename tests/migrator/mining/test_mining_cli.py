"""`apimig mine` end to end, offline: synthetic wheels in a find-links folder, pip fetching them,
the pack loading with the rule loader and its generated cases passing `apimig test-rules`."""

from __future__ import annotations

import yaml

from apimig.migrator.cli import main
from apimig.migrator.rules.loader import load_pack_file

OLD = {"toynx/__init__.py": "from .algo import *\n", "toynx/algo.py": (
    "__all__ = ['old_walk', 'walk', 'draw', 'legacy']\n\n"
    "def old_walk(g):\n    pass\n\ndef walk(g):\n    pass\n\ndef draw(g, pos=None, style=None):\n    pass\n\n"
    "def legacy(g):\n    pass\n")}
MID = {"toynx/__init__.py": "from .algo import *\n", "toynx/algo.py": (
    "import warnings\n__all__ = ['old_walk', 'walk', 'draw', 'legacy']\n\n"
    "def old_walk(g):\n    warnings.warn('old_walk is deprecated and will be removed; use walk instead', DeprecationWarning)\n"
    "    return walk(g)\n\ndef walk(g):\n    pass\n\n"
    "def draw(g, pos=None, style=None, layout=None):\n    if pos is not None:\n"
    "        warnings.warn('pos is deprecated, use `layout` instead', DeprecationWarning)\n\n"
    "def legacy(g):\n    warnings.warn('legacy() is deprecated', FutureWarning)\n")}
NEW = {"toynx/__init__.py": "from .algo import *\n", "toynx/algo.py": (
    "__all__ = ['walk', 'draw']\n\ndef walk(g):\n    pass\n\ndef draw(g, style=None, layout=None):\n    pass\n")}


def test_mine_offline_writes_a_pack_that_loads_and_passes_its_cases(wheels, tmp_path, capsys):
    links = wheels("toynx", {"1.0": OLD, "1.1": MID, "1.2": MID, "2.0": NEW})
    out = tmp_path / "toynx.yaml"
    code = main(["mine", "toynx", "--find-links", str(links), "--cache", str(tmp_path / "cache"), "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    raw = yaml.safe_load(out.read_text())
    assert raw["library"] == "toynx" and raw["distributions"] == ["toynx"] and raw["modules"] == ["toynx"]
    rules = {r.id: r for r in load_pack_file(out)}
    walk = rules["toynx-old-walk"]
    assert walk.kind == "rename" and walk.fix.rename == "toynx.walk" and walk.tier == "safe"
    assert (str(walk.deprecated_in), str(walk.removed_in), str(walk.replacement_since)) == ("1.1", "2.0", "1.0")
    assert walk.origin == "mined" and walk.evidence[0].file == "toynx/algo.py"
    pos = rules["toynx-draw-pos"]
    assert pos.kind == "argument-rename" and dict(pos.fix.arg_rename) == {"pos": "layout"}
    assert pos.tier == "unsafe" and "not declare a plain rename" in pos.reason  # named by a warning only
    assert str(pos.replacement_since if pos.replacement_since else pos.deprecated_in) == "1.1"
    legacy = rules["toynx-legacy"]
    assert legacy.tier == "manual" and not legacy.fixable and str(legacy.removed_in) == "2.0"
    assert '"1.1"' in out.read_text()  # versions stay quoted strings
    capsys.readouterr()
    assert main(["test-rules", str(out)]) == 0
    assert "0 failed" in capsys.readouterr().out


def test_mine_reports_an_unknown_distribution_with_exit_2(tmp_path, capsys):
    (tmp_path / "links").mkdir()
    code = main(["mine", "nosuchdist", "--find-links", str(tmp_path / "links"), "--cache", str(tmp_path / "c")])
    assert code == 2
    assert "nosuchdist" in capsys.readouterr().err
