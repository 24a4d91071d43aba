"""The server's copy of a document stays the client's, whatever the URI and the line separators.

Over stdio with the real server: percent-escaped URIs get diagnostics under the URI the client
sent, and documents holding a form feed, U+2028, a lone CR or astral characters stay in sync
through seeded random incremental edits; a lone surrogate does not shift later columns. Each publish is compared with
a fresh ``Engine.check`` of the text the client holds, as text spans (so neither side's
position code is trusted).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from apimig.migrator.api import Engine, Finding, load_config
from lsp_helpers import SERVER, _offset, change_doc, initialize, open_doc, position_at, wait_published

TARGETS = {"numpy": "2.0", "pandas": "2.0"}
ROOT = "/tmp/apimig-lsp-sync"
BODY = (
    "import numpy as np\n"
    "import pandas as pd\n"
    "def f(y):\n"
    "    return np.trapz(y) + np.float_(1)\n"
    "df = pd.DataFrame({'a': [1]})\n"
    "for k, v in df.iteritems():\n"
    "    print(k, np.in1d(v, [1]))\n"
)
PIECES = ["\x0c", "\u2028", "\r", "\n", "\r\n", "😀", "é", " np.float_(2)", "x = np.trapz(y)\n",
          "def g():\n    return np.in1d(a, b)\n", "", "#", "np."]


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):
    await initialize(lsp_client, ROOT, {"targets": TARGETS})
    yield
    await lsp_client.shutdown_session()


def snap(text: str, i: int) -> int:
    """An offset LSP can address: never between the ``\\r`` and ``\\n`` of one line end."""
    return i - 1 if 0 < i < len(text) and text[i - 1] == "\r" and text[i] == "\n" else i


def engine_offset(text: str, line: int, col: int) -> int:
    """Offset of a migrator position: lines end only at ``\\n``, columns count code points."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    return starts[line] + col


def expected(text: str, path: str) -> list[tuple[str, int, int]]:
    findings: list[Finding] = Engine(load_config(Path(path), targets=TARGETS)).check(text, path)
    return sorted((f.rule_id, engine_offset(text, f.start.line, f.start.col), engine_offset(text, f.end.line, f.end.col))
                  for f in findings)


def published(text: str, params: lsp.PublishDiagnosticsParams) -> list[tuple[str, int, int]]:
    return sorted((str(d.code), _offset(text, d.range.start), _offset(text, d.range.end)) for d in params.diagnostics)


@pytest.mark.parametrize(
    "uri",
    [
        "file:///tmp/apimig-lsp-sync/with%20space/legacy.py",
        "file:///tmp/apimig-lsp-sync/n%C3%A4%C3%AFve/legacy.py",
        "file:///c%3A/Users/dev/legacy.py",
    ],
    ids=["space", "non-ascii", "windows-drive"],
)
async def test_percent_escaped_uri_gets_diagnostics(client: LanguageClient, uri: str) -> None:
    open_doc(client, uri, BODY)
    params = await wait_published(client, uri, 1, where=lambda p: bool(p.diagnostics))
    assert params.uri == uri  # under the client's own spelling
    assert sorted(str(d.code) for d in params.diagnostics) == [
        "numpy-float-underscore", "numpy-in1d", "numpy-trapz", "pandas-dataframe-iteritems"]
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text="import numpy as np\nnp.float_(1)\n")],
        )
    )
    after = await wait_published(client, uri, 2)
    assert [d.code for d in after.diagnostics] == ["numpy-float-underscore"]


@pytest.mark.parametrize("separator", ["\x0c", "\u2028", "\r", "😀"], ids=["ff", "u2028", "lone-cr", "astral"])
async def test_documents_with_odd_separators_stay_in_sync(client: LanguageClient, separator: str) -> None:
    rng = random.Random(f"sync-{ord(separator)}")
    uri = f"file://{ROOT}/sync_{ord(separator)}.py"
    path = f"{ROOT}/sync_{ord(separator)}.py"
    text = f"# head{separator}x\n{separator}" + BODY.replace("    return", f"    {separator}return" if separator != "\r" else "    return")
    open_doc(client, uri, text)
    params = await wait_published(client, uri, 1)
    assert published(text, params) == expected(text, path)
    version = 1
    for _ in range(25):
        for _ in range(rng.randint(1, 3)):  # a burst of edits, checked at its last version
            a = snap(text, rng.randint(0, len(text)))
            b = snap(text, min(len(text), a + rng.choice([0, 0, 1, 2, 5])))
            piece = rng.choice(PIECES + [separator] * 3)
            rng_ = lsp.Range(start=position_at(text, a), end=position_at(text, b))
            version += 1
            change_doc(client, uri, version, [lsp.TextDocumentContentChangePartial(range=rng_, text=piece)])
            text = text[:a] + piece + text[b:]
        params = await wait_published(client, uri, version)
        assert published(text, params) == expected(text, path), (version, text)


async def test_lone_surrogate_does_not_shift_later_columns(client: LanguageClient) -> None:
    uri = f"file://{ROOT}/surrogate.py"
    text = 'import numpy as np\ns = "\ud800😀"; x = np.float_(1)\n'
    open_doc(client, uri, text)
    params = await wait_published(client, uri, 1)
    assert published(text, params) == expected(text, f"{ROOT}/surrogate.py") != []
    (diag,) = params.diagnostics
    assert diag.range.start == lsp.Position(line=1, character=text.split("\n")[1].index("np.float_") + 1)  # 😀: 2 units
    change_doc(client, uri, 2, [lsp.TextDocumentContentChangePartial(
        range=lsp.Range(start=lsp.Position(1, 0), end=lsp.Position(1, 0)), text="\ud800")])
    text = text.replace("s =", "\ud800s =")
    params = await wait_published(client, uri, 2)
    assert published(text, params) == expected(text, f"{ROOT}/surrogate.py") != []
