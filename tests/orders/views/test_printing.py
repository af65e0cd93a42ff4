"""Quotes, orders and invoices as PDF documents a company sends."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from orders.services.documents import document_update
from orders.services.transitions import salesorder_submit
from settings_app.services import organization_update_settings
from tests.conftest import set_switch


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


@pytest.fixture
def company(customizer):
    organization_update_settings(
        actor=customizer, name="Contoso Sales Ltd", address="1 Harbour Road\nSeattle"
    )


def test_order_pdf_reads_like_a_document_and_leaks_no_working_state(
    client, company, salesperson, customizer, make_document
):
    set_switch(customizer, True)
    order = make_document("salesorder", salesperson, lines=2, name="Fleet renewal")
    document_update(actor=salesperson, document=order, freight_amount=Decimal("11"))
    order = salesorder_submit(actor=salesperson, document=order)
    client.force_login(salesperson)
    text, pages = pdf_text(client.get(reverse("document_pdf", args=["salesorder", order.pk])))
    for expected in (
        "Contoso Sales Ltd",
        "1 Harbour Road",
        "Sales order",
        order.number,
        "Contoso",  # the account
        "Fleet renewal",
        "Widget 0",
        "Freight",
        "11.00",
        f"{order.total_amount:,.2f} USD",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    for leak in ("read-only", "Read-only", "Submitted", "back office", "Sending"):
        assert leak not in text
    assert pages == 1


@pytest.mark.parametrize("kind", ["quote", "invoice"])
def test_quote_and_invoice_pdfs(client, company, salesperson, make_document, kind):
    document = make_document(kind, salesperson, lines=1)
    client.force_login(salesperson)
    text, _ = pdf_text(client.get(reverse("document_pdf", args=[kind, document.pk])))
    assert document.number in text and ("Quote" if kind == "quote" else "Invoice") in text


def test_many_lines_run_over_pages_with_page_numbers(client, salesperson, make_document):
    document = make_document("quote", salesperson, lines=60)
    client.force_login(salesperson)
    text, pages = pdf_text(client.get(reverse("document_pdf", args=["quote", document.pk])))
    assert pages >= 2 and f"Page 2 of {pages}" in text


def test_pdfs_are_for_those_who_may_see_the_record(
    client, salesperson, other_salesperson, make_document
):
    theirs = make_document("salesorder", other_salesperson, lines=1)
    client.force_login(salesperson)
    assert client.get(reverse("document_pdf", args=["salesorder", theirs.pk])).status_code == 404
    opportunity = make_document("opportunity", salesperson)
    url = f"/opportunities/{opportunity.pk}/pdf/"
    assert client.get(url).status_code == 404


def test_the_record_page_offers_the_pdf(client, salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    client.force_login(salesperson)
    html = client.get(order.get_absolute_url()).content.decode()
    assert reverse("document_pdf", args=["salesorder", order.pk]) in html
