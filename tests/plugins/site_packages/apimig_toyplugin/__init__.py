"""A third-party apimig plugin, known to apimig only through its entry points (``entry_points.txt``)."""

from pathlib import Path


def pack_path() -> Path:
    """The ``apimig.rulepacks`` entry: this distribution's YAML rule pack."""
    return Path(__file__).with_name("toylib.yaml")
