"""docs/rules.md#catalog-changes: a price list item change that re-prices open documents shows
its impact first and asks; each re-priced document's timeline says old → new, who and why.
Page, admin and API."""

from decimal import Decimal

from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.models import AuditEntry
from orders.reports.timeline import document_timeline
from orders.services import document_lock_pricing
from tests.orders.views.helpers import HX


def item_url(item):
    return reverse("pricelist_item", args=[item.price_list_id, item.pk])


def item_data(item, **values):
    data = {
        "pricing_method": "currency_amount",
        "amount": "12.50",
        "percentage": "0",
        "rounding_policy": "none",
        "rounding_option": "multiple_of",
        "rounding_amount": "0",
        **values,
    }
    return {f"item{item.pk}-{key}": value for key, value in data.items()}


def widget_item(catalog):
    return catalog["price_list"].items.get(product=catalog["products"][0])


def test_page_shows_the_impact_first_and_saves_only_when_confirmed(
    client, customizer, salesperson, catalog, make_document
):
    order = make_document("salesorder", salesperson, lines=1)  # Widget 0: 10.00 × 2
    invoice = make_document("invoice", salesperson, lines=1)
    locked = make_document("salesorder", salesperson, lines=1)
    document_lock_pricing(actor=salesperson, document=locked)
    item = widget_item(catalog)
    client.force_login(customizer)

    html = client.post(item_url(item), item_data(item), **HX).content.decode()

    assert "This re-prices 2 documents (total change +10.00" in html
    impact = html.split(f'id="impact-{item.pk}"')[1].split("</div>")[0]
    assert order.number in impact and invoice.number in impact and locked.number not in impact
    assert "20.00 → 25.00" in impact
    assert 'name="confirm" value="reprice"' in html and "Save and re-price 2" in html
    item.refresh_from_db()
    order.refresh_from_db()
    assert item.amount == Decimal("10") and order.total_amount == Decimal("20")
    assert not AuditEntry.objects.filter(action="catalog_reprice").exists()

    html = client.post(item_url(item), {**item_data(item), "confirm": "reprice"}, **HX)
    html = html.content.decode()
    assert "re-priced 2 documents (total change +10.00" in html
    item.refresh_from_db()
    order.refresh_from_db()
    locked.refresh_from_db()
    assert item.amount == Decimal("12.5") and order.total_amount == Decimal("25")
    assert locked.total_amount == Decimal("20")


def test_page_without_a_javascript_shows_the_impact_on_the_whole_page(
    client, customizer, salesperson, catalog, make_document
):
    make_document("salesorder", salesperson, lines=1)
    item = widget_item(catalog)
    client.force_login(customizer)
    response = client.post(item_url(item), item_data(item))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This re-prices 1 document (total change +5.00" in html
    assert html.count('class="editing"') == 1  # only the item being changed is a form


def test_a_change_that_re_prices_nothing_saves_at_once(client, customizer, catalog):
    item = widget_item(catalog)
    client.force_login(customizer)
    response = client.post(item_url(item), item_data(item), **HX)
    assert "saved" in response.content.decode()
    item.refresh_from_db()
    assert item.amount == Decimal("12.5")


def test_timeline_says_old_and_new_unit_price_and_total_with_who_and_why(
    client, customizer, salesperson, catalog, make_document
):
    order = make_document("salesorder", salesperson, lines=1)
    item = widget_item(catalog)
    client.force_login(customizer)
    client.post(item_url(item), {**item_data(item), "confirm": "reprice"}, **HX)

    entry = next(e for e in document_timeline(order) if e.title.startswith("Re-priced"))
    changes = {c.label: (c.before, c.after) for c in entry.changes}
    assert changes["Unit price"] == ("10.00", "12.50")
    assert changes["Total"] == ("20.00", "25.00")
    assert entry.actor == customizer.get_full_name() or customizer.username
    assert "changed the price list item Retail: P-0 Widget 0" in entry.detail
    client.force_login(salesperson)
    timeline = reverse("document_timeline", kwargs={"kind": "salesorder", "pk": order.pk})
    html = client.get(timeline, **HX).content.decode()
    assert "10.00 → <strong>12.50</strong>" in html and "20.00 → <strong>25.00</strong>" in html


def api_for(user):
    token, _ = Token.objects.get_or_create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


def test_api_impact_answers_without_saving_and_patch_saves(
    customizer, salesperson, catalog, make_document
):
    order = make_document("salesorder", salesperson, lines=1)
    item = widget_item(catalog)
    url = f"/api/v1/pricelists/{item.price_list_id}/items/{item.pk}"
    api = api_for(customizer)

    response = api.post(f"{url}/impact", {"amount": "12.50"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1 and body["total_change"] == "5.00"
    assert body["summary"].startswith("This re-prices 1 document (total change +5.00")
    assert body["documents"][0]["number"] == order.number
    assert body["documents"][0]["total_amount_before"] == "20.00"
    assert body["documents"][0]["total_amount_after"] == "25.00"
    item.refresh_from_db()
    assert item.amount == Decimal("10")

    assert api.patch(url, {"amount": "12.50"}, format="json").status_code == 200
    order.refresh_from_db()
    assert order.total_amount == Decimal("25")


def test_api_impact_needs_the_change_permission(salesperson, catalog):
    item = widget_item(catalog)
    url = f"/api/v1/pricelists/{item.price_list_id}/items/{item.pk}/impact"
    assert api_for(salesperson).post(url, {"amount": "1"}, format="json").status_code == 403


def test_admin_asks_to_confirm_and_saves_when_ticked(
    client, admin_user, salesperson, catalog, make_document
):
    order = make_document("salesorder", salesperson, lines=1)
    item = widget_item(catalog)
    url = reverse("admin:orders_pricelistitem_change", args=[item.pk])
    data = {
        "price_list": item.price_list_id,
        "product": item.product_id,
        "unit": item.unit_id,
        "pricing_method": "currency_amount",
        "amount": "12.50",
        "percentage": "0",
        "rounding_policy": "none",
        "rounding_option": "multiple_of",
        "rounding_amount": "0",
        "discount_list": "",
    }
    client.force_login(admin_user)

    html = client.post(url, data).content.decode()

    assert "This re-prices 1 document (total change +5.00" in html and order.number in html
    item.refresh_from_db()
    assert item.amount == Decimal("10")
    response = client.post(url, {**data, "confirm_reprice": "on"})
    assert response.status_code == 302
    item.refresh_from_db()
    order.refresh_from_db()
    assert item.amount == Decimal("12.5") and order.total_amount == Decimal("25")


def test_admin_price_list_inline_asks_too(client, admin_user, salesperson, catalog, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    price_list = catalog["price_list"]
    items = list(price_list.items.order_by("pk"))
    data = {
        "name": price_list.name,
        "currency": price_list.currency_id,
        "valid_from": "",
        "valid_to": "",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate(items):
        data.update(
            {
                f"items-{n}-id": item.pk,
                f"items-{n}-price_list": price_list.pk,
                f"items-{n}-product": item.product_id,
                f"items-{n}-unit": item.unit_id,
                f"items-{n}-pricing_method": item.pricing_method,
                f"items-{n}-amount": f"{item.amount}",
                f"items-{n}-percentage": "0",
                f"items-{n}-rounding_policy": "none",
                f"items-{n}-rounding_option": "multiple_of",
                f"items-{n}-rounding_amount": "0",
                f"items-{n}-discount_list": "",
            }
        )
    first = next(
        n for n, item in enumerate(items) if item.product_id == order.lines.get().product_id
    )
    data[f"items-{first}-amount"] = "12.50"
    client.force_login(admin_user)
    url = reverse("admin:orders_pricelist_change", args=[price_list.pk])

    html = client.post(url, data).content.decode()

    assert "This re-prices 1 document (total change +5.00" in html
    order.refresh_from_db()
    assert order.total_amount == Decimal("20")
    response = client.post(url, {**data, f"items-{first}-confirm_reprice": "on"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.total_amount == Decimal("25")


def test_admin_refuses_a_typed_price_without_override_on_a_line(client, admin_user, make_document):
    order = make_document("salesorder", admin_user, lines=1)
    line = order.lines.get()
    client.force_login(admin_user)
    url = reverse("admin:orders_salesorderline_change", args=[line.pk])
    response = client.post(
        url,
        {
            "document": order.pk,
            "product": line.product_id,
            "write_in_product": "",
            "unit": line.unit_id,
            "quantity": "2",
            "price_per_unit": "99",
            "manual_discount_amount": "0",
            "tax": "0",
            "description": "",
        },
        follow=True,
    )
    assert "tick Override price" in response.content.decode()
    line.refresh_from_db()
    assert line.price_per_unit == Decimal("10")


def test_saving_the_same_terms_changes_nothing_and_asks_nothing(
    client, customizer, salesperson, catalog, make_document
):
    make_document("salesorder", salesperson, lines=1)
    item = widget_item(catalog)
    client.force_login(customizer)
    html = client.post(item_url(item), item_data(item, amount="10"), **HX).content.decode()
    assert "nothing changed" in html and "re-prices" not in html
    assert not AuditEntry.objects.filter(action="catalog_reprice").exists()
