"""The readiness page in a real browser (Debian's headless Chromium): it renders, every chart is drawn,
and the console stays clean (the page's Content-Security-Policy would log any blocked resource)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from apimig.migrator.readiness.cli import cli_report
from headless_chromium import CHROMIUM, Chromium
from report_project import make_project

CHARTS = """JSON.stringify(Object.fromEntries([...document.querySelectorAll('svg')].map(s => [s.id,
  {marks: s.querySelectorAll('rect,polyline').length, width: s.getBoundingClientRect().width}])))"""


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    if CHROMIUM is None:
        if os.environ.get("APIMIG_EDITOR_TESTS") == "required":
            pytest.fail("chromium is not on PATH but APIMIG_EDITOR_TESTS=required")
        pytest.skip("chromium is not on PATH (Debian package `chromium`; .ci/run installs it)")
    chromium = Chromium(CHROMIUM)
    yield chromium
    chromium.close()


def test_report_page_renders_with_charts_and_no_console_errors(tmp_path: Path, browser: Chromium) -> None:
    project = make_project(tmp_path / "proj")
    first = tmp_path / "first.json"
    assert cli_report([str(project), "--target", "numpy=2.0", "--format", "json", "-o", str(first)]) == 0
    (project / "integrate.py").write_text("def area(y, x):\n    return 0\n", encoding="utf-8")
    page = tmp_path / "report.html"
    assert cli_report([str(project), "--target", "numpy=2.0", "--previous", str(first), "-o", str(page)]) == 0

    browser.open(page.as_uri())
    charts = json.loads(browser.evaluate(CHARTS))
    assert set(charts) == {"library-chart", "rule-chart", "trend-chart"}
    assert all(c["marks"] > 0 and c["width"] > 100 for c in charts.values()), charts
    assert browser.evaluate("document.querySelector('h1').textContent") == "Migration readiness"
    assert "show.py" in browser.evaluate("document.body.innerText")
    shot = browser.screenshot(tmp_path / "report.png")
    print(f"report screenshot: {shot}")
    if os.environ.get("APIMIG_REPORT_SCREENSHOT"):  # a copy to look at outside pytest's tmp folders
        shutil.copy(shot, os.environ["APIMIG_REPORT_SCREENSHOT"])
    assert shot.stat().st_size > 10_000
    assert browser.errors == []
