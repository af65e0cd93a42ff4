"""Every transition of SPEC §4 as a service: atomic, the document row locked, guarded with a
clear domain error, and leaving an audit entry.

Each transition's guard is data (``TRANSITIONS``) read by one function, ``guard()``, which the
command bar and the API ask as well, so a button shows exactly when its action would succeed.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from orders import lifecycle
from orders.lifecycle import INVOICE, OPPORTUNITY, QUOTE, SALES_ORDER
from orders.models import DOCUMENT_MODELS, LINE_MODELS, Invoice, Quote, SalesOrder
from orders.pricing import apply
from orders.pricing.policy import Operation, decide
from orders.rules import check_editable, facts_for, is_integration_user, system_write
from orders.services.common import audit, can_see, check_version, lock, require_actor
from settings_app.acting import acting_as
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


def guard(transition: Transition, actor, document, organization, *, has_lines=None) -> None:
    """Raise the domain error that refuses this transition now, or return when it may run."""
    require_actor(actor)
    label = document._meta.verbose_name
    if transition.integration_only and not is_integration_user(actor):
        raise PermissionRefused(
            f"Only the back office's integration user can {transition.label.lower()} an order."
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


def _begin(kind: str, name: str, *, actor, document, expected_version):
    """Lock the row, compare the version and run the guard; returns the locked document."""
    transition = TRANSITIONS[(kind, name)]
    if kind != document.KIND:
        raise WrongState(f"{transition.label} does not apply to a {document._meta.verbose_name}.")
    document = lock(document)
    check_version(document, expected_version)
    guard(transition, actor, document, Organization.load())
    return document, transition


def _write(document, *fields: str) -> None:
    """Save the fields a domain step changed (with version and modified), past the edit guards."""
    with system_write():
        document.save(update_fields=[*fields, "version", "modified_on", "modified_by"])


def _move(document, *, state: str, status_reason: str | None = None, extra: tuple = ()) -> None:
    document.state = state
    document.status_reason = status_reason or lifecycle.default_status_reason(document.KIND, state)
    _write(document, "state", "status_reason", *extra)


def _check_reason(transition: Transition, status_reason: str | None) -> str:
    if status_reason not in transition.reasons:
        from django.core.exceptions import ValidationError

        labels = [reason.replace("_", " ") for reason in transition.reasons]
        raise ValidationError({"status_reason": f"Choose one of: {', '.join(labels)}."})
    return status_reason


def _simple(kind, name, *, state, reason=None, extra_fields=None):
    """A transition that only moves the state (and maybe a few fields)."""

    def run(*, actor, document, expected_version=None, status_reason=None, **kwargs):
        with acting_as(actor), transaction.atomic():
            document, transition = _begin(
                kind, name, actor=actor, document=document, expected_version=expected_version
            )
            chosen = _check_reason(transition, status_reason) if transition.reasons else reason
            before = document.state
            extra = []
            for attr, value in (extra_fields or {}).items():
                setattr(
                    document, attr, value(document, actor, kwargs) if callable(value) else value
                )
                extra.append(attr)
            _move(document, state=state, status_reason=chosen, extra=tuple(extra))
            audit(
                document,
                action=name,
                actor=actor,
                from_state=before,
                message=f"{transition.label}" + (f" ({chosen})" if chosen else ""),
            )
        return document

    run.__name__ = f"{kind}_{name}"
    run.__doc__ = f"{TRANSITIONS[(kind, name)].label}: the guard of TRANSITIONS, then the move."
    return run


opportunity_win = _simple(OPPORTUNITY, "win", state="won", reason="won")
opportunity_lose = _simple(OPPORTUNITY, "lose", state="lost")
opportunity_reopen = _simple(OPPORTUNITY, "reopen", state="open", reason="in_progress")
quote_activate = _simple(QUOTE, "activate", state="active", reason="in_progress")
quote_close = _simple(QUOTE, "close", state="closed")
salesorder_fulfill = _simple(SALES_ORDER, "fulfill", state="fulfilled")
salesorder_cancel = _simple(SALES_ORDER, "cancel", state="canceled", reason="no_money")
invoice_mark_paid = _simple(INVOICE, "mark_paid", state="paid")
invoice_cancel = _simple(INVOICE, "cancel", state="canceled", reason="canceled")


# --- conversions ---------------------------------------------------------------------------

_COPIED_HEADER = [
    "name",
    "account_id",
    "price_list_id",
    "currency_id",
    "owner_id",
    "description",
    "discount_percentage",
    "discount_amount",
    "freight_amount",
]
_COPIED_LINE = [
    "product_id",
    "write_in_product",
    "unit_id",
    "quantity",
    "price_per_unit",
    "is_price_overridden",
    "volume_discount_amount",
    "base_amount",
    "manual_discount_amount",
    "tax",
    "extended_amount",
    "description",
]


def copy_lines(source, target, *, actor, start_at: int = 0) -> None:
    """Copy a document's lines to another in bulk, then price them as the target's create rule
    decides (bulk writes send no signals, so this asks decide() itself)."""
    organization = Organization.load()
    source_lines = list(LINE_MODELS[source.KIND].objects.filter(document=source))
    target_model = LINE_MODELS[target.KIND]
    target_model.objects.bulk_create(
        [
            target_model(
                document=target,
                line_number=start_at + index,
                pricing={"copied_from": source.number},
                **{name: getattr(line, name) for name in _COPIED_LINE},
            )
            for index, line in enumerate(source_lines, start=1)
        ]
    )
    decision = decide(
        target_model.__name__.lower(), Operation.CREATE, facts_for(target, actor, organization)
    )
    if decision.compute and organization.use_system_pricing:
        # The agreed prices come with the lines; amounts are recomputed for the target.
        apply.recalculate_lines(
            target, target_model, organization, decision=decision, keep_price=source.number
        )
        apply.roll_up(target, target_model, actor=actor, decision=decision)
    else:
        note = f"Copied from {source.number}; calculation skipped, values kept as given."
        totals = {
            name: getattr(source, name)
            for name in (
                "total_line_item_amount",
                "total_line_item_discount_amount",
                "total_discount_amount",
                "total_amount_less_freight",
                "total_tax",
                "total_amount",
            )
        }
        type(target).objects.filter(pk=target.pk).update(
            pricing={**decision.as_provenance(), "reason": note}, **totals
        )


def _new_from(source, model, *, actor, **fields):
    values = {name: getattr(source, name) for name in _COPIED_HEADER}
    target = model(**values, **fields)
    with system_write():
        target.save()
    copy_lines(source, target, actor=actor)
    target.refresh_from_db()
    return target


def opportunity_create_quote(*, actor, document, expected_version=None):
    with acting_as(actor), transaction.atomic():
        document, _ = _begin(
            OPPORTUNITY,
            "create_quote",
            actor=actor,
            document=document,
            expected_version=expected_version,
        )
        quote = _new_from(document, Quote, actor=actor, opportunity=document)
        audit(
            document,
            action="create_quote",
            actor=actor,
            from_state=document.state,
            message=f"Quote {quote.number} created",
            data={"quote": quote.pk},
        )
        audit(quote, action="created", actor=actor, message=f"Created from {document.number}")
    return quote


def quote_get_products(*, actor, document, expected_version=None):
    with acting_as(actor), transaction.atomic():
        document, _ = _begin(
            QUOTE, "get_products", actor=actor, document=document, expected_version=expected_version
        )
        last = LINE_MODELS[QUOTE].objects.filter(document=document).order_by("-line_number").first()
        copy_lines(
            document.opportunity, document, actor=actor, start_at=last.line_number if last else 0
        )
        audit(
            document,
            action="get_products",
            actor=actor,
            from_state=document.state,
            message=f"Products copied from {document.opportunity.number}",
        )
        document.refresh_from_db()
    return document


def quote_revise(*, actor, document, expected_version=None):
    with acting_as(actor), transaction.atomic():
        document, _ = _begin(
            QUOTE, "revise", actor=actor, document=document, expected_version=expected_version
        )
        before = document.state
        base = document.number.split("-R")[0]
        # Revisions of one quote share its base number; the next is one past the highest.
        revision = 1 + max(
            Quote.objects.filter(Q(number=base) | Q(number__startswith=f"{base}-R")).values_list(
                "revision_number", flat=True
            )
        )
        new = _new_from(
            document,
            Quote,
            actor=actor,
            opportunity_id=document.opportunity_id,
            revision_number=revision,
            revised_from=document,
            number=f"{base}-R{revision}",
        )
        if before != "closed":
            _move(document, state="closed", status_reason="revised")
        audit(
            document,
            action="revise",
            actor=actor,
            from_state=before,
            message=f"Revised as {new.number}",
            data={"quote": new.pk},
        )
        audit(new, action="created", actor=actor, message=f"Revision {revision} of {base}")
    return new


def quote_create_order(*, actor, document, expected_version=None, close_opportunity=False):
    """Won; a new order with the quote's lines. ``close_opportunity``: also close the quote's
    open opportunity as won, through Close as Won's own guard (all or nothing)."""
    with acting_as(actor), transaction.atomic():
        document, _ = _begin(
            QUOTE, "create_order", actor=actor, document=document, expected_version=expected_version
        )
        before = document.state
        order = _new_from(
            document,
            SalesOrder,
            actor=actor,
            quote=document,
            opportunity_id=document.opportunity_id,
        )
        _move(document, state="won", status_reason="won")
        audit(
            document,
            action="create_order",
            actor=actor,
            from_state=before,
            message=f"Won; order {order.number} created",
            data={"order": order.pk},
        )
        audit(order, action="created", actor=actor, message=f"Created from {document.number}")
        if close_opportunity and document.opportunity_id:
            opportunity = document.opportunity
            if opportunity.state in TRANSITIONS[(OPPORTUNITY, "win")].from_states:
                opportunity_win(actor=actor, document=opportunity)
    return order


def salesorder_create_invoice(*, actor, document, expected_version=None):
    with acting_as(actor), transaction.atomic():
        document, _ = _begin(
            SALES_ORDER,
            "create_invoice",
            actor=actor,
            document=document,
            expected_version=expected_version,
        )
        invoice = _new_from(
            document,
            Invoice,
            actor=actor,
            sales_order=document,
            is_price_locked=document.is_price_locked,
        )
        audit(
            document,
            action="create_invoice",
            actor=actor,
            from_state=document.state,
            message=f"Invoice {invoice.number} created",
            data={"invoice": invoice.pk},
        )
        audit(invoice, action="created", actor=actor, message=f"Created from {document.number}")
    return invoice


# --- the back-office hand-over -------------------------------------------------------------


def salesorder_submit(*, actor, document, expected_version=None):
    """Active → submitted, only while the switch is on and with lines; the order row is locked
    so no edit by anyone but the integration user lands after this commits. The
    ``salesorder.submitted`` event is written in the same transaction."""
    with acting_as(actor), transaction.atomic():
        document, _ = _begin(
            SALES_ORDER, "submit", actor=actor, document=document, expected_version=expected_version
        )
        before = document.state
        document.submitted_on = timezone.now()
        document.submitted_by = actor
        document.submit_status_description = ""
        _move(
            document,
            state="submitted",
            status_reason="in_progress",
            extra=("submitted_on", "submitted_by", "submit_status_description"),
        )
        audit(
            document,
            action="submit",
            actor=actor,
            from_state=before,
            message="Submitted to the back office",
        )
        _record_submitted_event(document, actor)
    return document


def _record_submitted_event(order, actor) -> None:
    from orders.integration import outbox

    outbox.record_event(
        type=outbox.SALESORDER_SUBMITTED,
        payload=outbox.salesorder_payload(order),
        ordering_key=outbox.salesorder_ordering_key(order),
        actor=actor,
    )


def salesorder_reject(*, actor, document, reason: str = "", expected_version=None):
    """The back office cannot take the order: submitted → active/pending with its reason."""
    from django.core.exceptions import ValidationError

    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the order is rejected."})
    with acting_as(actor), transaction.atomic():
        document, _ = _begin(
            SALES_ORDER, "reject", actor=actor, document=document, expected_version=expected_version
        )
        before = document.state
        document.submit_status_description = reason.strip()
        _move(
            document, state="active", status_reason="pending", extra=("submit_status_description",)
        )
        audit(
            document,
            action="reject",
            actor=actor,
            from_state=before,
            message=f"Rejected by the back office: {reason.strip()}",
        )
    return document


def salesorder_mark_invoiced(*, actor, order, invoice) -> None:
    """The back office invoiced a submitted or fulfilled order (called when its integration
    user creates the invoice): the order becomes invoiced. Others' invoices leave it as is."""
    if not is_integration_user(actor):
        return
    order = lock(order)
    if order.state not in {"submitted", "fulfilled"}:
        return
    before = order.state
    _move(order, state="invoiced", status_reason="invoiced")
    audit(
        order,
        action="invoiced",
        actor=actor,
        from_state=before,
        message=f"Invoiced by the back office ({invoice.number})",
        data={"invoice": invoice.pk},
    )


# --- pricing actions -----------------------------------------------------------------------


def document_recalculate(*, actor, document, expected_version=None):
    """Re-price amounts and totals, as the recalculate rule of the skip table decides."""
    kind = document.KIND
    with acting_as(actor), transaction.atomic():
        document, _ = _begin(
            kind, "recalculate", actor=actor, document=document, expected_version=expected_version
        )
        recalculate(document, actor=actor, action="recalculate")
        document.refresh_from_db()
    return document


def recalculate(document, *, actor, action: str, volume: bool = False) -> bool:
    """Recalculate a locked document in a constant number of queries; False when skipped."""
    organization = Organization.load()
    decision = decide(
        document.KIND, Operation.RECALCULATE, facts_for(document, actor, organization)
    )
    line_model = LINE_MODELS[document.KIND]
    if not (decision.compute and organization.use_system_pricing):
        audit(
            document,
            action=action,
            actor=actor,
            from_state=document.state,
            message=decision.reason if decision.skip else "System pricing is off.",
            data=decision.as_provenance(),
        )
        return False
    changed = apply.recalculate_lines(
        document, line_model, organization, decision=decision, volume=volume
    )
    apply.roll_up(document, line_model, actor=actor, decision=decision)
    audit(
        document,
        action=action,
        actor=actor,
        from_state=document.state,
        message=f"Recalculated ({changed} line(s) changed)",
        data=decision.as_provenance(),
    )
    return True


def document_lock_pricing(*, actor, document, expected_version=None):
    with acting_as(actor), transaction.atomic():
        document, _ = _begin(
            document.KIND,
            "lock_pricing",
            actor=actor,
            document=document,
            expected_version=expected_version,
        )
        document.is_price_locked = True
        _write(document, "is_price_locked")
        audit(
            document,
            action="lock_pricing",
            actor=actor,
            from_state=document.state,
            message="Prices locked: catalog changes no longer reach this document",
        )
    return document


def document_unlock_pricing(*, actor, document, expected_version=None):
    """Use current pricing: unlock and re-price from the catalog."""
    with acting_as(actor), transaction.atomic():
        document, _ = _begin(
            document.KIND,
            "unlock_pricing",
            actor=actor,
            document=document,
            expected_version=expected_version,
        )
        document.is_price_locked = False
        _write(document, "is_price_locked")
        recalculate(document, actor=actor, action="unlock_pricing")
        document.refresh_from_db()
    return document


ACTIONS = {
    (OPPORTUNITY, "create_quote"): opportunity_create_quote,
    (OPPORTUNITY, "win"): opportunity_win,
    (OPPORTUNITY, "lose"): opportunity_lose,
    (OPPORTUNITY, "reopen"): opportunity_reopen,
    (QUOTE, "activate"): quote_activate,
    (QUOTE, "revise"): quote_revise,
    (QUOTE, "close"): quote_close,
    (QUOTE, "create_order"): quote_create_order,
    (QUOTE, "get_products"): quote_get_products,
    (SALES_ORDER, "submit"): salesorder_submit,
    (SALES_ORDER, "create_invoice"): salesorder_create_invoice,
    (SALES_ORDER, "fulfill"): salesorder_fulfill,
    (SALES_ORDER, "cancel"): salesorder_cancel,
    (SALES_ORDER, "reject"): salesorder_reject,
    (INVOICE, "mark_paid"): invoice_mark_paid,
    (INVOICE, "cancel"): invoice_cancel,
}
for _kind in DOCUMENT_MODELS:
    ACTIONS[(_kind, "recalculate")] = document_recalculate
for _kind in (SALES_ORDER, INVOICE):
    ACTIONS[(_kind, "lock_pricing")] = document_lock_pricing
    ACTIONS[(_kind, "unlock_pricing")] = document_unlock_pricing


def perform(name: str, *, actor, document, **kwargs):
    """Run the action ``name`` of the document's kind (for doors that dispatch by name)."""
    try:
        action = ACTIONS[(document.KIND, name)]
    except KeyError:
        raise WrongState(
            f"{name!r} is not an action of a {document._meta.verbose_name}.", code="unknown_action"
        ) from None
    return action(actor=actor, document=document, **kwargs)
