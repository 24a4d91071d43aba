"""``apimig report``: the readiness document (JSON) and its page, from a real scan of a small project."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from apimig.migrator.api import load_config
from apimig.migrator.readiness.cli import cli_report
from apimig.migrator.readiness.html import render
from apimig.migrator.readiness.model import ReportError, build, load_previous
from report_project import make_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def _doc(project: Path, **kw):  # type: ignore[no-untyped-def]
    return build(load_config(project, targets={"numpy": "2.0"}), [project], **kw)


def test_counts_per_library_and_rule_by_tier(project: Path) -> None:
    doc = _doc(project)
    assert doc["summary"] == {"files": 5, "files_with_findings": 3, "findings": 4, "safe": 2, "unsafe": 1,
                              "manual": 1, "errors": 0}
    assert doc["libraries"] == [{"library": "numpy", "safe": 2, "unsafe": 1, "manual": 1}]
    rules = {r["rule"]: (r["safe"], r["unsafe"], r["manual"]) for r in doc["rules"]}
    assert rules == {"numpy-trapz": (2, 0, 0), "numpy-in1d": (0, 1, 0), "numpy-disp": (0, 0, 1)}
    assert doc["rules"][0]["rule"] == "numpy-trapz"  # most findings first
    assert doc["targets"] == {"numpy": {"version": "2.0", "origin": "--target"}}  # not every installed library


def test_blocking_files_are_those_with_manual_findings(project: Path) -> None:
    doc = _doc(project)
    assert [b["path"] for b in doc["blocking"]] == ["pkg/show.py"]
    assert doc["blocking"][0]["findings"] == [
        {"rule": "numpy-disp", "line": 4, "state": "deprecated", "reason": doc["blocking"][0]["findings"][0]["reason"]}]
    assert doc["blocking"][0]["findings"][0]["reason"]


def test_next_releases_name_the_rules_that_start_and_the_findings_they_add(project: Path) -> None:
    (numpy,) = [u for u in _doc(project)["upcoming"] if u["library"] == "numpy"]
    assert numpy["current"] == "2.0"
    releases = {r["version"]: r for r in numpy["releases"]}
    assert "numpy-reshape-newshape" in releases["2.1"]["new_rules"]
    assert releases["2.1"]["new_findings"] == 1  # shape.py: silent at 2.0, a finding from 2.1
    assert {"numpy-trapz", "numpy-in1d", "numpy-disp"} <= set(releases["2.4"]["removed_apis"])
    assert all(v > "2.0" for v in releases)


def test_trend_reads_previous_reports_oldest_first(project: Path, tmp_path: Path) -> None:
    old = _doc(project, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    (project / "integrate.py").write_text("def area(y, x):\n    return 0\n", encoding="utf-8")
    older = dict(old, generated="2025-06-01T00:00:00+00:00", summary=dict(old["summary"], findings=9, safe=7))
    paths = []
    for name, doc in (("old.json", old), ("older.json", older)):
        (tmp_path / name).write_text(json.dumps(doc), encoding="utf-8")
        paths.append(tmp_path / name)
    doc = _doc(project, previous=[load_previous(p) for p in paths],
               now=datetime(2026, 2, 1, tzinfo=timezone.utc))
    assert [(p["generated"][:10], p["findings"], p["safe"]) for p in doc["trend"]] == [
        ("2025-06-01", 9, 7), ("2026-01-01", 4, 2), ("2026-02-01", 3, 1)]


def test_a_bad_previous_report_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  oops", encoding="utf-8")
    with pytest.raises(ReportError, match=r"bad\.json:2: not JSON"):
        load_previous(bad)
    bad.write_text('{"kind": "sarif"}', encoding="utf-8")
    with pytest.raises(ReportError, match="not an apimig readiness report"):
        load_previous(bad)


def test_page_is_self_contained_and_draws_each_chart(project: Path) -> None:
    page = render(_doc(project))
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<script" not in page and "http://" not in page.split("</head>")[1].replace("https://numpy", "")
    for chart in ("library-chart", "rule-chart"):
        svg = page.split(f'id="{chart}"')[1].split("</svg>")[0]
        assert svg.count("<rect") >= 1
    assert "numpy 2.0 → 2.4" in page and "show.py" in page


def test_cli_writes_json_and_html_and_rejects_bad_input(project: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    assert cli_report([str(project), "--target", "numpy=2.0", "--format", "json", "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["summary"]["findings"] == 4
    html = tmp_path / "r.html"
    assert cli_report([str(project), "--target", "numpy=2.0", "--previous", str(out), "-o", str(html)]) == 0
    assert 'id="trend-chart"' in html.read_text(encoding="utf-8")
    assert cli_report([str(tmp_path / "nope")]) == 2
    assert cli_report([str(project), "--previous", str(project / "sets.py")]) == 2
    assert "sets.py" in capsys.readouterr().err


def test_a_file_that_does_not_parse_is_listed_not_counted_clean(project: Path) -> None:
    (project / "broken.py").write_text("import numpy as np\ndef (:\n    np.trapz(x)\n", encoding="utf-8")
    doc = _doc(project)
    assert doc["errors"] == [{"path": "pkg/broken.py", "error": "line 2: invalid syntax"}]
    assert doc["summary"]["errors"] == 1 and doc["summary"]["findings"] == 4
    assert "pkg/broken.py" in render(doc)
