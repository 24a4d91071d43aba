"""What a model's new expression may contain: a whitelist built from the finding and its rule.

Why a whitelist: a blacklist of dangerous calls (``os.system``, ``eval``...) is always one
spelling short. The new expression may use only the operands of the original call (its
receiver and arguments, reused unchanged), the replacement API (the rule's fix targets and
the names its message points to, or the same function in another library the engine knows),
reads of the library's surface, and literals. Every other name, call or construct is refused
with the reason the user sees.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from apimig.migrator.rules.schema import HOLE, Rule

#: Expression nodes any fix may build; anything else (conditions, lambdas, walrus, comprehensions,
#: f-strings, await...) is refused by its name below.
_PLAIN = (ast.Call, ast.Attribute, ast.Name, ast.Constant, ast.keyword, ast.expr_context)
#: Nodes that wrap or compute with an operand: allowed only where the rule's template has them.
_SHAPES = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Starred, ast.BinOp, ast.UnaryOp, ast.Subscript, ast.Slice,
           ast.operator, ast.unaryop)
_REFUSED = {ast.IfExp: "a conditional expression", ast.BoolOp: "a boolean condition", ast.Compare: "a comparison",
            ast.Lambda: "a lambda", ast.NamedExpr: "an assignment (:=)", ast.ListComp: "a comprehension",
            ast.SetComp: "a comprehension", ast.DictComp: "a comprehension", ast.GeneratorExp: "a comprehension",
            ast.JoinedStr: "an f-string", ast.Await: "an await", ast.Yield: "a yield", ast.YieldFrom: "a yield"}
_WORD = re.compile(r"[A-Za-z_]\w*")
_BACKTICKED = re.compile(r"`([^`]+)`")
_DOTTED = re.compile(r"[A-Za-z_][\w.]*")


def _code(node: ast.AST) -> str:
    """Source of ``node`` as Python 3.11+ writes it (3.10 writes ``lambda : x``), so reasons read alike."""
    return re.sub(r"\blambda :", "lambda:", ast.unparse(node))


def node_key(node: ast.AST) -> str:
    """Structural identity of a subtree (positions and field names left out)."""
    return ast.dump(node, annotate_fields=False)


@dataclass(frozen=True)
class Allowance:
    """The replacement API of one finding: qualified names, words and library roots it may use."""

    replacements: frozenset[str]  # qualified names a call may go to
    words: frozenset[str]  # methods and attributes the rule's fix or message spells out
    roots: frozenset[str]  # libraries whose surface may be read (not called)
    peer_roots: frozenset[str]  # libraries where the same function may live (scipy.integrate.trapezoid)
    shapes: frozenset[type] = frozenset()  # node types the rule's template builds: List in concat([..])
    reorders: bool = False  # the rule's template moves arguments ({1}, {0})
    keyword_renames: dict[str, tuple[str, ...]] = field(default_factory=dict)  # new keyword -> old ones
    callee: str | None = None  # the original call's own callee: an argument fix calls it again

    @staticmethod
    def of(rule: Rule | None, library: str, known_libraries: set[str], callee: str | None) -> "Allowance":
        """``callee``: what the original call calls; an argument fix calls it again."""
        template = (rule.fix.template or "") if rule is not None else ""
        spelt = HOLE.sub(" ", template)  # the template's own text: len(, .item(), + 1
        fix_names = rule.fix.qualified_names() if rule is not None else []
        # builtins count only when the fix itself writes them (len({0})), never because a message names one
        names = set(fix_names) | {f"builtins.{w}" for w in _WORD.findall(spelt) if is_builtin(w)}
        words = set(_WORD.findall(spelt))
        for span in _BACKTICKED.findall(rule.message if rule is not None else ""):
            head = _DOTTED.match(span.strip().lstrip("."))
            dotted = head.group(0).rstrip(".") if head else ""
            if rule is not None and "." in dotted and not f".{rule.old}".endswith(f".{dotted}"):  # not the old API
                names.add(dotted)
            words |= set(_WORD.findall(span))
        words -= {rule.old.rsplit(".", 1)[-1]} if rule is not None else set()
        words |= {n.rsplit(".", 1)[-1] for n in names}
        roots = {n.split(".")[0] for n in names if n.split(".")[0] != "builtins"}
        roots |= {library} if library.isidentifier() and library != "stdlib" else set()
        holes = [h for h in HOLE.findall(template) if h.isdigit()]
        return Allowance(frozenset(names), frozenset(words), frozenset(roots), frozenset(known_libraries | roots),
                         shapes=_shapes(template), reorders=holes != sorted(holes),
                         keyword_renames=_renames(rule), callee=callee)

    def allows_call(self, qname: str) -> bool:
        if qname in self.replacements or qname == self.callee:
            return True
        leaf = qname.rsplit(".", 1)[-1]
        return qname.split(".")[0] in self.peer_roots and any(r.rsplit(".", 1)[-1] == leaf for r in self.replacements)

    def allows_read(self, qname: str) -> bool:
        return self.allows_call(qname) or qname.split(".")[0] in self.roots


def _shapes(template: str) -> frozenset[type]:
    """Types of the wrapping nodes in ``template``, its holes read as plain names."""
    try:
        tree = ast.parse(HOLE.sub("_", template), mode="eval")
    except SyntaxError:
        return frozenset()
    return frozenset(type(n) for n in ast.walk(tree) if isinstance(n, _SHAPES))


def _renames(rule: Rule | None) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for old, new in (rule.fix.arg_rename.items() if rule is not None else ()):
        out.setdefault(new, []).append(old)
    return {new: tuple(olds) for new, olds in out.items()}


@dataclass
class Usage:
    """What the new expression uses, for the signature and import checks."""

    qnames: list[str] = field(default_factory=list)  # every qualified name read or called
    names: set[str] = field(default_factory=set)  # every bare name read outside reused operands


def operands(call: ast.expr, is_module_ref: Callable[[ast.expr], bool]) -> list[ast.expr]:
    """Receiver and argument values of the original call: what the fix must keep."""
    if not isinstance(call, ast.Call):
        return []
    out: list[ast.expr] = [a for a in call.args] + [k.value for k in call.keywords]
    func = call.func
    if isinstance(func, ast.Attribute) and not is_module_ref(func):
        out.insert(0, func.value)
    return out


class ExpressionCheck:
    """Walk the new expression; ``problem`` is the first whitelist violation (or None).

    ``qualify(node)`` gives the qualified name a Name/Attribute chain stands for (through its
    imports, or ``builtins.<name>``; None for a local); ``is_bound(name)`` tells a local
    variable from an undefined name.
    """

    def __init__(self, allowance: Allowance, original: ast.expr, kept: list[ast.expr],
                 qualify: Callable[[ast.expr], str | None], is_bound: Callable[[ast.Name], bool]) -> None:
        self.allowance = allowance
        self.kept = Counter(node_key(k) for k in kept)
        self.original_names = {n.id for n in ast.walk(original) if isinstance(n, ast.Name)}
        self.original_args = original.args if isinstance(original, ast.Call) else []
        self.original_keywords: dict[str, set[str]] = {}
        for k in getattr(original, "keywords", []):
            if k.arg:
                self.original_keywords.setdefault(node_key(k.value), set()).add(k.arg)
        self.qualify = qualify
        self.is_bound = is_bound
        self.usage = Usage()

    def run(self, new: ast.expr) -> str | None:
        undefined = sorted({n.id for n in ast.walk(new) if isinstance(n, ast.Name) and n.id not in self.original_names
                            and not is_builtin(n.id) and not self.is_bound(n)})
        if undefined:
            return f"introduces undefined name(s): {', '.join(undefined)}"
        return self._visit(new)

    def _visit(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.expr) and self.kept[node_key(node)] > 0:
            self.kept[node_key(node)] -= 1  # an operand of the original call, reused unchanged
            return None
        for kind, what in _REFUSED.items():
            if isinstance(node, kind):
                return f"adds {what}, which the fix does not need"
        if isinstance(node, _SHAPES) and type(node) not in self.allowance.shapes:
            shown = _code(node) if isinstance(node, ast.expr) else type(node).__name__
            return f"wraps or computes with an operand (`{shown}`), which the rule's fix does not do"
        if not isinstance(node, (*_PLAIN, *_SHAPES)):
            return f"adds `{type(node).__name__}`, which a fix does not need"
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, (ast.Name, ast.Attribute)):
            return self._reference(node, called=False)
        for child in ast.iter_child_nodes(node):
            problem = self._visit(child)
            if problem:
                return problem
        return None

    def _call(self, call: ast.Call) -> str | None:
        func = call.func
        qname = self.qualify(func)
        if qname is not None:
            if not self.allowance.allows_call(qname):
                named = ", ".join(sorted(self.allowance.replacements)) or "the rule names none"
                return f"calls `{qname}`, which is not the replacement API ({named})"
            problem = self._moved(call)
            if problem:
                return problem
            problem = self._reference(func, called=True)
            if problem:
                return problem
        elif isinstance(func, ast.Attribute) and func.attr in self.allowance.words and not func.attr.startswith("__"):
            # a method the rule spells out: {0}.item()
            problem = self._visit(func.value)
            if problem:
                return problem
        else:
            return f"adds a call to `{_code(func)}`, which is neither the replacement API nor in the original call"
        for child in [*call.args, *call.keywords]:
            problem = self._visit(child)
            if problem:
                return problem
        return None

    def _moved(self, call: ast.Call) -> str | None:
        """An argument of the original call passed at another position, or under another keyword."""
        old = [node_key(a) for a in self.original_args]
        order: list[int] = []
        for a in call.args:
            at = next((i for i, o in enumerate(old) if o == node_key(a) and i not in order), None)
            order += [] if at is None else [at]
        if not self.allowance.reorders and order != sorted(order):
            return f"reorders the arguments of the original call (`{_code(call)}`)"
        for a in call.args:
            was = self.original_keywords.get(node_key(a), set())
            if was and node_key(a) not in old:
                return f"passes `{_code(a)}` positionally instead of as `{'=, '.join(sorted(was))}=`"
        for k in call.keywords:
            was = self.original_keywords.get(node_key(k.value), set())
            if k.arg and was and k.arg not in was and not was & set(self.allowance.keyword_renames.get(k.arg, ())):
                return f"passes `{_code(k.value)}` as `{k.arg}=` instead of `{'=, '.join(sorted(was))}=`"
        return None

    def _reference(self, node: ast.Name | ast.Attribute, called: bool) -> str | None:
        if isinstance(node, ast.Attribute) and node.attr.startswith("__"):
            return f"reads `{_code(node)}` (a dunder attribute)"
        qname = self.qualify(node)
        if qname is not None:
            if not called and not self.allowance.allows_read(qname):
                return f"uses `{_code(node)}` ({qname}), which is neither an operand of the original call nor the replacement API"
            self.usage.qnames.append(qname)
            root = node
            while isinstance(root, ast.Attribute):
                root = root.value  # type: ignore[assignment]
            if isinstance(root, ast.Name):
                self.usage.names.add(root.id)
            return None
        if isinstance(node, ast.Attribute):
            if node.attr not in self.allowance.words:
                return f"reads `.{node.attr}` of `{_code(node.value)}`, which the replacement API does not name"
            return self._visit(node.value)
        if node.id in self.original_names:
            self.usage.names.add(node.id)
            return None
        return f"uses `{node.id}`, which is neither an operand of the original call nor the replacement API"


def is_builtin(name: str) -> bool:
    return hasattr(builtins, name) or name == "__builtins__"
