"""Open documents as the client sees them: one URI key, and LSP's line rule for edits.

Why a module of its own: pygls splits lines with ``str.splitlines``, which also breaks at a form
feed, U+2028 and friends, so an incremental edit after one of them lands on the wrong line and
the server's copy drifts from the client's. LSP ends lines only at ``\\n``, ``\\r\\n`` and ``\\r``.
URIs are looked up by one key everywhere (:func:`doc_key`), while the client's own spelling is
kept on the document for everything sent back, so ``file:///c%3A/x.py`` and
``file:///c:/x.py`` are the same document and diagnostics come back under the URI the client
opened.
"""

from __future__ import annotations

from typing import Any, Sequence
from urllib.parse import unquote

from pygls.workspace import TextDocument, Workspace

from .convert import split_lines_keepends


def doc_key(uri: str) -> str:
    """The one key of a document URI (percent-escapes decoded, as pygls stores documents)."""
    return unquote(uri)


class LspTextDocument(TextDocument):
    """A pygls document whose lines follow LSP's rule, so edits and positions stay in sync."""

    @property
    def lines(self) -> Sequence[str]:
        return tuple(split_lines_keepends(self.source))


class LspWorkspace(Workspace):
    """pygls' workspace creating :class:`LspTextDocument`; documents are found by :func:`doc_key`."""

    @classmethod
    def like(cls, other: Workspace, sync_kind: Any) -> "LspWorkspace":
        """A fresh workspace with the roots, folders and encoding pygls negotiated."""
        return cls(other.root_uri, sync_kind, list(other.folders.values()), other.position_encoding)

    def _create_text_document(
        self, doc_uri: str, source: str | None = None, version: int | None = None, language_id: str | None = None
    ) -> TextDocument:
        return LspTextDocument(
            doc_uri, source=source, version=version, language_id=language_id,
            sync_kind=self._sync_kind, position_codec=self.position_codec,
        )
