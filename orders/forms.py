"""Forms of the record pages. They validate input; the services do the writing.

Every widget gets ``aria-describedby`` pointing at its help and error text (see
``settings_app.forms.DescribedFormMixin``), so screen readers read the error with the field.
"""

import functools
from decimal import Decimal

from django import forms
from django.db import models

from orders import lifecycle, numbers
from orders.models import (
    DOCUMENT_MODELS,
    HEADER_TOTALS,
    Account,
    Currency,
    PriceList,
    PriceListItem,
    Product,
    Unit,
)
from orders.numbers import NOT_ASCII_DIGITS, is_written_in_ascii
from orders.views.widgets import FAST_WIDGETS
from settings_app.forms import DescribedFormMixin

HEADER_FIELDS = [
    "name",
    "account",
    "price_list",
    "currency",
    "discount_percentage",
    "discount_amount",
    "freight_amount",
    "description",
]
EXTRA_HEADER_FIELDS = {
    lifecycle.OPPORTUNITY: ["estimated_close_date"],
    lifecycle.INVOICE: ["due_date"],
}


def plain(value, places: int = 2):
    """A Decimal as people type it: 2.00000 → "2", 379.9900000000 → "379.99" (money keeps
    ``places`` decimals)."""
    if value is None:
        return None
    value = Decimal(value)
    if places and value == value.quantize(Decimal(1).scaleb(-places)):
        return value.quantize(Decimal(1).scaleb(-places))
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


class ReadOnceChoices(forms.models.ModelChoiceIterator):
    """Options read with one plain query. Django's iterator uses ``QuerySet.iterator()``,
    which on PostgreSQL opens a server-side cursor: three round trips (DECLARE, FETCH, CLOSE)
    per select, five selects a record page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


def read_once(*fields) -> None:
    for field in fields:
        field.iterator = ReadOnceChoices
        field.widget.choices = field.choices


class UnitSelect(forms.Select):
    """Each unit says its unit group (``data-group``), so the page can offer only the units of
    the chosen product's group."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        unit = getattr(value, "instance", None)
        if unit is not None:
            option["attrs"]["data-group"] = unit.group_id
        return option


class ProductSelect(forms.Select):
    """Each product says its unit group (``data-unit-group``)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        product = getattr(value, "instance", None)
        if product is not None:
            option["attrs"]["data-unit-group"] = product.unit_group_id
        return option


class NumberField(forms.DecimalField):
    """Django's decimal field, refusing the digits of other scripts (``Decimal("١٢")`` is 12)."""

    default_error_messages = {"not_ascii": NOT_ASCII_DIGITS}

    def to_python(self, value):
        if not is_written_in_ascii(value):
            raise forms.ValidationError(self.error_messages["not_ascii"], code="not_ascii")
        return super().to_python(value)


def number_fields(db_field, **kwargs):
    """A ModelForm's ``formfield_callback``: decimals are ``NumberField``s."""
    if isinstance(db_field, models.DecimalField):
        kwargs.setdefault("form_class", NumberField)
    return db_field.formfield(**kwargs)


class DocumentHeaderForm(DescribedFormMixin, forms.ModelForm):
    """The header of any document kind; only fields people type (computed ones are shown)."""

    default_renderer = FAST_WIDGETS

    def __init__(self, *args, kind: str, initial_changes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.hand_entry = "total_amount" in self.fields
        self.fields["account"].queryset = Account.objects.order_by("name")
        self.fields["price_list"].queryset = PriceList.objects.select_related("currency")
        self.fields["currency"].queryset = Currency.objects.order_by("code")
        self.fields["description"].widget = forms.Textarea(attrs={"rows": 2})
        read_once(self.fields["account"], self.fields["price_list"], self.fields["currency"])
        self.fields["account"].empty_label = "— none —"
        self.fields["price_list"].empty_label = "— none —"
        self.fields["currency"].empty_label = "— the price list's —"
        self.fields["currency"].required = False
        for name in ("discount_percentage", "discount_amount", "freight_amount"):
            self.fields[name].required = False  # empty means none
        if self.instance.pk and not self.is_bound:
            places = self.instance.currency.precision
            self.initial["discount_amount"] = plain(self.instance.discount_amount, places)
            self.initial["freight_amount"] = plain(self.instance.freight_amount, places)
            self.initial["discount_percentage"] = plain(self.instance.discount_percentage, 0)
            for name in HEADER_TOTALS if self.hand_entry else ():
                self.initial[name] = plain(getattr(self.instance, name), places)
            self.initial.update(initial_changes or {})  # the user's own, over the stored
        for name in HEADER_TOTALS if self.hand_entry else ():
            self.fields[name].required = False  # empty means zero
        if not self.instance.pk and not self.is_bound and "price_list" not in self.initial:
            only = list(self.fields["price_list"].queryset[:2])
            if len(only) == 1:  # nothing to choose: take the one price list
                self.initial["price_list"] = only[0].pk
        if "estimated_close_date" in self.fields:
            self.fields["estimated_close_date"].widget = forms.DateInput(attrs={"type": "date"})
        if "due_date" in self.fields:
            self.fields["due_date"].widget = forms.DateInput(attrs={"type": "date"})
        self.describe_fields()

    class Meta:
        model = DOCUMENT_MODELS[lifecycle.OPPORTUNITY]
        fields = HEADER_FIELDS
        formfield_callback = number_fields

    @classmethod
    def for_kind(cls, kind: str, *args, hand_entry: bool = False, **kwargs):
        """The header form of a kind; ``hand_entry`` adds the totals, for where the skip table
        skips calculating them."""
        return cls.form_class(kind, hand_entry)(*args, kind=kind, **kwargs)

    @classmethod
    @functools.cache
    def form_class(cls, kind: str, hand_entry: bool):
        """One class per kind, made once (``modelform_factory`` costs a millisecond)."""
        totals = HEADER_TOTALS if hand_entry else []
        return forms.modelform_factory(
            DOCUMENT_MODELS[kind],
            form=cls,
            fields=HEADER_FIELDS + EXTRA_HEADER_FIELDS.get(kind, []) + totals,
        )

    def _post_clean(self):
        # Model validation (state, read-only, pricing) is the domain's job, in the service.
        pass

    def clean(self):
        data = super().clean()
        zero_when_empty = ["discount_percentage", "discount_amount", "freight_amount"]
        for name in zero_when_empty + (HEADER_TOTALS if self.hand_entry else []):
            if data.get(name) is None and name not in self.errors:
                data[name] = Decimal("0")
        if not data.get("currency"):
            price_list = data.get("price_list")
            if price_list is not None:
                data["currency"] = price_list.currency
            elif self.instance.pk:
                data["currency"] = self.instance.currency
            else:
                self.add_error("currency", "Choose a currency or a price list.")
        return data

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class LineForm(DescribedFormMixin, forms.Form):
    """A product line: a catalog product (priced by the system) or a write-in (priced here)."""

    default_renderer = FAST_WIDGETS

    product = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        required=False,
        empty_label="— write-in —",
        widget=ProductSelect,
    )
    write_in_product = forms.CharField(label="Write-in product", max_length=200, required=False)
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, widget=UnitSelect)
    # Fields only parse numbers: the limits (positive quantity, decimals allowed by the pricing
    # and currency precision, discounts within the amount) are the domain's, with its messages.
    quantity = NumberField(validators=[numbers.QUANTITY])
    is_price_overridden = forms.BooleanField(label="Override price", required=False)
    price_per_unit = NumberField(label="Price per unit", required=False, validators=[numbers.PRICE])
    manual_discount_amount = NumberField(
        label="Discount", required=False, validators=[numbers.AMOUNT]
    )
    tax = NumberField(required=False, validators=[numbers.AMOUNT])
    # the document's version when the form was opened: a later save by someone else is found
    # and never undone (docs/rules.md#edit-conflicts)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    # Amounts the system computes; asked for only where the skip table skips calculation (see
    # ``orders.selectors.document_hand_entry``).
    HAND_ENTERED = {
        "volume_discount_amount": "Volume discount",
        "base_amount": "Amount",
        "extended_amount": "Extended amount",
    }

    def __init__(self, *args, line=None, hand_entry=False, initial_changes=None, **kwargs):
        self.line = line
        self.hand_entry = hand_entry
        if line is not None and "initial" not in kwargs and not args:
            kwargs["initial"] = {
                "product": line.product_id,
                "write_in_product": line.write_in_product,
                "unit": line.unit_id,
                "quantity": plain(line.quantity, 0),
                "is_price_overridden": line.is_price_overridden,
                "price_per_unit": plain(line.price_per_unit),
                "manual_discount_amount": plain(line.manual_discount_amount),
                "tax": plain(line.tax),
                "expected_version": line.document.version,
                **{name: plain(getattr(line, name)) for name in self.HAND_ENTERED},
                **(initial_changes or {}),
            }
        prefix = kwargs.pop("prefix", None) or (f"line{line.pk}" if line is not None else "new")
        super().__init__(*args, prefix=prefix, **kwargs)
        if hand_entry:
            for name, label in self.HAND_ENTERED.items():
                self.fields[name] = NumberField(label=label, required=False)
        self.fields["product"].queryset = Product.objects.filter(
            status=Product.Status.ACTIVE
        ).order_by("number")
        units = Unit.objects.select_related("group").order_by("group__name", "quantity", "name")
        if line is not None and line.product_id and not self.is_bound:
            # the units of the line's product; other products' units come with the page's script
            units = units.filter(group_id=line.product.unit_group_id)
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = "Default"
        read_once(self.fields["product"], self.fields["unit"])
        self.fields["price_per_unit"].help_text = ""
        for field in self.fields.values():
            if line is None:
                field.widget.attrs["aria-describedby"] = "add-line-hint"
            else:
                field.widget.attrs["form"] = f"line-form-{line.pk}"
        self.describe_fields()

    def clean(self):
        data = super().clean()
        product, write_in = data.get("product"), (data.get("write_in_product") or "").strip()
        if not product and not write_in:
            raise forms.ValidationError("Choose a product or type a write-in product.")
        if product and write_in:
            self.add_error("write_in_product", "Leave this empty when a product is chosen.")
        if (not product or data.get("is_price_overridden")) and data.get("price_per_unit") is None:
            self.add_error("price_per_unit", "Enter the price per unit.")
        unit = data.get("unit")
        if product and unit and unit.group_id != product.unit_group_id:
            self.add_error("unit", "This unit is not in the product's unit group.")
        return data

    def service_values(self) -> dict:
        """The values to hand the service: only what the user may set on this kind of line
        (on an existing line, only those that differ from the stored ones)."""
        values = self.attempted_values()
        if self.line is not None:
            # send only what changed, so an untouched computed value is never "written"
            values = {
                k: v
                for k, v in values.items()
                if getattr(self.line, k if k not in {"product", "unit"} else f"{k}_id")
                != (v.pk if hasattr(v, "pk") else v)
            }
        return values

    def attempted_values(self) -> dict:
        """Every value the form sends for the line, as the user left it."""
        data = self.cleaned_data
        product = data.get("product")
        values = {
            "product": product,
            "write_in_product": "" if product else data["write_in_product"].strip(),
            "quantity": data["quantity"],
            "is_price_overridden": bool(product) and data.get("is_price_overridden", False),
            "manual_discount_amount": data.get("manual_discount_amount") or Decimal("0"),
            "tax": data.get("tax") or Decimal("0"),
        }
        if self.hand_entry:
            values.update({name: data.get(name) or Decimal("0") for name in self.HAND_ENTERED})
        if product:
            values["unit"] = data.get("unit") or product.default_unit
        else:
            values["unit"] = data.get("unit")
        if not product or values["is_price_overridden"] or data.get("price_per_unit") is not None:
            # a price typed without Override goes to the domain, which refuses it with a
            # message (docs/decisions.md): never dropped silently
            values["price_per_unit"] = data["price_per_unit"]
        return values


class ActionForm(forms.Form):
    """The optional inputs of a command: a status reason or a free-text reason."""

    status_reason = forms.CharField(required=False, max_length=20)
    reason = forms.CharField(required=False, max_length=2000)
    expected_version = forms.IntegerField(required=False)
    close_opportunity = forms.BooleanField(required=False)
    confirmed = forms.BooleanField(required=False)  # the command's confirmation step was passed


class PriceListItemForm(DescribedFormMixin, forms.ModelForm):
    """The price terms of one item, edited on the price list page by catalog editors."""

    class Meta:
        model = PriceListItem
        fields = [
            "pricing_method",
            "amount",
            "percentage",
            "rounding_policy",
            "rounding_option",
            "rounding_amount",
        ]
        formfield_callback = number_fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix=f"item{kwargs['instance'].pk}", **kwargs)
        item = self.instance
        places = item.price_list.currency.precision
        if not self.is_bound:
            self.initial["amount"] = plain(item.amount, places)
            self.initial["percentage"] = plain(item.percentage, 0)
            self.initial["rounding_amount"] = plain(item.rounding_amount, places)
        for field in self.fields.values():
            field.widget.attrs["form"] = f"item-form-{item.pk}"
        self.describe_fields()


class ChangeRequestForm(DescribedFormMixin, forms.Form):
    """The note of Request a change; the service decides what a note may be."""

    note = forms.CharField(
        label="What should change",
        required=False,  # the domain says "Say what should change." (docs/rules.md)
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
        help_text="At most 2,000 characters. The back office receives it at once; the order "
        "stays read-only until it answers.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.describe_fields()
