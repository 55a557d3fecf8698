"""Sales reports, run for one merchant at a time."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from storefront.tenancy import tenant_session

SALES = text("SELECT sum(total) FROM orders WHERE placed_on = current_date")


def todays_sales(tenant: str) -> int:
    # Not flagged: the session comes from the tenant resolver.
    with tenant_session(tenant) as session:
        return session.execute(SALES).scalar_one()


def todays_sales_quick(tenant: str) -> int:
    # CL205: a fixed database, whichever merchant asked.
    engine = create_engine("postgresql://app@db/app")
    with Session(engine) as session:
        return session.execute(SALES).scalar_one()
