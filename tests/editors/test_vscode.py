"""The VS Code extension: build it, run its Node tests against the real Python server, package it.

The Node tests (``editors/vscode/src/test``) check the settings mapping and drive ``apimig-lsp``
over stdio with the LSP client libraries (diagnostics, then a quick fix applied), with no
VS Code download. Skipped only where npm is missing, unless ``APIMIG_EDITOR_TESTS=required``
(``.ci/run`` sets it, so CI cannot skip it silently).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "editors" / "vscode"
REQUIRED = os.environ.get("APIMIG_EDITOR_TESTS") == "required"


def test_vscode_extension_builds_tests_and_packages() -> None:
    if shutil.which("npm") is None:
        if REQUIRED:
            pytest.fail("npm is not on PATH but APIMIG_EDITOR_TESTS=required")
        pytest.skip("npm is not on PATH")
    env = {**os.environ, "APIMIG_PYTHON": sys.executable}
    proc = subprocess.run(["bash", str(EXTENSION / "scripts" / "test.sh")], cwd=EXTENSION, env=env,
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    tail = (proc.stdout + proc.stderr)[-4000:]
    assert proc.returncode == 0, tail
    assert "# fail 0" in proc.stdout and "# pass 0" not in proc.stdout, tail
    assert (EXTENSION / "apimig.vsix").stat().st_size > 10_000, tail
