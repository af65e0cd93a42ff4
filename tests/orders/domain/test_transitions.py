"""Every transition of docs/rules.md#transitions through its service, and every way it is
refused."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from orders.models import AuditEntry, Event, Invoice, InvoiceLine, Quote, QuoteLine, SalesOrderLine
from orders.selectors import document_actions, documents_for
from orders.services import (
    document_lock_pricing,
    document_recalculate,
    document_unlock_pricing,
    document_update,
    invoice_cancel,
    invoice_mark_paid,
    line_add,
    opportunity_create_quote,
    opportunity_lose,
    opportunity_reopen,
    opportunity_win,
    perform,
    quote_activate,
    quote_close,
    quote_create_order,
    quote_get_products,
    quote_revise,
    salesorder_cancel,
    salesorder_create_invoice,
    salesorder_fulfill,
    salesorder_reject,
    salesorder_submit,
)
from orders.services.documents import document_create
from settings_app.errors import (
    DomainError,
    NoActor,
    NoLines,
    PermissionRefused,
    SwitchPosition,
    WrongState,
)
from tests.conftest import set_switch
from tests.orders.factories import (
    CurrencyFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    document_with_lines,
)

D = Decimal
TWO = D("2")


@pytest.fixture
def price_list(db):
    price_list = PriceListFactory(currency=CurrencyFactory())
    return price_list


@pytest.fixture
def product(price_list):
    product = ProductFactory()
    PriceListItemFactory(price_list=price_list, product=product, amount=D("100.00"))
    return product


@pytest.fixture
def make(price_list, product):
    def make(kind, owner, *, lines=1, quantity=TWO, **fields):
        return document_with_lines(
            kind,
            owner,
            price_list=price_list,
            products=[product] * lines,
            quantity=quantity,
            **fields,
        )

    return make


@pytest.fixture
def order(make, salesperson):
    return make("salesorder", salesperson)


@pytest.fixture
def submitted_order(order, salesperson, switch_on):
    return salesorder_submit(actor=salesperson, document=order)


def audit_actions(document) -> list[str]:
    return list(
        AuditEntry.objects.filter(document_kind=document.KIND, document_id=document.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )


def last_audit(document) -> AuditEntry:
    return AuditEntry.objects.filter(document_kind=document.KIND, document_id=document.pk).latest(
        "id"
    )


# --- opportunity ---------------------------------------------------------------------------


def test_opportunity_create_quote_copies_lines_and_totals(make, salesperson):
    opportunity = make("opportunity", salesperson, lines=2)
    quote = opportunity_create_quote(actor=salesperson, document=opportunity)
    assert quote.state == "draft"
    assert quote.opportunity_id == opportunity.pk
    assert QuoteLine.objects.filter(document=quote).count() == 2
    assert quote.total_amount == opportunity.total_amount == D("400.00")
    opportunity.refresh_from_db()
    assert opportunity.state == "open"
    assert audit_actions(opportunity) == ["create_quote"]
    assert audit_actions(quote) == ["created"]


def test_opportunity_win_closes_it_as_won(make, salesperson):
    opportunity = make("opportunity", salesperson)
    opportunity = opportunity_win(actor=salesperson, document=opportunity)
    assert (opportunity.state, opportunity.status_reason) == ("won", "won")
    entry = last_audit(opportunity)
    assert (entry.action, entry.from_state, entry.to_state) == ("win", "open", "won")
    assert entry.actor == salesperson


@pytest.mark.parametrize("reason", ["canceled", "out_sold"])
def test_opportunity_lose_closes_it_with_the_chosen_reason(make, salesperson, reason):
    opportunity = make("opportunity", salesperson)
    opportunity = opportunity_lose(actor=salesperson, document=opportunity, status_reason=reason)
    assert (opportunity.state, opportunity.status_reason) == ("lost", reason)
    assert audit_actions(opportunity) == ["lose"]


def test_opportunity_lose_needs_a_reason_and_changes_nothing_without_one(make, salesperson):
    opportunity = make("opportunity", salesperson)
    with pytest.raises(ValidationError) as error:
        opportunity_lose(actor=salesperson, document=opportunity, status_reason="bored")
    assert "status_reason" in error.value.message_dict
    opportunity.refresh_from_db()
    assert opportunity.state == "open"
    assert audit_actions(opportunity) == []


@pytest.mark.parametrize("close", ["win", "lose"])
def test_opportunity_reopen_returns_a_closed_opportunity_to_open(make, salesperson, close):
    opportunity = make("opportunity", salesperson)
    if close == "win":
        opportunity_win(actor=salesperson, document=opportunity)
    else:
        opportunity_lose(actor=salesperson, document=opportunity, status_reason="out_sold")
    opportunity = opportunity_reopen(actor=salesperson, document=opportunity)
    assert (opportunity.state, opportunity.status_reason) == ("open", "in_progress")
    assert audit_actions(opportunity)[-1] == "reopen"


def test_opportunity_transitions_refused_in_the_wrong_state(make, salesperson):
    opportunity = make("opportunity", salesperson)
    with pytest.raises(WrongState):
        opportunity_reopen(actor=salesperson, document=opportunity)
    opportunity_win(actor=salesperson, document=opportunity)
    for action in (opportunity_win, opportunity_create_quote):
        with pytest.raises(WrongState, match="won"):
            action(actor=salesperson, document=opportunity)
    with pytest.raises(WrongState):
        opportunity_lose(actor=salesperson, document=opportunity, status_reason="canceled")
    assert audit_actions(opportunity) == ["win"]


# --- quote ---------------------------------------------------------------------------------


def test_quote_activate_makes_a_draft_active(make, salesperson):
    quote = make("quote", salesperson)
    quote = quote_activate(actor=salesperson, document=quote)
    assert (quote.state, quote.status_reason) == ("active", "in_progress")
    assert audit_actions(quote) == ["activate"]
    with pytest.raises(WrongState, match="active"):
        quote_activate(actor=salesperson, document=quote)


def test_quote_revise_closes_the_active_quote_and_opens_a_new_draft(make, salesperson):
    quote = quote_activate(actor=salesperson, document=make("quote", salesperson, lines=2))
    new = quote_revise(actor=salesperson, document=quote)
    quote.refresh_from_db()
    assert (quote.state, quote.status_reason) == ("closed", "revised")
    assert new.state == "draft"
    assert new.revision_number == 1
    assert new.revised_from_id == quote.pk
    assert new.number == f"{quote.number}-R1"
    assert QuoteLine.objects.filter(document=new).count() == 2
    assert new.total_amount == quote.total_amount
    assert audit_actions(quote) == ["activate", "revise"]
    assert audit_actions(new) == ["created"]
    again = quote_revise(
        actor=salesperson, document=quote_activate(actor=salesperson, document=new)
    )
    assert again.revision_number == 2
    assert again.number == f"{quote.number}-R2"


def test_quote_revise_of_a_closed_quote_leaves_it_closed_as_it_was(make, salesperson):
    quote = quote_activate(actor=salesperson, document=make("quote", salesperson))
    quote_close(actor=salesperson, document=quote, status_reason="lost")
    new = quote_revise(actor=salesperson, document=quote)
    quote.refresh_from_db()
    assert (quote.state, quote.status_reason) == ("closed", "lost")
    assert new.state == "draft"


def test_revising_an_already_revised_quote_gives_a_new_revision_or_a_clear_refusal(
    make, salesperson
):
    quote = quote_activate(actor=salesperson, document=make("quote", salesperson))
    first = quote_revise(actor=salesperson, document=quote)
    try:
        with transaction.atomic():
            second = quote_revise(actor=salesperson, document=quote)
    except DomainError:
        assert Quote.objects.count() == 2
    else:
        assert second.number != first.number


def test_quote_revise_of_a_draft_is_refused(make, salesperson):
    quote = make("quote", salesperson)
    with pytest.raises(WrongState):
        quote_revise(actor=salesperson, document=quote)
    assert Quote.objects.count() == 1


@pytest.mark.parametrize("reason", ["lost", "canceled", "revised"])
def test_quote_close_with_a_reason(make, salesperson, reason):
    quote = quote_activate(actor=salesperson, document=make("quote", salesperson))
    quote = quote_close(actor=salesperson, document=quote, status_reason=reason)
    assert (quote.state, quote.status_reason) == ("closed", reason)
    assert audit_actions(quote)[-1] == "close"


def test_quote_close_of_a_draft_is_refused(make, salesperson):
    quote = make("quote", salesperson)
    with pytest.raises(WrongState):
        quote_close(actor=salesperson, document=quote, status_reason="lost")


def test_quote_create_order_wins_the_quote_and_copies_its_lines(make, salesperson):
    quote = quote_activate(actor=salesperson, document=make("quote", salesperson, lines=2))
    order = quote_create_order(actor=salesperson, document=quote)
    quote.refresh_from_db()
    assert (quote.state, quote.status_reason) == ("won", "won")
    assert (order.state, order.status_reason) == ("active", "new")
    assert order.quote_id == quote.pk
    assert SalesOrderLine.objects.filter(document=order).count() == 2
    assert order.total_amount == quote.total_amount == D("400.00")
    assert audit_actions(quote) == ["activate", "create_order"]
    assert audit_actions(order) == ["created"]


def test_quote_create_order_of_a_draft_is_refused(make, salesperson):
    quote = make("quote", salesperson)
    with pytest.raises(WrongState):
        quote_create_order(actor=salesperson, document=quote)
    assert SalesOrderLine.objects.count() == 0


def test_quote_get_products_copies_the_opportunitys_lines_after_its_own(make, salesperson):
    opportunity = make("opportunity", salesperson, lines=2)
    quote = make("quote", salesperson, lines=1, opportunity=opportunity)
    quote = quote_get_products(actor=salesperson, document=quote)
    numbers = list(QuoteLine.objects.filter(document=quote).values_list("line_number", flat=True))
    assert numbers == [1, 2, 3]
    assert quote.total_amount == D("600.00")
    assert audit_actions(quote) == ["get_products"]


def test_quote_get_products_needs_an_opportunity(make, salesperson):
    quote = make("quote", salesperson)
    with pytest.raises(DomainError) as error:
        quote_get_products(actor=salesperson, document=quote)
    assert error.value.code == "no_opportunity"


def test_quote_get_products_on_an_active_quote_is_refused(make, salesperson):
    opportunity = make("opportunity", salesperson)
    quote = make("quote", salesperson, opportunity=opportunity)
    quote_activate(actor=salesperson, document=quote)
    with pytest.raises(WrongState):
        quote_get_products(actor=salesperson, document=quote)
    assert QuoteLine.objects.filter(document=quote).count() == 1


# --- sales order: submit -------------------------------------------------------------------


def test_submit_moves_the_order_to_submitted_and_records_who_and_when(
    order, salesperson, switch_on
):
    order = salesorder_submit(actor=salesperson, document=order)
    order.refresh_from_db()
    assert (order.state, order.status_reason) == ("submitted", "in_progress")
    assert order.submitted_by == salesperson
    assert order.submitted_on is not None
    entry = last_audit(order)
    assert (entry.action, entry.from_state, entry.to_state) == ("submit", "active", "submitted")


def test_submit_writes_one_submitted_event_with_the_order(order, salesperson, switch_on):
    salesorder_submit(actor=salesperson, document=order)
    events = list(Event.objects.filter(type="salesorder.submitted"))
    assert len(events) == 1
    assert events[0].ordering_key == f"salesorder:{order.pk}"
    assert events[0].actor == salesperson


def test_submitted_event_carries_the_submitted_order_with_its_lines(make, salesperson, switch_on):
    order = make("salesorder", salesperson, lines=2)
    salesorder_submit(actor=salesperson, document=order)
    payload = Event.objects.get(type="salesorder.submitted").payload
    assert payload["number"] == order.number
    assert payload["state"] == "submitted"
    assert len(payload["lines"]) == 2


def test_integration_users_submit_raises_no_event(order, integration_user, switch_on):
    order = salesorder_submit(actor=integration_user, document=order)
    assert order.state == "submitted"
    assert Event.objects.filter(type="salesorder.submitted").count() == 0
    assert audit_actions(order) == ["submit"]


def test_submit_rolled_back_leaves_no_event_and_no_submission(order, salesperson, switch_on):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        salesorder_submit(actor=salesperson, document=order)
        assert Event.objects.filter(type="salesorder.submitted").count() == 1
        raise Boom
    assert Event.objects.filter(type="salesorder.submitted").count() == 0
    order.refresh_from_db()
    assert order.state == "active"
    assert order.submitted_on is None
    assert audit_actions(order) == []


def test_submit_fails_whole_when_the_event_cannot_be_written(
    order, salesperson, switch_on, monkeypatch
):
    from orders.integration import outbox

    def broken(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(outbox, "record_event", broken)
    with pytest.raises(RuntimeError):
        salesorder_submit(actor=salesperson, document=order)
    order.refresh_from_db()
    assert order.state == "active"
    assert order.submitted_by is None
    assert audit_actions(order) == []


def test_submit_is_refused_while_the_switch_is_off(order, salesperson):
    with pytest.raises(SwitchPosition, match="integration is on"):
        salesorder_submit(actor=salesperson, document=order)
    order.refresh_from_db()
    assert order.state == "active"
    assert Event.objects.filter(type="salesorder.submitted").count() == 0


def test_submit_is_refused_without_lines(make, salesperson, switch_on):
    order = make("salesorder", salesperson, lines=0)
    with pytest.raises(NoLines, match="at least one product"):
        salesorder_submit(actor=salesperson, document=order)
    order.refresh_from_db()
    assert order.state == "active"
    assert Event.objects.filter(type="salesorder.submitted").count() == 0


def test_submit_of_a_submitted_order_is_refused(submitted_order, salesperson):
    with pytest.raises(WrongState, match="submitted"):
        salesorder_submit(actor=salesperson, document=submitted_order)
    assert Event.objects.filter(type="salesorder.submitted").count() == 1


def test_submit_of_another_salespersons_order_is_refused(order, other_salesperson, switch_on):
    with pytest.raises(PermissionRefused, match="another salesperson"):
        salesorder_submit(actor=other_salesperson, document=order)
    order.refresh_from_db()
    assert order.state == "active"


def test_manager_may_submit_anyones_order(order, manager, switch_on):
    order = salesorder_submit(actor=manager, document=order)
    assert order.state == "submitted"
    assert order.submitted_by == manager


def test_submit_with_a_stale_version_is_refused(order, salesperson, switch_on):
    with pytest.raises(DomainError) as error:
        salesorder_submit(actor=salesperson, document=order, expected_version=order.version - 1)
    assert error.value.code == "precondition_failed"
    order.refresh_from_db()
    assert order.state == "active"
    submitted = salesorder_submit(actor=salesperson, document=order, expected_version=order.version)
    assert submitted.state == "submitted"


def test_version_grows_with_every_change(order, salesperson, switch_on):
    before = order.version
    order = salesorder_submit(actor=salesperson, document=order)
    order.refresh_from_db()
    assert order.version > before


def test_transitions_need_an_actor(order, switch_on):
    with pytest.raises(NoActor):
        salesorder_submit(actor=None, document=order)


# --- sales order: reject ---------------------------------------------------------------------


def test_integration_user_rejects_a_submitted_order_back_to_pending(
    submitted_order, integration_user
):
    order = salesorder_reject(
        actor=integration_user, document=submitted_order, reason="  Credit limit exceeded "
    )
    order.refresh_from_db()
    assert (order.state, order.status_reason) == ("active", "pending")
    assert order.submit_status_description == "Credit limit exceeded"
    entry = last_audit(order)
    assert (entry.action, entry.from_state, entry.to_state) == ("reject", "submitted", "active")
    assert "Credit limit exceeded" in entry.message


def test_rejected_order_can_be_fixed_and_resubmitted(
    submitted_order, integration_user, salesperson
):
    salesorder_reject(actor=integration_user, document=submitted_order, reason="No stock")
    line = SalesOrderLine.objects.get(document=submitted_order)
    from orders.services import line_update

    line_update(actor=salesperson, line=line, quantity=D("1"))
    order = salesorder_submit(actor=salesperson, document=submitted_order)
    order.refresh_from_db()
    assert order.state == "submitted"
    assert order.submit_status_description == ""
    assert Event.objects.filter(type="salesorder.submitted").count() == 2


@pytest.mark.parametrize("who", ["salesperson", "manager", "admin_user"])
def test_only_integration_users_may_reject(submitted_order, request, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionRefused, match="integration user"):
        salesorder_reject(actor=actor, document=submitted_order, reason="No")
    submitted_order.refresh_from_db()
    assert submitted_order.state == "submitted"


def test_reject_of_an_active_order_is_refused(order, integration_user, switch_on):
    with pytest.raises(WrongState):
        salesorder_reject(actor=integration_user, document=order, reason="No")


def test_reject_needs_a_reason(submitted_order, integration_user):
    with pytest.raises(ValidationError):
        salesorder_reject(actor=integration_user, document=submitted_order, reason="  ")
    submitted_order.refresh_from_db()
    assert submitted_order.state == "submitted"


# --- sales order: fulfil and cancel ---------------------------------------------------------


@pytest.mark.parametrize("reason", ["complete", "partial"])
def test_manager_fulfils_an_active_order(order, manager, reason):
    order = salesorder_fulfill(actor=manager, document=order, status_reason=reason)
    assert (order.state, order.status_reason) == ("fulfilled", reason)
    entry = last_audit(order)
    assert (entry.action, entry.from_state, entry.to_state) == ("fulfill", "active", "fulfilled")


def test_integration_user_fulfils_a_submitted_order(submitted_order, integration_user):
    order = salesorder_fulfill(
        actor=integration_user, document=submitted_order, status_reason="complete"
    )
    assert order.state == "fulfilled"


def test_salesperson_cannot_fulfil_or_cancel(order, salesperson):
    with pytest.raises(PermissionRefused):
        salesorder_fulfill(actor=salesperson, document=order, status_reason="complete")
    with pytest.raises(PermissionRefused):
        salesorder_cancel(actor=salesperson, document=order)
    order.refresh_from_db()
    assert order.state == "active"
    assert audit_actions(order) == []


def test_fulfil_needs_a_valid_reason(order, manager):
    with pytest.raises(ValidationError):
        salesorder_fulfill(actor=manager, document=order, status_reason="maybe")
    order.refresh_from_db()
    assert order.state == "active"


def test_manager_cancels_an_order(order, manager):
    order = salesorder_cancel(actor=manager, document=order)
    assert (order.state, order.status_reason) == ("canceled", "no_money")
    assert audit_actions(order) == ["cancel"]


def test_integration_user_cancels_a_submitted_order(submitted_order, integration_user):
    order = salesorder_cancel(actor=integration_user, document=submitted_order)
    assert order.state == "canceled"


@pytest.mark.parametrize("final", ["fulfilled", "canceled"])
def test_closed_orders_cannot_be_fulfilled_canceled_or_submitted(
    order, manager, salesperson, customizer, final
):
    if final == "fulfilled":
        salesorder_fulfill(actor=manager, document=order, status_reason="complete")
    else:
        salesorder_cancel(actor=manager, document=order)
    with pytest.raises(WrongState):
        salesorder_fulfill(actor=manager, document=order, status_reason="partial")
    with pytest.raises(WrongState):
        salesorder_cancel(actor=manager, document=order)
    set_switch(customizer, True)
    with pytest.raises(WrongState):
        salesorder_submit(actor=manager, document=order)


# --- sales order: create invoice -------------------------------------------------------------


def test_create_invoice_while_the_switch_is_off_copies_lines_and_totals(make, salesperson):
    order = make("salesorder", salesperson, lines=2)
    invoice = salesorder_create_invoice(actor=salesperson, document=order)
    assert invoice.sales_order_id == order.pk
    assert invoice.state == "active"
    assert InvoiceLine.objects.filter(document=invoice).count() == 2
    assert invoice.total_amount == order.total_amount == D("400.00")
    order.refresh_from_db()
    assert order.state == "active"
    assert audit_actions(order) == ["create_invoice"]
    assert audit_actions(invoice) == ["created"]


def test_create_invoice_is_refused_while_the_switch_is_on(order, salesperson, switch_on):
    with pytest.raises(SwitchPosition, match="submit the order"):
        salesorder_create_invoice(actor=salesperson, document=order)
    assert Invoice.objects.count() == 0


def test_create_invoice_is_refused_without_lines(make, salesperson):
    order = make("salesorder", salesperson, lines=0)
    with pytest.raises(NoLines):
        salesorder_create_invoice(actor=salesperson, document=order)
    assert Invoice.objects.count() == 0


def test_create_invoice_of_a_fulfilled_order(order, manager):
    salesorder_fulfill(actor=manager, document=order, status_reason="complete")
    invoice = salesorder_create_invoice(actor=manager, document=order)
    assert invoice.total_amount == D("200.00")


def test_create_invoice_of_a_canceled_order_is_refused(order, manager):
    salesorder_cancel(actor=manager, document=order)
    with pytest.raises(WrongState):
        salesorder_create_invoice(actor=manager, document=order)


def test_create_invoice_carries_the_price_lock(order, salesperson):
    document_lock_pricing(actor=salesperson, document=order)
    invoice = salesorder_create_invoice(actor=salesperson, document=order)
    assert invoice.is_price_locked


@pytest.mark.parametrize("state", ["submitted", "fulfilled"])
def test_integration_users_invoice_marks_the_order_invoiced(
    submitted_order, integration_user, price_list, state
):
    if state == "fulfilled":
        salesorder_fulfill(
            actor=integration_user, document=submitted_order, status_reason="complete"
        )
    invoice = document_create(
        actor=integration_user,
        kind="invoice",
        name="Back-office invoice",
        price_list=price_list,
        currency=price_list.currency,
        sales_order=submitted_order,
    )
    submitted_order.refresh_from_db()
    assert (submitted_order.state, submitted_order.status_reason) == ("invoiced", "invoiced")
    entry = last_audit(submitted_order)
    assert (entry.action, entry.from_state, entry.to_state) == ("invoiced", state, "invoiced")
    assert entry.data == {"invoice": invoice.pk}


def test_salespersons_invoice_does_not_mark_the_order_invoiced(order, salesperson, price_list):
    document_create(
        actor=salesperson,
        kind="invoice",
        name="Manual invoice",
        price_list=price_list,
        currency=price_list.currency,
        sales_order=order,
    )
    order.refresh_from_db()
    assert order.state == "active"


def test_integration_users_invoice_of_an_active_order_leaves_it_active(
    order, integration_user, price_list
):
    document_create(
        actor=integration_user,
        kind="invoice",
        name="Back-office invoice",
        price_list=price_list,
        currency=price_list.currency,
        sales_order=order,
    )
    order.refresh_from_db()
    assert order.state == "active"


# --- price lock and recalculate --------------------------------------------------------------


@pytest.mark.parametrize("kind", ["salesorder", "invoice"])
def test_lock_and_unlock_pricing(make, salesperson, kind):
    document = make(kind, salesperson)
    document = document_lock_pricing(actor=salesperson, document=document)
    assert document.is_price_locked
    with pytest.raises(WrongState, match="already locked"):
        document_lock_pricing(actor=salesperson, document=document)
    document = document_unlock_pricing(actor=salesperson, document=document)
    assert not document.is_price_locked
    with pytest.raises(WrongState, match="not locked"):
        document_unlock_pricing(actor=salesperson, document=document)
    assert audit_actions(document) == ["lock_pricing", "unlock_pricing"]


@pytest.mark.parametrize("kind", ["opportunity", "quote", "salesorder", "invoice"])
def test_recalculate_writes_an_audit_entry(make, salesperson, kind):
    document = make(kind, salesperson)
    document = document_recalculate(actor=salesperson, document=document)
    assert document.total_amount == D("200.00")
    assert audit_actions(document) == ["recalculate"]


def test_recalculate_of_a_closed_quote_is_refused(make, salesperson):
    quote = quote_activate(actor=salesperson, document=make("quote", salesperson))
    with pytest.raises(WrongState):
        document_recalculate(actor=salesperson, document=quote)


def test_salesperson_cannot_recalculate_or_lock_a_submitted_order(submitted_order, salesperson):
    with pytest.raises(DomainError) as error:
        document_recalculate(actor=salesperson, document=submitted_order)
    assert error.value.code == "read_only"
    with pytest.raises(DomainError):
        document_lock_pricing(actor=salesperson, document=submitted_order)


def test_integration_user_recalculate_of_a_submitted_order_is_skipped_and_audited(
    submitted_order, integration_user
):
    SalesOrderLine.objects.filter(document=submitted_order).update(price_per_unit=D("1"))
    order = document_recalculate(actor=integration_user, document=submitted_order)
    assert order.total_amount == D("200.00")  # kept as it was: SOP ∧ SUB skips
    entry = last_audit(order)
    assert entry.action == "recalculate"
    assert entry.data["decision"] == "skipped"


# --- invoice ---------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["complete", "partial"])
def test_invoice_mark_paid(make, salesperson, reason):
    invoice = make("invoice", salesperson)
    invoice = invoice_mark_paid(actor=salesperson, document=invoice, status_reason=reason)
    assert (invoice.state, invoice.status_reason) == ("paid", reason)
    assert audit_actions(invoice) == ["mark_paid"]
    with pytest.raises(WrongState):
        invoice_mark_paid(actor=salesperson, document=invoice, status_reason="complete")
    with pytest.raises(WrongState):
        invoice_cancel(actor=salesperson, document=invoice)


def test_invoice_cancel(make, salesperson):
    invoice = invoice_cancel(actor=salesperson, document=make("invoice", salesperson))
    assert (invoice.state, invoice.status_reason) == ("canceled", "canceled")
    assert audit_actions(invoice) == ["cancel"]
    with pytest.raises(WrongState):
        invoice_mark_paid(actor=salesperson, document=invoice, status_reason="complete")


def test_invoice_of_another_salesperson_is_refused(make, salesperson, other_salesperson):
    invoice = make("invoice", salesperson)
    with pytest.raises(PermissionRefused):
        invoice_cancel(actor=other_salesperson, document=invoice)
    with pytest.raises(PermissionRefused) as error:
        document_update(actor=other_salesperson, document=invoice, name="Mine now")
    assert error.value.code == "not_visible"
    invoice.refresh_from_db()
    assert invoice.state == "active"
    assert invoice.name != "Mine now"


def test_a_customizer_cannot_move_documents(make, salesperson, customizer):
    invoice = make("invoice", salesperson)
    with pytest.raises(PermissionRefused):
        invoice_mark_paid(actor=customizer, document=invoice, status_reason="complete")


def test_perform_refuses_an_action_of_another_kind(make, salesperson):
    invoice = make("invoice", salesperson)
    with pytest.raises(WrongState) as error:
        perform("submit", actor=salesperson, document=invoice)
    assert error.value.code == "unknown_action"


def test_timeline_shows_the_transitions_and_line_edits(order, salesperson, switch_on):
    from orders.reports.timeline import document_timeline

    salesorder_submit(actor=salesperson, document=order)
    entries = document_timeline(order)
    titles = [entry.title for entry in entries]
    assert "Submitted to the back office" in titles
    assert any(title.startswith("Added line 1") for title in titles)
    name = salesperson.get_full_name()
    assert all(entry.actor == name for entry in entries if entry.kind == "transition")
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)


# --- what a user sees --------------------------------------------------------------------------


def test_salesperson_sees_only_their_own_documents(make, salesperson, other_salesperson, manager):
    mine = make("salesorder", salesperson)
    theirs = make("salesorder", other_salesperson)
    assert list(documents_for(salesperson, "salesorder")) == [mine]
    assert set(documents_for(manager, "salesorder")) == {mine, theirs}


def names(actions, *, allowed=None):
    return {a.name for a in actions if allowed is None or a.allowed == allowed}


def test_order_actions_show_submit_and_no_create_invoice_while_the_switch_is_on(
    order, salesperson, switch_on
):
    actions = document_actions(salesperson, order)
    assert "submit" in names(actions, allowed=True)
    assert "create_invoice" not in names(actions)


def test_order_actions_show_create_invoice_and_no_submit_while_the_switch_is_off(
    order, salesperson
):
    actions = document_actions(salesperson, order)
    assert "create_invoice" in names(actions, allowed=True)
    assert "submit" not in names(actions)


def test_order_actions_say_why_submit_is_refused_without_lines(make, salesperson, switch_on):
    order = make("salesorder", salesperson, lines=0)
    submit = next(a for a in document_actions(salesperson, order) if a.name == "submit")
    assert not submit.allowed
    assert "at least one product" in submit.reason


def test_salesperson_sees_fulfil_and_cancel_refused(order, salesperson):
    actions = document_actions(salesperson, order)
    assert {"fulfill", "cancel"} <= names(actions, allowed=False)
    assert "reject" not in names(actions)


def test_reject_is_offered_only_to_integration_users(
    submitted_order, salesperson, integration_user
):
    assert "reject" not in names(document_actions(salesperson, submitted_order))
    assert "reject" in names(document_actions(integration_user, submitted_order), allowed=True)


def test_lock_and_unlock_are_offered_by_the_lock_position(order, salesperson):
    assert "lock_pricing" in names(document_actions(salesperson, order))
    assert "unlock_pricing" not in names(document_actions(salesperson, order))
    document_lock_pricing(actor=salesperson, document=order)
    order.refresh_from_db()
    assert "unlock_pricing" in names(document_actions(salesperson, order))
    assert "lock_pricing" not in names(document_actions(salesperson, order))


class Rollback(Exception):
    pass


def _arguments(action) -> dict:
    if action.reasons:
        return {"status_reason": action.reasons[0][0]}
    if action.needs_text:
        return {action.text_field: "Not today"}
    return {}


def _check_actions_match_services(user, document):
    """Every allowed action succeeds, every refused one raises, each in a rolled-back savepoint."""
    actions = document_actions(user, document)
    assert actions
    for action in actions:
        fresh = type(document).objects.get(pk=document.pk)
        if action.allowed:
            with pytest.raises(Rollback), transaction.atomic():
                perform(action.name, actor=user, document=fresh, **_arguments(action))
                raise Rollback
        else:
            with pytest.raises(DomainError) as error:
                perform(action.name, actor=user, document=fresh, **_arguments(action))
            assert error.value.message == action.reason


@pytest.mark.parametrize("who", ["salesperson", "other_salesperson", "manager", "integration_user"])
@pytest.mark.parametrize(
    ("kind", "switch"),
    [
        # the switch decides only for orders (Submit / Create Invoice) and invoices (skip rule)
        ("opportunity", False),
        ("quote", False),
        ("salesorder", False),
        ("salesorder", True),
        ("invoice", False),
        ("invoice", True),
    ],
)
def test_offered_actions_match_what_the_services_allow(
    make, salesperson, customizer, request, who, switch, kind
):
    if switch:
        set_switch(customizer, True)
    fields = {"opportunity": make("opportunity", salesperson)} if kind == "quote" else {}
    document = make(kind, salesperson, **fields)
    _check_actions_match_services(request.getfixturevalue(who), document)


def test_get_products_is_not_offered_on_a_quote_without_an_opportunity(make, salesperson):
    quote = make("quote", salesperson)
    assert "get_products" not in names(document_actions(salesperson, quote), allowed=True)


@pytest.mark.parametrize("who", ["salesperson", "manager", "integration_user"])
def test_offered_actions_on_a_submitted_order_match_the_services(submitted_order, request, who):
    _check_actions_match_services(request.getfixturevalue(who), submitted_order)


def test_offered_actions_on_an_active_quote_match_the_services(make, salesperson):
    quote = quote_activate(actor=salesperson, document=make("quote", salesperson))
    _check_actions_match_services(salesperson, quote)


def test_line_add_to_a_submitted_order_is_refused_for_the_salesperson(
    submitted_order, salesperson, product
):
    with pytest.raises(DomainError) as error:
        line_add(actor=salesperson, document=submitted_order, product=product, quantity=D("1"))
    assert error.value.code == "read_only"
    assert SalesOrderLine.objects.filter(document=submitted_order).count() == 1
