"""Every list exports what it shows, as CSV and XLSX, streamed."""

import csv
import io

from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook


def csv_rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_export_has_the_lists_filters_search_and_sort(client, salesperson, make_document):
    for name in ("Alpha deal", "Beta deal", "Alpha two", "Gamma"):
        make_document("quote", salesperson, name=name, lines=1)
    client.force_login(salesperson)
    response = client.get(reverse("quote_list"), {"q": "alpha", "sort": "name", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:4] == ["Number", "Name", "Account", "Status"]
    assert [row[1] for row in rows[1:]] == ["Alpha deal", "Alpha two"]
    assert rows[1][5] == "20.00" and rows[1][6] == "USD"  # money at the currency's precision


def test_export_has_every_page_not_just_the_first(client, salesperson, make_document):
    for n in range(30):
        make_document("opportunity", salesperson, name=f"Deal {n:02d}")
    client.force_login(salesperson)
    rows = csv_rows(client.get(reverse("opportunity_list"), {"export": "csv", "page": "2"}))
    assert len(rows) == 31


def test_export_shows_only_what_the_user_may_see(
    client, salesperson, other_salesperson, make_document
):
    make_document("salesorder", salesperson, name="Mine")
    make_document("salesorder", other_salesperson, name="Theirs")
    client.force_login(salesperson)
    rows = csv_rows(client.get(reverse("salesorder_list"), {"export": "csv"}))
    assert [row[1] for row in rows[1:]] == ["Mine"]


def test_xlsx_export_is_a_real_workbook_with_numbers(client, manager, make_document):
    make_document("salesorder", manager, name="Big order", lines=2)
    client.force_login(manager)
    response = client.get(reverse("salesorder_list"), {"export": "xlsx", "view": "my"})
    assert isinstance(response, FileResponse)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Number" and rows[1][1] == "Big order"
    assert float(rows[1][5]) == 60.0  # a number, not text


def test_export_reads_in_chunks_with_a_fixed_number_of_queries(
    client, salesperson, make_document, django_assert_max_num_queries
):
    for n in range(40):
        make_document("quote", salesperson, name=f"Quote {n}")
    client.force_login(salesperson)
    client.get(reverse("quote_list"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("quote_list"), {"export": "csv"})
        rows = csv_rows(response)
    assert len(rows) == 41


def test_products_list_exports_too(client, salesperson, catalog):
    client.force_login(salesperson)
    rows = csv_rows(client.get(reverse("product_list"), {"q": "Widget 1", "export": "csv"}))
    assert [row[0] for row in rows[1:]] == ["P-1"]


def test_unknown_export_format_shows_the_page(client, salesperson, catalog):
    client.force_login(salesperson)
    response = client.get(reverse("quote_list"), {"export": "pdf"})
    assert response.status_code == 200 and "<html" in response.content.decode()
