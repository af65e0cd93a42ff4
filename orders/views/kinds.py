"""The four document kinds as the pages address them."""

from django.urls import converters, register_converter

from orders import lifecycle

# URL segment of each kind (docs/pages.md#who-sees-what: /opportunities/, /quotes/, /orders/,
# /invoices/).
SEGMENTS = {
    lifecycle.OPPORTUNITY: "opportunities",
    lifecycle.QUOTE: "quotes",
    lifecycle.SALES_ORDER: "orders",
    lifecycle.INVOICE: "invoices",
}
KIND_FOR_SEGMENT = {segment: kind for kind, segment in SEGMENTS.items()}

TITLES = {
    lifecycle.OPPORTUNITY: ("Opportunity", "Opportunities"),
    lifecycle.QUOTE: ("Quote", "Quotes"),
    lifecycle.SALES_ORDER: ("Sales order", "Sales orders"),
    lifecycle.INVOICE: ("Invoice", "Invoices"),
}


class KindConverter(converters.StringConverter):
    """``<kind:kind>`` matches a URL segment and hands the view the document kind."""

    regex = "|".join(SEGMENTS.values())

    def to_python(self, value: str) -> str:
        return KIND_FOR_SEGMENT[value]

    def to_url(self, value: str) -> str:
        return SEGMENTS.get(value, value)


register_converter(KindConverter, "kind")


def kind_context(kind: str) -> dict:
    singular, plural = TITLES[kind]
    return {"kind": kind, "kind_title": singular, "kind_plural": plural}
