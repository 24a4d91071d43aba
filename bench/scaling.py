"""Is the cost of `check` and `fix` linear in file size and in the number of findings?

    python bench/scaling.py [--sizes 1000,5000,20000,50000] [--corpus DIR] [--big]

Each measurement runs in a fresh child process, so its CPU time and peak RSS (``ru_maxrss``)
are its own. Generated files are N lines of small functions at three finding densities: none,
one ``np.float(x)`` per 50 lines and one per 10 lines. For each it prints CPU seconds, µs per
line and peak RSS, then two ratios: per-line cost at the largest size over the smallest
(linearity, 1.0 is linear) and per-line cost of the densest file over the clean one. ``--corpus``
repeats a directory of real legacy sources 1x/2x/4x (concatenated into one tree per copy).
``--big`` adds one ~5 MB file with 100,000+ findings.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
t0 = time.process_time()
from apimig.migrator.config import load_config
from apimig.migrator.engine import Engine
from apimig.migrator.files import iter_python_files
from apimig.migrator.runner import Job, run
mode, paths = sys.argv[1], [Path(p) for p in sys.argv[2:]]
config = load_config(paths[0], targets={"numpy": "2.0", "pandas": "2.0", "scipy": "1.14", "sklearn": "1.5"})
engine = Engine(config)
files = list(iter_python_files(paths))
t1 = time.process_time()
findings = 0
for out in run(config, Job(fix=mode == "fix", unsafe=False, write=False), files, jobs=1, engine=engine):
    findings += len(out.result.findings)
t2 = time.process_time()
print(json.dumps({"cpu": t2 - t1, "startup": t1 - t0, "findings": findings,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def generated(lines: int, every: int | None) -> str:
    """About ``lines`` lines of 5-line functions; one in ``every`` lines holds ``np.float(x)``."""
    out = ["import numpy as np\n", "\n"]
    n = 0
    while len(out) < lines:
        has = every is not None and (n * 5) // every != ((n + 1) * 5) // every
        body = "    return np.float(x)\n" if has else "    return float(np.asarray(x))\n"
        out += [f"def f{n}(x):\n", "    y = x + 1\n", body, "\n", "\n"]
        n += 1
    return "".join(out)


def measure(mode: str, paths: list[Path]) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _CHILD, mode, *map(str, paths)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _row(label: str, lines: int, r: dict[str, float]) -> None:
    print(f"  {label:28s} {lines:>8,} lines {r['findings']:>8,.0f} findings  cpu {r['cpu']:7.2f} s  "
          f"{1e6 * r['cpu'] / lines:7.1f} µs/line  rss {r['rss_mb']:7.0f} MB")


def generated_series(tmp: Path, sizes: list[int], modes: list[str]) -> None:
    densities = {"none": None, "1/50": 50, "1/10": 10}
    for mode in modes:
        print(f"{mode}: generated files")
        per_line: dict[str, list[float]] = {}
        for label, every in densities.items():
            for size in sizes:
                path = tmp / f"gen_{label.replace('/', '_')}_{size}.py"
                path.write_text(generated(size, every), encoding="utf-8")
                r = measure(mode, [path])
                _row(f"density {label}", size, r)
                per_line.setdefault(label, []).append(r["cpu"] / size)
        for label, costs in per_line.items():
            print(f"  linearity {label:5s}: per-line cost at {sizes[-1]:,} / at {sizes[0]:,} lines = "
                  f"{costs[-1] / costs[0]:.2f}")
        for i, size in enumerate(sizes):
            print(f"  density ratio at {size:>6,} lines: 1/10 over none = {per_line['1/10'][i] / per_line['none'][i]:.2f}, "
                  f"1/50 over none = {per_line['1/50'][i] / per_line['none'][i]:.2f}")


def corpus_series(tmp: Path, corpus: Path, modes: list[str]) -> None:
    copies: dict[int, Path] = {}
    for k in (1, 2, 4):
        root = tmp / f"corpus{k}"
        for i in range(k):
            shutil.copytree(corpus, root / f"copy{i}", ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))
        copies[k] = root
    lines = sum(p.read_bytes().count(b"\n") + 1 for p in corpus.rglob("*.py"))
    for mode in modes:
        print(f"{mode}: corpus {corpus} ({lines:,} lines per copy)")
        costs = []
        for k, root in copies.items():
            r = measure(mode, [root])
            _row(f"{k}x", lines * k, r)
            costs.append(r["cpu"] / (lines * k))
        print(f"  linearity: per-line cost at 4x / at 1x = {costs[-1] / costs[0]:.2f}")


def big_file(tmp: Path, modes: list[str]) -> None:
    path = tmp / "big.py"
    body = ["import numpy as np\n"] + [f"def g{i}(x):\n    return np.float(x) + np.float(x + 1)\n" for i in range(52_000)]
    path.write_text("".join(body), encoding="utf-8")
    size = path.stat().st_size
    for mode in modes:
        r = measure(mode, [path])
        print(f"{mode}: one {size / 1e6:.1f} MB file")
        _row("big", len(body) * 2, r)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,5000,20000,50000")
    ap.add_argument("--modes", default="check,fix")
    ap.add_argument("--corpus", type=Path, help="a directory of real legacy sources")
    ap.add_argument("--big", action="store_true", help="add a ~5 MB file with 100,000+ findings")
    ap.add_argument("--no-generated", action="store_true")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    modes = args.modes.split(",")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if not args.no_generated:
            generated_series(tmp, sizes, modes)
        if args.corpus:
            corpus_series(tmp, args.corpus, modes)
        if args.big:
            big_file(tmp, modes)


if __name__ == "__main__":
    main()
