"""The record page's timeline, in words people use.

Edits show the fields that changed ("Freight 0.00 → 11.00") with names instead of ids; people
by name; states and status reasons by label; events by name; pricing decisions in plain
language, with the rule's notation kept for a "details" disclosure. An edit that changed
nothing a person reads (a re-price, a transition's own save) is left out: the transition has
its own entry.

A fixed number of queries whatever the number of entries: one per source, plus one per kind
of related record named in the changes.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Max

from orders import lifecycle
from orders.integration.outbox import salesorder_ordering_key
from orders.integration.payloads import (
    SALESORDER_CANCELED,
    SALESORDER_CHANGE_REQUESTED,
    SALESORDER_SUBMITTED,
)
from orders.models import (
    LINE_MODELS,
    Account,
    AuditEntry,
    Currency,
    Delivery,
    PriceList,
    Product,
    Unit,
)
from settings_app.models import Organization, User

LIMIT = 100


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "edit", "transition", "pricing", "delivery", "delivery-waiting"
    actor: str
    title: str
    detail: str = ""
    changes: tuple[Change, ...] = ()
    notation: str = ""  # the rule behind a pricing decision, for the "details" disclosure


def person(user) -> str:
    if user is None:
        return "System"
    return user.get_full_name() or user.get_username()


# --- values in words -----------------------------------------------------------------------


def _money(value, places: int) -> str:
    return "—" if value is None else f"{Decimal(value):,.{places}f}"


def _number(value) -> str:
    return "—" if value is None else f"{Decimal(value).normalize():f}"


def _text(value) -> str:
    return str(value) if value not in (None, "") else "—"


def _yes_no(value) -> str:
    return "Yes" if value else "No"


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def _date(value) -> str:
    return value.isoformat() if value else "—"


# field → (label, how to say a value); "fk:<Model>" names the related record
HEADER_FIELDS = {
    "name": ("Name", _text),
    "account_id": ("Account", "fk:account"),
    "price_list_id": ("Price list", "fk:price_list"),
    "currency_id": ("Currency", "fk:currency"),
    "owner_id": ("Owner", "fk:user"),
    "description": ("Description", _text),
    "discount_percentage": ("Discount %", _number),
    "discount_amount": ("Discount", "money"),
    "freight_amount": ("Freight", "money"),
    "estimated_close_date": ("Estimated close date", _date),
    "due_date": ("Due date", _date),
    "external_reference": ("Back-office reference", _text),
    "submit_status": ("Back-office status", _text),
    "submit_status_description": ("Back-office note", _text),
    "last_back_office_submit": ("Acknowledged by the back office", _when),
}
LINE_FIELDS = {
    "product_id": ("Product", "fk:product"),
    "write_in_product": ("Write-in product", _text),
    "unit_id": ("Unit", "fk:unit"),
    "quantity": ("Quantity", _number),
    "price_per_unit": ("Price per unit", "price"),
    "is_price_overridden": ("Price entered by hand", _yes_no),
    "manual_discount_amount": ("Discount", "money"),
    "tax": ("Tax", "money"),
    "description": ("Description", _text),
}
RELATED = {
    "account": (Account, lambda a: a.name),
    "price_list": (PriceList, lambda p: p.name),
    "currency": (Currency, lambda c: c.code),
    "user": (User, person),
    "product": (Product, lambda p: f"{p.number} {p.name}"),
    "unit": (Unit, lambda u: u.name),
}

ACTION_TITLES = {
    "created": "Created",
    "win": "Closed as won",
    "lose": "Closed as lost",
    "reopen": "Reopened",
    "activate": "Activated",
    "close": "Closed",
    "fulfill": "Fulfilled",
    "cancel": "Canceled",
    "mark_paid": "Marked paid",
    "submit": "Submitted to the back office",
    "lock_pricing": "Prices locked",
    "unlock_pricing": "Current pricing used again",
    "recalculate": "Recalculated",
    "catalog_reprice": "Re-priced after a catalog change",
}
# Transitions whose stored message is only the command's label and a status-reason code.
LABEL_ONLY = {"win", "lose", "reopen", "activate", "close", "fulfill", "cancel", "mark_paid"}
PRICING_ACTIONS = {"recalculate", "catalog_reprice", "unlock_pricing"}
EVENT_NAMES = {
    SALESORDER_SUBMITTED: "Order submitted",
    SALESORDER_CANCELED: "Order canceled",
    SALESORDER_CHANGE_REQUESTED: "Change requested",
}
DELIVERY_WORDS = {
    Delivery.Status.QUEUED: "waiting to be sent",
    Delivery.Status.DELIVERED: "delivered",
    Delivery.Status.FAILING: "failing, retrying",
    Delivery.Status.DEAD: "failed, retries exhausted",
}


def plain_pricing(pricing: dict) -> tuple[str, str]:
    """A pricing decision (``pricing`` JSON of the domain) in plain language, and the rule's
    notation for those who want it."""
    if not isinstance(pricing, dict) or not pricing.get("decision"):
        return "", ""
    reason = pricing.get("reason", "")
    notation = " ".join(part for part in (pricing.get("rule", ""), reason) if part)
    if pricing["decision"] == "skipped":
        held = []
        if "integration user" in reason:
            held.append("the change came from the back office")
        if "submitted" in reason:
            held.append("the order is submitted")
        because = " and ".join(held) or "the back office owns these values"
        return (
            f"Prices kept as the back office sent them: the integration is on and {because}.",
            notation,
        )
    return "Prices calculated by the system from the price list.", notation


class _Namer:
    """Names of related records, fetched once per kind for everything the timeline shows."""

    def __init__(self, records, fields: dict, organization, currency_places: int):
        self.places = currency_places
        self.price_places = organization.pricing_decimal_precision
        wanted: dict[str, set] = {}
        for name, (_, say) in fields.items():
            if isinstance(say, str) and say.startswith("fk:"):
                ids = {getattr(r, name) for r in records if getattr(r, name, None) is not None}
                if ids:
                    wanted.setdefault(say[3:], set()).update(ids)
        self.names = {
            kind: {
                obj.pk: RELATED[kind][1](obj) for obj in RELATED[kind][0].objects.filter(pk__in=ids)
            }
            for kind, ids in wanted.items()
        }

    def say(self, how, value) -> str:
        if how == "money":
            return _money(value, self.places)
        if how == "price":
            return _money(value, self.price_places)
        if isinstance(how, str) and how.startswith("fk:"):
            return "—" if value is None else self.names.get(how[3:], {}).get(value, "(removed)")
        return how(value)


def _changes(record, previous, fields: dict, namer: _Namer) -> tuple[Change, ...]:
    found = []
    for name, (label, how) in fields.items():
        if not hasattr(record, name):
            continue
        after = getattr(record, name)
        before = getattr(previous, name) if previous is not None else None
        if previous is not None and before != after:
            found.append(Change(label, namer.say(how, before), namer.say(how, after)))
    return tuple(found)


def _status_words(kind: str, state: str) -> str:
    return dict(lifecycle.state_choices(kind)).get(state, state.replace("_", " ").capitalize())


def _header_entries(document, namer_for) -> list[TimelineEntry]:
    records = list(
        document.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : LIMIT + 1
        ]
    )
    namer = namer_for(records, HEADER_FIELDS)
    label = document._meta.verbose_name
    entries = []
    for index, record in enumerate(records[:LIMIT]):
        previous = records[index + 1] if index + 1 < len(records) else None
        who = person(record.history_user)
        if record.history_type == "+":
            entries.append(TimelineEntry(record.history_date, "edit", who, f"Created the {label}"))
            continue
        if record.history_type == "-" or previous is None:
            continue
        changes = _changes(record, previous, HEADER_FIELDS, namer)
        if changes:
            entries.append(
                TimelineEntry(record.history_date, "edit", who, "Changed", changes=changes)
            )
    return entries


def _line_entries(document, namer_for) -> list[TimelineEntry]:
    """The newest line changes (a 1,000-line order has more history than the timeline shows:
    the window is its newest rows, so an edit made a moment ago is on it), each compared with
    the line's version before it — from the window, or for a line's first row in the window
    from one more query, which always runs so the count stays the same."""
    history = LINE_MODELS[document.KIND].history.model
    of_document = history.objects.filter(document_id=document.pk)
    window = of_document.order_by("-history_date", "-history_id")[: LIMIT * 2]
    records = list(window.select_related("history_user"))[::-1]
    oldest = records[0].history_id if records else 0
    latest_before = (
        of_document.filter(
            history_id__lt=oldest,
            id__in=of_document.filter(history_id__gte=oldest).values("id"),
        )
        .order_by()
        .values("id")
        .annotate(last=Max("history_id"))
        .values("last")
    )
    last_of_line = {r.id: r for r in of_document.filter(history_id__in=latest_before)}
    namer = namer_for([*last_of_line.values(), *records], LINE_FIELDS)
    entries = []
    for record in records:
        previous = last_of_line.get(record.id)
        last_of_line[record.id] = record
        name = record.write_in_product or namer.say("fk:product", record.product_id)
        who = person(record.history_user)
        detail, notation = "", ""
        if (record.pricing or {}).get("decision") == "skipped":
            detail, notation = plain_pricing(record.pricing)
        kind = "pricing" if detail else "edit"
        price = namer.say("price", record.price_per_unit)
        if record.history_type == "+":
            title = f"Added line {record.line_number}: {name}, {_number(record.quantity)} × {price}"
            entries.append(
                TimelineEntry(record.history_date, kind, who, title, detail, (), notation)
            )
        elif record.history_type == "-":
            title = f"Removed line {record.line_number}: {name}"
            entries.append(TimelineEntry(record.history_date, "edit", who, title))
        else:
            changes = _changes(record, previous, LINE_FIELDS, namer) if previous else ()
            if changes:
                title = f"Changed line {record.line_number}: {name}"
                entries.append(
                    TimelineEntry(record.history_date, kind, who, title, detail, changes, notation)
                )
    return entries


def _audit_entries(document) -> list[TimelineEntry]:
    entries = []
    for entry in AuditEntry.objects.filter(
        document_kind=document.KIND, document_id=document.pk
    ).select_related("actor")[:LIMIT]:
        who = person(entry.actor)
        moved = entry.from_state and entry.to_state and entry.from_state != entry.to_state
        detail = (
            f"{_status_words(document.KIND, entry.from_state)} → "
            f"{_status_words(document.KIND, entry.to_state)}"
            if moved
            else ""
        )
        if entry.action in PRICING_ACTIONS:
            plain, notation = plain_pricing(entry.data or {})
            title = ACTION_TITLES[entry.action]
            changed = re.search(r"\((\d+) line", entry.message or "")
            if changed:
                title += (
                    f": {changed.group(1)} line{'s' if changed.group(1) != '1' else ''} changed"
                )
            changes = ()
            catalog = (entry.data or {}).get("catalog")
            if isinstance(catalog, dict):
                # docs/rules.md#catalog-changes: what the catalog change did here, and why
                changes = (
                    Change(
                        "Unit price",
                        catalog.get("price_before", "—"),
                        catalog.get("price_after", "—"),
                    ),
                    Change(
                        "Total", catalog.get("total_before", "—"), catalog.get("total_after", "—")
                    ),
                )
                plain = f"Because {who} changed the price list item {catalog.get('item', '')}."
            entries.append(TimelineEntry(entry.at, "pricing", who, title, plain, changes, notation))
            continue
        title = entry.message or ACTION_TITLES.get(entry.action, entry.action)
        if entry.action in LABEL_ONLY:
            title = ACTION_TITLES[entry.action]
            code = re.search(r"\((\w+)\)$", entry.message or "")
            if code:
                reasons = dict(lifecycle.status_reason_choices(document.KIND))
                title += f" · {reasons.get(code.group(1), code.group(1))}"
        elif entry.action == "lock_pricing":
            title = ACTION_TITLES["lock_pricing"]
            detail = "Catalog changes no longer reach this document."
        entries.append(TimelineEntry(entry.at, "transition", who, title, detail))
    return entries


def _delivery_entries(document) -> list[TimelineEntry]:
    entries = []
    for delivery in Delivery.objects.filter(
        ordering_key=salesorder_ordering_key(document)
    ).select_related("event")[:LIMIT]:
        event = EVENT_NAMES.get(delivery.event.type, delivery.event.type.replace(".", " "))
        words = DELIVERY_WORDS.get(delivery.status, delivery.status)
        tries = delivery.attempts
        detail = f"{tries} attempt{'s' if tries != 1 else ''}"
        if delivery.last_error:
            detail += f"; last error: {delivery.last_error}"
        delivered = delivery.status == Delivery.Status.DELIVERED
        entries.append(
            TimelineEntry(
                delivery.delivered_on or delivery.created_on,
                "delivery" if delivered else "delivery-waiting",
                "Back office",
                f"{event}, sent to the back office: {words}",
                detail,
            )
        )
    return entries


def document_timeline(document, *, limit: int = LIMIT) -> list[TimelineEntry]:
    """Edits, transitions, pricing decisions and deliveries of a document, newest first."""
    organization = Organization.load()
    places = document.currency.precision

    def namer_for(records, fields):
        return _Namer(records, fields, organization, places)

    entries = [
        *_header_entries(document, namer_for),
        *_line_entries(document, namer_for),
        *_audit_entries(document),
    ]
    if document.KIND == lifecycle.SALES_ORDER:
        entries += _delivery_entries(document)
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
