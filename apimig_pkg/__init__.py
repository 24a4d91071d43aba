"""apimig: find and rewrite deprecated library APIs.

The parts are ``apimig.migrator`` (the core and CLI), ``apimig.server`` (the language server) and
``apimig.models`` (the model layer). This folder is installed as the package ``apimig`` itself; it
is not named ``apimig/`` so that running Python from the repository root cannot shadow the
installed subpackages with a folder that lacks them.
"""

from apimig.migrator import __version__

__all__ = ["__version__"]
