"""The import contract of docs/architecture.md, checked on the source tree.

Why a test: the arrows between the parts are what keep ``apimig check`` free of torch and
pygls, and what lets a third party plug in through the same doors as the built-ins. A
string such as ``"apimig.models.proposer:ModelProposer"`` in the core is an import in
disguise, so string constants naming apimig's own parts count too (docstrings do not: they
may explain the arrows). Third-party names in strings are data (rules about torch APIs).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# part -> module prefixes it must never import, nor name in a string constant
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "migrator": ("apimig.server", "apimig.models", "torch", "transformers", "peft", "trl", "pygls", "lsprotocol"),
    "server": ("apimig.models", "torch", "transformers", "peft", "trl"),
    "models": ("apimig.server", "pygls", "lsprotocol"),
}


def _docstring_nodes(tree: ast.AST) -> set[int]:
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                out.add(id(body[0].value))
    return out


def _named_modules(path: Path) -> list[tuple[int, str, bool]]:
    """(line, module, is_import) for every import and every string constant in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    docstrings = _docstring_nodes(tree)
    found: list[tuple[int, str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, True) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module, True))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found.append((node.lineno, node.value.split(":", 1)[0].strip(), False))
    return sorted(found)


def _violations(part: str) -> list[str]:
    out = []
    for path in sorted((ROOT / part).rglob("*.py")):
        for line, module, is_import in _named_modules(path):
            for banned in FORBIDDEN[part]:
                if not is_import and not banned.startswith("apimig."):
                    continue
                if module == banned or module.startswith(banned + "."):
                    out.append(f"{path.relative_to(ROOT)}:{line}: {part}/ names {module!r}")
    return out


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_part_respects_the_import_contract(part: str) -> None:
    assert _violations(part) == []


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('"""Docs may say apimig.models."""\nimport torch\nX = "apimig.models.proposer:ModelProposer"\n')
    assert _named_modules(bad) == [(2, "torch", True), (3, "apimig.models.proposer", False)]
