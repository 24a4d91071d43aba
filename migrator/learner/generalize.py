"""Merge the observations of many pairs into rules of the ordinary schema (origin ``learned``).

Why one rule per API: two pairs that disagree about the same API are evidence that the rule is
uncertain, not that there are two rules; the majority fix wins and the disagreement lowers
``consistency`` and so ``confidence``. Pairs that must not change become preconditions.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Callable, Sequence

import libcst as cst

from ..applicability import learned_tier
from ..dataset import Pair
from ..rules.schema import FixSpec, Provenance, Rule, parse_version
from .align import Imports, Observation, observe

_SAFE_KINDS = {"rename", "move", "alias-removal", "argument-rename", "method-rename"}
Progress = Callable[[int, int], None]


@dataclass
class _Group:
    old: str
    receiver: str | None
    votes: list[tuple[Pair, Observation]]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _rule_key(o: Observation) -> tuple[str, str | None]:
    return (o.old, o.receiver)


def collect(pairs: Sequence[Pair], progress: Progress | None = None) -> tuple[dict[tuple[str, str | None], _Group],
                                                                               list[tuple[Pair, str]]]:
    """Observe every changed pair; returns the groups by API and the pairs that taught nothing (with why)."""
    groups: dict[tuple[str, str | None], _Group] = {}
    skipped: list[tuple[Pair, str]] = []
    changed = [p for p in pairs if not p.must_not_change]
    for i, pair in enumerate(changed, 1):
        if progress:
            progress(i, len(changed))
        try:
            observations = observe(pair.old, pair.new, pair.api)
        except cst.ParserSyntaxError as exc:
            skipped.append((pair, f"does not parse: {exc.message}"))
            continue
        if not observations:
            skipped.append((pair, "no change the rule format can express"))
        for o in observations:
            g = groups.setdefault(_rule_key(o), _Group(o.old, o.receiver, []))
            g.votes.append((pair, o))
    return groups, skipped


def _merge_args(votes: list[tuple[Pair, Observation]]) -> tuple[Observation, list[str], int]:
    """Per keyword majority: union of agreeing keyword changes; returns (obs, supporting ids, agreeing votes)."""
    per_kw: dict[str, Counter[str]] = {}
    for _, o in votes:
        for old, new in o.arg_rename:
            per_kw.setdefault(old, Counter())["rename:" + new] += 1
        for old in o.arg_remove:
            per_kw.setdefault(old, Counter())["remove"] += 1
    renames, removes = [], []
    for kw, counter in per_kw.items():
        action, _ = counter.most_common(1)[0]
        if action == "remove":
            removes.append(kw)
        else:
            renames.append((kw, action.split(":", 1)[1]))
    chosen = set(renames), set(removes)
    support = [p.id for p, o in votes if set(o.arg_rename) <= chosen[0] and set(o.arg_remove) <= chosen[1]]
    kind = "argument-rename" if renames else "argument-removal"
    first = votes[0][1]
    return Observation(kind, first.old, first.receiver, arg_rename=tuple(sorted(renames)),
                       arg_remove=tuple(sorted(removes))), support, len(support)


def _winner(group: _Group) -> tuple[Observation, list[str]]:
    arg_votes = [(p, o) for p, o in group.votes if o.kind.startswith("argument-")]
    counts = Counter(o.signature for _, o in group.votes if not o.kind.startswith("argument-"))
    if arg_votes and len(arg_votes) >= max(counts.values(), default=0):
        obs, support, _ = _merge_args(arg_votes)
        return obs, support
    sig, _ = counts.most_common(1)[0]
    obs = next(o for _, o in group.votes if o.signature == sig)
    return obs, [p.id for p, o in group.votes if o.signature == sig]


def preconditions(rule_old: str, receiver: str | None, obs: Observation, noops: Sequence[Pair]) -> list[str]:
    """What the must-not-change pairs about this API tell: the conditions under which the rule must not fire."""
    name = rule_old.rsplit(".", 1)[-1]
    out: list[str] = []
    for pair in noops:
        if name not in pair.old:
            continue
        code = pair.old
        try:
            imports = Imports(cst.parse_module(code))
        except cst.ParserSyntaxError:
            continue
        if receiver:
            out.append(f"receiver is {receiver} (not another type with a .{name} method)")
        elif "hasattr(" in code or "except AttributeError" in code or "except ImportError" in code:
            out.append("not inside a compatibility guard (hasattr / try-except AttributeError)")
        elif re.search(rf"def \w+\((\w+, )*{re.escape(rule_old.split('.')[0])}\b", code) or any(
                f"def {name}(" in code for _ in [0]):
            out.append(f"the name resolves to {rule_old} through imports (not a local or shadowing definition)")
        elif f'"{rule_old}' in code or f"# {rule_old}" in code:
            out.append("code references only (not strings or comments)")
        elif obs.arg_rename or obs.arg_remove:
            kws = sorted({k for k, _ in obs.arg_rename} | set(obs.arg_remove))
            out.append(f"the call passes {' or '.join(kws)}=")
        elif name in imports.names or any(q.endswith("." + name) for q in imports.names.values()):
            out.append(f"the name resolves to {rule_old} (not a same-named API of another module)")
        else:
            out.append(f"only references resolving to {rule_old}")
    return sorted(set(out))


def confidence(consistency: float, support: int, precision: float | None) -> float:
    """Agreement, discounted for little evidence (1 pair: 0.5, 3 pairs: 0.875) and measured misfires."""
    score = consistency * (1.0 - 0.5 ** support)
    if precision is not None:
        score *= precision
    return round(score, 3)


def build_rule(group: _Group, noops: Sequence[Pair]) -> Rule:
    obs, support = _winner(group)
    by_id = {p.id: p for p, _ in group.votes}
    total = len({p.id for p, _ in group.votes})
    consistency = round(len(set(support)) / total, 3) if total else 0.0
    supporting = [by_id[i] for i in dict.fromkeys(support)]
    libraries = Counter(p.library for p in supporting)
    sources = Counter(p.source for p in supporting)
    versions = sorted({p.version_to for p in supporting}, key=parse_version)
    library = libraries.most_common(1)[0][0]
    related = [p for p in noops if p.api == group.old]
    fix = FixSpec(rename=obs.rename, template=obs.template, arg_rename=dict(obs.arg_rename),
                  arg_remove=tuple(obs.arg_remove))
    tier, reason = learned_tier(obs.kind in _SAFE_KINDS, consistency)
    what = obs.rename or obs.template or ", ".join(
        [f"{a}= -> {b}=" for a, b in obs.arg_rename] + [f"drop {a}=" for a in obs.arg_remove])
    rule = Rule(
        id=_slug(f"learned-{group.old}"), library=library, kind=obs.kind, old=group.old,
        message=f"`{group.old}` changed in {library} {versions[0]}: {what} (learned from {len(supporting)} example(s))",
        source=sources.most_common(1)[0][0], tier=tier, reason=reason,
        fix=fix, deprecated_in=parse_version(versions[0]), replacement_since=parse_version(versions[0]),
        receiver=group.receiver, origin="learned",
        provenance=Provenance(pairs=tuple(p.id for p in supporting), support=len(supporting), consistency=consistency,
                              precision=None, preconditions=tuple(preconditions(group.old, group.receiver, obs, related))),
    )
    return replace(rule, confidence=confidence(consistency, len(supporting), None))


def measure_precision(rule: Rule, pairs: Sequence[Pair]) -> float | None:
    """Apply the rule alone to the training pairs it fires on: share of rewrites equal (AST) to the target."""
    from ..evaluation import evaluate, make_engine  # the engine is only needed here

    name = rule.name
    candidates = [p for p in pairs if name in p.old]
    if not candidates:
        return None
    report = evaluate(candidates, [rule], engine=make_engine([rule]))
    fired = [r for r in report.results if r.origins]
    if not fired:
        return None
    good = sum(1 for r in fired if (r.ast_match if not r.must_not_change else r.untouched))
    return round(good / len(fired), 3)


def learn(pairs: Sequence[Pair], *, progress: Progress | None = None, precision: bool = True) -> list[Rule]:
    """Learn one rule per changed API from ``pairs`` (ids, provenance and confidence included)."""
    groups, _ = collect(pairs, progress)
    noops = [p for p in pairs if p.must_not_change]
    rules: list[Rule] = []
    used: set[str] = set()
    for key in sorted(groups, key=lambda k: (k[0], k[1] or "")):
        rule = build_rule(groups[key], noops)
        if rule.id in used:
            rule = replace(rule, id=f"{rule.id}-{sum(u.startswith(rule.id) for u in used) + 1}")
        used.add(rule.id)
        rule.validate()
        if precision:
            prec = measure_precision(rule, pairs)
            assert rule.provenance is not None
            rule = replace(rule, provenance=replace(rule.provenance, precision=prec),
                           confidence=confidence(rule.provenance.consistency, rule.provenance.support, prec))
        rules.append(rule)
    return rules
