"""The order page against its floor, and a line change at 1,000 lines against 1 line (issue 12
point 2). A benchmark, not a timed test: it prints a table for `make bench` and asserts only
what must hold whatever the machine (query counts, one row per line change). `make test`
checks the same facts in tests/orders/views/test_record_lines.py.

The floor is a throwaway view that lives here, not in the product: one raw SQL query for the
same rows and a plain Django template of the same columns, behind the same middleware and
sign-in as the page. Timings are medians of interleaved rounds (every measured request once
per round, in a shuffled order), so a slow moment of the machine falls on all of them alike.
"""

import random
import statistics
import time

import pytest
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.template import Template, engines
from django.test import Client
from django.test.utils import CaptureQueriesContext, _TestState
from django.urls import include, path, reverse

from orders.models import SalesOrderLine
from tests.orders.views.helpers import HX, build_catalog, build_document

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

ROUNDS = 21
# bytes of HTML per line before this work (commit bfa5318, the same rows; docs/benchmarks.md)
BYTES_PER_LINE_BEFORE = 1466

FLOOR_SQL = """
SELECT l.line_number, p.number, p.name, l.write_in_product, u.name, l.quantity,
       l.price_per_unit, l.volume_discount_amount, l.manual_discount_amount, l.tax,
       l.extended_amount
FROM orders_salesorderline l
LEFT JOIN orders_product p ON p.id = l.product_id
LEFT JOIN orders_unit u ON u.id = l.unit_id
WHERE l.document_id = %s
ORDER BY l.line_number, l.id
"""
FLOOR_TEMPLATE = engines["django"].from_string(
    "<!doctype html><title>floor</title><table><thead><tr><th>#</th><th>Product</th>"
    "<th>Unit</th><th>Quantity</th><th>Price per unit</th><th>Volume discount</th>"
    "<th>Discount</th><th>Tax</th><th>Extended amount</th></tr></thead><tbody>"
    "{% for n, number, name, write_in, unit, quantity, price, volume, discount, tax, extended"
    " in rows %}<tr><td>{{ n }}</td><td>{{ number }} {{ name }}{{ write_in }}</td>"
    "<td>{{ unit }}</td><td>{{ quantity }}</td><td>{{ price }}</td><td>{{ volume }}</td>"
    "<td>{{ discount }}</td><td>{{ tax }}</td><td>{{ extended }}</td></tr>{% endfor %}"
    "</tbody></table>"
)


@login_required
def floor(request, pk):
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [pk])
        rows = cursor.fetchall()
    return HttpResponse(FLOOR_TEMPLATE.render({"rows": rows}, request))


urlpatterns = [path("bench-floor/<int:pk>/", floor), path("", include("sopsite.urls"))]


def order_of(size, catalog, owner):
    """An order of ``size`` lines priced as the page would price them: the first through the
    services, the rest copies of it (with its pricing words) in one insert."""
    order = build_document(catalog, "salesorder", owner, lines=1)
    first = order.lines.get()
    products = catalog["products"]
    SalesOrderLine.objects.bulk_create(
        SalesOrderLine(
            document=order,
            line_number=n + 2,
            product=products[n % len(products)],
            unit=first.unit,
            quantity=first.quantity,
            price_per_unit=first.price_per_unit,
            base_amount=first.base_amount,
            extended_amount=first.extended_amount,
            pricing=first.pricing,
        )
        for n in range(size - 1)
    )
    return order


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def interleaved(calls: dict, rounds: int = ROUNDS) -> dict[str, float]:
    """Median milliseconds of each call, the calls shuffled in every round."""
    seen: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():
        call()  # warm: templates, content types, the session
    for _ in range(rounds):
        order = list(calls)
        random.shuffle(order)
        for name in order:
            seen[name].append(timed(calls[name]))
    return {name: statistics.median(times) for name, times in seen.items()}


@pytest.fixture
def production_rendering(monkeypatch):
    """Templates render as in production. The test environment wraps every template render to
    send a signal with a copy of its context (for assertTemplateUsed); that costs a page of
    ninety small templates (form widgets, includes) far more than the floor's one."""
    monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)


def test_order_page_and_line_changes(
    client, salesperson, manager, settings, production_rendering, bench_table
):
    settings.ROOT_URLCONF = __name__
    catalog = build_catalog()
    # the salesperson who owns the orders: the page's everyday reader
    client.force_login(salesperson)
    orders = {size: order_of(size, catalog, salesperson) for size in (1, 200, 1000)}

    managers = Client()
    managers.force_login(manager)  # a manager's page adds the owner's reassign form

    def page(order, reader=client):
        def get():
            response = reader.get(order.get_absolute_url())
            assert response.status_code == 200

        return get

    def floor_of(order):
        def get():
            response = client.get(f"/bench-floor/{order.pk}/")
            assert response.status_code == 200

        return get

    def edit(order):
        line = order.lines.order_by("line_number").first()
        url = reverse("document_line", args=["salesorder", order.pk, line.pk])
        prefix = f"line{line.pk}"
        quantities = iter(["2", "3"] * (ROUNDS + 2))

        def post():
            data = {f"{prefix}-product": line.product_id, f"{prefix}-quantity": next(quantities)}
            response = client.post(url, data, **HX)
            assert response.status_code == 200
            assert response.content.count(b"<tr") == 1  # the changed row only

        return post

    def add_then_remove(order):
        """Add a line, then remove it: two line changes, the order the same size after."""
        add_url = reverse("document_lines", args=["salesorder", order.pk])
        product = catalog["products"][2].pk

        def post():
            added = client.post(add_url, {"new-product": product, "new-quantity": "1"}, **HX)
            assert added.status_code == 200 and added.content.count(b'<tr id="line-') == 1
            line = order.lines.order_by("-line_number").values_list("pk", flat=True)[0]
            removed = client.post(
                reverse("document_line_delete", args=["salesorder", order.pk, line]), **HX
            )
            assert removed.status_code == 200 and b"<tr" not in removed.content

        return post

    pages = interleaved(
        {
            "page 200": page(orders[200]),
            "page 200, manager": page(orders[200], managers),
            "floor 200": floor_of(orders[200]),
            "page 1000": page(orders[1000]),
            "floor 1000": floor_of(orders[1000]),
        }
    )
    changes = interleaved(
        {
            "edit 1": edit(orders[1]),
            "edit 1000": edit(orders[1000]),
            "add+remove 1": add_then_remove(orders[1]),
            "add+remove 1000": add_then_remove(orders[1000]),
        }
    )

    sizes = {size: len(client.get(orders[size].get_absolute_url()).content) for size in (1, 1000)}
    per_line = (sizes[1000] - sizes[1]) / 999
    with CaptureQueriesContext(connection) as one:
        edit(orders[1])()
    with CaptureQueriesContext(connection) as thousand:
        edit(orders[1000])()
    assert len(one) == len(thousand)  # a line change reads nothing per line

    def ratio(a, b):
        return a / b

    rows = [
        ("order page, 200 lines / floor", pages["page 200"], pages["floor 200"], 2.0),
        (
            "  the same, read by a manager",
            pages["page 200, manager"],
            pages["floor 200"],
            2.0,
        ),
        ("order page, 1000 lines / floor", pages["page 1000"], pages["floor 1000"], 1.6),
        ("line edit, 1000 / 1 lines", changes["edit 1000"], changes["edit 1"], 1.3),
        (
            "line add + remove, 1000 / 1 lines",
            changes["add+remove 1000"],
            changes["add+remove 1"],
            1.3,
        ),
    ]
    out = [
        "",
        f"Order page ({connection.vendor}; medians of {ROUNDS} interleaved rounds)",
        f"{'what':38} {'measured':>10} {'baseline':>10} {'ratio':>6} {'target':>7}",
    ]
    for what, measured, baseline, target in rows:
        value = ratio(measured, baseline)
        flag = "ok" if value <= target else "OVER"
        bench_table.add(
            what,
            f"{measured:.1f} ms",
            f"{baseline:.1f} ms",
            value,
            f"≤ {target:.1f}×",
            value <= target,
        )
        out.append(
            f"{what:38} {measured:8.1f}ms {baseline:8.1f}ms {value:5.2f}× ≤{target:.1f}× {flag}"
        )
    smaller = 1 - per_line / BYTES_PER_LINE_BEFORE
    out.append(
        f"{'HTML per line, now / before':38} {per_line:8.0f} B {BYTES_PER_LINE_BEFORE:8.0f} B "
        f"{per_line / BYTES_PER_LINE_BEFORE:5.2f}× {smaller:6.0%} smaller (target ≥ 40 %)"
    )
    out.append(
        f"{'page at 1000 lines':38} {sizes[1000] / 1e6:7.2f} MB; "
        f"line change {len(one)} queries at 1 and at 1000 lines"
    )
    bench_table.add(
        "HTML per line, now / before",
        f"{per_line:.0f} B",
        f"{BYTES_PER_LINE_BEFORE:.0f} B",
        per_line / BYTES_PER_LINE_BEFORE,
        "≤ 0.60×",
        smaller >= 0.40,
    )
    print("\n".join(out))
