"""A client generated from the live schema with openapi-python-client drives the whole
back-office loop against a real server, and its error models carry the API's answers."""

import importlib
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from standardwebhooks.webhooks import Webhook

from orders.integration.delivery import signed_headers, webhook_body
from orders.integration.endpoints import endpoint_create
from orders.models import Event, Invoice, SalesOrder
from tests.conftest import set_switch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "sopsite_api_client"  # the name openapi-python-client gives the schema's title


@pytest.fixture(scope="session")
def generated_client(tmp_path_factory, live_server, django_db_blocker):
    """The package generated from the served schema, imported; the command docs/api.md shows."""
    work = tmp_path_factory.mktemp("generated_client")
    # No post hooks: formatting the generated code (with ruff) is not what this test checks.
    (work / "config.yml").write_text("post_hooks: []\n")
    # A session fixture has no database access of its own, and the live server's request
    # handling checks its connection; the schema itself reads no rows.
    with django_db_blocker.unblock():
        generated = subprocess.run(
            [
                GENERATOR,
                "generate",
                "--url",
                f"{live_server.url}/api/schema/?format=json",
                "--meta",
                "none",
                "--config",
                work / "config.yml",
                "--output-path",
                work / PACKAGE,
                "--fail-on-warning",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    sys.path.insert(0, str(work))
    yield importlib.import_module(PACKAGE)
    sys.path.remove(str(work))


def operation(name: str):
    """``operation("salesorders.salesorders_submit")`` — one generated endpoint module."""
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def model(name: str):
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


@pytest.fixture
def connect(generated_client, live_server):
    def connect(user):
        token, _ = Token.objects.get_or_create(user=user)
        # Statuses the schema does not declare raise instead of parsing to None.
        return generated_client.AuthenticatedClient(
            base_url=live_server.url,
            token=token.key,
            prefix="Token",
            raise_on_unexpected_status=True,
        )

    return connect


def submitted_order_id(connect, salesperson, catalog) -> int:
    """As the salesperson: an order with one line (2 × 10.00), submitted."""
    sales = connect(salesperson)
    created = operation("salesorders.salesorders_create").sync_detailed(
        client=sales,
        body=model("SalesOrderRequest")(
            name="Generated client order",
            currency=catalog["currency"].pk,
            account=catalog["account"].pk,
            price_list=catalog["price_list"].pk,
        ),
    )
    assert created.status_code == 201, created.content
    order = created.parsed
    line = operation("salesorders.salesorders_lines_create").sync(
        order.id,
        client=sales,
        body=model("SalesOrderLineRequest")(product=catalog["products"][0].pk, quantity="2"),
    )
    assert line.extended_amount == "20.00"
    submitted = operation("salesorders.salesorders_submit").sync(order.id, client=sales)
    assert submitted.state.value == "submitted"
    return order.id


def test_the_back_office_loop_runs_on_the_generated_client_alone(
    connect, salesperson, integration_user, customizer, catalog
):
    set_switch(customizer, True)
    order_id = submitted_order_id(connect, salesperson, catalog)
    back_office = connect(integration_user)

    # Acknowledge, with the version just read.
    read = operation("salesorders.salesorders_retrieve").sync_detailed(order_id, client=back_office)
    order = read.parsed
    acknowledged = operation("salesorders.salesorders_partial_update").sync_detailed(
        order_id,
        client=back_office,
        body=model("PatchedSalesOrderRequest")(
            last_back_office_submit=datetime.now(UTC),
            external_reference=f"BO-{order.number}",
            submit_status="received",
        ),
        if_match=read.headers["ETag"],
    )
    assert acknowledged.status_code == 200, acknowledged.content

    # The back office's own price (9.50) on the line, then the totals that follow from it.
    [line] = acknowledged.parsed.lines
    priced = operation("salesorders.salesorders_lines_partial_update").sync_detailed(
        order_id,
        line.id,
        client=back_office,
        body=model("PatchedSalesOrderLineRequest")(
            price_per_unit="9.50",
            is_price_overridden=True,
            base_amount="19.00",
            extended_amount="19.00",
        ),
        if_match=acknowledged.headers["ETag"],
    )
    assert priced.parsed.price_per_unit == "9.50"
    totals = operation("salesorders.salesorders_partial_update").sync_detailed(
        order_id,
        client=back_office,
        body=model("PatchedSalesOrderRequest")(
            total_line_item_amount="19.00",
            total_amount_less_freight="19.00",
            total_amount="19.00",
        ),
        if_match=priced.headers["ETag"],
    )
    assert totals.parsed.total_amount == "19.00"

    complete = model("CompletionInputRequest")(
        status_reason=model("CompletionInputStatusReasonEnum")("complete")
    )
    fulfilled = operation("salesorders.salesorders_fulfill").sync(
        order_id, client=back_office, body=complete, idempotency_key="fulfil-1"
    )
    assert fulfilled.state.value == "fulfilled"
    # While the integration is on, invoices come from the back office, with its amounts.
    invoiced = operation("invoices.invoices_create").sync_detailed(
        client=back_office,
        body=model("InvoiceRequest")(
            name=f"Invoice for {order.number}",
            sales_order=order_id,
            currency=catalog["currency"].pk,
            account=catalog["account"].pk,
            price_list=catalog["price_list"].pk,
            total_line_item_amount="19.00",
            total_amount_less_freight="19.00",
            total_amount="19.00",
        ),
        idempotency_key="invoice-1",
    )
    assert invoiced.status_code == 201, invoiced.content
    invoice_id = invoiced.parsed.id
    invoice_line = operation("invoices.invoices_lines_create").sync_detailed(
        invoice_id,
        client=back_office,
        body=model("InvoiceLineRequest")(
            product=catalog["products"][0].pk,
            quantity="2",
            price_per_unit="9.50",
            is_price_overridden=True,
            base_amount="19.00",
            extended_amount="19.00",
        ),
        if_match=invoiced.headers["ETag"],
        idempotency_key="invoice-line-1",
    )
    assert invoice_line.status_code == 201, invoice_line.content
    paid = operation("invoices.invoices_mark_paid").sync(
        invoice_id,
        client=back_office,
        body=complete,
        if_match=invoice_line.headers["ETag"],
        idempotency_key="paid-1",
    )
    assert paid.state.value == "paid"
    assert paid.total_amount == "19.00"

    page = operation("events.events_list").sync(client=back_office)
    assert [event.type_ for event in page.events] == [
        "organization.sop_integration_changed",
        "salesorder.submitted",
    ]
    assert page.events[1].data.id == order_id

    stored = SalesOrder.objects.get(pk=order_id)
    assert (stored.state, stored.external_reference) == ("invoiced", f"BO-{order.number}")
    assert Invoice.objects.get(sales_order=stored).state == "paid"


def test_error_answers_parse_into_the_generated_error_models(
    connect, salesperson, customizer, catalog
):
    set_switch(customizer, True)
    order_id = submitted_order_id(connect, salesperson, catalog)
    sales = connect(salesperson)
    error, validation_error = model("Error"), model("ValidationError")

    again = operation("salesorders.salesorders_submit").sync_detailed(order_id, client=sales)
    assert again.status_code == 409
    assert isinstance(again.parsed, error)
    assert again.parsed.code.value == "wrong_state"

    stale = operation("salesorders.salesorders_partial_update").sync_detailed(
        order_id,
        client=sales,
        body=model("PatchedSalesOrderRequest")(name="Renamed"),
        if_match='W/"1"',
    )
    assert stale.status_code == 412
    assert isinstance(stale.parsed, error)
    assert stale.parsed.code.value == "precondition_failed"

    create = operation("salesorders.salesorders_create")
    first = create.sync_detailed(
        client=sales,
        body=model("SalesOrderRequest")(name="Once", currency=catalog["currency"].pk),
        idempotency_key="one-key",
    )
    assert first.status_code == 201
    reused = create.sync_detailed(
        client=sales,
        body=model("SalesOrderRequest")(name="Twice", currency=catalog["currency"].pk),
        idempotency_key="one-key",
    )
    assert reused.status_code == 422
    assert isinstance(reused.parsed, error)
    assert reused.parsed.code.value == "idempotency_key_reused"

    bad = operation("salesorders.salesorders_lines_create").sync_detailed(
        first.parsed.id,
        client=sales,
        body=model("SalesOrderLineRequest")(product=catalog["products"][0].pk, quantity="two"),
    )
    assert bad.status_code == 400
    assert isinstance(bad.parsed, validation_error)
    assert bad.parsed.code.value == "invalid"
    assert bad.parsed.fields == ["quantity"]
    assert SalesOrder.objects.get(pk=first.parsed.id).lines.count() == 0


def test_a_webhook_verifies_with_standardwebhooks_and_parses_into_the_generated_model(
    connect, salesperson, customizer, catalog
):
    set_switch(customizer, True)
    _, secret = endpoint_create(actor=customizer, url="http://127.0.0.1:9/webhooks")
    order_id = submitted_order_id(connect, salesperson, catalog)
    event = Event.objects.get(type="salesorder.submitted")
    body = webhook_body(event)
    headers = signed_headers(event=event, secret=secret, body=body, sent_at=timezone.now())

    payload = Webhook(secret).verify(body, headers)

    webhook = model("SalesorderSubmittedWebhook").from_dict(payload)
    assert webhook.type_ == "salesorder.submitted"
    assert webhook.data.id == order_id
    assert Decimal(webhook.data.total_amount) == Decimal("20.00")
