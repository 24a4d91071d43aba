"""Serve over stdio with a reader that survives bad frames and answers every bad request.

Why not pygls' own loop: it matches ``Content-Length`` only as a whole, correctly cased header
line, so a stray fragment without a newline (glued to the next header) or a lowercase
``content-length`` makes it skip a frame and then read that frame's body as headers: the
server is deaf for good, even to ``shutdown``. And a request whose params do not fit the
method's type raises while it is decoded, before pygls knows its id, so it is never answered.
Here the header is found case-insensitively anywhere in the line, and a request that cannot be
decoded gets a JSON-RPC error response.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import threading
from typing import Any

from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest, JsonRpcParseError
from pygls.io_ import StdinAsyncReader, StdoutWriter
from pygls.lsp.server import LanguageServer

log = logging.getLogger("apimig.server")

_CONTENT_LENGTH = re.compile(rb"content-length:[ \t]*(\d+)", re.IGNORECASE)


async def read_messages(stop: threading.Event, reader: Any, server: LanguageServer) -> None:
    """Read frames until EOF or ``stop``; hand each decoded message to the server's protocol."""
    length = 0
    while not stop.is_set():
        header = await reader.readline()
        if not header:
            return
        if (found := _CONTENT_LENGTH.search(header)) is not None:
            length = int(found.group(1))
        elif header.strip() or not length:
            continue  # another header, or garbage before a frame
        else:  # the empty line that ends a frame's headers
            body = await reader.readexactly(length)
            length = 0
            if not body:
                return
            dispatch(server, body)


def dispatch(server: LanguageServer, body: bytes) -> None:
    """Decode one body and handle it; a request that cannot be decoded is answered with an error."""
    protocol = server.protocol
    try:
        data = json.loads(body)
    except ValueError:
        log.warning("dropped a frame that is not JSON: %r", body[:80])
        return
    try:
        if not isinstance(data, dict):
            raise JsonRpcInvalidRequest()
        message = protocol.structure_message(data)
    except JsonRpcException as exc:
        if isinstance(data, dict) and "id" in data and "method" in data:
            protocol._send_response(data["id"], error=exc.to_response_error())  # noqa: SLF001 (pygls' one sender)
        log.warning("bad message %s: %s", data.get("method") if isinstance(data, dict) else "?", exc)
        return
    except Exception:  # a decode failure pygls does not type
        log.exception("could not decode a message")
        if isinstance(data, dict) and "id" in data and "method" in data:
            protocol._send_response(data["id"], error=JsonRpcParseError().to_response_error())  # noqa: SLF001
        return
    try:
        protocol.handle_message(message)
    except Exception:
        log.exception("unable to handle %s", getattr(message, "method", "a message"))


def serve(server: LanguageServer) -> None:
    """Like ``LanguageServer.start_io`` with :func:`read_messages` as the loop."""
    stop = threading.Event()
    server._stop_event = stop  # noqa: SLF001 (pygls' shutdown and exit set it)
    server.protocol.set_writer(StdoutWriter(sys.stdout.buffer))
    reader = StdinAsyncReader(sys.stdin.buffer, server.thread_pool)
    try:
        asyncio.run(read_messages(stop, reader, server))
    except BrokenPipeError:
        log.error("connection to the client lost; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()
