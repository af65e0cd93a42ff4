"""Products and price list items to and from spreadsheets (django-import-export, in the admin).

Rows name things as people do — a product by its number, a unit by its name in the product's
unit group, a price list by its name — and every row is saved through the model, so its
validation and the catalog re-pricing signal apply as at every other door. The admin shows a
preview of the changes before they apply; for price list items the preview also says how many
open orders and invoices the import would re-price.
"""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from orders.models import DiscountList, PriceList, PriceListItem, Product, Unit, UnitGroup
from orders.services.pricing import repriceable_documents


class UnitInGroupWidget(ForeignKeyWidget):
    """A unit by its name, looked up in the row's unit group (names repeat across groups)."""

    def __init__(self, group_of_row):
        super().__init__(Unit, "name")
        self.group_of_row = group_of_row

    def get_queryset(self, value, row, *args, **kwargs):
        return Unit.objects.filter(group=self.group_of_row(row))


def _product_group(row):
    return Product.objects.filter(number=row.get("product")).values("unit_group")[:1]


def _named_group(row):
    return UnitGroup.objects.filter(name=row.get("unit_group")).values("pk")[:1]


class ProductResource(resources.ModelResource):
    unit_group = fields.Field("unit_group", "unit_group", ForeignKeyWidget(UnitGroup, "name"))
    default_unit = fields.Field("default_unit", "default_unit", UnitInGroupWidget(_named_group))

    class Meta:
        model = Product
        import_id_fields = ["number"]
        fields = [
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
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class PriceListItemResource(resources.ModelResource):
    price_list = fields.Field("price_list", "price_list", ForeignKeyWidget(PriceList, "name"))
    product = fields.Field("product", "product", ForeignKeyWidget(Product, "number"))
    unit = fields.Field("unit", "unit", UnitInGroupWidget(_product_group))
    discount_list = fields.Field(
        "discount_list", "discount_list", ForeignKeyWidget(DiscountList, "name")
    )

    class Meta:
        model = PriceListItem
        import_id_fields = ["price_list", "product", "unit"]
        store_instance = True  # the preview counts the documents the rows re-price
        fields = [
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
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


def repriced_by_import(result) -> int:
    """How many open, unlocked orders and invoices the rows of an import preview would re-price
    (the documents ``reprice_documents_for_item`` re-prices when each item is saved)."""
    changed = {
        (row.instance.price_list_id, row.instance.product_id)
        for row in result.valid_rows()
        if row.import_type in {"new", "update"} and row.instance is not None
    }
    return repriceable_documents(changed).count() if changed else 0
