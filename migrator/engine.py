"""The rule engine: active rules for a config, check and fix for one file."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Collection, Sequence

from .analysis import Resolver, parser
from .applicability import api_state, applies, rule_state
from .codemod import Document, Planned, combine, hold_back_partial, plan_finding
from .config import Config
from .edits import apply_text
from .findings import FileResult, Finding
from .imports import drop_stale_module_imports
from .matcher import Matcher, RuleIndex, suppressions
from .prefilter import TextFilter
from .rules.packs import declare_libraries, load_rules
from .rules.schema import Rule
from .versions import Target, declared_versions, resolve_targets, rule_versions

MAX_PASSES = 4


class SourceSyntaxError(Exception):
    """The file does not parse; carries the 1-based line of the first error."""

    def __init__(self, line: int, message: str = "syntax error") -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


def _first_error_line(root) -> int:  # type: ignore[no-untyped-def]
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return node.start_point[0] + 1
        if node.has_error:
            stack.extend(reversed(node.children))
    return 1


@dataclass(frozen=True)
class RuleStatus:
    rule: Rule
    active: bool
    selected: bool
    reason: str


class Engine:
    """Compiled rules for one configuration. Cheap to call many times (the LSP reuses one)."""

    def __init__(self, config: Config | None = None, rules: Sequence[Rule] | None = None) -> None:
        self.config = config or Config()
        self.rules: list[Rule] = list(rules) if rules is not None else load_rules(
            self.config.rule_files, builtin=self.config.builtin_rules)
        if rules is not None:
            declare_libraries(r.library for r in self.rules)
        declared = declared_versions(self.config.project_root, self.config.pyproject, rule_versions(self.rules))
        self.targets: dict[str, Target] = resolve_targets(
            {r.library for r in self.rules}, cli=self.config.cli_targets, configured=self.config.targets,
            declared=declared, use_installed=self.config.installed_versions)
        self.status: dict[str, RuleStatus] = {}
        for r in self.rules:
            active, reason = rule_state(r, self.targets.get(r.library))
            selected = self.config.selects(r.id, r.library)
            if not selected:
                reason = "not selected (--select/--ignore)"
            self.status[r.id] = RuleStatus(r, active, selected, reason)
        self.active = [r for r in self.rules if self.status[r.id].active and self.status[r.id].selected]
        self.by_id = {r.id: r for r in self.rules}
        self.index = RuleIndex.build(self.active)
        self.matcher = Matcher(self.index)
        self.text_filter = TextFilter(self.active)
        self._parser = parser()

    def _plan_findings(self, source: str, *, strict: bool, reparser: Any = None) -> tuple[Document | None, list[Planned]]:
        names = self.text_filter.names_in(source)
        if names is None:
            return None, []
        data = source.encode("utf-8", "surrogatepass")
        tree = reparser.parse(data) if reparser is not None else self._parser.parse(data)
        root = tree.root_node
        if strict and root.has_error:
            self._syntax_check(source, _first_error_line(root))
        resolver = Resolver(root)
        matches = self.matcher.find(root, resolver, data, names)
        if not matches:
            return None, []
        newline = "\r\n" if "\r\n" in source else "\n"
        doc = Document(source, data, root, resolver, newline,
                       targets={lib: t.version for lib, t in self.targets.items()})
        supp = suppressions(root)
        planned = []
        seen = set()
        for m in matches:
            line = m.node.start_point[0]
            if line in supp and (supp[line] is None or m.rule.id in supp[line]):  # type: ignore[operator]
                continue
            key = (m.rule.id, m.node.start_byte, m.node.end_byte)
            if key in seen:
                continue
            seen.add(key)
            planned.append(plan_finding(m, doc, api_state(m.rule, self.targets.get(m.rule.library))))
        planned.sort(key=lambda p: (p.finding.start, p.finding.rule_id))
        return doc, planned

    @staticmethod
    def _syntax_check(source: str, line: int | None = None) -> None:
        if line is None:
            return
        try:
            ast.parse(source)
        except SyntaxError as exc:
            raise SourceSyntaxError(exc.lineno or line, exc.msg) from None
        except (ValueError, RecursionError, MemoryError):
            raise SourceSyntaxError(line) from None

    def check(self, source: str, path: str = "<string>", *, strict: bool = False,
              reparser: Any = None) -> list[Finding]:
        """Findings for ``source``; tolerant of syntax errors unless ``strict``.

        ``reparser`` (an ``analysis.Reparser``) re-uses the tree of the previous version."""
        _, planned = self._plan_findings(source, strict=strict, reparser=reparser)
        return [p.finding for p in planned]

    def fix(self, source: str, path: str = "<string>", *, unsafe: bool | None = None,
            only: Collection[str] | None = None, strict: bool = True) -> FileResult:
        """Apply fixes (safe, plus unsafe when asked); ``only`` restricts to Finding.key values."""
        unsafe = self.config.unsafe_fixes if unsafe is None else unsafe
        result = FileResult(path)
        current = source
        first_findings: list[Finding] | None = None
        for _ in range(MAX_PASSES):
            doc, planned = self._plan_findings(current, strict=strict)
            if first_findings is None:
                first_findings = [p.finding for p in planned]
            wanted = [p for p in planned if applies(p.finding, unsafe=unsafe)
                      and (only is None or p.finding.key in only)]
            if doc is None or not wanted:
                break
            held = hold_back_partial(doc, planned, wanted)
            if current == source:  # report each held-back fix once, against the file as given
                result.dropped.extend((p.finding, why) for p, why in held)
            wanted = [p for p in wanted if all(p is not h for h, _ in held)]
            if not wanted:
                break
            new, applied = self._apply(doc, wanted, result)
            if new == current or not applied:
                break
            result.applied.extend(applied)
            current = new
            only = None if only is None else set()  # keys refer to the first version only
        result.findings = first_findings or []
        if result.applied:
            modules = {".".join(parts[:i]) for f in result.applied for parts in [self.by_id[f.rule_id].old.split(".")]
                       for i in range(2, len(parts))}
            current = drop_stale_module_imports(current, source, modules, self._parser)
        if current != source:
            result.new_source = current
            result.remaining = self.check(current, path)
        else:
            result.remaining = list(result.findings)
        return result

    def _apply(self, doc: Document, wanted: list[Planned], result: FileResult) -> tuple[str, list[Finding]]:
        edits, taken = combine(doc, wanted)
        new = apply_text(doc.source, edits)
        if _parses(new):
            return new, [p.finding for p in taken]
        # some fix breaks the parse: keep the ones that do not, report the others
        good: list[Planned] = []
        for p in taken:
            trial_edits, _ = combine(doc, good + [p])
            if _parses(apply_text(doc.source, trial_edits)):
                good.append(p)
            else:
                result.dropped.append((p.finding, "the fix would break the parse"))
        if not good:
            return doc.source, []
        edits, taken = combine(doc, good)
        return apply_text(doc.source, edits), [p.finding for p in taken]


def _parses(source: str) -> bool:
    """CPython's own parser: fast, and exactly what will run the file."""
    try:
        ast.parse(source)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
