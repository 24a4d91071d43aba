"""Translate between the migrator's plain results and LSP types.

The only module of the server that knows ``lsprotocol`` types. Findings count columns in code
points (see ``apimig.migrator.findings``); LSP counts UTF-16 units unless the client negotiated
another position encoding, so every position goes through :class:`Lines`.
"""

from __future__ import annotations

import bisect
import re
from typing import Any, Iterable, Mapping, Sequence

from lsprotocol import types as lsp

from apimig.migrator.findings import Edit, Finding, Fix, Pos
from apimig.migrator.ruledocs import doc_url
from apimig.migrator.severity import LSP as LSP_SEVERITY, level_of, parse_level

SOURCE = "apimig"
FIX_ALL_KIND = "source.fixAll.apimig"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_AFTER_BREAK = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")  # the empty match after each line end
_NEWLINE = re.compile(r"\n")  # what ends a line for the migrator's parser
_IGNORE_COMMENT = re.compile(r"#\s*apimig:\s*ignore\[([^\]]*)\]")



def split_lines(text: str) -> list[str]:
    """Lines as LSP sees them: only ``\\n``, ``\\r\\n`` and ``\\r`` end a line."""
    return _LINE_BREAK.split(text)


def split_lines_keepends(text: str) -> list[str]:
    """:func:`split_lines` keeping each line's ending (no empty last line), like ``splitlines(True)``."""
    return [line for line in _AFTER_BREAK.split(text) if line]


class Lines:
    """One document's lines, converting the migrator's positions to the negotiated encoding and back.

    The migrator counts lines as its parser does (only ``\\n`` ends one) and columns in code
    points; LSP also ends lines at a lone ``\\r`` and counts columns in UTF-16 units unless
    negotiated otherwise. Both go through offsets into the text, so a lone CR, a form feed or
    U+2028 cannot shift a diagnostic.
    """

    def __init__(self, text: str, encoding: str = lsp.PositionEncodingKind.Utf16) -> None:
        self.text = text
        self.lines = split_lines(text)  # LSP lines, without their endings
        self.encoding = str(encoding)
        self._lsp_starts = _starts(text, _LINE_BREAK)
        self._parser_starts = _starts(text, _NEWLINE)

    def _units(self, chunk: str) -> int:
        if self.encoding == lsp.PositionEncodingKind.Utf32:
            return len(chunk)
        if self.encoding == lsp.PositionEncodingKind.Utf8:
            return len(chunk.encode("utf-8", "surrogatepass"))
        return len(chunk.encode("utf-16-le", "surrogatepass")) // 2

    def line(self, n: int) -> str:
        """The migrator's line ``n`` (what ``Pos.line`` counts) without its line ending."""
        if not 0 <= n < len(self._parser_starts):
            return ""
        end = self._parser_starts[n + 1] - 1 if n + 1 < len(self._parser_starts) else len(self.text)
        return self.text[self._parser_starts[n]:end].removesuffix("\r")

    def offset(self, pos: Pos) -> int:
        """Offset into the text of a migrator position (clamped to its line)."""
        if pos.line >= len(self._parser_starts):
            return len(self.text)
        start = self._parser_starts[pos.line]
        end = self._parser_starts[pos.line + 1] - 1 if pos.line + 1 < len(self._parser_starts) else len(self.text)
        return start + min(max(pos.col, 0), end - start)

    def position(self, pos: Pos) -> lsp.Position:
        offset = self.offset(pos)
        line = bisect.bisect_right(self._lsp_starts, offset) - 1
        start = self._lsp_starts[line]
        return lsp.Position(line=line, character=self._units(self.text[start:offset][: len(self.lines[line])]))

    def range(self, start: Pos, end: Pos) -> lsp.Range:
        return lsp.Range(start=self.position(start), end=self.position(end))

    def pos(self, position: lsp.Position) -> Pos:
        """Client position back to a migrator ``Pos`` (clamped inside the line)."""
        if position.line >= len(self.lines):
            offset = len(self.text)
        else:
            text = self.lines[position.line]
            col = len(text)
            if self.encoding == lsp.PositionEncodingKind.Utf32:
                col = min(position.character, len(text))
            else:
                units = 0
                for i, ch in enumerate(text):
                    if units >= position.character:
                        col = i
                        break
                    units += self._units(ch)
            offset = self._lsp_starts[position.line] + col
        line = bisect.bisect_right(self._parser_starts, offset) - 1
        return Pos(line, offset - self._parser_starts[line])

    def end(self) -> lsp.Position:
        last = len(self.lines) - 1
        return lsp.Position(line=last, character=self._units(self.lines[last]))


def _starts(text: str, breaks: re.Pattern[str]) -> list[int]:
    return [0] + [m.end() for m in breaks.finditer(text)]


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
        code_description=lsp.CodeDescription(href=doc_url(finding.library, finding.rule_id)),
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
    """The fix's title, saying why when it is unsafe (rule fixes already say so in their title)."""
    if fix.tier == "unsafe" and "(unsafe" not in fix.title:
        return f"{fix.title} (unsafe: {fix.reason or 'may change behaviour'})"
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
    old_lines, new_lines = split_lines_keepends(old), split_lines_keepends(new)
    head = 0
    while head < min(len(old_lines), len(new_lines)) and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while (
        tail < min(len(old_lines), len(new_lines)) - head
        and old_lines[-1 - tail] == new_lines[-1 - tail]
    ):
        tail += 1
    text = "".join(new_lines[head : len(new_lines) - tail])
    end = lsp.Position(line=len(old_lines) - tail, character=0) if tail else lines.end()
    return lsp.TextEdit(range=lsp.Range(start=lsp.Position(line=head, character=0), end=end), new_text=text)


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


def explanation(finding: Finding, deprecated_in: object = None, removed_in: object = None) -> str:
    """Markdown shown on hover: the message, the versions, how safe the fix is, and the source."""
    parts = [f"**{finding.rule_id}** ({finding.library}): {finding.message}"]
    versions = [f"deprecated in {deprecated_in}" if deprecated_in else "", f"removed in {removed_in}" if removed_in else ""]
    if any(versions):
        parts.append(f"{finding.library} " + ", ".join(v for v in versions if v) + f"; here: {finding.state}.")
    fix = finding.fix
    if fix is None:
        parts.append(f"Fix: manual ({finding.manual_reason})." if finding.manual_reason else "Fix: manual.")
    elif fix.tier == "unsafe":
        parts.append(f"Fix: unsafe, {fix.title} ({fix.reason or 'may change behaviour'}).")
    else:
        parts.append(f"Fix: safe, {fix.title}.")
    if finding.source:
        parts.append(f"Source: <{finding.source}>")
    parts.append(f"Rule page: <{doc_url(finding.library, finding.rule_id)}>")
    return "\n\n".join(parts)


def hover(markdown: str, finding: Finding, lines: Lines) -> lsp.Hover:
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=markdown),
        range=lines.range(finding.start, finding.end),
    )


def diagnostic_report(diags: list[lsp.Diagnostic]) -> lsp.RelatedFullDocumentDiagnosticReport:
    return lsp.RelatedFullDocumentDiagnosticReport(items=diags)
