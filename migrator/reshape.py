"""Rewrite the use site of a call whose replacement returns something else.

``torch.solve(B, A)`` returned ``(solution, LU)``; ``torch.linalg.solve(A, B)`` returns the
solution. Renaming the call alone is wrong where the tuple is used: ``x, _ = ...`` would
unpack rows of the solution and ``.solution`` would not exist. A rule's ``result:`` says
which element the new call returns; the use sites that select exactly that element are
rewritten, every other use is left to a person with the reason.
"""

from __future__ import annotations

from tree_sitter import Node

from .analysis import text
from .edits import ByteEdit
from .rules.schema import ResultShape

_UNPACK = ("pattern_list", "tuple_pattern", "list_pattern")


def use_site_edits(call: Node | None, shape: ResultShape, old: str) -> tuple[list[ByteEdit], str | None]:
    """Edits that make the use of ``call`` take the new result; or no edits and the reason why not."""
    returned = f"`{old}` returned ({', '.join(shape.was)}); its replacement returns only `{shape.now}`"
    if call is None:
        return [], f"{returned}: rewrite this use by hand"
    parent = call.parent
    if parent is not None and parent.type == "subscript" and parent.child_by_field_name("value") == call:
        index = parent.child_by_field_name("subscript")
        if index is not None and text(index).strip() == str(shape.index):
            return [ByteEdit(call.end_byte, parent.end_byte, "")], None
        return [], f"{returned}; `[{text(index) if index else ''}]` selects something else"
    if parent is not None and parent.type == "attribute" and parent.child_by_field_name("object") == call:
        attr = text(parent.child_by_field_name("attribute"))  # type: ignore[arg-type]
        if attr == shape.now:
            return [ByteEdit(call.end_byte, parent.end_byte, "")], None
        return [], f"{returned}; `.{attr}` is not part of it"
    if parent is not None and parent.type == "assignment" and parent.child_by_field_name("right") == call:
        left = parent.child_by_field_name("left")
        if left is not None and left.type in _UNPACK:
            targets = [n for n in left.named_children if n.type != "comment"]
            if len(targets) == len(shape.was):
                kept = targets[shape.index]
                dropped = [t for i, t in enumerate(targets) if i != shape.index]
                if all(t.type == "identifier" and text(t).startswith("_") for t in dropped):
                    return [ByteEdit(left.start_byte, left.end_byte, text(kept))], None
                names = ", ".join(f"`{text(t)}`" for t in dropped)
                return [], f"{returned}; {names} would no longer be assigned"
    return [], f"{returned}: check how the result is used and rewrite it by hand"
