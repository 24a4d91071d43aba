"""Bisection of the release list and the parsing of replacement names from messages."""

from __future__ import annotations

from apimig.migrator.mining.intervals import first_true
from apimig.migrator.mining.messages import qualify, replacement, since
from apimig.migrator.mining.releases import select_series
from packaging.version import Version


def test_first_true_probes_logarithmically():
    probes: list[int] = []

    def warns(i: int) -> bool:
        probes.append(i)
        return i >= 37

    assert first_true(0, 99, warns) == 37
    assert len(probes) <= 8
    assert first_true(0, 99, lambda i: False) is None
    assert first_true(5, 9, lambda i: True) == 5


def test_replacement_needs_a_quoted_or_dotted_name():
    assert replacement("trapz is deprecated, use `trapezoid` instead") == "trapezoid"
    assert replacement("Use :func:`~numpy.lib.stride_tricks.sliding_window_view` instead.") \
        == "numpy.lib.stride_tricks.sliding_window_view"
    assert replacement("This function is deprecated. Please use np.errstate") == "np.errstate"
    assert replacement("deprecated in favour of `Axes.set`") == "Axes.set"
    assert replacement("iteritems is deprecated. Use .items instead.") == "items"
    assert replacement("this is deprecated; use it only in tests") is None
    assert replacement("old_walk is deprecated; use walk instead") == "walk"
    assert replacement("The function `join` is deprecated and is renamed `join_trees`.") == "join_trees"
    assert since("hub_matrix is deprecated as of version 2.6 and will be removed") == "2.6"
    assert since("`np.int0` is a deprecated alias for `np.intp`.  (Deprecated NumPy 1.24)") == "1.24"
    assert replacement("`np.int0` is a deprecated alias for `np.intp`.") == "np.intp"
    assert replacement("scale is deprecated; use size instead", {"size"}) == "size"


def test_qualify_expands_aliases_and_tries_enclosing_modules():
    assert qualify("np.trapezoid", "numpy.lib.x", ("numpy",)) == ["numpy.trapezoid"]
    assert qualify("new_score", "sklearn.metrics.old_score", ("sklearn",))[0] == "sklearn.metrics.new_score"


def test_select_series_keeps_the_first_release_of_each_minor_and_the_end():
    versions = [Version(v) for v in ("1.0", "1.0.1", "1.1", "1.1.2", "2.0", "2.0.3", "2.1")]
    assert [str(v) for v in select_series(versions, "1.0.1", "2.0.3")] == ["1.0.1", "1.1", "2.0", "2.0.3"]
    assert [str(v) for v in select_series(versions)] == ["1.0", "1.1", "2.0", "2.1"]
