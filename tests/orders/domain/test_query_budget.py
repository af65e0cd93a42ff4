"""Recalculating is a constant number of queries; one line's change does not load every line."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import PriceListItem, SalesOrderLine
from orders.services import document_create, document_recalculate, line_add, line_update
from tests.orders.factories import PriceListItemFactory, ProductFactory

pytestmark = pytest.mark.django_db


def order_with_lines(actor, count: int):
    item = PriceListItemFactory(amount=Decimal("10.00"))
    products = [item.product] + [ProductFactory() for _ in range(min(count, 5) - 1)]
    for product in products[1:]:
        PriceListItem.objects.create(
            price_list=item.price_list, product=product, unit=product.default_unit, amount=7
        )
    order = document_create(actor=actor, kind="salesorder", name="Big", price_list=item.price_list)
    SalesOrderLine.objects.bulk_create(
        SalesOrderLine(
            document=order,
            line_number=n + 1,
            product=products[n % len(products)],
            unit=products[n % len(products)].default_unit,
            quantity=Decimal(n % 7 + 1),
        )
        for n in range(count)
    )
    return order


def queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_recalculate_runs_the_same_queries_for_1_50_and_500_lines(salesperson):
    counts = {}
    for size in (1, 50, 500):
        order = order_with_lines(salesperson, size)
        counts[size] = queries(lambda o=order: document_recalculate(actor=salesperson, document=o))
        order.refresh_from_db()
        expected = sum(line.base_amount for line in order.lines.all())
        assert order.total_amount == expected > 0
    # Savepoint, the locked order, the organization (twice), lines, items, one UPDATE run for
    # every changed line and one INSERT of their history rows, the sum, the header's UPDATE and
    # its history row, the audit entry, the re-read, release.
    assert counts[1] == counts[50] == counts[500] == 14, counts


def test_adding_or_changing_one_line_does_not_load_every_line(salesperson):
    counts = {}
    for size in (1, 200):
        order = order_with_lines(salesperson, size)
        product = order.lines.first().product
        add = queries(
            lambda o=order, p=product: line_add(
                actor=salesperson, document=o, product=p, quantity=Decimal("2")
            )
        )
        line = order.lines.order_by("line_number").first()
        change = queries(
            lambda ln=line: line_update(actor=salesperson, line=ln, quantity=Decimal("3"))
        )
        counts[size] = (add, change)
    # Each ends with the roll-up: one sum, one UPDATE of the header and one history row.
    assert counts[1] == counts[200] == (14, 15), counts


def test_header_discount_larger_than_the_lines_is_refused(salesperson):
    from django.core.exceptions import ValidationError

    from orders.services import document_update

    order = order_with_lines(salesperson, 1)
    document_recalculate(actor=salesperson, document=order)
    order.refresh_from_db()
    before = (order.version, order.total_amount)
    with pytest.raises(ValidationError) as error:
        document_update(actor=salesperson, document=order, discount_amount=Decimal("5000"))
    assert "discount_amount" in error.value.message_dict
    order.refresh_from_db()
    assert (order.version, order.total_amount) == before


def test_only_a_manager_gives_a_document_to_another_owner(salesperson, other_salesperson, manager):
    from orders.services import document_create, document_update
    from settings_app.errors import PermissionRefused

    with pytest.raises(PermissionRefused) as error:
        document_create(actor=salesperson, kind="opportunity", name="X", owner=other_salesperson)
    assert error.value.code == "owner_change"
    mine = order_with_lines(salesperson, 1)
    with pytest.raises(PermissionRefused):
        document_update(actor=salesperson, document=mine, owner=other_salesperson)
    document_update(actor=salesperson, document=mine, owner=salesperson)  # unchanged: fine
    document_update(actor=manager, document=mine, owner=other_salesperson)
    mine.refresh_from_db()
    assert mine.owner == other_salesperson
