"""Throughput of `apimig check` and `apimig fix --diff` over a directory: files/s and lines/s.

    python bench/codemod.py [DIR ...] [--jobs N] [--repeat K]

Without DIR it measures the installed numpy, pandas and scipy sources (or the stdlib).
Nothing is written: fix runs in diff mode. With --jobs 1 the time is the process's CPU time when
that is lower than the wall time (other processes on a shared machine do not count against it).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import sysconfig
import time
from pathlib import Path

from apimig.migrator.config import load_config
from apimig.migrator.engine import Engine
from apimig.migrator.files import iter_python_files
from apimig.migrator.runner import Job, run


def default_dirs() -> list[Path]:
    dirs = []
    for name in ("numpy", "pandas", "scipy", "sklearn", "matplotlib"):
        spec = importlib.util.find_spec(name)
        if spec and spec.submodule_search_locations:
            dirs.append(Path(list(spec.submodule_search_locations)[0]))
    return dirs or [Path(sysconfig.get_paths()["stdlib"])]


def measure(dirs: list[Path], fix: bool, jobs: int) -> tuple[float, int, int, int]:
    config = load_config(dirs[0])
    files = list(iter_python_files(dirs))
    start, cpu = time.perf_counter(), time.process_time()
    lines = findings = 0
    for out in run(config, Job(fix=fix, unsafe=False, write=False), files, jobs=jobs):
        lines += out.lines
        findings += len(out.result.findings)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return (wall if jobs > 1 else min(wall, cpu)), len(files), lines, findings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    dirs = args.dirs or default_dirs()
    engine = Engine(load_config(dirs[0]))
    print(f"corpus: {', '.join(map(str, dirs))}")
    print(f"rules: {len(engine.rules)} loaded, {len(engine.active)} active; jobs={args.jobs}")
    for mode in ("check", "fix"):
        best = None
        for _ in range(args.repeat):
            t, n, lines, found = measure(dirs, mode == "fix", args.jobs)
            best = (t, n, lines, found) if best is None or t < best[0] else best
        assert best is not None
        t, n, lines, found = best
        print(f"{mode:5s}: {n} files, {lines} lines in {t:.2f} s -> {n / t:,.0f} files/s, {lines / t:,.0f} lines/s, "
              f"{found} findings")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
