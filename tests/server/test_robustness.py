"""Every request is answered and bad frames never leave the server deaf.

The framing test talks to the real server over a raw pipe (pytest-lsp would never write a bad
frame); the invalid-params test goes through pytest-lsp.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams
from pytest_lsp import LanguageClient

from lsp_helpers import SERVER, initialize, open_doc, wait_published

URI = "file:///tmp/apimig-lsp-robust/legacy.py"
TEXT = "import numpy as np\nx = np.float_(1)\n"


def frame(message: dict[str, object], header: str = "Content-Length") -> bytes:
    body = json.dumps(message).encode()
    return f"{header}: {len(body)}\r\n\r\n".encode() + body


def request(id_: int, method: str, params: object) -> dict[str, object]:
    return {"jsonrpc": "2.0", "id": id_, "method": method, "params": params}


def notification(method: str, params: object) -> dict[str, object]:
    return {"jsonrpc": "2.0", "method": method, "params": params}


class Pipe:
    """The real server on a raw pipe: write bytes, wait for the response to an id."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "apimig.server"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.got: dict[int, dict[str, Any]] = {}
        self._arrived = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while header := out.readline():
            if (m := re.match(rb"Content-Length: (\d+)", header)) is None:
                continue
            while out.readline().strip():
                pass
            body = json.loads(out.read(int(m.group(1))))
            if "id" in body and "method" not in body:
                with self._arrived:
                    self.got[body["id"]] = body
                    self._arrived.notify_all()

    def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def answer(self, id_: int) -> dict[str, Any]:
        with self._arrived:
            assert self._arrived.wait_for(lambda: id_ in self.got, timeout=300), self.got
            return self.got[id_]


def test_garbage_frames_leave_the_server_serving() -> None:
    pull = {"textDocument": {"uri": URI}}
    pipe = Pipe()
    pipe.send(frame(request(1, "initialize", {"processId": None, "rootUri": None, "capabilities": {},
                                              "initializationOptions": {"targets": {"numpy": "2.0"}}})))
    assert "capabilities" in pipe.answer(1)["result"]
    pipe.send(frame(notification("initialized", {})) + frame(notification("textDocument/didOpen", {"textDocument": {
        "uri": URI, "languageId": "python", "version": 1, "text": TEXT}})))
    pipe.send(b"stray fragment without a newline" + frame(request(2, "textDocument/diagnostic", pull)))
    pipe.send(frame(request(3, "textDocument/diagnostic", pull), header="content-length"))
    pipe.send(b"Content-Length: 9\r\n\r\nnot json!")
    pipe.send(frame(request(4, "textDocument/hover", {"textDocument": {"uri": URI}})))  # no position
    for id_ in (2, 3):
        assert [d["code"] for d in pipe.answer(id_)["result"]["items"]] == ["numpy-float-underscore"]
    assert pipe.answer(4)["error"]["code"] == JsonRpcInvalidParams.CODE
    pipe.send(frame(request(5, "shutdown", None)))
    assert pipe.answer(5)["result"] is None
    pipe.send(frame(notification("exit", None)))
    assert pipe.proc.wait(timeout=60) == 0


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):
    await initialize(lsp_client, "/tmp/apimig-lsp-robust", {"targets": {"numpy": "2.0"}})
    yield
    await lsp_client.shutdown_session()


async def test_invalid_params_get_an_error_and_the_server_goes_on(client: LanguageClient) -> None:
    open_doc(client, URI, TEXT)
    await wait_published(client, URI, 1, where=lambda p: bool(p.diagnostics))
    position = lsp.Position(0, 0)
    object.__setattr__(position, "line", "one")  # past lsprotocol's validators, as a buggy client would
    with pytest.raises(JsonRpcInvalidParams):
        await client.text_document_hover_async(lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=URI),
                                                               position=position))
    hover = await client.text_document_hover_async(
        lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=URI), position=lsp.Position(1, 5))
    )
    assert hover is not None and "numpy-float-underscore" in hover.contents.value  # type: ignore[union-attr]
