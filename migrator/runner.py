"""Run check or fix over many files, in one process or several, with a progress bar on a terminal."""

from __future__ import annotations

import multiprocessing
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from .config import Config
from .engine import Engine, SourceSyntaxError
from .files import read_source, write_source
from .findings import FileResult
from .progress import Progress


@dataclass(frozen=True)
class Job:
    fix: bool
    unsafe: bool
    write: bool  # False for --diff


@dataclass
class Outcome:
    result: FileResult
    old_source: str | None = None  # kept for --diff
    lines: int = 0


_ENGINE: Engine | None = None
_JOB: Job | None = None


def _init(config: Config, job: Job) -> None:
    global _ENGINE, _JOB
    _ENGINE, _JOB = Engine(config), job


def process(engine: Engine, job: Job, path: Path) -> Outcome:
    try:
        src = read_source(path)
    except (OSError, UnicodeDecodeError, SyntaxError) as exc:
        return Outcome(FileResult(str(path), error=f"cannot read: {exc}"))
    out = process_text(engine, job, src.text, str(path))
    if out.result.new_source is not None and job.write:
        write_source(path, out.result.new_source, src.encoding)
    return out


def process_text(engine: Engine, job: Job, text: str, path: str) -> Outcome:
    """Check or fix one text (a file's or stdin's); writes nothing."""
    lines = text.count("\n") + 1
    try:
        if job.fix:
            result = engine.fix(text, path, unsafe=job.unsafe, strict=True)
        else:
            result = FileResult(path, findings=engine.check(text, path, strict=True))
    except SourceSyntaxError as exc:
        return Outcome(FileResult(path, error=f"skipped, does not parse ({exc})"), lines=lines)
    except RecursionError:
        return Outcome(FileResult(path, error="skipped, too deeply nested to analyse"), lines=lines)
    return Outcome(result, text if result.new_source is not None else None, lines)


def _work(path: Path) -> Outcome:
    assert _ENGINE is not None and _JOB is not None
    return process(_ENGINE, _JOB, path)


def run(config: Config, job: Job, paths: Sequence[Path], jobs: int = 1, progress: bool = False,
        engine: Engine | None = None) -> Iterator[Outcome]:
    bar = Progress(len(paths), progress)
    if jobs <= 1 or len(paths) < 2 * jobs:
        eng = engine or Engine(config)
        for p in paths:
            out = process(eng, job, p)
            bar.step()
            yield out
        return
    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with ctx.Pool(jobs, initializer=_init, initargs=(config, job)) as pool:
        for out in pool.imap(_work, paths, chunksize=max(1, len(paths) // (jobs * 8))):
            bar.step()
            yield out
