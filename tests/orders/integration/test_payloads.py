"""Each event type's payload, as the real doors write it, against its JSON Schema in
docs/schemas/webhooks/: the webhook contract is pinned, whatever the REST API does."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator, ValidationError

from orders import lifecycle
from orders.integration import payloads
from orders.models import Event, SalesOrder
from orders.services import salesorder_reject, salesorder_submit
from orders.services.documents import line_add
from settings_app.models import SwitchDoor
from settings_app.services import organization_set_sop_integration
from tests.conftest import set_switch
from tests.orders.factories import (
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    document_with_lines,
)

pytestmark = pytest.mark.django_db

SCHEMAS = Path(settings.BASE_DIR) / "docs" / "schemas" / "webhooks"


def schema(event_type: str) -> dict:
    return json.loads((SCHEMAS / f"{event_type}.json").read_text())


def validate(payload: dict, event_type: str) -> None:
    Draft202012Validator(schema(event_type)).validate(payload)


@pytest.fixture
def submitted(salesperson, customizer, integration_user):
    """Two submissions of one order (a catalog line and a write-in), the second after a reject."""
    price_list = PriceListFactory()
    product = ProductFactory()
    PriceListItemFactory(price_list=price_list, product=product, amount=Decimal("12.50"))
    order = document_with_lines(
        "salesorder", salesperson, price_list=price_list, products=[product], quantity=Decimal(3)
    )
    line_add(
        actor=salesperson,
        document=order,
        write_in_product="Installation",
        price_per_unit=Decimal("80"),
        quantity=Decimal("1.5"),
    )
    set_switch(customizer, True)
    order = salesorder_submit(actor=salesperson, document=SalesOrder.objects.get(pk=order.pk))
    salesorder_reject(actor=integration_user, document=order, reason="No stock")
    salesorder_submit(actor=salesperson, document=SalesOrder.objects.get(pk=order.pk))
    return list(Event.objects.filter(type=payloads.SALESORDER_SUBMITTED).order_by("sequence"))


def test_every_event_type_has_a_schema_of_its_version_and_no_schema_is_left_over():
    assert {path.stem for path in SCHEMAS.glob("*.json")} == set(payloads.SCHEMA_VERSIONS)
    for event_type, version in payloads.SCHEMA_VERSIONS.items():
        Draft202012Validator.check_schema(schema(event_type))
        assert schema(event_type)["properties"]["schema_version"] == {"const": version}


def test_submitted_order_payloads_match_their_schema(submitted):
    first, resubmitted = submitted
    for event in submitted:
        validate(event.payload, payloads.SALESORDER_SUBMITTED)
        assert event.payload["schema_version"] == 1
        assert [line["write_in_product"] for line in event.payload["lines"]] == ["", "Installation"]
    assert resubmitted.payload["version"] > first.payload["version"]
    assert resubmitted.payload["lines"][1]["quantity"] == "1.5"
    assert resubmitted.payload["lines"][1]["price_per_unit"] == "80.00"


@pytest.mark.parametrize("door", [SwitchDoor.API, SwitchDoor.COMMAND])
def test_switch_payloads_match_their_schema(customizer, door):
    for enabled in (True, False):
        organization_set_sop_integration(actor=customizer, enabled=enabled, door=door)
    events = Event.objects.filter(type=payloads.ORGANIZATION_SOP_INTEGRATION_CHANGED)
    assert [event.payload["enabled"] for event in events.order_by("sequence")] == [True, False]
    for event in events:
        validate(event.payload, payloads.ORGANIZATION_SOP_INTEGRATION_CHANGED)
        assert event.payload["changed_by"] == "customizer"


def test_the_order_schema_names_the_lifecycle_states_and_codes():
    properties = schema(payloads.SALESORDER_SUBMITTED)["properties"]
    states = lifecycle.LIFECYCLE[lifecycle.SALES_ORDER]
    reasons = {reason: code for _, codes in states.values() for reason, code in codes.items()}
    assert properties["state"]["enum"] == list(states)
    assert properties["status_reason"]["enum"] == list(reasons)
    assert properties["state_code"]["enum"] == [code for code, _ in states.values()]
    assert properties["status_code"]["anyOf"][0]["enum"] == list(reasons.values())


@pytest.mark.parametrize(
    "drift",
    [
        lambda p: p.update(api_only_field=1),  # a field the API might add
        lambda p: p.pop("total_amount"),  # a field the API might drop
        lambda p: p.update(total_amount="10.5"),  # money without its two decimals
        lambda p: p.update(submitted_on="2026-11-26 00:41:05"),  # a time that is not ISO UTC
        lambda p: p["lines"][0].update(extra=True),
        lambda p: p.update(schema_version=2),
    ],
)
def test_a_payload_that_drifts_from_its_schema_fails_it(submitted, drift):
    payload = copy.deepcopy(submitted[0].payload)
    drift(payload)
    with pytest.raises(ValidationError):
        validate(payload, payloads.SALESORDER_SUBMITTED)


def test_canceled_and_change_requested_payloads_match_their_schemas(
    submitted, salesperson, manager
):
    from tests.orders.api.conftest import client_for

    order = SalesOrder.objects.get()
    response = client_for(salesperson).post(
        f"/api/v1/salesorders/{order.pk}/request_change",
        {"note": "Make it 4 units, please."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    response = client_for(manager).post(f"/api/v1/salesorders/{order.pk}/cancel", format="json")
    assert response.status_code == 200, response.json()

    [requested] = Event.objects.filter(type=payloads.SALESORDER_CHANGE_REQUESTED)
    validate(requested.payload, payloads.SALESORDER_CHANGE_REQUESTED)
    assert requested.payload["change_request"]["note"] == "Make it 4 units, please."
    assert requested.payload["previous_state"] == "submitted"
    [canceled] = Event.objects.filter(type=payloads.SALESORDER_CANCELED)
    validate(canceled.payload, payloads.SALESORDER_CANCELED)
    assert (canceled.payload["state"], canceled.payload["previous_state"]) == (
        "canceled",
        "submitted",
    )
    for event_type, payload in [
        (payloads.SALESORDER_CANCELED, canceled.payload),
        (payloads.SALESORDER_CHANGE_REQUESTED, requested.payload),
    ]:
        drifted = copy.deepcopy(payload)
        drifted.pop("previous_state")
        with pytest.raises(ValidationError):
            validate(drifted, event_type)
