"""The one edit applier: order, overlap, positions in code points, and what a line is."""

from __future__ import annotations

import pytest

from apimig.migrator.edits import ByteEdit, Edit, Pos, apply_bytes, apply_positioned, overlaps, split_lines


def test_edits_apply_back_to_front() -> None:
    data = b"np.trapz(y)\n"
    assert apply_bytes(data, [ByteEdit(3, 8, "trapezoid"), ByteEdit(0, 0, "import numpy as np\n")]) == \
        b"import numpy as np\nnp.trapezoid(y)\n"


def test_overlap_is_shared_interior_and_refused() -> None:
    assert overlaps(ByteEdit(0, 5, ""), ByteEdit(4, 6, ""))
    assert not overlaps(ByteEdit(0, 5, ""), ByteEdit(5, 6, ""))  # meeting at an end point is fine
    with pytest.raises(ValueError, match="overlapping edits at bytes 0-5 and 4-6"):
        apply_bytes(b"abcdefg", [ByteEdit(0, 5, "x"), ByteEdit(4, 6, "y")])


def test_positioned_edits_count_code_points_and_newline_lines() -> None:
    src = "é = np.float(1)\r\nx = 1\n"
    assert apply_positioned(src, [Edit(Pos(0, 4), Pos(0, 12), "float")]) == "é = float(1)\r\nx = 1\n"
    # whole-line edits, the shape the model layer produces; the end may sit past the last line
    assert apply_positioned(src, [Edit(Pos(1, 0), Pos(2, 0), "y = 2\n")]) == "é = np.float(1)\r\ny = 2\n"


def test_only_newline_ends_a_line() -> None:
    assert split_lines("a\x0cb\r\nc") == ["a\x0cb\r\n", "c"]
    assert split_lines("a\n") == ["a\n"]
