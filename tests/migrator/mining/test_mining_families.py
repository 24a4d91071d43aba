"""Each extractor family on synthetic releases: the change, its exact interval and its replacement."""

from __future__ import annotations

from packaging.version import Version

from apimig.migrator.mining.assemble import assemble


def V(text: str) -> Version:
    return Version(text)


def test_numpy_expired_attribute_table(mine):
    old = {"fakenp/__init__.py": "def trapz(y):\n    pass\n\ndef trapezoid(y):\n    pass\n"}
    new = {"fakenp/__init__.py": "def trapezoid(y):\n    pass\n",
           "fakenp/_expired_attrs_2_0.py": '__expired_attributes__ = {\n    "trapz": "Use `fakenp.trapezoid` instead.",\n}\n'}
    changes = mine("fakenp", {"1.0": old, "1.5": old, "2.0": new})
    trapz = changes[("fakenp.trapz", None)]
    assert trapz.removed_in == V("2.0") and trapz.replacement == "fakenp.trapezoid"
    assert trapz.replacement_since == V("1.0")
    kinds = {c.evidence.kind for c in trapz.candidates}
    assert kinds == {"__expired_attributes__", "surface-diff"}
    table = next(c for c in trapz.candidates if c.evidence.kind == "__expired_attributes__")
    assert (table.evidence.release, table.evidence.file, table.evidence.line) == ("2.0", "fakenp/_expired_attrs_2_0.py", 2)


def test_pandas_deprecate_kwarg(mine):
    util = {"fakepd/util.py": "def deprecate_kwarg(old_arg_name, new_arg_name):\n    return lambda f: f\n"}
    plain = {**util, "fakepd/__init__.py": "from .io import read\n", "fakepd/io.py": "def read(path, sep=None):\n    pass\n"}
    warned = {**util, "fakepd/__init__.py": "from .io import read\n", "fakepd/io.py": (
        "from .util import deprecate_kwarg\n\n"
        "@deprecate_kwarg(old_arg_name='sep', new_arg_name='delimiter')\n"
        "def read(path, delimiter=None):\n    pass\n")}
    changes = mine("fakepd", {"1.0": plain, "1.1": warned, "1.2": warned})
    change = changes[("fakepd.read", "sep")]
    assert change.deprecated_in == V("1.1") and change.new_param == "delimiter"
    rule = assemble([change], "fakepd", "fakepd", ("fakepd",)).rules[0]
    assert rule["kind"] == "argument-rename" and rule["fix"] == {"args": {"rename": {"sep": "delimiter"}}}
    assert change.rename_declared
    assert rule["tier"] == "safe" and rule["deprecated_in"] == "1.1"


def test_matplotlib_api_decorators(mine):
    api = {"matplotlib/_api/__init__.py": "def deprecated(*a, **k):\n    return lambda f: f\n"
                                           "rename_parameter = delete_parameter = deprecated\n"}
    axes_old = ("class Axes:\n    def set_foo(self, x):\n        pass\n    def set_bar(self, x):\n        pass\n"
                "    def plot(self, data, fmt=None, legacy=None):\n        pass\n")
    axes_new = ("from matplotlib import _api\n\nclass Axes:\n"
                "    @_api.deprecated('3.6', alternative='set_bar')\n    def set_foo(self, x):\n        pass\n"
                "    def set_bar(self, x):\n        pass\n"
                "    @_api.rename_parameter('3.6', 'data', 'values')\n"
                "    @_api.delete_parameter('3.6', 'legacy')\n"
                "    def plot(self, values, fmt=None, legacy=None):\n        pass\n")
    init = {"matplotlib/__init__.py": "", "matplotlib/axes.py": None}
    r1 = {**api, **init, "matplotlib/axes.py": axes_old}
    r2 = {**api, **init, "matplotlib/axes.py": axes_new}
    changes = mine("matplotlib", {"3.5": r1, "3.6": r2})
    foo = changes[("matplotlib.axes.Axes.set_foo", None)]
    assert foo.deprecated_in == V("3.6") and foo.replacement == "matplotlib.axes.Axes.set_bar" and foo.is_method
    assert changes[("matplotlib.axes.Axes.plot", "data")].new_param == "values"
    legacy = changes[("matplotlib.axes.Axes.plot", "legacy")]
    assert legacy.deprecated_in == V("3.6") and legacy.new_param is None
    rules = {r["old"] + str(r.get("fix")): r for r in assemble(list(changes.values()), "matplotlib", "matplotlib",
                                                                 ("matplotlib",)).rules}
    method = next(r for r in rules.values() if r["old"] == "matplotlib.axes.Axes.set_foo")
    assert method["kind"] == "method-rename" and method["receiver"] == "matplotlib.axes.Axes"


def test_sklearn_deprecated_then_removed(mine):
    utils = {"sklearn/utils/__init__.py": "def deprecated(extra=''):\n    return lambda f: f\n"}
    base = {**utils, "sklearn/__init__.py": "", "sklearn/metrics.py": "def new_score(y):\n    pass\n"}
    r1 = {**base, "sklearn/metrics.py": base["sklearn/metrics.py"] + "def old_score(y):\n    pass\n"}
    r2 = {**base, "sklearn/metrics.py": base["sklearn/metrics.py"] + (
        "from .utils import deprecated\n\n@deprecated('old_score is deprecated in 1.1; use `new_score` instead.')\n"
        "def old_score(y):\n    pass\n")}
    changes = mine("scikit-learn", {"1.0": r1, "1.1": r2, "1.2": r2, "1.3": base})
    change = changes[("sklearn.metrics.old_score", None)]
    assert (change.deprecated_in, change.removed_in) == (V("1.1"), V("1.3"))
    assert change.candidates[0].evidence.release == "1.1"  # the release that dates it is the first evidence
    assert change.replacement == "sklearn.metrics.new_score"
    rule = assemble([change], "sklearn", "scikit-learn", ("sklearn",)).rules[0]
    assert rule["kind"] == "rename" and rule["fix"] == {"rename": "sklearn.metrics.new_score"}
    assert rule["cases"][0]["good"] == "from sklearn.metrics import new_score\nvalue = new_score\n"


def test_pep702_without_certain_replacement_is_manual(mine):
    r1 = {"fakelib/__init__.py": "def legacy():\n    pass\n"}
    r2 = {"fakelib/__init__.py": "from typing_extensions import deprecated\n\n"
                                 "@deprecated('legacy is deprecated; use `modern` instead')\ndef legacy():\n    pass\n"}
    changes = mine("fakelib", {"0.9": r1, "1.0": r2})
    change = changes[("fakelib.legacy", None)]
    assert change.deprecated_in == V("1.0") and change.replacement is None and change.hint == "`modern`"
    rule = assemble([change], "fakelib", "fakelib", ("fakelib",)).rules[0]
    assert rule["tier"] == "manual" and "fix" not in rule and "`modern`" in rule["message"]


def test_scipy_sub_module_shim(mine):
    signal = {"scipy/__init__.py": "", "scipy/signal/__init__.py": "from ._signaltools import *\n",
              "scipy/signal/_signaltools.py": "__all__ = ['convolve']\n\ndef convolve(a, b):\n    pass\n"}
    shim = {**signal, "scipy/signal/signaltools.py": (
        "from scipy._lib.deprecation import _sub_module_deprecation\n__all__ = ['convolve']\n\n"
        "def __getattr__(name):\n    return _sub_module_deprecation(sub_package='signal', module='signaltools',\n"
        "                                   private_modules=['_signaltools'], all=__all__, attribute=name)\n")}
    changes = mine("scipy", {"1.7": {**signal, "scipy/signal/signaltools.py": "from ._signaltools import *\n"},
                             "1.8": shim})
    change = changes[("scipy.signal.signaltools.convolve", None)]
    assert change.deprecated_in == V("1.8") and change.replacement == "scipy.signal.convolve"
    assert change.drop_in  # the shim forwards the very object


def test_tensorflow_deprecation_uses_tf_export_name(mine):
    dep = {"tensorflow/__init__.py": "", "tensorflow/python/__init__.py": "",
           "tensorflow/python/util/__init__.py": "",
           "tensorflow/python/util/deprecation.py": "def deprecated(date, instructions):\n    return lambda f: f\n",
           "tensorflow/python/util/tf_export.py": "def tf_export(*a, **k):\n    return lambda f: f\n"}
    ops = ("from tensorflow.python.util import deprecation\nfrom tensorflow.python.util.tf_export import tf_export\n\n"
           "@tf_export('math.add_old')\n@deprecation.deprecated(None, 'Use `tf.math.add_new` instead.')\n"
           "def add_old(x):\n    pass\n\n@tf_export('math.add_new')\ndef add_new(x):\n    pass\n")
    changes = mine("tensorflow", {"2.0": {**dep, "tensorflow/python/ops.py": "def add_old(x):\n    pass\n"},
                                  "2.1": {**dep, "tensorflow/python/ops.py": ops}})
    change = changes[("tensorflow.math.add_old", None)]
    assert change.deprecated_in == V("2.1") and change.hint == "`tf.math.add_new`"


def test_sqlalchemy_util_deprecated(mine):
    util = {"sqlalchemy/__init__.py": "from .engine import Engine\n", "sqlalchemy/util/__init__.py":
            "def deprecated(version, message=None):\n    return lambda f: f\n"}
    old = "class Engine:\n    def execute(self, sql):\n        pass\n    def exec_driver_sql(self, sql):\n        pass\n"
    new = ("from . import util\n\nclass Engine:\n"
           "    @util.deprecated('1.4', 'Use :meth:`.Engine.exec_driver_sql` instead')\n"
           "    def execute(self, sql):\n        pass\n    def exec_driver_sql(self, sql):\n        pass\n")
    changes = mine("sqlalchemy", {"1.3": {**util, "sqlalchemy/engine.py": old}, "1.4": {**util, "sqlalchemy/engine.py": new}})
    change = changes[("sqlalchemy.Engine.execute", None)]
    assert change.deprecated_in == V("1.4") and change.replacement == "sqlalchemy.Engine.exec_driver_sql"


def test_warnings_warn_function_argument_and_getattr(mine):
    r1 = {"fakenx/__init__.py": "from .algo import *\n", "fakenx/algo.py": (
        "__all__ = ['old_func', 'new_func', 'layout']\n\ndef old_func(g):\n    pass\n\ndef new_func(g):\n    pass\n\n"
        "def layout(g, scale=None, size=None):\n    pass\n")}
    r2 = {"fakenx/__init__.py": "from .algo import *\n", "fakenx/algo.py": (
        "import warnings\n__all__ = ['old_func', 'new_func', 'layout']\n\n"
        "def old_func(g):\n    warnings.warn('old_func is deprecated, use `fakenx.new_func` instead', DeprecationWarning)\n"
        "    return new_func(g)\n\ndef new_func(g):\n    pass\n\n"
        "def layout(g, scale=None, size=None):\n    if scale is not None:\n"
        "        warnings.warn('scale is deprecated; use size instead', FutureWarning, stacklevel=2)\n"),
          "fakenx/compat.py": ("import warnings\n\ndef __getattr__(name):\n    if name == 'Thing':\n"
                               "        warnings.warn(f'{name} is deprecated, use `fakenx.new_func`', DeprecationWarning)\n"
                               "        return 1\n    raise AttributeError(name)\n")}
    changes = mine("fakenx", {"2.0": r1, "2.1": r2, "2.2": r2})
    func = changes[("fakenx.old_func", None)]
    assert func.deprecated_in == V("2.1") and func.replacement == "fakenx.new_func"
    assert func.candidates[0].evidence.file == "fakenx/algo.py" and func.candidates[0].evidence.line == 5
    arg = changes[("fakenx.layout", "scale")]
    assert arg.new_param == "size" and arg.deprecated_in == V("2.1")
    assert changes[("fakenx.compat.Thing", None)].replacement == "fakenx.new_func"


def test_numpy_tables_built_by_comprehension(mine):
    base = "def intp():\n    pass\n\ndef int0():\n    pass\n"
    table = (base + "_msg = '`np.{n}` is a deprecated alias for `{an}`.  (Deprecated NumPy 1.24)'\n"
             "_type_info = [('int0', intp, 'fakenp.intp')]\n__deprecated_attrs__ = {}\n"
             "__deprecated_attrs__.update({n: (alias, _msg.format(n=n, an=an)) for n, alias, an in _type_info})\n")
    changes = mine("fakenp", {"1.23": {"fakenp/__init__.py": base}, "1.24": {"fakenp/__init__.py": table}})
    change = changes[("fakenp.int0", None)]
    assert change.deprecated_in == V("1.24") and change.replacement == "fakenp.intp"
    assert change.candidates[0].since == "1.24" and change.candidates[0].evidence.line == 7  # the row of _type_info


def test_library_warning_categories_emit_and_warn_deprecated(mine):
    r1 = {"fakest/__init__.py": "def old_api():\n    pass\n\ndef dump():\n    pass\n\ndef legacy():\n    pass\n"}
    r2 = {"fakest/__init__.py": (
        "import warnings\nfrom .warnings import FakeDeprecatedSince20, FakeDeprecationWarning\nfrom . import util\n\n"
        "def old_api():\n    FakeDeprecationWarning.emit('old_api is deprecated.', 'Use `fakest.dump` instead.')\n\n"
        "def dump():\n    pass\n\n"
        "def legacy():\n    warnings.warn('legacy is deprecated', FakeDeprecatedSince20, stacklevel=2)\n"),
        "fakest/warnings.py": "class FakeDeprecatedSince20(DeprecationWarning):\n    pass\n\n"
                              "class FakeDeprecationWarning(Warning):\n    pass\n",
        "fakest/util.py": "def warn_deprecated(msg, version):\n    pass\n\ndef helper():\n"
                          "    warn_deprecated('helper() is deprecated', '1.9')\n"}
    changes = mine("fakest", {"1.0": {**r1, "fakest/util.py": "def helper():\n    pass\n"}, "2.0": r2})
    assert changes[("fakest.old_api", None)].replacement == "fakest.dump"
    assert changes[("fakest.legacy", None)].candidates[0].since == "2.0"
    helper = changes[("fakest.util.helper", None)]
    assert helper.candidates[0].since == "1.9" and helper.deprecated_in == V("2.0")


def test_pillow_deprecate_helper(mine):
    helper = {"PIL/__init__.py": "", "PIL/_deprecate.py": "def deprecate(deprecated, when, replacement=None, *, action=None):\n    pass\n"}
    show_old = "class Viewer:\n    def show_file(self, path=None, **options):\n        pass\n    def textsize(self, t):\n        pass\n    def textbbox(self, t):\n        pass\n"
    show_new = ("from ._deprecate import deprecate\n\nclass Viewer:\n    def show_file(self, path=None, **options):\n"
                "        if path is None:\n            if 'file' in options:\n"
                "                deprecate(\"The 'file' argument\", 10, \"'path'\")\n"
                "    def textsize(self, t):\n        deprecate('textsize', 10, 'textbbox')\n"
                "    def textbbox(self, t):\n        pass\n")
    changes = mine("Pillow", {"9.0": {**helper, "PIL/ImageShow.py": show_old}, "9.1": {**helper, "PIL/ImageShow.py": show_new}})
    textsize = changes[("PIL.ImageShow.Viewer.textsize", None)]
    assert textsize.replacement == "PIL.ImageShow.Viewer.textbbox" and textsize.deprecated_in == V("9.1")
    file_arg = changes[("PIL.ImageShow.Viewer.show_file", "file")]
    assert file_arg.new_param == "path" and file_arg.candidates[0].message.startswith("The 'file' argument is deprecated")


def test_skimage_shared_utils_decorators(mine):
    utils = {"skimage/__init__.py": "", "skimage/_shared/__init__.py": "",
             "skimage/_shared/utils.py": "class deprecate_func:\n    pass\n\nclass deprecate_parameter:\n    pass\n"}
    old = "def old_filter(image, sigma=1):\n    pass\n\ndef new_filter(image, sigma=1):\n    pass\n"
    new = ("from .._shared.utils import deprecate_func, deprecate_parameter\n\n"
           "@deprecate_func(deprecated_version='0.22', removed_version='0.24', hint='Use `skimage.filters.new_filter` instead.')\n"
           "def old_filter(image, sigma=1):\n    pass\n\n"
           "@deprecate_parameter('sigma', new_name='scale', start_version='0.22', stop_version='0.24')\n"
           "def new_filter(image, scale=1):\n    pass\n")
    changes = mine("scikit-image", {"0.21": {**utils, "skimage/filters/__init__.py": old},
                                    "0.22": {**utils, "skimage/filters/__init__.py": new}})
    assert changes[("skimage.filters.old_filter", None)].replacement == "skimage.filters.new_filter"
    sigma = changes[("skimage.filters.new_filter", "sigma")]
    assert sigma.new_param == "scale" and sigma.deprecated_in == V("0.22")


def test_release_notes_date_a_deprecation_the_code_does_not_flag(mine):
    code = {"notelib/__init__.py": "def old_read(path):\n    pass\n\ndef read(path):\n    pass\n"}
    notes = "Changelog\n=========\n\n1.1.0\n-----\n\n- `notelib.old_read` is deprecated; use `notelib.read` instead.\n"
    changes = mine("notelib", {"1.0": code, "1.1": {**code, "notelib-1.1.dist-info/CHANGELOG.rst": notes}})
    change = changes[("notelib.old_read", None)]
    assert change.deprecated_in == V("1.1.0") and change.replacement == "notelib.read"
    assert change.candidates[0].evidence.kind == "changelog" and change.candidates[0].evidence.line == 7


def test_a_replacement_with_another_signature_is_unsafe(mine):
    r1 = {"sig/__init__.py": "def hits_numpy(G, normalized=True):\n    pass\n\ndef hits(G, max_iter=100, normalized=True):\n    pass\n"}
    r2 = {"sig/__init__.py": "import warnings\n\ndef hits_numpy(G, normalized=True):\n"
                             "    warnings.warn('hits_numpy is deprecated, use hits instead', DeprecationWarning)\n\n"
                             "def hits(G, max_iter=100, normalized=True):\n    pass\n"}
    r3 = {"sig/__init__.py": "def hits(G, max_iter=100, normalized=True):\n    pass\n\ndef other(G, s):\n    pass\n"}
    changes = mine("sig", {"1.0": r1, "1.1": r2, "2.0": r3})
    change = changes[("sig.hits_numpy", None)]
    assert change.replacement == "sig.hits" and change.drop_in  # G and normalized bind the same way
    rule = assemble([change], "sig", "sig", ("sig",)).rules[0]
    assert rule["tier"] == "safe" and rule["deprecated_in"] == "1.1" and rule["removed_in"] == "2.0"
    r2b = {"sig/__init__.py": r2["sig/__init__.py"].replace("def hits(G, max_iter=100, normalized=True)", "def hits(graph)")}
    r3b = {"sig/__init__.py": "def hits(graph):\n    pass\n"}
    change = mine("sig", {"1.0": r1, "1.1": r2b, "2.0": r3b})[("sig.hits_numpy", None)]
    rule = assemble([change], "sig", "sig", ("sig",)).rules[0]
    assert rule["tier"] == "unsafe" and "signature differs" in rule["reason"]


def test_a_user_warning_that_says_deprecated_counts(mine):
    r1 = {"sea/__init__.py": "def distplot(a):\n    pass\n\ndef histplot(a):\n    pass\n\ndef noisy(a):\n    pass\n"}
    r2 = {"sea/__init__.py": (
        "import textwrap\nimport warnings\n\ndef distplot(a):\n"
        "    msg = textwrap.dedent('`distplot` is a deprecated function. Please use `histplot`.')\n"
        "    warnings.warn(msg, UserWarning, stacklevel=2)\n\ndef histplot(a):\n    pass\n\n"
        "def noisy(a):\n    warnings.warn('tight layout not applied', UserWarning)\n")}
    changes = mine("sea", {"0.10": r1, "0.11": r2})
    assert changes[("sea.distplot", None)].replacement == "sea.histplot"
    assert ("sea.noisy", None) not in changes


def test_a_property_is_no_drop_in_for_a_method(mine):
    r1 = {"idx/__init__.py": "class Index:\n    def is_lexsorted(self):\n        pass\n    @property\n"
                             "    def is_monotonic_increasing(self):\n        pass\n"}
    r2 = {"idx/__init__.py": "import warnings\n\nclass Index:\n    def is_lexsorted(self):\n"
                             "        warnings.warn('is_lexsorted is deprecated, use is_monotonic_increasing instead', FutureWarning)\n"
                             "    @property\n    def is_monotonic_increasing(self):\n        pass\n"}
    change = mine("idx", {"1.0": r1, "1.1": r2})[("idx.Index.is_lexsorted", None)]
    assert change.replacement == "idx.Index.is_monotonic_increasing" and not change.drop_in
    assert assemble([change], "idx", "idx", ("idx",)).rules[0]["tier"] == "unsafe"
