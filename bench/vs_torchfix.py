"""apimig and TorchFix on the same directory: wall time, lines/s and findings, side by side.

    python bench/vs_torchfix.py DIR [--torchfix PATH] [--jobs N]

TorchFix (``pip install torchfix``, best in its own virtual environment: it pins its own libcst)
is found on PATH unless ``--torchfix`` names its executable. Both tools only check: nothing is
written. TorchFix runs with its defaults (it uses every core); apimig runs with one process and
with ``--jobs N``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path


def count_lines(root: Path) -> int:
    return sum(p.read_bytes().count(b"\n") for p in root.rglob("*.py") if p.is_file())


def timed(cmd: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - t0, proc.stdout


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--torchfix", help="TorchFix executable (default: torchfix on PATH)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    lines = count_lines(args.dir)
    apimig = [sys.executable, "-m", "apimig.migrator.cli"] if shutil.which("apimig") is None else ["apimig"]
    rows = []
    for jobs in sorted({1, args.jobs}):
        seconds, out = timed([*apimig, "check", "--no-progress", "-q", "--jobs", str(jobs), str(args.dir)])
        rows.append((f"apimig (--jobs {jobs})", seconds, sum(1 for line in out.splitlines() if ": " in line)))
    torchfix = args.torchfix or shutil.which("torchfix")
    if torchfix:
        seconds, out = timed([torchfix, str(args.dir)])
        rows.append(("torchfix (defaults)", seconds, sum(1 for line in out.splitlines() if " TOR" in line)))
    else:
        print("torchfix not found: pip install torchfix (or pass --torchfix PATH)", file=sys.stderr)
    print(f"{args.dir}: {lines:,} lines")
    print(f"{'tool':22} {'seconds':>9} {'lines/s':>11} {'findings':>9}")
    for name, seconds, findings in rows:
        print(f"{name:22} {seconds:9.2f} {lines / seconds:11,.0f} {findings:9}")
    if torchfix:
        print(f"apimig (1 process) is {rows[-1][1] / rows[0][1]:.0f}x faster than torchfix")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
