"""Neovim end to end: headless nvim 0.7+ with editors/nvim/apimig.lua drives the real server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NVIM = shutil.which("nvim")

LEGACY = 'import numpy as np\ns = "héllo😀"; x = np.float_(1)\ny = 2\n'


def _run(script: str, tmp_path: Path, source: str, **env: str) -> tuple[str, Path]:
    """Run ``script`` (next to this file) in headless nvim on a ``legacy.py`` holding ``source``;
    returns what the script reported and the file."""
    if NVIM is None:
        if os.environ.get("APIMIG_EDITOR_TESTS") == "required":
            pytest.fail("nvim is not on PATH but APIMIG_EDITOR_TESTS=required")
        pytest.skip("nvim is not on PATH (Debian package `neovim`; .ci/run installs it)")
    (tmp_path / "pyproject.toml").write_text("[tool.apimig]\n")
    target = tmp_path / "legacy.py"
    target.write_text(source, encoding="utf-8")
    result = tmp_path / "result.txt"
    full_env = {
        **os.environ,
        "APIMIG_LUA": str(ROOT / "editors" / "nvim" / "apimig.lua"),
        "APIMIG_FILE": str(target),
        "APIMIG_PYTHON": sys.executable,
        "APIMIG_RESULT": str(result),
        "APIMIG_HARNESS": str(Path(__file__).with_name("nvim_harness.lua")),
        **env,
    }
    proc = subprocess.run(
        [str(NVIM), "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {Path(__file__).with_name(script)}"],
        env=full_env, cwd=tmp_path, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL, check=False,
    )
    outcome = result.read_text() if result.exists() else f"no result; rc={proc.returncode} {proc.stderr[-2000:]}"
    return outcome, target


def test_headless_neovim_applies_quick_fix(tmp_path: Path) -> None:
    outcome, target = _run("nvim_e2e.lua", tmp_path, LEGACY)
    assert outcome == "ok numpy-float-underscore Replace with `np.float64`", outcome
    assert target.read_text(encoding="utf-8") == LEGACY.replace("np.float_(1)", "np.float64(1)")


def test_typed_call_fixed_through_the_clients_code_action(tmp_path: Path) -> None:
    """Typed into the buffer, then fixed with ``vim.lsp.buf.code_action`` (the user's command)."""
    outcome, target = _run("nvim_code_action.lua", tmp_path, "import numpy as np\n",
                           APIMIG_TYPED="oarea = np.trapz(y, x)")
    assert outcome == "ok numpy-trapz Replace with `np.trapezoid`", outcome
    assert target.read_text(encoding="utf-8") == "import numpy as np\narea = np.trapezoid(y, x)\n"
