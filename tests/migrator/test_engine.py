"""The engine and CLI on a small known pack: resolution, gating, suppression, output, safety."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from apimig.migrator.cli import main
from apimig.migrator.config import Config, load_config
from apimig.migrator.engine import Engine
from apimig.migrator.rules.packs import load_path

PACK = Path(__file__).parent / "data" / "rules.yaml"
RULES = list(load_path(PACK))


def engine(**targets: str) -> Engine:
    return Engine(Config(cli_targets=targets, installed_versions=False), rules=RULES)


def ids(src: str, **targets: str) -> list[tuple[int, str]]:
    return [(f.start.line + 1, f.rule_id) for f in engine(**targets).check(src)]


def fixed(src: str, unsafe: bool = True) -> str:
    result = engine().fix(src, unsafe=unsafe)
    return result.new_source if result.new_source is not None else src


@pytest.mark.parametrize("src", [
    "import numpy as np\nnp.trapz(y)\n",
    "import numpy\nnumpy.trapz(y)\n",
    "from numpy import trapz\ntrapz(y)\n",
    "from numpy import trapz as tz\ntz(y)\n",
    "def f(y):\n    import numpy as xp\n    return xp.trapz(y)\n",
])
def test_aliases_resolve(src: str) -> None:
    assert [r for _, r in ids(src)] == ["numpy-trapz"]
    assert "trapezoid" in fixed(src) and "trapz" not in fixed(src)


@pytest.mark.parametrize("src", [
    "def f(np):\n    return np.trapz(1)\n",  # parameter shadows the module
    "import numpy as np\ndef f():\n    np = load()\n    return np.trapz(1)\n",  # local shadows it
    "import numpy as np\ns = 'np.trapz(1)'  # np.trapz\n",  # string and comment
    "from scipy.integrate import trapz\ntrapz(y)\n",  # same name, other library
    "import numpy as np\ntry:\n    f = np.trapz\nexcept AttributeError:\n    f = np.trapezoid\n",  # shim
    "import numpy as np\nif hasattr(np, 'trapezoid'):\n    f = np.trapezoid\nelse:\n    f = np.trapz\n",
    "import pandas as pd\nrows = []\nrows.append(pd.DataFrame())\n",  # a list's append
    "class C:\n    def trapz(self):\n        return self.trapz()\n",
])
def test_never_touches(src: str) -> None:
    assert ids(src) == []
    assert fixed(src) == src


def test_method_rule_needs_known_receiver() -> None:
    known = "import pandas as pd\ndf = pd.read_csv('a.csv')\ndf = df.append(other)\n"
    assert fixed(known) == "import pandas as pd\ndf = pd.read_csv('a.csv')\ndf = pd.concat([df, other])\n"
    unknown = "import pandas as pd\ndef f(df, other):\n    return df.append(other)\n"
    findings = engine().check(unknown)
    assert [f.rule_id for f in findings] == ["pandas-append"] and findings[0].fix is None
    assert "unknown" in (findings[0].manual_reason or "")
    assert fixed(unknown) == unknown


def test_fix_adds_and_removes_imports() -> None:
    assert fixed("from numpy import in1d\nin1d(a, b)\n") == "from numpy import isin\nisin(a, b).ravel()\n"
    assert fixed("from numpy import float as F, trapz\nx = F(1)\n") == "from numpy import trapz\nx = float(1)\n"
    assert fixed("import os\nfrom scipy.misc import comb\nos.sep\ncomb(5, 2)\n") == \
        "import os\nfrom scipy.special import comb\nos.sep\ncomb(5, 2)\n"
    assert fixed("import sklearn.cross_validation as cv\ncv.KFold()\n") == \
        "import sklearn.model_selection as cv\ncv.KFold()\n"


def test_argument_rename() -> None:
    src = "from sklearn.preprocessing import OneHotEncoder as E\nE(sparse=False, dtype=int)\nE()\n"
    assert fixed(src) == "from sklearn.preprocessing import OneHotEncoder as E\nE(sparse_output=False, dtype=int)\nE()\n"


def test_template_with_extra_argument_is_manual() -> None:
    f = engine().check("import numpy as np\nnp.in1d(a, b, invert=True)\n")[0]
    assert f.fix is None and "invert" in (f.manual_reason or "")


def test_unsafe_fixes_only_when_asked() -> None:
    src = "import numpy as np\nnp.in1d(a, b)\n"
    assert fixed(src, unsafe=False) == src
    assert fixed(src, unsafe=True) == "import numpy as np\nnp.isin(a, b).ravel()\n"


def test_version_gating() -> None:
    src = "import numpy as np\nnp.trapz(y)\nnp.float(1)\n"
    assert [r for _, r in ids(src, numpy="1.26")] == ["numpy-float"]
    assert [r for _, r in ids(src, numpy="1.19")] == []
    assert [r for _, r in ids(src, numpy="2.1")] == ["numpy-trapz", "numpy-float"]


def test_replacement_must_exist_in_target() -> None:
    src = "from scipy.misc import comb\ncomb(5, 2)\n"
    assert ids(src, scipy="0.13") == []  # deprecation not reached
    assert ids(src, scipy="1.3") == [(2, "scipy-misc-comb")]


def test_suppression_comments() -> None:
    src = ("import numpy as np\nnp.trapz(a)  # apimig: ignore\nnp.trapz(b)  # apimig: ignore[numpy-trapz]\n"
           "np.trapz(c)  # noqa: numpy-trapz\nnp.trapz(d)  # apimig: ignore[other-rule]\n")
    assert ids(src) == [(5, "numpy-trapz")]


def test_idempotent_and_nested() -> None:
    src = "import numpy as np\nx = np.in1d(np.trapz(y), np.float(b))\n"
    once = fixed(src)
    assert once == "import numpy as np\nx = np.isin(np.trapezoid(y), float(b)).ravel()\n"
    assert fixed(once) == once


def test_positions_count_code_points() -> None:
    f = engine().check("import numpy as np\ns = 'héllo😀'; x = np.trapz(y)\n")[0]
    assert (f.start.line, f.start.col, f.end.col) == (1, 18, 26)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def write_project(tmp: Path) -> Path:
    (tmp / "pkg").mkdir()
    (tmp / "pkg" / "good.py").write_text("import numpy as np\nx = np.trapz(y)\n", encoding="utf-8")
    (tmp / "pkg" / "clean.py").write_text("import numpy as np\nx = np.trapezoid(y)\n", encoding="utf-8")
    (tmp / "pkg" / "broken.py").write_text("import numpy as np\ndef f(:\n    np.trapz(1)\n", encoding="utf-8")
    return tmp / "pkg"


def test_cli_check_exit_codes_and_syntax_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pkg = write_project(tmp_path)
    code, out, err = run_cli(["check", "--no-builtin-rules", "--rules", str(PACK), str(pkg)], capsys)
    assert code == 1
    assert f"{pkg / 'good.py'}:2:5: numpy-trapz" in out
    assert "broken.py" in err and "does not parse" in err
    code, out, _ = run_cli(["check", "--no-builtin-rules", "--rules", str(PACK), str(pkg / "clean.py")], capsys)
    assert code == 0 and out == ""


def test_cli_json_and_sarif(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pkg = write_project(tmp_path)
    base = ["check", "--no-builtin-rules", "--rules", str(PACK), str(pkg / "good.py")]
    _, out, _ = run_cli(base + ["--format", "json"], capsys)
    data = json.loads(out)
    assert data["findings"][0]["rule"] == "numpy-trapz" and data["findings"][0]["line"] == 2
    assert data["summary"]["findings"] == 1
    _, out, _ = run_cli(base + ["--format", "sarif"], capsys)
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert run["tool"]["driver"]["rules"][0]["id"] == "numpy-trapz"
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (2, 5)
    assert run["results"][0]["fixes"][0]["description"]["text"] == "Replace with `np.trapezoid`"
    assert run["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == ".trapezoid"


def test_cli_fix_diff_writes_nothing_and_fix_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pkg = write_project(tmp_path)
    good = pkg / "good.py"
    before = good.read_bytes()
    code, out, _ = run_cli(["fix", "--diff", "--no-builtin-rules", "--rules", str(PACK), str(good)], capsys)
    assert code == 1 and "+x = np.trapezoid(y)" in out and good.read_bytes() == before
    code, _, err = run_cli(["fix", "--no-builtin-rules", "--rules", str(PACK), str(good)], capsys)
    assert code == 0 and good.read_text() == "import numpy as np\nx = np.trapezoid(y)\n" and "Fixed 1" in err
    mtime = good.stat().st_mtime_ns
    code, _, _ = run_cli(["fix", "--no-builtin-rules", "--rules", str(PACK), str(good)], capsys)
    assert code == 0 and good.stat().st_mtime_ns == mtime  # unchanged file is not rewritten


def test_fix_keeps_crlf_bom_and_encoding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crlf = tmp_path / "crlf.py"
    crlf.write_bytes(b"\xef\xbb\xbfimport numpy as np\r\nx = np.trapz(y)\r\n")
    latin = tmp_path / "latin.py"
    latin.write_bytes("# -*- coding: latin-1 -*-\nfrom numpy import in1d\ns = 'café'\nin1d(a, b)\n".encode("latin-1"))
    code, _, _ = run_cli(["fix", "--unsafe-fixes", "--no-builtin-rules", "--rules", str(PACK), str(tmp_path)], capsys)
    assert code == 0
    assert crlf.read_bytes() == b"\xef\xbb\xbfimport numpy as np\r\nx = np.trapezoid(y)\r\n"
    assert latin.read_bytes() == "# -*- coding: latin-1 -*-\nfrom numpy import isin\ns = 'café'\nisin(a, b).ravel()\n".encode("latin-1")


def test_broken_rule_file_exit_2_with_path_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(PACK.read_text().split("- id: numpy-in1d")[0] + "- id: broken\n  library: numpy\n  kind: rename\n"
                   "  old: numpy.x\n  message: m\n  source: not-a-url\n  deprecated_in: '1.0'\n", encoding="utf-8")
    code, _, err = run_cli(["check", "--no-builtin-rules", "--rules", str(bad), str(tmp_path)], capsys)
    assert code == 2
    assert f"{bad}:13:" in err and "source must be a URL" in err
    bad.write_text("- id: x\n  library: [unclosed\n", encoding="utf-8")
    code, _, err = run_cli(["check", "--no-builtin-rules", "--rules", str(bad), str(tmp_path)], capsys)
    assert code == 2 and f"{bad}:" in err and "invalid YAML" in err


def test_pyproject_config_and_select(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\ndependencies = ["numpy>=1.21"]\n\n[tool.apimig]\nrules = ["rules.yaml"]\n'
        'builtin-rules = false\n', encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(PACK.read_text(), encoding="utf-8")
    src = tmp_path / "m.py"
    src.write_text("import numpy as np\nnp.trapz(y)\nnp.float(1)\n", encoding="utf-8")
    _, out, err = run_cli(["check", str(tmp_path)], capsys)
    assert "numpy-float" in out and "numpy-trapz" not in out and "numpy 1.21 (pyproject dependencies)" in err
    _, out, _ = run_cli(["check", "--target", "numpy=2.0", "--ignore", "numpy-float", str(tmp_path)], capsys)
    assert "numpy-trapz" in out and "numpy-float" not in out
    code, out, _ = run_cli(["rules", "list", "--target", "numpy=1.21", str(tmp_path)], capsys)
    line = next(l for l in out.splitlines() if "numpy-trapz" in l)
    assert line.startswith("off") and "before the deprecation in 2.0" in line


def test_jobs_gives_same_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(8):
        (tmp_path / f"m{i}.py").write_text(f"import numpy as np\nx{i} = np.trapz(y)\n", encoding="utf-8")
    _, one, _ = run_cli(["check", "-j", "1", "--no-builtin-rules", "--rules", str(PACK), str(tmp_path)], capsys)
    _, two, _ = run_cli(["check", "-j", "2", "--no-builtin-rules", "--rules", str(PACK), str(tmp_path)], capsys)
    assert one == two and one.count("numpy-trapz") == 8


def test_console_script_version() -> None:
    out = subprocess.run([sys.executable, "-m", "apimig.migrator.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("apimig ")


def test_core_does_not_import_torch_or_pygls() -> None:
    code = ("import sys; from apimig.migrator.cli import main; main(['check', '--no-builtin-rules', '--rules', "
            f"{str(PACK)!r}, '.']); bad = [m for m in ('torch', 'transformers', 'pygls', 'apimig.models', "
            "'apimig.server') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACK.parent)
    assert out.returncode == 0, out.stdout + out.stderr


def test_template_arguments_keep_their_precedence() -> None:
    assert fixed("import numpy as np\nx = 2 * np.in1d(a + b, c)\n") == "import numpy as np\nx = 2 * np.isin(a + b, c).ravel()\n"


def test_keyword_value_and_function_local_imports() -> None:
    assert ids("from numpy import float as F\nnp.zeros(3, dtype=F)\n") == [(2, "numpy-float")]
    src = "def g(a):\n    from numpy import trapz as lt\n    return lt(a)\n"
    assert ids(src) == [(3, "numpy-trapz")]
    local = "def g(a):\n    import numpy as xp\n    return xp.in1d(a, a)\n"
    assert fixed(local) == "def g(a):\n    import numpy as xp\n    return xp.isin(a, a).ravel()\n"


def test_rename_keeps_spelling_and_removes_dead_imports() -> None:
    assert fixed("import numpy\nimport numpy as np\nx = numpy.trapz(y)\nz = np.zeros(1)\n") == \
        "import numpy\nimport numpy as np\nx = numpy.trapezoid(y)\nz = np.zeros(1)\n"
    assert fixed("import numpy as np\nx = np.float(1)\n") == "x = float(1)\n"


def test_module_receivers_are_not_method_receivers() -> None:
    assert ids("import numpy as np\nimport pandas as pd\nnp.append(a, b)\n") == []
    assert ids("import pandas as pd\nclass Grid:\n    pass\nGrid().append(1)\n") == []


def test_fix_that_breaks_the_parse_is_dropped_and_reported() -> None:
    from apimig.migrator.rules.loader import load_pack_text

    rule_text = PACK.read_text().split("- id: numpy-in1d")[0].replace("numpy.trapezoid", "builtins.lambda")
    rules = load_pack_text(rule_text, "keyword.yaml")
    eng = Engine(Config(installed_versions=False), rules=rules)
    src = "import numpy as np\nx = np.trapz(y)\n"
    result = eng.fix(src)
    assert result.new_source is None
    assert [(f.rule_id, why) for f, why in result.dropped] == [("numpy-trapz", "the fix would break the parse")]


def test_test_rules_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["test-rules", str(PACK)], capsys)
    assert code == 0 and out.strip().endswith("0 failed")


def test_apimig_itself_is_clean() -> None:
    root = Path(__file__).resolve().parents[2]
    eng = Engine(Config(installed_versions=False))
    dirty = []
    for folder in ("migrator", "server", "models", "bench"):
        for path in (root / folder).rglob("*.py"):
            dirty += [f"{path}:{f.start.line + 1} {f.rule_id}" for f in eng.check(path.read_text(encoding="utf-8"))]
    assert not dirty


def test_dotted_import_of_a_rewritten_module_is_replaced() -> None:
    assert fixed("import scipy.misc\nv = scipy.misc.comb(5, 2)\n") == "import scipy.special\nv = scipy.special.comb(5, 2)\n"
    assert fixed("import scipy.misc\nimport scipy.misc as keep\nv = scipy.misc.comb(5, 2)\nkeep.x\n") == \
        "import scipy.misc as keep\nimport scipy.special\nv = scipy.special.comb(5, 2)\nkeep.x\n"  # aliased: still used


def test_fix_never_rebinds_a_name_in_use() -> None:
    """`pd.datetime` -> `datetime.datetime` must not add `import datetime` while `datetime` names
    pandas' (then the stdlib's) class: the quick fix alone is manual, `fix` resolves it in two passes."""
    src = "import pandas as pd\nfrom pandas import datetime\n\na = pd.datetime.now()\nb = datetime(2020, 1, 1)\n"
    eng = Engine(Config(cli_targets={"pandas": "2.0"}, installed_versions=False))  # the bundled packs
    first = {f.start.line: f for f in eng.check(src)}
    assert first[3].fix is None and "already bound to `pandas.datetime`" in (first[3].manual_reason or "")
    result = eng.fix(src)
    assert result.new_source == "from datetime import datetime\n\na = datetime.now()\nb = datetime(2020, 1, 1)\n"
    assert not eng.check(result.new_source)


def _bundled(**targets: str) -> Engine:
    return Engine(Config(cli_targets=targets, installed_versions=False))


@pytest.mark.parametrize(("src", "expected"), [
    # an unknown receiver whose call fits list.append and whose name says nothing: not reported
    ("import pandas as pd\ndef f(rows, x):\n    rows.append(x)\n", []),
    # ... unless its name says DataFrame, or the call cannot be list.append
    ("import pandas as pd\ndef f(train_df, x):\n    return train_df.append(x)\n", ["pandas-dataframe-append"]),
    ("import numpy as np\ndef f(result):\n    return result.ptp()\n", ["numpy-ndarray-ptp"]),
    # a pandas accessor and a class object are not the frame or an instance
    ("import pandas as pd\ndef f(s):\n    return s.str.pad(5, side='left')\n", []),
    ("import numpy as np\nclass Masked:\n    pass\ndoc = Masked.ptp.__doc__\n", []),
    # DataFrame.append is 'named': HDFStore and pyarrow tables have an append too
    ("import pandas as pd\ndef f(store, frame):\n    store.append('key', frame)\n", []),
    # self of a class with no library base is not a DataFrame
    ("import pandas as pd\nclass Tok:\n    def pad(self, x):\n        return x\n    def run(self, x):\n        return self.pad(x)\n", []),
    # x.dtype and np.dtype(...) are dtypes: dtype.newbyteorder is not ndarray.newbyteorder
    ("import numpy as np\ndef f(x, t):\n    return x.dtype.newbyteorder('='), np.dtype(t).newbyteorder('<')\n", []),
    # default-then-upgrade and version-checked conditionals are compatibility shims
    ("from torch import nn\nweight_norm = nn.utils.weight_norm\nif hasattr(nn.utils.parametrizations, 'weight_norm'):\n"
     "    weight_norm = nn.utils.parametrizations.weight_norm\n", []),
    ("import numpy as np\ncore = np._core if is_numpy_available('2.0.0') else np.core\n", []),
    ("import numpy as np\narea = np.trapezoid(y) if hasattr(np, 'trapezoid') else np.trapz(y)\n", []),
    # a getattr on something else is not a shim for the API used under it
    ("import torch\nif getattr(out, 'loss', None) is not None:\n    reg = torch.norm(w, p='fro')\n", ["torch-norm"]),
])
def test_receivers_and_shims_on_real_world_patterns(src: str, expected: list[str]) -> None:
    found = _bundled(numpy="2.0", pandas="2.0", torch="2.4").check(src)
    assert [f.rule_id for f in found] == expected
    assert all(f.fix is None for f in found)  # unknown receivers are reported, never fixed


def test_default_jobs_give_the_results_of_one_process_in_order(tmp_path: Path) -> None:
    from apimig.migrator.runner import Job, default_jobs, run

    paths = []
    for i in range(6):
        paths.append(tmp_path / f"m{i}.py")
        paths[-1].write_text(f"import numpy as np\nx{i} = np.trapz(y)\n" * (i + 1), encoding="utf-8")
    config = load_config(tmp_path, rules=[str(PACK)], builtin_rules=False)
    job = Job(fix=False, unsafe=False, write=False)
    one = [(o.result.path, o.result.findings) for o in run(config, job, paths, jobs=1)]
    auto = [(o.result.path, o.result.findings) for o in run(config, job, paths)]
    pool = [(o.result.path, o.result.findings) for o in run(config, job, paths, jobs=2)]
    assert one == auto == pool and [len(f) for _, f in one] == [1, 2, 3, 4, 5, 6]
    assert default_jobs() >= 1
