"""HTTP API of the back office (FastAPI)."""
