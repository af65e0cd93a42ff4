"""Selectors: the functions that read (what a user may see, which actions they have, the
timeline of a record)."""

from dataclasses import dataclass
from datetime import datetime

from orders import lifecycle
from orders.integration.outbox import salesorder_ordering_key
from orders.models import DOCUMENT_MODELS, LINE_MODELS, AuditEntry, Delivery
from orders.rules import can_edit, read_only_message
from orders.services.common import visible_to
from orders.services.guards import guard, transitions_for
from settings_app.errors import DomainError
from settings_app.models import Organization


def documents_for(user, kind: str):
    """The documents of a kind the user may see: their own, or everyone's with
    orders.view_all_documents; with what lists show already joined."""
    model = DOCUMENT_MODELS[kind]
    queryset = model.objects.select_related("account", "owner", "currency", "price_list")
    if not (user.is_authenticated and user.has_perm(f"orders.view_{kind}")):
        return queryset.none()
    return visible_to(user, queryset)


def document_lines(document):
    return (
        LINE_MODELS[document.KIND]
        .objects.filter(document=document)
        .select_related("product", "unit")
    )


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    allowed: bool
    reason: str
    reasons: tuple[tuple[str, str], ...]
    needs_text: bool
    style: str
    confirm: str = ""


def document_actions(user, document, *, has_lines: bool | None = None) -> list[Action]:
    """The command bar: every transition of the document's kind, allowed or not and why, from
    the same guards the services run. Actions whose state does not apply are left out."""
    organization = Organization.load()
    if has_lines is None:
        has_lines = LINE_MODELS[document.KIND].objects.filter(document=document).exists()
    actions = []
    for transition in transitions_for(document.KIND):
        if document.state not in transition.from_states:
            continue
        if transition.switch is not None and (
            transition.switch != organization.is_sop_integration_enabled
        ):
            continue  # Submit and Create Invoice show only in their switch position
        if transition.price_lock is not None and transition.price_lock != document.is_price_locked:
            continue
        try:
            guard(transition, user, document, organization, has_lines=has_lines)
        except DomainError as error:
            allowed, reason = False, error.message
        else:
            allowed, reason = True, ""
        if transition.integration_only and not allowed:
            continue
        reasons = tuple(
            (value, value.replace("_", " ").capitalize()) for value in transition.reasons
        )
        actions.append(
            Action(
                name=transition.name,
                label=transition.label,
                allowed=allowed,
                reason=reason,
                reasons=reasons,
                needs_text=transition.needs_text,
                style=transition.style,
                confirm=transition.confirm,
            )
        )
    return actions


def read_only_reason(user, document) -> str:
    """Why the page offers no editing ("" when it does): the read-only rule, then the role."""
    label = document._meta.verbose_name
    if not can_edit(user, document):
        return read_only_message(document)
    if not (user.is_authenticated and user.has_perm(f"orders.change_{document.KIND}")):
        return f"Read-only: your role can view this {label} but not change it."
    if not (user.has_perm("orders.view_all_documents") or document.owner_id == user.pk):
        return f"Read-only: this {label} belongs to another salesperson."
    return ""


def user_can_edit(user, document) -> bool:
    """Whether the page may offer editing: the read-only rule plus the user's role."""
    return user.is_authenticated and not read_only_reason(user, document)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "edit", "transition", "pricing", "delivery"
    actor: str
    title: str
    detail: str


def document_timeline(document, *, limit: int = 100) -> list[TimelineEntry]:
    """Edits (history), transitions and pricing decisions (audit) and deliveries, newest first.

    A fixed number of queries: one per source, whatever the number of entries.
    """
    entries: list[TimelineEntry] = []
    for record in document.history.select_related("history_user").order_by("-history_date")[:limit]:
        verb = {"+": "Created", "~": "Changed", "-": "Deleted"}[record.history_type]
        who = record.history_user.get_username() if record.history_user else "system"
        entries.append(TimelineEntry(record.history_date, "edit", who, f"{verb} the header", ""))
    line_history = LINE_MODELS[document.KIND].history.model
    for record in (
        line_history.objects.filter(document_id=document.pk)
        .select_related("history_user", "product")
        .order_by("-history_date")[:limit]
    ):
        verb = {"+": "Added", "~": "Changed", "-": "Removed"}[record.history_type]
        who = record.history_user.get_username() if record.history_user else "system"
        pricing = record.pricing or {}
        detail = pricing.get("reason", "")
        kind = "pricing" if pricing.get("decision") == "skipped" else "edit"
        name = record.write_in_product or (record.product.name if record.product else "product")
        entries.append(
            TimelineEntry(
                record.history_date,
                kind,
                who,
                f"{verb} line {record.line_number} ({name}): "
                f"{record.quantity.normalize():f} × {record.price_per_unit.normalize():f}",
                detail,
            )
        )
    for entry in AuditEntry.objects.filter(
        document_kind=document.KIND, document_id=document.pk
    ).select_related("actor")[:limit]:
        kind = "pricing" if entry.action in {"recalculate", "catalog_reprice"} else "transition"
        entries.append(
            TimelineEntry(
                entry.at,
                kind,
                entry.actor.get_username() if entry.actor else "system",
                entry.message or entry.action,
                (entry.data or {}).get("reason", ""),
            )
        )
    if document.KIND == lifecycle.SALES_ORDER:
        for delivery in Delivery.objects.filter(
            ordering_key=salesorder_ordering_key(document)
        ).select_related("event", "endpoint")[:limit]:
            when = delivery.delivered_on or delivery.created_on
            tries = delivery.attempts
            detail = f"{tries} attempt{'s' if tries != 1 else ''}"
            if delivery.last_error:
                detail += f"; last error: {delivery.last_error}"
            delivered = delivery.status == Delivery.Status.DELIVERED
            entries.append(
                TimelineEntry(
                    when,
                    "delivery" if delivered else "delivery-waiting",
                    "back office",
                    f"Sent to the back office ({delivery.event.type}): "
                    f"{delivery.get_status_display().lower()}",
                    detail,
                )
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
