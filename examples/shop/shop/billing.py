"""Merchant billing in the back office: every invoice belongs to one tenant (merchant)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from shop.adapters.orm import InvoiceRow


def open_invoices(session: Session) -> list[InvoiceRow]:
    # CL201: every merchant's open invoices.
    return list(session.scalars(select(InvoiceRow).where(InvoiceRow.status == "open")).all())


def open_invoices_of(session: Session, tenant_id: int) -> list[InvoiceRow]:
    # Not flagged: the tenant predicate is part of the query.
    stmt = select(InvoiceRow).where(InvoiceRow.tenant_id == tenant_id, InvoiceRow.status == "open")
    return list(session.scalars(stmt).all())


def open_total(session: Session) -> Decimal:
    # CL203: raw SQL on the tenant-scoped `invoices` table, without tenant_id.
    sql = text("SELECT sum(total) FROM invoices WHERE status = :s")
    return session.execute(sql, {"s": "open"}).scalar_one()


def open_total_of(session: Session, tenant_id: int) -> Decimal:
    # Not flagged: the WHERE clause constrains tenant_id.
    sql = text("SELECT sum(total) FROM invoices WHERE tenant_id = :t AND status = :s")
    return session.execute(sql, {"t": tenant_id, "s": "open"}).scalar_one()


def issue_invoice(session: Session, number: str, total: Decimal) -> None:
    # CL204: the new invoice belongs to no merchant.
    session.add(InvoiceRow(number=number, total=total))
    session.commit()


def issue_invoice_for(session: Session, tenant_id: int, number: str, total: Decimal) -> None:
    # Not flagged: the tenant key is set when the row is created.
    session.add(InvoiceRow(tenant_id=tenant_id, number=number, total=total))
    session.commit()
