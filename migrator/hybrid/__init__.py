"""The rule/model hybrid: route each finding by confidence, validate every model candidate.

Pure Python (no torch): the models package implements ``FixProposer``.
"""

from apimig.migrator.hybrid.proposer import STRATEGIES, Candidate, FixProposer
from apimig.migrator.hybrid.proposer import ProposerUnavailable, load_proposer
from apimig.migrator.hybrid.router import Decision, Hybrid, HybridResult, Thresholds, route
from apimig.migrator.hybrid.validate import Verdict, validate_candidate

__all__ = ["STRATEGIES", "Candidate", "Decision", "FixProposer", "Hybrid", "HybridResult", "ProposerUnavailable", "Thresholds",
           "Verdict", "load_proposer", "route", "validate_candidate"]
