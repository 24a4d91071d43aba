"""Long sessions: per-document state is dropped on close, and incremental checks equal full ones.

In process, on the server class itself (its state is not visible over the wire): the seeded fuzz
drives ``ApimigServer.check`` (the incremental checker the server keeps per open document)
through a few hundred random edits and compares every result with a fresh ``Engine.check``.
"""

from __future__ import annotations

import ast

import random
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from apimig.migrator.api import Engine, load_config
from apimig.server.app import ApimigServer
from apimig.server.documents import LspWorkspace, doc_key
from apimig.server.settings import parse_settings

TARGETS = {"numpy": "2.4", "pandas": "2.0"}
ROOT = Path("/tmp/apimig-lsp-session")
START = (
    "import numpy as np\n"
    "import pandas as pd\n"
    "def f(y):\n"
    "    return np.trapz(y) + np.float_(1)\n"
    "class C:\n"
    "    def m(self, v):\n"
    "        return np.in1d(v, [1])\n"
    "df = pd.DataFrame({'a': [1]})\n"
    "def g(d):\n"
    "    for k, v in d.iteritems():\n"
    "        print(k, np.row_stack(v))\n"
)
LINES = ["import numpy as np\n", "from numpy import trapz\n", "np = None\n", "def h():\n    return np.float_(2)\n",
         "    x = np.in1d(a, b)\n", "\x0c\n", "global np\n", "def broken(:\n", "\n", "# np.trapz(y)\n",
         "class D(np.float_):\n    pass\n", "y = trapz([1])\n", "\u2028\n"]
CHARS = ["np.", "(", ")", ":", " ", "x", "\n", "#", "_"]


def server() -> ApimigServer:
    ls = ApimigServer()
    ls.protocol._workspace = LspWorkspace(ROOT.as_uri())  # what initialize does, without a client
    ls.settings = parse_settings({"targets": TARGETS})
    return ls


def open_(ls: ApimigServer, uri: str, text: str) -> None:
    ls.workspace.put_text_document(lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))


def drain(ls: ApimigServer) -> None:
    ls.worker.submit(lambda: None).result()


def test_closed_documents_leave_nothing_behind() -> None:
    ls = server()
    for i in range(40):
        uri = (ROOT / f"doc {i}.py").as_uri()
        open_(ls, uri, START)
        assert ls.worker.submit(ls.check, str(ROOT / f"doc {i}.py"), START, doc_key(uri)).result()
        ls.publish(uri, 1, START, [])
    assert len(ls._incremental) == 40 and len(ls.results) == 40
    for i in range(40):
        uri = (ROOT / f"doc {i}.py").as_uri()
        ls.workspace.remove_text_document(uri)
        ls.forget(uri)
    drain(ls)
    assert ls._incremental == {} and ls.results == {} and ls._pending == {}
    # a check that finishes after the close keeps no checker either
    assert ls.worker.submit(ls.check, str(ROOT / "doc 0.py"), START, doc_key((ROOT / "doc 0.py").as_uri())).result()
    assert ls._incremental == {}


def test_messages_shown_once_are_remembered_within_bounds() -> None:
    ls = server()
    for i in range(500):
        ls.tell(f"apimig setting ignored: problem {i}")
    assert len(ls._told) <= 64
    assert "apimig setting ignored: problem 499" in ls._told


@pytest.mark.xfail(strict=True, reason="known: after a broken and retyped import block the incremental "
                   "result can differ from a full check (the same case as tests/migrator/test_incremental.py "
                   "seed 12); open in issue 16")
def test_incremental_checks_equal_full_checks_through_random_edits() -> None:
    rng = random.Random(20261202)
    ls = server()
    path = str(ROOT / "fuzz.py")
    uri = (ROOT / "fuzz.py").as_uri()
    text = START
    open_(ls, uri, text)
    full = Engine(load_config(Path(path), targets=TARGETS))
    reused = with_findings = 0
    good = text
    for step in range(300):
        if not _parses(text) and rng.random() < 0.8:
            # like a person typing, a broken buffer is usually repaired soon (undo to the last text
            # that parsed): the incremental checker reuses nothing while the buffer does not parse
            text = good
        lines = text.split("\n")
        at = rng.randrange(len(lines) + 1)
        kind = rng.random()
        if kind < 0.35:  # insert a line
            lines.insert(at, rng.choice(LINES).rstrip("\n"))
        elif kind < 0.55 and len(lines) > 3:  # delete a line
            del lines[min(at, len(lines) - 1)]
        else:  # type or delete a character
            i = min(at, len(lines) - 1)
            col = rng.randint(0, len(lines[i]))
            if rng.random() < 0.7:
                lines[i] = lines[i][:col] + rng.choice(CHARS) + lines[i][col:]
            else:
                lines[i] = lines[i][:col] + lines[i][col + 1:]
        text = "\n".join(lines)
        if _parses(text):
            good = text
        got = ls.worker.submit(ls.check, path, text, doc_key(uri)).result()
        reused += ls._incremental[doc_key(uri)].reused
        assert got == full.check(text, path), (step, text)
        with_findings += bool(got)
    assert reused > 0 and with_findings > 100  # the incremental path was taken, on texts with findings


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True
