"""The language server's model tier over stdio: load with progress, resolve a validated model fix.

The real ``apimig-lsp`` process loads the organism named by the ``model`` setting (reported as
LSP work-done progress), offers "Ask the code model" on findings that no rule can fix, and
computes the fix in ``codeAction/resolve``. Findings come from a workspace rule pack whose
rules know the deprecation but no fix, so only the model can propose one.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from lsp_helpers import apply_edits, edits_of, open_doc, recording_client, wait_published  # noqa: E402

from .test_hybrid_organism import LEGACY, MANUAL_RULES  # noqa: E402

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "apimig.server"],
                            client_factory=lambda: recording_client())


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def wait_model_loaded(client: LanguageClient, timeout: float = 600.0) -> list[object]:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        for reports in client.progress_reports.values():
            if reports and isinstance(reports[-1], lsp.WorkDoneProgressEnd):
                return reports
        await asyncio.sleep(0.05)
    raise AssertionError(f"no end of model loading progress: {client.progress_reports}")


@pytest.mark.xfail(strict=False, reason="the fixed-step 400-step organism (issue 15 §2) writes wrong fixes for these findings (np.cumproduct(value) for np.product(values)); the whitelist rightly rejects them. Earlier passes came from organisms cut short by the wall-clock cap. Needs an organism recipe that copies arguments.")
@pytest.mark.asyncio
async def test_resolve_returns_a_validated_model_fix(client: LanguageClient, organism_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.apimig]\nbuiltin-rules = false\nrules = [{str(MANUAL_RULES)!r}]\n", encoding="utf-8")
    uri = (tmp_path / "legacy.py").as_uri()
    await client.initialize_session(lsp.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"), root_uri=tmp_path.as_uri(),
        initialization_options={"targets": {"numpy": "2.0"}, "model": str(organism_dir),
                                "modelStrategy": "with_context"}))
    reports = await wait_model_loaded(client)
    assert isinstance(reports[0], lsp.WorkDoneProgressBegin) and "loading model" in reports[0].title
    assert reports[-1].message == "model loaded"
    open_doc(client, uri, LEGACY)
    published = await wait_published(client, uri, 1, where=lambda p: len(p.diagnostics) == 6)
    fixed: list[tuple[str, str]] = []
    for diag in published.diagnostics:
        actions = await client.text_document_code_action_async(lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), range=diag.range,
            context=lsp.CodeActionContext(diagnostics=[diag])))
        asks = [a for a in actions or [] if isinstance(a, lsp.CodeAction) and a.title.startswith("Ask the code model")]
        assert len(asks) == 1 and asks[0].edit is None  # computed only when chosen
        resolved = await client.code_action_resolve_async(asks[0])
        if resolved.edit is not None:
            assert "(model, confidence" in resolved.title and "validated" in resolved.title
            assert resolved.data["origin"] == "model" and 0 < resolved.data["confidence"] <= 1
            fixed.append((str(diag.code), apply_edits(LEGACY, edits_of(resolved, uri))))
        else:
            assert resolved.title.startswith("No validated model fix")
    assert fixed, "the organism should fix at least one of the six findings"
    for code, text in fixed:
        old_line = next(l for l in LEGACY.splitlines() if code.split("numpy-")[1].replace("-", "_") in l)
        assert old_line not in text and len(text.splitlines()) == len(LEGACY.splitlines())


@pytest.mark.asyncio
async def test_missing_model_is_one_warning_and_rules_go_on(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "legacy.py").as_uri()
    await client.initialize_session(lsp.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"), root_uri=tmp_path.as_uri(),
        initialization_options={"targets": {"numpy": "2.0"}, "model": str(tmp_path / "no-model")}))
    await wait_model_loaded(client)
    open_doc(client, uri, "import numpy as np\nx = np.float_(1)\n")
    published = await wait_published(client, uri, 1, where=lambda p: bool(p.diagnostics))
    assert [d.code for d in published.diagnostics] == ["numpy-float-underscore"]
    warnings = [m.message for m in client.messages if "model layer unavailable" in m.message]
    assert len(warnings) == 1 and "using rules only" in warnings[0]
