"""The model layer in the editor: load a local code model in the background, propose on resolve.

Why a module of its own: handlers stay thin. Loading takes seconds (torch import, weights),
so it runs in a worker thread while diagnostics keep flowing, reported to the client as LSP
work-done progress; a model that cannot load is one warning, and the server goes on with rules.
Proposals run in ``codeAction/resolve`` (a worker thread), validated by the hybrid like
``apimig fix --model``, one at a time on the layer's own worker since a model is not re-entrant.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from apimig.migrator.findings import Finding, Fix

from .worker import Worker

if TYPE_CHECKING:
    from .app import ApimigServer

log = logging.getLogger("apimig.server")


class ModelLayer:
    """Holds the loaded proposer for the current ``model`` setting."""

    def __init__(self) -> None:
        self.path: str | None = None
        self.strategy: str = "with_rules"
        self.proposer: Any = None
        self.error: str | None = None
        self.worker = Worker("model")  # loading and proposing, in order
        self._loads = 0

    def resolver(self, ls: "ApimigServer") -> Any:
        """``resolve(path, text, finding) -> Fix | None`` for the server's resolve handler; it runs
        on :attr:`worker`."""
        proposer = self.proposer

        def resolve(path: str | None, text: str, finding: Finding) -> Fix | None:
            from apimig.migrator.hybrid import Hybrid

            _, engine = ls.engine_for(path)
            hybrid = Hybrid(engine, proposer)
            route = hybrid.route(finding)
            decision = hybrid.propose_fix(finding, text, "model" if route == "rule" else route)
            if decision.fix is None:
                log.info("no validated model fix for %s: %s", finding.rule_id, decision.manual_reason)
            return decision.fix

        return resolve

    async def configure(self, ls: "ApimigServer", path: str | None, strategy: str) -> None:
        """(Re)load when the ``model`` or ``modelStrategy`` setting changed; never raises."""
        if (path or None) == self.path and strategy == self.strategy:
            return
        self.path, self.strategy, self.proposer, self.error = path or None, strategy, None, None
        ls.resolve_proposer = None
        if not path:
            return
        self._loads += 1
        token = f"apimig-model-{self._loads}"
        progress = await _begin(ls, token, path)
        try:
            from apimig.migrator.hybrid import ProposerUnavailable, load_proposer

            proposer = await self.worker.run(lambda: load_proposer(path, strategy=strategy))
        except ProposerUnavailable as exc:
            self.error = str(exc)
        except Exception as exc:  # a broken model must not take the server down
            log.exception("model load failed")
            self.error = f"{type(exc).__name__}: {exc}"
        else:
            if self.path == path:  # not replaced by a newer setting meanwhile
                self.proposer = proposer
                ls.resolve_proposer = self.resolver(ls)
        if progress:
            done = "model loaded" if self.proposer is not None else "model not loaded; using rules only"
            ls.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message=done))
        if self.error:
            ls.tell(f"apimig: model layer unavailable, using rules only: {self.error}")


async def _begin(ls: "ApimigServer", token: str, path: str) -> bool:
    window = ls.client_capabilities.window
    if not (window and window.work_done_progress):
        return False
    try:
        await ls.work_done_progress.create_async(token)
    except Exception:
        log.debug("client refused progress", exc_info=True)
        return False
    ls.work_done_progress.begin(token, lsp.WorkDoneProgressBegin(title="apimig: loading model", message=path,
                                                                 cancellable=False))
    return True
