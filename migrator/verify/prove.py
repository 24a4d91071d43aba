"""Prove one rule: pick the releases, build their envs, run its cases, and decide the status.

The bad case runs under the last release before the removal (or, for a deprecation not yet
removed, the latest release, which still has the old API and warns); the good case under the
newest patch of the release that removed it (or the latest). Standard-library rules are run
the same way with Python itself as the release.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from packaging.version import Version

from ..rules.schema import Case, Rule, Verification
from .. import facts

STDLIB = "stdlib"  # the standard library's pack: its releases are Python's own
from .envs import PYTHONS, Env, EnvBuilder, EnvUnavailable, interpreter
from .execute import run_pair
from .verdict import case_status, combine, missing_module


def distribution(library: str) -> str:
    return facts.current().distributions.get(library, (library,))[0]


def choose_releases(rule: Rule, releases: list[Version]) -> tuple[Version, Version]:
    """(bad release, good release) for ``rule`` among ``releases``; ValueError when none fits."""
    if not releases:
        raise ValueError("no release found")
    latest = releases[-1]
    removed = rule.removed_in
    if removed is None or removed > latest:
        return latest, latest
    before = [v for v in releases if v < removed]
    if not before:
        raise ValueError(f"no release before {removed}")
    series = [v for v in releases if v >= removed and v.release[:2] == removed.release[:2]]
    good = series[-1] if series else min(v for v in releases if v >= removed)
    return before[-1], good


@dataclass
class Prover:
    builder: EnvBuilder
    _releases: dict[str, list[Version]] = field(default_factory=dict)  # preset ones restrict a library

    def releases(self, library: str) -> list[Version]:
        if library not in self._releases:
            if library == STDLIB:
                found = [Version(p) for p in PYTHONS if interpreter(p)]
                self._releases[library] = sorted(found)
            else:
                self._releases[library] = self.builder.releases(distribution(library))
        return self._releases[library]

    def env_for(self, rule: Rule, release: Version, extras: tuple[str, ...] = ()) -> Env:
        if rule.library == STDLIB:
            return self.builder.for_python(str(release), extras)
        return self.builder.for_release(f"{distribution(rule.library)}=={release}", rule.old, extras)

    def _deprecating_env(self, rule: Rule, tried: Version, extras: tuple[str, ...]) -> tuple[Env, Version] | None:
        """A rule with no ``removed_in`` runs its bad case on the latest release; when the API is gone
        there, the newest patch of the deprecating release still has it."""
        if rule.deprecated_in is None:
            return None
        series = [v for v in self.releases(rule.library)
                  if v >= rule.deprecated_in and v.release[:2] == rule.deprecated_in.release[:2]]
        if not series or series[-1] == tried:
            return None
        try:
            return self.env_for(rule, series[-1], extras), series[-1]
        except EnvUnavailable:
            return None

    def label(self, rule: Rule, release: Version) -> str:
        return f"python {release}" if rule.library == STDLIB else f"{distribution(rule.library)}=={release}"

    def verify(self, rule: Rule) -> Verification:
        cases = [c for c in rule.cases if c.bad and c.good]
        if not cases:
            why = "manual rule: no fix to run" if rule.tier == "manual" else "no case with both 'bad' and 'good'"
            return Verification("unverified", why)
        try:
            bad_release, good_release = choose_releases(rule, self.releases(rule.library))
        except ValueError as exc:
            if rule.library == STDLIB:
                return Verification("unverified", f"python: {exc} among the local interpreters")
            local = ", ".join(p for p in self.builder.pythons if interpreter(p))
            return Verification("unverified", f"{distribution(rule.library)}: {exc} with a wheel for python {local}")
        extras: tuple[str, ...] = ()
        while True:
            result, missing = self._verify_cases(rule, cases, bad_release, good_release, extras)
            # a case may need a distribution the library does not depend on (pandas' ExcelWriter
            # needs openpyxl): add what the run reported missing, once
            added = tuple(sorted(set(missing) - set(extras)))
            if not added or extras:
                return result
            extras = added

    def _verify_cases(self, rule: Rule, cases: list[Case], bad_release: Version, good_release: Version,
                      extras: tuple[str, ...]) -> tuple[Verification, list[str]]:
        env_text = f"{self.label(rule, bad_release)} -> {self.label(rule, good_release)}"
        if extras:
            env_text += f" with {', '.join(extras)}"
        try:
            bad_env, good_env = self.env_for(rule, bad_release, extras), self.env_for(rule, good_release, extras)
        except EnvUnavailable as exc:
            return Verification("unverified", f"no environment: {exc}", env_text), []
        results, missing = [], []
        for case in cases:
            pair, note = run_pair(bad_env, good_env, case.bad or "", case.good or ""), ""
            if pair.bad.error and rule.removed_in is None:
                older = self._deprecating_env(rule, bad_release, extras)
                retry = run_pair(older[0], good_env, case.bad or "", case.good or "") if older else None
                if older and retry and not retry.bad.error:
                    pair, bad_release = retry, older[1]
                    env_text = env_text.replace(self.label(rule, good_release), self.label(rule, bad_release), 1)
                    note = f" (the old API fails on {self.label(rule, good_release)}: the rule lacks removed_in)"
            own = rule.old.split(".")[0]
            missing += [distribution(m) for m in (missing_module(pair.bad), missing_module(pair.good))
                        if m and m != own]
            status, detail = case_status(pair, self.label(rule, bad_release), self.label(rule, good_release),
                                         rule.fix.arg_rename)
            results.append((status, detail + note))
        status, detail = combine(results)
        return Verification(status, detail, env_text), missing
