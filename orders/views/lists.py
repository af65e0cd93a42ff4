"""Document lists: filter by state, search, sort, paginate; htmx swaps only the table."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property

from orders import lifecycle
from orders.integration.health import order_back_office_chips
from orders.reports.exports import DOCUMENT_COLUMNS, document_rows
from orders.reports.work import queue_for
from orders.selectors import KeyIn, documents_for, documents_matching
from orders.views.exports import EXPORT_FORMATS, export_response
from orders.views.kinds import kind_context
from orders.views.rows import ListRowWriter
from orders.views.team import team_filters

PAGE_SIZE = 25
# How deep a list pages: past this, a search, a filter or the other sort order finds the rest
# (an OFFSET of 100,000 rows costs what reading them does).
MAX_PAGES = 40
# Past this many matches a list says "10,000+" instead of counting every row.
COUNT_CAP = 10_000

# What a list row shows, and nothing more is read — as named tuples, not model instances (four
# per row with the account, owner and currency cost more than the row's query); a field a kind
# lacks is skipped.
LIST_FIELDS = [
    "pk",
    "number",
    "name",
    "state",
    "status_reason",
    "submit_status_description",
    "last_back_office_submit",
    "total_amount",
    "modified_on",
    "account__name",
    "currency__code",
    "currency__precision",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
]

# Column key → (label, ORDER BY field); a leading "-" in ?sort= reverses.
SORTS = {
    "number": ("Number", "number"),
    "name": ("Name", "name"),
    "account": ("Account", "account_name"),  # the account's name, copied on the document
    "state": ("Status", "state"),
    "total": ("Total", "total_amount"),
    "owner": ("Owner", "owner__username"),
    "modified": ("Modified", "modified_on"),
}
DEFAULT_SORT = "-modified"
# Sorts whose order Python and every database agree on (times and amounts, then the key): a
# search's first page is picked from its matches in Python. Text sorts follow the database's
# collation, so their pages are always ordered by it.
SORTED_IN_PYTHON = {"modified_on", "total_amount"}


def search_cap() -> int:
    """How many matches a search counts: as many as its pages can show."""
    return MAX_PAGES * PAGE_SIZE


def _sort(value: str) -> str:
    return value if value.lstrip("-") in SORTS else DEFAULT_SORT


class CappedPaginator(Paginator):
    """Counts up to ``COUNT_CAP`` matches (never every row of a big table) and pages no deeper
    than ``MAX_PAGES``; ``count_label`` is what the list says ("10,000+"). A page's rows are
    the ``fields`` of its documents, as named tuples."""

    def __init__(
        self, object_list, per_page, *, fields, matches: int | None = None, first_keys=None
    ):
        """``matches``: for a search, how many its capped read found (at most
        ``search_cap() + 1``); that is then the count, and under the cap ``object_list`` is
        just those keys. ``first_keys``: those keys in the list's order, when the search could
        sort them itself; the first page then reads just its own rows."""
        super().__init__(object_list, per_page)
        self.fields = fields
        self.first_keys = first_keys
        self.cap = COUNT_CAP if matches is None else search_cap()
        # A search's known keys: the first page reads those rows directly (a walk of the sort's
        # index for a few scattered keys reads more).
        self.by_known_keys = matches is not None and matches <= self.cap
        if matches is not None:
            self.count = matches

    @cached_property
    def count(self) -> int:
        # Filtered: the planner counts through the filter's index. Unfiltered: along the key,
        # which stops after COUNT_CAP + 1 index entries instead of reading the table.
        filtered = bool(self.object_list.query.where)
        rows = self.object_list.order_by() if filtered else self.object_list.order_by("pk")
        return rows.values("pk")[: COUNT_CAP + 1].count()

    @cached_property
    def num_pages(self) -> int:
        return min(super().num_pages, MAX_PAGES)

    def page(self, number):
        """The page's keys first (an index-only walk of the sort's index, past the skipped rows
        on later pages), then its rows by key: the rows the sort passes over are neither read
        from the table nor joined. A salesperson's last page read 20,000 rows at 100k; the
        first page sorted by owner joined 5,000 rows before its sort kept 25."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if bottom == 0 and self.first_keys is not None:
            # the page's own keys alone, in the list's order (not the matches' keys as well)
            rows = (
                self.object_list.model.objects.filter(KeyIn("pk", self.first_keys[:top]))
                .order_by(*self.object_list.query.order_by)
                .values_list(*self.fields, named=True)
            )
        elif bottom == 0 and self.by_known_keys:
            rows = self.object_list.values_list(*self.fields, named=True)[bottom:top]
        else:
            keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
            rows = self.object_list.filter(pk__in=keys).values_list(*self.fields, named=True)
        return self._get_page(rows, number, self)

    @property
    def count_label(self) -> str:
        return f"{self.cap:,}+" if self.count > self.cap else f"{self.count:,}"

    @property
    def capped(self) -> bool:
        """Whether some rows lie past the last page that may be opened."""
        return self.count > MAX_PAGES * self.per_page


def list_fields(model) -> list[str]:
    names = {"pk", *(field.name for field in model._meta.get_fields())}
    return [name for name in LIST_FIELDS if name.split("__")[0] in names]


@login_required
def document_list(request, kind: str):
    if not request.user.has_perm(f"orders.view_{kind}"):
        raise PermissionDenied
    state = request.GET.get("state", "")
    if state not in lifecycle.LIFECYCLE[kind]:
        state = ""
    query = request.GET.get("q", "").strip()[:100]
    sort = _sort(request.GET.get("sort", DEFAULT_SORT))

    documents = documents_for(request.user, kind)
    documents = documents.select_related("account", "owner", "currency")
    if state:
        documents = documents.filter(state=state)
    work = queue_for(kind, request.GET.get("work", ""))  # a home page card's list
    if work:
        documents = work.select(documents)
    documents, team = team_filters(request, kind, documents)  # My / Team / All, owner
    known_count = first_keys = None
    field = SORTS[sort.lstrip("-")][1]
    direction = "-" if sort.startswith("-") else ""
    if query:
        documents = documents_matching(documents, query)
        # The matches, through the search's own indexes, up to what the list can page (40 pages
        # of 25): a search that finds more says "1,000+" — the rest is reached by a narrower
        # search, not by paging — and reads no more than that. A few: the page reads just
        # those rows by key and sorts them. Many: they are dense, and walking the sort's index
        # finds a page of them at once.
        cap = search_cap()
        in_python = field in SORTED_IN_PYTHON  # each match brings the sort's value: ordered here
        if in_python:
            matches = list(documents.order_by().values_list("pk", field)[: cap + 1])
            matches.sort(key=lambda match: (match[1], match[0]), reverse=bool(direction))
            ids = [pk for pk, _ in matches]
        else:
            ids = list(documents.order_by().values_list("pk", flat=True)[: cap + 1])
        known_count = len(ids)
        if known_count <= cap:
            documents = documents.model.objects.filter(KeyIn("pk", ids))
            first_keys = ids if in_python else None
    # The number is unique: no tie-break, so its index alone gives the order.
    tie_break = [] if field == "number" else [f"{direction}id"]
    documents = documents.order_by(f"{direction}{field}", *tie_break)

    export = request.GET.get("export", "")
    if export in EXPORT_FORMATS:  # what the list shows, every page of it
        stem = kind_context(kind)["kind_plural"].lower().replace(" ", "-")
        return export_response(export, stem, DOCUMENT_COLUMNS, document_rows(documents))
    shown = documents.select_related(None)
    paginator = CappedPaginator(
        shown,
        PAGE_SIZE,
        fields=list_fields(documents.model),
        matches=known_count,
        first_keys=first_keys,
    )
    page = paginator.get_page(request.GET.get("page"))
    chips = {}
    if kind == lifecycle.SALES_ORDER:
        # Where each submitted order is with the back office: two queries for the whole page.
        chips = order_back_office_chips(page)
    columns = [
        {
            "key": key,
            "label": label,
            "num": key == "total",
            "active": sort.lstrip("-") == key,
            "descending": sort == f"-{key}",
            "next_sort": f"-{key}" if sort == key else key,
        }
        for key, (label, _) in SORTS.items()
    ]
    context = {
        **kind_context(kind),
        "page": page,
        # The rows, written in Python (orders.views.rows): the template wrote each one in ~1 ms.
        "rows": ListRowWriter(kind, documents.model, bulk=bool(team.get("bulk"))).rows(page, chips),
        "columns": columns,
        "state": state,
        "work": work,
        **team,
        "states": lifecycle.state_choices(kind),
        "q": query,
        "sort": sort,
        "sort_label": f"{SORTS[sort.lstrip('-')][0].lower()}, "
        + ("descending" if sort.startswith("-") else "ascending"),
        "can_add": request.user.has_perm(f"orders.add_{kind}"),
    }
    template = "orders/document_list.html"
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        template += "#table"
    response = render(request, template, context)
    # the same address answers a page or a fragment: caches must keep them apart
    patch_vary_headers(response, ["HX-Request"])
    return response
