"""``python -m apimig``: the same CLI as the ``apimig`` command."""

from apimig.migrator.cli import main

raise SystemExit(main())
