"""Benchmarks, not tests of speed: they print timings and query counts for `make bench` and
assert only what must hold (the query count does not grow). Deselected from `make test`."""

import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import PriceListItem
from orders.services import document_recalculate, line_add
from tests.orders.domain.test_query_budget import order_with_lines

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]
SEEN: dict[str, tuple[int, int]] = {}


@pytest.mark.parametrize("size", [1, 50, 500, 2000])
def test_recalculate_and_add_a_line(salesperson, size):
    order = order_with_lines(salesperson, size)
    document_recalculate(actor=salesperson, document=order)
    # A catalog change makes every line change on the next recalculation.
    PriceListItem.objects.filter(price_list=order.price_list).update(amount=Decimal("11.00"))
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as recalculate:
        document_recalculate(actor=salesperson, document=order)
    recalculate_ms = (time.perf_counter() - started) * 1000
    product = order.lines.first().product
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as add:
        line_add(actor=salesperson, document=order, product=product, quantity=Decimal("2"))
    add_ms = (time.perf_counter() - started) * 1000
    print(
        f"\n{connection.vendor:10} {size:5} lines: recalculate {recalculate_ms:7.1f} ms "
        f"({len(recalculate)} queries), add a line {add_ms:5.1f} ms ({len(add)} queries)"
    )
    first = SEEN.setdefault("counts", (len(recalculate), len(add)))
    assert (len(recalculate), len(add)) == first  # the same for every size
