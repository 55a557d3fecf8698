"""Engines and sessions of the back office."""

from __future__ import annotations

import os

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

orders_engine = create_engine(os.environ["ORDERS_DATABASE_URL"])
billing_engine = create_engine(os.environ["BILLING_DATABASE_URL"])

OrdersSession = sessionmaker(orders_engine)
BillingSession = sessionmaker(billing_engine)


def get_session() -> Session:
    return OrdersSession()
