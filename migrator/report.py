"""Output formats of ``apimig check|fix``: text, full, json, json-lines, sarif, github, gitlab, junit.

One :func:`summary` counts what is fixable, so every format (and the text footer) says the same number:
``fixable`` = safe fixes that ``apimig fix`` applies, ``unsafe_fixable`` = fixes that need ``--unsafe-fixes``.
Skipped files (unreadable, not parsing) are in every format: a CI gate must not pass on code it never read.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from . import __version__, severity
from .engine import Engine
from .files import read_source
from .findings import FileResult, Finding

FORMATS = ("text", "full", "json", "json-lines", "sarif", "github", "gitlab", "junit")


@dataclass(frozen=True)
class Summary:
    files: int
    findings: int
    fixable: int  # safe fixes
    unsafe_fixable: int
    manual: int
    skipped: int  # files not read or not parsed
    changed_files: int


def summary(results: Sequence[FileResult]) -> Summary:
    found = [f for r in results for f in r.findings]
    return Summary(files=len(results), findings=len(found), fixable=sum(1 for f in found if f.tier == "safe"),
                   unsafe_fixable=sum(1 for f in found if f.tier == "unsafe"),
                   manual=sum(1 for f in found if f.tier == "manual"),
                   skipped=sum(1 for r in results if r.error), changed_files=sum(1 for r in results if r.new_source))


class Sources:
    """The text of each reported file, read once (stdin's text is given up front)."""

    def __init__(self, given: Mapping[str, str] | None = None) -> None:
        self._text: dict[str, list[str]] = {k: v.splitlines() for k, v in (given or {}).items()}

    def line(self, path: str, line: int) -> str:
        """0-based line of ``path``; empty when the file cannot be read."""
        if path not in self._text:
            try:
                self._text[path] = read_source(Path(path)).text.splitlines()
            except (OSError, UnicodeDecodeError, SyntaxError):
                self._text[path] = []
        lines = self._text[path]
        return lines[line] if 0 <= line < len(lines) else ""


class Style:
    """ANSI colours, or none (``--color never``, NO_COLOR, not a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def red(self, text: str) -> str:
        return self._wrap("31", text)

    def cyan(self, text: str) -> str:
        return self._wrap("36", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)


PLAIN = Style(False)


def _unsafe_reason(f: Finding) -> str:
    return f.fix.reason if f.tier == "unsafe" and f.fix is not None and f.fix.reason else ""


def fix_reason(f: Finding) -> str:
    """Why a fix is unsafe or manual ('' when nothing needs saying): ``full`` prints it on lines of its own."""
    return _unsafe_reason(f) or f.manual_reason or ""


def fix_label(f: Finding, with_reason: bool = True) -> str:
    """``[fix: safe]``, ``[fix: unsafe: <why>]`` or ``[fix: manual] (<why>)``; ``[fix: <tier>]`` alone without the reason."""
    if not with_reason:
        return f"[fix: {f.tier}]"
    if why := _unsafe_reason(f):
        return f"[fix: unsafe: {why}]"
    return f"[fix: {f.tier}]" + (f" ({f.manual_reason})" if f.manual_reason else "")


def text_line(path: str, f: Finding, style: Style = PLAIN, with_reason: bool = True) -> str:
    where = f"{style.bold(path)}:{f.start.line + 1}:{f.start.col + 1}:"
    return f"{where} {style.red(f.rule_id)} {f.message} {fix_label(f, with_reason)}"


REASON_WIDTH = 100  # the reason wraps here in `full`, so no line runs to 300 columns


def full_block(path: str, f: Finding, sources: Sources, style: Style = PLAIN) -> str:
    """ruff's ``full``: the line, the source line with its number, a caret under the match, the fix."""
    text = sources.line(path, f.start.line)
    number = str(f.start.line + 1)
    width = (f.end.col if f.end.line == f.start.line else len(text)) - f.start.col
    caret = " " * f.start.col + "^" * max(1, width)
    gutter = " " * len(number)
    out = [text_line(path, f, style, with_reason=False), f"{gutter} |", f"{style.cyan(number)} | {text}",
           f"{gutter} | {style.red(caret)}"]
    if f.fix is not None:
        title = f.fix.title.removesuffix(f" (unsafe: {f.fix.reason})")  # the reason gets its own lines
        out.append(f"{gutter} = {'help' if f.tier == 'safe' else 'unsafe'}: {title}")
    if why := fix_reason(f):
        lead = f"{gutter} = why: "
        out += textwrap.wrap(why, width=REASON_WIDTH, initial_indent=lead, subsequent_indent=" " * len(lead),
                             break_on_hyphens=False)
    return "\n".join(out) + "\n"


def finding_dict(path: str, f: Finding) -> dict[str, Any]:
    return {
        "path": path, "rule": f.rule_id, "library": f.library, "message": f.message,
        "line": f.start.line + 1, "col": f.start.col + 1, "end_line": f.end.line + 1, "end_col": f.end.col + 1,
        "state": f.state, "fix": f.tier, "fix_title": f.fix.title if f.fix else None,
        "fix_origin": f.fix.origin if f.fix else None, "fix_confidence": f.fix.confidence if f.fix else None,
        "unsafe_reason": f.fix.reason if f.fix and f.tier == "unsafe" else None,
        "manual_reason": f.manual_reason, "origin": f.origin, "confidence": f.confidence, "source": f.source,
    }


def json_report(engine: Engine, results: Sequence[FileResult], mode: str) -> str:
    findings = [finding_dict(r.path, f) for r in results for f in r.findings]
    return json.dumps({
        "tool": "apimig", "version": __version__, "mode": mode,
        "targets": {k: (str(t.version) if t.version else None) for k, t in engine.targets.items()},
        "findings": findings,
        "fixed": [finding_dict(r.path, f) for r in results for f in r.applied],
        "dropped": [dict(finding_dict(r.path, f), reason=why) for r in results for f, why in r.dropped],
        "errors": [{"path": r.path, "error": r.error} for r in results if r.error],
        "remaining": [finding_dict(r.path, f) for r in results for f in r.remaining] if mode == "fix" else [],
        "summary": summary(results).__dict__,
    }, indent=2)


def json_lines(results: Sequence[FileResult]) -> str:
    """One JSON object per finding (and per skipped file, with ``error``), for streaming consumers."""
    rows = [json.dumps(finding_dict(r.path, f)) for r in results for f in r.findings]
    rows += [json.dumps({"path": r.path, "error": r.error}) for r in results if r.error]
    return "".join(row + "\n" for row in rows)


def fingerprint(path: str, f: Finding, line_text: str, nth: int) -> str:
    """Stable across pushes that move the code: rule, file, the matched line's text and its occurrence number."""
    key = "\0".join((f.rule_id, path.replace("\\", "/"), line_text.strip(), str(nth)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def fingerprinted(results: Sequence[FileResult], sources: Sources) -> Iterator[tuple[FileResult, Finding, str]]:
    """Every finding with its :func:`fingerprint`; equal lines in one file are told apart by their order."""
    for r in results:
        seen: dict[tuple[str, str], int] = {}
        for f in r.findings:
            text = sources.line(r.path, f.start.line).strip()
            nth = seen[(f.rule_id, text)] = seen.get((f.rule_id, text), -1) + 1
            yield r, f, fingerprint(r.path, f, text, nth)


def _gh_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def github(engine: Engine, results: Sequence[FileResult]) -> str:
    """GitHub Actions workflow commands: one annotation per finding, shown on the pull request's diff."""
    out = []
    for r in results:
        for f in r.findings:
            level = severity.level_of(f.state, engine.config.severity)
            command = {"error": "error", "warning": "warning"}.get(level, "notice")
            props = (f"file={_gh_escape(r.path, prop=True)},line={f.start.line + 1},col={f.start.col + 1},"
                     f"endLine={f.end.line + 1},endColumn={f.end.col + 1},title={_gh_escape('apimig (' + f.rule_id + ')', prop=True)}")
            out.append(f"::{command} {props}::{_gh_escape(f.rule_id + ' ' + f.message + ' ' + fix_label(f))}")
        if r.error:
            out.append(f"::error file={_gh_escape(r.path, prop=True)},title=apimig::{_gh_escape(r.error)}")
    return "".join(line + "\n" for line in out)


_GITLAB_SEVERITY = {"error": "major", "warning": "minor"}


def gitlab(engine: Engine, results: Sequence[FileResult], sources: Sources) -> str:
    """GitLab Code Quality report (a Code Climate subset): description, check_name, fingerprint, location."""
    issues = []
    for r, f, fp in fingerprinted(results, sources):
        level = severity.level_of(f.state, engine.config.severity)
        issues.append({"type": "issue", "check_name": f.rule_id, "description": f"{f.message} {fix_label(f)}",
                       "categories": ["Compatibility"], "severity": _GITLAB_SEVERITY.get(level, "info"),
                       "fingerprint": fp, "location": {"path": r.path.replace("\\", "/"), "positions": {
                           "begin": {"line": f.start.line + 1, "column": f.start.col + 1},
                           "end": {"line": f.end.line + 1, "column": f.end.col + 1}}}})
    for r in results:
        if r.error:
            issues.append({"type": "issue", "check_name": "apimig-skipped", "description": r.error,
                           "categories": ["Bug Risk"], "severity": "major",
                           "fingerprint": hashlib.sha256(r.path.encode()).hexdigest()[:32],
                           "location": {"path": r.path.replace("\\", "/"), "lines": {"begin": 1}}})
    return json.dumps(issues, indent=2) + "\n"


def junit(results: Sequence[FileResult]) -> str:
    """JUnit XML: one test suite, one test case per file; each finding is a failure, a skipped file an error."""
    s = summary(results)
    suites = ET.Element("testsuites", name="apimig", tests=str(s.files), failures=str(s.findings),
                        errors=str(s.skipped))
    suite = ET.SubElement(suites, "testsuite", name="apimig", tests=str(s.files), failures=str(s.findings),
                          errors=str(s.skipped))
    for r in results:
        case = ET.SubElement(suite, "testcase", name=r.path, classname="apimig")
        for f in r.findings:
            fail = ET.SubElement(case, "failure", message=f"{f.rule_id}: {f.message}", type=f.rule_id)
            fail.text = text_line(r.path, f)
        if r.error:
            ET.SubElement(case, "error", message=r.error)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def unified_diff(path: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=f"a/{path}", tofile=f"b/{path}"))
