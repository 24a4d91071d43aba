"""Fixes a reviewer merges untouched: the fixture families of tests/fixtures/precision/<class>/.

Each ``X.in.py`` is fixed (unsafe fixes included) and compared with ``X.out.py``; a second run
must change nothing. The patterns come from real projects (named in each fixture's docstring).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from apimig.migrator.config import Config
from apimig.migrator.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "precision"
ENGINE = Engine(Config(installed_versions=False))


@pytest.mark.parametrize("stem", sorted(str(p.relative_to(FIXTURES))[: -len(".in.py")]
                                        for p in FIXTURES.glob("*/*.in.py")))
def test_precision_fixture(stem: str, update_fixtures: bool) -> None:
    src = (FIXTURES / f"{stem}.in.py").read_text(encoding="utf-8")
    out_path = FIXTURES / f"{stem}.out.py"
    result = ENGINE.fix(src, stem, unsafe=True)
    got = result.new_source if result.new_source is not None else src
    if update_fixtures:
        out_path.write_text(got, encoding="utf-8")
    assert got == out_path.read_text(encoding="utf-8")
    assert ENGINE.fix(got, stem, unsafe=True).new_source is None, "a second run changed the file again"
    compile(got, stem, "exec")


def _lint(tool: list[str], where: Path) -> set[str]:
    """The tool's diagnostics with the folder stripped, as a set of lines."""
    run = subprocess.run(tool + ["."], cwd=where, capture_output=True, text=True, check=False)
    return {line for line in run.stdout.splitlines() if line.strip() and not line.startswith("Found ")}


@pytest.mark.skipif(shutil.which("ruff", path=str(Path(sys.executable).parent)) is None
                    or shutil.which("pyflakes", path=str(Path(sys.executable).parent)) is None,
                    reason="ruff and pyflakes are not installed in this environment")
def test_fix_leaves_isort_and_pyflakes_quiet(tmp_path: Path) -> None:
    """`apimig fix` on the bundled example adds no I001 (import order) and no pyflakes finding."""
    bindir = Path(sys.executable).parent
    project = tmp_path / "legacy_project"
    shutil.copytree(ROOT / "examples" / "legacy_project", project)
    ruff = [str(bindir / "ruff"), "check", "--no-cache", "--select", "I001,F", "--output-format", "concise"]
    pyflakes = [str(bindir / "pyflakes")]
    before = _lint(ruff, project) | _lint(pyflakes, project)
    fix = subprocess.run([str(bindir / "apimig"), "fix", "--unsafe", "."], cwd=project, capture_output=True,
                         text=True, check=False)
    assert fix.returncode in (0, 1), fix.stderr
    changed = subprocess.run(["diff", "-r", str(ROOT / "examples" / "legacy_project"), str(project)],
                             capture_output=True, text=True, check=False).stdout
    assert changed, "the fix changed nothing, so the test would prove nothing"
    after = _lint(ruff, project) | _lint(pyflakes, project)
    assert after - before == set()


def test_statement_migrates_whole_or_not_at_all() -> None:
    """Without --unsafe the unsafe `np.in1d` stays, so its safe sibling `np.product` waits too."""
    src = (FIXTURES / "partial" / "mixed_tiers.in.py").read_text(encoding="utf-8")
    result = ENGINE.fix(src, "mixed_tiers.py", unsafe=False)
    assert result.new_source is not None
    assert "kinds = (float, int)" in result.new_source  # a statement of its own still migrates
    assert "mask = np.in1d(a, b) & (np.product(s) > 0)" in result.new_source
    (held,) = [(f.rule_id, why) for f, why in result.dropped]
    assert held == ("numpy-product", "held back: `np.in1d` in the same statement is not migrated (its fix is unsafe)")


def test_fix_naming_a_missing_target_is_dropped_to_manual() -> None:
    """The check after rewriting reads the installed module's source: `shutil.whence` does not exist."""
    from apimig.migrator.rules.loader import rule_from_dict

    rule = rule_from_dict({
        "id": "test-bad-target", "library": "stdlib", "kind": "move", "old": "distutils.spawn.find_executable",
        "fix": {"rename": "shutil.whence"}, "message": "m", "source": "https://docs.python.org/3/", "deprecated_in": "3.10",
        "cases": [{"bad": "x", "good": "y"}, {"noop": "z"}]})
    running = f"{sys.version_info.major}.{sys.version_info.minor}"  # the installed copy is the target
    engine = Engine(Config(installed_versions=False, cli_targets={"stdlib": running}), rules=[rule])
    src = "from distutils.spawn import find_executable\n\nfind_executable('git')\n"
    result = engine.fix(src, "t.py", unsafe=True)
    assert result.new_source is None
    (finding,) = {f.rule_id: f for f in result.findings}.values()
    assert finding.fix is None
    assert "has no `whence` in `shutil`" in (finding.manual_reason or "")


def test_result_shape_use_sites() -> None:
    """torch.solve's (solution, LU) tuple: each use either selects the solution or stays manual."""
    cases = {
        "x, _ = torch.solve(b, A)\n": "x = torch.linalg.solve(A, b)\n",
        "x = torch.solve(b, A).solution\n": "x = torch.linalg.solve(A, b)\n",
        "x = torch.solve(b, A)[0]\n": "x = torch.linalg.solve(A, b)\n",
        "x = torch.solve(b, A)[1]\n": None,
        "x = torch.solve(b, A).LU\n": None,
        "f(torch.solve(b, A))\n": None,
    }
    for line, want in cases.items():
        src = "import torch\n\n" + line
        result = ENGINE.fix(src, "t.py", unsafe=True)
        got = result.new_source[len("import torch\n\n"):] if result.new_source else None
        assert got == want, line
        if want is None:
            (finding,) = [f for f in result.findings if f.rule_id == "torch-solve"]
            assert "returned (solution, LU)" in (finding.manual_reason or ""), line


def test_receiver_type_from_the_stub_of_the_call_that_made_it() -> None:
    """`threading.current_thread()` returns a Thread: typeshed says so, no hand table does."""
    pytest.importorskip("typeshed_client")
    from apimig.migrator.stubtypes import stub_return_type

    inferred = stub_return_type("threading.current_thread")
    assert inferred is not None and inferred.type == "threading.Thread"
    assert inferred.source == "typeshed: threading.pyi"
    src = "import threading\n\nname = threading.current_thread().getName()\nhome = __import__('os').getcwd()\n"
    result = ENGINE.fix(src, "t.py", unsafe=True)
    assert result.new_source == src.replace(".getName()", ".name")
