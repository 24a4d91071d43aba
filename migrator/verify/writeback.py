"""Write verification results into a pack file in place, touching only the ``verification:`` lines.

Packs are hand-edited files with comments and a layout of their own, so this never re-dumps the
YAML: it finds each rule's mapping by position (PyYAML's node marks), replaces that rule's
``verification:`` line (or block) if it has one, and otherwise inserts one flow-style line after the
rule's last line. Every other byte stays as it was; the result is re-loaded before it is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

import yaml

from ..rules.loader import load_pack_text
from ..rules.schema import Verification


def verification_line(indent: int, v: Verification) -> str:
    fields = [f"status: {v.status}"]
    if v.env:
        fields.append(f"env: {json.dumps(v.env)}")
    if v.detail:
        fields.append(f"detail: {json.dumps(v.detail)}")
    return " " * indent + "verification: {" + ", ".join(fields) + "}\n"


def _end_line(node: yaml.Node) -> int:
    """0-based index of the line after the node's last character. A block collection's own end
    mark is the start of the next token, so its last item decides."""
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _end_line(last[1] if isinstance(node, yaml.MappingNode) else last)
    return node.end_mark.line + (1 if node.end_mark.column > 0 else 0)


def _blank_or_comment(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def update_text(text: str, results: Mapping[str, Verification]) -> str:
    """``text`` with the verification of every rule id in ``results`` set; other lines unchanged."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is None or not isinstance(root, yaml.SequenceNode):
        return text
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) over line indices
    for node in root.value:
        if not isinstance(node, yaml.MappingNode) or not node.value:
            continue
        keys = {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        rule_id = keys.get("id", (None, None))[1]
        if rule_id is None or rule_id.value not in results:
            continue
        indent = node.value[0][0].start_mark.column
        new = verification_line(indent, results[rule_id.value])
        if "verification" in keys:
            key, value = keys["verification"]
            edits.append((key.start_mark.line, _end_line(value), new))
            continue
        last_key, last_value = node.value[-1]
        end = _end_line(last_value)
        while end - 1 > last_key.start_mark.line and _blank_or_comment(lines[end - 1]):
            end -= 1  # blank lines and the next rule's comments stay below the inserted line
        edits.append((end, end, new))
    for start, end, new in sorted(edits, reverse=True):
        lines[start:end] = [new]
    return "".join(lines)


def write_pack(path: str | Path, results: Mapping[str, Verification]) -> bool:
    """Update ``path`` in place; True when it changed. The new text must load as the same pack."""
    p = Path(path)
    old = p.read_text(encoding="utf-8")
    new = update_text(old, results)
    if new == old:
        return False
    before = {r.id for r in load_pack_text(old, p)}
    after = load_pack_text(new, p)
    if {r.id for r in after} != before:
        raise ValueError(f"{p}: rewriting verification lines changed the rule set")
    tmp = p.with_name(p.name + ".apimig-tmp")
    tmp.write_text(new, encoding="utf-8", newline="")
    tmp.replace(p)
    return True
