"""End to end over stdio: the real apimig-lsp process, the real engine, pytest-lsp as the client."""

from __future__ import annotations

from pathlib import Path

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp_helpers import SERVER, apply_edits, change_doc, edits_of, open_doc, wait_published

URI = "file:///tmp/apimig-lsp-test/legacy.py"
LEGACY = (
    "import numpy as np\n"
    "import pandas as pd\n"
    's = "héllo😀"; x = np.float_(1)\n'
    "df = pd.DataFrame({'a': [1]})\n"
    "for k, v in df.iteritems():\n"
    "    print(k, v)\n"
)
INIT_OPTIONS = {"targets": {"numpy": "2.0", "pandas": "2.0"}}


async def start(client: LanguageClient, options: object = INIT_OPTIONS, root: str = "/tmp/apimig-lsp-test") -> None:
    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
            root_uri=Path(root).as_uri(),
            initialization_options=options,
        )
    )


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


def by_code(params: lsp.PublishDiagnosticsParams, code: str) -> lsp.Diagnostic:
    found = [d for d in params.diagnostics if d.code == code]
    assert len(found) == 1, params.diagnostics
    return found[0]


async def code_actions(
    client: LanguageClient, uri: str, diags: list[lsp.Diagnostic], only: list[str] | None = None
) -> list[lsp.CodeAction]:
    rng = diags[0].range if diags else lsp.Range(start=lsp.Position(0, 0), end=lsp.Position(0, 0))
    result = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=rng,
            context=lsp.CodeActionContext(diagnostics=diags, only=only),
        )
    )
    return [a for a in result or [] if isinstance(a, lsp.CodeAction)]


async def test_diagnostics_ranges_in_utf16_after_non_ascii(client: LanguageClient) -> None:
    await start(client)
    open_doc(client, URI, LEGACY)
    params = await wait_published(client, URI, 1)
    assert [d.code for d in params.diagnostics] == ["numpy-float-underscore", "pandas-dataframe-iteritems"]
    diag = by_code(params, "numpy-float-underscore")
    # `s = "héllo😀"; x = ` is 18 code points but 19 UTF-16 units (the emoji is a surrogate pair).
    assert diag.range == lsp.Range(start=lsp.Position(2, 19), end=lsp.Position(2, 28))
    assert diag.source == "apimig"
    assert list(diag.tags or []) == [lsp.DiagnosticTag.Deprecated]
    assert diag.code_description is not None and diag.code_description.href.endswith("/docs/rules/numpy/numpy-float-underscore.md")
    assert diag.severity == lsp.DiagnosticSeverity.Warning  # [tool.apimig] default for "removed"
    assert by_code(params, "pandas-dataframe-iteritems").range == lsp.Range(
        start=lsp.Position(4, 12), end=lsp.Position(4, 24)
    )


async def test_quick_fix_and_ignore_on_line(client: LanguageClient) -> None:
    await start(client)
    open_doc(client, URI, LEGACY)
    diag = by_code(await wait_published(client, URI, 1), "numpy-float-underscore")
    actions = await code_actions(client, URI, [diag])
    fix = next(a for a in actions if a.is_preferred)
    assert fix.kind == lsp.CodeActionKind.QuickFix
    assert fix.title == "Replace with `np.float64`"
    assert list(fix.diagnostics or []) == [diag]
    assert apply_edits(LEGACY, edits_of(fix, URI)) == LEGACY.replace("np.float_(1)", "np.float64(1)")

    ignore = next(a for a in actions if a.title == "Ignore numpy-float-underscore on this line")
    ignored = apply_edits(LEGACY, edits_of(ignore, URI))
    assert ignored.splitlines()[2] == 's = "héllo😀"; x = np.float_(1)  # apimig: ignore[numpy-float-underscore]'
    # The engine honours the comment: after the edit the rule no longer fires on that line.
    change_doc(client, URI, 2, [lsp.TextDocumentContentChangeWholeDocument(text=ignored)])
    params = await wait_published(client, URI, 2)
    assert [d.code for d in params.diagnostics] == ["pandas-dataframe-iteritems"]


async def test_fix_all_applies_safe_fixes(client: LanguageClient) -> None:
    await start(client)
    text = LEGACY + "acc = df.append(df)\n"  # unsafe fix: not applied by fix-all
    open_doc(client, URI, text)
    params = await wait_published(client, URI, 1)
    assert "pandas-dataframe-append" in [d.code for d in params.diagnostics]
    actions = await code_actions(client, URI, [], only=["source.fixAll"])
    assert [a.kind for a in actions] == ["source.fixAll.apimig"]
    fixed = apply_edits(text, edits_of(actions[0], URI))
    assert fixed == (
        "import numpy as np\n"
        "import pandas as pd\n"
        's = "héllo😀"; x = np.float64(1)\n'
        "df = pd.DataFrame({'a': [1]})\n"
        "for k, v in df.items():\n"
        "    print(k, v)\n"
        "acc = df.append(df)\n"
    )
    append = by_code(params, "pandas-dataframe-append")
    unsafe = [a for a in await code_actions(client, URI, [append]) if a.title.startswith("Replace")]
    assert len(unsafe) == 1 and not unsafe[0].is_preferred and "unsafe" in unsafe[0].title


async def test_lightbulb_fix_all_is_resolved_in_a_worker(client: LanguageClient) -> None:
    await start(client)
    open_doc(client, URI, LEGACY)
    diag = by_code(await wait_published(client, URI, 1), "numpy-float-underscore")
    actions = await code_actions(client, URI, [diag])  # no `only`: quick fixes plus a lazy fix-all
    lazy = next(a for a in actions if a.kind == "source.fixAll.apimig")
    assert lazy.edit is None
    resolved = await client.code_action_resolve_async(lazy)
    assert "np.float64(1)" in apply_edits(LEGACY, edits_of(resolved, URI))
    # Without a model proposer an action without a resolve target comes back unchanged.
    ignore = next(a for a in actions if a.title.startswith("Ignore"))
    assert await client.code_action_resolve_async(ignore) == ignore


async def test_half_typed_buffer_keeps_diagnostics(client: LanguageClient) -> None:
    await start(client)
    open_doc(client, URI, LEGACY)
    await wait_published(client, URI, 1)
    broken = LEGACY + "y = np.float_(\nz = df.\ndef f(:\n"
    change_doc(client, URI, 2, [lsp.TextDocumentContentChangeWholeDocument(text=broken)])
    params = await wait_published(client, URI, 2)
    codes = [d.code for d in params.diagnostics]
    assert codes.count("numpy-float-underscore") >= 1 and "pandas-dataframe-iteritems" in codes
    assert by_code(params, "pandas-dataframe-iteritems").range.start == lsp.Position(4, 12)
    # The server is alive and still answers on the broken text.
    assert await code_actions(client, URI, [by_code(params, "pandas-dataframe-iteritems")])


async def test_incremental_edits_publish_in_order_for_their_own_version(client: LanguageClient) -> None:
    await start(client)
    other = "file:///tmp/apimig-lsp-test/other.py"
    open_doc(client, URI, LEGACY)
    open_doc(client, other, "import numpy as np\nnp.float_(2)\n")
    await wait_published(client, URI, 1)
    await wait_published(client, other, 1)
    client.published.clear()  # type: ignore[attr-defined]
    text = LEGACY
    for version in range(2, 7):  # type "\n" at the top five times, faster than the debounce
        change_doc(
            client, URI, version,
            [lsp.TextDocumentContentChangePartial(range=lsp.Range(start=lsp.Position(0, 0), end=lsp.Position(0, 0)), text="\n")],
        )
        text = "\n" + text
    params = await wait_published(client, URI, 6)
    assert by_code(params, "numpy-float-underscore").range.start == lsp.Position(7, 19)
    # A barrier, not a pause: the server checks on one FIFO worker, so once a document opened now is
    # published, every check queued before it (a stray republish of `other` included) has published too.
    barrier = "file:///tmp/apimig-lsp-test/barrier.py"
    open_doc(client, barrier, "import numpy as np\nnp.float_(3)\n")
    await wait_published(client, barrier, 1)
    published = [p for p in client.published if p.uri != barrier]  # type: ignore[attr-defined]
    assert {p.uri for p in published} == {URI}  # the untouched document is not republished
    mine = [p for p in published if p.uri == URI]
    # an edit is checked at once unless a check is under way (then edits coalesce): publishes
    # come in version order, end with the latest, and each matches the text of its own version
    assert [p.version for p in mine] == sorted({p.version for p in mine}) and mine[-1].version == 6
    for p in mine:
        assert by_code(p, "numpy-float-underscore").range.start == lsp.Position(1 + p.version, 19), p.version


async def test_configuration_changes_which_rules_fire(client: LanguageClient) -> None:
    await start(client, {"apimig": {**INIT_OPTIONS, "severity": {"removed": "error"}}})
    open_doc(client, URI, LEGACY)
    params = await wait_published(client, URI, 1)
    assert by_code(params, "numpy-float-underscore").severity == lsp.DiagnosticSeverity.Error
    client.published.clear()  # type: ignore[attr-defined]
    client.set_configuration({"ignore": ["numpy"]}, section="apimig")
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    params = await wait_published(client, URI, 1)
    assert [d.code for d in params.diagnostics] == ["pandas-dataframe-iteritems"]
    client.published.clear()  # type: ignore[attr-defined]
    client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(settings={"apimig": {"select": ["numpy"], "targets": {"numpy": "2.0"}}})
    )
    params = await wait_published(client, URI, 1)
    assert [d.code for d in params.diagnostics] == ["numpy-float-underscore"]


async def test_old_target_version_silences_removed_rule(client: LanguageClient) -> None:
    await start(client, {"targets": {"numpy": "1.20", "pandas": "2.0"}})
    open_doc(client, URI, LEGACY)
    params = await wait_published(client, URI, 1)
    assert [d.code for d in params.diagnostics] == ["pandas-dataframe-iteritems"]


async def test_pyproject_tool_apimig_applies(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.apimig]\nignore = ["pandas-dataframe-iteritems"]\nseverity = {removed = "hint"}\n'
    )
    (tmp_path / "pkg").mkdir()
    uri = (tmp_path / "pkg" / "mod.py").as_uri()
    await start(client, INIT_OPTIONS, root=str(tmp_path))
    open_doc(client, uri, LEGACY)
    params = await wait_published(client, uri, 1)
    assert [d.code for d in params.diagnostics] == ["numpy-float-underscore"]
    assert params.diagnostics[0].severity == lsp.DiagnosticSeverity.Hint


def test_server_path_never_imports_torch(tmp_path: Path) -> None:
    """The server (rules only, no model setting) runs without the ml extra: torch is never imported."""
    import subprocess
    import sys

    code = (
        "import sys; from apimig.server.app import server; "
        f"found = server.check({str(tmp_path / 'x.py')!r}, 'import numpy as np\\nx = np.float_(1)\\n'); "
        "assert found and found[0].rule_id.startswith('numpy'), found; "
        "bad = [m for m in ('torch', 'transformers', 'peft', 'apimig.models') if m in sys.modules]; "
        "assert not bad, bad"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
