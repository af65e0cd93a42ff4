"""The charts' cache (orders.reports.charts, docs/decisions.md): once computed, a chart costs one
query; after any committed change of the rows it reads — through a service, a line's totals,
a delete, the delivery worker — it equals a direct aggregate again, for a manager (every
order) and a salesperson (their own)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db.models import Count, Sum
from django.utils import timezone

from orders import lifecycle
from orders.integration.delivery import claim_due, record_outcomes
from orders.integration.transport import Outcome
from orders.models import Delivery, Endpoint, SalesOrder
from orders.reports import charts
from orders.services.assignment import document_reassign
from orders.services.documents import document_delete, line_add, line_delete
from orders.services.transitions import perform
from tests.conftest import set_switch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def direct_value_by_state(owner=None) -> dict:
    """{currency: [total per state]} straight from the orders table."""
    orders = SalesOrder.objects.all() if owner is None else SalesOrder.objects.filter(owner=owner)
    sums = {}
    for row in orders.values("state", "currency__code").annotate(t=Sum("total_amount")):
        sums.setdefault(row["currency__code"], {})[row["state"]] = float(row["t"])
    states = [state for state, _ in lifecycle.state_choices(lifecycle.SALES_ORDER)]
    return {code: [by.get(state, 0.0) for state in states] for code, by in sums.items()}


def direct_deliveries_today() -> list[int]:
    counts = dict(Delivery.objects.values_list("status").annotate(n=Count("id")))
    return [counts.get(status, 0) for status, _ in charts.DELIVERY_OUTCOMES]


def shown_value(user) -> dict:
    return dict(charts.order_value_by_state(user).series)


def assert_right(manager, salesperson):
    """The cached charts equal the direct aggregates and a fresh computation."""
    assert shown_value(manager) == direct_value_by_state()
    assert shown_value(salesperson) == direct_value_by_state(salesperson)
    assert charts.orders_per_week(manager) == charts._orders_per_week(manager, weeks=charts.WEEKS)
    assert charts.orders_per_week(salesperson) == charts._orders_per_week(
        salesperson, weeks=charts.WEEKS
    )


def test_a_computed_chart_costs_one_query(manager, make_document, django_assert_num_queries):
    make_document("salesorder", manager, lines=2)
    first = charts.order_value_by_state(manager)
    with django_assert_num_queries(1):  # the token; the figures come from the cache
        assert charts.order_value_by_state(manager) == first


def test_order_charts_stay_exact_through_a_series_of_changes(
    manager, salesperson, other_salesperson, customizer, make_document, catalog
):
    set_switch(customizer, True)
    mine = make_document("salesorder", salesperson, lines=1)
    theirs = make_document("salesorder", other_salesperson, lines=2)
    draft = make_document("salesorder", salesperson, lines=1)
    assert_right(manager, salesperson)
    assert shown_value(manager) != {}

    # A line added: the header's totals are written without a save.
    line_add(actor=salesperson, document=mine, product=catalog["products"][1], quantity=3)
    assert_right(manager, salesperson)

    # A line removed.
    line_delete(actor=other_salesperson, line=theirs.lines.first())
    assert_right(manager, salesperson)

    # Transitions: submit (an audit entry, a state), then fulfil.
    mine = perform("submit", actor=salesperson, document=mine)
    assert_right(manager, salesperson)
    perform("fulfill", actor=manager, document=mine, status_reason="complete")
    assert_right(manager, salesperson)

    # The owner changes: the salesperson's chart gains the order.
    theirs.refresh_from_db()
    document_reassign(actor=manager, document=theirs, owner=salesperson)
    assert_right(manager, salesperson)

    # A draft deleted.
    draft.refresh_from_db()
    document_delete(actor=manager, document=draft)
    assert_right(manager, salesperson)
    assert SalesOrder.objects.count() == 2


def test_the_deliveries_chart_follows_the_worker(customizer, manager, make_document):
    set_switch(customizer, True)
    Endpoint.objects.create(url="https://back-office.example/hooks", secret="whsec_x")
    for _ in range(3):
        perform(
            "submit",
            actor=manager,
            document=make_document("salesorder", manager, lines=1),
        )
    today = timezone.localdate().strftime("%d %b")
    assert (
        dict(charts.deliveries_per_day().rows)[today] == direct_deliveries_today() == [0, 3, 0, 0]
    )

    # The worker writes outcomes with raw SQL (no signals): the chart still moves.
    claims = claim_due(limit=2)
    now = timezone.now()
    record_outcomes(
        [
            (claims[0], Outcome(True, 200, "", 5), now),
            (claims[1], Outcome(False, 500, "HTTP 500", 5), now),
        ],
        now=now,
    )
    assert (
        dict(charts.deliveries_per_day().rows)[today] == direct_deliveries_today() == [1, 1, 1, 0]
    )

    # A new submit: its deliveries are inserted in bulk (no signals either).
    perform("submit", actor=manager, document=make_document("salesorder", manager, lines=1))
    assert (
        dict(charts.deliveries_per_day().rows)[today] == direct_deliveries_today() == [1, 2, 1, 0]
    )

    # The admin's kind of write: a save.
    failing = Delivery.objects.get(status=Delivery.Status.FAILING)
    failing.status = Delivery.Status.DEAD
    failing.save()
    assert (
        dict(charts.deliveries_per_day().rows)[today] == direct_deliveries_today() == [1, 2, 0, 1]
    )


def test_a_new_day_is_a_new_key(manager, make_document, monkeypatch):
    make_document("salesorder", manager, lines=1)
    charts.orders_per_week(manager)
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(charts.timezone, "localdate", lambda: tomorrow)
    fresh = charts._orders_per_week(manager, weeks=charts.WEEKS)
    assert charts.orders_per_week(manager) == fresh
