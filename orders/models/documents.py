"""The four sales documents (docs/rules.md#documents) and their product lines."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from orders import lifecycle
from orders.models.catalog import (
    MONEY,
    PERCENT,
    QUANTITY,
    ZERO,
    MoneyField,
    PercentField,
    PriceField,
    QuantityField,
    TotalField,
)
from settings_app.acting import current_actor

PRICE = {"max_digits": 28, "decimal_places": 10}


def _history_user(instance=None, request=None, **kwargs):
    """Who changed a record, at every door: the acting user of settings_app.acting."""
    return current_actor()


HEADER_TOTALS = [
    "total_line_item_amount",
    "total_line_item_discount_amount",
    "total_discount_amount",
    "total_amount_less_freight",
    "total_tax",
    "total_amount",
]
LINE_COMPUTED = ["volume_discount_amount", "base_amount", "extended_amount"]


class SalesDocument(models.Model):
    """The shape shared by opportunities, quotes, orders and invoices."""

    KIND: str = ""
    NUMBER_PREFIX: str = ""

    number = models.CharField(max_length=30, unique=True, editable=False)
    name = models.CharField(max_length=200)
    account = models.ForeignKey(
        "orders.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The account's name, copied so the lists sort by it along an index (a sort on the joined
    # account's name read the whole table): set by ``save()``, renewed when an account is
    # renamed (orders.signals). Null without an account, so it sorts where the join did.
    account_name = models.CharField(max_length=200, null=True, blank=True, editable=False)
    price_list = models.ForeignKey(
        "orders.PriceList", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    currency = models.ForeignKey("orders.Currency", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(blank=True)

    discount_percentage = PercentField(
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
        **PERCENT,
    )
    discount_amount = MoneyField(default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY)
    freight_amount = MoneyField(default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY)

    total_line_item_amount = TotalField(default=ZERO, **MONEY)
    total_line_item_discount_amount = TotalField(default=ZERO, **MONEY)
    total_discount_amount = TotalField(default=ZERO, **MONEY)
    total_amount_less_freight = TotalField(default=ZERO, **MONEY)
    total_tax = TotalField(default=ZERO, **MONEY)
    total_amount = TotalField(default=ZERO, **MONEY)

    # Provenance of the computed values: computed / kept as given, and why
    # (docs/rules.md#price-calculation).
    pricing = models.JSONField(default=dict, blank=True, editable=False)

    version = models.PositiveIntegerField(default=1, editable=False)
    created_on = models.DateTimeField(auto_now_add=True)
    modified_on = models.DateTimeField(auto_now=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords(
        inherit=True, get_user=_history_user, excluded_fields=["account_name"]
    )

    class Meta:
        abstract = True
        ordering = ["-modified_on", "-id"]
        # One per sortable list column (read both ways), and for a salesperson's own list and
        # the status filter in the default order (docs/benchmarks.md). The trigram indexes of
        # the search are PostgreSQL's only: the migration adds them where it can.
        indexes = [
            models.Index(fields=["name", "id"], name="%(class)s_by_name"),
            models.Index(fields=["account_name", "id"], name="%(class)s_by_account"),
            models.Index(fields=["owner", "account_name", "id"], name="%(class)s_owner_account"),
            models.Index(fields=["state", "id"], name="%(class)s_by_state"),
            models.Index(fields=["total_amount", "id"], name="%(class)s_by_total"),
            models.Index(fields=["modified_on", "id"], name="%(class)s_by_modified"),
            models.Index(fields=["owner", "modified_on", "id"], name="%(class)s_owner_modified"),
            models.Index(fields=["state", "modified_on", "id"], name="%(class)s_state_modified"),
            models.Index(
                fields=["owner", "state", "modified_on", "id"], name="%(class)s_owner_state"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def save(self, *args, **kwargs):
        """Copy the account's name with the account (every door saves through here)."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "account" in update_fields or "account_id" in update_fields:
            self.account_name = self._current_account_name()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "account_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(f"{self.KIND}_detail", args=[self.pk])

    def _current_account_name(self) -> str | None:
        if self.account_id is None:
            return None
        cached = self._state.fields_cache.get("account")
        if cached is not None and cached.pk == self.account_id:
            return cached.name
        return self.account.name

    @property
    def state_code(self) -> int:
        return lifecycle.state_code(self.KIND, self.state)

    @property
    def status_code(self) -> int | None:
        return lifecycle.status_code(self.KIND, self.state, self.status_reason)

    @property
    def is_in_editable_state(self) -> bool:
        return self.state in lifecycle.EDITABLE_STATES[self.KIND]


def _state_field(kind: str, default: str) -> models.CharField:
    return models.CharField(
        max_length=20, choices=lifecycle.state_choices(kind), default=default, db_index=True
    )


def _reason_field(kind: str, default: str) -> models.CharField:
    return models.CharField(
        max_length=20, choices=lifecycle.status_reason_choices(kind), default=default
    )


class Opportunity(SalesDocument):
    KIND = lifecycle.OPPORTUNITY
    NUMBER_PREFIX = "OPP"

    state = _state_field(KIND, "open")
    status_reason = _reason_field(KIND, "in_progress")
    estimated_close_date = models.DateField(null=True, blank=True)
    close_description = models.TextField(blank=True)

    class Meta(SalesDocument.Meta):
        verbose_name_plural = "opportunities"


class Quote(SalesDocument):
    KIND = lifecycle.QUOTE
    NUMBER_PREFIX = "QUO"

    state = _state_field(KIND, "draft")
    status_reason = _reason_field(KIND, "in_progress")
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    revision_number = models.PositiveIntegerField(default=0, editable=False)
    revised_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="revisions",
    )

    class Meta(SalesDocument.Meta):
        pass


class SalesOrder(SalesDocument):
    KIND = lifecycle.SALES_ORDER
    NUMBER_PREFIX = "ORD"

    state = _state_field(KIND, "active")
    status_reason = _reason_field(KIND, "new")
    quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    is_price_locked = models.BooleanField(default=False, editable=False)
    submitted_on = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Written by the back office (integration users only).
    last_back_office_submit = models.DateTimeField(null=True, blank=True)
    submit_status = models.CharField(max_length=100, blank=True)
    submit_status_description = models.TextField(blank=True)
    external_reference = models.CharField(max_length=100, blank=True)

    class Meta(SalesDocument.Meta):
        verbose_name = "sales order"
        # The charts' recent submissions, and App Settings' submitted orders oldest first.
        indexes = [
            *SalesDocument.Meta.indexes,
            models.Index(fields=["submitted_on"], name="salesorder_submitted_on"),
            models.Index(fields=["state", "submitted_on"], name="salesorder_state_submitted"),
            # Home's "delivery failing" card: the submitted orders oldest first, index-only.
            models.Index(
                fields=["submitted_on", "id"],
                name="salesorder_submitted_queue",
                condition=models.Q(state="submitted"),
            ),
            models.Index(
                fields=["state", "currency", "total_amount"], name="salesorder_value_by_state"
            ),
        ]
        permissions = [
            ("view_all_documents", "Can see and work everyone's sales documents"),
            ("fulfill_salesorder", "Can fulfil sales orders"),
            ("cancel_salesorder", "Can cancel sales orders"),
        ]


class Invoice(SalesDocument):
    KIND = lifecycle.INVOICE
    NUMBER_PREFIX = "INV"

    state = _state_field(KIND, "active")
    status_reason = _reason_field(KIND, "new")
    sales_order = models.ForeignKey(
        SalesOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    is_price_locked = models.BooleanField(default=False, editable=False)
    due_date = models.DateField(null=True, blank=True)

    class Meta(SalesDocument.Meta):
        pass


class DocumentLine(models.Model):
    """A product line: a catalog product or a write-in, with the amounts of
    docs/rules.md#price-calculation."""

    line_number = models.PositiveIntegerField(editable=False)
    product = models.ForeignKey(
        "orders.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    write_in_product = models.CharField("Write-in product", max_length=200, blank=True)
    unit = models.ForeignKey(
        "orders.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = QuantityField(default=Decimal("1"), **QUANTITY)
    price_per_unit = PriceField(default=ZERO, **PRICE)
    is_price_overridden = models.BooleanField(default=False)
    volume_discount_amount = MoneyField(default=ZERO, **MONEY)
    base_amount = MoneyField(default=ZERO, **MONEY)
    manual_discount_amount = MoneyField(default=ZERO, **MONEY)
    tax = MoneyField(default=ZERO, **MONEY)
    extended_amount = MoneyField(default=ZERO, **MONEY)
    description = models.TextField(blank=True)

    pricing = models.JSONField(default=dict, blank=True, editable=False)
    created_on = models.DateTimeField(auto_now_add=True)
    modified_on = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(inherit=True, get_user=_history_user)

    class Meta:
        abstract = True
        ordering = ["line_number", "id"]

    def __str__(self) -> str:
        return f"{self.line_number}. {self.product_name}"

    @property
    def product_name(self) -> str:
        if self.product_id:
            return self.product.name
        return self.write_in_product

    @property
    def is_write_in(self) -> bool:
        return not self.product_id


def _document_fk(model: type[SalesDocument]) -> models.ForeignKey:
    return models.ForeignKey(model, on_delete=models.CASCADE, related_name="lines")


class OpportunityLine(DocumentLine):
    document = _document_fk(Opportunity)

    class Meta(DocumentLine.Meta):
        verbose_name = "opportunity product"


class QuoteLine(DocumentLine):
    document = _document_fk(Quote)

    class Meta(DocumentLine.Meta):
        verbose_name = "quote product"


class SalesOrderLine(DocumentLine):
    document = _document_fk(SalesOrder)

    class Meta(DocumentLine.Meta):
        verbose_name = "sales order product"


class InvoiceLine(DocumentLine):
    document = _document_fk(Invoice)

    class Meta(DocumentLine.Meta):
        verbose_name = "invoice product"


DOCUMENT_MODELS: dict[str, type[SalesDocument]] = {
    lifecycle.OPPORTUNITY: Opportunity,
    lifecycle.QUOTE: Quote,
    lifecycle.SALES_ORDER: SalesOrder,
    lifecycle.INVOICE: Invoice,
}
LINE_MODELS: dict[str, type[DocumentLine]] = {
    lifecycle.OPPORTUNITY: OpportunityLine,
    lifecycle.QUOTE: QuoteLine,
    lifecycle.SALES_ORDER: SalesOrderLine,
    lifecycle.INVOICE: InvoiceLine,
}
