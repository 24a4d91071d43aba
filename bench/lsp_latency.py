"""Latency of apimig-lsp (and `ruff server` when installed) under a scripted LSP client.

Opens a generated 3,000-line and 10,000-line file of realistic numpy/pandas code, makes 100
incremental edits and prints p50/p95 of didChange -> publishDiagnostics, then of code-action
requests. With --streams it replays the edit streams of issue 16 instead (a comment line typed
inside bodies, a statement typed key by key, an import typed key by key at the top and between
definitions, breaking and repairing the parse, pasting 200 lines and undoing, fix-all) on files
with imports at the top or repeated through the file, with dense or sparse findings, and prints
p50/p95/max wall time and the server process's CPU time per edit.
Usage: python bench/lsp_latency.py [--edits 100] [--sizes 3000 10000] [--streams] [--servers apimig ruff]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

BLOCK = '''
def load_{i}(path, cols=None):
    """Read table {i} and normalise it."""
    df = pd.read_csv(path, usecols=cols)
    for name, col in df.iteritems():
        if col.dtype == np.float_:
            df[name] = col.astype(np.float64)
    values = np.asarray(df.values, dtype=float)
    total = float(np.sum(values)) if values.size else 0.0
    label = "série-{i} ✓"
    result = {{"total": total, "label": label, "n": len(df)}}
    return result


class Model{i}:
    """A small model with a few numpy operations."""

    def __init__(self, size: int = {i}) -> None:
        self.size = size
        self.weights = np.zeros((size, 3), dtype=np.float64)
        self.history: list[float] = []

    def step(self, x):
        y = np.dot(self.weights.T, x)
        self.history.append(float(y.mean()))
        return np.clip(y, 0, 1)

    def reset(self) -> None:
        self.weights[:] = 0
        self.history.clear()

    def summary(self) -> dict:
        if not self.history:
            return {{"mean": 0.0, "n": 0}}
        return {{"mean": sum(self.history) / len(self.history), "n": len(self.history)}}

'''
HEADER = "import numpy as np\nimport pandas as pd\n\n"


def make_source(lines: int) -> str:
    parts, i = [HEADER], 0
    while sum(p.count("\n") for p in parts) < lines:
        parts.append(BLOCK.format(i=i))
        i += 1
    return "".join(parts)


SPARSE_BLOCK = BLOCK.replace("df.iteritems()", "df.items()").replace("np.float_", "np.float64")


def make_variant(lines: int, repeated_imports: bool, dense: bool) -> str:
    """Imports at the top only, or also before every block; findings in every block or one in ten."""
    parts, i, count = [HEADER], 0, HEADER.count("\n")
    while count < lines:
        block = (BLOCK if dense or i % 10 == 0 else SPARSE_BLOCK).format(i=i)
        if repeated_imports:
            block = "\nimport numpy as np\nfrom numpy import float_\n" + block
        parts.append(block)
        count += block.count("\n")
        i += 1
    return "".join(parts)


Change = tuple[int, int, int, int, str]  # start line, start col, end line, end col, new text


def _typed(line: int, col: int, word: str) -> list[Change]:
    return [(line, col + k, line, col + k, ch) for k, ch in enumerate(word)]


def _body_lines(lines: list[str], count: int) -> list[int]:
    """``count`` lines spread through the file that sit inside a function body (4+ spaces)."""
    picks = [i for i in range(len(lines)) if lines[i].startswith("        ") and lines[i].strip()]
    return [picks[(k * len(picks)) // count] for k in range(count)] if picks else []


def streams(text: str) -> dict[str, list[Change]]:
    """The edit streams of issue 16, as LSP range changes applied one after the other."""
    lines = text.split("\n")
    out: dict[str, list[Change]] = {}
    comment: list[Change] = []
    for n, at in enumerate(_body_lines(lines, 3)):
        comment += [(at + n, 0, at + n, 0, "\n")] + _typed(at + n, 0, "        # checked by hand")
    out["comment"] = comment
    statement: list[Change] = []
    for n, at in enumerate(_body_lines(lines, 3)):
        statement += [(at + n, 0, at + n, 0, "\n")] + _typed(at + n, 0, "        z = np.float_(x) + 1")
    out["statement"] = statement
    middle = next(i for i in range(len(lines) // 2, len(lines)) if lines[i].startswith("def "))
    out["import"] = ([(2, 0, 2, 0, "\n")] + _typed(2, 0, "from numpy import product")
                     + [(middle + 1, 0, middle + 1, 0, "\n")] + _typed(middle + 1, 0, "import numpy.random as npr"))
    brk: list[Change] = []
    for at in _body_lines(lines, 5):
        end = len(lines[at])
        brk += [(at, end, at, end, " ("), (at, end, at, end + 2, "")]
    out["break/repair"] = brk
    chunk = "\n".join(lines[10:210]) + "\n"
    paste: list[Change] = []
    for _ in range(3):
        paste += [(middle, 0, middle, 0, chunk), (middle, 0, middle + 200, 0, "")]
    out["paste/undo"] = paste
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


class Bench:
    def __init__(self, name: str, cmd: list[str], init: Any) -> None:
        self.name, self.cmd, self.init = name, cmd, init
        self.client = LanguageClient("apimig-bench", "0")
        # We never read the server's capabilities; keep them raw (lsprotocol rejects some of ruff's).
        self.client.protocol._converter.register_structure_hook(lsp.InitializeResult, lambda d, _t: d)
        self.events: dict[str, asyncio.Event] = {}
        self.latest: dict[str, lsp.PublishDiagnosticsParams] = {}

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _published(params: lsp.PublishDiagnosticsParams) -> None:
            self.latest[params.uri] = params
            if (ev := self.events.get(params.uri)) is not None:
                ev.set()

        @self.client.feature(lsp.WORKSPACE_CONFIGURATION)
        def _config(params: lsp.ConfigurationParams) -> list[Any]:
            return [None for _ in params.items]

        @self.client.feature(lsp.WINDOW_LOG_MESSAGE)
        def _log(params: Any) -> None:
            pass

        @self.client.feature(lsp.WINDOW_SHOW_MESSAGE)
        def _show(params: Any) -> None:
            pass

    async def start(self, root: Path) -> None:
        await self.client.start_io(*self.cmd)
        await self.client.initialize_async(
            lsp.InitializeParams(
                capabilities=lsp.ClientCapabilities(
                    general=lsp.GeneralClientCapabilities(position_encodings=[lsp.PositionEncodingKind.Utf16]),
                    text_document=lsp.TextDocumentClientCapabilities(
                        publish_diagnostics=lsp.PublishDiagnosticsClientCapabilities(version_support=True),
                        code_action=lsp.CodeActionClientCapabilities(
                            code_action_literal_support=lsp.ClientCodeActionLiteralOptions(
                                code_action_kind=lsp.ClientCodeActionKindOptions(value_set=["quickfix", "source"])
                            )
                        ),
                    ),
                ),
                root_uri=root.as_uri(),
                initialization_options=self.init,
            )
        )
        self.client.initialized(lsp.InitializedParams())

    async def wait(self, uri: str, version: int, send: Any) -> float:
        ev = self.events[uri] = asyncio.Event()
        t0 = time.perf_counter()
        send()
        while True:
            await asyncio.wait_for(ev.wait(), 30)
            ev.clear()
            got = self.latest[uri]
            if got.version in (None, version):
                return time.perf_counter() - t0

    async def run_file(self, path: Path, edits: int) -> dict[str, float]:
        uri, text = path.as_uri(), path.read_text()
        doc = lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        first = await self.wait(uri, 1, lambda: self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(doc)))
        change_lat: list[float] = []
        lines = text.splitlines()
        n_lines = len(lines)
        for k in range(edits):
            version = k + 2
            line = 3 + (k * 41) % (n_lines - 3)
            # a statement typed at the indentation of the code around it, as a user would, so the
            # buffer stays valid Python (a statement at column 0 inside a body would not be)
            around = next((l for l in reversed(lines[:line + 1]) if l.strip()), "")
            indent = around[: len(around) - len(around.lstrip())]
            lines.insert(line, f"{indent}z{k} = {k}")
            change = lsp.TextDocumentContentChangePartial(
                range=lsp.Range(start=lsp.Position(line, 0), end=lsp.Position(line, 0)), text=f"{indent}z{k} = {k}\n"
            )
            params = lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]
            )
            change_lat.append(await self.wait(uri, version, lambda: self.client.text_document_did_change(params)))
        diags = list(self.latest[uri].diagnostics)
        action_lat: list[float] = []
        for k in range(edits):
            if not diags:
                break
            d = diags[(k * 7) % len(diags)]
            t0 = time.perf_counter()
            await self.client.text_document_code_action_async(
                lsp.CodeActionParams(
                    text_document=lsp.TextDocumentIdentifier(uri=uri),
                    range=d.range,
                    context=lsp.CodeActionContext(diagnostics=[d]),
                )
            )
            action_lat.append(time.perf_counter() - t0)
        self.client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri=uri)))
        return {
            "open_ms": first * 1000,
            "diagnostics": len(diags),
            "change_p50": pct(change_lat, 0.5), "change_p95": pct(change_lat, 0.95),
            "action_p50": pct(action_lat, 0.5) if action_lat else float("nan"),
            "action_p95": pct(action_lat, 0.95) if action_lat else float("nan"),
        }

    def _cpu(self) -> float:
        """CPU seconds of the server process so far (user + system)."""
        import psutil

        server = getattr(self.client, "_server", None)
        if server is None:
            return float("nan")
        t = psutil.Process(server.pid).cpu_times()
        return t.user + t.system

    async def run_stream(self, path: Path, text: str, changes: list[Change]) -> dict[str, float]:
        uri = path.as_uri()
        doc = lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        await self.wait(uri, 1, lambda: self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(doc)))
        walls: list[float] = []
        cpus: list[float] = []
        for k, (l0, c0, l1, c1, new) in enumerate(changes):
            version = k + 2
            params = lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(start=lsp.Position(l0, c0), end=lsp.Position(l1, c1)), text=new)])
            cpu = self._cpu()
            walls.append(await self.wait(uri, version, lambda: self.client.text_document_did_change(params)))
            cpus.append(self._cpu() - cpu)
        self.client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri=uri)))
        return _summary(walls, cpus)

    async def fix_all(self, path: Path, text: str) -> dict[str, float]:
        """source.fixAll on the opened file (resolved when the server defers the edit), three times."""
        uri = path.as_uri()
        doc = lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        await self.wait(uri, 1, lambda: self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(doc)))
        walls: list[float] = []
        cpus: list[float] = []
        whole = lsp.Range(start=lsp.Position(0, 0), end=lsp.Position(text.count("\n") + 1, 0))
        for _ in range(3):
            cpu, t0 = self._cpu(), time.perf_counter()
            actions = await self.client.text_document_code_action_async(lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri), range=whole,
                context=lsp.CodeActionContext(diagnostics=[], only=[lsp.CodeActionKind.SourceFixAll])))
            for action in actions or []:
                if isinstance(action, lsp.CodeAction) and action.edit is None and action.data is not None:
                    await self.client.code_action_resolve_async(action)
            walls.append(time.perf_counter() - t0)
            cpus.append(self._cpu() - cpu)
        self.client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri=uri)))
        return _summary(walls, cpus)

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), 10)
            self.client.exit(None)
        finally:
            await self.client.stop()


def _summary(walls: list[float], cpus: list[float]) -> dict[str, float]:
    return {"n": len(walls), "wall_p50": pct(walls, 0.5), "wall_p95": pct(walls, 0.95), "wall_max": max(walls) * 1000,
            "cpu_p50": pct(cpus, 0.5), "cpu_p95": pct(cpus, 0.95), "cpu_max": max(cpus) * 1000}


async def streams_async(args: argparse.Namespace, servers: list[tuple[str, list[str], Any]]) -> int:
    print(f"{'server':7} {'lines':>6} {'imports':8} {'findings':8} {'stream':13} {'edits':>5} "
          f"{'wall p50':>8} {'p95':>7} {'max':>7} {'cpu p50':>8} {'p95':>7} {'max':>7}  (ms)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, cmd, init in servers:
            bench = Bench(name, cmd, init)
            await bench.start(root)
            try:
                for size in args.sizes:
                    for repeated in (False, True):
                        for dense in (True, False):
                            text = make_variant(size, repeated, dense)
                            label = f"{name:7} {size:>6} {'repeated' if repeated else 'top':8} {'dense' if dense else 'sparse':8}"
                            for n, (stream, changes) in enumerate(streams(text).items()):
                                path = root / f"f{size}_{int(repeated)}{int(dense)}_{n}.py"
                                path.write_text(text)
                                _print_row(label, stream, await bench.run_stream(path, text, changes))
                            path = root / f"f{size}_{int(repeated)}{int(dense)}_fix.py"
                            path.write_text(text)
                            _print_row(label, "fix-all", await bench.fix_all(path, text))
            finally:
                await bench.stop()
    return 0


def _print_row(label: str, stream: str, r: dict[str, float]) -> None:
    print(f"{label} {stream:13} {r['n']:>5} {r['wall_p50']:>8.1f} {r['wall_p95']:>7.1f} {r['wall_max']:>7.1f} "
          f"{r['cpu_p50']:>8.1f} {r['cpu_p95']:>7.1f} {r['cpu_max']:>7.1f}", flush=True)


async def main_async(args: argparse.Namespace) -> int:
    servers = [("apimig", [sys.executable, "-m", "apimig.server"], {"targets": {"numpy": "2.0", "pandas": "2.0"}})]
    ruff = shutil.which("ruff") or (shutil.which("ruff", path=str(Path(sys.executable).parent)))
    if ruff:
        servers.append(("ruff", [ruff, "server"], {"settings": {"lint": {"select": ["E", "F", "NPY"]}}}))
    else:
        print("ruff not installed: skipping `ruff server`", file=sys.stderr)
    servers = [srv for srv in servers if srv[0] in args.servers]
    if args.streams:
        return await streams_async(args, servers)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = []
        for size in args.sizes:
            p = root / f"legacy_{size}.py"
            p.write_text(make_source(size))
            files.append((size, p))
        print(f"{'server':8} {'lines':>6} {'diags':>6} {'open ms':>8} {'change p50':>11} {'p95':>7} {'action p50':>11} {'p95':>7}")
        for name, cmd, init in servers:
            bench = Bench(name, cmd, init)
            await bench.start(root)
            try:
                for size, path in files:
                    r = await bench.run_file(path, args.edits)
                    print(
                        f"{name:8} {size:>6} {r['diagnostics']:>6} {r['open_ms']:>8.1f} {r['change_p50']:>11.1f} "
                        f"{r['change_p95']:>7.1f} {r['action_p50']:>11.1f} {r['action_p95']:>7.1f}"
                    )
            finally:
                await bench.stop()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 10000])
    parser.add_argument("--streams", action="store_true", help="the edit streams of issue 16, with server CPU")
    parser.add_argument("--servers", nargs="+", default=["apimig", "ruff"])
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
