"""Data files of the engine: the offline price catalog and its attribution (no code)."""
