"""apimig's core: rules, matcher, codemod and CLI. Never imports torch, pygls or apimig.models."""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("apimig")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+local"
