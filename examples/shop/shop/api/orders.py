"""Order endpoints.

CL304 (with extend-select): `get_order` hands an ORM entity to every caller of
the API layer. `get_order_summary` returns the domain Order; `_load_row` is
private, so it is not part of the layer's public surface.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from shop.adapters.db import get_session
from shop.adapters.orm import OrderRow
from shop.domain.order import Order

router = APIRouter()


def _load_row(session: Session, order_id: int) -> OrderRow | None:
    return session.get(OrderRow, order_id)


@router.get("/legacy/orders/{order_id}")
def get_order(order_id: int, session: Session = Depends(get_session)) -> OrderRow | None:
    return _load_row(session, order_id)


@router.get("/orders/{order_id}")
def get_order_summary(order_id: int, session: Session = Depends(get_session)) -> Order | None:
    return session.get(Order, order_id)
