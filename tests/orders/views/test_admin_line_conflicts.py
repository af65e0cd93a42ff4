"""docs/rules.md#edit-conflicts in the Django admin's product-line inlines: a document's change
page posted after someone else changed one of its lines never reverts that change. A line the
user did not touch keeps the stored values; a line both changed is refused with the saved and
the user's values side by side, and saving again applies the user's change; a line someone
else changed is not deleted without asking again."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.services.documents import line_delete, line_update
from tests.orders.views.helpers import admin_post


def change_url(order):
    return reverse("admin:orders_salesorder_change", args=[order.pk])


def test_the_change_page_carries_the_opened_version_on_every_line(
    client, admin_user, make_document
):
    order = make_document("salesorder", admin_user, lines=2)
    client.force_login(admin_user)

    html = client.get(change_url(order)).content.decode()

    for index in (0, 1):
        assert f'name="lines-{index}-opened_version" value="{order.version}"' in html


def test_stale_header_save_keeps_the_other_users_line_change(
    client, admin_user, manager, make_document
):
    order = make_document("salesorder", admin_user, lines=2)
    first, second = order.lines.order_by("line_number")
    opened = admin_post(order, description="Back door")  # A opens the change page
    line_update(actor=manager, line=first, quantity=Decimal("7"))  # B changes a line
    client.force_login(admin_user)

    response = client.post(change_url(order), opened)

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    order.refresh_from_db()
    assert first.quantity == Decimal("7")  # B's quantity stands
    assert second.quantity == Decimal("2")
    assert order.description == "Back door"


def test_stale_line_save_is_refused_with_both_values_and_applies_on_saving_again(
    client, admin_user, manager, make_document
):
    order = make_document("salesorder", admin_user, lines=1)
    line = order.lines.get()
    opened = admin_post(order, line_changes={line.pk: {"tax": "3.00"}})
    line_update(actor=manager, line=line, quantity=Decimal("7"))
    client.force_login(admin_user)

    response = client.post(change_url(order), opened)

    html = response.content.decode()
    assert response.status_code == 200
    assert "changed by someone else since you opened it" in html
    assert "Quantity: saved 7" in html and "Tax: saved 0.00, yours 3.00" in html
    assert "version" not in html.split("changed by someone else")[1].split("</ul>")[0].lower()
    line.refresh_from_db()
    assert (line.quantity, line.tax) == (Decimal("7"), Decimal("0"))  # nothing saved yet
    # the form now holds the saved quantity and the user's tax, at the current version
    order.refresh_from_db()
    assert 'name="lines-0-quantity" value="7' in html
    assert 'name="lines-0-tax" value="3.00"' in html
    assert f'name="lines-0-opened_version" value="{order.version}"' in html

    # saving again (the merged form) applies the user's tax over the saved quantity
    response = client.post(
        change_url(order), admin_post(order, line_changes={line.pk: {"tax": "3.00"}})
    )

    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.quantity, line.tax) == (Decimal("7"), Decimal("3"))


def test_stale_save_of_another_field_of_a_changed_line_asks_first(
    client, admin_user, manager, make_document
):
    """Even when the fields differ, the user saw the line as it was: they are asked."""
    order = make_document("salesorder", admin_user, lines=1)
    line = order.lines.get()
    opened = admin_post(order, line_changes={line.pk: {"quantity": "5"}})
    line_update(actor=manager, line=line, quantity=Decimal("7"))
    client.force_login(admin_user)

    response = client.post(change_url(order), opened)

    assert response.status_code == 200
    assert "Quantity: saved 7.00, yours 5.00" in response.content.decode()
    line.refresh_from_db()
    assert line.quantity == Decimal("7")


def test_stale_delete_of_a_line_someone_else_changed_asks_first(
    client, admin_user, manager, make_document
):
    order = make_document("salesorder", admin_user, lines=1)
    line = order.lines.get()
    opened = admin_post(order, delete=[line.pk])
    line_update(actor=manager, line=line, quantity=Decimal("7"))
    client.force_login(admin_user)

    response = client.post(change_url(order), opened)

    html = response.content.decode()
    assert response.status_code == 200
    assert "changed by someone else since you opened it" in html and "Quantity: saved 7" in html
    assert order.lines.filter(pk=line.pk).exists()

    order.refresh_from_db()
    response = client.post(change_url(order), admin_post(order, delete=[line.pk]))
    assert response.status_code == 302
    assert not order.lines.filter(pk=line.pk).exists()


def test_line_save_at_the_current_version_is_saved_as_before(client, admin_user, make_document):
    order = make_document("salesorder", admin_user, lines=1)
    line = order.lines.get()
    client.force_login(admin_user)

    response = client.post(
        change_url(order), admin_post(order, line_changes={line.pk: {"tax": "4.00"}})
    )

    assert response.status_code == 302
    line.refresh_from_db()
    assert line.tax == Decimal("4")


def test_a_lines_own_change_page_is_compared_too(client, admin_user, manager, make_document):
    order = make_document("salesorder", admin_user, lines=1)
    line = order.lines.get()
    url = reverse("admin:orders_salesorderline_change", args=[line.pk])
    client.force_login(admin_user)
    html = client.get(url).content.decode()
    assert f'name="opened_version" value="{order.version}"' in html
    row = admin_post(order, line_changes={line.pk: {"tax": "3.00"}})
    values = {
        key.removeprefix("lines-0-"): value
        for key, value in row.items()
        if key.startswith("lines-0-")
    }
    line_update(actor=manager, line=line, quantity=Decimal("7"))

    response = client.post(url, values)

    assert response.status_code == 200
    assert "Quantity: saved 7.00" in response.content.decode()
    line.refresh_from_db()
    assert (line.quantity, line.tax) == (Decimal("7"), Decimal("0"))


def test_stale_save_of_a_line_someone_else_removed_says_so_and_saves_nothing(
    client, admin_user, manager, make_document
):
    order = make_document("salesorder", admin_user, lines=2)
    first, second = order.lines.order_by("line_number")
    opened = admin_post(order, line_changes={first.pk: {"tax": "3.00"}}, description="Dock 4")
    line_delete(actor=manager, line=second)
    client.force_login(admin_user)

    response = client.post(change_url(order), opened)

    html = response.content.decode()
    assert response.status_code == 200
    assert "was removed by someone else since you opened it, so nothing was saved" in html
    assert "Select a valid choice" not in html
    first.refresh_from_db()
    order.refresh_from_db()
    assert first.tax == Decimal("0") and order.description == ""


def test_the_change_page_reads_the_same_number_of_queries_for_more_lines(
    client, admin_user, make_document
):
    def queries(lines: int) -> int:
        order = make_document("salesorder", admin_user, lines=lines)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(change_url(order)).status_code == 200
        return len(captured)

    client.force_login(admin_user)
    queries(1)  # warm the caches (the organization, content types)

    assert queries(6) <= queries(2)
