"""Issue 10 point 4: where the skip table skips calculation, the record page lets the
integration user enter the amounts the system no longer computes, says when stored totals
disagree with the lines, and says when Recalculate was skipped."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.services import perform
from tests.orders.views.helpers import HX


def lines_url(document):
    return reverse("document_lines", kwargs={"kind": document.KIND, "pk": document.pk})


def line_url(line):
    document = line.document
    return reverse(
        "document_line", kwargs={"kind": document.KIND, "pk": document.pk, "line_id": line.pk}
    )


def write_in(prefix="new", **values):
    data = {
        f"{prefix}-write_in_product": "Service",
        f"{prefix}-quantity": "1",
        f"{prefix}-price_per_unit": "399",
    }
    data.update({f"{prefix}-{name}": value for name, value in values.items()})
    return data


def test_integration_users_line_keeps_the_amounts_entered_on_the_page(
    client, salesperson, integration_user, make_document, switch_on
):
    order = make_document("salesorder", salesperson)
    client.force_login(integration_user)
    page = client.get(order.get_absolute_url()).content.decode()
    # the amounts the system no longer computes are fields of the add form
    assert 'name="new-base_amount"' in page and 'name="new-extended_amount"' in page
    assert 'name="new-volume_discount_amount"' in page
    client.post(lines_url(order), write_in(base_amount="399", extended_amount="399"), **HX)
    line = order.lines.get()
    # today: 1 × 399.00 = 0.00
    assert (line.quantity, line.price_per_unit) == (Decimal("1"), Decimal("399"))
    assert line.base_amount == Decimal("399") and line.extended_amount == Decimal("399")
    html = client.get(order.get_absolute_url()).content.decode()
    assert "399.00" in html.split(f'id="line-{line.pk}"')[1].split("</tr>")[0].split(">1<")[-1]


def test_integration_user_edits_line_amounts_and_header_totals(
    client, salesperson, integration_user, make_document, switch_on
):
    order = make_document("salesorder", salesperson, lines=1)  # 2 × 10 = 20
    perform("submit", actor=salesperson, document=order)
    line = order.lines.get()
    client.force_login(integration_user)
    form = client.get(line_url(line), **HX).content.decode()
    assert f'name="line{line.pk}-extended_amount"' in form
    prefix = f"line{line.pk}"
    client.post(
        line_url(line),
        {
            f"{prefix}-product": line.product_id,
            f"{prefix}-quantity": "2",
            f"{prefix}-volume_discount_amount": "1.00",
            f"{prefix}-base_amount": "19.00",
            f"{prefix}-extended_amount": "19.00",
        },
        **HX,
    )
    line.refresh_from_db()
    assert (line.volume_discount_amount, line.base_amount, line.extended_amount) == (
        Decimal("1.00"),
        Decimal("19.00"),
        Decimal("19.00"),
    )
    order.refresh_from_db()
    assert order.total_amount == Decimal("20.00")  # header kept as given: it now disagrees
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Totals differ from the sum of the lines by 1.00" in page
    assert 'name="total_amount"' in page  # the header totals are fields for the integration user
    client.post(
        reverse("document_update", kwargs={"kind": "salesorder", "pk": order.pk}),
        {
            "name": order.name,
            "account": order.account_id,
            "price_list": order.price_list_id,
            "currency": order.currency_id,
            "discount_percentage": "0",
            "discount_amount": "0",
            "freight_amount": "0",
            "total_line_item_amount": "19.00",
            "total_line_item_discount_amount": "0.00",
            "total_discount_amount": "0.00",
            "total_amount_less_freight": "19.00",
            "total_tax": "0.00",
            "total_amount": "19.00",
            "expected_version": order.version,
        },
    )
    order.refresh_from_db()
    assert order.total_amount == Decimal("19.00")
    client.force_login(salesperson)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Totals differ" not in page
    assert 'name="total_amount"' not in page


def test_people_other_than_the_integration_user_get_no_amount_fields(
    client, salesperson, make_document, switch_on
):
    order = make_document("salesorder", salesperson, lines=1)
    client.force_login(salesperson)
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'name="new-extended_amount"' not in page and 'name="total_amount"' not in page
    # a computed amount slipped into the form is not taken from sales staff
    client.post(lines_url(order), write_in(extended_amount="1"), **HX)
    assert order.lines.get(write_in_product="Service").extended_amount == Decimal("399.00")


def test_bad_hand_entered_amount_is_a_field_error_and_changes_nothing(
    client, salesperson, integration_user, make_document, switch_on
):
    order = make_document("salesorder", salesperson)
    client.force_login(integration_user)
    html = client.post(
        lines_url(order), write_in(base_amount="1.234", extended_amount="abc"), **HX
    ).content.decode()
    assert 'id="id_new-extended_amount_error"' in html
    assert order.lines.count() == 0
    html = client.post(
        lines_url(order), write_in(base_amount="1.234", extended_amount="1"), **HX
    ).content.decode()
    assert "allows at most 2 decimals" in html
    assert order.lines.count() == 0


def test_recalculate_says_skipped_with_the_reason(
    client, salesperson, integration_user, make_document, switch_on
):
    order = make_document("salesorder", salesperson, lines=1)
    perform("submit", actor=salesperson, document=order)
    client.force_login(integration_user)
    url = reverse(
        "document_action", kwargs={"kind": "salesorder", "pk": order.pk, "name": "recalculate"}
    )
    page = client.post(url, follow=True).content.decode()
    assert "Recalculate skipped: " in page and "submitted to the back office" in page
    assert "Recalculate: done." not in page


def test_recalculate_that_runs_says_done(client, salesperson, make_document):
    quote = make_document("quote", salesperson, lines=1)
    client.force_login(salesperson)
    url = reverse(
        "document_action", kwargs={"kind": "quote", "pk": quote.pk, "name": "recalculate"}
    )
    page = client.post(url, follow=True).content.decode()
    assert "Recalculate: done." in page


def test_the_admin_says_when_totals_differ_from_the_lines(
    client, admin_user, salesperson, integration_user, make_document, switch_on
):
    from orders.services.documents import line_update

    order = make_document("salesorder", salesperson, lines=1)
    perform("submit", actor=salesperson, document=order)
    client.force_login(admin_user)
    url = reverse("admin:orders_salesorder_change", args=[order.pk])
    assert "The totals are the sum of the lines." in client.get(url).content.decode()
    line_update(
        actor=integration_user,
        line=order.lines.get(),
        base_amount=Decimal("17.50"),
        extended_amount=Decimal("17.50"),
    )
    html = client.get(url).content.decode()
    assert "Totals differ from the sum of the lines by 2.50." in html


def test_integration_users_catalog_line_keeps_its_typed_price(
    client, salesperson, integration_user, make_document, catalog, switch_on
):
    order = make_document("salesorder", salesperson)
    client.force_login(integration_user)
    client.post(
        lines_url(order),
        {
            "new-product": catalog["products"][0].pk,
            "new-quantity": "2",
            "new-price_per_unit": "9.50",
            "new-base_amount": "19.00",
            "new-extended_amount": "19.00",
        },
        **HX,
    )
    line = order.lines.get()
    assert (line.price_per_unit, line.extended_amount) == (Decimal("9.50"), Decimal("19.00"))
    order.refresh_from_db()
    assert order.total_amount == Decimal("0.00")  # the header is the back office's to set
    assert (
        "Totals differ from the sum of the lines by -19.00"
        in client.get(order.get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e999", "-1", "١٢", "9" * 40, " ", "0x10"])
def test_garbage_in_hand_entered_amounts_never_gives_a_500(
    client, salesperson, integration_user, make_document, switch_on, value
):
    order = make_document("salesorder", salesperson, lines=1)
    line = order.lines.get()
    client.force_login(integration_user)
    for name in ("volume_discount_amount", "base_amount", "extended_amount"):
        added = client.post(lines_url(order), write_in(**{name: value}), **HX)
        assert added.status_code == 200
        prefix = f"line{line.pk}"
        edited = client.post(
            line_url(line),
            {
                f"{prefix}-product": line.product_id,
                f"{prefix}-quantity": "2",
                f"{prefix}-{name}": value,
            },
            **HX,
        )
        assert edited.status_code == 200
    header = client.post(
        reverse("document_update", kwargs={"kind": "salesorder", "pk": order.pk}),
        {"name": "X", "currency": order.currency_id, "total_amount": value},
    )
    assert header.status_code in (200, 302)
