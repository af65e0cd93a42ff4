"""Every action of docs/rules.md#transitions through POST /api/v1/<documents>/{id}/<action>."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from orders.models import Invoice, Quote, SalesOrder
from tests.conftest import set_switch


def act(client, path, document, name, body=None, **extra):
    return client.post(f"/api/v1/{path}/{document.pk}/{name}", body or {}, format="json", **extra)


@pytest.mark.django_db
def test_opportunity_actions(api, salesperson, make_document):
    opportunity = make_document("opportunity", salesperson, lines=2)
    client = api(salesperson)

    response = act(client, "opportunities", opportunity, "create_quote")
    assert response.status_code == 201, response.json()
    quote = response.json()
    assert response["Location"].endswith(f"/api/v1/quotes/{quote['id']}")
    assert len(quote["lines"]) == 2
    assert quote["opportunity"] == opportunity.pk
    assert quote["state"] == "draft"

    response = act(client, "opportunities", opportunity, "win")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["status_code"]) == ("won", 3)
    assert response["ETag"] == f'W/"{response.json()["version"]}"'

    response = act(client, "opportunities", opportunity, "win")
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_state"

    assert act(client, "opportunities", opportunity, "reopen").json()["state"] == "open"
    assert act(client, "opportunities", opportunity, "recalculate").status_code == 200

    response = act(client, "opportunities", opportunity, "lose")
    assert response.status_code == 400
    assert response.json()["fields"] == ["status_reason"]
    response = act(client, "opportunities", opportunity, "lose", {"status_reason": "won"})
    assert response.status_code == 400
    response = act(client, "opportunities", opportunity, "lose", {"status_reason": "out_sold"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["status_reason"]) == ("lost", "out_sold")


@pytest.mark.django_db
def test_quote_actions(api, salesperson, make_document):
    opportunity = make_document("opportunity", salesperson, lines=1)
    client = api(salesperson)
    quote_id = act(client, "opportunities", opportunity, "create_quote").json()["id"]
    quote = Quote.objects.get(pk=quote_id)

    response = act(client, "quotes", quote, "get_products")
    assert response.status_code == 200
    assert len(response.json()["lines"]) == 2
    assert act(client, "quotes", quote, "recalculate").status_code == 200

    response = act(client, "quotes", quote, "activate")
    assert response.json()["state"] == "active"
    response = client.patch(f"/api/v1/quotes/{quote.pk}", {"name": "Too late"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "read_only"

    response = act(client, "quotes", quote, "revise")
    assert response.status_code == 201
    revision = response.json()
    assert (revision["state"], revision["revision_number"]) == ("draft", 1)
    quote.refresh_from_db()
    assert (quote.state, quote.status_reason) == ("closed", "revised")

    revised = Quote.objects.get(pk=revision["id"])
    act(client, "quotes", revised, "activate")
    response = act(client, "quotes", revised, "create_order")
    assert response.status_code == 201
    order = response.json()
    assert (order["quote"], len(order["lines"])) == (revised.pk, 2)
    assert response["Location"].endswith(f"/api/v1/salesorders/{order['id']}")
    revised.refresh_from_db()
    assert revised.state == "won"


@pytest.mark.django_db
def test_quote_close_takes_a_status_reason(api, salesperson, make_document):
    quote = make_document("quote", salesperson, lines=1)
    client = api(salesperson)
    act(client, "quotes", quote, "activate")
    response = act(client, "quotes", quote, "close", {"status_reason": "lost"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["status_code"]) == ("closed", 5)


@pytest.mark.django_db
def test_submit_follows_the_switch_and_needs_lines(api, salesperson, customizer, make_document):
    empty = make_document("salesorder", salesperson)
    order = make_document("salesorder", salesperson, lines=1)
    client = api(salesperson)

    response = act(client, "salesorders", order, "submit")
    assert response.status_code == 409
    assert response.json()["code"] == "switch_position"

    set_switch(customizer, True)
    response = act(client, "salesorders", empty, "submit")
    assert response.status_code == 409
    assert response.json()["code"] == "no_lines"

    response = act(client, "salesorders", order, "submit")
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["state_code"], body["submitted_by"]) == (
        "submitted",
        1,
        salesperson.pk,
    )
    assert body["submitted_on"].endswith("Z")

    response = act(client, "salesorders", order, "create_invoice")
    assert response.status_code == 409
    assert response.json()["code"] in {"switch_position", "wrong_state"}


@pytest.mark.django_db
def test_create_invoice_while_the_switch_is_off(api, salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=2)
    response = act(api(salesperson), "salesorders", order, "create_invoice")
    assert response.status_code == 201, response.json()
    invoice = response.json()
    assert (invoice["sales_order"], len(invoice["lines"])) == (order.pk, 2)
    assert response["Location"].endswith(f"/api/v1/invoices/{invoice['id']}")


@pytest.mark.django_db
def test_reject_is_for_integration_users_with_a_reason(
    api, salesperson, integration_user, submitted_order
):
    response = act(api(salesperson), "salesorders", submitted_order, "reject", {"reason": "No"})
    assert response.status_code == 403
    client = api(integration_user)
    assert act(client, "salesorders", submitted_order, "reject").status_code == 400
    assert act(client, "salesorders", submitted_order, "reject", {"reason": " "}).status_code == 400
    response = act(
        client, "salesorders", submitted_order, "reject", {"reason": "Customer on credit hold"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["state"], body["status_reason"]) == ("active", "pending")
    assert body["submit_status_description"] == "Customer on credit hold"


@pytest.mark.django_db
def test_fulfil_and_cancel_need_their_permissions(
    api, salesperson, manager, integration_user, submitted_order, make_document
):
    body = {"status_reason": "complete"}
    response = act(api(salesperson), "salesorders", submitted_order, "fulfill", body)
    assert response.status_code == 403
    response = act(api(integration_user), "salesorders", submitted_order, "fulfill", body)
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["status_code"]) == ("fulfilled", 100001)

    order = make_document("salesorder", salesperson, lines=1)
    assert act(api(salesperson), "salesorders", order, "cancel").status_code == 403
    response = act(api(manager), "salesorders", order, "cancel")
    assert response.status_code == 200
    assert response.json()["state"] == "canceled"


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "path"), [("salesorder", "salesorders"), ("invoice", "invoices")])
def test_price_lock_actions(api, salesperson, make_document, kind, path):
    document = make_document(kind, salesperson, lines=1)
    client = api(salesperson)
    response = act(client, path, document, "lock_pricing")
    assert response.status_code == 200
    assert response.json()["is_price_locked"] is True
    assert act(client, path, document, "lock_pricing").status_code == 409
    assert act(client, path, document, "recalculate").status_code == 200
    response = act(client, path, document, "unlock_pricing")
    assert response.status_code == 200
    assert response.json()["is_price_locked"] is False


@pytest.mark.django_db
def test_invoice_mark_paid_and_cancel(api, salesperson, make_document):
    paid = make_document("invoice", salesperson, lines=1)
    client = api(salesperson)
    response = act(client, "invoices", paid, "mark_paid", {"status_reason": "partial"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["status_code"]) == ("paid", 100002)
    canceled = make_document("invoice", salesperson, lines=1)
    response = act(client, "invoices", canceled, "cancel")
    assert (response.json()["state"], response.json()["status_code"]) == ("canceled", 100003)


@pytest.mark.django_db
def test_back_office_creates_the_invoice_of_a_submitted_order(
    api, integration_user, submitted_order
):
    response = api(integration_user).post(
        "/api/v1/invoices",
        {
            "name": "BC invoice",
            "currency": submitted_order.currency_id,
            "sales_order": submitted_order.pk,
            "total_amount": "61.50",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["total_amount"] == "61.50"
    assert SalesOrder.objects.get(pk=submitted_order.pk).state == "invoiced"
    assert Invoice.objects.count() == 1


@pytest.mark.django_db
def test_an_action_of_another_kind_is_404_and_get_is_405(api, salesperson, make_document):
    order = make_document("salesorder", salesperson)
    client = api(salesperson)
    assert act(client, "salesorders", order, "win").status_code == 404
    assert client.get(f"/api/v1/salesorders/{order.pk}/submit").status_code == 405


@pytest.mark.django_db
def test_customizer_without_change_permission_gets_403_on_actions(
    api, customizer, salesperson, make_document
):
    opportunity = make_document("opportunity", salesperson)
    assert act(api(customizer), "opportunities", opportunity, "win").status_code == 403


@pytest.mark.django_db
def test_recalculate_says_whether_it_ran_and_if_not_why(
    api, salesperson, integration_user, make_document, submitted_order
):
    quote = make_document("quote", salesperson, lines=1)
    response = act(api(salesperson), "quotes", quote, "recalculate")
    assert response.status_code == 200, response.json()
    assert response.json()["recalculation"] == {"ran": True, "skipped_because": ""}
    assert response.json()["id"] == quote.pk and len(response.json()["lines"]) == 1

    # the integration user's recalculate of a submitted order is skipped by the skip table
    response = act(api(integration_user), "salesorders", submitted_order, "recalculate")
    assert response.status_code == 200, response.json()
    outcome = response.json()["recalculation"]
    assert outcome["ran"] is False and "submitted to the back office" in outcome["skipped_because"]
    # the other actions answer the document alone
    response = act(api(salesperson), "quotes", quote, "activate")
    assert "recalculation" not in response.json()


def test_the_schema_describes_what_recalculate_answers():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    answer = schema["paths"]["/api/v1/salesorders/{id}/recalculate"]["post"]["responses"]["200"]
    name = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][name]["properties"]
    assert "recalculation" in properties and "lines" in properties
