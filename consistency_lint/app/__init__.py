"""Use cases with I/O: configuration, packs, file discovery, running the engine."""
