"""Mine one distribution: analyse releases lazily, merge what the extractors, the surface diff and
the notes say about each public API, and bisect the release list for its exact interval."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable

from packaging.version import InvalidVersion, Version

from .candidates import Candidate
from .changelog import sentences
from .extractors import Extractor
from .intervals import first_true
from .messages import qualify
from .sources import ReleaseSources, load_release
from .surface import Surface, compatible
from .surface_diff import changed_parameters, removed_names

Key = tuple[str, "str | None"]  # (public path, argument or None)


@dataclass
class Analysis:
    """One release: its surface and the candidates its declarations make, keyed by public path."""

    version: Version
    sources: ReleaseSources
    extractors: dict[str, Extractor]

    @cached_property
    def surface(self) -> Surface:
        return Surface(self.sources)

    @cached_property
    def declared(self) -> dict[Key, list[Candidate]]:
        out: dict[Key, list[Candidate]] = {}
        for module in self.sources.modules.values():
            for extract in self.extractors.values():
                for cand in extract(module):
                    if cand.old.endswith(".__init__"):  # a deprecated constructor is the class
                        cand = replace(cand, old=cand.old[: -len(".__init__")], is_method=False)
                    path = self.public(cand.old)
                    if path:
                        out.setdefault((path, cand.param), []).append(cand)
        return out

    def public(self, old: str) -> str | None:
        """Where users reach ``old``: its shortest public path, or ``old`` when it is already public-looking."""
        if old.rsplit(".", 1)[-1].startswith("_"):
            return None
        found = self.surface.public_path(old)
        if found:
            return found
        parts = old.split(".")
        if parts[0] in self.sources.roots and not any(p.startswith("_") for p in parts):
            return old
        return None

    def params(self, path: str) -> tuple[str, ...] | None:
        sym = self.surface.public.get(path) or self.surface.resolve(path)
        return sym.params if sym else None


@dataclass
class MinedChange:
    path: str
    param: str | None
    candidates: list[Candidate] = field(default_factory=list)
    deprecated_in: Version | None = None
    removed_in: Version | None = None
    replacement: str | None = None  # certain: exists in the release it is needed in
    replacement_since: Version | None = None
    new_param: str | None = None
    hint: str | None = None  # the library's words for the replacement when it is not certain
    is_module: bool = False
    drop_in: bool = False  # the replacement binds every call of the old API the same way (signature check)
    rename_declared: bool = False  # the new argument name comes from a rename declaration, not from a message

    @property
    def is_method(self) -> bool:
        return any(c.is_method for c in self.candidates)

    @property
    def message(self) -> str:
        """The library's own words (a surface diff has none)."""
        return next((" ".join(c.message.split()) for c in self.candidates
                     if c.message and c.evidence.kind != "surface-diff"), "")


class Miner:
    def __init__(self, dist: str, versions: list[Version], fetch: Callable[[Version], Path],
                 extractors: dict[str, Extractor]) -> None:
        if len(versions) < 2:
            raise ValueError(f"mining {dist} needs at least two releases, got {[str(v) for v in versions]}")
        self.dist = dist
        self.versions = versions
        self._fetch = fetch
        self.extractors = extractors
        self._analyses: dict[int, Analysis] = {}

    def analysis(self, i: int) -> Analysis:
        if i not in self._analyses:
            version = self.versions[i]
            self._analyses[i] = Analysis(version, load_release(self._fetch(version), str(version)), self.extractors)
        return self._analyses[i]

    @property
    def analysed(self) -> list[str]:
        return [str(self.versions[i]) for i in sorted(self._analyses)]

    @property
    def roots(self) -> tuple[str, ...]:
        return self.analysis(len(self.versions) - 1).sources.roots

    def mine(self) -> list[MinedChange]:
        last = len(self.versions) - 1
        changes: dict[Key, MinedChange] = {}
        seen_at: dict[Key, int] = {}

        def add(key: Key, cands: Iterable[Candidate], at: int) -> None:
            change = changes.setdefault(key, MinedChange(key[0], key[1]))
            change.candidates.extend(c for c in cands if c not in change.candidates)
            seen_at[key] = max(seen_at.get(key, -1), at)

        for key, cands in self.analysis(last).declared.items():
            add(key, cands, last)
        self._removals(changes, seen_at, add)
        for key, change in changes.items():
            self._interval(key, change, seen_at.get(key))
            self._resolve(change)
        self._notes(changes)
        return [c for c in changes.values() if c.deprecated_in or c.removed_in]

    def _removals(self, changes: dict[Key, MinedChange], seen_at: dict[Key, int], add: Callable) -> None:
        last = len(self.versions) - 1
        first, final = self.analysis(0), self.analysis(last)
        for cand in removed_names(first.surface, final.surface):
            r = first_true(1, last, lambda i: not self.analysis(i).surface.has(cand.old))
            if r is None:
                continue
            pair = {c.old: c for c in removed_names(self.analysis(r - 1).surface, self.analysis(r).surface)}
            add((cand.old, None), [pair.get(cand.old, cand)], r)
            changes[(cand.old, None)].removed_in = self.versions[r]
            self._declared_before(cand.old, None, r - 1, add)
        for cand in changed_parameters(first.surface, final.surface):
            path, param = cand.old, cand.param

            def gone(i: int) -> bool:
                params = self.analysis(i).params(path)
                return params is None or param not in params

            r = first_true(1, last, gone)
            if r is None:
                continue
            pair = {(c.old, c.param): c for c in changed_parameters(self.analysis(r - 1).surface, self.analysis(r).surface)}
            add((path, param), [pair.get((path, param), cand)], r)
            changes[(path, param)].removed_in = self.versions[r]
            self._declared_before(path, param, r - 1, add)

    def _declared_before(self, path: str, param: str | None, at: int, add: Callable) -> None:
        cands = self.analysis(at).declared.get((path, param))
        if cands:
            add((path, param), cands, at)

    def _interval(self, key: Key, change: MinedChange, at: int | None) -> None:
        declared = [c for c in change.candidates if c.evidence.kind != "surface-diff"]
        if not declared or at is None:
            return
        hi = at if change.removed_in is None else self.versions.index(change.removed_in) - 1
        hi = max(hi, 0)
        if key not in self.analysis(hi).declared:
            hi = at
        i = first_true(0, hi, lambda j: key in self.analysis(j).declared)
        if i is None:
            return
        first = self.analysis(i).declared[key]  # the first release that says so is the evidence of the date
        change.candidates[:0] = [c for c in first if c not in change.candidates]
        expired = [c for c in first if c.change == "removed"]
        if expired and change.removed_in is None:
            change.removed_in = self.versions[i]
            earlier = [c.since for c in declared if c.since]
            change.deprecated_in = _version(earlier[0]) if earlier else None
            return
        claimed = [_version(c.since) for c in declared if c.since]
        claimed = [v for v in claimed if v is not None]
        if i == 0 and claimed and min(claimed) < self.versions[0]:
            change.deprecated_in = min(claimed)  # older than the mined range: the library's own word
        elif i > 0 or change.removed_in is None:
            # at index 0 it only means "at or before": left out when removed_in says enough
            change.deprecated_in = self.versions[i]

    def _resolve(self, change: MinedChange) -> None:
        where = self.versions.index(change.removed_in) if change.removed_in else len(self.versions) - 1
        target = self.analysis(where)
        before = self.analysis(max(where - 1, 0)) if change.removed_in else target
        change.is_module = change.path in before.sources.modules or change.path in target.sources.modules
        for cand in change.candidates:
            if change.param is not None:
                params = target.params(change.path) or ()
                if cand.new_param and cand.new_param in params and cand.evidence.kind != "surface-diff":
                    change.new_param = cand.new_param
                    change.rename_declared = cand.evidence.kind != "warnings.warn"
                    return
                if cand.new_param:
                    change.hint = change.hint or f"`{cand.new_param}`"
                continue
            if not cand.replacement:
                continue
            for option in qualify(cand.replacement, cand.old, target.sources.roots):
                resolved = target.public(option) if target.surface.has(option) else None
                if resolved and resolved != change.path:
                    change.replacement = resolved
                    change.replacement_since = self._since(resolved)
                    change.drop_in = cand.same_object or compatible(before.surface.resolve(change.path),
                                                                    target.surface.resolve(resolved))
                    return
            change.hint = change.hint or f"`{cand.replacement}`"

    def _since(self, path: str) -> Version | None:
        i = first_true(0, len(self.versions) - 1, lambda j: self.analysis(j).surface.has(path))
        return self.versions[i] if i is not None else None

    def _notes(self, changes: dict[Key, MinedChange]) -> None:
        """Release-note sentences add evidence (and a replacement hint) to the APIs already found; one
        about a public API the code did not flag becomes a change dated by the note's version heading."""
        first, final = self.analysis(0), self.analysis(len(self.versions) - 1)
        roots = final.sources.roots
        for path, text in final.sources.notes:
            for heading, cand in sentences(path, text, str(final.version)):
                options = qualify(cand.old, roots[0] if roots else "", roots)
                known = next((changes[(o, None)] for o in options if (o, None) in changes), None)
                if known is not None:
                    known.candidates.append(cand)
                    if not known.replacement and not known.hint and cand.replacement:
                        known.hint = f"`{cand.replacement}`"
                    continue
                self._note_only(changes, cand, heading, options, first, final)

    def _note_only(self, changes: dict[Key, MinedChange], cand: Candidate, heading: str, options: list[str],
                   first: Analysis, final: Analysis) -> None:
        version = _version(heading)
        if version is None or not self.versions[0] <= version <= self.versions[-1]:
            return
        if cand.change == "removed":
            public = next((o for o in options if first.surface.has(o) and not final.surface.has(o)), None)
        else:
            public = next((o for o in options if final.surface.has(o)), None)
        if public is None or final.public(public) is None and cand.change != "removed":
            return
        change = MinedChange(public, None, [cand])
        if cand.change == "removed":
            change.removed_in = version
        else:
            change.deprecated_in = version
        self._resolve(change)
        changes[(public, None)] = change


def _version(text: str | None) -> Version | None:
    try:
        return Version(text) if text else None
    except InvalidVersion:
        return None
