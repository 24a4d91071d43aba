"""The replacement a deprecation message names: "use X instead", "X is deprecated, use Y", ...

Names count when quoted, dotted, or in "use X instead"; whether the name really exists is checked
later against the release's surface, so ordinary words ("use it instead") never become a fix.
"""

from __future__ import annotations

import re

_ROLE = re.compile(r":[a-z]+:`~?\.?([^`<]+?)(?:\s*<[^>]*>)?`")
_NAME = r"[`'\"]*\.?(?P<name>[A-Za-z_][\w.]*)(?:\(\))?[`'\"]*"
_PATTERNS = [re.compile(p, re.I) for p in (
    rf"\buse\s+{_NAME}\s+instead",
    rf"\bplease\s+use\s+{_NAME}",
    rf"\b(?:renamed|moved)\s+(?:to\s+)?{_NAME}",
    rf"\bin\s+favou?r\s+of\s+{_NAME}",
    rf"\breplaced\s+(?:by|with)\s+{_NAME}",
    rf"\bdeprecated[;,:.]?\s+use\s+{_NAME}",
    rf"\bis\s+a\s+deprecated\s+alias\s+(?:for|of)\s+{_NAME}",
    rf"\buse\s+{_NAME}",
)]
_QUOTED_FIRST = re.compile(r"^[`'\"]")


_SINCE = re.compile(r"deprecated\s+(?:(?:as\s+of|since|in)\s+)?(?:version\s+|v|[A-Za-z]+\s+)?(\d+\.\d+(?:\.\d+)?)",
                    re.I)


def since(message: str) -> str | None:
    """The version a message says the deprecation started in ("deprecated as of version 2.6")."""
    match = _SINCE.search(message)
    return match.group(1) if match else None


def normalise(message: str) -> str:
    """Sphinx roles become backticks, whitespace collapses."""
    return " ".join(_ROLE.sub(r"`\1`", message).split())


def replacement(message: str, known: frozenset[str] | set[str] = frozenset()) -> str | None:
    """The dotted name the message says to use instead, or None; names in ``known`` (the function's
    own parameters) count even unquoted."""
    text = normalise(message)
    for number, pattern in enumerate(_PATTERNS):
        for match in pattern.finditer(text):
            name = match.group("name").rstrip(".")
            quoted = _QUOTED_FIRST.match(text[max(match.start("name") - 2, 0): match.start("name")].rstrip(".")[-1:])
            if "{" in name or not name:
                continue
            # "use X instead" names X even unquoted; existence in the surface is checked later
            if quoted or "." in name or "_" in name or name in known or number == 0:
                return name
    return None


ALIASES = {"np": "numpy", "pd": "pandas", "nx": "networkx", "plt": "matplotlib.pyplot", "mpl": "matplotlib",
           "tf": "tensorflow", "sa": "sqlalchemy", "sp": "scipy", "sns": "seaborn", "sm": "statsmodels.api"}


def qualify(name: str, context: str, roots: tuple[str, ...]) -> list[str]:
    """Qualified names ``name`` may mean, most likely first, seen from the definition ``context``."""
    name = name.lstrip("~.")
    head, _, rest = name.partition(".")
    if head in ALIASES:
        return [f"{ALIASES[head]}.{rest}" if rest else ALIASES[head]]
    if head in roots:
        return [name]
    if head.startswith("_") and rest:  # Sphinx module tokens: SQLAlchemy's `_query.Query.add_columns`
        return qualify(rest, context, roots)
    parts = context.split(".")
    options = [".".join([*parts[:i], name]) for i in range(len(parts) - 1, 0, -1)]
    return list(dict.fromkeys(options + [f"{r}.{name}" for r in roots]))
