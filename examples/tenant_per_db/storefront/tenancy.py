"""Bootstrap: the one module allowed to build engines (listed in `bootstrap-modules`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

# The catalogue of merchants and where their databases live.
directory_engine = create_engine("postgresql://app@db/directory")

_engines = {}


@contextmanager
def tenant_session(tenant: str) -> Iterator[Session]:
    """A session on the database of `tenant`."""
    if tenant not in _engines:
        _engines[tenant] = create_engine(f"postgresql://app@db/tenant_{tenant}")
    with Session(_engines[tenant]) as session:
        yield session
