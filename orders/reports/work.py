"""The work queues of the home page: what needs someone's attention, per role.

A queue is a named filter over one document kind. The home page shows each queue the user has
as a card (count and the first few records); the card links to the list filtered by the same
queue (``?work=<key>``), so the card and the list can never disagree.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Substr

from orders import lifecycle
from orders.models import ChangeRequest, Delivery
from orders.rules import is_integration_user
from orders.selectors import documents_for
from settings_app.models import Organization

SHOWN = 5


def _returned(documents: QuerySet) -> QuerySet:
    # Reject moves a submitted order back to Active · Pending and keeps the back office's reason.
    return documents.filter(state="active", status_reason="pending").exclude(
        submit_status_description=""
    )


def _not_submitted(documents: QuerySet) -> QuerySet:
    return documents.filter(state="active").exclude(
        Q(status_reason="pending") & ~Q(submit_status_description="")
    )


def _delivery_failing(documents: QuerySet) -> QuerySet:
    # The outbox groups an order's events under "salesorder:<pk>" (its ordering key): the
    # orders with a stuck delivery are read from the deliveries' status (the few undelivered
    # rows, through their partial index), never by testing every submitted order (15,000 of
    # them at 100,000 orders).
    stuck = [Delivery.Status.FAILING, Delivery.Status.DEAD]
    stuck_orders = (
        Delivery.objects.filter(status__in=stuck, ordering_key__startswith="salesorder:")
        .annotate(order_pk=Cast(Substr("ordering_key", len("salesorder:") + 1), BigIntegerField()))
        .values("order_pk")
    )
    return documents.filter(state="submitted", pk__in=stuck_orders)


def _change_requested(documents: QuerySet) -> QuerySet:
    # Submitted orders with a change request the back office has not answered yet, with its note.
    open_requests = ChangeRequest.objects.filter(
        order=OuterRef("pk"), state=ChangeRequest.State.OPEN
    )
    return documents.filter(Exists(open_requests), state="submitted").annotate(
        change_note=Subquery(open_requests.values("note")[:1]),
        change_on=Subquery(open_requests.values("requested_on")[:1]),
    )


def _change_declined(documents: QuerySet) -> QuerySet:
    # Submitted orders whose latest change request the back office declined, with its reason.
    latest = ChangeRequest.objects.filter(order=OuterRef("pk")).order_by("-requested_on", "-id")
    # Only orders with a declined request are candidates: the latest request is then read for
    # those few, not for every submitted order.
    declined = ChangeRequest.objects.filter(state=ChangeRequest.State.DECLINED).values("order_id")
    return (
        documents.filter(state="submitted", pk__in=declined)
        .annotate(
            change_state=Subquery(latest.values("state")[:1]),
            change_note=Subquery(latest.values("note")[:1]),
            change_reason=Subquery(latest.values("decline_reason")[:1]),
        )
        .filter(change_state=ChangeRequest.State.DECLINED)
    )


@dataclass(frozen=True)
class WorkQueue:
    key: str
    kind: str
    title: str
    empty: str
    select: Callable[[QuerySet], QuerySet]
    order_by: tuple[str, ...] = ("-modified_on", "-id")
    # what each record of the card says besides number, name and account
    note: str = ""  # "reason", "waiting", "acknowledged", "change", "declined"
    title_when_off: str = ""  # the title while the integration is off, if it differs


QUEUES: dict[str, WorkQueue] = {
    queue.key: queue
    for queue in [
        WorkQueue(
            "returned",
            lifecycle.SALES_ORDER,
            "Returned by the back office",
            "No order was returned.",
            _returned,
            note="reason",
        ),
        WorkQueue(
            "change_requested",
            lifecycle.SALES_ORDER,
            "Change requested",
            "No change request waits for the back office.",
            _change_requested,
            note="change",
        ),
        WorkQueue(
            "change_declined",
            lifecycle.SALES_ORDER,
            "Change declined",
            "No change request was declined.",
            _change_declined,
            note="declined",
        ),
        WorkQueue(
            "change_requests",
            lifecycle.SALES_ORDER,
            "Change requests",
            "No change request waits for an answer.",
            _change_requested,
            order_by=("submitted_on", "id"),
            note="change",
        ),
        WorkQueue(
            "waiting",
            lifecycle.SALES_ORDER,
            "Submitted, waiting for the back office",
            "No order is waiting.",
            lambda documents: documents.filter(state="submitted"),
            order_by=("submitted_on", "id"),
            note="waiting",
        ),
        WorkQueue(
            "failing",
            lifecycle.SALES_ORDER,
            "Delivery to the back office failing",
            "Every submitted order reached the back office.",
            _delivery_failing,
            order_by=("submitted_on", "id"),
            note="waiting",
        ),
        WorkQueue(
            "not_submitted",
            lifecycle.SALES_ORDER,
            "Active, not yet submitted",
            "No active order.",
            _not_submitted,
            title_when_off="Active orders",
        ),
        WorkQueue(
            "unacknowledged",
            lifecycle.SALES_ORDER,
            "Submitted, not yet acknowledged",
            "Every submitted order is acknowledged.",
            lambda documents: documents.filter(
                state="submitted", last_back_office_submit__isnull=True
            ),
            order_by=("submitted_on", "id"),
            note="waiting",
        ),
        WorkQueue(
            "acknowledged",
            lifecycle.SALES_ORDER,
            "Acknowledged, not yet fulfilled",
            "No acknowledged order is open.",
            lambda documents: documents.filter(
                state="submitted", last_back_office_submit__isnull=False
            ),
            order_by=("last_back_office_submit", "id"),
            note="acknowledged",
        ),
        WorkQueue(
            "open_opportunities",
            lifecycle.OPPORTUNITY,
            "Open opportunities",
            "No open opportunity.",
            lambda documents: documents.filter(state="open"),
        ),
        WorkQueue(
            "draft_quotes",
            lifecycle.QUOTE,
            "Draft quotes",
            "No draft quote.",
            lambda documents: documents.filter(state="draft"),
        ),
    ]
}

SALES_QUEUES = [
    "returned",
    "change_requested",
    "change_declined",
    "waiting",
    "failing",
    "not_submitted",
    "open_opportunities",
    "draft_quotes",
]
# The back office's account works the orders it was sent.
INTEGRATION_QUEUES = ["unacknowledged", "change_requests", "acknowledged", "failing"]


def queue_for(kind: str, key: str) -> WorkQueue | None:
    """The queue ``key`` if it lists documents of ``kind`` (None for anything else)."""
    queue = QUEUES.get(key)
    return queue if queue is not None and queue.kind == kind else None


def work_queues_for(user) -> list[WorkQueue]:
    keys = INTEGRATION_QUEUES if is_integration_user(user) else SALES_QUEUES
    return [QUEUES[key] for key in keys if user.has_perm(f"orders.view_{QUEUES[key].kind}")]


@dataclass(frozen=True)
class WorkCard:
    queue: WorkQueue
    title: str
    count: int
    records: list
    team: bool  # the user sees everyone's documents: each record says whose it is

    @property
    def count_label(self) -> str:
        """The count as the card says it: past ``COUNT_CAP``, "1,000+"."""
        return f"{COUNT_CAP:,}+" if self.count > COUNT_CAP else str(self.count)


COUNT_CAP = 1_000


def _first_records(documents: QuerySet, order_by: tuple[str, ...]) -> list:
    """The first ``SHOWN`` records in the queue's order, in one query: their keys in a
    sub-select of their own (the sort walks an index, or sorts keys alone), then those few rows
    with their account and owner — not every match joined and sorted whole (2,236 stuck orders
    at 100,000)."""
    first = documents.order_by(*order_by).values("pk")[:SHOWN]
    rows = documents.filter(pk__in=Subquery(first)).select_related("account", "owner")
    return list(rows.order_by(*order_by))


def work_cards(user) -> list[WorkCard]:
    """The home page's cards for ``user``: two queries a card (count and first records)."""
    team = user.has_perm("orders.view_all_documents")
    switch_on = Organization.load().is_sop_integration_enabled
    cards = []
    for queue in work_queues_for(user):
        documents = queue.select(documents_for(user, queue.kind))
        cards.append(
            WorkCard(
                queue=queue,
                title=queue.title if switch_on else (queue.title_when_off or queue.title),
                # Counted up to the cap, never every row of a big table.
                count=documents.order_by().values("pk")[: COUNT_CAP + 1].count(),
                records=_first_records(documents, queue.order_by),
                team=team,
            )
        )
    return cards
