"""SARIF as GitHub code scanning expects it, validated against the committed 2.1.0 schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from apimig.migrator.cli import main

SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema" / "sarif-schema-2.1.0.json").read_text())
BASE = ["--target", "numpy=2.4", "--select", "numpy", "--no-progress", "--output-format", "sarif"]


def sarif(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    main(["check", *BASE, *args])
    return json.loads(capsys.readouterr().out)


def test_sarif_for_code_scanning(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # a file named with %41 must not resolve to "aA.py"; the emoji is two UTF-16 units
    Path("a%41.py").write_text('import numpy as np\ns = "😀"; x = np.trapz(y)\nx = np.trapz(y)\n', encoding="utf-8")
    Path("broken.py").write_text("import numpy as np\ndef f(:\n    np.trapz(1)\n", encoding="utf-8")
    log = sarif(["."], capsys)
    jsonschema.validate(log, SCHEMA)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == tmp_path.resolve().as_uri() + "/"
    first, second = run["results"]
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "a%2541.py", "uriBaseId": "SRCROOT"}
    assert loc["region"]["startColumn"] == 15  # `s = "😀"; x = ` is 13 code points, 14 UTF-16 units
    fps = [r["partialFingerprints"]["apimigFinding/v1"] for r in (first, second)]
    assert len(set(fps)) == 2  # the same line twice is told apart by its occurrence
    rule = run["tool"]["driver"]["rules"][first["ruleIndex"]]
    assert rule["helpUri"].endswith("/docs/rules/numpy/numpy-trapz.md")
    assert "fix" in rule["fullDescription"]["text"].lower() and rule["help"]["markdown"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == ["broken.py"]
    assert "does not parse" in notes[0]["message"]["text"]


def test_fingerprint_survives_moving_code(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m.py").write_text("import numpy as np\nx = np.trapz(y)\n", encoding="utf-8")
    before = sarif(["m.py"], capsys)["runs"][0]["results"][0]
    Path("m.py").write_text("import numpy as np\n\n\n# moved\nx = np.trapz(y)\n", encoding="utf-8")
    after = sarif(["m.py"], capsys)["runs"][0]["results"][0]
    assert before["locations"] != after["locations"]
    assert before["partialFingerprints"] == after["partialFingerprints"]


def test_unsafe_reason_in_sarif_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m.py").write_text("import numpy as np\nz = np.in1d(a, b)\n", encoding="utf-8")
    log = sarif(["m.py"], capsys)
    jsonschema.validate(log, SCHEMA)
    assert "in1d always returns a 1-d result" in log["runs"][0]["results"][0]["message"]["text"]
