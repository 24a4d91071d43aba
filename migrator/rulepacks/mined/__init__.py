"""Packs mined by `apimig mine` from the libraries ' own releases (see docs/mining.md)."""
