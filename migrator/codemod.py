"""Turn matches into findings with fixes, and apply fixes to a file's text.

Following TorchFix's codemod: collect (span, replacement) pairs in one visit, replace them
in one pass, add the imports; then re-parse and drop any fix that breaks the parse, and
repeat until nothing changes (so a second run is a no-op).
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass, field
from typing import Mapping

from packaging.version import Version
from tree_sitter import Node

from .analysis import Binding, Resolver, UsageIndex, line_starts, text
from .applicability import fix_tier, shows_decline_reason, unsafe_reason
from .findings import Edit, Finding, Fix, Pos
from .edits import ByteEdit, apply_bytes, overlaps
from .imports import NameClash, Need, eager_package, expression_for, import_edits, is_module, looks_like_module, module_of
from .fixcheck import missing_name
from .matcher import Match
from .reshape import use_site_edits
from .rules.schema import HOLE, Rule


class Decline(Exception):
    """The fix cannot be built for this match; the message says why (shown as manual reason)."""


@dataclass
class Document:
    source: str
    data: bytes
    root: Node
    resolver: Resolver
    newline: str = "\n"
    targets: Mapping[str, Version | None] = field(default_factory=dict)  # library -> target version
    _starts: list[int] = field(default_factory=list)
    _uses: UsageIndex | None = None

    def uses(self, binding: Binding) -> int:
        """How many references to ``binding`` the file holds (one scan per name, shared by all findings)."""
        if self._uses is None:
            self._uses = UsageIndex(self.root, self.data, self.resolver)
        return len(self._uses.uses(binding))

    def pos(self, offset: int) -> Pos:
        if not self._starts:
            self._starts = line_starts(self.data)
        line = bisect.bisect_right(self._starts, offset) - 1
        start = self._starts[line]
        return Pos(line, len(self.data[start:offset].decode("utf-8", "surrogatepass")))

    def edit(self, e: ByteEdit) -> Edit:
        return Edit(self.pos(e.start), self.pos(e.end), e.text)


@dataclass
class Planned:
    """A finding with the pieces needed to apply its fix together with others."""

    finding: Finding
    main: list[ByteEdit]
    needs: set[Need]
    frees: Binding | None


class _Ctx:
    def __init__(self, doc: Document, at: Node, prefer_from: bool, replacing: Binding | None = None) -> None:
        self.doc, self.at, self.prefer_from, self.replacing = doc, at, prefer_from, replacing
        self.needs: set[Need] = set()

    def render(self, qname: str) -> str:
        try:
            expr, need = expression_for(qname, self.at, self.doc.resolver, self.prefer_from, self.replacing)
        except NameClash as exc:
            raise Decline(str(exc)) from None
        if need is not None:
            self.needs.add(need)
        return expr


_ATOMIC = {"identifier", "attribute", "call", "subscript", "string", "concatenated_string", "integer", "float",
           "true", "false", "none", "list", "tuple", "dictionary", "set", "parenthesized_expression",
           "list_comprehension", "dictionary_comprehension", "set_comprehension", "generator_expression", "ellipsis"}
# expressions that need parentheses to stand where a call stood
_LOOSE = (ast.BinOp, ast.BoolOp, ast.Compare, ast.UnaryOp, ast.IfExp, ast.Lambda, ast.NamedExpr)


def _arguments(call: Node) -> tuple[list[Node], dict[str, Node], str]:
    args = call.child_by_field_name("arguments")
    if args is None:
        raise Decline("the call has no argument list")
    if args.type == "generator_expression":
        return [args], {}, text(args)
    positional: list[Node] = []
    keywords: dict[str, Node] = {}
    for child in args.named_children:
        if child.type == "keyword_argument":
            keywords[text(child.child_by_field_name("name"))] = child.child_by_field_name("value")  # type: ignore[arg-type,assignment]
        elif child.type in ("list_splat", "dictionary_splat"):
            raise Decline("the call passes *args/**kwargs; the fix cannot see the arguments")
        elif child.type != "comment":
            positional.append(child)
    inner = text(args)[1:-1]
    return positional, keywords, inner


def _delimited(template: str, start: int, end: int) -> bool:
    """Whether a hole stands alone as an argument or element (no parentheses needed)."""
    before = template[:start].rstrip()[-1:]
    after = template[end:].lstrip()[:1]
    return before in ("(", ",", "[", "{") and after in (")", ",", "]", "}")


def fill_template(rule: Rule, template: str, call: Node | None, recv: Node | None, ctx: _Ctx) -> str:
    positional: list[Node] = []
    keywords: dict[str, Node] = {}
    inner = ""
    if call is not None:
        positional, keywords, inner = _arguments(call)
    if not inner.strip():
        template = re.sub(r",\s*\{args\}", "", template)
    bound: dict[str, Node] = {}
    params = list(rule.params)
    for i, value in enumerate(positional):
        bound[str(i)] = value
        if i < len(params):
            bound[params[i]] = value
    for k, value in keywords.items():
        bound[k] = value
        if k in params:
            bound[str(params.index(k))] = value
    used: set[str] = set()
    takes_all = False

    def fill(m: re.Match[str]) -> str:
        nonlocal takes_all
        hole = m.group(1)
        if "." in hole:
            return ctx.render(hole)
        if hole == "args":
            takes_all = True
            return inner
        if hole == "recv":
            if recv is None:
                raise Decline("the template needs a receiver")
            value = recv
        elif hole in bound:
            value = bound[hole]
            used.add(hole)
            if hole.isdigit() and int(hole) < len(params):
                used.add(params[int(hole)])
            if hole in params:
                used.add(str(params.index(hole)))
        else:
            raise Decline(f"the call has no argument {hole!r} for the template")
        code = text(value)
        if value.type not in _ATOMIC and not _delimited(template, m.start(), m.end()):
            code = f"({code})"
        return code

    result = HOLE.sub(fill, template)
    if not takes_all:
        extra = [str(i) for i in range(len(positional)) if str(i) not in used]
        extra += [k for k in keywords if k not in used]
        if extra:
            raise Decline(f"the call passes argument(s) {', '.join(extra)} that the fix cannot carry over")
    try:  # CPython's parser: no libcst import for a check (parentheses let the result span lines)
        expr = ast.parse(f"({result})", mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise Decline("the template produced invalid code") from None
    return f"({result})" if isinstance(expr, _LOOSE) else result


def _arg_edits(rule: Rule, call: Node) -> list[ByteEdit]:
    args = call.child_by_field_name("arguments")
    assert args is not None
    kids = args.children
    ranges: list[tuple[int, int, str]] = []
    for i, child in enumerate(kids):
        if child.type != "keyword_argument":
            continue
        name_node = child.child_by_field_name("name")
        assert name_node is not None
        name = text(name_node)
        if name in rule.fix.arg_rename:
            ranges.append((name_node.start_byte, name_node.end_byte, rule.fix.arg_rename[name]))
        elif name in rule.fix.arg_remove:
            if i > 0 and kids[i - 1].type == ",":
                ranges.append((kids[i - 1].start_byte, child.end_byte, ""))
            elif i + 2 < len(kids) and kids[i + 1].type == ",":
                ranges.append((child.start_byte, kids[i + 2].start_byte, ""))
            else:
                ranges.append((child.start_byte, child.end_byte, ""))
    ranges.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, new in ranges:
        if merged and start < merged[-1][1] and new == "" and merged[-1][2] == "":
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), "")
        else:
            merged.append((start, end, new))
    return [ByteEdit(s, e, t) for s, e, t in merged]


def _freed(match: Match, replacement: str, ctx: "_Ctx") -> Binding | None:
    """The import binding this fix stops using (removed when it was its last use)."""
    b = match.binding
    if b is None or match.where != "ref" or b.kind != "import":
        return None
    rebinds = {n.name if n.kind == "from" else n.module.split(".")[0] for n in ctx.needs}
    if b.name in rebinds:
        return b  # rebound by the new import: `from scipy.misc import comb` -> `from scipy.special import comb`
    if (match.rule.fix.rename or "").startswith("builtins.") and replacement == b.name:
        return b  # `from numpy import float` -> the builtin `float`
    if re.search(rf"(?<![\w.]){re.escape(b.name)}\b", replacement):
        return None
    return b


def _tail_rename(node: Node, old: str, new: str, doc: Document, ctx: _Ctx) -> ByteEdit | None:
    """``nn.init.uniform`` -> ``nn.init.uniform_``: keep the user's spelling of the shared prefix."""
    if node.type != "attribute" or new.startswith("builtins."):
        return None
    old_parts, new_parts = old.split("."), new.split(".")
    k = 0
    while k < min(len(old_parts), len(new_parts)) - 1 and old_parts[k] == new_parts[k]:
        k += 1
    if k == 0:
        return None
    prefix = node
    for _ in range(len(old_parts) - k):
        if prefix.type != "attribute":
            return None
        prefix = prefix.child_by_field_name("object")  # type: ignore[assignment]
    chain = doc.resolver.qualified_chain(prefix) if prefix.type == "attribute" else None
    head = doc.resolver.resolve(text(prefix), prefix) if prefix.type == "identifier" else None
    if chain is None and head is None:
        return None
    binding = chain[1] if chain else head
    assert binding is not None
    module = module_of(new)[0]
    if binding.style == "import" and module.startswith(binding.qname + ".") and is_module(module) \
            and not eager_package(module):  # type: ignore[arg-type]
        ctx.needs.add(Need("import", module))
    return ByteEdit(prefix.end_byte, node.end_byte, "." + ".".join(new_parts[k:]))


def _sibling_module(match: Match, new: str, doc: Document, ctx: _Ctx) -> str | None:
    """``from scipy import misc; misc.comb`` -> ``from scipy import special; special.comb``."""
    b = match.binding
    if b is None or b.style != "from" or match.node.type != "attribute" or not b.qname:
        return None
    depth = len(b.qname.split("."))
    parts = new.split(".")
    parent = b.qname.rpartition(".")[0]
    if len(parts) <= depth or ".".join(parts[: depth - 1]) != parent:
        return None
    module = ".".join(parts[:depth])
    if not (is_module(module) or looks_like_module(module)):
        return None
    name = parts[depth - 1]
    bound = doc.resolver.lookup(name, match.node) or doc.resolver.module.bindings.get(name) or []
    if any(x.qname != module for x in bound):
        return None
    if not bound:
        ctx.needs.add(Need("from", parent, name))
    return ".".join(parts[depth - 1:])


def build(match: Match, doc: Document) -> tuple[list[ByteEdit], set[Need], Binding | None]:
    """The edits that fix ``match``; raises Decline with the reason when it cannot be fixed."""
    main, needs, frees = _build_call(match, doc)
    since = match.rule.replacement_since or match.rule.deprecated_in or match.rule.removed_in
    target = doc.targets.get(match.rule.library)
    for qname in match.rule.fix.qualified_names():
        missing = missing_name(qname, str(since) if since else None, str(target) if target else None)
        if missing is not None:
            raise Decline(missing)
    shape = match.rule.result
    if shape is not None and match.where != "import":
        extra, reason = use_site_edits(match.call, shape, match.rule.old)
        if reason is not None:
            raise Decline(reason)
        main = main + extra
    return main, needs, frees


def _build_call(match: Match, doc: Document) -> tuple[list[ByteEdit], set[Need], Binding | None]:
    rule, node, fix = match.rule, match.node, match.rule.fix
    if match.manual_reason:
        raise Decline(match.manual_reason)
    if not rule.fixable:
        raise Decline("no automatic fix: see the rule's documentation")
    prefer_from = node.type == "identifier" and match.binding is not None and match.binding.style == "from"
    ctx = _Ctx(doc, node, prefer_from, match.binding if prefer_from else None)
    if match.where == "import":
        if not fix.rename:
            raise Decline("rewrite this import by hand")
        rest = text(node).replace(" ", "")[len(rule.old):]
        return [ByteEdit(node.start_byte, node.end_byte, fix.rename + rest)], set(), None
    if fix.arg_rename or fix.arg_remove:
        if match.call is None:
            raise Decline("not a call")
        return _arg_edits(rule, match.call), set(), None
    if match.where == "method":
        recv = match.receiver
        if fix.rename:
            attr = node.child_by_field_name("attribute")
            assert attr is not None
            return [ByteEdit(attr.start_byte, attr.end_byte, fix.rename.rsplit(".", 1)[-1])], set(), None
        if match.call is None:
            raise Decline("the method is not called here")
        if fix.template:
            new = fill_template(rule, fix.template, match.call, recv, ctx)
            return [ByteEdit(match.call.start_byte, match.call.end_byte, new)], ctx.needs, None
    if fix.rename:
        tail = _tail_rename(node, rule.old, fix.rename, doc, ctx)
        if tail is not None:
            return [tail], ctx.needs, None
        sibling = _sibling_module(match, fix.rename, doc, ctx)
        if sibling is not None:
            return [ByteEdit(node.start_byte, node.end_byte, sibling)], ctx.needs, _freed(match, sibling, ctx)
        expr = ctx.render(fix.rename)
        return [ByteEdit(node.start_byte, node.end_byte, expr)], ctx.needs, _freed(match, expr, ctx)
    if fix.template:
        if match.call is None:
            raise Decline(f"`{text(node)}` is used without being called; rewrite it by hand")
        new = fill_template(rule, fix.template, match.call, None, ctx)
        return [ByteEdit(match.call.start_byte, match.call.end_byte, new)], ctx.needs, _freed(match, new, ctx)
    if fix.transform:
        if match.call is None:
            raise Decline("not a call")
        import libcst as cst  # only transforms need libcst trees

        from .transforms import load_transforms

        fn = load_transforms().get(fix.transform)
        try:
            call = cst.parse_expression(text(match.call))
        except cst.ParserSyntaxError:
            raise Decline("the call could not be parsed") from None
        if not isinstance(call, cst.Call):
            raise Decline("not a call")
        result = fn(call, ctx)
        if result is None:
            raise Decline("the transform declined this call")
        code = cst.Module([]).code_for_node(result)
        return [ByteEdit(match.call.start_byte, match.call.end_byte, code)], ctx.needs, _freed(match, code, ctx)
    raise Decline("no fix")


def _title(match: Match, main: list[ByteEdit], doc: Document) -> str | None:
    """``Replace with `np.trapezoid` ``: the matched region as it reads after the fix."""
    if not main:
        return None
    start = min([e.start for e in main] + [match.node.start_byte])
    end = max([e.end for e in main] + [match.node.end_byte])
    shifted = [ByteEdit(e.start - start, e.end - start, e.text) for e in main]
    new = apply_bytes(doc.data[start:end], shifted).decode("utf-8", "replace").strip()
    if not new or "\n" in new or len(new) > 80:
        return None
    return f"Replace with `{new}`"


def plan_finding(match: Match, doc: Document, state: str) -> Planned:
    rule = match.rule
    main: list[ByteEdit] = []
    needs: set[Need] = set()
    frees: Binding | None = None
    manual_reason = None
    try:
        main, needs, frees = build(match, doc)
    except Decline as exc:
        manual_reason = str(exc)
    fix = None
    if manual_reason is None:
        single_frees = [frees] if frees is not None and doc.uses(frees) <= 1 else []
        edits = main + (import_edits(doc.root, doc.data, needs, single_frees, doc.newline)
                        if needs or single_frees else [])
        tier = fix_tier(rule)
        title = _title(match, main, doc) or f"Apply fix for {rule.id}"
        if tier == "unsafe":
            title += f" (unsafe: {rule.reason})"
        fix = Fix(edits=tuple(sorted((doc.edit(e) for e in edits), key=lambda e: (e.start, e.end))),
                  tier=tier, title=title, origin="learned-rule" if rule.origin == "learned" else "rule",
                  confidence=rule.confidence, reason=unsafe_reason(rule))
    finding = Finding(
        rule_id=rule.id, library=rule.library, message=rule.message, start=doc.pos(match.node.start_byte),
        end=doc.pos(match.node.end_byte), state=state, source=rule.source, fix=fix,  # type: ignore[arg-type]
        manual_reason=manual_reason if shows_decline_reason(rule) else None, origin=rule.origin,
        confidence=rule.confidence, snippet=text(match.node))
    return Planned(finding, main, needs, frees)


def combine(doc: Document, planned: list[Planned]) -> tuple[list[ByteEdit], list[Planned]]:
    """Non-overlapping edits for as many fixes as possible; returns (edits, the fixes taken)."""
    taken: list[Planned] = []
    edits: list[ByteEdit] = []
    for p in sorted(planned, key=lambda p: (p.main[0].start if p.main else 0, -(p.main[0].end if p.main else 0))):
        if any(overlaps(e, t) for e in p.main for t in edits):
            continue
        taken.append(p)
        edits.extend(p.main)
    needs = set().union(*(p.needs for p in taken)) if taken else set()
    freed: dict[int, tuple[Binding, int]] = {}
    for p in taken:
        if p.frees is not None:
            b, n = freed.get(id(p.frees), (p.frees, 0))
            freed[id(p.frees)] = (b, n + 1)
    removals = [b for b, n in freed.values() if doc.uses(b) <= n]
    for_imports = import_edits(doc.root, doc.data, needs, removals, doc.newline)
    for ie in for_imports:
        if any(overlaps(ie, e) for e in edits):
            return combine(doc, [p for p in taken if not any(overlaps(ie, e) for e in p.main)])
    return edits + for_imports, taken


_COMPOUND = {"if_statement", "for_statement", "while_statement", "with_statement", "try_statement",
             "function_definition", "class_definition", "decorated_definition", "match_statement"}


def _statement(doc: Document, pos: Pos) -> tuple[int, int]:
    """Byte span of the simple statement holding ``pos`` (a compound statement's header line)."""
    if not doc._starts:
        doc._starts = line_starts(doc.data)
    start = doc._starts[pos.line]
    line_text = doc.data[start:].split(b"\n", 1)[0].decode("utf-8", "replace")
    offset = start + len(line_text[: pos.col].encode("utf-8"))
    node: Node | None = doc.root.descendant_for_byte_range(offset, offset)
    while node is not None and node.parent is not None and node.parent.type not in ("module", "block"):
        node = node.parent
    if node is None or node.type in _COMPOUND or node.parent is None:
        return start, start + len(line_text.encode("utf-8"))
    return node.start_byte, node.end_byte


def hold_back_partial(doc: Document, planned: list[Planned], wanted: list[Planned]) -> list[tuple[Planned, str]]:
    """Fixes to hold back because a sibling use in the same statement stays unmigrated.

    ``a = np.float(x) + torch.solve(B, A)`` with only the first fixed reads as neither the old
    nor the new API; the statement migrates whole or not at all.
    """
    chosen = {id(p) for p in wanted}
    left = [p for p in planned if id(p) not in chosen]
    if not left:
        return []
    blocked: dict[tuple[int, int], Planned] = {}
    for p in left:
        blocked.setdefault(_statement(doc, p.finding.start), p)
    held = []
    for p in wanted:
        other = blocked.get(_statement(doc, p.finding.start))
        if other is not None:
            why = other.finding.manual_reason or (f"its fix is {other.finding.fix.tier}" if other.finding.fix else
                                                  "it has no automatic fix")
            held.append((p, f"held back: `{other.finding.snippet}` in the same statement is not migrated ({why})"))
    return held
