"""Numbers are written with the digits 0–9, at every door that parses one from text.

Python's ``Decimal`` and ``int`` read the digits of every script (``Decimal("١٢")`` is 12,
and so are the fullwidth ``"１２"``): a quantity or an amount typed that way would be taken
silently. The API's fields and the page forms refuse it with this message instead.

The limits of amounts, quantities and percentages are here too, with their messages: every
door (the model fields, the page forms, the API's fields, the admin, spreadsheet imports)
checks a number with the same ``Bounded`` validator.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

NOT_ASCII_DIGITS = "Write numbers with the digits 0–9."


def is_written_in_ascii(value) -> bool:
    """False for text with any character outside ASCII (surrounding spaces aside)."""
    return not isinstance(value, str) or value.strip().isascii()


# --- limits --------------------------------------------------------------------------------
# The same limits at every door, with the same messages (docs/decisions.md, "Amount limits").
# Money columns hold 15 digits before the point; an amount people enter (a price, a discount,
# tax, freight, a cost) stays below 10 digits, so a document's totals — sums of lines — always
# fit. Quantities have the 10 digits before the point their columns hold; a line's amount
# (price × quantity) must stay below the amount limit too (orders.rules). Percentages have the
# 5 digits of theirs.

AMOUNT_LIMIT = Decimal("10000000000")
QUANTITY_LIMIT = Decimal("10000000000")
PERCENT_LIMIT = Decimal("100000")
SMALLEST_QUANTITY = Decimal("0.00001")


@deconstructible
class Bounded:
    """A decimal below ``limit`` (in size) with at most ``places`` decimals, refused in
    words people read ("Enter an amount below 10,000,000,000.00") instead of Django's and DRF's
    "Ensure that there are no more than 15 digits in total"."""

    def __init__(
        self, noun: str, limit: Decimal, places: int, shown_places: int = 0, smallest=None
    ):
        self.noun, self.limit, self.places, self.shown_places = noun, limit, places, shown_places
        self.smallest = smallest

    def __eq__(self, other):
        return isinstance(other, Bounded) and (
            self.noun,
            self.limit,
            self.places,
            self.shown_places,
            self.smallest,
        ) == (other.noun, other.limit, other.places, other.shown_places, other.smallest)

    @property
    def message(self) -> str:
        return f"Enter {self.noun} below {self.limit:,.{self.shown_places}f}."

    def __call__(self, value) -> None:
        if value is None:
            return
        value = Decimal(value)
        if not value.is_finite():
            raise ValidationError("Enter a number.")
        if abs(value) >= self.limit:
            if value < 0:
                raise ValidationError(
                    f"Enter {self.noun} above -{self.limit:,.{self.shown_places}f}.",
                    code="invalid",
                )
            raise ValidationError(self.message)
        if self.smallest and 0 < abs(value) < self.smallest:
            raise ValidationError(
                f"Enter {self.noun} of at least {self.smallest} (a unit's smallest step)."
            )
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.places:
            raise ValidationError(f"Enter {self.noun} with at most {self.places} decimals.")


AMOUNT = Bounded("an amount", AMOUNT_LIMIT, 4, 2)
# a document's totals (sums of lines), as the back office may write them: the column's digits
TOTAL = Bounded("a total", Decimal("1000000000000000"), 4, 2)
PRICE = Bounded("a price", AMOUNT_LIMIT, 10, 2)
QUANTITY = Bounded("a quantity", QUANTITY_LIMIT, 5, smallest=SMALLEST_QUANTITY)
PERCENT = Bounded("a percentage", PERCENT_LIMIT, 4)
