"""Charts: the figures are right, and the SVG is accessible and CSP-clean."""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from orders.models import AuditEntry, Delivery, Endpoint
from orders.reports import charts
from orders.services.documents import document_update
from orders.services.transitions import salesorder_fulfill, salesorder_submit
from tests.conftest import set_switch


def test_order_value_by_state_sums_the_orders_the_user_sees(
    manager, salesperson, other_salesperson, make_document
):
    make_document("salesorder", salesperson, lines=1)  # 20.00
    make_document("salesorder", other_salesperson, lines=2)  # 60.00
    figures = charts.order_value_by_state(salesperson)
    assert dict(figures.rows)["Active"] == [20.0]
    assert dict(charts.order_value_by_state(manager).rows)["Active"] == [80.0]
    assert figures.unit == "USD"


def test_orders_per_week_and_the_median_hours_to_acknowledged_and_fulfilled(
    manager, integration_user, customizer, make_document
):
    set_switch(customizer, True)
    orders = [
        salesorder_submit(actor=manager, document=make_document("salesorder", manager, lines=1))
        for _ in range(3)
    ]
    submitted_at = timezone.now()
    for hours, order in zip((2, 4, 6), orders, strict=True):
        AuditEntry.objects.filter(document_id=order.pk, action="submit").update(at=submitted_at)
        document_update(
            actor=integration_user,
            document=order,
            last_back_office_submit=submitted_at + timedelta(hours=hours),
        )
    fulfilled = salesorder_fulfill(actor=manager, document=orders[0], status_reason="complete")
    AuditEntry.objects.filter(document_id=fulfilled.pk, action="fulfill").update(
        at=submitted_at + timedelta(hours=10)
    )
    per_week, times = charts.orders_per_week(manager)
    assert per_week.series[0][1][-1] == 3 and sum(per_week.series[0][1]) == 3
    assert times.rows[-1][1] == [4.0, 10.0]
    assert times.rows[0][1] == [None, None]


def test_deliveries_per_day_by_outcome(customizer, manager, make_document):
    set_switch(customizer, True)
    Endpoint.objects.create(url="https://back-office.example/hooks", secret="whsec_x")
    for _ in range(2):
        salesorder_submit(actor=manager, document=make_document("salesorder", manager, lines=1))
    Delivery.objects.filter(pk=Delivery.objects.first().pk).update(status=Delivery.Status.FAILING)
    rows = dict(charts.deliveries_per_day().rows)
    today = timezone.localdate().strftime("%d %b")
    assert rows[today] == [0, 1, 1, 0]  # delivered, waiting, failing, failed


def test_home_charts_are_accessible_svg_without_script_and_with_the_pages_nonce(
    client, manager, make_document
):
    make_document("salesorder", manager, lines=1)
    client.force_login(manager)
    response = client.get("/")
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    svgs = re.findall(r"<svg role=\"img\".*?</svg>", html, re.DOTALL)
    assert len(svgs) == 3
    for svg in svgs:
        assert "<script" not in svg and ' style="' not in svg
        assert f'<style nonce="{nonce}">' in svg
        ident = re.search(r'aria-labelledby="(chart-[\w-]+)-title', svg).group(1)
        assert f'<title id="{ident}-title">' in svg and f'<desc id="{ident}-desc">' in svg
    assert "Show the figures as a table" in html
    assert "kozea.github.io" not in html and "cdn" not in html.lower()


def test_the_integration_page_shows_the_deliveries_chart(client, customizer, switch_on):
    client.force_login(customizer)
    html = client.get("/app-settings/integration/").content.decode()
    assert "Deliveries to the back office per day" in html
    assert 'aria-labelledby="chart-deliveries-per-day-title' in html


def test_money_totals_are_floats_of_decimals(salesperson, make_document):
    make_document("salesorder", salesperson, lines=1)
    assert isinstance(charts.order_value_by_state(salesperson).series[0][1][0], float)
    assert Decimal("20.00") == Decimal(str(charts.order_value_by_state(salesperson).rows[0][1][0]))
