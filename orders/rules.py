"""The read-only rule, the facts the skip table reads, and the checks on line input.

These are called from the model signals (so they hold at every door) and from the services.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.core.exceptions import ValidationError

from orders import lifecycle, numbers
from orders.pricing.engine import decimal_places, line_discount
from orders.pricing.policy import Facts
from settings_app.errors import ReadOnly, SwitchPosition

MAX_QUANTITY_DECIMALS = 5

# Services set this while they move a document through a transition (or re-price it): the
# read-only rule and the computed-field guard are for edits, not for the domain's own steps.
_system_write: ContextVar[bool] = ContextVar("sopsite_system_write", default=False)


@contextmanager
def system_write():
    token = _system_write.set(True)
    try:
        yield
    finally:
        _system_write.reset(token)


def in_system_write() -> bool:
    return _system_write.get()


def is_integration_user(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_integration_user", False))


def facts_for(document, actor, organization) -> Facts:
    return Facts(
        sop=organization.is_sop_integration_enabled,
        iu=is_integration_user(actor),
        sub=document.KIND == lifecycle.SALES_ORDER and document.state == "submitted",
    )


def can_edit(actor, document) -> bool:
    """docs/rules.md#read-only-rule: editable states only; an integration user may also change
    a submitted order."""
    if document.state in lifecycle.EDITABLE_STATES[document.KIND]:
        return True
    return (
        document.KIND == lifecycle.SALES_ORDER
        and document.state == "submitted"
        and is_integration_user(actor)
    )


def read_only_message(document) -> str:
    label = document._meta.verbose_name
    if document.KIND == lifecycle.SALES_ORDER and document.state == "submitted":
        return (
            f"This {label} was submitted to the back office and is read-only; "
            "only the back office's integration user can change it."
        )
    return f"This {label} is {document.get_state_display().lower()} and read-only."


def check_editable(actor, document) -> None:
    if not can_edit(actor, document):
        raise ReadOnly(read_only_message(document))


def _too_precise(value: Decimal | None, places: int) -> bool:
    return value is not None and decimal_places(value) > places


def validate_line_input(
    line, document, organization, *, has_price_list_item: bool, adding_write_in: bool
) -> None:
    """Bad line input is refused with field errors and nothing is saved."""
    errors: dict[str, str] = {}
    currency_places = document.currency.precision
    if line.quantity is None or line.quantity <= 0:
        errors["quantity"] = "The quantity must be greater than zero."
    elif line.quantity < numbers.SMALLEST_QUANTITY:
        errors["quantity"] = (
            f"The quantity must be at least {numbers.SMALLEST_QUANTITY} (a unit's smallest step)."
        )
    elif _too_precise(line.quantity, MAX_QUANTITY_DECIMALS):
        errors["quantity"] = f"The quantity allows at most {MAX_QUANTITY_DECIMALS} decimals."
    for name in ("manual_discount_amount", "tax"):
        value = getattr(line, name)
        label = line._meta.get_field(name).verbose_name
        if value is not None and value < 0:
            errors[name] = f"The {label} must not be negative."
        elif _too_precise(value, currency_places):
            errors[name] = f"The {label} allows at most {currency_places} decimals."
    entered_price = line.is_price_overridden or not line.product_id
    if entered_price:
        if line.price_per_unit is None or line.price_per_unit < 0:
            errors["price_per_unit"] = "The price per unit must not be negative."
        elif _too_precise(line.price_per_unit, organization.pricing_decimal_precision):
            errors["price_per_unit"] = (
                f"The price per unit allows at most {organization.pricing_decimal_precision} "
                "decimals."
            )
    if line.product_id and line.write_in_product:
        errors["write_in_product"] = "A line names either a catalog product or a write-in."
    if not line.product_id:
        if not line.write_in_product.strip():
            errors["product"] = "Choose a product or enter a write-in product."
        elif not organization.is_write_in_products_allowed:
            errors["write_in_product"] = "Write-in products are not allowed."
        elif adding_write_in and getattr(document, "is_price_locked", False):
            errors["write_in_product"] = (
                "Write-in products cannot be added while prices are locked."
            )
    else:
        if line.unit_id and line.unit.group_id != line.product.unit_group_id:
            errors["unit"] = "The unit must belong to the product's unit group."
        if organization.is_price_list_mandatory and organization.use_system_pricing:
            if not document.price_list_id:
                errors["product"] = "Choose a price list for the document before adding products."
            elif not has_price_list_item:
                errors["product"] = (
                    f"{line.product.name} in {line.unit} is not on the price list "
                    f"{document.price_list.name}."
                )
    if errors:
        raise ValidationError(errors)


def check_invoice_from_order(actor, invoice, organization) -> None:
    """An invoice for an order is Create Invoice's business: only while the switch is off —
    unless it is the back office's own invoice (its integration user invoices the orders it
    was sent)."""
    if organization.is_sop_integration_enabled and not is_integration_user(actor):
        raise SwitchPosition(
            "Invoices for orders come from the back office while the integration is on.",
            fields=["sales_order"],
        )


def validate_line_discount(line, method: str) -> None:
    """Checked after the amounts are known: the discount may not exceed the amount."""
    discount = line_discount(line.manual_discount_amount or 0, line.quantity, method)
    if discount and discount > line.base_amount:
        raise ValidationError(
            {"manual_discount_amount": "The discount cannot be larger than the line's amount."}
        )


def validate_line_amounts(line) -> None:
    """A line's amount (price × quantity) stays below the amount limit, so the document's
    totals always fit (``orders.numbers``)."""
    for value in (line.base_amount, line.extended_amount):
        if value is not None and abs(value) >= numbers.AMOUNT_LIMIT:
            raise ValidationError(
                {
                    "quantity": f"This line would come to {value:,.2f}: a line's amount must "
                    f"stay below {numbers.AMOUNT_LIMIT:,.2f}."
                }
            )


def validate_not_negative(instance, names: list[str]) -> None:
    """docs/rules.md#price-calculation: totals never go negative, also where the skip table
    keeps the values as given (the integration user's totals and line amounts)."""
    errors: dict[str, str] = {}
    for name in names:
        value = getattr(instance, name)
        if value is not None and value < 0:
            label = instance._meta.get_field(name).verbose_name
            errors[name] = f"The {label} must not be negative."
    if errors:
        raise ValidationError(errors)


def validate_header_discount(document, totals, touched: list[str]) -> None:
    """A header discount (amount and %) is never larger than the amount it discounts, the
    products' amount (``totals``: the header formulas over the lines), whoever sets it."""
    header_discount = totals.total_discount_amount - totals.total_line_item_discount_amount
    if touched and header_discount > totals.total_line_item_amount:
        places = document.currency.precision
        raise ValidationError(
            {
                touched[0]: (
                    f"The discount ({header_discount:,.{places}f}) cannot be larger than "
                    f"the amount of the products ({totals.total_line_item_amount:,.{places}f})."
                )
            }
        )


def validate_header_input(
    document, organization, *, has_lines: bool, currency_changed: bool
) -> None:
    errors: dict[str, str] = {}
    if has_lines and not document.price_list_id and organization.is_price_list_mandatory:
        errors["price_list"] = "A document with products needs a price list."
    places = document.currency.precision if document.currency_id else 4
    if document.discount_percentage is not None and not (0 <= document.discount_percentage <= 100):
        errors["discount_percentage"] = "The discount percentage must be between 0 and 100."
    for name in ("discount_amount", "freight_amount"):
        value = getattr(document, name)
        label = document._meta.get_field(name).verbose_name
        if value is not None and value < 0:
            errors[name] = f"The {label} must not be negative."
        elif _too_precise(value, places):
            errors[name] = f"The {label} allows at most {places} decimals."
    if document.price_list_id and document.currency_id != document.price_list.currency_id:
        errors["currency"] = (
            f"The currency must be the price list's ({document.price_list.currency.code})."
        )
    if currency_changed and has_lines:
        errors["currency"] = "The currency cannot change while the document has lines."
    if errors:
        raise ValidationError(errors)


def validate_kept_precision(
    instance, *, money_fields: list[str], price_places: int | None, money_places: int
) -> None:
    """Values kept as given (calculation skipped) still respect the precisions."""
    errors: dict[str, str] = {}
    if price_places is not None and _too_precise(
        getattr(instance, "price_per_unit", None), price_places
    ):
        errors["price_per_unit"] = f"The price per unit allows at most {price_places} decimals."
    for name in money_fields:
        if _too_precise(getattr(instance, name), money_places):
            label = instance._meta.get_field(name).verbose_name
            errors[name] = f"The {label} allows at most {money_places} decimals."
    if errors:
        raise ValidationError(errors)
