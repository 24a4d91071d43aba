"""Exact version intervals by bisecting the release list.

A predicate over releases that flips once (False ... False True ... True) is bisected in
O(log n) analysed releases: "this release warns about X", "X is gone", "Y exists".
"""

from __future__ import annotations

from typing import Callable


def first_true(lo: int, hi: int, predicate: Callable[[int], bool]) -> int | None:
    """The smallest index in [lo, hi] where ``predicate`` holds, assuming it stays true after; None if
    it does not hold at ``hi``."""
    if lo > hi or not predicate(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if predicate(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo
