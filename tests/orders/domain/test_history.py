"""Every write that bypasses ``save()`` leaves history: re-pricing, conversions, roll-ups and
the references a delete sets to null. Each row equals the stored row and names the actor."""

from decimal import Decimal

import pytest

from orders.models import PriceListItem, Quote, SalesOrder, SalesOrderLine
from orders.services import (
    document_lock_pricing,
    document_recalculate,
    document_unlock_pricing,
    line_add,
    line_delete,
    line_update,
    opportunity_create_quote,
    quote_activate,
    quote_create_order,
    quote_get_products,
    quote_revise,
    salesorder_create_invoice,
)
from orders.services.documents import document_delete
from settings_app.acting import acting_as
from tests.conftest import set_switch
from tests.orders.factories import (
    CurrencyFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    document_with_lines,
)
from tests.orders.history import HistoryWatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def price_list(db):
    return PriceListFactory(currency=CurrencyFactory())


@pytest.fixture
def products(price_list):
    made = [ProductFactory() for _ in range(3)]
    for n, product in enumerate(made, start=1):
        PriceListItemFactory(price_list=price_list, product=product, amount=Decimal(10 * n))
    return made


def order_for(owner, price_list, products, kind="salesorder"):
    return document_with_lines(
        kind, owner, price_list=price_list, products=products, quantity=Decimal("3")
    )


def assert_history_kept(watch, actor, *expected_models) -> dict:
    changed, problems = watch.check(actor)
    assert problems == []
    for model in expected_models:
        assert model in changed, f"{model.__name__} was expected to change"
    return changed


def test_a_catalog_price_change_leaves_history_on_the_orders_it_reprices(
    salesperson, customizer, price_list, products
):
    order = order_for(salesperson, price_list, products)
    item = PriceListItem.objects.get(price_list=price_list, product=products[0])
    watch = HistoryWatch()
    with acting_as(customizer):
        item.amount = Decimal("99.00")
        item.save()
    changed = assert_history_kept(watch, customizer, SalesOrder, SalesOrderLine)
    assert order.lines.get(product=products[0]).pk in changed[SalesOrderLine]
    line = SalesOrderLine.history.filter(product=products[0]).latest("history_id")
    assert (line.price_per_unit, line.history_user) == (Decimal("99"), customizer)


def test_recalculate_leaves_history_on_every_changed_line_and_the_header(
    salesperson, price_list, products
):
    order = order_for(salesperson, price_list, products)
    PriceListItem.objects.filter(price_list=price_list).update(amount=Decimal("7"))  # no signals
    watch = HistoryWatch()
    document_recalculate(actor=salesperson, document=order)
    changed = assert_history_kept(watch, salesperson, SalesOrder, SalesOrderLine)
    assert len(changed[SalesOrderLine]) == 3
    header = SalesOrder.history.filter(id=order.pk).latest("history_id")
    assert header.total_amount == Decimal("63") and header.history_user == salesperson


def test_use_current_pricing_leaves_history(salesperson, customizer, price_list, products):
    order = order_for(salesperson, price_list, products)
    order = document_lock_pricing(actor=salesperson, document=order)
    with acting_as(customizer):
        for item in PriceListItem.objects.filter(price_list=price_list):
            item.amount += 1
            item.save()  # a locked order is not re-priced
    watch = HistoryWatch()
    document_unlock_pricing(actor=salesperson, document=order)
    changed = assert_history_kept(watch, salesperson, SalesOrder, SalesOrderLine)
    assert len(changed[SalesOrderLine]) == 3


def test_adding_changing_and_removing_a_line_leaves_history_on_the_header(
    salesperson, price_list, products
):
    order = order_for(salesperson, price_list, products[:1])
    watch = HistoryWatch()
    line = line_add(actor=salesperson, document=order, product=products[1], quantity=Decimal(2))
    assert_history_kept(watch, salesperson, SalesOrder, SalesOrderLine)
    watch = HistoryWatch()
    line_update(actor=salesperson, line=line, quantity=Decimal(5))
    assert_history_kept(watch, salesperson, SalesOrder, SalesOrderLine)
    watch = HistoryWatch()
    line_delete(actor=salesperson, line=SalesOrderLine.objects.get(pk=line.pk))
    assert_history_kept(watch, salesperson, SalesOrder, SalesOrderLine)


def test_every_conversion_leaves_history_on_the_new_lines_and_headers(
    salesperson, switch_off, price_list, products
):
    opportunity = order_for(salesperson, price_list, products, kind="opportunity")
    steps = [
        lambda: opportunity_create_quote(actor=salesperson, document=opportunity),
        lambda: quote_get_products(actor=salesperson, document=Quote.objects.get()),
        lambda: quote_activate(actor=salesperson, document=Quote.objects.get()),
        lambda: quote_revise(actor=salesperson, document=Quote.objects.get()),
    ]
    for step in steps:
        watch = HistoryWatch()
        step()
        assert watch.check(salesperson)[1] == []
    revision = Quote.objects.get(revision_number=1)
    quote_activate(actor=salesperson, document=revision)
    watch = HistoryWatch()
    order = quote_create_order(actor=salesperson, document=revision)
    assert_history_kept(watch, salesperson, SalesOrder, SalesOrderLine)
    assert SalesOrderLine.history.filter(document_id=order.pk, history_type="+").count() == 6
    watch = HistoryWatch()
    salesorder_create_invoice(actor=salesperson, document=order)
    assert watch.check(salesperson)[1] == []


def test_a_conversion_whose_calculation_is_skipped_leaves_history(
    integration_user, customizer, price_list, products
):
    quote = order_for(integration_user, price_list, products, kind="quote")
    quote = quote_activate(actor=integration_user, document=quote)
    set_switch(customizer, True)  # the integration user's new order keeps the quote's values
    watch = HistoryWatch()
    order = quote_create_order(actor=integration_user, document=quote)
    assert_history_kept(watch, integration_user, SalesOrder, SalesOrderLine)
    assert order.pricing["decision"] == "skipped"


def test_deleting_a_document_others_refer_to_leaves_history_on_them(
    salesperson, manager, price_list, products
):
    opportunity = order_for(salesperson, price_list, products, kind="opportunity")
    quote = opportunity_create_quote(actor=salesperson, document=opportunity)
    watch = HistoryWatch()
    document_delete(actor=manager, document=opportunity)
    changed = assert_history_kept(watch, manager, Quote)
    assert changed[Quote] == [quote.pk]
    assert Quote.history.filter(id=quote.pk).latest("history_id").opportunity_id is None


def test_deleting_a_user_others_documents_name_leaves_history_on_them(
    salesperson, manager, admin_user, price_list, products
):
    from orders.services import document_update

    order = order_for(salesperson, price_list, products[:1])
    document_update(actor=manager, document=order, name="Checked by the manager")
    watch = HistoryWatch()
    with acting_as(admin_user):
        manager.delete()
    assert_history_kept(watch, admin_user, SalesOrder)
    assert SalesOrder.history.filter(id=order.pk).latest("history_id").modified_by_id is None
