"""Decisions about rules in one place: how safe a fix is, whether it is applied, whether a rule fires.

Why one module: the schema, the codemod, the findings, the engine, the learner and the model
layer all ask "safe, unsafe or manual?" and "does this rule fire at this target?"; answered in
six places the answers drifted. Here "tier" means fix safety and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from packaging.version import Version

    from .findings import Finding, Fix
    from .rules.schema import Rule
    from .versions import Target

Tier = Literal["safe", "unsafe", "manual"]
FixTier = Literal["safe", "unsafe"]
TIERS: tuple[Tier, ...] = ("safe", "unsafe", "manual")
State = Literal["deprecated", "removed"]

MODEL_FIX_TIER: FixTier = "unsafe"  # a model's rewrite is validated, never proven: always reviewed
LEARNED_UNSAFE_REASON = "learned from examples; review the rewrite"


def tier_problem(tier: str, reason: str | None, has_fix: bool, kind: str) -> str | None:
    """Why a rule's declared tier does not fit the rest of it, or None (used by ``Rule.validate``)."""
    if tier not in TIERS:
        return f"tier {tier!r} is not one of {', '.join(TIERS)}"
    if tier == "unsafe" and not reason:
        return "an unsafe fix needs a reason"
    if tier != "manual" and not has_fix:
        return f"tier {tier} needs a fix (or use tier: manual)"
    if kind == "manual" and tier != "manual":
        return "kind manual needs tier manual"
    return None


MINED_UNVERIFIED_REASON = ("mined from the library's releases and not yet proven by `apimig verify`: "
                           "the miner judged it from signatures only")


def _unproven(rule: "Rule") -> bool:
    """A mined fix is applied by default only once execution showed old and new agree."""
    return rule.origin == "mined" and (rule.verification is None or rule.verification.status != "safe")


def fix_tier(rule: "Rule") -> FixTier:
    """The tier of a fix built from ``rule`` (a manual rule builds none)."""
    return "unsafe" if rule.tier == "unsafe" or _unproven(rule) else "safe"


def unsafe_reason(rule: "Rule") -> str | None:
    """Why the fix may change behaviour, carried on the fix only when it is unsafe."""
    if fix_tier(rule) != "unsafe":
        return None
    return rule.reason or MINED_UNVERIFIED_REASON if rule.tier == "unsafe" else MINED_UNVERIFIED_REASON


def shows_decline_reason(rule: "Rule") -> bool:
    """A rule meant to be fixed tells why this match was not; a manual rule says so in its message."""
    return rule.tier != "manual"


def finding_tier(fix: "Fix | None") -> Tier:
    """A finding's tier: its fix's, or manual when it has none."""
    return fix.tier if fix is not None else "manual"


def applies(finding: "Finding", *, unsafe: bool) -> bool:
    """Whether ``apimig fix`` applies the finding's fix: safe ones always, unsafe ones when asked."""
    return finding.fix is not None and (unsafe or finding.fix.tier == "safe")


def learned_tier(always_safe_kind: bool, consistency: float) -> tuple[FixTier, str | None]:
    """A learned rule is safe only for a kind that cannot change behaviour, seen without exception."""
    if always_safe_kind and consistency == 1.0:
        return "safe", None
    return "unsafe", LEARNED_UNSAFE_REASON


def rule_state(rule: "Rule", target: "Target | None") -> tuple[bool, str]:
    """Whether ``rule`` fires at ``target``, and a one-line reason."""
    version = target.version if target else None
    where = target.describe() if target else f"{rule.library} latest (unknown)"
    if version is None:
        return True, f"active: {where}"
    first = rule.first_version
    if first is not None and version < first:
        return False, f"inactive: {where} is before the deprecation in {first}"
    if rule.replacement_since is not None and version < rule.replacement_since:
        return False, f"inactive: {where} lacks the replacement (since {rule.replacement_since})"
    if rule.removed_in is not None and version >= rule.removed_in:
        return True, f"active: removed in {rule.removed_in}, target {where}"
    return True, f"active: deprecated in {first}, target {where}"


def api_state(rule: "Rule", target: "Target | None") -> State:
    """What a finding says about the API at ``target``: removed once the target reaches (or, unknown,
    may have reached) the removal, else deprecated."""
    version: Version | None = target.version if target else None
    if rule.removed_in is not None and (version is None or version >= rule.removed_in):
        return "removed"
    return "deprecated"
