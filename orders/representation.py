"""How a sales document is written for the world outside: the fields each kind shows, and the
form each value takes. Money is a string with at least two decimals ("10.00"), a quantity a
string without padding ("2.5"), a time ISO 8601 in UTC with a "Z", a reference the id it
points at.

Both doors that hand documents out build on these definitions: the REST API
(``orders.api.serializers``) and the webhook payloads (``orders.integration.payloads``). So a
field has one name and one format at both. The payloads are pinned by JSON Schemas
(docs/schemas/webhooks/), so a change here that reaches a payload fails their test until the
schema and its ``schema_version`` change with it; a field the API alone adds stays out of the
webhooks.
"""

from datetime import UTC, datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from orders import lifecycle

HEADER_FIELDS = (
    "id",
    "number",
    "name",
    "account",
    "price_list",
    "currency",
    "owner",
    "state",
    "status_reason",
    "state_code",
    "status_code",
    "discount_percentage",
    "discount_amount",
    "freight_amount",
    "total_line_item_amount",
    "total_line_item_discount_amount",
    "total_discount_amount",
    "total_amount_less_freight",
    "total_tax",
    "total_amount",
    "pricing",
    "version",
    "created_on",
    "modified_on",
)
ORDER_FIELDS = (
    "quote",
    "opportunity",
    "is_price_locked",
    "submitted_on",
    "submitted_by",
    "last_back_office_submit",
    "submit_status",
    "submit_status_description",
    "external_reference",
)
KIND_FIELDS = {
    lifecycle.OPPORTUNITY: (),
    lifecycle.QUOTE: ("opportunity", "revision_number"),
    lifecycle.SALES_ORDER: ORDER_FIELDS,
    lifecycle.INVOICE: ("sales_order", "is_price_locked"),
}
LINE_FIELDS = (
    "id",
    "line_number",
    "product",
    "write_in_product",
    "unit",
    "quantity",
    "price_per_unit",
    "is_price_overridden",
    "volume_discount_amount",
    "base_amount",
    "manual_discount_amount",
    "tax",
    "extended_amount",
    "pricing",
)


def document_fields(kind: str) -> tuple[str, ...]:
    """The header fields of a document of ``kind`` (its lines are ``LINE_FIELDS``)."""
    return HEADER_FIELDS + KIND_FIELDS[kind]


def min_places(field_name: str) -> int:
    """Decimals always shown: quantities none, money and prices two."""
    return 0 if "quantity" in field_name else 2


def decimal_string(value, *, min_places: int = 2) -> str | None:
    """A decimal as a string with at least ``min_places`` decimals and no padding beyond.

    The database stores money with 4 decimals and prices with 10; integrators expect "10.00",
    not "10.0000000000". Significant digits are never dropped (a price the back office sent
    with 4 decimals comes back with 4).
    """
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and -exponent < min_places:
        normalized = value.quantize(Decimal(1).scaleb(-min_places))
    return format(normalized, "f")


def datetime_string(value: datetime | str | None) -> str | None:
    """ISO 8601 in UTC with a "Z" and the microseconds the database keeps."""
    if value is None or isinstance(value, str):
        return value
    text = value.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def value_of(instance: models.Model, name: str):
    """One field of a model instance as JSON: a reference as its id, decimals and times as
    strings, a property (``state_code``) as it is."""
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        return getattr(instance, name)
    if field.is_relation:
        return getattr(instance, field.attname)
    value = getattr(instance, name)
    if isinstance(field, models.DecimalField):
        return decimal_string(value, min_places=min_places(name))
    if isinstance(field, models.DateTimeField):
        return datetime_string(value)
    if isinstance(field, models.DateField):
        return value.isoformat() if value is not None else None
    return value
