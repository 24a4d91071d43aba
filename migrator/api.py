"""The migrator's public entry points, used by the CLI, the language server and the model layer.

    from apimig.migrator.api import load_config, Engine
    config = load_config(Path("proj/pkg/mod.py"), targets={"numpy": "2.0"})  # reads [tool.apimig]
    engine = Engine(config)                      # compiled rule index; reuse it (cheap to call)
    findings = engine.check(source, path="mod.py")   # list[Finding], sorted by position
    result = engine.fix(source, path="mod.py", unsafe=False, only=None)  # FileResult
        # result.new_source is None when nothing changed; only= a set of Finding.key to fix just those
"""

from __future__ import annotations

from .config import Config, ConfigError, load_config
from .engine import Engine, SourceSyntaxError
from .findings import Edit, FileResult, Finding, Fix, Pos
from .rules.loader import RuleFileError
from .rules.schema import Rule

__all__ = ["Config", "ConfigError", "Edit", "Engine", "FileResult", "Finding", "Fix", "Pos", "Rule",
           "RuleFileError", "SourceSyntaxError", "load_config"]
