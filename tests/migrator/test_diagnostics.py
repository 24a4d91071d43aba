"""Messages and positions of diagnostics, pinned: what editors underline and what `apimig check` prints.

Positions are 0-based (line, column in code points); the text report prints them 1-based.
"""

from __future__ import annotations

from pathlib import Path

from apimig.migrator.config import Config
from apimig.migrator.engine import Engine
from apimig.migrator.report import text_line
from apimig.migrator.rules.packs import load_path

ENGINE = Engine(Config(installed_versions=False), rules=list(load_path(Path(__file__).parent / "data" / "rules.yaml")))

SOURCE = '''import numpy as np
from sklearn.cross_validation import KFold
import pandas as pd

area = np.trapz(y, x)
mask = np.in1d(a, b)
value = np.float(3)
def grow(df, other):
    return df.append(other)
frame = pd.read_csv("é.csv").append(other)
'''

APPEND = "DataFrame.append was removed; use pandas.concat"


def test_findings_positions_ids_and_messages() -> None:
    got = [(f.start.line, f.start.col, f.end.line, f.end.col, f.rule_id, f.message, f.tier)
           for f in ENGINE.check(SOURCE)]
    assert got == [
        (1, 5, 1, 29, "sklearn-cross-validation", "sklearn.cross_validation was removed; use sklearn.model_selection",
         "safe"),
        (4, 7, 4, 15, "numpy-trapz", "`numpy.trapz` is deprecated; use `numpy.trapezoid`", "safe"),
        (5, 7, 5, 14, "numpy-in1d", "in1d", "unsafe"),
        (6, 8, 6, 16, "numpy-float", "np.float", "safe"),
        (8, 11, 8, 20, "pandas-append", APPEND, "manual"),
        # columns count code points: the é inside the match is one column (two bytes)
        (9, 8, 9, 35, "pandas-append", APPEND, "safe"),
    ]


def test_text_report_lines() -> None:
    lines = [text_line("m.py", f) for f in ENGINE.check(SOURCE)]
    assert lines[1] == "m.py:5:8: numpy-trapz `numpy.trapz` is deprecated; use `numpy.trapezoid` [fix: safe]"
    assert lines[4] == (f"m.py:9:12: pandas-append {APPEND} [fix: manual] "
                        "(the receiver's type is unknown; fix it by hand if it is a pandas.DataFrame)")
