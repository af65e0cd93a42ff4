"""The catalog (docs/rules.md#catalog): currencies, units, products, price lists, discount
lists, accounts."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property

from orders import numbers

MONEY = {"max_digits": 19, "decimal_places": 4}
QUANTITY = {"max_digits": 15, "decimal_places": 5}
PERCENT = {"max_digits": 9, "decimal_places": 4}
ZERO = Decimal("0")


class BoundedDecimalField(models.DecimalField):
    """A decimal column whose limit and messages are ``orders.numbers``' (``bound``), at every
    door: model validation (admin, API, imports), the form field it makes (pages, admin) and
    the API's field (built from the model field's validators)."""

    bound: numbers.Bounded = numbers.AMOUNT

    @cached_property
    def validators(self):
        # Django's DecimalValidator would say "Ensure that there are no more than 19 digits";
        # the bound says the same limit in words.
        return [*models.Field.validators.func(self), self.bound]

    def formfield(self, **kwargs):
        return super().formfield(
            **{"max_digits": None, "decimal_places": None, "validators": [self.bound], **kwargs}
        )


class MoneyField(BoundedDecimalField):
    bound = numbers.AMOUNT


class TotalField(BoundedDecimalField):
    bound = numbers.TOTAL


class PriceField(BoundedDecimalField):
    bound = numbers.PRICE


class QuantityField(BoundedDecimalField):
    bound = numbers.QUANTITY


class PercentField(BoundedDecimalField):
    bound = numbers.PERCENT


class Currency(models.Model):
    code = models.CharField(max_length=3, unique=True, help_text="ISO 4217 code, e.g. USD")
    name = models.CharField(max_length=100)
    symbol = models.CharField(max_length=5)
    precision = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(0), MaxValueValidator(4)]
    )

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "currencies"

    def __str__(self) -> str:
        return self.code


class UnitGroup(models.Model):
    name = models.CharField(max_length=100, unique=True)
    base_unit_name = models.CharField(max_length=50, default="Primary unit")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit is a quantity of its group's base unit (a box of 12 = 12 base units)."""

    group = models.ForeignKey(UnitGroup, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(max_length=50)
    quantity = QuantityField(
        default=Decimal("1"), validators=[MinValueValidator(Decimal("0.00001"))], **QUANTITY
    )

    class Meta:
        ordering = ["group__name", "quantity", "name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "name"], name="unit_name_unique_in_group")
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    number = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit_group = models.ForeignKey(UnitGroup, on_delete=models.PROTECT, related_name="products")
    default_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    list_price = MoneyField(default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY)
    current_cost = MoneyField(default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY)
    standard_cost = MoneyField(default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def clean(self):
        if (
            self.default_unit_id
            and self.unit_group_id
            and (self.default_unit.group_id != self.unit_group_id)
        ):
            raise ValidationError({"default_unit": "The default unit must be in the unit group."})


class DiscountList(models.Model):
    class Type(models.TextChoices):
        PERCENTAGE = "percentage", "Percentage"
        AMOUNT = "amount", "Amount"

    name = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.PERCENTAGE)
    currency = models.ForeignKey(
        Currency, null=True, blank=True, on_delete=models.PROTECT, help_text="Amount lists only"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.type == self.Type.AMOUNT and not self.currency_id:
            raise ValidationError({"currency": "An amount discount list needs a currency."})


class DiscountBand(models.Model):
    """From and to quantities are both inclusive; bands of one list must not overlap."""

    discount_list = models.ForeignKey(DiscountList, on_delete=models.CASCADE, related_name="bands")
    from_quantity = QuantityField(validators=[MinValueValidator(ZERO)], **QUANTITY)
    to_quantity = QuantityField(validators=[MinValueValidator(ZERO)], **QUANTITY)
    value = MoneyField(
        validators=[MinValueValidator(ZERO)], help_text="Percentage or amount per unit", **MONEY
    )

    class Meta:
        ordering = ["discount_list", "from_quantity"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_quantity__gte=models.F("from_quantity")),
                name="discountband_to_not_below_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_quantity}–{self.to_quantity}: {self.value}"

    def clean(self):
        if self.from_quantity is None or self.to_quantity is None:
            return
        if self.to_quantity < self.from_quantity:
            raise ValidationError({"to_quantity": "The to quantity must not be below the from."})
        if (
            self.discount_list_id
            and self.discount_list.type == DiscountList.Type.PERCENTAGE
            and self.value is not None
            and self.value > 100
        ):
            raise ValidationError({"value": "A percentage must be between 0 and 100."})
        overlapping = DiscountBand.objects.filter(
            discount_list_id=self.discount_list_id,
            from_quantity__lte=self.to_quantity,
            to_quantity__gte=self.from_quantity,
        ).exclude(pk=self.pk)
        if self.discount_list_id and overlapping.exists():
            raise ValidationError("This band overlaps another band of the same discount list.")


class PriceList(models.Model):
    name = models.CharField(max_length=100, unique=True)
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="price_lists")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "Valid to must not be before valid from."})


class PricingMethod(models.TextChoices):
    CURRENCY_AMOUNT = "currency_amount", "Currency amount"
    PERCENT_OF_LIST = "percent_of_list", "Percent of list"
    MARKUP_CURRENT_COST = "markup_current_cost", "Markup on current cost"
    MARKUP_STANDARD_COST = "markup_standard_cost", "Markup on standard cost"
    MARGIN_CURRENT_COST = "margin_current_cost", "Margin on current cost"
    MARGIN_STANDARD_COST = "margin_standard_cost", "Margin on standard cost"


class RoundingPolicy(models.TextChoices):
    NONE = "none", "None"
    UP = "up", "Up"
    DOWN = "down", "Down"
    NEAREST = "nearest", "To nearest"


class RoundingOption(models.TextChoices):
    ENDS_IN = "ends_in", "Ends in"
    MULTIPLE_OF = "multiple_of", "Multiple of"


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="price_list_items")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    pricing_method = models.CharField(
        max_length=25, choices=PricingMethod.choices, default=PricingMethod.CURRENCY_AMOUNT
    )
    amount = MoneyField(default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY)
    percentage = PercentField(default=ZERO, validators=[MinValueValidator(ZERO)], **PERCENT)
    rounding_policy = models.CharField(
        max_length=10, choices=RoundingPolicy.choices, default=RoundingPolicy.NONE
    )
    rounding_option = models.CharField(
        max_length=12, choices=RoundingOption.choices, default=RoundingOption.MULTIPLE_OF
    )
    rounding_amount = MoneyField(default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY)
    discount_list = models.ForeignKey(
        DiscountList, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["price_list", "product__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "unit"], name="pricelistitem_unique_product_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.price_list}: {self.product} / {self.unit}"

    def clean(self):
        errors = {}
        if self.product_id and self.unit_id and self.unit.group_id != self.product.unit_group_id:
            errors["unit"] = "The unit must belong to the product's unit group."
        if (
            self.pricing_method
            in {PricingMethod.MARGIN_CURRENT_COST, PricingMethod.MARGIN_STANDARD_COST}
            and self.percentage is not None
            and self.percentage >= 100
        ):
            errors["percentage"] = "A margin must be below 100%."
        if self.rounding_policy != RoundingPolicy.NONE and not self.rounding_amount:
            errors["rounding_amount"] = "Rounding needs an amount."
        if errors:
            raise ValidationError(errors)


class Account(models.Model):
    number = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    bill_to_address = models.TextField(blank=True)
    ship_to_address = models.TextField(blank=True)
    default_price_list = models.ForeignKey(
        PriceList, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
