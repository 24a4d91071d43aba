"""The code-action policy (``apimig.server.actions.choose``) on real findings of the real engine."""

from __future__ import annotations

from dataclasses import replace

from lsprotocol import types as lsp

from apimig.migrator.api import Engine, load_config
from apimig.server import actions, convert

URI = "file:///tmp/apimig-actions/legacy.py"
TEXT = "import numpy as np\nx = np.in1d(a, b)\ny = np.float_(1)\n"
CONFIG = load_config(None, targets={"numpy": "2.4"})
FINDINGS = Engine(CONFIG).check(TEXT, "legacy.py")
LINES = convert.Lines(TEXT)


def context(**overrides: object) -> actions.ActionContext:
    fields: dict[str, object] = dict(uri=URI, version=3, lines=LINES, severity=CONFIG.severity, unsafe_fixes=False,
                                     document_changes=True, resolves_edits=True, proposer=False)
    fields.update(overrides)
    return actions.ActionContext(**fields)  # type: ignore[arg-type]


def request(diags: list[lsp.Diagnostic], only: list[str] | None = None, line: int = 0) -> lsp.CodeActionParams:
    at = lsp.Range(start=lsp.Position(line, 0), end=lsp.Position(line, 20))  # the whole line
    return lsp.CodeActionParams(text_document=lsp.TextDocumentIdentifier(uri=URI), range=at,
                                context=lsp.CodeActionContext(diagnostics=diags, only=only))


def test_quick_fixes_for_the_diagnostics_sent_preferred_only_when_safe() -> None:
    diags = convert.diagnostics(FINDINGS, LINES, CONFIG.severity)
    choice = actions.choose(FINDINGS, request(diags, only=[lsp.CodeActionKind.QuickFix]), context())
    assert [(a.title, a.is_preferred) for a in choice.actions] == [
        ("Replace with `np.isin` (unsafe: in1d always returns a 1-d result; isin keeps the shape of "
         "the first argument for n-d input)", False),  # the reason once
        ("Ignore numpy-in1d on this line", False),
        ("Replace with `np.float64`", True),
        ("Ignore numpy-float-underscore on this line", False),
    ]
    assert all(a.diagnostics and a.diagnostics[0].code == a.title.split()[1] for a in choice.actions[1::2])
    assert choice.fix_all_now is False


def test_without_diagnostics_the_findings_under_the_range_are_used() -> None:
    choice = actions.choose(FINDINGS, request([], only=[lsp.CodeActionKind.QuickFix], line=2), context())
    assert [a.title for a in choice.actions] == ["Replace with `np.float64`",
                                                 "Ignore numpy-float-underscore on this line"]


def test_fix_all_is_deferred_asked_for_or_left_out() -> None:
    lightbulb = actions.choose(FINDINGS, request([]), context())
    deferred = [a for a in lightbulb.actions if a.kind == convert.FIX_ALL_KIND]
    assert [(a.title, a.edit, a.data) for a in deferred] == [
        ("Fix all apimig issues in this file", None, {"resolve": "fixAll", "uri": URI})]
    assert not lightbulb.fix_all_now
    no_resolve = actions.choose(FINDINGS, request([]), context(resolves_edits=False))
    assert not [a for a in no_resolve.actions if a.kind == convert.FIX_ALL_KIND] and not no_resolve.fix_all_now
    assert actions.choose(FINDINGS, request([], only=["source.fixAll"]), context()) == actions.Choice([], True)
    only_unsafe = [f for f in FINDINGS if f.tier == "unsafe"]
    assert actions.choose(only_unsafe, request([], only=["source.fixAll"]), context()).fix_all_now is False
    assert actions.choose(only_unsafe, request([], only=["source.fixAll"]), context(unsafe_fixes=True)).fix_all_now


def test_a_finding_without_a_rule_fix_asks_the_model_when_one_is_loaded() -> None:
    manual = [replace(FINDINGS[0], fix=None, manual_reason="needs a person")]
    diags = convert.diagnostics(manual, LINES, CONFIG.severity)
    titles = [a.title for a in actions.choose(manual, request(diags), context(proposer=True)).actions]
    assert titles == ["Ask the code model for a fix of numpy-in1d (validated before it is shown)",
                      "Ignore numpy-in1d on this line"]
    assert [a.title for a in actions.choose(manual, request(diags), context()).actions] == [
        "Ignore numpy-in1d on this line"]


def test_fix_all_edit_turns_the_text_into_the_fixed_text() -> None:
    fixed = Engine(CONFIG).fix(TEXT, "legacy.py", unsafe=False, only=None)
    assert fixed.new_source is not None
    action = actions.fix_all(TEXT, fixed.new_source, len(fixed.applied), context())
    assert action.title == "Fix all apimig issues (1 safe fix)"
    (change,) = action.edit.document_changes  # type: ignore[union-attr, misc]
    assert change.text_document.version == 3  # type: ignore[union-attr]
    (edit,) = change.edits  # type: ignore[union-attr]
    assert (edit.range.start.line, edit.range.end.line, edit.new_text) == (2, 3, "y = np.float64(1)\n")
