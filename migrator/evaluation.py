"""Measure how well a set of rules reproduces the migration dataset.

Why these metrics: exact text match is too strict (formatting), so the headline is AST match
(``ast.dump`` equality); token similarity shows near misses; key-API accuracy says whether the
new API is used and the old one gone even when the rest differs; and for must-not-change pairs
the only thing that counts is that the code is left untouched.
"""

from __future__ import annotations

import ast
import difflib
import io
import json
import tokenize
from dataclasses import asdict, dataclass, field
from typing import Iterable, Sequence

from .analysis import referenced_names
from .config import Config
from .dataset import Pair
from .engine import Engine
from .rules.schema import Rule


@dataclass(frozen=True)
class PairResult:
    id: str
    library: str
    api: str
    must_not_change: bool
    output: str
    origins: tuple[str, ...]  # origins of the rules whose fixes were applied
    exact: bool
    ast_match: bool
    token_similarity: float
    key_api: bool
    untouched: bool
    seen: bool | None = None  # was the pair's API in the training part (None: no split)
    error: str | None = None

    @property
    def origin_group(self) -> str:
        if not self.origins:
            return "none"
        return self.origins[0] if len(set(self.origins)) == 1 else "mixed"


@dataclass
class Scores:
    """Aggregate over a group of pairs; rates are over changed pairs, ``untouched`` over must-not-change."""

    pairs: int = 0
    changed: int = 0
    unchanged: int = 0
    exact: float = 0.0
    ast_match: float = 0.0
    token_similarity: float = 0.0
    key_api: float = 0.0
    untouched: float = 0.0
    errors: int = 0


@dataclass
class Report:
    overall: Scores
    by_library: dict[str, Scores]
    by_origin: dict[str, Scores]
    by_seen: dict[str, Scores]
    results: list[PairResult] = field(default_factory=list)

    def to_json(self, with_pairs: bool = False) -> str:
        data = {"overall": asdict(self.overall),
                "by_library": {k: asdict(v) for k, v in self.by_library.items()},
                "by_origin": {k: asdict(v) for k, v in self.by_origin.items()},
                "by_seen": {k: asdict(v) for k, v in self.by_seen.items()}}
        if with_pairs:
            data["pairs"] = [asdict(r) for r in self.results]
        return json.dumps(data, indent=2)


def _dump(code: str) -> str | None:
    try:
        return ast.dump(ast.parse(code))
    except SyntaxError:
        return None


def _tokens(code: str) -> list[str]:
    skip = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT, tokenize.ENDMARKER}
    try:
        return [t.string for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type not in skip]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return code.split()


def token_similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(a=_tokens(a), b=_tokens(b), autojunk=False).ratio()


def score_pair(pair: Pair, output: str, origins: Sequence[str] = (), seen: bool | None = None,
               error: str | None = None) -> PairResult:
    expected_dump = _dump(pair.new)
    out_dump = _dump(output)
    old_names, new_names, out_names = referenced_names(pair.old), referenced_names(pair.new), referenced_names(output)
    added, removed = new_names - old_names, old_names - new_names
    key_api = added <= out_names and not (removed & out_names)
    return PairResult(
        id=pair.id, library=pair.library, api=pair.api, must_not_change=pair.must_not_change, output=output,
        origins=tuple(origins), exact=output == pair.new, ast_match=out_dump is not None and out_dump == expected_dump,
        token_similarity=round(token_similarity(output, pair.new), 4), key_api=key_api,
        untouched=output == pair.old, seen=seen, error=error,
    )


def aggregate(results: Iterable[PairResult]) -> Scores:
    rs = list(results)
    changed = [r for r in rs if not r.must_not_change]
    fixed = [r for r in rs if r.must_not_change]

    def rate(items: list[PairResult], attr: str) -> float:
        return round(sum(float(getattr(r, attr)) for r in items) / len(items), 4) if items else 0.0

    return Scores(pairs=len(rs), changed=len(changed), unchanged=len(fixed), exact=rate(changed, "exact"),
                  ast_match=rate(changed, "ast_match"), token_similarity=rate(changed, "token_similarity"),
                  key_api=rate(changed, "key_api"), untouched=rate(fixed, "untouched"),
                  errors=sum(r.error is not None for r in rs))


def _group(results: list[PairResult], key: str) -> dict[str, Scores]:
    groups: dict[str, list[PairResult]] = {}
    for r in results:
        if key == "library":
            k = r.library
        elif key == "origin":
            k = r.origin_group
        else:
            k = "no split" if r.seen is None else ("seen api" if r.seen else "unseen api")
        groups.setdefault(k, []).append(r)
    return {k: aggregate(v) for k, v in sorted(groups.items())}


def make_engine(rules: Sequence[Rule], unsafe: bool = True) -> Engine:
    """An engine over exactly ``rules``, all versions treated as latest (the dataset's targets)."""
    return Engine(Config(installed_versions=False, unsafe_fixes=unsafe, builtin_rules=False), rules=list(rules))


def evaluate(pairs: Sequence[Pair], rules: Sequence[Rule], *, seen_apis: set[str] | None = None,
             unsafe: bool = True, engine: Engine | None = None) -> Report:
    """Apply ``rules`` to every pair's old code and score the output against its new code."""
    engine = engine or make_engine(rules, unsafe)
    results = []
    for pair in pairs:
        seen = None if seen_apis is None else pair.api in seen_apis
        try:
            res = engine.fix(pair.old, f"{pair.id}.py", unsafe=unsafe)
        except Exception as exc:  # one broken pair must not stop the run; it is counted as an error
            results.append(score_pair(pair, pair.old, seen=seen, error=f"{type(exc).__name__}: {exc}"))
            continue
        output = res.new_source if res.new_source is not None else pair.old
        origins = tuple(sorted({f.origin for f in res.applied}))
        results.append(score_pair(pair, output, origins, seen))
    return Report(overall=aggregate(results), by_library=_group(results, "library"),
                  by_origin=_group(results, "origin"), by_seen=_group(results, "seen"), results=results)


def format_table(report: Report, title: str = "") -> str:
    """A plain text table: one row per group, the headline metrics as percentages."""
    head = f"{'group':<22}{'pairs':>6}{'chg':>5}{'exact':>8}{'ast':>8}{'tokens':>8}{'key-api':>9}{'untouched':>11}"
    lines = [title, head, "-" * len(head)] if title else [head, "-" * len(head)]

    def row(name: str, s: Scores) -> str:
        pct = lambda v: f"{100 * v:6.1f}%"  # noqa: E731
        untouched = pct(s.untouched) if s.unchanged else "     -"
        return (f"{name:<22}{s.pairs:>6}{s.changed:>5}{pct(s.exact):>8}{pct(s.ast_match):>8}"
                f"{pct(s.token_similarity):>8}{pct(s.key_api):>9}{untouched:>11}")

    lines.append(row("overall", report.overall))
    for label, groups in (("library", report.by_library), ("origin", report.by_origin), ("", report.by_seen)):
        for name, s in groups.items():
            lines.append(row(f"{label}:{name}" if label else name, s))
    return "\n".join(lines)
