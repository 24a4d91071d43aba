"""apimig's language server (``apimig-lsp``): LSP in, migrator calls, LSP out. Needs pygls, not torch."""
