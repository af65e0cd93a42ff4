"""The Django admin for every orders model.

The rules live in the domain (model signals and services), so the admin obeys them by saving
through the models. What the admin adds: it shows a record that the read-only rule protects
as read-only, shows computed fields read-only, and turns a refused save (a ``DomainError``
raised by a signal) into an error message on the page instead of a 500 — the whole save is
rolled back, nothing half-written.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models as django_models
from django.http import HttpResponseRedirect
from import_export.admin import ImportExportModelAdmin

from orders import models, spreadsheets
from orders.models import HEADER_TOTALS, LINE_COMPUTED
from orders.rules import can_edit
from orders.services import transitions
from orders.templatetags.sop import money, provenance, provenance_short
from settings_app.errors import DomainError


class DomainErrorsMixin:
    """Refused by the domain → the admin's transaction rolls back and the user reads why."""

    def _refused(self, request, error):
        message = error.message if isinstance(error, DomainError) else " ".join(error.messages)
        self.message_user(request, f"Not saved: {message}", messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (DomainError, ValidationError) as error:
            return self._refused(request, error)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            return self._refused(request, error)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except DomainError as error:
            return self._refused(request, error)


def money_display(name: str, label: str, *, through: str = ""):
    """A column or read-only field showing a money field at its currency's precision (the
    database keeps four decimals; people read the currency's)."""

    @admin.display(description=label, ordering=name)
    def show(self, obj):
        document = getattr(obj, through) if through else obj
        return money(getattr(obj, name), document.currency.precision)

    show.__name__ = f"{name}_money"
    return show


@admin.display(description="Owner", ordering="owner__last_name")
def owner_name(obj):
    return obj.owner.get_full_name() or obj.owner.get_username()


# --- catalog --------------------------------------------------------------------------------


@admin.register(models.Currency)
class CurrencyAdmin(DomainErrorsMixin, admin.ModelAdmin):
    list_display = ["code", "name", "symbol", "precision"]
    search_fields = ["code", "name"]


class UnitInline(admin.TabularInline):
    model = models.Unit
    extra = 0


@admin.register(models.UnitGroup)
class UnitGroupAdmin(DomainErrorsMixin, admin.ModelAdmin):
    list_display = ["name", "base_unit_name"]
    search_fields = ["name"]
    inlines = [UnitInline]


@admin.register(models.Unit)
class UnitAdmin(DomainErrorsMixin, admin.ModelAdmin):
    list_display = ["name", "group", "quantity"]
    list_filter = ["group"]
    list_select_related = ["group"]
    search_fields = ["name", "group__name"]


@admin.register(models.Product)
class ProductAdmin(ImportExportModelAdmin, DomainErrorsMixin, admin.ModelAdmin):
    resource_classes = [spreadsheets.ProductResource]
    list_display = ["number", "name", "unit_group", "default_unit", "list_price", "status"]
    list_filter = ["status", "unit_group"]
    list_select_related = ["unit_group", "default_unit"]
    search_fields = ["number", "name"]


class DiscountBandInline(admin.TabularInline):
    model = models.DiscountBand
    extra = 0


@admin.register(models.DiscountList)
class DiscountListAdmin(DomainErrorsMixin, admin.ModelAdmin):
    list_display = ["name", "type", "currency"]
    list_filter = ["type"]
    list_select_related = ["currency"]
    search_fields = ["name"]
    inlines = [DiscountBandInline]


@admin.register(models.DiscountBand)
class DiscountBandAdmin(DomainErrorsMixin, admin.ModelAdmin):
    list_display = ["discount_list", "from_quantity", "to_quantity", "value"]
    list_filter = ["discount_list"]
    list_select_related = ["discount_list"]


class PriceListItemInline(admin.TabularInline):
    model = models.PriceListItem
    extra = 0
    autocomplete_fields = ["product"]
    fields = [
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


@admin.register(models.PriceList)
class PriceListAdmin(DomainErrorsMixin, admin.ModelAdmin):
    list_display = ["name", "currency", "valid_from", "valid_to"]
    list_filter = ["currency"]
    list_select_related = ["currency"]
    search_fields = ["name"]
    inlines = [PriceListItemInline]


@admin.register(models.PriceListItem)
class PriceListItemAdmin(ImportExportModelAdmin, DomainErrorsMixin, admin.ModelAdmin):
    resource_classes = [spreadsheets.PriceListItemResource]
    list_display = ["price_list", "product", "unit", "pricing_method", "amount", "percentage"]
    list_filter = ["price_list", "pricing_method", "rounding_policy"]
    list_select_related = ["price_list", "product", "unit"]
    search_fields = ["product__number", "product__name", "price_list__name"]
    autocomplete_fields = ["product"]

    def import_action(self, request, **kwargs):
        """The preview says first when the import would re-price open documents."""
        response = super().import_action(request, **kwargs)
        result = (getattr(response, "context_data", None) or {}).get("result")
        if result is not None and not result.has_errors() and not result.has_validation_errors():
            count = spreadsheets.repriced_by_import(result)
            if count:
                self.message_user(
                    request,
                    f"Confirming this import re-prices {count} open order"
                    f"{'s' if count != 1 else ''} and invoices carrying these products "
                    "(those not locked).",
                    messages.WARNING,
                )
        return response


@admin.register(models.Account)
class AccountAdmin(DomainErrorsMixin, admin.ModelAdmin):
    list_display = ["number", "name", "default_price_list"]
    list_select_related = ["default_price_list"]
    search_fields = ["number", "name"]


# --- documents ------------------------------------------------------------------------------


class LineInline(admin.TabularInline):
    extra = 0
    autocomplete_fields = ["product"]
    fields = [
        "line_number",
        "product",
        "write_in_product",
        "unit",
        "quantity",
        "price_per_unit",
        "is_price_overridden",
        "volume_discount_amount_money",
        "base_amount_money",
        "manual_discount_amount",
        "tax",
        "extended_amount_money",
        "price_provenance",
    ]
    readonly_fields = [
        "line_number",
        *(f"{name}_money" for name in LINE_COMPUTED),
        "price_provenance",
    ]
    # Narrow number boxes keep the whole line on the screen.
    formfield_overrides = {
        django_models.DecimalField: {"widget": forms.TextInput(attrs={"size": "9"})},
        django_models.CharField: {"widget": forms.TextInput(attrs={"size": "16"})},
    }

    volume_discount_amount_money = money_display(
        "volume_discount_amount", "Volume discount", through="document"
    )
    base_amount_money = money_display("base_amount", "Amount", through="document")
    extended_amount_money = money_display("extended_amount", "Extended amount", through="document")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document__currency", "product")

    @admin.display(description="Price from")
    def price_provenance(self, obj):
        """A short tag; the whole sentence is on the record page's line."""
        return provenance_short(obj.pricing) or "—"

    def _editable(self, request, obj) -> bool:
        return obj is None or can_edit(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_delete_permission(request, obj)


def _transition_action(name: str, label: str):
    def run(modeladmin, request, queryset):
        done, refused = 0, []
        for document in queryset:
            try:
                transitions.perform(name, actor=request.user, document=document)
            except (DomainError, ValidationError) as error:
                message = error.message if isinstance(error, DomainError) else error.messages[0]
                refused.append(f"{document.number}: {message}")
            else:
                done += 1
        if done:
            modeladmin.message_user(request, f"{label}: {done} done.", messages.SUCCESS)
        for line in refused:
            modeladmin.message_user(request, f"{label} refused — {line}", messages.ERROR)

    run.__name__ = f"action_{name}"
    run.short_description = f"{label} (selected)"
    return run


def transition_actions(kind: str) -> list:
    """Admin actions for the transitions that need no extra input."""
    return [
        _transition_action(t.name, t.label)
        for t in transitions.transitions_for(kind)
        if not t.reasons and not t.needs_text
    ]


class DocumentAdmin(DomainErrorsMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "name",
        "account",
        "state",
        "status_reason",
        "total_amount_money",
        owner_name,
    ]
    list_filter = ["state", "status_reason", "currency"]
    list_select_related = ["account", "owner", "currency"]
    search_fields = ["number", "name", "account__name"]
    date_hierarchy = "modified_on"
    autocomplete_fields = ["account", "owner"]
    exclude = HEADER_TOTALS  # shown read-only at the currency's precision (the *_money fields)
    computed = [
        "number",
        "state",
        "status_reason",
        *(f"{name}_money" for name in HEADER_TOTALS),
        "provenance",
        "version",
        "created_on",
        "created_by",
        "modified_on",
        "modified_by",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not can_edit(request.user, obj):
            # read-only by the domain's rule: show every field, change none
            hidden = {"id", "pricing", *HEADER_TOTALS}
            return [f.name for f in self.model._meta.fields if f.name not in hidden] + [
                *(f"{name}_money" for name in HEADER_TOTALS),
                "provenance",
            ]
        return [name for name in self.computed if name != "number" or obj is not None]

    def has_change_permission(self, request, obj=None):
        # a record the read-only rule protects opens in the admin's view mode: no Save
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj))

    total_line_item_amount_money = money_display("total_line_item_amount", "Detail amount")
    total_line_item_discount_amount_money = money_display(
        "total_line_item_discount_amount", "Line discounts"
    )
    total_discount_amount_money = money_display("total_discount_amount", "Total discount")
    total_amount_less_freight_money = money_display(
        "total_amount_less_freight", "Pre-freight amount"
    )
    total_tax_money = money_display("total_tax", "Total tax")
    total_amount_money = money_display("total_amount", "Total amount")

    @admin.display(description="How the totals were made")
    def provenance(self, obj):
        return provenance(obj.pricing) or "—"


@admin.register(models.Opportunity)
class OpportunityAdmin(DocumentAdmin):
    inlines = [type("OpportunityLineInline", (LineInline,), {"model": models.OpportunityLine})]
    actions = transition_actions("opportunity")


@admin.register(models.Quote)
class QuoteAdmin(DocumentAdmin):
    inlines = [type("QuoteLineInline", (LineInline,), {"model": models.QuoteLine})]
    autocomplete_fields = [*DocumentAdmin.autocomplete_fields, "opportunity"]
    list_select_related = [*DocumentAdmin.list_select_related, "opportunity"]
    actions = transition_actions("quote")


@admin.register(models.SalesOrder)
class SalesOrderAdmin(DocumentAdmin):
    inlines = [type("SalesOrderLineInline", (LineInline,), {"model": models.SalesOrderLine})]
    autocomplete_fields = [*DocumentAdmin.autocomplete_fields, "quote", "opportunity"]
    list_display = [*DocumentAdmin.list_display, "submitted_on", "is_price_locked"]
    list_filter = [*DocumentAdmin.list_filter, "is_price_locked"]
    computed = [
        *DocumentAdmin.computed,
        "is_price_locked",
        "submitted_on",
        "submitted_by",
    ]
    actions = transition_actions("salesorder")


@admin.register(models.Invoice)
class InvoiceAdmin(DocumentAdmin):
    inlines = [type("InvoiceLineInline", (LineInline,), {"model": models.InvoiceLine})]
    autocomplete_fields = [*DocumentAdmin.autocomplete_fields, "sales_order"]
    list_display = [*DocumentAdmin.list_display, "sales_order", "is_price_locked"]
    list_select_related = [*DocumentAdmin.list_select_related, "sales_order"]
    computed = [*DocumentAdmin.computed, "is_price_locked"]
    actions = transition_actions("invoice")


class LineAdmin(DomainErrorsMixin, admin.ModelAdmin):
    list_display = [
        "document",
        "line_number",
        "product",
        "write_in_product",
        "quantity",
        "price_per_unit",
        "extended_amount",
    ]
    list_select_related = ["document", "product"]
    search_fields = ["document__number", "product__number", "product__name", "write_in_product"]
    list_filter = ["is_price_overridden"]
    readonly_fields = ["line_number", *LINE_COMPUTED, "price_provenance"]
    autocomplete_fields = ["product"]
    raw_id_fields = ["document"]

    @admin.display(description="Price from")
    def price_provenance(self, obj):
        return provenance(obj.pricing) or "—"

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj.document))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj.document))


for _line_model in models.LINE_MODELS.values():
    admin.site.register(_line_model, LineAdmin)


# --- audit and integration ------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Traces are written by the domain, never by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "document_kind",
        "document_id",
        "action",
        "from_state",
        "to_state",
        "actor",
    ]
    list_filter = ["document_kind", "action"]
    list_select_related = ["actor"]
    search_fields = ["message", "action"]


@admin.register(models.NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "next_value"]


@admin.register(models.Endpoint)
class EndpointAdmin(DomainErrorsMixin, admin.ModelAdmin):
    list_display = ["url", "description", "is_enabled", "created_on", "secret_rotated_on"]
    list_filter = ["is_enabled"]
    search_fields = ["url", "description"]
    exclude = ["secret"]  # shown once on App Settings when generated, never here

    def has_add_permission(self, request):
        # endpoints are added on App Settings, where their signing secret is generated
        return False


class DeliveryInline(admin.TabularInline):
    model = models.Delivery
    extra = 0
    can_delete = False
    fields = ["endpoint", "status", "attempts", "next_attempt_at", "delivered_on", "last_error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "event_id", "type", "ordering_key", "created_on", "actor"]
    list_filter = ["type"]
    list_select_related = ["actor"]
    search_fields = ["event_id", "ordering_key"]
    inlines = [DeliveryInline]


class DeliveryAttemptInline(admin.TabularInline):
    model = models.DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["at", "status_code", "error", "duration_ms"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "next_attempt_at", "delivered_on"]
    list_filter = ["status", "endpoint"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["event__event_id", "ordering_key"]
    inlines = [DeliveryAttemptInline]


@admin.register(models.IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ["key", "user", "method", "path", "response_status", "created_on"]
    list_select_related = ["user"]
    search_fields = ["key", "path"]


@admin.register(models.DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ["delivery", "at", "status_code", "duration_ms", "error"]
    list_filter = ["status_code"]
    list_select_related = ["delivery__event", "delivery__endpoint"]
