"""The hand-over made airtight (docs/rules.md#change-requests, docs/integration.md#events):
no double invoicing, an event for every change on the back office's side, change requests —
through the services, the way every door reaches them."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from orders.integration import payloads
from orders.models import AuditEntry, ChangeRequest, Event, SalesOrder
from orders.selectors import document_actions
from orders.services import (
    invoice_cancel,
    perform,
    salesorder_cancel,
    salesorder_create_invoice,
    salesorder_decline_change,
    salesorder_fulfill,
    salesorder_reject,
    salesorder_request_change,
    salesorder_submit,
)
from settings_app.acting import acting_as
from settings_app.errors import DomainError, PermissionRefused, WrongState
from tests.conftest import set_switch
from tests.orders.factories import (
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    document_with_lines,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(salesperson):
    price_list = PriceListFactory()
    product = ProductFactory()
    PriceListItemFactory(price_list=price_list, product=product, amount=Decimal("100.00"))
    return document_with_lines(
        "salesorder", salesperson, price_list=price_list, products=[product], quantity=Decimal(2)
    )


@pytest.fixture
def submitted(order, salesperson, customizer):
    set_switch(customizer, True)
    return salesorder_submit(actor=salesperson, document=order)


def fresh(order) -> SalesOrder:
    return SalesOrder.objects.get(pk=order.pk)


def event_types() -> list[str]:
    return list(Event.objects.order_by("sequence").values_list("type", flat=True))


# --- 1. no double invoicing -----------------------------------------------------------------


def test_an_order_invoiced_here_cannot_be_submitted_after_the_switch_goes_on(
    order, salesperson, customizer
):
    invoice = salesorder_create_invoice(actor=salesperson, document=order)
    set_switch(customizer, True)
    with pytest.raises(DomainError) as refused:
        salesorder_submit(actor=salesperson, document=fresh(order))
    assert refused.value.code == "already_invoiced"
    assert invoice.number in refused.value.message
    assert fresh(order).state == "active"
    assert payloads.SALESORDER_SUBMITTED not in event_types()
    # the command bar says why Submit is missing, with the invoice's number
    [submit] = [a for a in document_actions(salesperson, fresh(order)) if a.name == "submit"]
    assert not submit.allowed and invoice.number in submit.reason

    # once that invoice is canceled, the order may go to the back office
    invoice_cancel(actor=salesperson, document=invoice)
    assert salesorder_submit(actor=salesperson, document=fresh(order)).state == "submitted"


def test_a_second_invoice_needs_confirmation_naming_the_first(order, salesperson):
    first = salesorder_create_invoice(actor=salesperson, document=order)
    with pytest.raises(DomainError) as refused:
        salesorder_create_invoice(actor=salesperson, document=fresh(order))
    assert refused.value.code == "invoice_exists"
    assert first.number in refused.value.message
    assert fresh(order).invoices.count() == 1
    second = salesorder_create_invoice(actor=salesperson, document=fresh(order), confirmed=True)
    assert second.pk != first.pk and fresh(order).invoices.count() == 2
    # a canceled invoice does not count
    invoice_cancel(actor=salesperson, document=first)
    invoice_cancel(actor=salesperson, document=second)
    salesorder_create_invoice(actor=salesperson, document=fresh(order))


# --- 2. events for every change on the back office's side ------------------------------------


@pytest.mark.parametrize("who", ["manager", "integration_user"])
def test_canceling_a_submitted_order_tells_the_back_office_unless_it_did_it(
    submitted, request, who
):
    actor = request.getfixturevalue(who)
    salesorder_cancel(actor=actor, document=fresh(submitted))
    assert fresh(submitted).state == "canceled"
    canceled = Event.objects.filter(type=payloads.SALESORDER_CANCELED)
    if who == "integration_user":
        assert not canceled.exists()  # no echo of its own change
        return
    [event] = canceled
    assert event.payload["previous_state"] == "submitted"
    assert event.payload["state"] == "canceled" and event.payload["id"] == submitted.pk
    assert event.ordering_key == f"salesorder:{submitted.pk}"


def test_canceling_an_active_order_raises_no_event(order, manager):
    salesorder_cancel(actor=manager, document=order)
    assert payloads.SALESORDER_CANCELED not in event_types()


def test_a_cancel_through_perform_as_the_shell_and_admin_do_raises_the_event(submitted, manager):
    with acting_as(manager):
        perform("cancel", actor=manager, document=fresh(submitted))
    assert event_types()[-1] == payloads.SALESORDER_CANCELED


def test_a_refused_cancel_writes_no_event(submitted, salesperson):
    with pytest.raises(PermissionRefused):
        salesorder_cancel(actor=salesperson, document=fresh(submitted))
    assert payloads.SALESORDER_CANCELED not in event_types()


# --- 3. change requests -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["salesperson", "manager"])
def test_owner_or_manager_requests_a_change_the_order_stays_submitted(submitted, request, who):
    actor = request.getfixturevalue(who)
    version = fresh(submitted).version
    salesorder_request_change(actor=actor, document=fresh(submitted), note="  Make it 3 units ")
    order = fresh(submitted)
    assert (order.state, order.version) == ("submitted", version)
    [change] = ChangeRequest.objects.filter(order=order)
    assert (change.state, change.note, change.requested_by) == ("open", "Make it 3 units", actor)
    [event] = Event.objects.filter(type=payloads.SALESORDER_CHANGE_REQUESTED)
    assert event.payload["previous_state"] == "submitted"
    assert event.payload["change_request"]["note"] == "Make it 3 units"
    assert event.payload["change_request"]["requested_by"] == actor.username
    entry = AuditEntry.objects.filter(document_id=order.pk, action="request_change").get()
    assert entry.message == f"Change requested by {actor.get_full_name()}: Make it 3 units"


@pytest.mark.parametrize(
    ("note", "message"),
    [("", "Say what should change."), ("   ", "Say what should change."), ("x" * 2001, "2,000")],
)
def test_a_change_request_needs_a_note_of_at_most_2000_characters(
    submitted, salesperson, note, message
):
    with pytest.raises(ValidationError) as refused:
        salesorder_request_change(actor=salesperson, document=fresh(submitted), note=note)
    assert message in str(refused.value.message_dict["note"])
    assert not ChangeRequest.objects.exists()
    assert payloads.SALESORDER_CHANGE_REQUESTED not in event_types()
    salesorder_request_change(actor=salesperson, document=fresh(submitted), note="x" * 2000)


def test_who_may_not_request_a_change(submitted, order, other_salesperson, integration_user):
    with pytest.raises(PermissionRefused):
        salesorder_request_change(actor=other_salesperson, document=fresh(submitted), note="a")
    with pytest.raises(PermissionRefused) as refused:
        salesorder_request_change(actor=integration_user, document=fresh(submitted), note="a")
    assert refused.value.code == "not_for_integration_user"
    assert not ChangeRequest.objects.exists()


def test_a_change_request_needs_a_submitted_order(order, salesperson):
    with pytest.raises(WrongState):
        salesorder_request_change(actor=salesperson, document=order, note="Change it")


def test_one_open_change_request_at_a_time(submitted, salesperson, manager):
    salesorder_request_change(actor=salesperson, document=fresh(submitted), note="First")
    with pytest.raises(DomainError) as refused:
        salesorder_request_change(actor=manager, document=fresh(submitted), note="Second")
    assert refused.value.code == "change_already_requested"
    # and the database keeps it so whatever the door
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.create(order=submitted, note="sneaked", requested_by=manager)


def test_the_back_office_declines_a_change_and_the_order_stays_submitted(
    submitted, salesperson, integration_user
):
    salesorder_request_change(actor=salesperson, document=fresh(submitted), note="Add a box")
    with pytest.raises(PermissionRefused):
        salesorder_decline_change(actor=salesperson, document=fresh(submitted), reason="No")
    with pytest.raises(ValidationError):
        salesorder_decline_change(actor=integration_user, document=fresh(submitted), reason=" ")
    salesorder_decline_change(
        actor=integration_user, document=fresh(submitted), reason="Already picked"
    )
    change = ChangeRequest.objects.get()
    assert (change.state, change.decline_reason) == ("declined", "Already picked")
    assert change.answered_by == integration_user and change.answered_on is not None
    assert fresh(submitted).state == "submitted"
    assert event_types()[-1] == payloads.SALESORDER_CHANGE_REQUESTED  # no echo of the decline
    # nothing left to decline; a new request may be made
    with pytest.raises(DomainError) as refused:
        salesorder_decline_change(actor=integration_user, document=fresh(submitted), reason="x")
    assert refused.value.code == "no_change_request"
    salesorder_request_change(actor=salesperson, document=fresh(submitted), note="Please?")


def test_rejecting_the_order_answers_the_open_change_request(
    submitted, salesperson, integration_user
):
    salesorder_request_change(actor=salesperson, document=fresh(submitted), note="Return it")
    salesorder_reject(actor=integration_user, document=fresh(submitted), reason="Edit and resend")
    change = ChangeRequest.objects.get()
    assert change.state == "returned" and change.answered_by == integration_user
    order = fresh(submitted)
    assert (order.state, order.status_reason) == ("active", "pending")
    # the salesperson edits and submits again
    assert salesorder_submit(actor=salesperson, document=order).state == "submitted"


def test_the_command_bar_offers_request_a_change_to_sales_staff_only(
    submitted, salesperson, integration_user, manager
):
    def names(user):
        return {a.name: a.allowed for a in document_actions(user, fresh(submitted))}

    assert names(salesperson)["request_change"] is True
    assert names(manager)["request_change"] is True
    assert "request_change" not in names(integration_user)
    assert "decline_change" not in names(integration_user)  # nothing to decline yet
    salesorder_request_change(actor=salesperson, document=fresh(submitted), note="Tweak")
    assert names(integration_user)["decline_change"] is True
    assert "decline_change" not in names(salesperson)
    assert names(salesperson)["request_change"] is False


@pytest.mark.parametrize(
    ("move", "answer"),
    [
        (
            lambda actor, order: salesorder_fulfill(
                actor=actor, document=order, status_reason="complete"
            ),
            "fulfilled",
        ),
        (lambda actor, order: salesorder_cancel(actor=actor, document=order), "canceled"),
        (
            lambda actor, order: perform(
                "fulfill", actor=actor, document=order, status_reason="partial"
            ),
            "fulfilled",
        ),
    ],
    ids=["fulfill", "cancel", "fulfill by name (shell, admin)"],
)
def test_an_order_that_leaves_submitted_answers_its_open_change_request(
    submitted, salesperson, manager, move, answer
):
    salesorder_request_change(actor=salesperson, document=fresh(submitted), note="Tweak")
    move(manager, fresh(submitted))
    change = ChangeRequest.objects.get()
    assert (change.state, change.answered_by) == (answer, manager)
    assert change.answered_on is not None
    assert fresh(submitted).state == answer


def test_a_request_declined_earlier_stays_declined_when_the_order_moves_on(
    submitted, salesperson, manager, integration_user
):
    salesorder_request_change(actor=salesperson, document=fresh(submitted), note="Tweak")
    salesorder_decline_change(actor=integration_user, document=fresh(submitted), reason="No")
    salesorder_fulfill(actor=manager, document=fresh(submitted), status_reason="complete")
    change = ChangeRequest.objects.get()
    assert (change.state, change.decline_reason, change.answered_by) == (
        "declined",
        "No",
        integration_user,
    )


def test_requests_left_open_on_orders_that_moved_on_are_answered_by_the_migration(
    submitted, salesperson
):
    migration = importlib.import_module(
        "orders.migrations.0009_change_requests_answered_by_the_order"
    )
    salesorder_request_change(actor=salesperson, document=fresh(submitted), note="Tweak")
    # as an order fulfilled before requests were answered by the move was left
    SalesOrder.objects.filter(pk=submitted.pk).update(state="fulfilled")
    migration.answer_stale_requests(apps, None)
    change = ChangeRequest.objects.get()
    assert (change.state, change.answered_by) == ("fulfilled", None)
    assert change.answered_on is not None
