"""The four document kinds as the pages address them, and lazy access to the domain.

The domain modules (services, selectors) are imported when a page needs them, so the catalog
and list pages keep working while a module is being written.
"""

import importlib

from django.urls import converters, register_converter

from orders import lifecycle
from orders.models import DOCUMENT_MODELS, LINE_MODELS

# URL segment of each kind (SPEC §8: /opportunities/, /quotes/, /orders/, /invoices/).
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


def document_model(kind: str):
    return DOCUMENT_MODELS[kind]


def line_model(kind: str):
    return LINE_MODELS[kind]


def selectors():
    return importlib.import_module("orders.selectors")


def document_services():
    return importlib.import_module("orders.services.documents")


def transition_services():
    return importlib.import_module("orders.services.transitions")


def kind_context(kind: str) -> dict:
    singular, plural = TITLES[kind]
    return {"kind": kind, "kind_title": singular, "kind_plural": plural}
