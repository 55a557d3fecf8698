"""Pure value types shared by every layer: no I/O, no parsing, no printing."""
