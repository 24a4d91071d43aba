"""Which code actions a request gets: the policy, apart from the handler and from LSP plumbing.

Why a module of its own: the choices (a quick fix per fixable finding, preferred when safe; a
model placeholder when no rule fix exists and a model is loaded; an ignore comment for every
finding; fix-all only when something it may apply exists, deferred to ``codeAction/resolve``
for a lightbulb of a client that can resolve) are the product's behaviour and are tested here
as a plain function. :mod:`apimig.server.convert` builds the LSP objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from lsprotocol import types as lsp

from apimig.migrator.findings import Finding

from . import convert


@dataclass(frozen=True)
class ActionContext:
    """What the policy needs to know about the document, the settings and the client."""

    uri: str
    version: int | None
    lines: convert.Lines
    severity: Mapping[str, str]
    unsafe_fixes: bool
    document_changes: bool  # the client takes versioned edits
    resolves_edits: bool  # the client can fill an action's edit through codeAction/resolve
    proposer: bool  # a model is loaded: findings without a rule fix get a placeholder


@dataclass(frozen=True)
class Choice:
    actions: list[lsp.CodeAction]
    fix_all_now: bool  # the caller computes the fix-all edit and adds :func:`fix_all`


def choose(
    findings: Sequence[Finding], request: lsp.CodeActionParams, ctx: ActionContext
) -> Choice:
    """The code actions for ``request`` over the document's ``findings``."""
    only = request.context.only
    actions: list[lsp.CodeAction] = []
    if convert.kind_requested(lsp.CodeActionKind.QuickFix, only):
        for f, diag in _targets(findings, request, ctx):
            actions += _quick_fixes(f, diag, ctx)
    fixable = any(f.fix is not None and (f.fix.tier == "safe" or ctx.unsafe_fixes) for f in findings)
    if not (fixable and convert.kind_requested(convert.FIX_ALL_KIND, only)):
        return Choice(actions, False)
    if only is not None:  # asked for by kind (format on save): the edit now
        return Choice(actions, True)
    if ctx.resolves_edits:  # lightbulb: compute the edit only when chosen
        action = convert.fix_all_action(lsp.WorkspaceEdit(), 0, ctx.unsafe_fixes)
        action.title, action.edit = "Fix all apimig issues in this file", None
        action.data = {"resolve": "fixAll", "uri": ctx.uri}
        actions.append(action)
    return Choice(actions, False)  # a client that cannot resolve gets fix-all only by kind


def fix_all(old: str, new: str, count: int, ctx: ActionContext) -> lsp.CodeAction:
    edit = convert.replace_all_edit(old, new, ctx.lines)
    return convert.fix_all_action(
        convert.workspace_edit(ctx.uri, ctx.version, [edit], ctx.document_changes), count, ctx.unsafe_fixes
    )


def _targets(
    findings: Sequence[Finding], request: lsp.CodeActionParams, ctx: ActionContext
) -> list[tuple[Finding, lsp.Diagnostic]]:
    """The findings the request is about, each with the diagnostic to attach."""
    context = [d for d in request.context.diagnostics if d.source == convert.SOURCE]
    if not context:  # clients that send no diagnostics: the findings under the range
        lo, hi = ctx.lines.pos(request.range.start), ctx.lines.pos(request.range.end)
        return [(f, convert.diagnostic(f, ctx.lines, ctx.severity)) for f in findings if not (f.end < lo or f.start > hi)]
    by_key = {f.key: f for f in findings}
    pairs = []
    for diag in context:
        f = by_key.get(convert.diagnostic_key(diag) or "") or _by_range(findings, diag, ctx.lines)
        if f is not None:
            pairs.append((f, diag))
    return pairs


def _quick_fixes(f: Finding, diag: lsp.Diagnostic, ctx: ActionContext) -> list[lsp.CodeAction]:
    out = []
    if f.fix is not None:
        edit = convert.workspace_edit(ctx.uri, ctx.version, convert.text_edits(f.fix.edits, ctx.lines), ctx.document_changes)
        out.append(convert.quick_fix(f, diag, edit))
    elif ctx.proposer:
        out.append(convert.resolve_placeholder(f, diag, ctx.uri, ctx.version))
    ignore = convert.ignore_edit(f.rule_id, f.start.line, ctx.lines)
    out.append(convert.ignore_action(f, diag, convert.workspace_edit(ctx.uri, ctx.version, [ignore], ctx.document_changes)))
    return out


def _by_range(findings: Sequence[Finding], diag: lsp.Diagnostic, lines: convert.Lines) -> Finding | None:
    for f in findings:
        if f.rule_id == diag.code and lines.range(f.start, f.end) == diag.range:
            return f
    return None
