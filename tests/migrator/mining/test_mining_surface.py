"""The public surface (re-exports followed) and the diff between two releases."""

from __future__ import annotations

from pathlib import Path

from apimig.migrator.mining.sources import load_release
from apimig.migrator.mining.surface import Surface
from apimig.migrator.mining.surface_diff import changed_parameters, removed_names


def surface(wheels, version: str, files: dict[str, str]) -> Surface:
    folder: Path = wheels("pkg", {version: files})
    return Surface(load_release(folder / f"pkg-{version}-py3-none-any.whl", version))


def test_star_reexports_and_all_give_the_shortest_public_path(wheels):
    s = surface(wheels, "1.0", {
        "pkg/__init__.py": "from .core.frame import *\nfrom .core import helpers as helpers\n",
        "pkg/core/__init__.py": "",
        "pkg/core/frame.py": "__all__ = ['Frame']\n\nclass Frame:\n    def __init__(self, data, copy=False):\n"
                             "        pass\n    def head(self, n=5):\n        pass\n\ndef _private():\n    pass\n",
        "pkg/core/helpers.py": "import logging\nfrom .frame import Frame\nlog = logging.getLogger()\nLIMIT = 3\n\n"
                               "def helper(x):\n    pass\n",
        "pkg/_impl.py": "def hidden():\n    pass\n",
        "pkg/apionly.py": "from pkg.core.helpers import *\n",
    })
    assert s.public_path("pkg.core.frame.Frame") == "pkg.Frame"
    assert s.public["pkg.Frame"].params == ("data", "copy")
    assert s.public_path("pkg.core.frame.Frame.head") == "pkg.Frame.head"
    assert s.has("pkg.helpers.helper")
    assert "pkg.core.helpers.LIMIT" in s.public  # constants are API, names imported for own use are not
    assert "pkg.apionly.helper" in s.public  # a star import re-exports on purpose
    assert "pkg.core.helpers.log" not in s.public and "pkg.core.helpers.Frame" not in s.public
    assert "pkg._impl.hidden" not in s.public and "pkg._private" not in s.public


def test_diff_finds_removed_moved_and_changed_parameters(wheels):
    old = surface(wheels, "1.0", {
        "pkg/__init__.py": "from .misc import comb, gone\nfrom .special import other\n",
        "pkg/misc.py": "def comb(n, k, exact=False):\n    pass\n\ndef gone():\n    pass\n",
        "pkg/special.py": "def other(a, b):\n    pass\n",
        "pkg/stats.py": "def fit(data, method=None, legacy=False):\n    pass\n\ndef flow(G, s, t):\n    pass\n",
        "pkg/response.py": "class Response:\n    def getheader(self, name):\n        pass\n",
        "pkg/contrib/__init__.py": "", "pkg/contrib/appengine.py": "import logging\nlog = logging.getLogger()\n\n"
                                                                 "class Manager:\n    pass\n"})
    new = surface(wheels, "2.0", {
        "pkg/__init__.py": "from .special import comb, other\n",
        "pkg/special.py": "def comb(n, k, exact=False):\n    pass\n\ndef other(a, b):\n    pass\n",
        "pkg/stats.py": "def fit(data, algorithm=None):\n    pass\n\ndef flow(flowG, _s, _t):\n    pass\n",
        "pkg/response.py": "class Base:\n    def getheader(self, name):\n        pass\n\nclass Response(Base):\n    pass\n"})
    removed = {c.old: c for c in removed_names(old, new)}
    assert removed["pkg.misc.comb"].change == "moved" and removed["pkg.misc.comb"].replacement == "pkg.comb"
    assert removed["pkg.gone"].change == "removed" and removed["pkg.gone"].replacement is None
    assert "pkg.other" not in removed and "pkg.comb" not in removed
    assert removed["pkg.contrib"].change == "removed"  # the outermost module once, not each member
    assert "pkg.response.Response.getheader" not in removed  # moved up to the base class
    assert "pkg.contrib.appengine.Manager" not in removed and "pkg.contrib.appengine.log" not in removed
    params = {(c.old, c.param): c for c in changed_parameters(old, new)}
    assert params[("pkg.stats.fit", "method")].new_param is None  # two gone, one added: no rename guess
    assert params[("pkg.stats.fit", "legacy")].change == "argument-removed"
    assert params[("pkg.stats.fit", "method")].evidence.kind == "surface-diff"
    assert not [k for k in params if k[0] == "pkg.stats.flow"]  # required positionals are passed by position


def test_sdist_with_lib_layout_is_read_without_unpacking(tmp_path):
    import io
    import tarfile

    artifact = tmp_path / "Pkg-1.3.0.tar.gz"
    with tarfile.open(artifact, "w:gz") as tf:
        for rel, text in {"Pkg-1.3.0/setup.py": "raise SystemExit('never run')\n",
                          "Pkg-1.3.0/lib/pkg/__init__.py": "from .core import run\n",
                          "Pkg-1.3.0/lib/pkg/core.py": "def run(x, fast=False):\n    pass\n",
                          "Pkg-1.3.0/CHANGES.rst": "1.3.0\n=====\n\n- `pkg.old` is deprecated\n"}.items():
            data = text.encode()
            info = tarfile.TarInfo(rel)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    release = load_release(artifact, "1.3.0")
    assert release.roots == ("pkg",) and set(release.modules) == {"pkg", "pkg.core"}
    assert [p for p, _ in release.notes] == ["CHANGES.rst"]
    assert Surface(release).public["pkg.run"].params == ("x", "fast")
