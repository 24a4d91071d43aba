"""The readiness document as one self-contained HTML page: inline CSS and server-drawn SVG charts.

No script and no external resource, and a Content-Security-Policy that forbids both, so the page looks
the same offline, attached to a CI run or opened from a mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from .model import TIERS

COLORS = {"safe": "#2e7d32", "unsafe": "#ef6c00", "manual": "#c62828", "findings": "#1565c0"}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
BAR_H, LABEL_W, CHART_W = 22, 260, 420

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1000px;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%}td,th{padding:.25rem .5rem;border-bottom:1px solid #eee;text-align:left}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem}
.card b{display:block;font-size:1.5rem}.legend span{margin-right:1rem}.sw{display:inline-block;width:.8em;height:.8em}
code{background:#f4f4f4;padding:0 .2em}svg text{font:12px system-ui,sans-serif}.muted{color:#777}
"""


def _legend() -> str:
    return '<p class="legend">' + "".join(
        f'<span><i class="sw" style="background:{COLORS[t]}"></i> {t}</span>' for t in TIERS) + "</p>"


def stacked_bars(rows: Sequence[dict[str, Any]], label: str, chart_id: str) -> str:
    """Horizontal bars, one per row, split into the safe/unsafe/manual counts."""
    if not rows:
        return '<p class="muted">No findings.</p>'
    top = max(sum(r[t] for t in TIERS) for r in rows) or 1
    height = BAR_H * len(rows) + 4
    width = LABEL_W + CHART_W + 60
    parts = [f'<svg id="{chart_id}" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for i, row in enumerate(rows):
        y = i * BAR_H + 2
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end">{escape(str(row[label]))}</text>')
        x = float(LABEL_W)
        for t in TIERS:
            w = CHART_W * row[t] / top
            if w:
                parts.append(f'<rect class="{t}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR_H - 6}" '
                             f'fill="{COLORS[t]}"><title>{escape(str(row[label]))}: {row[t]} {t}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 15}">{sum(row[t] for t in TIERS)}</text>')
    return "".join(parts) + "</svg>" + _legend()


def trend_chart(points: Sequence[dict[str, Any]]) -> str:
    """Findings per tier over the reports given with ``--previous`` and this one."""
    if len(points) < 2:
        return '<p class="muted">One report so far: pass earlier JSON reports with <code>--previous</code>.</p>'
    w, h, pad = 700, 220, 70
    top = max(p["findings"] for p in points) or 1
    step = (w - 2 * pad) / (len(points) - 1)

    def xy(i: int, v: int) -> str:
        return f"{pad + i * step:.1f},{h - pad - (h - 2 * pad) * v / top:.1f}"

    parts = [f'<svg id="trend-chart" role="img" width="{w}" height="{h}" viewBox="0 0 {w} {h}">',
             f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>',
             f'<text x="4" y="{pad}">{top}</text>']
    for series in ("findings", *TIERS):
        pts = " ".join(xy(i, p[series]) for i, p in enumerate(points))
        parts.append(f'<polyline class="{series}" points="{pts}" fill="none" stroke="{COLORS[series]}" stroke-width="2"/>')
    for i, p in enumerate(points):
        parts.append(f'<text x="{pad + i * step:.1f}" y="{h - pad + 16}" text-anchor="middle">'
                     f'{escape(p["generated"][:16].replace("T", " "))}</text>')
    legend = "".join(f'<span><i class="sw" style="background:{COLORS[s]}"></i> {s}</span>' for s in ("findings", *TIERS))
    return "".join(parts) + f'</svg><p class="legend">{legend}</p>'


def _cards(summary: dict[str, Any]) -> str:
    items = [("files", "files scanned"), ("files_with_findings", "files with findings"), ("findings", "findings"),
             *((t, f"{t} fixes" if t != "manual" else "need a decision") for t in TIERS)]
    return '<div class="cards">' + "".join(
        f'<div class="card"><b>{summary[k]}</b>{escape(text)}</div>' for k, text in items) + "</div>"


def _blocking(files: Sequence[dict[str, Any]]) -> str:
    if not files:
        return '<p>No file needs a manual change: <code>apimig fix --unsafe-fixes</code> can do the rest.</p>'
    rows = "".join(f"<tr><td><code>{escape(b['path'])}</code></td><td>{escape(', '.join(b['libraries']))}</td><td>"
                   + "<br>".join(f"line {f['line']}: <code>{escape(f['rule'])}</code> ({escape(f['reason'])})"
                                 for f in b["findings"]) + "</td></tr>" for b in files)
    return f"<table><tr><th>file</th><th>library</th><th>manual findings</th></tr>{rows}</table>"


def _upcoming(libs: Sequence[dict[str, Any]]) -> str:
    if not libs:
        return '<p class="muted">No target version is known, so every rule is already active.</p>'
    out = []
    for lib in libs:
        if not lib["releases"]:
            out.append(f"<p><b>{escape(lib['library'])} {escape(lib['current'])}</b>: no later release is "
                       "named by the rule packs.</p>")
            continue
        last = lib["releases"][-1]["version"]
        rows = "".join(
            f"<tr><td>{escape(r['version'])}</td><td>{r['new_findings']}</td>"
            f"<td>{escape(', '.join(r['new_rules'])) or '—'}</td><td>{escape(', '.join(r['removed_apis'])) or '—'}</td></tr>"
            for r in lib["releases"])
        out.append(f"<h3>{escape(lib['library'])} {escape(lib['current'])} → {escape(last)} "
                   f'<span class="muted">(target from {escape(lib["origin"])})</span></h3>'
                   "<table><tr><th>release</th><th>new findings here</th><th>rules that start</th>"
                   f"<th>APIs removed</th></tr>{rows}</table>")
    return "".join(out)


def render(doc: dict[str, Any]) -> str:
    """The page for one readiness document (see ``model.build``)."""
    targets = ", ".join(f"{lib} {t['version'] or 'latest'} ({t['origin']})" for lib, t in doc["targets"].items())
    errors = "".join(f"<li><code>{escape(e['path'])}</code>: {escape(e['error'])}</li>" for e in doc["errors"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>apimig migration readiness</title><style>{STYLE}</style></head><body>
<h1>Migration readiness</h1>
<p class="muted">apimig {escape(doc['version'])}, {escape(doc['generated'])}. Targets: {escape(targets) or 'none'}.</p>
{_cards(doc['summary'])}
<h2>Findings per library</h2>{stacked_bars(doc['libraries'], 'library', 'library-chart')}
<h2>Findings per rule</h2>{stacked_bars(doc['rules'], 'rule', 'rule-chart')}
<h2>Files that block the target versions</h2>{_blocking(doc['blocking'])}
<h2>What changes at the next releases</h2>{_upcoming(doc['upcoming'])}
<h2>Trend</h2>{trend_chart(doc['trend'])}
{f'<h2>Files not read</h2><ul>{errors}</ul>' if errors else ''}
</body></html>
"""
