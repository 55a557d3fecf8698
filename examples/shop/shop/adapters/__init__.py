"""Persistence adapters: the only layer that knows SQLAlchemy."""
