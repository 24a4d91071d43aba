"""Source snippets shared by the model-tier tests."""

#: One finding (``np.trapz`` inside a function) shared by the generation and validation tests.
TRAPZ_SRC = """import numpy as np
y = np.linspace(0, 1, 5)


def area(y):
    out = np.trapz(y, dx=0.5)
    return out
"""
