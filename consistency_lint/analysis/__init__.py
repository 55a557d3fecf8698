"""The pure analysis core: source bytes in, file summaries and diagnostics out. No I/O."""
