"""Creating, changing and deleting documents and their lines.

The rules themselves (read-only, skip table, computed fields, input checks) run in the model
signals; these services add what belongs to an action: the actor's permission, visibility, the
row lock, the version check and full model validation.
"""

from django.db import transaction

from orders import lifecycle
from orders.models import DOCUMENT_MODELS, LINE_MODELS
from orders.services.common import (
    check_version,
    lock,
    reject_unknown,
    require_perm,
    require_visible,
)
from orders.services.handover import salesorder_mark_invoiced
from settings_app.acting import acting_as
from settings_app.errors import PermissionRefused

HEADER_FIELDS = {
    "name",
    "account",
    "account_id",
    "price_list",
    "price_list_id",
    "currency",
    "currency_id",
    "owner",
    "owner_id",
    "description",
    "discount_percentage",
    "discount_amount",
    "freight_amount",
    "total_line_item_amount",
    "total_line_item_discount_amount",
    "total_discount_amount",
    "total_amount_less_freight",
    "total_tax",
    "total_amount",
}
KIND_FIELDS = {
    lifecycle.OPPORTUNITY: {"estimated_close_date"},
    lifecycle.QUOTE: {"opportunity", "opportunity_id"},
    lifecycle.SALES_ORDER: {
        "quote",
        "quote_id",
        "opportunity",
        "opportunity_id",
        "last_back_office_submit",
        "submit_status",
        "submit_status_description",
        "external_reference",
    },
    lifecycle.INVOICE: {"sales_order", "sales_order_id", "due_date"},
}
LINE_FIELDS = {
    "product",
    "product_id",
    "write_in_product",
    "unit",
    "unit_id",
    "quantity",
    "price_per_unit",
    "is_price_overridden",
    "manual_discount_amount",
    "tax",
    "description",
    "volume_discount_amount",
    "base_amount",
    "extended_amount",
}


def _check_owner(actor, fields) -> None:
    """Only those who work everyone's documents may give a document to someone else."""
    owner = fields.get("owner")
    owner_id = owner.pk if owner is not None else fields.get("owner_id")
    others = owner_id is not None and owner_id != actor.pk
    if others and not actor.has_perm("orders.view_all_documents"):
        raise PermissionRefused(
            "Only a sales manager can give a document to another owner.",
            code="owner_change",
            fields=["owner"],
        )


def _label(kind: str) -> str:
    return DOCUMENT_MODELS[kind]._meta.verbose_name


def document_create(*, actor, kind: str, **fields):
    """A new document owned by the actor (or ``owner``); currency defaults to the price list's."""
    model = DOCUMENT_MODELS[kind]
    require_perm(actor, f"orders.add_{kind}", f"Your role cannot create a {_label(kind)}.")
    reject_unknown(fields, HEADER_FIELDS | KIND_FIELDS[kind])
    _check_owner(actor, fields)
    if "owner" not in fields and "owner_id" not in fields:
        # An order's invoice belongs to the order's owner, whoever creates it (the back office).
        order = fields.get("sales_order")
        fields["owner"] = order.owner if order is not None else actor
    document = model(**fields)
    if not document.currency_id and document.price_list_id:
        document.currency_id = document.price_list.currency_id
    with acting_as(actor), transaction.atomic():
        document.full_clean(exclude=["number"])
        document.save()
        if kind == lifecycle.INVOICE and document.sales_order_id:
            salesorder_mark_invoiced(actor=actor, order=document.sales_order, invoice=document)
    return document


def document_update(*, actor, document, expected_version=None, **fields):
    kind = document.KIND
    require_perm(actor, f"orders.change_{kind}", f"Your role cannot change a {_label(kind)}.")
    reject_unknown(fields, HEADER_FIELDS | KIND_FIELDS[kind])
    with acting_as(actor), transaction.atomic():
        document = lock(document)
        require_visible(actor, document)
        check_version(document, expected_version)
        if "owner" in fields or "owner_id" in fields:
            current = {"owner_id": document.owner_id}
            wanted = fields.get("owner")
            wanted_id = wanted.pk if wanted is not None else fields.get("owner_id")
            if wanted_id != current["owner_id"]:
                _check_owner(actor, fields)
        for name, value in fields.items():
            setattr(document, name, value)
        document.full_clean(exclude=["number"])
        document.save()
    return document


def document_delete(*, actor, document, expected_version=None) -> None:
    kind = document.KIND
    require_perm(actor, f"orders.delete_{kind}", f"Your role cannot delete a {_label(kind)}.")
    with acting_as(actor), transaction.atomic():
        document = lock(document)
        require_visible(actor, document)
        check_version(document, expected_version)
        document.delete()


def line_add(*, actor, document, expected_version=None, **fields):
    kind = document.KIND
    require_perm(
        actor, f"orders.add_{kind}line", f"Your role cannot add products to a {_label(kind)}."
    )
    reject_unknown(fields, LINE_FIELDS)
    with acting_as(actor), transaction.atomic():
        document = lock(document)
        require_visible(actor, document)
        check_version(document, expected_version)
        line = LINE_MODELS[kind](document=document, **fields)
        line.full_clean(exclude=["document", "line_number"])
        line.save()
    return line


def line_update(*, actor, line, expected_version=None, **fields):
    document = line.document
    kind = document.KIND
    require_perm(actor, f"orders.change_{kind}line", f"Your role cannot change a {_label(kind)}.")
    reject_unknown(fields, LINE_FIELDS)
    with acting_as(actor), transaction.atomic():
        document = lock(document)
        require_visible(actor, document)
        check_version(document, expected_version)
        line = type(line).objects.select_related("product", "unit").get(pk=line.pk)
        line.document = document
        for name, value in fields.items():
            setattr(line, name, value)
        line.full_clean(exclude=["document", "line_number"])
        line.save()
    return line


def line_delete(*, actor, line, expected_version=None) -> None:
    document = line.document
    kind = document.KIND
    require_perm(
        actor,
        f"orders.delete_{kind}line",
        f"Your role cannot remove products from a {_label(kind)}.",
    )
    with acting_as(actor), transaction.atomic():
        document = lock(document)
        require_visible(actor, document)
        check_version(document, expected_version)
        line = type(line).objects.get(pk=line.pk)
        line.document = document
        line.delete()
