"""Small presentation helpers for the pages: money, status chips, provenance."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

STATE_TONES = {
    # calm default for open work, green for done, amber for waiting, red for stopped
    "open": "info",
    "draft": "",
    "active": "info",
    "submitted": "warn",
    "won": "ok",
    "fulfilled": "ok",
    "invoiced": "ok",
    "paid": "ok",
    "lost": "err",
    "closed": "",
    "canceled": "err",
}

SYNC_TONES = {
    "acknowledged": "ok",
    "delivered": "info",
    "queued": "warn",
    "paused": "warn",
    "feed": "warn",
    "failing": "err",
    "dead": "err",
}


@register.filter
def money(value, precision=2):
    """1234.5 → "1,234.50" at the given precision (Decimal in, text out; never float)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value)
        places = int(precision)
    except (InvalidOperation, TypeError, ValueError):
        return value
    return f"{number:,.{places}f}"


@register.filter
def quantity(value):
    """Quantities without trailing zeros: 2.00000 → "2", 1.50000 → "1.5"."""
    if value is None:
        return ""
    try:
        number = Decimal(value).normalize()
    except (InvalidOperation, TypeError, ValueError):
        return value
    return f"{number:f}"


@register.filter
def state_tone(state):
    tone = STATE_TONES.get(state, "")
    return f"chip chip-{tone}" if tone else "chip"


@register.filter
def sync_tone(status):
    tone = SYNC_TONES.get(status, "")
    return f"chip chip-{tone}" if tone else "chip"


# What the chip of a submitted order says (orders.integration.health.order_back_office_chips).
SYNC_LABELS = {
    "acknowledged": "Back office acknowledged",
    "delivered": "Sent to back office",
    "queued": "Sending to back office",
    "paused": "Delivery paused",
    "feed": "Waiting for the back office",
    "failing": "Delivery failing",
    "dead": "Delivery failed",
}


@register.filter
def sync_label(status):
    return SYNC_LABELS.get(status, "")


SOURCE_TAGS = {
    "price_list": "price list",
    "override": "entered",
    "write_in": "entered",
    "locked": "locked price",
    "copied": "agreed price",
    "lines": "computed",
    "kept": "kept as given",
    "none": "no price",
}


@register.filter
def provenance(pricing):
    """Where a computed value came from, in words, from a ``pricing`` JSON of the domain:
    {"decision": "computed"|"skipped", "rule", "reason", "price_source", "price_note"}."""
    if not isinstance(pricing, dict) or not pricing:
        return ""
    parts = [pricing.get("price_note", ""), pricing.get("reason", "")]
    return " ".join(part for part in parts if part)


@register.filter
def provenance_short(pricing):
    """A short tag: price list / entered / locked price / kept as given / computed."""
    if not isinstance(pricing, dict) or not pricing:
        return ""
    if pricing.get("decision") == "skipped":
        return "kept as given"
    source = pricing.get("price_source", "")
    return SOURCE_TAGS.get(source, "computed" if pricing.get("decision") else source)


@register.simple_tag
def form_field(field, hide_label=False, wide=False):
    """templates/includes/field.html written in Python, for the lines table's forms (a record
    page renders a dozen of them; the include was most of their cost). The same HTML, tested
    against the include in tests/orders/views/test_widgets.py."""
    auto_id = conditional_escape(field.auto_id)
    label = conditional_escape(field.label)
    errors = field.errors
    checkbox = (
        field.field.widget.input_type == "checkbox"
        if hasattr(field.field.widget, "input_type")
        else False
    )
    classes = "field" + (" has-error" if errors else "") + (" checkbox" if checkbox else "")
    classes += " wide" if wide else ""
    if checkbox:
        body = f'{field} <label for="{auto_id}">{label}</label>\n  '
    else:
        sr = ' class="sr-only"' if hide_label else ""
        required = ' <span class="req" aria-hidden="true">*</span>' if field.field.required else ""
        body = f'<label for="{auto_id}"{sr}>{label}{required}</label>\n  {field}'
    help_text = (
        f'<small id="{auto_id}_help" class="help">{conditional_escape(field.help_text)}</small>'
        if field.help_text
        else ""
    )
    error = (
        f'<p id="{auto_id}_error" class="field-error">'
        f"{conditional_escape(' '.join(str(e) for e in errors))}</p>"
        if errors
        else ""
    )
    return mark_safe(  # noqa: S308  # nosec B308 B703 — every value above is escaped
        f'\n<div class="{classes}">\n  {body}\n  {help_text}\n  {error}\n</div>\n'
    )
