"""Django views of the merchant dashboard (`request.tenant` is set by a middleware)."""

from django.http import HttpRequest, HttpResponse

from shop.models import Invoice


def close_open_invoices(request: HttpRequest) -> HttpResponse:
    # CL202: closes the open invoices of *every* merchant.
    Invoice.objects.filter(status="open").update(status="closed")
    return HttpResponse(status=204)


def close_my_open_invoices(request: HttpRequest) -> HttpResponse:
    # Not flagged: the bulk update is limited to the merchant's own rows.
    Invoice.objects.filter(tenant=request.tenant, status="open").update(status="closed")
    return HttpResponse(status=204)
