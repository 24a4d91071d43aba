"""[tool.apimig] and --config through from_mapping: type errors are errors, targets map through headers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from apimig.migrator.api import Engine, load_config
from apimig.migrator.cli import main
from apimig.migrator.config import ConfigError

NUMPY_USE = "import numpy as np\nnp.trapz(y)\n"


def _project(tmp_path: Path, section: str) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.apimig]\n" + section)
    (tmp_path / "mod.py").write_text(NUMPY_USE)
    return tmp_path


def test_unsafe_fixes_string_is_a_type_error(tmp_path: Path):
    """Regression: ``unsafe-fixes = "false"`` went through bool() and turned unsafe fixes ON."""
    _project(tmp_path, 'unsafe-fixes = "false"\n')
    with pytest.raises(ConfigError, match=r"unsafe-fixes: expected true or false, got string 'false'") as err:
        load_config(tmp_path / "mod.py")
    assert str(tmp_path / "pyproject.toml") in str(err.value)
    assert load_config(_project(tmp_path, "unsafe-fixes = false\n") / "mod.py").unsafe_fixes is False


def test_unknown_key_and_numeric_version_are_errors(tmp_path: Path):
    _project(tmp_path, "unsafe-fix = true\n")
    with pytest.raises(ConfigError, match=r"did you mean 'unsafe-fixes'\?"):
        load_config(tmp_path)
    _project(tmp_path, "targets = { numpy = 2.0 }\n")
    with pytest.raises(ConfigError, match=r"targets.numpy: a version must be a string"):
        load_config(tmp_path)
    _project(tmp_path, 'severity = { removed = "loud" }\n')
    with pytest.raises(ConfigError, match=r"severity.removed: 'loud' is not one of error, warning"):
        load_config(tmp_path)


def test_targets_by_distribution_and_python(tmp_path: Path):
    engine = Engine(load_config(None, targets={"scikit-learn": "1.5", "python": "3.12", "numpy": "2.0"}))
    assert str(engine.targets["sklearn"].version) == "1.5"
    assert str(engine.targets["stdlib"].version) == "3.12"
    assert str(engine.targets["numpy"].version) == "2.0"


def test_unknown_target_key_suggests_the_closest(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "mod.py").write_text(NUMPY_USE)
    assert main(["check", "--target", "numpi=2.0", str(tmp_path / "mod.py")]) == 2
    assert "unknown library 'numpi'; did you mean 'numpy'?" in capsys.readouterr().err


def test_config_file_not_named_pyproject_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "mod.py").write_text(NUMPY_USE)
    top = tmp_path / "apimig.toml"
    top.write_text('ignore = ["numpy-trapz"]\ntargets = { numpy = "2.0" }\n')
    assert load_config(tmp_path / "mod.py", config_file=top).ignore == ("numpy-trapz",)
    assert main(["check", "--config", str(top), str(tmp_path / "mod.py")]) == 0
    tool = tmp_path / "ci.toml"
    tool.write_text('[tool.apimig]\ntargets = { numpy = "2.0" }\n')
    assert main(["check", "--config", str(tool), str(tmp_path / "mod.py")]) == 1
    capsys.readouterr()


def test_missing_config_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "mod.py").write_text(NUMPY_USE)
    assert main(["check", "--config", str(tmp_path / "nope.toml"), str(tmp_path / "mod.py")]) == 2
    assert "nope.toml: config file not found" in capsys.readouterr().err


def test_python_m_apimig_and_version(tmp_path: Path):
    """Regression: ``python -m apimig`` failed and ``import apimig`` had no ``__version__``; from any folder."""
    root = Path(__file__).resolve().parents[2]
    for cwd in (root, tmp_path):
        out = subprocess.run([sys.executable, "-m", "apimig", "--version"], cwd=cwd, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        probe = subprocess.run([sys.executable, "-c", "import apimig, apimig.migrator; print(apimig.__version__)"],
                               cwd=cwd, capture_output=True, text=True)
        assert probe.returncode == 0 and probe.stdout.strip() and probe.stdout.strip() in out.stdout + out.stderr


def test_core_dependencies_declare_tomli_before_python_3_11():
    """Regression: Python 3.10 crashed at import because tomli was not declared (CI also runs 3.10)."""
    from packaging.requirements import Requirement

    from apimig.migrator.config import tomllib

    root = Path(__file__).resolve().parents[2]
    deps = [Requirement(d) for d in tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]]
    tomli = [r for r in deps if r.name == "tomli"]
    assert tomli and tomli[0].marker is not None
    assert tomli[0].marker.evaluate({"python_version": "3.10"}) and not tomli[0].marker.evaluate({"python_version": "3.11"})
