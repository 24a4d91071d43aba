"""The learner's libcst view and the matcher's tree-sitter resolver name references the same way.

The learner asks about libcst expressions (it aligns libcst trees); ``Imports`` answers through
``analysis.Resolver``. These cases pin that both agree, and what they say.
"""

from __future__ import annotations

import libcst as cst
import pytest

from apimig.migrator.analysis import Resolver, captures, parser, qualified_name, referenced_names
from apimig.migrator.learner.align import Imports


def _cst_names(code: str) -> dict[str, str | None]:
    module = cst.parse_module(code)
    imports = Imports(module)
    out: dict[str, str | None] = {}

    class Visit(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            out[cst.Module([]).code_for_node(node.func) + f"@{len(out)}"] = imports.qualify(node.func)

    module.visit(Visit())
    return out


def _ts_names(code: str) -> dict[str, str | None]:
    root = parser().parse(code.encode()).root_node
    resolver = Resolver(root)
    calls = sorted(captures("(call) @c", root)["c"], key=lambda n: n.start_byte)
    out: dict[str, str | None] = {}
    for call in calls:
        func = call.child_by_field_name("function")
        assert func is not None
        out[func.text.decode() + f"@{len(out)}"] = qualified_name(resolver, func)
    return out


CASES = {
    "alias": ("import numpy as np\nnp.trapz(y)\n", ["numpy.trapz"]),
    "from-import": ("from numpy import trapz as tz\ntz(y)\n", ["numpy.trapz"]),
    "submodule": ("import scipy.special\nscipy.special.comb(5, 2)\n", ["scipy.special.comb"]),
    "function-local": ("def f(y):\n    import numpy as xp\n    return xp.trapz(y)\n", ["numpy.trapz"]),
    "local-import-stays-local": ("def f():\n    import numpy as np\ndef g(y):\n    return np.trapz(y)\n", [None]),
    "parameter-shadows": ("import numpy as np\ndef f(np):\n    return np.trapz(1)\n", [None]),
    "assignment-shadows": ("import numpy as np\ndef f():\n    np = load()\n    return np.trapz(1)\n",
                           [None, None]),
    "builtin": ("len(x)\n", ["builtins.len"]),
    "shadowed-builtin": ("def len(x):\n    return 0\nlen(x)\n", [None]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_learner_and_matcher_agree(case: str) -> None:
    code, expected = CASES[case]
    learner, matcher = _cst_names(code), _ts_names(code)
    assert list(learner.values()) == list(matcher.values()) == expected


def test_referenced_names_resolve_through_imports_and_scopes() -> None:
    code = "import numpy as np\nfrom scipy import special\ndef f(np):\n    return np.x\nv = special.comb(len(a))\n"
    names = referenced_names(code)
    assert {"scipy.special.comb", "scipy.special", "len", ".comb", ".x"} <= names
    assert "numpy.x" not in names  # the parameter shadows the import
    assert referenced_names("def (") == set()
