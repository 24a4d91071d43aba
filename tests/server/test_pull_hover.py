"""Pull diagnostics (``textDocument/diagnostic``) beside push, and hover on a diagnostic, over stdio."""

from __future__ import annotations

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp_helpers import SERVER, change_doc, initialize, open_doc, wait_published

URI = "file:///tmp/apimig-lsp-pull/legacy.py"
TEXT = "import numpy as np\nx = np.in1d(a, b)\ny = np.float_(1)\n"


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):
    lsp_client.initialized = await initialize(lsp_client, "/tmp/apimig-lsp-pull", {"targets": {"numpy": "2.4"}})  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def pull(client: LanguageClient, uri: str) -> lsp.RelatedFullDocumentDiagnosticReport:
    report = await client.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
    )
    assert isinstance(report, lsp.RelatedFullDocumentDiagnosticReport), report
    return report


async def test_pull_diagnostics_match_the_pushed_ones(client: LanguageClient) -> None:
    assert client.initialized.capabilities.diagnostic_provider is not None  # type: ignore[attr-defined]
    assert client.initialized.capabilities.hover_provider  # type: ignore[attr-defined]
    open_doc(client, URI, TEXT)
    pushed = await wait_published(client, URI, 1, where=lambda p: bool(p.diagnostics))
    report = await pull(client, URI)
    assert report.items == pushed.diagnostics
    assert [(d.code, d.range.start.line) for d in report.items] == [("numpy-in1d", 1), ("numpy-float-underscore", 2)]
    change_doc(client, URI, 2, [lsp.TextDocumentContentChangePartial(
        range=lsp.Range(start=lsp.Position(2, 0), end=lsp.Position(3, 0)), text="")])
    assert [d.code for d in (await pull(client, URI)).items] == ["numpy-in1d"]  # the current text, not the last push
    assert not (await pull(client, "file:///tmp/apimig-lsp-pull/never-opened.py")).items


async def test_hover_on_a_diagnostic_explains_its_rule(client: LanguageClient) -> None:
    open_doc(client, URI, TEXT)
    await wait_published(client, URI, 1, where=lambda p: bool(p.diagnostics))

    async def hover(line: int, character: int) -> lsp.Hover | None:
        return await client.text_document_hover_async(
            lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=URI), position=lsp.Position(line, character))
        )

    unsafe = await hover(1, 8)
    assert unsafe is not None and isinstance(unsafe.contents, lsp.MarkupContent)
    assert unsafe.contents.kind == lsp.MarkupKind.Markdown
    text = unsafe.contents.value
    for part in ("**numpy-in1d** (numpy)", "`numpy.in1d` was deprecated in NumPy 2.0", "deprecated in 2.0",
                 "removed in 2.4", "Fix: unsafe", "in1d always returns a 1-d result",
                 "<https://numpy.org/devdocs/release/2.4.0-notes.html>"):
        assert part in text, (part, text)
    assert unsafe.range == lsp.Range(start=lsp.Position(1, 4), end=lsp.Position(1, 11))  # the diagnostic: np.in1d
    safe = await hover(2, 5)
    assert safe is not None and "Fix: safe" in safe.contents.value and "removed in 2.0" in safe.contents.value  # type: ignore[union-attr]
    assert await hover(0, 3) is None  # no diagnostic there
