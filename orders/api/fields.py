"""Serializer fields shared by the API: decimals as strings, trimmed to a readable scale; numbers
written with the digits 0–9 only."""

from decimal import Decimal

from rest_framework import serializers

from orders.numbers import NOT_ASCII_DIGITS, is_written_in_ascii


class AsciiIntegerField(serializers.IntegerField):
    """DRF's integer, refusing the digits of other scripts (``int("١٢")`` is 12)."""

    default_error_messages = {"not_ascii": NOT_ASCII_DIGITS}

    def to_internal_value(self, data):
        if not is_written_in_ascii(data):
            self.fail("not_ascii")
        return super().to_internal_value(data)


class DecimalString(serializers.DecimalField):
    """A decimal rendered as a string with at least ``min_places`` decimals and no padding beyond.

    The database stores money with 4 decimals and prices with 10; integrators expect ``"10.00"``,
    not ``"10.0000000000"``. Significant digits are never dropped (a price the back office sent
    with 4 decimals comes back with 4).
    """

    default_error_messages = {"not_ascii": NOT_ASCII_DIGITS}

    def __init__(self, *args, min_places: int = 2, **kwargs):
        self.min_places = min_places
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data):
        if not is_written_in_ascii(data):
            self.fail("not_ascii")
        return super().to_internal_value(data)

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
