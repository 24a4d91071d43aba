"""The ruff-compatible CLI conventions of ``apimig check|fix`` (docs/ruff-comparison.md), run on real files."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from apimig.migrator.cli import main
from apimig.migrator.progress import bar_line

SOURCE = "import numpy as np\nx = np.trapz(y)\nz = np.in1d(a, b)\n"
BASE = ["--target", "numpy=2.4", "--select", "numpy", "--no-progress"]


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "m.py").write_text(SOURCE, encoding="utf-8")
    return tmp_path


def test_output_format_alias_and_text_shows_unsafe_reason(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, new, _ = run_cli(["check", *BASE, "--output-format", "text", str(project)], capsys)
    _, old, _ = run_cli(["check", *BASE, "--format", "text", str(project)], capsys)
    assert code == 1 and new == old
    assert "numpy-in1d" in new and "[fix: unsafe: in1d always returns a 1-d result" in new


def test_json_and_text_agree_on_fixable(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run_cli(["check", *BASE, str(project)], capsys)
    _, out, _ = run_cli(["check", *BASE, "--output-format", "json", str(project)], capsys)
    s = json.loads(out)["summary"]
    assert (s["findings"], s["fixable"], s["unsafe_fixable"]) == (2, 1, 1)
    assert "1 fixable with `apimig fix` (1 more with `--unsafe-fixes`)" in err


def test_full_shows_the_line_and_a_caret(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(["check", *BASE, "--output-format", "full", "--select", "numpy-trapz", str(project)], capsys)
    lines = out.splitlines()
    at = lines.index("2 | x = np.trapz(y)")
    assert lines[at + 1] == "  |     ^^^^^^^^"
    assert lines[at + 2].startswith("  = help: Replace with")


def test_full_gives_the_unsafe_reason_its_own_wrapped_lines(project: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(["check", *BASE, "--output-format", "full", "--select", "numpy-in1d", str(project)], capsys)
    lines = out.splitlines()
    header = next(line for line in lines if "numpy-in1d" in line)
    assert header.endswith("[fix: unsafe]")
    why = lines.index(next(line for line in lines if line.lstrip().startswith("= why: ")))
    reason = " ".join(line.strip() for line in lines[why:] if line.strip()).removeprefix("= why: ")
    assert reason.startswith("in1d always returns a 1-d result")
    assert all(len(line) <= 100 for line in lines[why:])
    assert not any("(unsafe: " in line for line in lines)  # said once, not again in the fix title


def test_color_always_never_and_no_color(project: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _, out, _ = run_cli(["check", *BASE, "--color", "always", str(project)], capsys)
    assert "\033[31mnumpy-trapz\033[0m" in out
    _, out, _ = run_cli(["check", *BASE, "--color", "never", str(project)], capsys)
    assert "\033[" not in out
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    _, out, _ = run_cli(["check", *BASE, str(project)], capsys)
    assert "\033[" not in out


def test_statistics_counts_per_rule(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "n.py").write_text("import numpy as np\nnp.trapz(a)\nnp.trapz(b)\n", encoding="utf-8")
    code, out, _ = run_cli(["check", *BASE, "--statistics", str(project)], capsys)
    rows = [line.split("\t") for line in out.splitlines()]
    assert code == 1 and [(int(n), rid, msg[:3]) for n, rid, msg in rows] == [(3, "numpy-trapz", "[*]"),
                                                                              (1, "numpy-in1d", "[ ]")]
    _, out, _ = run_cli(["check", *BASE, "--statistics", "--output-format", "json", str(project)], capsys)
    assert json.loads(out)[0] == {"code": "numpy-trapz", "count": 3, "fixable": True,
                                  "message": "`numpy.trapz` was deprecated in NumPy 2.0 and removed in 2.4; use "
                                             "`numpy.trapezoid`"}


def test_exit_zero(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["check", *BASE, "--exit-zero", str(project)], capsys)
    assert code == 0 and "numpy-trapz" in out


def test_fix_diff_exits_1_only_on_a_diff(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["fix", "--diff", *BASE, str(project)], capsys)
    assert code == 1 and "+x = np.trapezoid(y)" in out and f"Run `apimig fix {project}` to apply." in err
    only_unsafe = project / "u.py"
    only_unsafe.write_text("import numpy as np\nz = np.in1d(a, b)\n", encoding="utf-8")
    code, out, err = run_cli(["fix", "--diff", *BASE, str(only_unsafe)], capsys)
    assert code == 0 and out == "" and "need a decision" in err  # a remaining finding, but no diff


def test_fix_only_and_show_fixes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["fix", *BASE, "--fix-only", "--show-fixes", str(project)], capsys)
    assert code == 0 and "np.trapezoid(y)" in (project / "m.py").read_text(encoding="utf-8")
    assert "fixed: " in out and "numpy-trapz" in out and "need a decision" not in err
    (project / "m.py").write_text(SOURCE, encoding="utf-8")
    code, _, _ = run_cli(["fix", *BASE, str(project)], capsys)
    assert code == 1  # without --fix-only the unsafe finding left over fails the run
    (project / "m.py").write_text(SOURCE, encoding="utf-8")
    code, _, _ = run_cli(["fix", *BASE, "--fix-only", "--exit-non-zero-on-fix", str(project)], capsys)
    assert code == 1
    code, _, _ = run_cli(["fix", *BASE, "--fix-only", "--exit-non-zero-on-fix", str(project)], capsys)
    assert code == 0  # nothing left to fix the second time


def test_stdin_check_and_fix(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(SOURCE))
    code, out, _ = run_cli(["check", "-", "--stdin-filename", "pkg/mod.py", *BASE], capsys)
    assert code == 1 and out.startswith("pkg/mod.py:2:5: numpy-trapz")
    monkeypatch.setattr(sys, "stdin", io.StringIO(SOURCE))
    code, out, _ = run_cli(["fix", "-", *BASE], capsys)
    assert out == SOURCE.replace("np.trapz", "np.trapezoid") and code == 1  # the unsafe in1d is left


def test_a_file_that_does_not_parse_fails_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "broken.py").write_text("import numpy as np\ndef f(:\n    np.trapz(1)\n", encoding="utf-8")
    code, out, err = run_cli(["check", *BASE, str(tmp_path)], capsys)
    assert code == 1 and out == "" and "does not parse" in err
    code, out, _ = run_cli(["check", *BASE, "--output-format", "json-lines", str(tmp_path)], capsys)
    assert code == 1 and "does not parse" in json.loads(out.splitlines()[0])["error"]


def test_unknown_select_is_an_error_with_the_closest_match(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["check", "--select", "numpy-trapzz", str(project)], capsys)
    assert code == 2 and "unknown rule or library 'numpy-trapzz'; did you mean 'numpy-trapz'?" in err
    code, _, err = run_cli(["check", "--ignore", "nmupy", str(project)], capsys)
    assert code == 2 and "did you mean 'numpy'?" in err
    code, _, _ = run_cli(["check", *BASE, "--ignore", "numpy-tr*", str(project)], capsys)
    assert code == 1  # a prefix that matches rules is fine (numpy-in1d remains)


def test_json_lines_github_gitlab_junit(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(["check", *BASE, "--output-format", "json-lines", str(project)], capsys)
    assert [json.loads(line)["rule"] for line in out.splitlines()] == ["numpy-trapz", "numpy-in1d"]
    _, out, _ = run_cli(["check", *BASE, "--output-format", "github", str(project)], capsys)
    first = out.splitlines()[0]
    assert first.startswith(f"::warning file={project / 'm.py'},line=2,col=5,endLine=2,endColumn=13,")
    assert "title=apimig (numpy-trapz)::numpy-trapz" in first
    _, out, _ = run_cli(["check", *BASE, "--output-format", "gitlab", str(project)], capsys)
    issues = json.loads(out)
    assert [i["check_name"] for i in issues] == ["numpy-trapz", "numpy-in1d"]
    assert issues[0]["location"]["positions"]["begin"] == {"line": 2, "column": 5} and len(issues[0]["fingerprint"]) == 32
    _, out, _ = run_cli(["check", *BASE, "--output-format", "junit", str(project)], capsys)
    suite = ET.fromstring(out.split("?>", 1)[1])
    assert suite.get("failures") == "2" and len(suite.findall(".//failure")) == 2


def test_no_broken_pipe_traceback_when_piped_into_head(tmp_path: Path) -> None:
    for i in range(300):
        (tmp_path / f"m{i}.py").write_text("import numpy as np\n" + "np.trapz(y)\n" * 20, encoding="utf-8")
    script = "import sys; from apimig.migrator.cli import console_main; sys.argv[0] = 'apimig'; sys.exit(console_main())"
    proc = subprocess.Popen([sys.executable, "-c", script, "check", *BASE, str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert proc.wait() in (0, 1) and "Traceback" not in err and "BrokenPipeError" not in err


def test_progress_line_has_rate_and_eta() -> None:
    assert bar_line(10, 40, 2.0, width=4) == "[#   ] 10/40 files 5.0 files/s ETA 0:06"
    assert bar_line(0, 40, 0.0, width=4).endswith("ETA ?")


def test_noqa_alias_that_ruff_accepts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "m.py").write_text("import numpy as np\nx = np.trapz(y)  # noqa: APIMIG001\n"
                                   "z = np.trapz(y)  # apimig: ignore[numpy-trapz]\n", encoding="utf-8")
    code, out, _ = run_cli(["check", *BASE, str(tmp_path)], capsys)
    assert code == 0 and out == ""


def test_ruff_accepts_the_alias_with_lint_external(tmp_path: Path) -> None:
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is in the dev extra")
    (tmp_path / "ruff.toml").write_text('[lint]\nextend-select = ["RUF100", "PGH004"]\nexternal = ["APIMIG"]\n')
    (tmp_path / "ok.py").write_text("import numpy as np\n\nx = np.trapz([1.0])  # noqa: APIMIG001\n")
    (tmp_path / "bad.py").write_text("import numpy as np\n\nx = np.trapz([1.0])  # noqa: numpy-trapz\n")
    ok = subprocess.run([str(ruff), "check", "--no-cache", "ok.py"], cwd=tmp_path, capture_output=True, text=True)
    bad = subprocess.run([str(ruff), "check", "--no-cache", "bad.py"], cwd=tmp_path, capture_output=True, text=True)
    assert ok.returncode == 0 and "Invalid" not in ok.stderr, ok.stdout + ok.stderr
    assert "Invalid `# noqa` directive" in bad.stderr


def test_pre_commit_hooks_run_with_force_exclude(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shlex

    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"apimig-check", "apimig-fix"}
    (tmp_path / "pyproject.toml").write_text('[tool.apimig]\nexclude = ["vendored/"]\n', encoding="utf-8")
    (tmp_path / "vendored").mkdir()
    staged = [tmp_path / "m.py", tmp_path / "vendored" / "v.py"]
    for path in staged:
        path.write_text("import numpy as np\nx = np.trapz(y)\n", encoding="utf-8")
    for hook_id, expected in (("apimig-check", 1), ("apimig-fix", 0)):
        entry = shlex.split(hooks[hook_id]["entry"])
        assert entry[0] == "apimig" and "--force-exclude" in entry
        code, out, _ = run_cli([*entry[1:], "--target", "numpy=2.0", *map(str, staged)], capsys)
        assert code == expected and "v.py" not in out
    assert "trapezoid" in staged[0].read_text() and "trapz" in staged[1].read_text()  # the excluded file untouched
