"""The apimig language server: one LanguageServer subclass holding state, thin handlers.

Handlers get the document, ask the migrator (``apimig.migrator.api``) for findings or fixes,
convert them with :mod:`apimig.server.convert` and publish. Checks run off the event loop in a
single worker thread, debounced per URI; a result for an outdated version is dropped.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from apimig.migrator import __version__
from apimig.migrator.files import iter_python_files, read_source
from apimig.migrator.findings import Finding, Fix, Pos

from . import convert
from .model_tier import ModelTier
from .settings import SECTION, Settings, parse_settings

log = logging.getLogger("apimig.server")

#: ``resolve_proposer(path, source, finding) -> Fix | None``; the model tier sets it on the server.
ResolveProposer = Callable[[str | None, str, Finding], "Fix | None"]

FIX_ALL_COMMAND = "apimig.server.fixAll"
FIX_WORKSPACE_COMMAND = "apimig.server.fixWorkspace"


@dataclass(frozen=True)
class DocResult:
    """The findings published for one version of a document."""

    version: int | None
    text: str
    findings: tuple[Finding, ...]


class ApimigServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("apimig-lsp", __version__)
        self.init_options: Mapping[str, Any] = {}
        self.settings = Settings()
        self.debounce_s = float(os.environ.get("APIMIG_LSP_DEBOUNCE_MS", "20")) / 1000
        self.resolve_proposer: ResolveProposer | None = None
        self.model_tier = ModelTier()
        self.results: dict[str, DocResult] = {}
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._running: set[str] = set()  # documents whose check is in the worker now
        self._engines: dict[Path | None, tuple[Any, Any]] = {}
        self._incremental: dict[str | None, Any] = {}  # per document: IncrementalChecker
        self._engine_lock = threading.RLock()
        self._checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="apimig-check")
        self._told: set[str] = set()

    # --- engine and configuration -------------------------------------------------------
    def path_of(self, uri: str) -> str | None:
        return to_fs_path(uri) if uri.startswith("file:") else None

    def engine_for(self, path: str | None) -> tuple[Any, Any]:
        """The (Config, Engine) for a file, cached per folder; settings override [tool.apimig]."""
        from apimig.migrator.api import Engine, load_config  # the engine loads rules lazily

        folder = Path(path).parent if path else None
        with self._engine_lock:
            if folder in self._engines:
                return self._engines[folder]
            s = self.settings
            start = folder or (Path(self.workspace.root_path) if self.workspace.root_path else None)
            overrides: dict[str, Any] = dict(
                targets=dict(s.targets), select=list(s.select), ignore=list(s.ignore),
                unsafe_fixes=s.unsafe_fixes, severity=dict(s.severity) or None,
            )
            try:
                config = load_config(start, **overrides)
            except Exception as exc:  # a bad pyproject or setting must not stop diagnostics
                self.tell(f"apimig: configuration error, using defaults: {exc}")
                try:
                    config = load_config(None, **overrides)
                except Exception:
                    config = load_config(None)
            entry = (config, Engine(config))
            self._engines[folder] = entry
            return entry

    def reset_engines(self) -> None:
        with self._engine_lock:
            self._engines.clear()
            self._incremental.clear()

    def tell(self, message: str) -> None:
        """Show a problem once (not once per keystroke) and log it."""
        log.warning(message)
        if message in self._told:
            return
        self._told.add(message)
        try:
            self.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Warning, message=message))
        except Exception:  # no client connection yet
            log.debug("could not show message", exc_info=True)

    def apply_settings(self, raw: Any) -> bool:
        """Merge client settings over the initialization options; True when they changed."""
        merged: dict[str, Any] = dict(parse_raw(self.init_options))
        if isinstance(raw, Mapping):
            section = raw.get(SECTION, raw)
            if isinstance(section, Mapping):
                merged.update({k: v for k, v in section.items() if v is not None})
        settings = parse_settings(merged)
        for problem in settings.problems:
            self.tell(f"apimig setting ignored: {problem}")
        changed = settings != self.settings
        self.settings = settings
        if changed:
            self.reset_engines()
        return changed

    # --- checking ----------------------------------------------------------------------
    def check(self, path: str | None, text: str) -> list[Finding] | None:
        """Run the engine, re-checking only the definitions that changed since the last check of
        this document; None when it failed (the caller keeps the last results)."""
        from apimig.migrator.incremental import IncrementalChecker

        try:
            _, engine = self.engine_for(path)
            with self._engine_lock:
                checker = self._incremental.get(path)
                if checker is None or checker.engine is not engine:
                    checker = self._incremental[path] = IncrementalChecker(engine)
                return checker.check(text, path or "<buffer>")
        except Exception:
            log.exception("apimig check failed for %s", path)
            return None

    def fix_all(self, path: str | None, text: str) -> tuple[str | None, int]:
        """Text after all fixes the settings allow (safe ones unless unsafeFixes) and their count."""
        config, engine = self.engine_for(path)
        with self._engine_lock:
            result = engine.fix(text, path=path or "<buffer>", unsafe=bool(config.unsafe_fixes), only=None)
        return result.new_source, len(result.applied)

    def schedule(self, uri: str, delay: float) -> None:
        """Debounce per URI: a newer edit cancels the pending check of the same document.

        An edit is checked at once when no check of the document is pending or running; edits
        that arrive while one is, wait ``delay`` for the next, so a burst costs one more check."""
        pending = self._pending.pop(uri, None)
        busy = (pending is not None and not pending.done()) or uri in self._running
        if pending is not None:
            pending.cancel()
        self._pending[uri] = asyncio.get_running_loop().create_task(self._run(uri, delay if busy else 0))

    def recheck_all(self) -> None:
        for uri in list(self.workspace.text_documents):
            self.schedule(uri, 0)

    async def _run(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        if uri not in self.workspace.text_documents:
            return
        doc = self.workspace.get_text_document(uri)
        version, text = doc.version, doc.source
        loop = asyncio.get_running_loop()
        self._running.add(uri)
        try:
            findings = await loop.run_in_executor(self._checker, self.check, self.path_of(uri), text)
        finally:
            self._running.discard(uri)
        current = self.workspace.text_documents.get(uri)
        if current is None or current.version != version:
            return  # stale: a newer version is already scheduled
        if findings is None:
            findings = carry_over(self.results.get(uri), text)
        self.publish(uri, version, text, findings)
        if self._pending.get(uri) is asyncio.current_task():
            del self._pending[uri]

    def publish(self, uri: str, version: int | None, text: str, findings: Sequence[Finding]) -> None:
        self.results[uri] = DocResult(version, text, tuple(findings))
        lines = convert.Lines(text, self.workspace.position_encoding or lsp.PositionEncodingKind.Utf16)
        config, _ = self.engine_for(self.path_of(uri))
        diags = convert.diagnostics(findings, lines, config.severity)
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diags, version=version)
        )

    def forget(self, uri: str) -> None:
        if (task := self._pending.pop(uri, None)) is not None:
            task.cancel()
        self.results.pop(uri, None)
        with self._engine_lock:
            self._incremental.pop(self.path_of(uri), None)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    async def findings_now(self, uri: str) -> tuple[int | None, str, list[Finding]]:
        """Findings for the document's current text (cached when the version matches)."""
        doc = self.workspace.get_text_document(uri)
        version, text = doc.version, doc.source
        cached = self.results.get(uri)
        if cached is not None and cached.version == version and cached.text == text:
            return version, text, list(cached.findings)
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(self._checker, self.check, self.path_of(uri), text)
        return version, text, found if found is not None else carry_over(cached, text)

    # --- client capabilities ---------------------------------------------------------------
    @property
    def document_changes(self) -> bool:
        ws = self.client_capabilities.workspace
        return bool(ws and ws.workspace_edit and ws.workspace_edit.document_changes)

    @property
    def resolves_edits(self) -> bool:
        td = self.client_capabilities.text_document
        ca = td.code_action if td else None
        return bool(ca and ca.resolve_support and "edit" in ca.resolve_support.properties)

    @property
    def lines_encoding(self) -> str:
        return str(self.workspace.position_encoding or lsp.PositionEncodingKind.Utf16)


def parse_raw(options: Any) -> Mapping[str, Any]:
    if isinstance(options, Mapping):
        inner = options.get(SECTION, options)
        return inner if isinstance(inner, Mapping) else {}
    return {}


def carry_over(last: DocResult | None, text: str) -> list[Finding]:
    """Keep the last good findings whose matched text is still where it was (or shifted by the
    change in line count), so a half-typed buffer does not blank the diagnostics."""
    if last is None:
        return []
    new_lines = convert.split_lines(text)
    shift = len(new_lines) - len(convert.split_lines(last.text))
    kept: list[Finding] = []
    for f in last.findings:
        first = f.snippet.splitlines()[0] if f.snippet else ""
        for delta in (0, shift):
            line = f.start.line + delta
            if first and 0 <= line < len(new_lines) and new_lines[line][f.start.col:].startswith(first):
                kept.append(_moved(f, delta))
                break
    return kept


def _moved(f: Finding, delta: int) -> Finding:
    """Shift a finding by whole lines; its fix is dropped since its import edits did not move."""
    if not delta:
        return f
    from dataclasses import replace

    return replace(
        f,
        start=Pos(f.start.line + delta, f.start.col),
        end=Pos(f.end.line + delta, f.end.col),
        fix=None,
        manual_reason=f.manual_reason or "fix available once the file parses again",
    )


server = ApimigServer()


# --- lifecycle and configuration ---------------------------------------------------------
@server.feature(lsp.INITIALIZE)
def on_initialize(ls: ApimigServer, params: lsp.InitializeParams) -> None:
    ls.init_options = parse_raw(params.initialization_options)
    ls.apply_settings({})


@server.feature(lsp.INITIALIZED)
async def on_initialized(ls: ApimigServer, params: lsp.InitializedParams) -> None:
    await pull_configuration(ls)
    await configure_model(ls)


async def configure_model(ls: ApimigServer) -> None:
    """Load (in the background) the model named by the ``model`` setting, if it changed."""
    await ls.model_tier.configure(ls, ls.settings.model, ls.settings.model_strategy)


async def pull_configuration(ls: ApimigServer) -> None:
    ws = ls.client_capabilities.workspace
    if not (ws and ws.configuration):
        return
    try:
        items = await ls.workspace_configuration_async(
            lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section=SECTION)])
        )
    except Exception:
        log.warning("workspace/configuration failed", exc_info=True)
        return
    if ls.apply_settings(items[0] if items else None):
        ls.recheck_all()


@server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def on_configuration(ls: ApimigServer, params: lsp.DidChangeConfigurationParams) -> None:
    pushed = params.settings
    if isinstance(pushed, Mapping) and isinstance(pushed.get(SECTION), Mapping):
        if ls.apply_settings(pushed):
            ls.recheck_all()
    else:
        await pull_configuration(ls)
    await configure_model(ls)


@server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def on_watched(ls: ApimigServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    if any(c.uri.endswith("pyproject.toml") for c in params.changes):
        ls.reset_engines()
        ls.recheck_all()


# --- documents -------------------------------------------------------------------------
@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def on_open(ls: ApimigServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def on_change(ls: ApimigServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, ls.debounce_s)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False))
def on_save(ls: ApimigServer, params: lsp.DidSaveTextDocumentParams) -> None:
    if params.text_document.uri.endswith("pyproject.toml"):
        ls.reset_engines()
        ls.recheck_all()
    else:
        ls.schedule(params.text_document.uri, 0)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def on_close(ls: ApimigServer, params: lsp.DidCloseTextDocumentParams) -> None:
    ls.forget(params.text_document.uri)


# --- code actions ----------------------------------------------------------------------
@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, convert.FIX_ALL_KIND], resolve_provider=True
    ),
)
async def on_code_action(ls: ApimigServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    version, text, findings = await ls.findings_now(uri)
    lines = convert.Lines(text, ls.lines_encoding)
    config, _ = ls.engine_for(ls.path_of(uri))
    only = params.context.only
    by_key = {f.key: f for f in findings}
    pairs: list[tuple[Finding, lsp.Diagnostic]] = []
    context = [d for d in params.context.diagnostics if d.source == convert.SOURCE]
    for diag in context:
        f = by_key.get(convert.diagnostic_key(diag) or "") or _by_range(findings, diag, lines)
        if f is not None:
            pairs.append((f, diag))
    if not context:  # clients that send no diagnostics: use the findings under the range
        lo, hi = lines.pos(params.range.start), lines.pos(params.range.end)
        pairs = [
            (f, convert.diagnostic(f, lines, config.severity))
            for f in findings
            if not (f.end < lo or f.start > hi)
        ]
    actions: list[lsp.CodeAction] = []
    if convert.kind_requested(lsp.CodeActionKind.QuickFix, only):
        for f, diag in pairs:
            if f.fix is not None:
                edit = convert.workspace_edit(
                    uri, version, convert.text_edits(f.fix.edits, lines), ls.document_changes
                )
                actions.append(convert.quick_fix(f, diag, edit))
            elif ls.resolve_proposer is not None:
                actions.append(convert.resolve_placeholder(f, diag, uri, version))
            ignore = convert.ignore_edit(f.rule_id, f.start.line, lines)
            actions.append(
                convert.ignore_action(f, diag, convert.workspace_edit(uri, version, [ignore], ls.document_changes))
            )
    fixable = any(f.fix is not None and (f.fix.tier == "safe" or config.unsafe_fixes) for f in findings)
    if fixable and convert.kind_requested(convert.FIX_ALL_KIND, only):
        if only is None and not ls.resolves_edits:
            pass  # lightbulb of a client that cannot resolve: fix-all only when asked for by kind
        elif only is None:  # lightbulb: compute the edit only when chosen (codeAction/resolve)
            action = convert.fix_all_action(lsp.WorkspaceEdit(), 0, bool(config.unsafe_fixes))
            action.title = "Fix all apimig issues in this file"
            action.edit = None
            action.data = {"resolve": "fixAll", "uri": uri}
            actions.append(action)
        else:
            loop = asyncio.get_running_loop()
            new, count = await loop.run_in_executor(ls._checker, ls.fix_all, ls.path_of(uri), text)
            if new is not None:
                edit = convert.replace_all_edit(text, new, lines)
                actions.append(
                    convert.fix_all_action(
                        convert.workspace_edit(uri, version, [edit], ls.document_changes),
                        count,
                        bool(config.unsafe_fixes),
                    )
                )
    return actions


def _by_range(findings: Sequence[Finding], diag: lsp.Diagnostic, lines: convert.Lines) -> Finding | None:
    for f in findings:
        if f.rule_id == diag.code and lines.range(f.start, f.end) == diag.range:
            return f
    return None


@server.feature(lsp.CODE_ACTION_RESOLVE)
@server.thread()
def on_resolve(ls: ApimigServer, action: lsp.CodeAction) -> lsp.CodeAction:
    """Compute deferred edits in a worker thread: fix-all, and model proposals when a proposer
    is installed. Anything else comes back unchanged."""
    data = convert.action_data(action)
    uri = data.get("uri")
    if not isinstance(uri, str) or uri not in ls.workspace.text_documents:
        return action
    doc = ls.workspace.get_text_document(uri)
    version, text = doc.version, doc.source
    lines = convert.Lines(text, ls.lines_encoding)
    if data.get("resolve") == "fixAll":
        new, count = ls.fix_all(ls.path_of(uri), text)
        if new is not None:
            action.edit = convert.workspace_edit(
                uri, version, [convert.replace_all_edit(text, new, lines)], ls.document_changes
            )
            action.title = f"Fix all apimig issues ({count} fix{'es' if count != 1 else ''})"
        return action
    if data.get("resolve") == "proposer" and ls.resolve_proposer is not None:
        findings = ls.check(ls.path_of(uri), text) or []
        finding = next((f for f in findings if f.key == data.get("key")), None)
        if finding is None:
            return action
        try:
            fix = ls.resolve_proposer(ls.path_of(uri), text, finding)
        except Exception:
            log.exception("resolve proposer failed")
            return action
        if fix is not None:
            action.edit = convert.workspace_edit(
                uri, version, convert.text_edits(fix.edits, lines), ls.document_changes
            )
            action.title = convert.fix_title(fix)
            action.data = {**data, "origin": fix.origin, "confidence": fix.confidence}
        else:
            action.title = f"No validated model fix for {finding.rule_id} (see the log)"
    return action


# --- commands --------------------------------------------------------------------------
@server.command(FIX_ALL_COMMAND)
async def cmd_fix_all(ls: ApimigServer, uri: str = "") -> dict[str, int]:
    """Apply the fix-all edit of one open document through workspace/applyEdit."""
    if uri not in ls.workspace.text_documents:
        return {"files": 0, "fixes": 0}
    doc = ls.workspace.get_text_document(uri)
    loop = asyncio.get_running_loop()
    new, count = await loop.run_in_executor(ls._checker, ls.fix_all, ls.path_of(uri), doc.source)
    if new is not None:
        lines = convert.Lines(doc.source, ls.lines_encoding)
        edit = convert.workspace_edit(uri, doc.version, [convert.replace_all_edit(doc.source, new, lines)], ls.document_changes)
        await ls.workspace_apply_edit_async(lsp.ApplyWorkspaceEditParams(edit=edit, label="apimig: fix all"))
    return {"files": int(new is not None), "fixes": count}


@server.command(FIX_WORKSPACE_COMMAND)
async def cmd_fix_workspace(ls: ApimigServer, *args: Any) -> dict[str, int]:
    """Fix every Python file of the workspace folders (open buffers use their unsaved text)."""
    loop = asyncio.get_running_loop()
    edits, fixes = await loop.run_in_executor(ls._checker, _workspace_edits, ls)
    if edits:
        await ls.workspace_apply_edit_async(
            lsp.ApplyWorkspaceEditParams(edit=_merge_edits(ls, edits), label="apimig: fix workspace")
        )
    return {"files": len(edits), "fixes": fixes}


def _workspace_edits(ls: ApimigServer) -> tuple[list[tuple[str, int | None, lsp.TextEdit]], int]:
    from pygls.uris import from_fs_path

    roots = [Path(to_fs_path(f.uri)) for f in ls.workspace.folders.values()] or (
        [Path(ls.workspace.root_path)] if ls.workspace.root_path else []
    )
    out: list[tuple[str, int | None, lsp.TextEdit]] = []
    total = 0
    for root in roots:
        config, _ = ls.engine_for(str(root / "__init__.py"))
        for path in iter_python_files([root], config.exclude, root=config.project_root or root,
                                      respect_gitignore=config.respect_gitignore):
            uri = from_fs_path(str(path)) or path.as_uri()
            open_doc = ls.workspace.text_documents.get(uri)
            try:
                text = open_doc.source if open_doc else read_source(path).text
                new, count = ls.fix_all(str(path), text)
            except Exception as exc:
                log.warning("skipping %s: %s", path, exc)
                continue
            if new is not None:
                lines = convert.Lines(text, ls.lines_encoding)
                out.append((uri, open_doc.version if open_doc else None, convert.replace_all_edit(text, new, lines)))
                total += count
    return out, total


def _merge_edits(ls: ApimigServer, edits: list[tuple[str, int | None, lsp.TextEdit]]) -> lsp.WorkspaceEdit:
    if ls.document_changes:
        return lsp.WorkspaceEdit(
            document_changes=[
                lsp.TextDocumentEdit(
                    text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                    edits=[edit],
                )
                for uri, version, edit in edits
            ]
        )
    return lsp.WorkspaceEdit(changes={uri: [edit] for uri, _, edit in edits})
