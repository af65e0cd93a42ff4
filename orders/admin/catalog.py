"""The catalog in the admin: currencies, units, products, price and discount lists, accounts."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from import_export.admin import ImportExportModelAdmin

from orders import models, spreadsheets
from orders.admin.base import DomainErrorsMixin
from orders.services.pricing import check_derived_prices, pricelistitem_impact
from settings_app.acting import current_actor


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


class ProductAdminForm(forms.ModelForm):
    """Asks the save's own check (the prices items derive from the product) while validating,
    so a refusal shows on the field with what the user typed still in the form."""

    def _post_clean(self):
        super()._post_clean()
        if self.instance.pk and not self.errors:
            try:
                check_derived_prices(self.instance)
            except ValidationError as error:
                self._update_errors(error)


@admin.register(models.Product)
class ProductAdmin(ImportExportModelAdmin, DomainErrorsMixin, admin.ModelAdmin):
    form = ProductAdminForm
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


class PriceListItemAdminForm(forms.ModelForm):
    """A change that would re-price open documents shows its impact first and is saved only
    with *Re-price these documents* ticked (docs/rules.md#catalog-changes)."""

    confirm_reprice = forms.BooleanField(
        required=False,
        label="Re-price these documents",
        help_text="Tick to confirm a change that re-prices open orders and invoices.",
    )

    def _post_clean(self):
        super()._post_clean()
        item = self.instance
        if self.errors or not self.has_changed() or self.cleaned_data.get("confirm_reprice"):
            return
        if item.price_list_id is None or item.price_list.pk is None or not item.product_id:
            return  # a new price list carries no documents yet
        try:
            impact = pricelistitem_impact(actor=current_actor(), item=item)
        except ValidationError as error:
            self.add_error(None, error)
            return
        if impact.count:
            places = impact.places
            listed = "; ".join(
                f"{d.number} {d.total_before:,.{places}f} → {d.total_after:,.{places}f}"
                for d in impact.documents
            )
            self.add_error(
                None,
                f"{impact.summary()}: {listed}. Tick “Re-price these documents” and save "
                "again to confirm.",
            )


class PriceListItemInline(admin.TabularInline):
    model = models.PriceListItem
    form = PriceListItemAdminForm
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
        "confirm_reprice",
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
    form = PriceListItemAdminForm
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
