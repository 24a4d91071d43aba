"""``apimig-lsp``: run the language server over stdio (default) or TCP on 127.0.0.1."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Sequence

LSP_EXTRA = frozenset({"pygls", "lsprotocol", "cattrs"})  # what `pip install apimig[lsp]` adds


def tune_gc() -> None:
    """Fewer, cheaper garbage collections: a publish of a few hundred diagnostics allocates tens of
    thousands of short-lived objects, and with the default thresholds the collections they trigger
    doubled the p95 latency of diagnostics (bench/lsp_latency.py). What is loaded at start-up
    (modules, rule packs) is frozen out of the collector's scans."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="apimig-lsp", description="apimig language server")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (default)")
    mode.add_argument("--tcp", type=int, metavar="PORT", help="listen on 127.0.0.1:PORT")
    parser.add_argument("--log-level", default="WARNING", help="log level for stderr (default WARNING)")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(), format="apimig-lsp %(levelname)s %(message)s")

    try:
        from .app import (
            server,  # imported after argument parsing so --help stays instant
        )
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").partition(".")[0]
        if missing not in LSP_EXTRA:
            raise
        print(f"apimig-lsp: the language server needs the 'lsp' extra ({missing} is not installed); "
              f"install it with: pip install 'apimig[lsp]'", file=sys.stderr)
        return 2

    tune_gc()

    if args.tcp is not None:
        server.start_tcp("127.0.0.1", args.tcp)
    else:
        from .stdio import serve

        serve(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
