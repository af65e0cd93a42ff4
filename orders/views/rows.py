"""The product lines of a record page as table rows, written in one pass.

A 1,000-line order is 1,000 rows of ten cells. Through the template language each row cost
five ``{% url %}`` (a ``reverse()`` each), dozens of variable lookups, autoescaping and
localization; here the URLs are built once per page from their pattern and the line's id is
put in, the numbers are formatted once, and only text people typed (product names, write-ins,
units, provenance) is escaped. The row reads as the template's did; the editing and the
confirm-removal rows stay in the page template (``orders/document_detail.html``), one at a time.

Long rows are the page's weight, so the commands are two plain links: htmx attributes are set
once on the ``<tbody>`` (``hx-boost``), and without JavaScript they open the same row on the
whole page.
"""

import json
from decimal import Decimal

from django.db.models import TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from orders.pricing import engine
from orders.templatetags.sop import (
    provenance,
    provenance_short,
    state_tone,
    sync_label,
    sync_tone,
)

_SENTINEL = 987654321


def url_pattern(name: str, *args, **kwargs) -> tuple[str, str]:
    """The URL ``name`` as (before, after) the id that varies — the one argument given as
    None, positional or by name — from one ``reverse()``."""
    args = [_SENTINEL if value is None else value for value in args]
    kwargs = {key: _SENTINEL if value is None else value for key, value in kwargs.items()}
    before, after = reverse(name, args=args or None, kwargs=kwargs or None).split(str(_SENTINEL))
    return before, after


def _money(value, places: int) -> str:
    return "" if value is None else f"{value:,.{places}f}"


def _quantity(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


# The columns a row shows, read with ``values_list`` (no model instances: at 1,000 lines
# building them was the page's largest cost). ``pricing`` comes as its JSON text, so lines that
# share their provenance (most do) are worded once.
COLUMNS = (
    "pk",
    "line_number",
    "product_id",
    "product__number",
    "product__name",
    "write_in_product",
    "unit_id",
    "unit__name",
    "quantity",
    "price_per_unit",
    "is_price_overridden",
    "volume_discount_amount",
    "manual_discount_amount",
    "tax",
    "extended_amount",
    "pricing_text",
    "base_amount",
)


def line_sums(rows) -> engine.LineSums:
    """The sums the header's totals come from, added up from rows already read."""
    return engine.LineSums(
        base_amount=sum((row[-1] for row in rows), Decimal(0)),
        extended_amount=sum((row[14] for row in rows), Decimal(0)),
        tax=sum((row[13] for row in rows), Decimal(0)),
    )


def row_values(lines):
    """A queryset of lines as the tuples ``RowWriter`` writes, in line order."""
    return (
        lines.annotate(pricing_text=Cast("pricing", TextField()))
        .order_by("line_number", "id")
        .values_list(*COLUMNS)
    )


class RowWriter:
    """Writes display rows for one document; build once per response."""

    def __init__(self, document, *, editable: bool, price_places: int):
        kind = document.KIND
        self.places = document.currency.precision
        self.price_places = price_places
        self.editable = editable
        self.product_url = url_pattern("product_detail", pk=None)
        self.line_url = url_pattern("document_line", kind=kind, pk=document.pk, line_id=None)
        self.delete_url = url_pattern(
            "document_line_delete", kind=kind, pk=document.pk, line_id=None
        )
        self.provenances: dict[str, str] = {}

    def provenance(self, text) -> str:
        """The disclosure that says where a line's price came from (once per distinct text)."""
        if not text:
            return ""
        html = self.provenances.get(text)
        if html is None:
            try:
                pricing = json.loads(text)
            except ValueError:
                pricing = {}
            words = provenance(pricing)
            html = (
                f'<details class="prov"><summary>Price: {escape(provenance_short(pricing))}'
                f"</summary><p>{escape(words)}</p></details>"
                if words
                else ""
            )
            self.provenances[text] = html
        return html

    def row(self, values) -> str:
        (
            pk,
            number,
            product_id,
            product_number,
            product_name,
            write_in,
            unit_id,
            unit_name,
            quantity,
            price,
            overridden,
            volume,
            discount,
            tax,
            extended,
            pricing,
            _base,
        ) = values
        places = self.places
        if product_id:
            before, after = self.product_url
            what = (
                f'<a href="{before}{product_id}{after}">{escape(product_number)}</a> '
                f"{escape(product_name)}"
            )
        else:
            what = f'{escape(write_in)} <span class="chip">write-in</span>'
        what += self.provenance(pricing)
        unit = escape(unit_name) if unit_id else "—"
        price = _money(price, self.price_places)
        if overridden:
            price += ' <span class="chip" title="Price entered by hand">override</span>'
        commands = ""
        if self.editable:
            edit, delete = self.line_url, self.delete_url
            commands = (
                f'<td class="line-commands"><a href="{edit[0]}{pk}{edit[1]}" aria-label="Edit line'
                f' {number}">Edit</a> <a href="{delete[0]}{pk}{delete[1]}" aria-label="Remove line'
                f' {number}">Remove</a>'
            )
        # Numbers are right-aligned and the extended amount bold by column (static/css/app.css);
        # a cell ends where the next begins (HTML lets ``</td>`` go), which a long order feels.
        return (
            f'<tr id="line-{pk}"><td>{number}<td>{what}<td>{unit}'
            f"<td>{_quantity(quantity)}<td>{price}"
            f"<td>{_money(volume, places)}"
            f"<td>{_money(discount, places)}"
            f"<td>{_money(tax, places)}"
            f"<td>{_money(extended, places)}{commands}</tr>"
        )

    def rows(self, rows) -> SafeString:
        return mark_safe("".join(map(self.row, rows)))  # noqa: S308  # nosec B308 B703 — escaped above


class ListRowWriter:
    """Writes the rows of a document list (the page's 25 rows cost more through the template
    language than the queries behind them: dozens of lookups, displays and filters per row).
    The markup is what ``orders/document_list.html`` wrote for each row."""

    def __init__(self, kind: str, model, *, bulk: bool):
        self.bulk = bulk
        self.detail_url = url_pattern(f"{kind}_detail", None)
        fields = {field.name: field for field in model._meta.get_fields()}
        self.state_labels = dict(fields["state"].flatchoices)
        reason = fields.get("status_reason")
        self.reason_labels = dict(reason.flatchoices) if reason is not None else {}

    def row(self, doc, sync: str | None = None) -> str:
        """One row from a ``values_list(named=True)`` row of ``orders.views.lists.LIST_FIELDS``."""
        pk, number = doc.pk, escape(doc.number)
        pick = (
            f'<td class="pick"><input type="checkbox" name="ids" value="{pk}" form="bulk-form" '
            f'aria-label="Select {number}"></td>'
            if self.bulk
            else ""
        )
        before, after = self.detail_url
        state = doc.state
        state_label = self.state_labels.get(state, state)
        reason = getattr(doc, "status_reason", None)
        reason_label = self.reason_labels.get(reason, reason)
        status = f'<span class="{state_tone(state)}">{escape(state_label)}</span> '
        if reason_label != state_label:
            status += f'<span class="muted small">{escape(reason_label)}</span>'
        if (
            state == "active"
            and reason == "pending"
            and getattr(doc, "submit_status_description", "")
        ):
            status += ' <span class="chip chip-err">Returned</span>'
        if sync:
            status += f' <span class="{sync_tone(sync)}">{escape(sync_label(sync))}</span>'
        account = escape(doc.account__name) if doc.account__name else "—"
        full_name = f"{doc.owner__first_name or ''} {doc.owner__last_name or ''}".strip()
        owner = full_name or doc.owner__username or ""
        modified = timezone.localtime(doc.modified_on)
        return (
            f"<tr>{pick}"
            f'<td class="col-number"><a href="{before}{pk}{after}">{number}</a></td>'
            f"<td>{escape(doc.name)}</td>"
            f'<td class="col-account">{account}</td>'
            f"<td>{status}</td>"
            f'<td class="num">{_money(doc.total_amount, doc.currency__precision)} '
            f'<span class="muted small">{escape(doc.currency__code)}</span></td>'
            f'<td class="col-owner">{escape(owner)}</td>'
            f'<td class="col-modified"><time datetime="{modified.isoformat()}">'
            f"{modified:%Y-%m-%d %H:%M}</time></td>"
            "</tr>"
        )

    def rows(self, documents, chips: dict[int, str]) -> SafeString:
        html = "".join(self.row(doc, chips.get(doc.pk)) for doc in documents)
        return mark_safe(html)  # noqa: S308  # nosec B308 B703 — escaped above
