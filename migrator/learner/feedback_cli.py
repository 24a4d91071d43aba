"""``apimig feedback stats`` and ``apimig feedback export``: read the local feedback store."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from .feedback import EVENTS, FeedbackStore


def cli_feedback(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="apimig feedback", description="Show or export the local quick-fix record.")
    ap.add_argument("action", choices=("stats", "export"))
    ap.add_argument("--store", type=Path, help="feedback file (default: the user's cache dir)")
    ap.add_argument("-o", "--output", help="export: JSON Lines file of (old, new) pairs (default: stdout)")
    args = ap.parse_args(argv)
    store = FeedbackStore(args.store)
    if args.action == "stats":
        stats = store.stats()
        print(f"{'rule':<40}" + "".join(f"{e:>9}" for e in EVENTS))
        for rule_id, counts in sorted(stats.items()):
            print(f"{rule_id:<40}" + "".join(f"{counts.get(e, 0):>9}" for e in EVENTS))
        if not stats:
            print(f"(no feedback recorded in {store.path})")
        return 0
    lines = [json.dumps({"id": f"feedback-{i}", "library": p["library"], "versions": {"from": "0", "to": "0"},
                         "api": p["api"], "old": p["old"], "new": p["new"],
                         "source": f"https://pypi.org/project/{p['library']}/"})
             for i, p in enumerate(store.pairs())]
    text = "\n".join(lines) + ("\n" if lines else "")
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
