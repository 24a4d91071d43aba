"""Translate between the migrator's plain results and LSP types.

The only module of the server that knows ``lsprotocol`` types. Findings count columns in code
points (see ``apimig.migrator.findings``); LSP counts UTF-16 units unless the client negotiated
another position encoding, so every position goes through :class:`Lines`.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Sequence

from lsprotocol import types as lsp

from apimig.migrator.findings import Edit, Finding, Fix, Pos
from apimig.migrator.severity import LSP as LSP_SEVERITY, level_of, parse_level

SOURCE = "apimig"
FIX_ALL_KIND = "source.fixAll.apimig"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_IGNORE_COMMENT = re.compile(r"#\s*apimig:\s*ignore\[([^\]]*)\]")



def split_lines(text: str) -> list[str]:
    """Lines as LSP sees them: only ``\\n``, ``\\r\\n`` and ``\\r`` end a line."""
    return _LINE_BREAK.split(text)


class Lines:
    """One document's lines, converting code-point columns to the negotiated encoding and back."""

    def __init__(self, text: str, encoding: str = lsp.PositionEncodingKind.Utf16) -> None:
        self.text = text
        self.lines = split_lines(text)
        self.encoding = str(encoding)

    def _units(self, chunk: str) -> int:
        if self.encoding == lsp.PositionEncodingKind.Utf32:
            return len(chunk)
        if self.encoding == lsp.PositionEncodingKind.Utf8:
            return len(chunk.encode("utf-8", "surrogatepass"))
        return len(chunk.encode("utf-16-le", "surrogatepass")) // 2

    def line(self, n: int) -> str:
        return self.lines[n] if 0 <= n < len(self.lines) else ""

    def position(self, pos: Pos) -> lsp.Position:
        if pos.line >= len(self.lines):  # past the end: clamp to the end of the document
            last = len(self.lines) - 1
            return lsp.Position(line=last, character=self._units(self.lines[last]))
        text = self.line(pos.line)
        return lsp.Position(line=pos.line, character=self._units(text[: max(pos.col, 0)]))

    def range(self, start: Pos, end: Pos) -> lsp.Range:
        return lsp.Range(start=self.position(start), end=self.position(end))

    def pos(self, position: lsp.Position) -> Pos:
        """Client position back to a code-point ``Pos`` (clamped inside the line)."""
        text = self.line(position.line)
        if self.encoding == lsp.PositionEncodingKind.Utf32:
            return Pos(position.line, min(position.character, len(text)))
        units = 0
        for col, ch in enumerate(text):
            if units >= position.character:
                return Pos(position.line, col)
            units += self._units(ch)
        return Pos(position.line, len(text))

    def end(self) -> lsp.Position:
        last = len(self.lines) - 1
        return lsp.Position(line=last, character=self._units(self.lines[last]))


def severity(state: str, overrides: Mapping[str, str]) -> lsp.DiagnosticSeverity:
    """``overrides`` is the resolved ``Config.severity`` map (state -> level name); see migrator/severity.py."""
    level = parse_level(level_of(state, overrides)) or "warning"
    return lsp.DiagnosticSeverity(LSP_SEVERITY[level])


def diagnostic(finding: Finding, lines: Lines, overrides: Mapping[str, str]) -> lsp.Diagnostic:
    message = finding.message
    if finding.fix is None and finding.manual_reason:
        message = f"{message} ({finding.manual_reason})"
    return lsp.Diagnostic(
        range=lines.range(finding.start, finding.end),
        message=message,
        severity=severity(finding.state, overrides),
        code=finding.rule_id,
        code_description=lsp.CodeDescription(href=finding.source) if finding.source else None,
        source=SOURCE,
        tags=[lsp.DiagnosticTag.Deprecated],
        data={"key": finding.key, "tier": finding.tier, "origin": finding.origin},
    )


def diagnostics(
    findings: Iterable[Finding], lines: Lines, overrides: Mapping[str, str]
) -> list[lsp.Diagnostic]:
    return [diagnostic(f, lines, overrides) for f in findings]


def diagnostic_key(diag: lsp.Diagnostic) -> str | None:
    data = diag.data
    if isinstance(data, Mapping) and isinstance(data.get("key"), str):
        return str(data["key"])
    return None


def text_edits(edits: Sequence[Edit], lines: Lines) -> list[lsp.TextEdit]:
    return [lsp.TextEdit(range=lines.range(e.start, e.end), new_text=e.text) for e in edits]


def workspace_edit(
    uri: str, version: int | None, edits: Sequence[lsp.TextEdit], document_changes: bool
) -> lsp.WorkspaceEdit:
    """A WorkspaceEdit in the form the client supports (versioned when it can)."""
    if document_changes:
        doc = lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        return lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(text_document=doc, edits=list(edits))])
    return lsp.WorkspaceEdit(changes={uri: list(edits)})


def fix_title(fix: Fix) -> str:
    if fix.tier == "unsafe":
        why = fix.reason or "may change behaviour"
        return f"{fix.title} (unsafe: {why})"
    return fix.title


def quick_fix(
    finding: Finding, diag: lsp.Diagnostic, edit: lsp.WorkspaceEdit
) -> lsp.CodeAction:
    fix = finding.fix
    assert fix is not None
    return lsp.CodeAction(
        title=fix_title(fix),
        kind=lsp.CodeActionKind.QuickFix,
        diagnostics=[diag],
        is_preferred=fix.tier == "safe",
        edit=edit,
        data={"key": finding.key, "tier": fix.tier, "reason": fix.reason, "origin": fix.origin},
    )


def ignore_edit(rule_id: str, line_no: int, lines: Lines) -> lsp.TextEdit:
    """Append ``# apimig: ignore[RULE]`` to the line, or add RULE to an existing ignore list."""
    text = lines.line(line_no)
    found = _IGNORE_COMMENT.search(text)
    if found:
        inside_end = found.end(1)
        insert = f", {rule_id}" if found.group(1).strip() else rule_id
        pos = Pos(line_no, inside_end)
        return lsp.TextEdit(range=lines.range(pos, pos), new_text=insert)
    stripped = text.rstrip()
    start, end = Pos(line_no, len(stripped)), Pos(line_no, len(text))
    return lsp.TextEdit(range=lines.range(start, end), new_text=f"  # apimig: ignore[{rule_id}]")


def ignore_action(
    finding: Finding, diag: lsp.Diagnostic, edit: lsp.WorkspaceEdit
) -> lsp.CodeAction:
    return lsp.CodeAction(
        title=f"Ignore {finding.rule_id} on this line",
        kind=lsp.CodeActionKind.QuickFix,
        diagnostics=[diag],
        is_preferred=False,
        edit=edit,
    )


def replace_all_edit(old: str, new: str, lines: Lines) -> lsp.TextEdit:
    """One edit covering the changed lines only, so editors keep the cursor and folds."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    head = 0
    while head < min(len(old_lines), len(new_lines)) and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while (
        tail < min(len(old_lines), len(new_lines)) - head
        and old_lines[-1 - tail] == new_lines[-1 - tail]
    ):
        tail += 1
    start = Pos(head, 0)
    old_end_idx = len(old_lines) - tail
    end = Pos(old_end_idx, 0) if tail else None
    text = "".join(new_lines[head : len(new_lines) - tail])
    end_pos = lines.position(end) if end is not None else lines.end()
    return lsp.TextEdit(range=lsp.Range(start=lines.position(start), end=end_pos), new_text=text)


def fix_all_action(edit: lsp.WorkspaceEdit, count: int, unsafe: bool) -> lsp.CodeAction:
    what = "safe and unsafe" if unsafe else "safe"
    return lsp.CodeAction(
        title=f"Fix all apimig issues ({count} {what} fix{'es' if count != 1 else ''})",
        kind=FIX_ALL_KIND,
        edit=edit,
    )


def resolve_placeholder(finding: Finding, diag: lsp.Diagnostic, uri: str, version: int | None) -> lsp.CodeAction:
    """An action without an edit; ``codeAction/resolve`` computes it (model tier)."""
    return lsp.CodeAction(
        title=f"Ask the code model for a fix of {finding.rule_id} (validated before it is shown)",
        kind=lsp.CodeActionKind.QuickFix,
        diagnostics=[diag],
        data={"key": finding.key, "uri": uri, "version": version, "resolve": "proposer"},
    )


def kind_requested(kind: str, only: Sequence[str] | None) -> bool:
    """LSP kind filtering: ``source.fixAll`` asks for ``source.fixAll.apimig`` too."""
    if not only:
        return True
    return any(kind == o or kind.startswith(f"{o}.") for o in only)


def action_data(action: lsp.CodeAction) -> dict[str, Any]:
    return dict(action.data) if isinstance(action.data, Mapping) else {}
