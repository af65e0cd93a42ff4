"""The transition table and its guard: what each action of each document needs, as data.

``TRANSITIONS`` says, for every action, the states it starts from, the permission, the switch
position, whether it needs lines, an editable document, a status reason, the price lock.
``guard()`` reads it and raises the domain error that refuses the action now. The services run
it (through ``begin``), and the command bar (``orders.selectors.document_actions``) and the API's
action descriptions ask it too, so a button shows exactly when its action would succeed.
"""

from dataclasses import dataclass, field

from orders import lifecycle
from orders.lifecycle import INVOICE, OPPORTUNITY, QUOTE, SALES_ORDER
from orders.models import LINE_MODELS, ChangeRequest, Invoice
from orders.rules import check_editable, is_integration_user
from orders.services.common import can_see, check_version, lock, require_actor
from settings_app.errors import (
    DomainError,
    NoLines,
    PermissionRefused,
    SwitchPosition,
    WrongState,
)
from settings_app.models import Organization


@dataclass(frozen=True)
class Transition:
    kind: str
    name: str
    label: str
    perm: str
    from_states: frozenset[str]
    switch: bool | None = None  # True: only while on; False: only while off
    needs_lines: bool = False
    needs_editable: bool = False
    integration_only: bool = False
    reasons: tuple[str, ...] = ()  # status reasons the actor chooses from
    needs_text: bool = False  # e.g. a reject reason
    price_lock: bool | None = None  # lock: must be unlocked; unlock: must be locked
    needs_opportunity: bool = False
    confirm: str = ""  # a question to ask before an action that cannot be undone
    no_active_invoice: bool = False  # refused while the order has an invoice not canceled
    not_integration: bool = False  # the back office answers it; it never does it itself
    open_change_request: bool | None = None  # True: needs one open; False: needs none open
    text_label: str = ""  # what the free text of needs_text is, in words
    text_field: str = "reason"  # the service's keyword for that text
    style: str = ""
    extra: dict = field(default_factory=dict)


def _t(kind, name, label, perm, states, **kw) -> Transition:
    return Transition(kind, name, label, f"orders.{perm}", frozenset(states), **kw)


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.kind, t.name): t
    for t in [
        _t(OPPORTUNITY, "create_quote", "Create Quote", "add_quote", {"open"}, style="primary"),
        _t(OPPORTUNITY, "win", "Close as Won", "change_opportunity", {"open"}),
        _t(
            OPPORTUNITY,
            "lose",
            "Close as Lost",
            "change_opportunity",
            {"open"},
            reasons=("canceled", "out_sold"),
        ),
        _t(OPPORTUNITY, "reopen", "Reopen", "change_opportunity", {"won", "lost"}),
        _t(
            QUOTE, "get_products", "Get Products", "change_quote", {"draft"}, needs_opportunity=True
        ),
        _t(QUOTE, "activate", "Activate", "change_quote", {"draft"}, style="primary"),
        _t(QUOTE, "revise", "Revise", "add_quote", {"active", "closed"}),
        _t(
            QUOTE,
            "close",
            "Close",
            "change_quote",
            {"active"},
            reasons=("lost", "canceled", "revised"),
        ),
        _t(QUOTE, "create_order", "Create Order", "add_salesorder", {"active"}, style="primary"),
        _t(
            SALES_ORDER,
            "submit",
            "Submit",
            "change_salesorder",
            {"active"},
            switch=True,
            needs_lines=True,
            no_active_invoice=True,
            style="primary",
        ),
        _t(
            SALES_ORDER,
            "create_invoice",
            "Create Invoice",
            "add_invoice",
            {"active", "fulfilled"},
            switch=False,
            needs_lines=True,
            style="primary",
        ),
        _t(
            SALES_ORDER,
            "recalculate",
            "Recalculate",
            "change_salesorder",
            {"active", "submitted"},
            needs_editable=True,
        ),
        _t(
            SALES_ORDER,
            "lock_pricing",
            "Lock Pricing",
            "change_salesorder",
            {"active", "submitted"},
            needs_editable=True,
            price_lock=False,
        ),
        _t(
            SALES_ORDER,
            "unlock_pricing",
            "Use Current Pricing",
            "change_salesorder",
            {"active", "submitted"},
            needs_editable=True,
            price_lock=True,
        ),
        _t(
            SALES_ORDER,
            "fulfill",
            "Fulfill Order",
            "fulfill_salesorder",
            {"active", "submitted"},
            reasons=("complete", "partial"),
            needs_lines=True,
        ),
        _t(
            SALES_ORDER,
            "cancel",
            "Cancel Order",
            "cancel_salesorder",
            {"active", "submitted"},
            confirm="Cancel this order? A canceled order cannot be reopened.",
        ),
        _t(
            SALES_ORDER,
            "reject",
            "Reject",
            "change_salesorder",
            {"submitted"},
            integration_only=True,
            needs_text=True,
            text_label="Why the order is returned",
        ),
        _t(
            SALES_ORDER,
            "request_change",
            "Request a change",
            "change_salesorder",
            {"submitted"},
            not_integration=True,
            open_change_request=False,
            needs_text=True,
            text_label="What should change",
            text_field="note",
        ),
        _t(
            SALES_ORDER,
            "decline_change",
            "Decline the change",
            "change_salesorder",
            {"submitted"},
            integration_only=True,
            open_change_request=True,
            needs_text=True,
            text_label="Why the change is declined",
        ),
        _t(
            INVOICE,
            "mark_paid",
            "Mark Paid",
            "change_invoice",
            {"active"},
            reasons=("complete", "partial"),
            style="primary",
        ),
        _t(
            INVOICE,
            "cancel",
            "Cancel Invoice",
            "change_invoice",
            {"active"},
            confirm="Cancel this invoice? A canceled invoice cannot be reopened.",
        ),
        _t(
            INVOICE,
            "lock_pricing",
            "Lock Pricing",
            "change_invoice",
            {"active"},
            needs_editable=True,
            price_lock=False,
        ),
        _t(
            INVOICE,
            "unlock_pricing",
            "Use Current Pricing",
            "change_invoice",
            {"active"},
            needs_editable=True,
            price_lock=True,
        ),
        _t(
            INVOICE, "recalculate", "Recalculate", "change_invoice", {"active"}, needs_editable=True
        ),
    ]
}
for _kind in (OPPORTUNITY, QUOTE):
    TRANSITIONS[(_kind, "recalculate")] = _t(
        _kind,
        "recalculate",
        "Recalculate",
        f"change_{_kind}",
        lifecycle.EDITABLE_STATES[_kind],
        needs_editable=True,
    )


def transitions_for(kind: str) -> list[Transition]:
    return [t for (k, _), t in TRANSITIONS.items() if k == kind]


def active_invoice(order):
    """The order's first invoice that is not canceled (None when it has none)."""
    return (
        Invoice.objects.filter(sales_order_id=order.pk)
        .exclude(state="canceled")
        .order_by("created_on", "id")
        .first()
    )


def open_change_request(order):
    """The order's open change request (None when it has none)."""
    return (
        ChangeRequest.objects.filter(order_id=order.pk, state=ChangeRequest.State.OPEN)
        .select_related("requested_by")
        .first()
    )


def guard(transition: Transition, actor, document, organization, *, has_lines=None) -> None:
    """Raise the domain error that refuses this transition now, or return when it may run."""
    require_actor(actor)
    label = document._meta.verbose_name
    if transition.integration_only and not is_integration_user(actor):
        raise PermissionRefused(
            f"Only the back office's integration user can {transition.label.lower()} an order."
        )
    if transition.not_integration and is_integration_user(actor):
        raise PermissionRefused(
            "The back office answers change requests; it does not request them.",
            code="not_for_integration_user",
        )
    if not actor.has_perm(transition.perm):
        raise PermissionRefused(f"Your role does not allow “{transition.label}” on a {label}.")
    if not can_see(actor, document):
        raise PermissionRefused(f"{document.number} belongs to another salesperson.")
    if document.state not in transition.from_states:
        raise WrongState(
            f"{transition.label} is not possible while the {label} is "
            f"{document.get_state_display().lower()}."
        )
    if transition.switch is True and not organization.is_sop_integration_enabled:
        raise SwitchPosition(
            "Submit is available only while the back-office integration is on; "
            "use Create Invoice instead."
        )
    if transition.switch is False and organization.is_sop_integration_enabled:
        raise SwitchPosition(
            "Invoices come from the back office while the integration is on; submit the order "
            "instead."
        )
    if transition.no_active_invoice:
        invoice = active_invoice(document)
        if invoice is not None:
            raise DomainError(
                f"{document.number} already has invoice {invoice.number} "
                f"({invoice.get_state_display().lower()}); submitting it would invoice it twice. "
                "Cancel that invoice first.",
                code="already_invoiced",
            )
    if transition.open_change_request is not None:
        request = open_change_request(document)
        if transition.open_change_request and request is None:
            raise DomainError(
                f"{document.number} has no open change request.", code="no_change_request"
            )
        if transition.open_change_request is False and request is not None:
            raise DomainError(
                f"A change to {document.number} was requested already and waits for the back "
                "office's answer.",
                code="change_already_requested",
            )
    if transition.needs_editable:
        check_editable(actor, document)
    if transition.price_lock is not None:
        locked = document.is_price_locked
        if transition.price_lock and not locked:
            raise WrongState("Prices are not locked on this document.")
        if transition.price_lock is False and locked:
            raise WrongState("Prices are already locked on this document.")
    if transition.needs_opportunity and not document.opportunity_id:
        raise DomainError(
            "This quote has no opportunity to get products from.", code="no_opportunity"
        )
    if transition.needs_lines:
        if has_lines is None:
            has_lines = LINE_MODELS[document.KIND].objects.filter(document=document).exists()
        if not has_lines:
            raise NoLines(f"{transition.label} needs at least one product on the {label}.")


def begin(kind: str, name: str, *, actor, document, expected_version):
    """Lock the row, compare the version and run the guard; returns the locked document."""
    transition = TRANSITIONS[(kind, name)]
    if kind != document.KIND:
        raise WrongState(f"{transition.label} does not apply to a {document._meta.verbose_name}.")
    document = lock(document)
    check_version(document, expected_version)
    guard(transition, actor, document, Organization.load())
    return document, transition
