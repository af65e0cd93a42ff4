"""Documents and lines in the admin: records the read-only rule protects show read-only,
computed fields show read-only, and the document actions run through the services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.core.exceptions import ValidationError
from django.db import models as django_models

from orders import models, services
from orders.admin.base import DomainErrorsMixin, money_display, owner_name
from orders.models import HEADER_TOTALS, LINE_COMPUTED
from orders.rules import can_edit
from orders.selectors import totals_difference
from orders.services.common import visible_to
from orders.services.guards import transitions_for
from orders.templatetags.sop import provenance, provenance_short
from settings_app.errors import DomainError


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


def _transition_action(name: str, label: str, perm: str):
    def run(modeladmin, request, queryset):
        done, refused = 0, []
        for document in queryset:
            try:
                services.perform(name, actor=request.user, document=document)
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
    run.transition_perm = perm  # offered only to roles that have it; the domain guards anyway
    return run


def transition_actions(kind: str) -> list:
    """Admin actions for the transitions that need no extra input."""
    return [
        _transition_action(t.name, t.label, t.perm)
        for t in transitions_for(kind)
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
        "totals_check",
        "provenance",
        "version",
        "created_on",
        "created_by",
        "modified_on",
        "modified_by",
    ]

    def get_queryset(self, request):
        # a salesperson's own documents, as at every other door
        return visible_to(request.user, super().get_queryset(request))

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        def offered(func) -> bool:
            perm = getattr(func, "transition_perm", None)
            return perm is None or request.user.has_perm(perm)

        actions = super().get_actions(request, action_location)
        return {name: action for name, action in actions.items() if offered(action.func)}

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not can_edit(request.user, obj):
            # read-only by the domain's rule: show every field, change none
            hidden = {"id", "pricing", *HEADER_TOTALS}
            return [f.name for f in self.model._meta.fields if f.name not in hidden] + [
                *(f"{name}_money" for name in HEADER_TOTALS),
                "totals_check",
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

    @admin.display(description="Totals and lines")
    def totals_check(self, obj):
        """The record page's warning, here too: stored totals that disagree with the lines."""
        if obj is None or obj.pk is None:
            return "—"
        difference = totals_difference(obj)
        if not difference:
            return "The totals are the sum of the lines."
        places = obj.currency.precision
        return f"Totals differ from the sum of the lines by {difference:,.{places}f}."

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

    def get_queryset(self, request):
        return visible_to(request.user, super().get_queryset(request), owner="document__owner")

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj.document))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj.document))


for _line_model in models.LINE_MODELS.values():
    admin.site.register(_line_model, LineAdmin)
