"""Serializer fields of the API: decimals and times in the forms of ``orders.representation``,
which the webhook payloads use too."""

from rest_framework import serializers

from orders import representation


class DecimalString(serializers.DecimalField):
    """A decimal rendered as a string with at least ``min_places`` decimals and no padding
    beyond (``representation.decimal_string``)."""

    def __init__(self, *args, min_places: int = 2, **kwargs):
        self.min_places = min_places
        super().__init__(*args, **kwargs)

    def to_representation(self, value):
        return representation.decimal_string(value, min_places=self.min_places)


class DateTimeString(serializers.DateTimeField):
    """A time as ISO 8601 in UTC with a "Z" (``representation.datetime_string``)."""

    def to_representation(self, value):
        return representation.datetime_string(value)
