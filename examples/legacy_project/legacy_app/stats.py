"""Numerical helpers (numpy 1.x era)."""
import numpy as np
from numpy import trapz
from scipy.misc import comb
from scipy.integrate import simps, cumtrapz


def area(y, x=None):
    return trapz(y, x)


def area_simpson(y, x):
    return simps(y, x)


def running_area(y):
    return cumtrapz(y, initial=0)


def as_float(values):
    return np.asarray(values, dtype=np.float_)


def complex_grid(n):
    return np.zeros((n, n), dtype=np.complex_)


def clean(values):
    arr = np.array(values, dtype=np.float64)
    arr[np.isnan(arr)] = np.NaN
    arr[arr > 1e300] = np.Inf
    return arr


def pairs(n):
    return comb(n, 2)


def members(a, b):
    return np.in1d(a, b)


def stacked(rows):
    return np.row_stack(rows)


def total(values):
    return np.product(values)


def rounded(values):
    return np.round_(values, 2)
