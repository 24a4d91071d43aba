"""apimig."""
