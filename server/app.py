"""The apimig language server: one LanguageServer subclass holding state, thin handlers.

Handlers get the document, ask the migrator (``apimig.migrator.api``) for findings or fixes,
convert them with :mod:`apimig.server.convert` and publish. Engine work runs off the event loop
on one worker thread (:mod:`apimig.server.worker`), debounced per URI; a result for an outdated
version is dropped. Documents are keyed one way (:func:`apimig.server.documents.doc_key`);
what goes back to the client uses the URI it sent.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from apimig.migrator import __version__
from apimig.migrator.files import iter_python_files, read_source
from apimig.migrator.findings import Finding, Fix, Pos

from . import actions, convert
from .documents import LspWorkspace, doc_key
from .model_layer import ModelLayer
from .settings import SECTION, Settings, parse_settings
from .worker import Worker

log = logging.getLogger("apimig.server")

#: ``resolve_proposer(path, source, finding) -> Fix | None``; the model layer sets it on the server.
ResolveProposer = Callable[[str | None, str, Finding], "Fix | None"]

FIX_ALL_COMMAND = "apimig.server.fixAll"
FIX_WORKSPACE_COMMAND = "apimig.server.fixWorkspace"
_TOLD_KEPT = 64  # distinct messages remembered so that each is shown once


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
        self.model_layer = ModelLayer()
        # per open document (doc_key): dropped on close
        self.results: dict[str, DocResult] = {}
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._running: set[str] = set()  # documents whose check is in the worker now
        self._incremental: dict[str, Any] = {}  # IncrementalChecker, touched on the worker only
        # per folder; the lock guards the dictionary, never the work
        self._engines: dict[Path | None, tuple[Any, Any]] = {}
        self._engines_lock = threading.Lock()
        self.worker = Worker("check")
        self._told: OrderedDict[str, None] = OrderedDict()

    # --- documents ------------------------------------------------------------------------
    def use_lsp_documents(self) -> None:
        """Swap pygls' workspace (just created by initialize) for one that follows LSP's line rule."""
        self.protocol._workspace = LspWorkspace.like(self.workspace, self._text_document_sync_kind)  # noqa: SLF001

    def document(self, uri: str) -> TextDocument | None:
        """The open document for ``uri`` in any spelling, or None (never one read from disk)."""
        return self.workspace.text_documents.get(doc_key(uri))

    # --- engine and configuration -------------------------------------------------------
    def path_of(self, uri: str) -> str | None:
        return to_fs_path(uri) if uri.startswith("file:") else None

    def engine_for(self, path: str | None) -> tuple[Any, Any]:
        """The (Config, Engine) for a file, cached per folder; settings override [tool.apimig]."""
        folder = Path(path).parent if path else None
        with self._engines_lock:
            cached = self._engines.get(folder)
        if cached is not None:
            return cached
        built = self._build_engine(folder)
        with self._engines_lock:
            return self._engines.setdefault(folder, built)

    def _build_engine(self, folder: Path | None) -> tuple[Any, Any]:
        from apimig.migrator.api import Engine, load_config  # the engine loads rules lazily

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
        return config, Engine(config)

    def reset_engines(self) -> None:
        with self._engines_lock:
            self._engines.clear()
        self.worker.submit(self._incremental.clear)

    def tell(self, message: str) -> None:
        """Show a problem once (not once per keystroke) and log it."""
        log.warning(message)
        if message in self._told:
            return
        self._told[message] = None
        while len(self._told) > _TOLD_KEPT:
            self._told.popitem(last=False)
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

    # --- checking (on the worker) --------------------------------------------------------
    def check(self, path: str | None, text: str, key: str | None = None) -> list[Finding] | None:
        """Run the engine, re-checking only the definitions that changed since the last check of
        the open document ``key`` (a closed or unnamed one keeps no checker); None when it
        failed (the caller keeps the last results)."""
        from apimig.migrator.incremental import IncrementalChecker

        try:
            _, engine = self.engine_for(path)
            checker = self._incremental.get(key) if key is not None else None
            if checker is None or checker.engine is not engine:
                checker = IncrementalChecker(engine)
                if key is not None and key in self.workspace.text_documents:
                    self._incremental[key] = checker
            return checker.check(text, path or "<buffer>")
        except Exception:
            log.exception("apimig check failed for %s", path)
            return None

    def fix_all(self, path: str | None, text: str) -> tuple[str | None, int]:
        """Text after all fixes the settings allow (safe ones unless unsafeFixes) and their count."""
        config, engine = self.engine_for(path)
        result = engine.fix(text, path=path or "<buffer>", unsafe=bool(config.unsafe_fixes), only=None)
        return result.new_source, len(result.applied)

    # --- scheduling (on the event loop) ------------------------------------------------------
    def schedule(self, uri: str, delay: float) -> None:
        """Debounce per URI: a newer edit cancels the pending check of the same document.

        An edit is checked at once when no check of the document is pending or running; edits
        that arrive while one is, wait ``delay`` for the next, so a burst costs one more check."""
        key = doc_key(uri)
        pending = self._pending.pop(key, None)
        busy = (pending is not None and not pending.done()) or key in self._running
        if pending is not None:
            pending.cancel()
        self._pending[key] = asyncio.get_running_loop().create_task(self._run(uri, delay if busy else 0))

    def recheck_all(self) -> None:
        for doc in list(self.workspace.text_documents.values()):
            self.schedule(doc.uri, 0)

    async def _run(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        key = doc_key(uri)
        doc = self.document(uri)
        if doc is None:
            return
        version, text = doc.version, doc.source
        self._running.add(key)
        try:
            findings = await self.worker.run(self.check, self.path_of(doc.uri), text, doc_key(uri))
        finally:
            self._running.discard(key)
        current = self.document(uri)
        if current is None or current.version != version:
            return  # stale: a newer version is already scheduled
        if findings is None:
            findings = carry_over(self.results.get(key), text)
        self.publish(doc.uri, version, text, findings)
        if self._pending.get(key) is asyncio.current_task():
            del self._pending[key]

    def diagnostics(self, uri: str, text: str, findings: Sequence[Finding]) -> list[lsp.Diagnostic]:
        config, _ = self.engine_for(self.path_of(uri))
        return convert.diagnostics(findings, convert.Lines(text, self.lines_encoding), config.severity)

    def publish(self, uri: str, version: int | None, text: str, findings: Sequence[Finding]) -> None:
        self.results[doc_key(uri)] = DocResult(version, text, tuple(findings))
        diags = self.diagnostics(uri, text, findings)
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diags, version=version)
        )

    def forget(self, uri: str) -> None:
        key = doc_key(uri)
        if (task := self._pending.pop(key, None)) is not None:
            task.cancel()
        self.results.pop(key, None)
        self.worker.submit(self._incremental.pop, key, None)  # after a check still queued
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    async def findings_now(self, uri: str) -> tuple[int | None, str, list[Finding]] | None:
        """Findings for the open document's current text (cached when the version matches);
        None when the document is not open."""
        doc = self.document(uri)
        if doc is None:
            return None
        version, text = doc.version, doc.source
        cached = self.results.get(doc_key(uri))
        if cached is not None and cached.version == version and cached.text == text:
            return version, text, list(cached.findings)
        found = await self.worker.run(self.check, self.path_of(doc.uri), text, doc_key(uri))
        return version, text, found if found is not None else carry_over(cached, text)

    def action_context(self, uri: str, version: int | None, text: str) -> actions.ActionContext:
        config, _ = self.engine_for(self.path_of(uri))
        return actions.ActionContext(
            uri=uri, version=version, lines=convert.Lines(text, self.lines_encoding), severity=config.severity,
            unsafe_fixes=bool(config.unsafe_fixes), document_changes=self.document_changes,
            resolves_edits=self.resolves_edits, proposer=self.resolve_proposer is not None,
        )

    def explain(self, uri: str, finding: Finding) -> str:
        """The hover text of a finding, with the versions of its rule."""
        _, engine = self.engine_for(self.path_of(uri))
        rule = engine.by_id.get(finding.rule_id)
        return convert.explanation(finding, getattr(rule, "deprecated_in", None), getattr(rule, "removed_in", None))

    async def fix_all_edit(self, doc: TextDocument) -> tuple[lsp.WorkspaceEdit | None, int]:
        """The edit applying every allowed fix to the document's current text, and their count."""
        text = doc.source
        new, count = await self.worker.run(self.fix_all, self.path_of(doc.uri), text)
        if new is None:
            return None, count
        edit = convert.replace_all_edit(text, new, convert.Lines(text, self.lines_encoding))
        return convert.workspace_edit(doc.uri, doc.version, [edit], self.document_changes), count

    async def resolve_fix_all(self, action: lsp.CodeAction, doc: TextDocument) -> lsp.CodeAction:
        edit, count = await self.fix_all_edit(doc)
        if edit is not None:
            action.edit = edit
            action.title = f"Fix all apimig issues ({count} fix{'es' if count != 1 else ''})"
        return action

    async def resolve_proposal(self, action: lsp.CodeAction, doc: TextDocument, data: dict[str, Any]) -> lsp.CodeAction:
        """Ask the loaded model (on its own worker) for a validated fix of the action's finding."""
        if (propose := self.resolve_proposer) is None:
            return action
        version, text, path = doc.version, doc.source, self.path_of(doc.uri)
        findings = await self.worker.run(self.check, path, text, doc_key(doc.uri)) or []
        finding = next((f for f in findings if f.key == data.get("key")), None)
        if finding is None:
            return action
        try:
            fix = await self.model_layer.worker.run(propose, path, text, finding)
        except Exception:
            log.exception("resolve proposer failed")
            return action
        if fix is None:
            action.title = f"No validated model fix for {finding.rule_id} (see the log)"
            return action
        lines = convert.Lines(text, self.lines_encoding)
        action.edit = convert.workspace_edit(doc.uri, version, convert.text_edits(fix.edits, lines), self.document_changes)
        action.title = convert.fix_title(fix)
        action.data = {**data, "origin": fix.origin, "confidence": fix.confidence}
        return action

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
    new_lines = text.split("\n")  # the migrator's lines
    shift = len(new_lines) - len(last.text.split("\n"))
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
    ls.use_lsp_documents()
    ls.init_options = parse_raw(params.initialization_options)
    ls.apply_settings({})


@server.feature(lsp.INITIALIZED)
async def on_initialized(ls: ApimigServer, params: lsp.InitializedParams) -> None:
    await pull_configuration(ls)
    await configure_model(ls)


async def configure_model(ls: ApimigServer) -> None:
    """Load (in the background) the model named by the ``model`` setting, if it changed."""
    await ls.model_layer.configure(ls, ls.settings.model, ls.settings.model_strategy)


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


# --- code actions, pull diagnostics, hover ---------------------------------------------------
@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, convert.FIX_ALL_KIND], resolve_provider=True
    ),
)
async def on_code_action(ls: ApimigServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    if (now := await ls.findings_now(uri)) is None:
        return []
    version, text, findings = now
    ctx = ls.action_context(uri, version, text)
    choice = actions.choose(findings, params, ctx)
    if choice.fix_all_now:
        new, count = await ls.worker.run(ls.fix_all, ls.path_of(uri), text)
        if new is not None:
            choice.actions.append(actions.fix_all(text, new, count, ctx))
    return choice.actions


@server.feature(lsp.TEXT_DOCUMENT_DIAGNOSTIC, lsp.DiagnosticOptions(inter_file_dependencies=False, workspace_diagnostics=False))
async def on_diagnostic(ls: ApimigServer, params: lsp.DocumentDiagnosticParams) -> lsp.RelatedFullDocumentDiagnosticReport:
    """Pull diagnostics: the same findings as the last publish, or a check of the current text."""
    now = await ls.findings_now(params.text_document.uri)
    _, text, findings = now if now is not None else (None, "", [])
    return convert.diagnostic_report(ls.diagnostics(params.text_document.uri, text, findings))


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
async def on_hover(ls: ApimigServer, params: lsp.HoverParams) -> lsp.Hover | None:
    """Hovering a diagnostic shows its rule's explanation."""
    uri = params.text_document.uri
    if (now := await ls.findings_now(uri)) is None:
        return None
    _, text, findings = now
    lines = convert.Lines(text, ls.lines_encoding)
    at = lines.pos(params.position)
    finding = next((f for f in findings if f.start <= at <= f.end), None)
    return convert.hover(ls.explain(uri, finding), finding, lines) if finding is not None else None


@server.feature(lsp.CODE_ACTION_RESOLVE)
async def on_resolve(ls: ApimigServer, action: lsp.CodeAction) -> lsp.CodeAction:
    """Compute deferred edits on the workers: fix-all, and model proposals when a proposer is
    installed. Anything else comes back unchanged."""
    data = convert.action_data(action)
    doc = ls.document(data["uri"]) if isinstance(data.get("uri"), str) else None
    if doc is not None and data.get("resolve") == "fixAll":
        return await ls.resolve_fix_all(action, doc)
    if doc is not None and data.get("resolve") == "proposer":
        return await ls.resolve_proposal(action, doc, data)
    return action


# --- commands --------------------------------------------------------------------------
@server.command(FIX_ALL_COMMAND)
async def cmd_fix_all(ls: ApimigServer, uri: str = "") -> dict[str, int]:
    """Apply the fix-all edit of one open document through workspace/applyEdit."""
    if (doc := ls.document(uri)) is None:
        return {"files": 0, "fixes": 0}
    edit, count = await ls.fix_all_edit(doc)
    if edit is not None:
        await ls.workspace_apply_edit_async(lsp.ApplyWorkspaceEditParams(edit=edit, label="apimig: fix all"))
    return {"files": int(edit is not None), "fixes": count}


@server.command(FIX_WORKSPACE_COMMAND)
async def cmd_fix_workspace(ls: ApimigServer, *args: Any) -> dict[str, int]:
    """Fix every Python file of the workspace folders (open buffers use their unsaved text)."""
    edits, fixes = await ls.worker.run(_workspace_edits, ls)
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
            open_doc = ls.document(uri)
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
