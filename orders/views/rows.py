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

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from orders.templatetags.sop import provenance, provenance_short

_SENTINEL = 987654321


def url_pattern(name: str, **kwargs) -> tuple[str, str]:
    """The URL ``name`` as (before, after) the id that varies, from one ``reverse()``."""
    key = next(key for key, value in kwargs.items() if value is None)
    url = reverse(name, kwargs={**kwargs, key: _SENTINEL})
    before, after = url.split(str(_SENTINEL))
    return before, after


def _money(value, places: int) -> str:
    return "" if value is None else f"{value:,.{places}f}"


def _quantity(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


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

    def row(self, line) -> str:
        places = self.places
        number = line.line_number
        if line.product_id:
            before, after = self.product_url
            product = line.product
            what = (
                f'<a href="{before}{line.product_id}{after}">{escape(product.number)}</a> '
                f"{escape(product.name)}"
            )
        else:
            what = f'{escape(line.write_in_product)} <span class="chip">write-in</span>'
        text = provenance(line.pricing)
        if text:
            what += (
                f'<details class="prov"><summary>Price: {escape(provenance_short(line.pricing))}'
                f"</summary><p>{escape(text)}</p></details>"
            )
        unit = escape(line.unit.name) if line.unit_id else "—"
        price = _money(line.price_per_unit, self.price_places)
        if line.is_price_overridden:
            price += ' <span class="chip" title="Price entered by hand">override</span>'
        commands = ""
        if self.editable:
            pk = line.pk
            edit, delete = self.line_url, self.delete_url
            commands = (
                f'<td class="line-commands"><a href="{edit[0]}{pk}{edit[1]}" aria-label="Edit line'
                f' {number}">Edit</a> <a href="{delete[0]}{pk}{delete[1]}" aria-label="Remove line'
                f' {number}">Remove</a>'
            )
        # Numbers are right-aligned and the extended amount bold by column (static/css/app.css);
        # a cell ends where the next begins (HTML lets ``</td>`` go), which a long order feels.
        return (
            f'<tr id="line-{line.pk}"><td>{number}<td>{what}<td>{unit}'
            f"<td>{_quantity(line.quantity)}<td>{price}"
            f"<td>{_money(line.volume_discount_amount, places)}"
            f"<td>{_money(line.manual_discount_amount, places)}"
            f"<td>{_money(line.tax, places)}"
            f"<td>{_money(line.extended_amount, places)}{commands}</tr>"
        )

    def rows(self, lines) -> SafeString:
        return mark_safe("".join(self.row(line) for line in lines))  # noqa: S308 — escaped above
