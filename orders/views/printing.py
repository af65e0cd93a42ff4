"""Quotes, orders and invoices as PDF documents to send to a customer (WeasyPrint).

The PDF is made from its own template (``orders/pdf/document.html``), not from the record
page: it shows what the customer reads — the company, the account, number and dates, lines,
discounts, freight, tax and totals in the currency, page numbers — and never the page's
working state (read-only banners, the back office's status, commands).
"""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone

from orders import lifecycle
from orders.selectors import documents_for
from orders.views.kinds import TITLES
from settings_app.models import Organization

PRINTABLE = {lifecycle.QUOTE, lifecycle.SALES_ORDER, lifecycle.INVOICE}


def document_pdf_bytes(document, *, base_url: str = "") -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango when first used

    organization = Organization.load()
    lines = list(document.lines.select_related("product", "unit").order_by("line_number", "id"))
    places = Decimal(1).scaleb(-document.currency.precision)
    for line in lines:
        # volume and line discounts together: what the line takes off price × quantity
        gross = line.price_per_unit * line.quantity
        line.print_discount = max(Decimal(0), (gross - (line.extended_amount - line.tax))).quantize(
            places
        )
    html = render_to_string(
        "orders/pdf/document.html",
        {
            "doc": document,
            "kind": document.KIND,
            "title": TITLES[document.KIND][0],
            "organization": organization,
            "lines": lines,
            "precision": document.currency.precision,
            "price_precision": organization.pricing_decimal_precision,
            "printed_on": timezone.localdate(),
        },
    )
    return HTML(string=html, base_url=base_url or None).write_pdf()


@login_required
def document_pdf(request, kind: str, pk: int):
    if kind not in PRINTABLE:
        raise Http404
    if not request.user.has_perm(f"orders.view_{kind}"):
        raise PermissionDenied
    documents = documents_for(request.user, kind).select_related("account", "currency")
    document = get_object_or_404(documents, pk=pk)
    response = HttpResponse(document_pdf_bytes(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
    return response
