"""Serializers of the REST API (docs/api.md): thin translations between JSON and the models.

They validate the shape of the input (types, lengths, references that exist) and nothing else:
every business rule (read-only documents, computed fields, the skip table, the switch) is the
domain's, reached through ``orders.services``.
"""

import json
from collections.abc import Mapping

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import PKOnlyObject

from orders import lifecycle, representation
from orders.api.fields import AsciiIntegerField, DateTimeString, DecimalString, PricingField
from orders.models import (
    HEADER_TOTALS,
    Account,
    BoundedDecimalField,
    Currency,
    DiscountBand,
    DiscountList,
    Invoice,
    InvoiceLine,
    Opportunity,
    OpportunityLine,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    QuoteLine,
    SalesOrder,
    SalesOrderLine,
    Unit,
    UnitGroup,
)
from orders.selectors import documents_for, totals_difference
from settings_app.models import Organization


class ApiModelSerializer(serializers.ModelSerializer):
    """Decimals and times in the forms of ``orders.representation`` (``"10.00"``; quantities
    without padding; UTC with a "Z"); numbers in digits 0–9; a read-only field sent with a value
    other than the stored one is refused (400)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        **{
            model_field: AsciiIntegerField
            for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
            if field is serializers.IntegerField
        },
        models.DecimalField: DecimalString,
        models.DateTimeField: DateTimeString,
    }

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_class is DecimalString:
            kwargs["min_places"] = representation.min_places(field_name)
            if isinstance(model_field, BoundedDecimalField):
                # the limit is the field's bound (in its validators), said in words
                kwargs["max_digits"] = kwargs["decimal_places"] = None
        return field_class, kwargs

    def to_internal_value(self, data):
        if self.instance is not None and isinstance(data, Mapping):
            self.refuse_read_only_changes(data)
        return super().to_internal_value(data)

    def refuse_read_only_changes(self, data) -> None:
        """Name every read-only field sent with another value than the stored one: a client
        that echoes a record back as it read it changes nothing and is not refused."""
        refused = {
            name: ["This field is read-only and cannot be changed."]
            for name, field in self.fields.items()
            if field.read_only
            and name in data
            and _as_json(data[name]) != _as_json(_stored(field, self.instance))
        }
        if refused:
            raise serializers.ValidationError(refused)


def _stored(field, instance):
    """The field's value as GET shows it (None stays None, as in ``to_representation``)."""
    attribute = field.get_attribute(instance)
    check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
    return None if check is None else field.to_representation(attribute)


def _as_json(value):
    """A value as it travels in JSON, so a stored value and the one a client echoes compare."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


# --- organization -------------------------------------------------------------------------


class OrganizationSerializer(ApiModelSerializer):
    class Meta:
        model = Organization
        fields = [
            "name",
            "is_sop_integration_enabled",
            "use_system_pricing",
            "pricing_decimal_precision",
            "discount_calculation_method",
            "is_price_list_mandatory",
            "is_write_in_products_allowed",
            "modified_on",
        ]
        read_only_fields = ["name", "modified_on"]
        extra_kwargs = {"pricing_decimal_precision": {"min_value": 0, "max_value": 10}}


# --- catalog ------------------------------------------------------------------------------


class CurrencySerializer(ApiModelSerializer):
    class Meta:
        model = Currency
        fields = ["id", "code", "name", "symbol", "precision"]


class UnitGroupSerializer(ApiModelSerializer):
    class Meta:
        model = UnitGroup
        fields = ["id", "name", "base_unit_name"]


class UnitSerializer(ApiModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "group", "name", "quantity"]


class ProductSerializer(ApiModelSerializer):
    class Meta:
        model = Product
        fields = [
            "id",
            "number",
            "name",
            "description",
            "unit_group",
            "default_unit",
            "list_price",
            "current_cost",
            "standard_cost",
            "status",
        ]


class PriceListItemSerializer(ApiModelSerializer):
    class Meta:
        model = PriceListItem
        fields = [
            "id",
            "price_list",
            "product",
            "unit",
            "pricing_method",
            "amount",
            "percentage",
            "rounding_policy",
            "rounding_option",
            "rounding_amount",
            "discount_list",
        ]
        read_only_fields = ["price_list"]


class RepricedDocumentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["salesorder", "invoice"])
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    name = serializers.CharField()
    total_amount_before = DecimalString(
        source="total_before", max_digits=None, decimal_places=None, read_only=True
    )
    total_amount_after = DecimalString(
        source="total_after", max_digits=None, decimal_places=None, read_only=True
    )


class RepriceImpactSerializer(serializers.Serializer):
    """What saving a price list item would re-price (docs/api.md#catalog-changes)."""

    count = serializers.IntegerField(help_text="How many open, unlocked documents re-price.")
    total_change = DecimalString(
        max_digits=None,
        decimal_places=None,
        read_only=True,
        help_text="The sum of the changes of their totals.",
    )
    currency = serializers.CharField(help_text="The price list's currency code.")
    summary = serializers.CharField(help_text="The same in words, as the pages say it.")
    documents = RepricedDocumentSerializer(many=True)


class PriceListSerializer(ApiModelSerializer):
    items = PriceListItemSerializer(many=True, read_only=True)

    class Meta:
        model = PriceList
        fields = ["id", "name", "currency", "valid_from", "valid_to", "items"]


class DiscountBandSerializer(ApiModelSerializer):
    class Meta:
        model = DiscountBand
        fields = ["id", "discount_list", "from_quantity", "to_quantity", "value"]
        read_only_fields = ["discount_list"]


class DiscountListSerializer(ApiModelSerializer):
    bands = DiscountBandSerializer(many=True, read_only=True)

    class Meta:
        model = DiscountList
        fields = ["id", "name", "type", "currency", "bands"]


class AccountSerializer(ApiModelSerializer):
    class Meta:
        model = Account
        fields = [
            "id",
            "number",
            "name",
            "bill_to_address",
            "ship_to_address",
            "default_price_list",
        ]


# --- documents and lines ------------------------------------------------------------------


class LineSerializer(ApiModelSerializer):
    """A product line. Computed amounts are accepted as input and handed to the domain, which
    keeps them where the skip table skips calculation and refuses them (409) elsewhere."""

    pricing = PricingField(read_only=True)

    class Meta:
        fields = list(representation.LINE_FIELDS)
        read_only_fields = ["id", "line_number", "pricing"]
        extra_kwargs = {
            "product": {"required": False},
            "quantity": {"required": False},
        }


class OpportunityLineSerializer(LineSerializer):
    class Meta(LineSerializer.Meta):
        model = OpportunityLine


class QuoteLineSerializer(LineSerializer):
    class Meta(LineSerializer.Meta):
        model = QuoteLine


class SalesOrderLineSerializer(LineSerializer):
    class Meta(LineSerializer.Meta):
        model = SalesOrderLine


class InvoiceLineSerializer(LineSerializer):
    class Meta(LineSerializer.Meta):
        model = InvoiceLine


HEADER_READ_ONLY = [
    "id",
    "number",
    "state",
    "status_reason",
    "pricing",
    "version",
    "created_on",
    "modified_on",
]


class TotalsMatchMixin(serializers.Serializer):
    """``totals_match``: whether the stored totals are the ones the lines make. They can differ
    only where the skip table kept amounts as given (the back office's own figures)."""

    totals_match = serializers.SerializerMethodField(
        help_text="Whether the stored totals equal what the lines add up to (with the header's "
        "discount and freight); false only where calculation was skipped and the figures were "
        "kept as given."
    )

    @extend_schema_field(serializers.BooleanField(read_only=True))
    def get_totals_match(self, document) -> bool:
        return not totals_difference(document)


class DocumentSerializer(TotalsMatchMixin, ApiModelSerializer):
    """A document header as listed (no lines). ``owner`` defaults to the acting user."""

    state_code = serializers.IntegerField(read_only=True)
    status_code = serializers.IntegerField(read_only=True, allow_null=True)
    pricing = PricingField(read_only=True)

    # A document may refer only to the documents its user may see (a reference to any other
    # is "does not exist", as a GET of it would be 404).
    RELATED_DOCUMENTS = {
        "opportunity": lifecycle.OPPORTUNITY,
        "quote": lifecycle.QUOTE,
        "sales_order": lifecycle.SALES_ORDER,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:
            return
        for name, kind in self.RELATED_DOCUMENTS.items():
            field = self.fields.get(name)
            if field is not None and not field.read_only:
                field.queryset = documents_for(request.user, kind)

    class Meta:
        fields = [*representation.HEADER_FIELDS, "totals_match"]
        read_only_fields = HEADER_READ_ONLY
        extra_kwargs = {"owner": {"required": False}, "currency": {"required": True}}


class OpportunitySerializer(DocumentSerializer):
    class Meta(DocumentSerializer.Meta):
        model = Opportunity


class QuoteSerializer(DocumentSerializer):
    class Meta(DocumentSerializer.Meta):
        model = Quote
        fields = [*representation.document_fields(lifecycle.QUOTE), "totals_match"]
        read_only_fields = [*HEADER_READ_ONLY, "revision_number"]


class SalesOrderSerializer(DocumentSerializer):
    class Meta(DocumentSerializer.Meta):
        model = SalesOrder
        fields = [*representation.document_fields(lifecycle.SALES_ORDER), "totals_match"]
        read_only_fields = [*HEADER_READ_ONLY, "is_price_locked", "submitted_on", "submitted_by"]


class InvoiceSerializer(DocumentSerializer):
    class Meta(DocumentSerializer.Meta):
        model = Invoice
        fields = [*representation.document_fields(lifecycle.INVOICE), "totals_match"]
        read_only_fields = [*HEADER_READ_ONLY, "is_price_locked"]


def _detail(header: type[DocumentSerializer], line: type[LineSerializer]):
    class Detail(header):
        lines = line(many=True, read_only=True)

        class Meta(header.Meta):
            fields = [*header.Meta.fields, "lines"]

    Detail.__name__ = Detail.__qualname__ = f"{header.Meta.model.__name__}DetailSerializer"
    return Detail


SERIALIZERS: dict[str, type[DocumentSerializer]] = {
    lifecycle.OPPORTUNITY: OpportunitySerializer,
    lifecycle.QUOTE: QuoteSerializer,
    lifecycle.SALES_ORDER: SalesOrderSerializer,
    lifecycle.INVOICE: InvoiceSerializer,
}
LINE_SERIALIZERS: dict[str, type[LineSerializer]] = {
    lifecycle.OPPORTUNITY: OpportunityLineSerializer,
    lifecycle.QUOTE: QuoteLineSerializer,
    lifecycle.SALES_ORDER: SalesOrderLineSerializer,
    lifecycle.INVOICE: InvoiceLineSerializer,
}
DETAIL_SERIALIZERS: dict[str, type[DocumentSerializer]] = {
    kind: _detail(SERIALIZERS[kind], LINE_SERIALIZERS[kind]) for kind in lifecycle.KINDS
}


# --- what a line write answers: the line, and its document's totals and version ------------


def _totals(kind: str):
    class Totals(TotalsMatchMixin, ApiModelSerializer):
        class Meta:
            model = SERIALIZERS[kind].Meta.model
            fields = ["id", "version", *HEADER_TOTALS, "totals_match"]
            read_only_fields = fields

    Totals.__name__ = Totals.__qualname__ = f"{Totals.Meta.model.__name__}TotalsSerializer"
    return Totals


DOCUMENT_TOTALS_SERIALIZERS = {kind: _totals(kind) for kind in lifecycle.KINDS}


def _line_written(kind: str):
    class LineWritten(LINE_SERIALIZERS[kind]):
        document = DOCUMENT_TOTALS_SERIALIZERS[kind](
            read_only=True, help_text="The document after the write: its totals and version."
        )

        class Meta(LINE_SERIALIZERS[kind].Meta):
            fields = [*LINE_SERIALIZERS[kind].Meta.fields, "document"]

    name = f"{LINE_SERIALIZERS[kind].Meta.model.__name__}WrittenSerializer"
    LineWritten.__name__ = LineWritten.__qualname__ = name
    return LineWritten


def _line_removed(kind: str):
    class LineRemoved(serializers.Serializer):
        id = serializers.IntegerField(read_only=True, help_text="The removed line's id.")
        line_number = serializers.IntegerField(read_only=True)
        document = DOCUMENT_TOTALS_SERIALIZERS[kind](
            read_only=True, help_text="The document after the removal: its totals and version."
        )

    name = f"{LINE_SERIALIZERS[kind].Meta.model.__name__}RemovedSerializer"
    LineRemoved.__name__ = LineRemoved.__qualname__ = name
    return LineRemoved


LINE_WRITTEN_SERIALIZERS = {kind: _line_written(kind) for kind in lifecycle.KINDS}
LINE_REMOVED_SERIALIZERS = {kind: _line_removed(kind) for kind in lifecycle.KINDS}


# --- action inputs ------------------------------------------------------------------------


def status_reasons(kind: str, state: str) -> list[str]:
    return list(lifecycle.LIFECYCLE[kind][state][1])


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RecalculationOutcome(serializers.Serializer):
    """What Recalculate did: the skip table may leave a document's amounts as they are."""

    ran = serializers.BooleanField(help_text="The amounts and totals were recalculated.")
    skipped_because = serializers.CharField(
        allow_blank=True,
        help_text="Why nothing was recalculated, in words (empty when it ran): the skip "
        "table's rule, or system pricing being off.",
    )


_RECALCULATED: dict[str, type[serializers.Serializer]] = {}


def recalculated_serializer(kind: str) -> type[serializers.Serializer]:
    """The document as Recalculate answers it: the detail, and ``recalculation``."""
    if kind not in _RECALCULATED:
        detail = DETAIL_SERIALIZERS[kind]
        _RECALCULATED[kind] = type(
            detail.__name__.replace("Serializer", "") + "Recalculated",
            (detail,),
            {
                "recalculation": RecalculationOutcome(read_only=True),
                "Meta": type(
                    "Meta", (detail.Meta,), {"fields": [*detail.Meta.fields, "recalculation"]}
                ),
            },
        )
    return _RECALCULATED[kind]


class RequestChangeInput(serializers.Serializer):
    note = serializers.CharField(
        max_length=2000, help_text="What should change on the submitted order, in words."
    )


class DeclineChangeInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text="Why the back office keeps the order as it is."
    )


class CreateInvoiceInput(serializers.Serializer):
    confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Create it even though the order has an invoice that is not canceled "
        "(without it, that is a 409 `invoice_exists` naming the invoice).",
    )
