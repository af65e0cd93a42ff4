"""The hand-over on the pages and in the admin: Submit asks first, a second invoice asks and
names the first, Submit refused while an invoice is not canceled, Request a change, and the
events a manager's cancel raises (docs/rules.md#change-requests)."""

import re

import pytest
from django.urls import reverse

from orders.integration import payloads
from orders.models import ChangeRequest, Event, Invoice, SalesOrder
from orders.services import (
    salesorder_create_invoice,
    salesorder_decline_change,
    salesorder_request_change,
    salesorder_submit,
)
from tests.conftest import set_switch

pytestmark = pytest.mark.django_db


def action_url(document, name):
    return reverse(
        "document_action", kwargs={"kind": document.KIND, "pk": document.pk, "name": name}
    )


@pytest.fixture
def submitted(make_document, salesperson, switch_on):
    return salesorder_submit(
        actor=salesperson, document=make_document("salesorder", salesperson, lines=2)
    )


def fresh(order):
    return SalesOrder.objects.get(pk=order.pk)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Submit asks first --------------------------------------------------------------------


def test_submit_asks_for_confirmation_on_a_page_of_its_own(
    client, salesperson, make_document, switch_on
):
    order = make_document("salesorder", salesperson, lines=1)
    client.force_login(salesperson)
    response = client.post(action_url(order, "submit"), {"expected_version": order.version})
    html = text(response)
    assert response.status_code == 200
    assert f"<h1>Submit {order.number} to the back office?</h1>" in html
    assert "read-only" in html
    assert 'name="confirmed" value="on"' in html and ">Submit to the back office</button>" in html
    assert f'href="{order.get_absolute_url()}">Go back to the order</a>' in html
    assert fresh(order).state == "active"
    assert not Event.objects.filter(type=payloads.SALESORDER_SUBMITTED).exists()

    response = client.post(
        action_url(order, "submit"), {"expected_version": order.version, "confirmed": "on"}
    )
    assert response.status_code == 302
    assert fresh(order).state == "submitted"
    assert Event.objects.filter(type=payloads.SALESORDER_SUBMITTED).count() == 1


def test_a_refused_submit_skips_the_question_and_says_why(
    client, salesperson, make_document, switch_on
):
    order = make_document("salesorder", salesperson)  # no lines
    client.force_login(salesperson)
    response = client.post(action_url(order, "submit"), follow=True)
    assert "Submit ORD" not in text(response)
    assert "Submit: Submit needs at least one product" in text(response)


# --- no double invoicing ------------------------------------------------------------------


def test_submit_is_missing_with_the_invoice_number_when_the_order_was_invoiced_here(
    client, salesperson, customizer, make_document
):
    order = make_document("salesorder", salesperson, lines=1)
    invoice = salesorder_create_invoice(actor=salesperson, document=order)
    set_switch(customizer, True)
    client.force_login(salesperson)
    html = text(client.get(order.get_absolute_url()))
    assert ">Submit</button>" not in html
    assert f"<strong>Submit</strong>: {order.number} already has invoice {invoice.number}" in html
    response = client.post(
        action_url(order, "submit"), {"confirmed": "on"}, follow=True
    )  # a stale page's button
    assert f"already has invoice {invoice.number}" in text(response)
    assert fresh(order).state == "active"


def test_a_second_invoice_asks_and_names_the_first(client, salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    client.force_login(salesperson)
    first = client.post(action_url(order, "create_invoice"))  # the first: no question
    assert first.status_code == 302 and first["Location"].startswith("/invoices/")
    invoice = Invoice.objects.get(sales_order=order)

    response = client.post(action_url(order, "create_invoice"))
    html = text(response)
    assert response.status_code == 200
    assert f"Create another invoice for {order.number}?" in html
    assert f"already has invoice {invoice.number} (active)" in html
    assert f'href="{invoice.get_absolute_url()}"' in html
    assert Invoice.objects.filter(sales_order=order).count() == 1

    response = client.post(action_url(order, "create_invoice"), {"confirmed": "on"})
    assert response.status_code == 302
    assert Invoice.objects.filter(sales_order=order).count() == 2


# --- Request a change ---------------------------------------------------------------------


def test_request_a_change_through_its_form(client, salesperson, submitted):
    client.force_login(salesperson)
    html = text(client.get(submitted.get_absolute_url()))
    assert ">Request a change</button>" in html

    # the command opens the form (a POST from the command bar, or a link)
    for response in (
        client.post(action_url(submitted, "request_change")),
        client.get(action_url(submitted, "request_change")),
    ):
        html = text(response)
        assert response.status_code == 200
        assert f"<h1>Request a change to {submitted.number}</h1>" in html
        assert '<label for="id_note">What should change' in html
        assert 'maxlength="2000"' in html and 'aria-describedby="id_note_help"' in html
    assert not ChangeRequest.objects.exists()

    response = client.post(
        action_url(submitted, "request_change"), {"confirmed": "on", "note": " "}
    )
    html = text(response)
    assert response.status_code == 200  # the form again, with its error
    assert 'id="id_note_error" class="field-error">Say what should change.' in html
    assert 'aria-invalid="true"' in html
    response = client.post(
        action_url(submitted, "request_change"), {"confirmed": "on", "note": "x" * 2001}
    )
    assert "2,000 characters" in text(response)
    response = client.post(
        action_url(submitted, "request_change"), {"confirmed": "on", "note": "a\x00b"}
    )
    assert response.status_code == 200 and "null character" in text(response)
    assert not ChangeRequest.objects.exists()

    response = client.post(
        action_url(submitted, "request_change"),
        {
            "confirmed": "on",
            "note": "Customer wants 5 units",
            "expected_version": fresh(submitted).version,
        },
        follow=True,
    )
    html = text(response)
    assert "Change requested: the back office has been told" in html
    assert 'id="change-request"' in html
    name = salesperson.get_full_name()
    assert re.search(rf"</time> by {name}: “Customer wants 5 units” — waiting for the back", html)
    assert "Change requested by" in timeline_html(client, submitted)
    assert ">Request a change</button>" not in html  # one open request at a time
    assert "<strong>Request a change</strong>: A change to" in html
    order = fresh(submitted)
    assert order.state == "submitted"
    assert Event.objects.filter(type=payloads.SALESORDER_CHANGE_REQUESTED).count() == 1


def timeline_html(client, order) -> str:
    """The timeline comes by itself right after the page (its own address)."""
    url = reverse("document_timeline", kwargs={"kind": "salesorder", "pk": order.pk})
    return text(client.get(url, HTTP_HX_REQUEST="true"))


def test_the_banner_says_who_requested_and_then_the_decline(
    client, salesperson, manager, integration_user, submitted
):
    salesorder_request_change(actor=manager, document=submitted, note="Ship Friday")
    client.force_login(salesperson)
    html = text(client.get(submitted.get_absolute_url()))
    name = manager.get_full_name()
    assert re.search(
        rf"Change requested</strong> <time[^>]*>[^<]+</time> by {name}: “Ship Friday”", html
    )
    salesorder_decline_change(actor=integration_user, document=fresh(submitted), reason="Too late")
    html = text(client.get(submitted.get_absolute_url()))
    assert "Change declined</strong> by the back office" in html and "“Too late”" in html
    assert "Change declined by the back office: Too late" in timeline_html(client, submitted)


def test_request_a_change_is_refused_where_the_guard_refuses(
    client, salesperson, integration_user, make_document, submitted
):
    active = make_document("salesorder", salesperson, lines=1)
    client.force_login(salesperson)
    response = client.get(action_url(active, "request_change"), follow=True)
    assert "Request a change: Request a change is not possible" in text(response)
    response = client.post(
        action_url(active, "request_change"), {"confirmed": "on", "note": "x"}, follow=True
    )
    assert "Request a change is not possible" in text(response)
    client.force_login(integration_user)
    html = text(client.get(submitted.get_absolute_url()))
    assert "Request a change" not in html
    response = client.post(
        action_url(submitted, "request_change"), {"confirmed": "on", "note": "x"}, follow=True
    )
    assert "answers change requests" in text(response)
    assert not ChangeRequest.objects.exists()


def test_the_integration_user_declines_from_the_command_bar(
    client, salesperson, integration_user, submitted
):
    salesorder_request_change(actor=salesperson, document=submitted, note="Add gift wrap")
    client.force_login(integration_user)
    html = text(client.get(submitted.get_absolute_url()))
    assert (
        '<label class="sr-only" for="text-decline_change">Why the change is declined</label>'
        in html
    )
    client.post(action_url(submitted, "decline_change"), {"reason": "No wrap in stock"})
    assert ChangeRequest.objects.get().state == "declined"


def test_a_managers_cancel_on_the_page_tells_the_back_office(client, manager, submitted):
    client.force_login(manager)
    client.post(action_url(submitted, "cancel"))
    assert fresh(submitted).state == "canceled"
    [event] = Event.objects.filter(type=payloads.SALESORDER_CANCELED)
    assert event.payload["previous_state"] == "submitted"


# --- the admin ----------------------------------------------------------------------------


def test_the_admin_cancel_action_raises_the_event_and_shows_change_requests(
    client, admin_user, salesperson, submitted
):
    salesorder_request_change(actor=salesperson, document=submitted, note="Blue, not red")
    client.force_login(admin_user)
    html = text(client.get(reverse("admin:orders_salesorder_change", args=[submitted.pk])))
    assert "Change requests" in html and "Blue, not red" in html and "Open" in html
    assert 'name="change_requests' not in html  # shown, never edited
    client.post(
        reverse("admin:orders_salesorder_changelist"),
        {"action": "action_cancel", "_selected_action": [submitted.pk]},
    )
    assert fresh(submitted).state == "canceled"
    assert Event.objects.filter(type=payloads.SALESORDER_CANCELED).count() == 1
    assert ChangeRequest.objects.get().state == "canceled"
    html = text(client.get(reverse("admin:orders_salesorder_change", args=[submitted.pk])))
    assert "Answered: order canceled" in html


def test_a_fulfilled_order_no_longer_shows_its_request_as_waiting(
    client, salesperson, manager, submitted
):
    salesorder_request_change(actor=salesperson, document=submitted, note="Ship Friday")
    client.force_login(salesperson)
    assert "waiting for the back office" in text(client.get(submitted.get_absolute_url()))
    assert "Ship Friday" in text(client.get(reverse("home")))
    client.force_login(manager)
    client.post(action_url(submitted, "fulfill"), {"status_reason": "complete"})
    assert fresh(submitted).state == "fulfilled"
    client.force_login(salesperson)
    assert "waiting for the back office" not in text(client.get(submitted.get_absolute_url()))
    assert "Ship Friday" not in text(client.get(reverse("home")))


def test_the_admin_submit_action_is_refused_with_the_invoice_number(
    client, admin_user, salesperson, customizer, make_document
):
    order = make_document("salesorder", salesperson, lines=1)
    invoice = salesorder_create_invoice(actor=salesperson, document=order)
    set_switch(customizer, True)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:orders_salesorder_changelist"),
        {"action": "action_submit", "_selected_action": [order.pk]},
        follow=True,
    )
    assert f"already has invoice {invoice.number}" in text(response)
    assert fresh(order).state == "active"
    # and a second invoice from the admin is refused too: the page is where it is confirmed
    set_switch(customizer, False)
    response = client.post(
        reverse("admin:orders_salesorder_changelist"),
        {"action": "action_create_invoice", "_selected_action": [order.pk]},
        follow=True,
    )
    assert "confirm to create another one" in text(response)
    assert Invoice.objects.filter(sales_order=order).count() == 1
