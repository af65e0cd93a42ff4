"""The arithmetic of docs/rules.md#price-calculation: pure functions over Decimal, no ORM.

Each computed money value is rounded half-up to the currency's precision when it is assigned;
``price_per_unit`` to the organization's pricing precision.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
HUNDRED = Decimal("100")


def quantize(value: Decimal, places: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=rounding)


def decimal_places(value: Decimal) -> int:
    """How many decimals a value carries (trailing zeros ignored): 1.50 → 1, 2 → 0."""
    exponent = Decimal(value).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


# --- price per unit from a price list item -------------------------------------------------

CURRENCY_AMOUNT = "currency_amount"
PERCENT_OF_LIST = "percent_of_list"
MARKUP_CURRENT_COST = "markup_current_cost"
MARKUP_STANDARD_COST = "markup_standard_cost"
MARGIN_CURRENT_COST = "margin_current_cost"
MARGIN_STANDARD_COST = "margin_standard_cost"


def _round_to_multiple(value: Decimal, step: Decimal, policy: str) -> Decimal:
    ratio = value / step
    mode = {"up": ROUND_CEILING, "down": ROUND_FLOOR}.get(policy, ROUND_HALF_UP)
    return ratio.quantize(Decimal(1), rounding=mode) * step


def _round_to_ending(value: Decimal, ending: Decimal, policy: str) -> Decimal:
    """The price nearest ``value`` (by policy) whose last digits are ``ending``.

    The ending's magnitude picks the period: 0.99 → whole units (12.99, 13.99), 9 → tens
    (19, 29), 95 → hundreds (195, 295).
    """
    period = Decimal(1)
    while period <= ending:
        period *= 10
    # The highest candidate ≤ value (floor division: Decimal's // truncates toward zero).
    below = ((value - ending) / period).to_integral_value(rounding=ROUND_FLOOR) * period + ending
    if below == value:
        return value
    above = below + period
    if policy == "up":
        return above
    if policy == "down":
        return below if below >= ZERO else ending
    return above if (above - value) <= (value - below) else below


def apply_rounding(value: Decimal, policy: str, option: str, amount: Decimal) -> Decimal:
    """Rounding of a percentage-based item: none, up, down, nearest; ends in / multiple of."""
    if policy == "none" or not amount:
        return value
    if option == "ends_in":
        return _round_to_ending(value, Decimal(amount), policy)
    return _round_to_multiple(value, Decimal(amount), policy)


@dataclass(frozen=True)
class ItemTerms:
    """What a price list item says, and the product values it may refer to."""

    pricing_method: str
    amount: Decimal = ZERO
    percentage: Decimal = ZERO
    rounding_policy: str = "none"
    rounding_option: str = "multiple_of"
    rounding_amount: Decimal = ZERO
    list_price: Decimal = ZERO
    current_cost: Decimal = ZERO
    standard_cost: Decimal = ZERO


def item_price(terms: ItemTerms, *, precision: int) -> Decimal:
    """Price per unit by the item's pricing method (docs/rules.md#catalog), rounded by its
    policy."""
    pct = Decimal(terms.percentage) / HUNDRED
    method = terms.pricing_method
    if method == CURRENCY_AMOUNT:
        return quantize(terms.amount, precision)
    if method == PERCENT_OF_LIST:
        raw = terms.list_price * pct
    elif method in (MARKUP_CURRENT_COST, MARKUP_STANDARD_COST):
        cost = terms.current_cost if method == MARKUP_CURRENT_COST else terms.standard_cost
        raw = cost * (1 + pct)
    elif method in (MARGIN_CURRENT_COST, MARGIN_STANDARD_COST):
        cost = terms.current_cost if method == MARGIN_CURRENT_COST else terms.standard_cost
        if pct >= 1:
            raise ValueError("A margin must be below 100%.")
        raw = cost + cost * pct / (1 - pct)
    else:
        raise ValueError(f"Unknown pricing method {method!r}")
    rounded = apply_rounding(
        raw, terms.rounding_policy, terms.rounding_option, terms.rounding_amount
    )
    return quantize(rounded, precision)


# --- volume discount ------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    from_quantity: Decimal
    to_quantity: Decimal
    value: Decimal


def volume_discount_per_unit(
    *,
    discount_type: str | None,
    bands: list[Band],
    quantity: Decimal,
    price_per_unit: Decimal,
    places: int,
) -> Decimal:
    """Discount per unit from the band that holds the quantity (both ends inclusive).

    Never more than the price itself: an amount band larger than the price gives the unit away
    rather than a negative amount.
    """
    if not discount_type:
        return quantize(ZERO, places)
    for band in bands:
        if band.from_quantity <= quantity <= band.to_quantity:
            if discount_type == "percentage":
                return quantize(price_per_unit * band.value / HUNDRED, places)
            return quantize(min(band.value, max(price_per_unit, ZERO)), places)
    return quantize(ZERO, places)


# --- line and header ------------------------------------------------------------------------


@dataclass(frozen=True)
class LineAmounts:
    base_amount: Decimal
    line_discount: Decimal
    extended_amount: Decimal


def line_discount(manual_discount_amount: Decimal, quantity: Decimal, method: str) -> Decimal:
    if method == "per_unit":
        return manual_discount_amount * quantity
    return manual_discount_amount


def line_amounts(
    *,
    price_per_unit: Decimal,
    volume_discount_amount: Decimal,
    quantity: Decimal,
    manual_discount_amount: Decimal,
    tax: Decimal,
    method: str,
    places: int,
) -> LineAmounts:
    """base = (price − volume discount) × quantity; extended = base − line discount + tax."""
    base = quantize((price_per_unit - volume_discount_amount) * quantity, places)
    discount = quantize(line_discount(manual_discount_amount, quantity, method), places)
    extended = quantize(base - discount + tax, places)
    return LineAmounts(base_amount=base, line_discount=discount, extended_amount=extended)


@dataclass(frozen=True)
class LineSums:
    """Σ over a document's lines, as one aggregate query returns them."""

    base_amount: Decimal = ZERO
    extended_amount: Decimal = ZERO
    tax: Decimal = ZERO


@dataclass(frozen=True)
class HeaderTotals:
    total_line_item_amount: Decimal
    total_line_item_discount_amount: Decimal
    total_discount_amount: Decimal
    total_amount_less_freight: Decimal
    total_tax: Decimal
    total_amount: Decimal

    def as_dict(self) -> dict[str, Decimal]:
        return dict(self.__dict__)


def header_totals(
    sums: LineSums,
    *,
    discount_percentage: Decimal,
    discount_amount: Decimal,
    freight_amount: Decimal,
    places: int,
) -> HeaderTotals:
    """The header formulas of docs/rules.md#price-calculation, from the sums of the lines.

    Σ(extended − tax) = Σ base − Σ line discounts, so the line discounts are Σ base minus that;
    this holds for both discount methods and for lines kept as given.
    """
    line_items = quantize(sums.extended_amount - sums.tax, places)
    line_discounts = quantize(sums.base_amount - line_items, places)
    header_discount = quantize(discount_amount + discount_percentage / HUNDRED * line_items, places)
    less_freight = quantize(line_items - header_discount, places)
    total_tax = quantize(sums.tax, places)
    return HeaderTotals(
        total_line_item_amount=line_items,
        total_line_item_discount_amount=line_discounts,
        total_discount_amount=quantize(header_discount + line_discounts, places),
        total_amount_less_freight=less_freight,
        total_tax=total_tax,
        total_amount=quantize(less_freight + freight_amount + total_tax, places),
    )
