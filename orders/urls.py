"""Pages for sales staff and the catalog."""

from django.urls import path

from orders.views import catalog, lists, printing, records, team
from orders.views.kinds import SEGMENTS

urlpatterns = [
    path("products/", catalog.product_list, name="product_list"),
    path("products/<int:pk>/", catalog.product_detail, name="product_detail"),
    path("pricelists/", catalog.pricelist_list, name="pricelist_list"),
    path("pricelists/<int:pk>/", catalog.pricelist_detail, name="pricelist_detail"),
    path(
        "pricelists/<int:pk>/items/<int:item_id>/",
        catalog.pricelist_item,
        name="pricelist_item",
    ),
    # Fragments and writes of any kind: /<opportunities|quotes|orders|invoices>/<id>/…
    path("<kind:kind>/<int:pk>/header/", records.document_update, name="document_update"),
    path("<kind:kind>/<int:pk>/lines/", records.lines, name="document_lines"),
    path("<kind:kind>/<int:pk>/timeline/", records.timeline, name="document_timeline"),
    path("<kind:kind>/<int:pk>/lines/<int:line_id>/", records.line_detail, name="document_line"),
    path(
        "<kind:kind>/<int:pk>/lines/<int:line_id>/delete/",
        records.line_delete,
        name="document_line_delete",
    ),
    path("<kind:kind>/bulk/", team.bulk_action, name="document_bulk"),
    path("<kind:kind>/<int:pk>/pdf/", printing.document_pdf, name="document_pdf"),
    path("<kind:kind>/<int:pk>/reassign/", team.reassign, name="document_reassign"),
    path(
        "<kind:kind>/<int:pk>/actions/<slug:name>/",
        records.document_action,
        name="document_action",
    ),
]

# The per-kind names the rest of the project reverses (SalesDocument.get_absolute_url, nav).
for kind, segment in SEGMENTS.items():
    urlpatterns += [
        path(f"{segment}/", lists.document_list, {"kind": kind}, name=f"{kind}_list"),
        path(f"{segment}/new/", records.document_new, {"kind": kind}, name=f"{kind}_new"),
        path(
            f"{segment}/<int:pk>/",
            records.document_detail,
            {"kind": kind},
            name=f"{kind}_detail",
        ),
    ]
