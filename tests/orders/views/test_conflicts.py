"""docs/rules.md#edit-conflicts: a save posted against an older version never undoes what
someone else saved meanwhile; the page shows the user's changes beside the saved values and
lets them apply or discard them. Pages (header and lines), the API and the admin."""

from decimal import Decimal

from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.services.documents import document_update, line_update
from tests.orders.views.conftest import HX
from tests.orders.views.helpers import admin_post


def header_post(document, **changes):
    """The header form as the page rendered it (every field), with the user's changes."""
    values = {
        "name": document.name,
        "account": document.account_id or "",
        "price_list": document.price_list_id or "",
        "currency": document.currency_id,
        "discount_percentage": "0",
        "discount_amount": f"{document.discount_amount:.2f}",
        "freight_amount": f"{document.freight_amount:.2f}",
        "description": document.description,
        "expected_version": document.version,
    }
    values.update(changes)
    return values


def header_url(document):
    return reverse("document_update", args=[document.KIND, document.pk])


def test_stale_header_save_keeps_the_other_users_freight(
    client, salesperson, manager, make_document
):
    order = make_document("salesorder", salesperson, lines=1)
    opened = header_post(order, description="Deliver to the back door")  # A opens the page
    document_update(actor=manager, document=order, freight_amount=Decimal("11"))  # B saves
    client.force_login(salesperson)

    response = client.post(header_url(order), opened)

    html = response.content.decode()
    assert response.status_code == 200
    assert "changed by someone else since you opened it" in html
    conflict = html.split('id="header-conflict"')[1].split("</table>")[0]
    assert "Description" in conflict and "Deliver to the back door" in conflict
    assert "Freight amount" in conflict and "11.00" in conflict
    assert "version" not in conflict.lower()
    order.refresh_from_db()
    assert order.freight_amount == Decimal("11")  # B's freight stands
    assert order.description == ""  # nothing saved before the user applies
    # the form now holds the saved freight and the user's description
    form = html.split('id="header-form"')[1].split("</form>")[0]
    assert 'value="11.00"' in form and "Deliver to the back door" in form


def test_applying_the_conflict_saves_only_the_users_change(
    client, salesperson, manager, make_document
):
    order = make_document("salesorder", salesperson, lines=1)
    opened = header_post(order, description="Deliver to the back door")
    document_update(actor=manager, document=order, freight_amount=Decimal("11"))
    client.force_login(salesperson)
    client.post(header_url(order), opened)
    order.refresh_from_db()

    # "Apply my changes" submits the merged form: saved values plus the user's, current version
    response = client.post(
        header_url(order), header_post(order, description="Deliver to the back door")
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.description == "Deliver to the back door"
    assert order.freight_amount == Decimal("11")


def test_discarding_leaves_the_saved_values(client, salesperson, manager, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    opened = header_post(order, freight_amount="5.00")
    document_update(actor=manager, document=order, freight_amount=Decimal("11"))
    client.force_login(salesperson)
    html = client.post(header_url(order), opened).content.decode()
    conflict = html.split('id="header-conflict"')[1].split("</div>\n</div>")[0]
    assert "Discard my changes" in conflict and f'href="{order.get_absolute_url()}"' in conflict
    order.refresh_from_db()
    assert order.freight_amount == Decimal("11")


def test_stale_save_of_a_field_nobody_else_touched_is_saved_without_asking(
    client, salesperson, manager, make_document
):
    order = make_document("salesorder", salesperson, lines=1)
    opened = header_post(order, description="Fragile")
    line = order.lines.get()
    line_update(actor=manager, line=line, tax=Decimal("1"))  # a line changed: a new version
    client.force_login(salesperson)

    response = client.post(header_url(order), opened)

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.description == "Fragile"
    assert order.lines.get().tax == Decimal("1")


def line_post(line, **changes):
    prefix = f"line{line.pk}-"
    values = {
        "product": line.product_id,
        "write_in_product": "",
        "unit": line.unit_id,
        "quantity": f"{line.quantity.normalize():f}",
        "price_per_unit": f"{line.price_per_unit:.2f}",
        "manual_discount_amount": f"{line.manual_discount_amount:.2f}",
        "tax": f"{line.tax:.2f}",
        "expected_version": line.document.version,
    }
    values.update(changes)
    return {prefix + name: value for name, value in values.items()}


def line_url(line):
    return reverse("document_line", args=[line.document.KIND, line.document_id, line.pk])


def test_stale_line_save_keeps_the_other_users_quantity(
    client, salesperson, manager, make_document
):
    order = make_document("salesorder", salesperson, lines=1)
    line = order.lines.select_related("document").get()
    opened = line_post(line, tax="3.00")
    line_update(actor=manager, line=line, quantity=Decimal("7"))
    client.force_login(salesperson)

    response = client.post(line_url(line), opened, **HX)

    html = response.content.decode()
    assert "changed by someone else since you opened it" in html
    conflict = html.split('id="line-conflict"')[1].split("</table>")[0]
    assert "Tax" in conflict and "3.00" in conflict
    assert "Quantity" in conflict and "7" in conflict
    assert f'form="line-form-{line.pk}"' in html.split('id="line-conflict"')[1]
    line.refresh_from_db()
    assert (line.quantity, line.tax) == (Decimal("7"), Decimal("0"))

    # apply: the merged form (saved quantity, the user's tax, the current version)
    line.refresh_from_db()
    order.refresh_from_db()
    response = client.post(line_url(line), line_post(line, tax="3.00"), **HX)
    assert response.status_code == 200
    line.refresh_from_db()
    assert (line.quantity, line.tax) == (Decimal("7"), Decimal("3"))


def test_stale_line_save_after_a_header_change_saves_only_the_line(
    client, salesperson, manager, make_document
):
    order = make_document("salesorder", salesperson, lines=1)
    line = order.lines.select_related("document").get()
    opened = line_post(line, tax="2.00")
    document_update(actor=manager, document=order, freight_amount=Decimal("11"))
    client.force_login(salesperson)

    response = client.post(line_url(line), opened, **HX)

    assert 'id="line-conflict"' not in response.content.decode()
    line.refresh_from_db()
    order.refresh_from_db()
    assert line.tax == Decimal("2") and order.freight_amount == Decimal("11")


def test_api_stale_patch_is_refused_and_changes_nothing(salesperson, manager, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    opened_version = order.version
    document_update(actor=manager, document=order, freight_amount=Decimal("11"))
    token, _ = Token.objects.get_or_create(user=salesperson)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = f"/api/v1/salesorders/{order.pk}"

    stale = api.patch(
        url, {"name": "x"}, format="json", headers={"If-Match": f'"{opened_version}"'}
    )
    fresh = api.patch(url, {"name": "Back door"}, format="json")

    assert stale.status_code == 412
    assert fresh.status_code == 200
    order.refresh_from_db()
    assert order.name == "Back door" and order.freight_amount == Decimal("11")


def test_admin_stale_save_shows_the_conflict_and_keeps_the_other_users_freight(
    client, admin_user, manager, make_document
):
    order = make_document("salesorder", admin_user)
    opened = admin_post(order, description="Back door")
    document_update(actor=manager, document=order, freight_amount=Decimal("11"))
    client.force_login(admin_user)
    url = reverse("admin:orders_salesorder_change", args=[order.pk])

    response = client.post(url, opened)

    html = response.content.decode()
    assert response.status_code == 200
    assert "changed by someone else since you opened it" in html
    order.refresh_from_db()
    assert order.freight_amount == Decimal("11") and order.description == ""

    # saving again applies the user's change over the saved values
    order.refresh_from_db()
    response = client.post(url, admin_post(order, description="Back door"))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.freight_amount == Decimal("11") and order.description == "Back door"


def test_stale_line_save_without_htmx_shows_the_conflict_on_the_whole_page(
    client, salesperson, manager, make_document
):
    invoice = make_document("invoice", salesperson, lines=1)
    line = invoice.lines.select_related("document").get()
    opened = line_post(line, tax="1.00")
    line_update(actor=manager, line=line, tax=Decimal("2"))
    client.force_login(salesperson)

    response = client.post(line_url(line), opened)

    html = response.content.decode()
    assert response.status_code == 200 and 'id="line-conflict"' in html
    conflict = html.split('id="line-conflict"')[1].split("</table>")[0]
    assert "2.00" in conflict and "1.00" in conflict and "changed by someone else" in conflict
    line.refresh_from_db()
    assert line.tax == Decimal("2")
