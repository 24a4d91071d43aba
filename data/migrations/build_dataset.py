"""Build the migration dataset (``pairs.jsonl``) and its two splits from documented API changes.

Why a generator: every pair is a real, documented change (each entry cites its release notes or
migration guide), but the *variety* users write it in (import styles, argument forms, surrounding
code, compatibility shims that must stay) is mechanical, so we spell it out once here.

Run ``python data/migrations/build_dataset.py`` from the repository root; the output is committed.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20240601

NP2 = "https://numpy.org/devdocs/numpy_2_0_migration_guide.html"
NP124 = "https://numpy.org/devdocs/release/1.24.0-notes.html"
NP125 = "https://numpy.org/devdocs/release/1.25.0-notes.html"
PD2 = "https://pandas.pydata.org/docs/whatsnew/v2.0.0.html"
PD14 = "https://pandas.pydata.org/docs/whatsnew/v1.4.0.html"
PD21 = "https://pandas.pydata.org/docs/whatsnew/v2.1.0.html"
TORCH19 = "https://github.com/pytorch/pytorch/releases/tag/v1.9.0"
TORCH24 = "https://github.com/pytorch/pytorch/releases/tag/v2.4.0"
TORCH112 = "https://github.com/pytorch/pytorch/releases/tag/v1.12.0"
TORCHNN = "https://pytorch.org/docs/stable/nn.functional.html"
TF2 = "https://www.tensorflow.org/guide/migrate"
TFUP = "https://www.tensorflow.org/guide/upgrade"
SK12 = "https://scikit-learn.org/stable/whatsnew/v1.2.html"
SK10 = "https://scikit-learn.org/stable/whatsnew/v1.0.html"
SK15 = "https://scikit-learn.org/stable/whatsnew/v1.5.html"
SK020 = "https://scikit-learn.org/stable/whatsnew/v0.20.html"
SP112 = "https://docs.scipy.org/doc/scipy/release/1.12.0-notes.html"
SP13 = "https://docs.scipy.org/doc/scipy/release/1.3.0-notes.html"
SP113 = "https://docs.scipy.org/doc/scipy/release/1.13.0-notes.html"
SP17 = "https://docs.scipy.org/doc/scipy/release/1.7.0-notes.html"
MPL37 = "https://matplotlib.org/stable/api/prev_api_changes/api_changes_3.7.0.html"
MPL31 = "https://matplotlib.org/stable/api/prev_api_changes/api_changes_3.1.0.html"
MPL39 = "https://matplotlib.org/stable/api/prev_api_changes/api_changes_3.9.0.html"
MPL36 = "https://matplotlib.org/stable/api/prev_api_changes/api_changes_3.6.0.html"
PY312 = "https://docs.python.org/3/whatsnew/3.12.html"
PY310 = "https://docs.python.org/3/whatsnew/3.10.html"
PY38 = "https://docs.python.org/3/whatsnew/3.8.html"
PY39 = "https://docs.python.org/3/whatsnew/3.9.html"
PY311 = "https://docs.python.org/3/whatsnew/3.11.html"
PY313 = "https://docs.python.org/3/whatsnew/3.13.html"
NX3 = "https://networkx.org/documentation/stable/release/release_3.0.html"

# packages whose submodules are reachable after ``import <root>`` (people write ``import torch``)
AUTO_SUBMODULES = {"numpy", "pandas", "torch", "tensorflow", "networkx"}
# conventional aliases: ``import numpy as np``
ALIASES = {"numpy": "np", "pandas": "pd", "tensorflow": "tf", "matplotlib.pyplot": "plt", "networkx": "nx"}


class Imports:
    """Renders qualified names in one import style and remembers the imports they need."""

    def __init__(self, style: str) -> None:
        self.style = style
        self.lines: list[str] = []
        self.froms: dict[str, list[str]] = {}

    def _add(self, line: str) -> None:
        if line not in self.lines:
            self.lines.append(line)

    def ref(self, qname: str, module: str | None = None) -> str:
        if "." not in qname or qname.startswith("builtins."):  # a builtin
            return qname.rsplit(".", 1)[-1]
        mod, _, name = qname.rpartition(".") if module is None else (module, ".", qname[len(module) + 1:])
        style = self.style
        alias_mod = next((m for m in sorted(ALIASES, key=len, reverse=True)
                          if qname.startswith(m + ".")), None)
        if style == "alias" and alias_mod:
            self._add(f"import {alias_mod} as {ALIASES[alias_mod]}")
            return ALIASES[alias_mod] + qname[len(alias_mod):]
        if style == "from" and "." in name:  # a class attribute: from datetime import datetime
            head = name.split(".")[0]
            if mod not in self.froms:
                self.froms[mod] = []
                self._add(f"@from {mod}")
            if head not in self.froms[mod]:
                self.froms[mod].append(head)
            return name
        if style == "from" and "." not in name:
            if mod not in self.froms:
                self.froms[mod] = []
                self._add(f"@from {mod}")
            if name not in self.froms[mod]:
                self.froms[mod].append(name)
            return name
        if style == "submodule" and "." in mod:
            parent, _, leaf = mod.rpartition(".")
            self._add(f"from {parent} import {leaf}")
            return f"{leaf}.{name}"
        root = qname.split(".")[0]
        self._add(f"import {root if root in AUTO_SUBMODULES else mod}")
        return qname

    def header(self) -> str:
        out = []
        for line in self.lines:
            if line.startswith("@from "):
                mod = line[6:]
                out.append(f"from {mod} import {', '.join(self.froms[mod])}")
            else:
                out.append(line)
        return "\n".join(out) + "\n" if out else ""


def render(template: str, imp: Imports, values: dict[str, str]) -> str:
    """Fill ``{numpy.trapz}`` (qualified, rendered through imports) and ``{x}`` (plain) holes."""

    def fill(m: re.Match[str]) -> str:
        key = m.group(1)
        if key in values:
            return values[key]
        if "." in key or key.startswith("@"):
            name = key.lstrip("@")
            module = None
            if "|" in name:  # {sklearn.metrics.ConfusionMatrixDisplay.from_estimator|sklearn.metrics}
                name, module = name.split("|")
            return imp.ref(name, module)
        return m.group(0)

    return re.sub(r"\{([^{}]+)\}", fill, template)


CONTEXTS = [
    "{setup}result = {expr}\n",
    "def compute():\n{setup_i}    return {expr}\n",
    "{setup}print({expr})\n",
    "class Model:\n    def run(self):\n{setup_ii}        value = {expr}\n        return value\n",
    "{setup}for step in range(3):\n    out = {expr}\n",
    "{setup}values = [{expr} for _ in range(2)]\n",
    "{setup}try:\n    out = {expr}\nexcept ValueError:\n    out = None\n",
    "def helper(flag):\n{setup_i}    if flag:\n        return {expr}\n    return None\n",
]


def indent(text: str, n: int) -> str:
    return "".join(" " * n + line + "\n" for line in text.splitlines())


@dataclass
class Change:
    """One documented API change and the ways to exercise it.

    ``old``/``new`` are expression templates: ``{numpy.trapz}`` is a qualified name rendered through
    the snippet's import style, ``{a}`` an argument text from ``args``.
    """

    lib: str
    api: str
    kind: str
    frm: str
    to: str
    source: str
    old: str
    new: str
    args: list[dict[str, str]]
    setup: str = ""  # statements run before the expression (rendered through imports too)
    styles: tuple[str, ...] = ("alias", "full", "from")
    n: int = 7
    noops: list[str] = field(default_factory=list)  # full snippets (templates) that must not change
    receiver: bool = False


def make_pair(ch: Change, style: str, args: dict[str, str], ctx: str) -> tuple[str, str]:
    out = []
    for side in (ch.old, ch.new):
        imp = Imports(style)
        setup = render(ch.setup, imp, args) if ch.setup else ""
        expr = render(side, imp, args)
        body = ctx.format(setup=setup + ("\n" if setup and not setup.endswith("\n") else ""),
                          setup_i=indent(setup, 4), setup_ii=indent(setup, 8), expr=expr)
        out.append(imp.header() + ("\n" if imp.lines else "") + body)
    return out[0], out[1]


def noop_pair(ch: Change, template: str, style: str) -> str:
    imp = Imports(style)
    body = render(template, imp, {})
    return imp.header() + ("\n" if imp.lines and not body.startswith("\n") else "") + body


def A(*items: str, **kw: str) -> list[dict[str, str]]:
    return [dict(zip(["a", "b", "c"], it.split("|"))) | kw for it in items]


def rename(lib: str, old: str, new: str, frm: str, to: str, src: str, args: list[str], kind: str = "rename",
           setup: str = "", styles: tuple[str, ...] = ("alias", "full", "from"), n: int = 7,
           attr: bool = False, noops: list[str] | None = None) -> Change:
    call = "" if attr else "({a})"
    default_noops = [
        # a user function of the same name, no import of the library
        f"def {old.rsplit('.', 1)[1]}(*args):\n    return args\n\n\nresult = {old.rsplit('.', 1)[1]}"
        + ("" if attr else "(1, 2)") + "\n",
        # mentioned only in a string and a comment
        f"import {old.rsplit('.', 1)[0]}\n\nnote = \"{old} was renamed\"  # {old}\n",
    ]
    if not attr and not new.startswith("builtins."):
        default_noops.append(
            f"try:\n    result = {{{new}}}(values)\nexcept AttributeError:\n    result = {{{old}}}(values)\n")
    return Change(lib, old, kind, frm, to, src, "{" + old + "}" + call, "{" + new + "}" + call,
                  [{"a": a} for a in args], setup=setup, styles=styles, n=n,
                  noops=default_noops + (noops or []))


CHANGES: list[Change] = [
    # ---------------- numpy ----------------
    rename("numpy", "numpy.trapz", "numpy.trapezoid", "1.26", "2.0", NP2,
           ["y", "y, x", "y, dx=0.5", "[1, 2, 3]", "y, x, axis=0"], setup="y = [1.0, 2.0, 4.0]\nx = [0, 1, 2]",
           noops=["def area(np, y):\n    return np.trapz(y)\n",
                  "import numpy as np\n\nif hasattr(np, \"trapezoid\"):\n    f = np.trapezoid\nelse:\n    f = np.trapz\n"]),
    rename("numpy", "numpy.row_stack", "numpy.vstack", "1.26", "2.0", NP2,
           ["[a, b]", "(a, b)", "[a, b, a]"], setup="a = [1, 2]\nb = [3, 4]"),
    rename("numpy", "numpy.product", "numpy.prod", "1.24", "2.0", NP125,
           ["x", "x, axis=0", "[1, 2, 3]", "x, keepdims=True"], setup="x = [2, 3, 4]"),
    rename("numpy", "numpy.cumproduct", "numpy.cumprod", "1.24", "2.0", NP125,
           ["x", "x, axis=0", "[1, 2, 3]"], setup="x = [2, 3, 4]"),
    rename("numpy", "numpy.sometrue", "numpy.any", "1.24", "2.0", NP125,
           ["mask", "mask, axis=0", "[True, False]"], setup="mask = [True, False, True]"),
    rename("numpy", "numpy.alltrue", "numpy.all", "1.24", "2.0", NP125,
           ["mask", "mask, axis=0", "[True, True]"], setup="mask = [True, False, True]"),
    rename("numpy", "numpy.round_", "numpy.round", "1.24", "2.0", NP125,
           ["x", "x, 2", "x, decimals=1", "3.14159, 2"], setup="x = [1.234, 5.678]"),
    rename("numpy", "numpy.float_", "numpy.float64", "1.26", "2.0", NP2, ["1.5", "x", "'2.5'"],
           setup="x = 3"),
    rename("numpy", "numpy.complex_", "numpy.complex128", "1.26", "2.0", NP2, ["1j", "x", "2 + 3j"],
           setup="x = 1"),
    rename("numpy", "numpy.unicode_", "numpy.str_", "1.26", "2.0", NP2, ["'abc'", "name", "42"],
           setup="name = 'x'"),
    rename("numpy", "numpy.string_", "numpy.bytes_", "1.26", "2.0", NP2, ["b'abc'", "raw", "b''"],
           setup="raw = b'x'"),
    rename("numpy", "numpy.NaN", "numpy.nan", "1.26", "2.0", NP2, ["", ""], attr=True),
    rename("numpy", "numpy.Inf", "numpy.inf", "1.26", "2.0", NP2, ["", ""], attr=True),
    rename("numpy", "numpy.infty", "numpy.inf", "1.26", "2.0", NP2, ["", ""], attr=True),
    rename("numpy", "numpy.float", "builtins.float", "1.20", "1.24", NP124, ["x", "'1.5'", "3"],
           kind="alias-removal", styles=("alias", "full"), setup="x = 2"),
    rename("numpy", "numpy.int", "builtins.int", "1.20", "1.24", NP124, ["x", "'7'", "2.9"],
           kind="alias-removal", styles=("alias", "full"), setup="x = 2.5"),
    rename("numpy", "numpy.bool", "builtins.bool", "1.20", "1.24", NP124, ["x", "0", "[]"],
           kind="alias-removal", styles=("alias", "full"), setup="x = 1"),
    rename("numpy", "numpy.object", "builtins.object", "1.20", "1.24", NP124, ["", ""],
           kind="alias-removal", styles=("alias", "full")),
    Change("numpy", "numpy.in1d", "call-rewrite", "1.26", "2.0", NP2, "{numpy.in1d}({a}, {b})",
           "{numpy.isin}({a}, {b}).ravel()", A("a|b", "values|[1, 2]", "[3, 4]|b"),
           setup="a = [1, 2, 3]\nb = [2]\nvalues = [5]", n=7),
    Change("numpy", "numpy.asfarray", "call-rewrite", "1.26", "2.0", NP2, "{numpy.asfarray}({a})",
           "{numpy.asarray}({a}, dtype=float)", A("x", "[1, 2]", "rows"), setup="x = [1]\nrows = [[1], [2]]"),
    Change("numpy", "numpy.msort", "call-rewrite", "1.26", "2.0", NP2, "{numpy.msort}({a})",
           "{numpy.sort}({a}, axis=0)", A("x", "[3, 1, 2]", "data"), setup="x = [2, 1]\ndata = [[2], [1]]"),
    # ---------------- pandas ----------------
    Change("pandas", "pandas.DataFrame.append", "method-to-function", "1.3", "2.0", PD14,
           "{r}.append({a})", "{pandas.concat}([{r}, {a}])",
           A("other|df", "extra|frame", "df|df", "new_rows|table"),
           setup="{r} = {pandas.DataFrame}(dict(a=[1]))\n{a} = {pandas.DataFrame}(dict(a=[2]))",
           styles=("alias", "full"), n=8, receiver=True,
           noops=["items = []\nitems.append(3)\n", "rows = [1]\nrows.append(rows)\n",
                  "class Log:\n    def append(self, x):\n        return x\n\n\nlog = Log()\nlog.append(1)\n"]),
    Change("pandas", "pandas.Series.append", "method-to-function", "1.3", "2.0", PD14,
           "{r}.append({a})", "{pandas.concat}([{r}, {a}])", A("other|s", "more|col"),
           setup="{r} = {pandas.Series}([1, 2])\n{a} = {pandas.Series}([3])", styles=("alias", "full"), n=6,
           receiver=True, noops=["names = ['a']\nnames.append('b')\n"]),
    Change("pandas", "pandas.DataFrame.iteritems", "method-rename", "1.5", "2.0", PD2,
           "{r}.iteritems()", "{r}.items()", A("|df", "|frame", "|table"),
           setup="{r} = {pandas.DataFrame}(dict(a=[1]))", styles=("alias", "full"), n=6, receiver=True,
           noops=["import pandas as pd\n\nd = {'a': 1}\nfor k in d.items():\n    print(k)\n"]),
    Change("pandas", "pandas.Series.iteritems", "method-rename", "1.5", "2.0", PD2,
           "{r}.iteritems()", "{r}.items()", A("|s", "|col"),
           setup="{r} = {pandas.Series}([1, 2])", styles=("alias", "full"), n=5, receiver=True),
    Change("pandas", "pandas.DataFrame.applymap", "method-rename", "2.0", "2.1", PD21,
           "{r}.applymap({a})", "{r}.map({a})", A("str|df", "len|frame", "abs|df"),
           setup="{r} = {pandas.DataFrame}(dict(a=[1]))", styles=("alias", "full"), n=6, receiver=True),
    Change("pandas", "pandas.DataFrame.pad", "method-rename", "1.5", "2.0", PD2,
           "{r}.pad({a})", "{r}.ffill({a})", A("|df", "limit=1|df", "axis=0|frame"),
           setup="{r} = {pandas.DataFrame}(dict(a=[1, None]))", styles=("alias", "full"), n=5, receiver=True),
    Change("pandas", "pandas.DataFrame.backfill", "method-rename", "1.5", "2.0", PD2,
           "{r}.backfill({a})", "{r}.bfill({a})", A("|df", "limit=2|df"),
           setup="{r} = {pandas.DataFrame}(dict(a=[None, 1]))", styles=("alias", "full"), n=5, receiver=True),
    rename("pandas", "pandas.Int64Index", "pandas.Index", "1.4", "2.0", PD2, ["[1, 2]", "values", "range(3)"],
           setup="values = [4, 5]"),
    rename("pandas", "pandas.Float64Index", "pandas.Index", "1.4", "2.0", PD2, ["[1.0, 2.5]", "values"],
           setup="values = [4.0]"),
    rename("pandas", "pandas.UInt64Index", "pandas.Index", "1.4", "2.0", PD2, ["[1, 2]", "values"],
           setup="values = [7]"),
    rename("pandas", "pandas.util.testing.assert_frame_equal", "pandas.testing.assert_frame_equal", "1.0", "2.0",
           PD2, ["left, right", "left, right, check_dtype=False"], kind="move", styles=("full", "from"),
           setup="left = right = None"),
    rename("pandas", "pandas.util.testing.assert_series_equal", "pandas.testing.assert_series_equal", "1.0",
           "2.0", PD2, ["a, b", "a, b, check_names=False"], kind="move", styles=("full", "from"),
           setup="a = b = None"),
    Change("pandas", "pandas.value_counts", "call-rewrite", "2.0", "2.1", PD21, "{pandas.value_counts}({a})",
           "{pandas.Series}({a}).value_counts()", A("values", "[1, 1, 2]", "labels"),
           setup="values = [1, 2]\nlabels = ['a']", n=6),
    # ---------------- torch ----------------
    rename("torch", "torch.ger", "torch.outer", "1.8", "2.0", TORCH19, ["a, b", "x, x", "a, b.flip(0)"],
           setup="a = b = x = None", styles=("full", "from")),
    rename("torch", "torch.qr", "torch.linalg.qr", "1.9", "2.0", TORCH19, ["a", "m", "a, some=True"],
           kind="move", setup="a = m = None", styles=("full", "from")),
    rename("torch", "torch.cholesky", "torch.linalg.cholesky", "1.9", "2.0", TORCH19, ["a", "cov"],
           kind="move", setup="a = cov = None", styles=("full", "from")),
    rename("torch", "torch.matrix_rank", "torch.linalg.matrix_rank", "1.9", "2.0", TORCH19, ["a", "w"],
           kind="move", setup="a = w = None", styles=("full", "from")),
    rename("torch", "torch.symeig", "torch.linalg.eigh", "1.9", "2.0", TORCH19, ["a", "h"],
           kind="move", setup="a = h = None", styles=("full", "from")),
    rename("torch", "torch.testing.assert_allclose", "torch.testing.assert_close", "1.12", "2.0", TORCH112,
           ["actual, expected", "out, ref", "a, b"], setup="actual = expected = out = ref = a = b = None",
           styles=("full", "from")),
    rename("torch", "torch.nn.utils.clip_grad_norm", "torch.nn.utils.clip_grad_norm_", "1.0", "2.0", TORCHNN,
           ["params, 1.0", "model_params, max_norm=5.0"], setup="params = model_params = []",
           styles=("full", "from")),
    rename("torch", "torch.nn.functional.upsample", "torch.nn.functional.interpolate", "1.0", "2.0", TORCHNN,
           ["x, scale_factor=2", "img, size=(8, 8)", "x, None, 2"], setup="x = img = None",
           styles=("full", "from", "submodule")),
    rename("torch", "torch.nn.functional.sigmoid", "torch.sigmoid", "1.0", "2.0", TORCHNN,
           ["x", "logits"], kind="move", setup="x = logits = None", styles=("full", "submodule")),
    rename("torch", "torch.nn.functional.tanh", "torch.tanh", "1.0", "2.0", TORCHNN,
           ["x", "h"], kind="move", setup="x = h = None", styles=("full", "submodule")),
    Change("torch", "torch.solve", "call-rewrite", "1.9", "2.0", TORCH19, "{torch.solve}({a}, {b})",
           "{torch.linalg.solve}({b}, {a})", A("b|A", "rhs|lhs", "y|m"),
           setup="A = b = rhs = lhs = y = m = None", styles=("full",), n=6),
    Change("torch", "torch.lstsq", "call-rewrite", "1.9", "2.0", TORCH19, "{torch.lstsq}({a}, {b})",
           "{torch.linalg.lstsq}({b}, {a})", A("b|A", "target|design"),
           setup="A = b = target = design = None", styles=("full",), n=5),
    Change("torch", "torch.cuda.amp.GradScaler", "call-rewrite", "2.3", "2.4", TORCH24,
           "{torch.cuda.amp.GradScaler}()", "{torch.amp.GradScaler}(\"cuda\")", A(""), styles=("full",),
           n=6),
    # ---------------- tensorflow ----------------
    rename("tensorflow", "tensorflow.Session", "tensorflow.compat.v1.Session", "1.15", "2.0", TF2,
           ["", "graph=g", "config=cfg"], kind="move", setup="g = cfg = None", styles=("alias", "full")),
    rename("tensorflow", "tensorflow.placeholder", "tensorflow.compat.v1.placeholder", "1.15", "2.0", TF2,
           ["tf.float32", "'float32', shape=(None, 3)", "dtype, name='x'"], kind="move",
           setup="dtype = None", styles=("alias",)),
    rename("tensorflow", "tensorflow.global_variables_initializer",
           "tensorflow.compat.v1.global_variables_initializer", "1.15", "2.0", TF2, [""], kind="move",
           styles=("alias", "full")),
    rename("tensorflow", "tensorflow.get_variable", "tensorflow.compat.v1.get_variable", "1.15", "2.0", TF2,
           ["'w', shape=[3]", "name, [2, 2]"], kind="move", setup="name = 'v'", styles=("alias", "full")),
    rename("tensorflow", "tensorflow.log", "tensorflow.math.log", "1.13", "2.0", TFUP, ["x", "probs + 1e-9"],
           kind="move", setup="x = probs = 1.0", styles=("alias", "full")),
    rename("tensorflow", "tensorflow.random_normal", "tensorflow.random.normal", "1.13", "2.0", TFUP,
           ["[2, 3]", "shape, stddev=0.1", "(4,), mean=1.0"], kind="move", setup="shape = [2]",
           styles=("alias", "full")),
    rename("tensorflow", "tensorflow.random_uniform", "tensorflow.random.uniform", "1.13", "2.0", TFUP,
           ["[2, 3]", "shape, minval=0, maxval=1"], kind="move", setup="shape = [2]", styles=("alias", "full")),
    rename("tensorflow", "tensorflow.matrix_inverse", "tensorflow.linalg.inv", "1.13", "2.0", TFUP,
           ["m", "cov"], kind="move", setup="m = cov = None", styles=("alias", "full")),
    rename("tensorflow", "tensorflow.matrix_determinant", "tensorflow.linalg.det", "1.13", "2.0", TFUP,
           ["m", "jac"], kind="move", setup="m = jac = None", styles=("alias", "full")),
    rename("tensorflow", "tensorflow.gfile.Exists", "tensorflow.io.gfile.exists", "1.13", "2.0", TFUP,
           ["path", "'/tmp/x'"], kind="move", setup="path = 'model.ckpt'", styles=("alias", "full")),
    rename("tensorflow", "tensorflow.gfile.MakeDirs", "tensorflow.io.gfile.makedirs", "1.13", "2.0", TFUP,
           ["path", "'/tmp/out'"], kind="move", setup="path = 'logs'", styles=("alias", "full")),
    Change("tensorflow", "tensorflow.to_float", "call-rewrite", "1.13", "2.0", TFUP, "{tensorflow.to_float}({a})",
           "{tensorflow.cast}({a}, {tensorflow.float32})", A("x", "labels", "mask > 0"),
           setup="x = labels = mask = 1", styles=("alias", "full"), n=6),
    Change("tensorflow", "tensorflow.to_int32", "call-rewrite", "1.13", "2.0", TFUP, "{tensorflow.to_int32}({a})",
           "{tensorflow.cast}({a}, {tensorflow.int32})", A("x", "preds"),
           setup="x = preds = 1.0", styles=("alias", "full"), n=5),
    Change("tensorflow", "tensorflow.reduce_sum", "argument-rename", "1.5", "2.0", TFUP,
           "{tensorflow.reduce_sum}({a}, {b}keep_dims={c})", "{tensorflow.reduce_sum}({a}, {b}keepdims={c})",
           A("x||True", "x|axis=1, |True", "loss|1, |False"), setup="x = loss = 1.0", styles=("alias", "full"),
           n=6, noops=["import tensorflow as tf\n\ntotal = tf.reduce_sum(x, axis=1, keepdims=True)\n",
                       "import tensorflow as tf\n\ntotal = tf.reduce_sum(x)\n"]),
    Change("tensorflow", "tensorflow.reduce_mean", "argument-rename", "1.5", "2.0", TFUP,
           "{tensorflow.reduce_mean}({a}, {b}keep_dims={c})", "{tensorflow.reduce_mean}({a}, {b}keepdims={c})",
           A("x||True", "x|axis=0, |True", "err|-1, |False"), setup="x = err = 1.0", styles=("alias", "full"),
           n=6, noops=["import tensorflow as tf\n\nm = tf.reduce_mean(x, axis=0)\n"]),
    Change("tensorflow", "tensorflow.squeeze", "argument-rename", "1.5", "2.0", TFUP,
           "{tensorflow.squeeze}({a}, squeeze_dims={b})", "{tensorflow.squeeze}({a}, axis={b})",
           A("x|[1]", "t|0", "out|[0, 2]"), setup="x = t = out = 1.0", styles=("alias", "full"), n=5,
           noops=["import tensorflow as tf\n\ny = tf.squeeze(x, axis=[1])\n"]),
    # ---------------- scikit-learn ----------------
    Change("sklearn", "sklearn.preprocessing.OneHotEncoder", "argument-rename", "1.1", "1.2", SK12,
           "{sklearn.preprocessing.OneHotEncoder}({a}sparse={b})",
           "{sklearn.preprocessing.OneHotEncoder}({a}sparse_output={b})",
           A("|False", "handle_unknown='ignore', |False", "|True", "drop='first', |flag"), setup="flag = False",
           styles=("from", "full"), n=7,
           noops=["from sklearn.preprocessing import OneHotEncoder\n\nenc = OneHotEncoder(sparse_output=False)\n",
                  "from sklearn.preprocessing import OneHotEncoder\n\nenc = OneHotEncoder(handle_unknown='ignore')\n",
                  "from scipy.sparse import csr_matrix\n\nm = csr_matrix((2, 2))\nsparse = False\n"]),
    Change("sklearn", "sklearn.ensemble.AdaBoostClassifier", "argument-rename", "1.1", "1.2", SK12,
           "{sklearn.ensemble.AdaBoostClassifier}({a}base_estimator={b})",
           "{sklearn.ensemble.AdaBoostClassifier}({a}estimator={b})",
           A("|tree", "n_estimators=50, |tree", "|None"), setup="tree = None", styles=("from", "full"), n=5,
           noops=["from sklearn.ensemble import AdaBoostClassifier\n\nclf = AdaBoostClassifier(n_estimators=10)\n"]),
    Change("sklearn", "sklearn.ensemble.BaggingClassifier", "argument-rename", "1.1", "1.2", SK12,
           "{sklearn.ensemble.BaggingClassifier}({a}base_estimator={b})",
           "{sklearn.ensemble.BaggingClassifier}({a}estimator={b})",
           A("|tree", "n_estimators=20, |svc"), setup="tree = svc = None", styles=("from", "full"), n=5),
    Change("sklearn", "sklearn.manifold.TSNE", "argument-rename", "1.4", "1.5", SK15,
           "{sklearn.manifold.TSNE}({a}n_iter={b})", "{sklearn.manifold.TSNE}({a}max_iter={b})",
           A("|500", "n_components=2, |1000", "perplexity=30.0, |steps"), setup="steps = 300",
           styles=("from", "full"), n=5,
           noops=["from sklearn.manifold import TSNE\n\nt = TSNE(n_components=2)\n"]),
    rename("sklearn", "sklearn.cross_validation.train_test_split", "sklearn.model_selection.train_test_split",
           "0.18", "0.20", SK020, ["X, y", "X, y, test_size=0.2", "X, y, random_state=0"], kind="move",
           setup="X = y = []", styles=("from", "full", "submodule")),
    rename("sklearn", "sklearn.cross_validation.KFold", "sklearn.model_selection.KFold", "0.18", "0.20",
           SK020, ["5", "n_splits=3"], kind="move", styles=("from", "full")),
    rename("sklearn", "sklearn.cross_validation.cross_val_score", "sklearn.model_selection.cross_val_score",
           "0.18", "0.20", SK020, ["clf, X, y", "clf, X, y, cv=5"], kind="move", setup="clf = X = y = None",
           styles=("from", "full", "submodule")),
    rename("sklearn", "sklearn.grid_search.GridSearchCV", "sklearn.model_selection.GridSearchCV", "0.18",
           "0.20", SK020, ["clf, grid", "clf, grid, cv=3"], kind="move", setup="clf = grid = None",
           styles=("from", "full")),
    Change("sklearn", "sklearn.preprocessing.PolynomialFeatures.get_feature_names", "method-rename", "1.0",
           "1.2", SK10, "{r}.get_feature_names({a})", "{r}.get_feature_names_out({a})", A("|poly", "names|poly"),
           setup="{r} = {sklearn.preprocessing.PolynomialFeatures}(2)\nnames = ['a']", styles=("from", "full"),
           n=5, receiver=True),
    Change("sklearn", "sklearn.feature_extraction.text.CountVectorizer.get_feature_names", "method-rename",
           "1.0", "1.2", SK10, "{r}.get_feature_names()", "{r}.get_feature_names_out()", A("|vec", "|cv"),
           setup="{r} = {sklearn.feature_extraction.text.CountVectorizer}()", styles=("from", "full"), n=5,
           receiver=True),
    # ---------------- scipy ----------------
    rename("scipy", "scipy.integrate.trapz", "scipy.integrate.trapezoid", "1.12", "1.14", SP112,
           ["y", "y, x", "y, dx=0.1"], setup="y = [1, 2]\nx = [0, 1]", styles=("from", "submodule", "full")),
    rename("scipy", "scipy.integrate.simps", "scipy.integrate.simpson", "1.12", "1.14", SP112,
           ["y", "y, x=x"], setup="y = [1, 2, 3]\nx = [0, 1, 2]", styles=("from", "submodule", "full")),
    rename("scipy", "scipy.integrate.cumtrapz", "scipy.integrate.cumulative_trapezoid", "1.12", "1.14", SP112,
           ["y", "y, x, initial=0"], setup="y = [1, 2]\nx = [0, 1]", styles=("from", "submodule", "full")),
    rename("scipy", "scipy.misc.comb", "scipy.special.comb", "1.0", "1.3", SP13, ["5, 2", "n, k, exact=True"],
           kind="move", setup="n = 6\nk = 3", styles=("from", "submodule", "full")),
    rename("scipy", "scipy.misc.factorial", "scipy.special.factorial", "1.0", "1.3", SP13, ["5", "n, exact=True"],
           kind="move", setup="n = 4", styles=("from", "submodule", "full")),
    rename("scipy", "scipy.misc.logsumexp", "scipy.special.logsumexp", "1.0", "1.3", SP13, ["a", "a, axis=0"],
           kind="move", setup="a = [1.0, 2.0]", styles=("from", "submodule", "full")),
    rename("scipy", "scipy.signal.gaussian", "scipy.signal.windows.gaussian", "1.1", "1.13", SP113,
           ["51, std=7", "n, 2.0"], kind="move", setup="n = 9", styles=("from", "full")),
    rename("scipy", "scipy.signal.hann", "scipy.signal.windows.hann", "1.1", "1.13", SP113, ["51", "n, sym=False"],
           kind="move", setup="n = 9", styles=("from", "full")),
    rename("scipy", "scipy.linalg.pinv2", "scipy.linalg.pinv", "1.7", "1.9", SP17, ["a", "m, rcond=1e-6"],
           setup="a = m = [[1.0]]", styles=("from", "submodule", "full")),
    # ---------------- matplotlib ----------------
    Change("matplotlib", "matplotlib.cm.get_cmap", "call-rewrite", "3.6", "3.9", MPL37, "{matplotlib.cm.get_cmap}({a})",
           "{matplotlib.colormaps}[{a}]", A("'viridis'", "name", "'magma'"), setup="name = 'jet'",
           styles=("submodule", "full"), n=6),
    Change("matplotlib", "matplotlib.pyplot.hist", "argument-rename", "2.1", "3.1", MPL31,
           "{matplotlib.pyplot.hist}({a}, normed={b})", "{matplotlib.pyplot.hist}({a}, density={b})",
           A("data|True", "data, bins=20|True", "x|flag"), setup="data = x = [1, 2]\nflag = True",
           styles=("alias", "full"), n=6, noops=["import matplotlib.pyplot as plt\n\nplt.hist(data, density=True)\n"]),
    Change("matplotlib", "matplotlib.pyplot.boxplot", "argument-rename", "3.8", "3.9", MPL39,
           "{matplotlib.pyplot.boxplot}({a}, labels={b})", "{matplotlib.pyplot.boxplot}({a}, tick_labels={b})",
           A("data|names", "[a, b]|['a', 'b']"), setup="data = a = b = [1]\nnames = ['x']",
           styles=("alias", "full"), n=5, noops=["import matplotlib.pyplot as plt\n\nplt.boxplot(data)\n"]),
    Change("matplotlib", "matplotlib.pyplot.legend", "argument-rename", "3.5", "3.6", MPL36,
           "{matplotlib.pyplot.legend}({a}ncol={b})", "{matplotlib.pyplot.legend}({a}ncols={b})",
           A("|2", "loc='upper left', |3", "handles, |n"), setup="handles = []\nn = 2",
           styles=("alias", "full"), n=5, noops=["import matplotlib.pyplot as plt\n\nplt.legend(loc='best')\n"]),
    # ---------------- networkx ----------------
    rename("networkx", "networkx.to_numpy_matrix", "networkx.to_numpy_array", "2.6", "3.0", NX3,
           ["g", "g, nodelist=order", "graph, weight=None"], setup="g = graph = None\norder = []",
           styles=("alias", "full", "from")),
    rename("networkx", "networkx.from_numpy_matrix", "networkx.from_numpy_array", "2.6", "3.0", NX3,
           ["m", "adj, create_using=None"], setup="m = adj = None", styles=("alias", "full", "from")),
    # ---------------- stdlib ----------------
    rename("stdlib", "collections.Mapping", "collections.abc.Mapping", "3.3", "3.10", PY310,
           ["", ""], kind="move", attr=True, styles=("full", "from")),
    rename("stdlib", "collections.MutableMapping", "collections.abc.MutableMapping", "3.3", "3.10", PY310,
           ["", ""], kind="move", attr=True, styles=("full", "from")),
    rename("stdlib", "collections.Iterable", "collections.abc.Iterable", "3.3", "3.10", PY310,
           ["", ""], kind="move", attr=True, styles=("full", "from")),
    rename("stdlib", "inspect.getargspec", "inspect.getfullargspec", "3.0", "3.11", PY311, ["func", "print"],
           setup="func = len", styles=("full", "from")),
    rename("stdlib", "time.clock", "time.perf_counter", "3.3", "3.8", PY38, [""], styles=("full", "from")),
    rename("stdlib", "base64.encodestring", "base64.encodebytes", "3.1", "3.9", PY39, ["data", "b'abc'"],
           setup="data = b'x'", styles=("full", "from")),
    rename("stdlib", "base64.decodestring", "base64.decodebytes", "3.1", "3.9", PY39, ["data", "b'YWJj'"],
           setup="data = b'eA=='", styles=("full", "from")),
    rename("stdlib", "cgi.escape", "html.escape", "3.2", "3.8", PY38, ["text", "'<b>'"], kind="move",
           setup="text = '<a>'", styles=("full", "from")),
    rename("stdlib", "logging.warn", "logging.warning", "3.3", "3.13", PY313, ["'disk low'", "msg, 3"],
           setup="msg = 'x %s'", styles=("full", "from")),
    Change("stdlib", "datetime.datetime.utcnow", "call-rewrite", "3.11", "3.12", PY312,
           "{datetime.datetime.utcnow|datetime}()", "{datetime.datetime.now|datetime}({datetime.UTC})", A(""),
           styles=("full", "from"), n=4),
]


def build() -> list[dict[str, object]]:
    pairs: list[dict[str, object]] = []
    for ch in CHANGES:
        slug = ch.api.replace("_", "-").replace(".", "-").lower()
        if not ch.api.startswith(ch.lib + "."):
            slug = f"{ch.lib}-{slug}"
        seen: set[str] = set()
        k = 0
        i = 0
        while k < ch.n and i < ch.n * 6:
            style = ch.styles[i % len(ch.styles)]
            args = ch.args[(i // len(ch.styles)) % len(ch.args)]
            ctx = CONTEXTS[(i * 3 + ch.n) % len(CONTEXTS)]
            if ch.receiver:
                args = {"r": args.get("b", "df"), "a": args.get("a", "")} | ({"a": args["a"]} if "a" in args else {})
            i += 1
            old, new = make_pair(ch, style, args, ctx)
            if old in seen or old == new:
                continue
            seen.add(old)
            k += 1
            pairs.append({"id": f"{slug}-{k:02d}", "library": ch.lib, "versions": {"from": ch.frm, "to": ch.to},
                          "api": ch.api, "kind": ch.kind, "old": old, "new": new, "source": ch.source,
                          "must_not_change": False, "style": style})
        for j, tpl in enumerate(ch.noops, 1):
            code = noop_pair(ch, tpl, ch.styles[0])
            pairs.append({"id": f"{slug}-noop-{j:02d}", "library": ch.lib, "versions": {"from": ch.frm, "to": ch.to},
                          "api": ch.api, "kind": "noop", "old": code, "new": code, "source": ch.source,
                          "must_not_change": True, "style": ch.styles[0]})
    return pairs


def splits(pairs: list[dict[str, object]]) -> dict[str, dict[str, list[str]]]:
    """A random 80/20 split by pair, and one holding out 20 % of the APIs entirely."""
    rng = random.Random(SEED)
    ids = [str(p["id"]) for p in pairs]
    shuffled = ids[:]
    rng.shuffle(shuffled)
    cut = int(len(shuffled) * 0.8)
    test = set(shuffled[cut:])
    apis = sorted({str(p["api"]) for p in pairs})
    rng.shuffle(apis)
    held = set(apis[: max(1, len(apis) // 5)])
    return {
        "random": {"seed": SEED, "train": [i for i in ids if i not in test], "test": [i for i in ids if i in test]},
        "heldout_api": {"seed": SEED, "heldout_apis": sorted(held),
                        "train": [str(p["id"]) for p in pairs if p["api"] not in held],
                        "test": [str(p["id"]) for p in pairs if p["api"] in held]},
    }


def main() -> None:
    pairs = build()
    ids = [p["id"] for p in pairs]
    assert len(ids) == len(set(ids)), "duplicate pair ids"
    with open(HERE / "pairs.jsonl", "w", encoding="utf-8") as fh:
        for p in pairs:
            fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    (HERE / "splits").mkdir(exist_ok=True)
    for name, split in splits(pairs).items():
        (HERE / "splits" / f"{name}.json").write_text(json.dumps(split, indent=1) + "\n", encoding="utf-8")
    libs = sorted({str(p["library"]) for p in pairs})
    print(f"{len(pairs)} pairs over {len(libs)} libraries: {', '.join(libs)}")


if __name__ == "__main__":
    main()
