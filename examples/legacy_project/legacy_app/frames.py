"""Data loading and reshaping (pandas 1.x era)."""
import pandas as pd


def load(path):
    df = pd.read_csv(path)
    extra = pd.read_csv(path.replace(".csv", "_extra.csv"))
    df = df.append(extra, ignore_index=True)
    return df


def summarise(df):
    out = {}
    for name, column in df.iteritems():
        out[name] = column.mean()
    return out


def lookup(index_values):
    return pd.Int64Index(index_values)


def merge_rows(frames):
    merged = pd.DataFrame()
    for frame in frames:
        merged = merged.append(frame)
    return merged


def names(frames):
    found = []
    for frame in frames:
        found.append(frame.name)  # a plain list's append: never touched
    return found
