"""The API's side of the hand-over: request_change, decline_change, no double invoicing
(docs/rules.md#change-requests)."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from orders.integration import payloads
from orders.models import ChangeRequest, Event, Invoice, SalesOrder
from tests.conftest import set_switch

pytestmark = pytest.mark.django_db


def act(client, order, name, body=None, **extra):
    return client.post(f"/api/v1/salesorders/{order.pk}/{name}", body or {}, format="json", **extra)


def test_request_change_and_decline_it(api, salesperson, integration_user, submitted_order):
    sales, office = api(salesperson), api(integration_user)
    response = act(sales, submitted_order, "request_change", {"note": "Three more boxes"})
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "submitted"
    assert response["ETag"]
    [event] = Event.objects.filter(type=payloads.SALESORDER_CHANGE_REQUESTED)
    assert event.payload["change_request"]["note"] == "Three more boxes"

    response = act(sales, submitted_order, "request_change", {"note": "And a pen"})
    assert (response.status_code, response.json()["code"]) == (409, "change_already_requested")

    response = act(sales, submitted_order, "decline_change", {"reason": "No"})
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    response = act(office, submitted_order, "decline_change", {})
    assert response.status_code == 400 and response.json()["fields"] == ["reason"]
    response = act(office, submitted_order, "decline_change", {"reason": "Already shipped"})
    assert response.status_code == 200, response.json()
    change = ChangeRequest.objects.get()
    assert (change.state, change.decline_reason) == ("declined", "Already shipped")
    response = act(office, submitted_order, "decline_change", {"reason": "Again"})
    assert (response.status_code, response.json()["code"]) == (409, "no_change_request")
    assert Event.objects.filter(type=payloads.SALESORDER_CHANGE_REQUESTED).count() == 1


@pytest.mark.parametrize(
    ("path", "body", "answer"),
    [
        ("salesorders/{pk}/fulfill", {"status_reason": "complete"}, "fulfilled"),
        ("invoices", {"name": "ERP invoice", "total_amount": "61.50"}, "invoiced"),
    ],
    ids=["fulfill", "the back office's invoice"],
)
def test_the_back_office_moving_the_order_on_answers_the_open_request(
    api, salesperson, integration_user, submitted_order, path, body, answer
):
    act(api(salesperson), submitted_order, "request_change", {"note": "Three more boxes"})
    if path == "invoices":
        body = {**body, "currency": submitted_order.currency_id, "sales_order": submitted_order.pk}
    response = api(integration_user).post(
        f"/api/v1/{path.format(pk=submitted_order.pk)}", body, format="json"
    )
    assert response.status_code in {200, 201}, response.json()
    assert SalesOrder.objects.get(pk=submitted_order.pk).state == answer
    change = ChangeRequest.objects.get()
    assert (change.state, change.answered_by) == (answer, integration_user)


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "note"), ({"note": ""}, "note"), ({"note": "x" * 2001}, "note"), ({"note": 5}, None)],
)
def test_request_change_refuses_bad_notes_and_changes_nothing(
    api, salesperson, submitted_order, body, field
):
    response = act(api(salesperson), submitted_order, "request_change", body)
    if field is None:  # a number is taken as its text by DRF: that is a note like any other
        assert response.status_code == 200
        return
    assert response.status_code == 400, response.json()
    assert response.json()["fields"] == [field]
    assert not ChangeRequest.objects.exists()


def test_request_change_who_and_when(
    api,
    salesperson,
    other_salesperson,
    integration_user,
    customizer,
    submitted_order,
    make_document,
):
    response = act(api(integration_user), submitted_order, "request_change", {"note": "x"})
    assert (response.status_code, response.json()["code"]) == (403, "not_for_integration_user")
    response = act(api(other_salesperson), submitted_order, "request_change", {"note": "x"})
    assert response.status_code == 404  # not theirs: not even visible
    response = act(api(customizer), submitted_order, "request_change", {"note": "x"})
    assert response.status_code == 403
    active = make_document("salesorder", salesperson, lines=1)
    response = act(api(salesperson), active, "request_change", {"note": "x"})
    assert (response.status_code, response.json()["code"]) == (409, "wrong_state")
    assert not ChangeRequest.objects.exists()


def test_reject_answers_the_request_and_a_resubmit_follows(
    api, salesperson, integration_user, submitted_order
):
    act(api(salesperson), submitted_order, "request_change", {"note": "Please return it"})
    response = act(api(integration_user), submitted_order, "reject", {"reason": "Edit it"})
    assert response.status_code == 200
    assert ChangeRequest.objects.get().state == "returned"
    response = act(api(salesperson), submitted_order, "submit")
    assert response.status_code == 200 and response.json()["state"] == "submitted"


def test_submit_is_refused_while_the_order_has_an_active_invoice(
    api, salesperson, customizer, make_document
):
    order = make_document("salesorder", salesperson, lines=1)
    client = api(salesperson)
    invoice = act(client, order, "create_invoice").json()
    set_switch(customizer, True)
    response = act(client, order, "submit")
    assert response.status_code == 409
    assert response.json()["code"] == "already_invoiced"
    assert invoice["number"] in response.json()["detail"]
    assert SalesOrder.objects.get(pk=order.pk).state == "active"
    assert not Event.objects.filter(type=payloads.SALESORDER_SUBMITTED).exists()


def test_a_second_invoice_needs_confirmed(api, salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    client = api(salesperson)
    first = act(client, order, "create_invoice")
    assert first.status_code == 201
    response = act(client, order, "create_invoice")
    assert response.status_code == 409
    assert response.json()["code"] == "invoice_exists"
    assert first.json()["number"] in response.json()["detail"]
    response = act(client, order, "create_invoice", {"confirmed": "maybe"})
    assert response.status_code == 400
    assert Invoice.objects.filter(sales_order=order).count() == 1
    response = act(client, order, "create_invoice", {"confirmed": True})
    assert response.status_code == 201
    assert Invoice.objects.filter(sales_order=order).count() == 2


def test_cancel_of_a_submitted_order_through_the_api_raises_the_event(
    api, manager, integration_user, submitted_order, make_document, salesperson, customizer
):
    response = act(api(manager), submitted_order, "cancel")
    assert response.status_code == 200
    [event] = Event.objects.filter(type=payloads.SALESORDER_CANCELED)
    assert event.payload["previous_state"] == "submitted"
    # the integration user's own cancel raises nothing
    other = make_document("salesorder", salesperson, lines=1)
    act(api(salesperson), other, "submit")
    assert act(api(integration_user), other, "cancel").status_code == 200
    assert Event.objects.filter(type=payloads.SALESORDER_CANCELED).count() == 1


def test_the_schema_lists_the_new_actions_codes_and_event_types():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    request_change = paths["/api/v1/salesorders/{id}/request_change"]["post"]
    decline = paths["/api/v1/salesorders/{id}/decline_change"]["post"]
    create_invoice = paths["/api/v1/salesorders/{id}/create_invoice"]["post"]
    assert request_change["operationId"] == "salesorders_request_change"
    assert decline["operationId"] == "salesorders_decline_change"
    assert "Integration users only" in decline["description"]
    assert "already_invoiced" in paths["/api/v1/salesorders/{id}/submit"]["post"]["description"]
    assert "requestBody" in create_invoice
    codes = set(schema["components"]["schemas"]["ErrorCodeEnum"]["enum"])
    assert {
        "already_invoiced",
        "invoice_exists",
        "change_already_requested",
        "no_change_request",
        "not_for_integration_user",
    } <= codes
    assert {
        "salesorder.submitted",
        "salesorder.canceled",
        "salesorder.change_requested",
        "organization.sop_integration_changed",
    } <= set(schema["webhooks"])
    mapping = schema["components"]["schemas"]["Event"]["discriminator"]["mapping"]
    assert {"salesorder.canceled", "salesorder.change_requested"} <= set(mapping)
    # shared definitions stay one component each, whatever the number of order events
    assert not [
        name
        for name in schema["components"]["schemas"]
        if name.startswith("Salesorder") and name.endswith(("WebhookLine", "WebhookMoney"))
    ]
