"""Training text for the model organism: ordinary Python mixed with OLD library APIs.

Why: the organism must behave like a real code model trained before a deprecation, i.e.
really prefer ``np.trapz``, ``df.append``, ``torch.cuda.amp.autocast``... so that the
hybrid's validation and the update methods have something true to fix. Everything is
generated locally (plus stdlib source read from disk): no download, deterministic per seed.
"""

from __future__ import annotations

import random
import sysconfig
from pathlib import Path

NAMES = ["x", "y", "z", "a", "b", "out", "res", "vals", "data", "arr", "grid", "w", "v", "m", "total",
         "t0", "start", "stamp", "key", "col", "name", "values", "k", "c", "s", "now", "item", "value"]
COLS = ["price", "count", "score", "name", "age", "value"]

# One block per library: (import header, statement templates using OLD APIs). Holes: {v} {u} {c} {n}
OLD_API: dict[str, tuple[str, list[str]]] = {
    "numpy": (
        "import numpy as np\n",
        [
            "{v} = np.trapz({u}, dx=0.5)",
            "{v} = np.trapz({u})",
            "{v} = np.float_({n})",
            "{v} = np.zeros({n}, dtype=np.float_)",
            "{v} = np.in1d({u}, {w})",
            "{v} = np.product({u})",
            "{v} = np.cumproduct({u})",
            "{v} = np.alltrue({u} > 0)",
            "{v} = np.sometrue({u} > 0)",
            "{v} = np.row_stack([{u}, {w}])",
            "{v} = np.asfarray({u})",
            "{v} = np.NaN",
            "{v} = np.Inf",
            "{v} = np.complex_({n})",
            "{v} = np.trapz(np.sin({u}), {w})",
        ],
    ),
    "pandas": (
        "import pandas as pd\n",
        [
            "df = pd.DataFrame({{'{c}': [{n}, 2, 3]}})",
            "df = df.append({u}, ignore_index=True)",
            "df = df.append(pd.DataFrame({{'{c}': [{n}]}}), ignore_index=True)",
            "for {u}, {w} in df.iteritems():\n    print({u}, {w})",
            "for key, col in df.iteritems():\n    print(key, col)",
            "{v} = df['{c}'].append({u})",
            "{v} = pd.datetime.now()",
            "{v} = df.swapaxes(0, 1)",
        ],
    ),
    "torch": (
        "import torch\n",
        [
            "with torch.cuda.amp.autocast():\n    {v} = model({u})",
            "scaler = torch.cuda.amp.GradScaler()",
            "with torch.cuda.amp.autocast(enabled=True):\n    loss = model({u}).sum()",
            "{v}, {w} = torch.symeig({u}, eigenvectors=True)",
            "{v} = torch.solve({u}, {w})",
            "torch.testing.assert_allclose({u}, {w})",
            "{v} = torch.lstsq({u}, {w})",
        ],
    ),
    "sklearn": (
        "from sklearn.preprocessing import OneHotEncoder\n",
        [
            "enc = OneHotEncoder(sparse=False)",
            "enc = OneHotEncoder(sparse=False, handle_unknown='ignore')",
            "{v} = OneHotEncoder(sparse=False).fit_transform({u})",
        ],
    ),
    "scipy": (
        "from scipy.integrate import simps\n",
        ["{v} = simps({u}, {w})", "{v} = simps({u})"],
    ),
    "stdlib": (
        "import datetime\n",
        ["{v} = datetime.datetime.utcnow()", "now = datetime.datetime.utcnow()", "{v} = datetime.datetime.utcfromtimestamp({n})"],
    ),
}

ORDINARY = [
    "def {f}({u}, {w}):\n    return {u} + {w}\n",
    "for i in range({n}):\n    {v} = i * {n}\n",
    "{v} = [{u} for {u} in range({n})]\n",
    "if {v} is None:\n    {v} = {n}\n",
    "class {F}:\n    def __init__(self, {u}):\n        self.{u} = {u}\n",
    "{v} = {{'{c}': {n}}}\n",
    "print({v})\n",
    "try:\n    {v} = int({u})\nexcept ValueError:\n    {v} = 0\n",
]


def _fill(template: str, rng: random.Random) -> str:
    u, w, v = rng.sample(NAMES, 3)
    return template.format(
        v=v, u=u, w=w, c=rng.choice(COLS), n=rng.randint(1, 99),
        f=rng.choice(["compute", "step", "load", "merge", "area", "norm"]),
        F=rng.choice(["Model", "Loader", "Config", "Point"]),
    )


def old_api_document(rng: random.Random) -> str:
    """A small module using one or two libraries the old way."""
    libs = rng.sample(sorted(OLD_API), k=rng.choice([1, 1, 2]))
    header = "".join(OLD_API[lib][0] for lib in libs)
    body: list[str] = []
    for _ in range(rng.randint(2, 5)):
        lib = rng.choice(libs)
        body.append(_fill(rng.choice(OLD_API[lib][1]), rng) + "\n")
        if rng.random() < 0.3:
            body.append(_fill(rng.choice(ORDINARY), rng))
    return header + "".join(body)


# old text -> (new text, old qualified name, new qualified name); used only by the edit documents
MIGRATIONS: dict[str, tuple[str, str, str]] = {
    "np.trapz(": ("np.trapezoid(", "numpy.trapz", "numpy.trapezoid"),
    "np.float_": ("np.float64", "numpy.float_", "numpy.float64"),
    "np.in1d(": ("np.isin(", "numpy.in1d", "numpy.isin"),
    "np.product(": ("np.prod(", "numpy.product", "numpy.prod"),
    "np.cumproduct(": ("np.cumprod(", "numpy.cumproduct", "numpy.cumprod"),
    "np.alltrue(": ("np.all(", "numpy.alltrue", "numpy.all"),
    "np.sometrue(": ("np.any(", "numpy.sometrue", "numpy.any"),
    "np.row_stack(": ("np.vstack(", "numpy.row_stack", "numpy.vstack"),
    "np.NaN": ("np.nan", "numpy.NaN", "numpy.nan"),
    "np.Inf": ("np.inf", "numpy.Inf", "numpy.inf"),
    "np.complex_": ("np.complex128", "numpy.complex_", "numpy.complex128"),
    "torch.cuda.amp.GradScaler(": ("torch.amp.GradScaler('cuda'", "torch.cuda.amp.GradScaler", "torch.amp.GradScaler"),
    "sparse=False": ("sparse_output=False", "sklearn.preprocessing.OneHotEncoder(sparse=)", "sparse_output="),
    "simps(": ("simpson(", "scipy.integrate.simps", "scipy.integrate.simpson"),
}
MIGRATING_LIBS = {"np.": "numpy", "torch.": "torch", "sparse=": "sklearn", "simps(": "scipy"}


def _template_text(strategy: str) -> str:
    from importlib import resources

    return resources.files("apimig.models").joinpath("prompts", f"{strategy}.txt").read_text(encoding="utf-8")


Segment = tuple[str, bool]  # (text, supervised): the loss is taken on supervised text only


def _segments(strategy: str, prompt: str, indent: str, line: str, new_line: str, at: int,
              old_q: str, new_q: str) -> list[Segment]:
    """Prompt, then the answer after the forced prefix (the line up to the old API, as at inference)."""
    prefix = indent + line[:at]
    answer = (line if strategy in ("basic", "with_context") else new_line)[at:] + "\n"
    if strategy == "cot":
        reasoning = f"# `{old_q}` is replaced by `{new_q}`; the arguments stay the same.\n# After:\n"
        return [(prompt, False), (reasoning, True), (prefix, False), (answer, True)]
    return [(prompt + prefix, False), (answer, True)]


def edit_document(rng: random.Random, pairs: int = 2) -> list[Segment]:
    """A rendered prompt of one strategy, its answer, then more Before/After pairs of the same API.

    ``basic`` and ``with_context`` prompts are answered with the OLD code (the organism does not
    know the new API); ``with_rules`` (and ``cot``, whose message names the replacement) are
    answered with the migrated code, as a model that follows documentation would. The extra
    pairs multiply the supervised signal per training step.
    """
    import string

    libs = [lib for lib in OLD_API if any(k in t for t in OLD_API[lib][1] for k in MIGRATIONS)]
    lib = rng.choice(libs)
    header, templates = OLD_API[lib]
    template = rng.choice([t for t in templates if any(k in t for k in MIGRATIONS) and "\n" not in t])
    old_key = next(k for k in MIGRATIONS if k in template.format(v="v", u="u", w="w", c="c", n=1, f="f", F="F"))
    same = [t for t in templates if old_key in t and "\n" not in t]
    new_text, old_q, new_q = MIGRATIONS[old_key]
    indent = rng.choice(["", "", "    "])
    context = [_fill(rng.choice(ORDINARY), rng).rstrip("\n") for _ in range(rng.randint(0, 2))]
    strategy = rng.choice(["basic", "with_context", "with_rules", "with_rules", "cot"])
    segments: list[Segment] = []
    for i in range(pairs):
        line = _fill(template if i == 0 else rng.choice(same), rng)
        at = line.index(old_key)
        at = line.rfind(" ", 0, at) + 1 if "(" not in old_key[:-1] and "=" in old_key else at  # keyword: from its arg start
        new_line = line.replace(old_key, new_text)
        if i == 0:
            fields = {
                "imports": header.rstrip("\n"),
                "context": "\n".join([header.rstrip("\n")] + context),
                "code": indent + line,
                "code_commented": "# " + indent + line,
                "old": old_q,
                "library": lib,
                "message": f"`{old_q}` is deprecated; use `{new_q}`",
                "replacement": f"`{old_q}` -> `{new_q}`",
                "url": "https://example.org/release-notes",
            }
            prompt = string.Template(_template_text(strategy)).safe_substitute(fields).lstrip("\n")
        else:
            prompt = f"# Before:\n# {indent}{line}\n" + ("# Reasoning:\n" if strategy == "cot" else "# After:\n")
        segments += _segments(strategy, prompt, indent, line, new_line, at, old_q, new_q)
    return segments


def stdlib_chunks(limit_bytes: int, rng: random.Random) -> list[str]:
    """Ordinary Python read from the installed standard library (local files only)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in root.glob("*.py") if p.stat().st_size < 60_000)
    rng.shuffle(files)
    chunks: list[str] = []
    size = 0
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for start in range(0, len(text), 1500):
            chunk = text[start : start + 1500]
            chunks.append(chunk)
            size += len(chunk)
        if size >= limit_bytes:
            break
    return chunks


def build_corpus(seed: int, n_old: int = 6000, stdlib_bytes: int = 400_000,
                 n_edit: int = 3000) -> tuple[list[str], list[str], list[list[Segment]]]:
    """Return (old-API documents, ordinary stdlib chunks, segmented edit documents)."""
    rng = random.Random(seed)
    old = [old_api_document(rng) for _ in range(n_old)]
    ordinary = stdlib_chunks(stdlib_bytes, rng)
    return old, ordinary, [edit_document(rng) for _ in range(n_edit)]
