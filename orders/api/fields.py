"""Serializer fields of the API: decimals and times in the forms of ``orders.representation``,
which the webhook payloads use too; numbers written with the digits 0–9 only."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders import representation
from orders.numbers import NOT_ASCII_DIGITS, is_written_in_ascii


class AsciiIntegerField(serializers.IntegerField):
    """DRF's integer, refusing the digits of other scripts (``int("١٢")`` is 12)."""

    default_error_messages = {"not_ascii": NOT_ASCII_DIGITS}

    def to_internal_value(self, data):
        if not is_written_in_ascii(data):
            self.fail("not_ascii")
        return super().to_internal_value(data)


class DecimalString(serializers.DecimalField):
    """A decimal rendered as a string with at least ``min_places`` decimals and no padding
    beyond (``representation.decimal_string``)."""

    default_error_messages = {"not_ascii": NOT_ASCII_DIGITS}

    def __init__(self, *args, min_places: int = 2, **kwargs):
        self.min_places = min_places
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data):
        if not is_written_in_ascii(data):
            self.fail("not_ascii")
        return super().to_internal_value(data)

    def to_representation(self, value):
        return representation.decimal_string(value, min_places=self.min_places)


class DateTimeString(serializers.DateTimeField):
    """A time as ISO 8601 in UTC with a "Z" (``representation.datetime_string``)."""

    def to_representation(self, value):
        return representation.datetime_string(value)


PRICING_DECISIONS = ["computed", "skipped"]


class PricingSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=PRICING_DECISIONS,
        required=False,
        help_text="Whether the amounts were computed by the system or kept as given.",
    )
    rule = serializers.CharField(required=False, help_text="The skip-table row that decided.")
    reason = serializers.CharField(required=False, help_text="Why, in words.")
    copied_from = serializers.CharField(
        required=False, help_text="The number of the document the amounts were copied from."
    )


@extend_schema_field(PricingSerializer)
class PricingField(serializers.JSONField):
    """Provenance of the computed values; read-only (more keys may appear)."""
