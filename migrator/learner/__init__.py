"""Learn rules from (old, new) code pairs; the result is an ordinary rule pack with provenance."""

from .align import Observation, observe
from .generalize import learn
from .writer import dump_pack, write_pack

__all__ = ["Observation", "dump_pack", "learn", "observe", "write_pack"]
