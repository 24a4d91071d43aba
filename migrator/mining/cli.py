"""``apimig mine DIST [--from A] [--to B] [-o pack.yaml]``: learn a rule pack from a distribution's releases."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from packaging.utils import canonicalize_name

from .assemble import assemble
from .extractors import load_miners
from .miner import Miner
from .pack_writer import pack_text, write_pack
from .releases import Index, ReleaseError, cache_dir, fetch, list_versions, select_series

EXIT_OK, EXIT_ERROR = 0, 2


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="apimig mine", description="Mine a rule pack from a distribution's releases "
                                "(static: the library is never imported).")
    p.add_argument("dist", help="distribution name on the index, e.g. networkx")
    p.add_argument("--from", dest="lo", metavar="VERSION", help="oldest release to mine")
    p.add_argument("--to", dest="hi", metavar="VERSION", help="newest release to mine")
    p.add_argument("-o", "--output", metavar="PACK", help="write the pack here (default: stdout)")
    p.add_argument("--library", help="library id of the rules (default: the import root)")
    p.add_argument("--find-links", metavar="DIR", help="only this folder of artifacts, no index (offline)")
    p.add_argument("--cache", metavar="DIR", help=f"release cache (default {cache_dir()}, or $APIMIG_CACHE)")
    p.add_argument("--all-releases", action="store_true", help="bisect over every release, not one per minor series")
    p.add_argument("--miner", action="append", default=[], help="only these extractor families (repeatable)")
    p.add_argument("--prefetch", type=int, default=0, metavar="N",
                   help="download every selected release first, N at a time (default: lazily, as bisection asks)")
    return p


def cli_mine(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    index = Index(args.find_links)
    cache = Path(args.cache) if args.cache else None
    try:
        versions = list_versions(args.dist, index)
        chosen = [v for v in versions if (not args.lo or v >= type(v)(args.lo)) and (not args.hi or v <= type(v)(args.hi))] \
            if args.all_releases else select_series(versions, args.lo, args.hi)
        if args.prefetch:
            with ThreadPoolExecutor(args.prefetch) as pool:
                list(pool.map(lambda v: fetch(args.dist, v, index, cache), chosen))
        miner = Miner(args.dist, chosen, lambda v: fetch(args.dist, v, index, cache), load_miners(args.miner))
        changes = miner.mine()
        roots = miner.roots
    except (ReleaseError, ValueError, RuntimeError) as exc:
        print(f"apimig mine: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    dist_id = str(canonicalize_name(args.dist))
    library = args.library or (dist_id if dist_id in roots else roots[0] if roots else dist_id)
    result = assemble(changes, library, args.dist, roots)
    comment = (f"Mined by `apimig mine {args.dist}` from releases {', '.join(miner.analysed)} "
               f"(of {', '.join(str(v) for v in chosen)}).\nEvery rule carries its evidence; fixes only where "
               f"the library names a replacement that exists.")
    text = pack_text(library, [args.dist], list(roots), result.rules, comment)
    if args.output:
        write_pack(Path(args.output), text)
    else:
        sys.stdout.write(text)
    kinds = Counter(r["kind"] for r in result.rules)
    tiers = Counter(r["tier"] for r in result.rules)
    print(f"apimig mine: {len(result.rules)} rule(s) for {library} from {len(miner.analysed)} release(s): "
          + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) + "; "
          + ", ".join(f"{t} {n}" for t, n in sorted(tiers.items()))
          + f"; {len(result.demoted)} demoted to manual, {len(result.dropped)} dropped", file=sys.stderr)
    for rid, why in result.dropped:
        print(f"  dropped {rid}: {why}", file=sys.stderr)
    return EXIT_OK
