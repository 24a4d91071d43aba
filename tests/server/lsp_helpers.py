"""Helpers for the end-to-end LSP tests: a recording client, waiting for a version, applying edits."""

from __future__ import annotations

import asyncio
import bisect
import re
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

import pytest_lsp

from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, make_test_lsp_client

SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "apimig.server"],
    client_factory=lambda: recording_client(),
)


def recording_client() -> LanguageClient:
    """pytest-lsp's client, also keeping every publishDiagnostics with its version."""
    client = make_test_lsp_client()
    published: list[lsp.PublishDiagnosticsParams] = []
    features = client.protocol.fm.features
    original = features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def record(params: lsp.PublishDiagnosticsParams) -> Any:
        published.append(params)
        return original(params)

    features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
    client.published = published  # type: ignore[attr-defined]
    return client


async def wait_published(
    client: LanguageClient,
    uri: str,
    version: int | None = None,
    where: Callable[[lsp.PublishDiagnosticsParams], bool] = lambda p: True,
    timeout: float = 300.0,  # a hang guard only: waits end on the event, however busy the machine
) -> lsp.PublishDiagnosticsParams:
    """The first publish for ``uri`` (at ``version``) that satisfies ``where``."""
    published: list[lsp.PublishDiagnosticsParams] = client.published  # type: ignore[attr-defined]
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        for p in published:
            if p.uri == uri and (version is None or p.version == version) and where(p):
                return p
        await asyncio.sleep(0.01)
    raise AssertionError(f"no diagnostics for {uri} v{version}; got {[(p.uri, p.version) for p in published]}")


def open_doc(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)
        )
    )


def change_doc(client: LanguageClient, uri: str, version: int, changes: Sequence[Any]) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=list(changes),
        )
    )


_LINE_END = re.compile(r"\r\n|\r|\n")  # LSP's rule, written here apart from the server's code


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _LINE_END.finditer(text)]


def _offset(text: str, pos: lsp.Position) -> int:
    """Offset of an LSP (UTF-16) position, computed independently of the server's code."""
    starts = _line_starts(text)
    if pos.line >= len(starts):
        return len(text)
    start = starts[pos.line]
    end = _LINE_END.search(text, start)
    line = text[start : end.start() if end else len(text)]
    units = line.encode("utf-16-le", "surrogatepass")[: 2 * pos.character].decode("utf-16-le", "surrogatepass")
    return start + len(units)


def position_at(text: str, offset: int) -> lsp.Position:
    """The LSP (UTF-16) position of an offset, the inverse of :func:`_offset`."""
    line = bisect.bisect_right(_line_starts(text), offset) - 1
    start = _line_starts(text)[line]
    return lsp.Position(line=line, character=len(text[start:offset].encode("utf-16-le", "surrogatepass")) // 2)


def apply_edits(text: str, edits: Sequence[lsp.TextEdit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = _offset(text, edit.range.start), _offset(text, edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


def edits_of(action: lsp.CodeAction, uri: str) -> list[lsp.TextEdit]:
    assert action.edit is not None, action
    if action.edit.document_changes:
        return [e for dc in action.edit.document_changes if dc.text_document.uri == uri for e in dc.edits]  # type: ignore[union-attr]
    return list((action.edit.changes or {}).get(uri, []))


async def initialize(client: LanguageClient, root: str, options: Any) -> lsp.InitializeResult:
    """Initialize as VS Code would, with ``root`` as the workspace and ``options`` as settings."""
    return await client.initialize_session(
        lsp.InitializeParams(
            capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
            root_uri=Path(root).as_uri(),
            initialization_options=options,
        )
    )
