"""The rows a list exports: the same documents the list shows (filters, search, sort), read in
chunks so a hundred thousand of them never sit in memory at once."""

from dataclasses import dataclass
from decimal import Decimal

CHUNK = 2000


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # "text", "money", "datetime"


DOCUMENT_COLUMNS = [
    Column("Number"),
    Column("Name"),
    Column("Account"),
    Column("Status"),
    Column("Status reason"),
    Column("Total amount", "money"),
    Column("Currency"),
    Column("Owner"),
    Column("Modified on", "datetime"),
]

PRODUCT_COLUMNS = [
    Column("Number"),
    Column("Name"),
    Column("Unit group"),
    Column("Default unit"),
    Column("List price", "money"),
    Column("Status"),
]


def document_rows(documents):
    """(values, currency precision) per document, in the list's order."""
    documents = documents.select_related("account", "owner", "currency")
    for doc in documents.iterator(chunk_size=CHUNK):
        owner = doc.owner.get_full_name() or doc.owner.get_username()
        places = doc.currency.precision
        total = doc.total_amount.quantize(Decimal(1).scaleb(-places))
        yield (
            [
                doc.number,
                doc.name,
                doc.account.name if doc.account else "",
                doc.get_state_display(),
                doc.get_status_reason_display(),
                total,
                doc.currency.code,
                owner,
                doc.modified_on,
            ],
            places,
        )


def product_rows(products):
    products = products.select_related("unit_group", "default_unit")
    for product in products.iterator(chunk_size=CHUNK):
        yield (
            [
                product.number,
                product.name,
                product.unit_group.name if product.unit_group else "",
                product.default_unit.name if product.default_unit else "",
                product.list_price,
                product.get_status_display(),
            ],
            2,
        )
