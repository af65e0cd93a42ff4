"""Serializer fields shared by the API: decimals as strings, trimmed to a readable scale."""

from decimal import Decimal

from rest_framework import serializers


class DecimalString(serializers.DecimalField):
    """A decimal rendered as a string with at least ``min_places`` decimals and no padding beyond.

    The database stores money with 4 decimals and prices with 10; integrators expect ``"10.00"``,
    not ``"10.0000000000"``. Significant digits are never dropped (a price the back office sent
    with 4 decimals comes back with 4).
    """

    def __init__(self, *args, min_places: int = 2, **kwargs):
        self.min_places = min_places
        super().__init__(*args, **kwargs)

    def to_representation(self, value):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(str(value))
        normalized = value.normalize()
        exponent = normalized.as_tuple().exponent
        if isinstance(exponent, int) and -exponent < self.min_places:
            normalized = value.quantize(Decimal(1).scaleb(-self.min_places))
        return format(normalized, "f")
