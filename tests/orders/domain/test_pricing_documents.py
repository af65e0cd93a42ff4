"""docs/rules.md#price-calculation through the services, with the database: prices from the
price list, volume discounts, the price lock, re-pricing, conversions and the provenance of
every value."""

from decimal import Decimal

import pytest

from orders.models import DiscountBand, InvoiceLine, QuoteLine, SalesOrderLine
from orders.services import (
    document_lock_pricing,
    document_recalculate,
    document_unlock_pricing,
    document_update,
    line_add,
    line_delete,
    line_update,
    opportunity_create_quote,
    quote_activate,
    quote_create_order,
    quote_get_products,
    salesorder_create_invoice,
    salesorder_submit,
)
from settings_app.acting import acting_as
from settings_app.services import organization_update_settings
from tests.orders.factories import (
    CurrencyFactory,
    DiscountBandFactory,
    DiscountListFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    document_with_lines,
)

D = Decimal


@pytest.fixture
def price_list(db):
    return PriceListFactory(name="Retail", currency=CurrencyFactory())


@pytest.fixture
def widget(price_list):
    """A product at 100.00 a unit (currency amount)."""
    product = ProductFactory(name="Widget", list_price=D("120.00"))
    PriceListItemFactory(price_list=price_list, product=product, amount=D("100.00"))
    return product


@pytest.fixture
def discount_list(db):
    """5 % from 10 to 19 units, 10 % from 20 to 99."""
    discounts = DiscountListFactory(name="Volume")
    DiscountBandFactory(
        discount_list=discounts, from_quantity=D("10"), to_quantity=D("19"), value=D("5")
    )
    DiscountBandFactory(
        discount_list=discounts, from_quantity=D("20"), to_quantity=D("99"), value=D("10")
    )
    return discounts


@pytest.fixture
def gadget(price_list, discount_list):
    """A product at 100.00 a unit with the volume discount list."""
    product = ProductFactory(name="Gadget")
    PriceListItemFactory(
        price_list=price_list, product=product, amount=D("100.00"), discount_list=discount_list
    )
    return product


def item_of(product, price_list):
    return product.price_list_items.get(price_list=price_list)


def change_item(product, price_list, actor, **values):
    """A catalog change saved the way the catalog pages save it (PriceListItem.save())."""
    item = item_of(product, price_list)
    for name, value in values.items():
        setattr(item, name, value)
    with acting_as(actor):
        item.save()
    return item


def only_line(document):
    return document.lines.get()


def new_document(kind, owner, price_list, **fields):
    return document_with_lines(kind, owner, price_list=price_list, **fields)


# --- a line's price from the price list item ------------------------------------------------------


@pytest.mark.parametrize("kind", ["opportunity", "quote", "salesorder", "invoice"])
def test_line_price_comes_from_the_price_list_item(kind, salesperson, price_list, widget):
    document = new_document(kind, salesperson, price_list, products=[widget], quantity=D("3"))
    line = only_line(document)
    assert line.price_per_unit == D("100.00")
    assert line.base_amount == D("300.00")
    assert line.extended_amount == D("300.00")
    assert line.unit == widget.default_unit
    assert document.total_amount == D("300.00")
    assert line.pricing["decision"] == "computed"
    assert line.pricing["price_source"] == "price_list"
    assert line.pricing["price_list_item"] == item_of(widget, price_list).pk
    assert "Retail" in line.pricing["price_note"]


@pytest.mark.parametrize(
    ("method", "percentage", "expected"),
    [
        ("percent_of_list", "90", "108.00"),  # 120 × 90 %
        ("markup_current_cost", "50", "90.00"),  # 60 × 1.5
        ("markup_standard_cost", "50", "75.00"),  # 50 × 1.5
        ("margin_current_cost", "40", "100.00"),  # 60 + 60 × 40 % ÷ 60 %
        ("margin_standard_cost", "50", "100.00"),  # 50 + 50 × 50 % ÷ 50 %
    ],
)
def test_line_price_follows_the_items_pricing_method(
    salesperson, price_list, method, percentage, expected
):
    product = ProductFactory(list_price=D("120"), current_cost=D("60"), standard_cost=D("50"))
    PriceListItemFactory(
        price_list=price_list, product=product, pricing_method=method, percentage=D(percentage)
    )
    order = new_document("salesorder", salesperson, price_list, products=[product])
    line = only_line(order)
    assert line.price_per_unit == D(expected)
    assert line.pricing["pricing_method"] == method


def test_line_price_uses_the_item_rounding(salesperson, price_list):
    product = ProductFactory(list_price=D("200"))
    PriceListItemFactory(
        price_list=price_list,
        product=product,
        pricing_method="percent_of_list",
        percentage=D("61.7"),  # 123.40
        rounding_policy="down",
        rounding_option="ends_in",
        rounding_amount=D("0.99"),
    )
    order = new_document("salesorder", salesperson, price_list, products=[product])
    assert only_line(order).price_per_unit == D("122.99")


def test_price_per_unit_follows_the_organizations_pricing_precision(
    salesperson, customizer, price_list
):
    organization_update_settings(actor=customizer, pricing_decimal_precision=4)
    product = ProductFactory(list_price=D("100"))
    PriceListItemFactory(
        price_list=price_list,
        product=product,
        pricing_method="percent_of_list",
        percentage=D("33.3333"),
    )
    order = new_document("salesorder", salesperson, price_list, products=[product], quantity=D("3"))
    line = only_line(order)
    assert line.price_per_unit == D("33.3333")
    assert line.base_amount == D("100.00")  # 99.9999 → currency precision


def test_overridden_price_stands(salesperson, price_list, widget):
    order = new_document("salesorder", salesperson, price_list)
    line = line_add(
        actor=salesperson,
        document=order,
        product=widget,
        quantity=D("2"),
        is_price_overridden=True,
        price_per_unit=D("77.50"),
    )
    line.refresh_from_db()
    assert line.price_per_unit == D("77.50")
    assert line.base_amount == D("155.00")
    assert line.pricing["price_source"] == "override"
    order.refresh_from_db()
    assert order.total_amount == D("155.00")


def test_overridden_price_survives_a_price_list_change_and_a_recalculate(
    salesperson, customizer, price_list, widget
):
    order = new_document("salesorder", salesperson, price_list)
    line_add(
        actor=salesperson,
        document=order,
        product=widget,
        quantity=D("1"),
        is_price_overridden=True,
        price_per_unit=D("77.50"),
    )
    change_item(widget, price_list, customizer, amount=D("150.00"))
    order = document_recalculate(actor=salesperson, document=order)
    assert only_line(order).price_per_unit == D("77.50")
    assert order.total_amount == D("77.50")


def test_write_in_price_stands(salesperson, price_list):
    order = new_document("salesorder", salesperson, price_list)
    line = line_add(
        actor=salesperson,
        document=order,
        write_in_product="Installation",
        quantity=D("2"),
        price_per_unit=D("250.00"),
        tax=D("50.00"),
    )
    line.refresh_from_db()
    assert line.price_per_unit == D("250.00")
    assert line.base_amount == D("500.00")
    assert line.extended_amount == D("550.00")
    assert line.pricing["price_source"] == "write_in"
    order.refresh_from_db()
    assert order.total_tax == D("50.00")
    assert order.total_amount == D("550.00")


def test_returning_from_an_override_takes_the_price_list_price_again(
    salesperson, price_list, widget
):
    order = new_document("salesorder", salesperson, price_list)
    line = line_add(
        actor=salesperson,
        document=order,
        product=widget,
        quantity=D("1"),
        is_price_overridden=True,
        price_per_unit=D("77.50"),
    )
    line = line_update(actor=salesperson, line=line, is_price_overridden=False)
    line.refresh_from_db()
    assert line.price_per_unit == D("100.00")
    assert line.pricing["price_source"] == "price_list"


# --- volume discount ------------------------------------------------------------------------------


def test_volume_discount_from_the_band_for_the_quantity(salesperson, price_list, gadget):
    order = new_document("salesorder", salesperson, price_list, products=[gadget], quantity=D("10"))
    line = only_line(order)
    assert line.volume_discount_amount == D("5.00")
    assert line.base_amount == D("950.00")
    assert order.total_amount == D("950.00")


def test_volume_discount_is_kept_when_another_field_changes(salesperson, price_list, gadget):
    order = new_document("salesorder", salesperson, price_list, products=[gadget], quantity=D("10"))
    DiscountBand.objects.filter(from_quantity=D("10")).update(value=D("8"))
    line = line_update(actor=salesperson, line=only_line(order), tax=D("1.00"))
    line.refresh_from_db()
    assert line.volume_discount_amount == D("5.00")
    assert line.extended_amount == D("951.00")


def test_volume_discount_is_recomputed_when_the_quantity_changes(salesperson, price_list, gadget):
    order = new_document("salesorder", salesperson, price_list, products=[gadget], quantity=D("10"))
    DiscountBand.objects.filter(from_quantity=D("10")).update(value=D("8"))
    line = line_update(actor=salesperson, line=only_line(order), quantity=D("11"))
    line.refresh_from_db()
    assert line.volume_discount_amount == D("8.00")
    assert line.base_amount == D("1012.00")  # (100 − 8) × 11
    line = line_update(actor=salesperson, line=line, quantity=D("20"))
    line.refresh_from_db()
    assert line.volume_discount_amount == D("10.00")
    line = line_update(actor=salesperson, line=line, quantity=D("9"))
    line.refresh_from_db()
    assert line.volume_discount_amount == D("0.00")
    order.refresh_from_db()
    assert order.total_amount == D("900.00")


def test_volume_discount_is_recomputed_on_a_quantity_change_even_when_prices_are_locked(
    salesperson, customizer, price_list, gadget
):
    order = new_document("salesorder", salesperson, price_list, products=[gadget], quantity=D("10"))
    document_lock_pricing(actor=salesperson, document=order)
    change_item(gadget, price_list, customizer, amount=D("200.00"))
    DiscountBand.objects.filter(from_quantity=D("20")).update(value=D("20"))
    line = line_update(actor=salesperson, line=only_line(order), quantity=D("20"))
    line.refresh_from_db()
    assert line.price_per_unit == D("100.00")  # the price stays locked
    assert line.pricing["price_source"] == "locked"
    assert line.volume_discount_amount == D("20.00")  # 20 % of the locked 100
    assert line.base_amount == D("1600.00")


def test_recalculate_keeps_the_volume_discount(salesperson, price_list, gadget):
    order = new_document("salesorder", salesperson, price_list, products=[gadget], quantity=D("10"))
    DiscountBand.objects.filter(from_quantity=D("10")).update(value=D("8"))
    order = document_recalculate(actor=salesperson, document=order)
    assert only_line(order).volume_discount_amount == D("5.00")


# --- header totals through the services -----------------------------------------------------------


def test_header_totals_with_discounts_freight_and_tax(salesperson, price_list, widget):
    order = new_document("salesorder", salesperson, price_list, products=[widget], quantity=D("10"))
    line_update(
        actor=salesperson, line=only_line(order), manual_discount_amount=D("50"), tax=D("76.00")
    )
    order = document_update(
        actor=salesperson,
        document=order,
        discount_percentage=D("10"),
        discount_amount=D("5"),
        freight_amount=D("12.50"),
    )
    # base 1000; line discount 50; line items 950; header discount 5 + 95 = 100
    assert order.total_line_item_amount == D("950.00")
    assert order.total_line_item_discount_amount == D("50.00")
    assert order.total_discount_amount == D("150.00")
    assert order.total_amount_less_freight == D("850.00")
    assert order.total_tax == D("76.00")
    assert order.total_amount == D("938.50")
    assert order.pricing["decision"] == "computed"
    assert order.pricing["price_source"] == "lines"


@pytest.mark.parametrize(
    ("method", "extended"), [("line_item", D("1090.00")), ("per_unit", D("990.00"))]
)
def test_documented_discount_example_through_the_services(
    salesperson, customizer, price_list, widget, method, extended
):
    organization_update_settings(actor=customizer, discount_calculation_method=method)
    order = new_document("salesorder", salesperson, price_list)
    line = line_add(
        actor=salesperson,
        document=order,
        product=widget,
        quantity=D("11"),
        manual_discount_amount=D("10"),
    )
    line.refresh_from_db()
    assert line.base_amount == D("1100.00")
    assert line.extended_amount == extended
    order.refresh_from_db()
    assert order.total_line_item_discount_amount == D("1100.00") - extended
    assert order.total_amount == extended


def test_removing_a_line_rolls_the_totals_down(salesperson, price_list, widget, gadget):
    order = new_document("salesorder", salesperson, price_list, products=[widget, gadget])
    assert order.total_amount == D("200.00")
    line_delete(actor=salesperson, line=order.lines.get(product=gadget))
    order.refresh_from_db()
    assert order.total_amount == D("100.00")


# --- price lock and re-pricing --------------------------------------------------------------------


def test_catalog_price_change_does_not_reach_a_locked_order(
    salesperson, customizer, price_list, widget
):
    order = new_document("salesorder", salesperson, price_list, products=[widget], quantity=D("2"))
    document_lock_pricing(actor=salesperson, document=order)
    change_item(widget, price_list, customizer, amount=D("150.00"))
    order.refresh_from_db()
    assert only_line(order).price_per_unit == D("100.00")
    assert order.total_amount == D("200.00")


@pytest.mark.parametrize("kind", ["salesorder", "invoice"])
def test_catalog_price_change_re_prices_an_open_unlocked_document(
    salesperson, customizer, price_list, widget, kind
):
    document = new_document(kind, salesperson, price_list, products=[widget], quantity=D("2"))
    change_item(widget, price_list, customizer, amount=D("150.00"))
    document.refresh_from_db()
    line = only_line(document)
    assert line.price_per_unit == D("150.00")
    assert line.base_amount == D("300.00")
    assert document.total_amount == D("300.00")
    assert line.pricing["price_source"] == "price_list"


def test_catalog_price_change_re_prices_with_the_new_pricing_method(
    salesperson, customizer, price_list, widget
):
    order = new_document("salesorder", salesperson, price_list, products=[widget])
    change_item(
        widget, price_list, customizer, pricing_method="percent_of_list", percentage=D("50")
    )
    order.refresh_from_db()
    assert only_line(order).price_per_unit == D("60.00")  # 120 × 50 %


def test_catalog_price_change_does_not_reach_a_locked_invoice(
    salesperson, customizer, price_list, widget
):
    invoice = new_document("invoice", salesperson, price_list, products=[widget])
    document_lock_pricing(actor=salesperson, document=invoice)
    change_item(widget, price_list, customizer, amount=D("150.00"))
    invoice.refresh_from_db()
    assert invoice.total_amount == D("100.00")


@pytest.mark.parametrize("kind", ["opportunity", "quote"])
def test_catalog_price_change_leaves_opportunities_and_quotes(
    salesperson, customizer, price_list, widget, kind
):
    document = new_document(kind, salesperson, price_list, products=[widget])
    change_item(widget, price_list, customizer, amount=D("150.00"))
    document.refresh_from_db()
    assert document.total_amount == D("100.00")


def test_catalog_price_change_leaves_submitted_and_closed_orders(
    salesperson, manager, customizer, switch_on, price_list, widget
):
    submitted = new_document("salesorder", salesperson, price_list, products=[widget])
    salesorder_submit(actor=salesperson, document=submitted)
    from orders.services import salesorder_cancel

    canceled = new_document("salesorder", salesperson, price_list, products=[widget])
    salesorder_cancel(actor=manager, document=canceled)
    change_item(widget, price_list, customizer, amount=D("150.00"))
    for order in (submitted, canceled):
        order.refresh_from_db()
        assert only_line(order).price_per_unit == D("100.00")
        assert order.total_amount == D("100.00")


def test_catalog_price_change_leaves_documents_on_another_price_list(
    salesperson, customizer, price_list, widget
):
    other = PriceListFactory(name="Wholesale", currency=price_list.currency)
    PriceListItemFactory(price_list=other, product=widget, amount=D("80.00"))
    order = new_document("salesorder", salesperson, other, products=[widget])
    change_item(widget, price_list, customizer, amount=D("150.00"))
    order.refresh_from_db()
    assert order.total_amount == D("80.00")


@pytest.mark.parametrize("kind", ["salesorder", "invoice"])
def test_use_current_pricing_unlocks_and_re_prices(
    salesperson, customizer, price_list, widget, kind
):
    document = new_document(kind, salesperson, price_list, products=[widget], quantity=D("2"))
    document_lock_pricing(actor=salesperson, document=document)
    change_item(widget, price_list, customizer, amount=D("150.00"))
    document = document_unlock_pricing(actor=salesperson, document=document)
    assert not document.is_price_locked
    assert only_line(document).price_per_unit == D("150.00")
    assert document.total_amount == D("300.00")


def test_a_locked_order_keeps_its_price_when_a_line_is_edited(
    salesperson, customizer, price_list, widget
):
    order = new_document("salesorder", salesperson, price_list, products=[widget], quantity=D("2"))
    document_lock_pricing(actor=salesperson, document=order)
    change_item(widget, price_list, customizer, amount=D("150.00"))
    line = line_update(actor=salesperson, line=only_line(order), quantity=D("3"))
    line.refresh_from_db()
    assert line.price_per_unit == D("100.00")
    assert line.base_amount == D("300.00")


def test_a_new_line_on_a_locked_order_takes_the_current_price(
    salesperson, customizer, price_list, widget
):
    order = new_document("salesorder", salesperson, price_list, products=[widget])
    document_lock_pricing(actor=salesperson, document=order)
    change_item(widget, price_list, customizer, amount=D("150.00"))
    line = line_add(actor=salesperson, document=order, product=widget, quantity=D("1"))
    line.refresh_from_db()
    assert line.price_per_unit == D("150.00")
    order.refresh_from_db()
    assert order.total_amount == D("250.00")


# --- recalculate ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["opportunity", "quote", "salesorder", "invoice"])
def test_recalculate_restores_computed_values(salesperson, price_list, widget, kind):
    document = new_document(kind, salesperson, price_list, products=[widget], quantity=D("2"))
    document.lines.update(price_per_unit=D("1"), base_amount=D("2"), extended_amount=D("2"))
    type(document).objects.filter(pk=document.pk).update(total_amount=D("2"))
    document = document_recalculate(actor=salesperson, document=document)
    line = only_line(document)
    assert line.price_per_unit == D("100.00")
    assert line.extended_amount == D("200.00")
    assert document.total_amount == D("200.00")


def test_recalculate_of_a_locked_order_keeps_prices_and_fixes_amounts(
    salesperson, price_list, widget
):
    order = new_document("salesorder", salesperson, price_list, products=[widget], quantity=D("2"))
    document_lock_pricing(actor=salesperson, document=order)
    order.lines.update(price_per_unit=D("90"), extended_amount=D("0"))
    order = document_recalculate(actor=salesperson, document=order)
    line = only_line(order)
    assert line.price_per_unit == D("90.00")
    assert line.extended_amount == D("180.00")
    assert order.total_amount == D("180.00")


# --- conversions ----------------------------------------------------------------------------------


def test_conversions_carry_lines_and_totals_from_opportunity_to_invoice(
    salesperson, price_list, widget, gadget
):
    opportunity = new_document(
        "opportunity", salesperson, price_list, products=[widget, gadget], quantity=D("10")
    )
    line_update(
        actor=salesperson,
        line=opportunity.lines.get(product=widget),
        manual_discount_amount=D("25"),
        tax=D("80"),
    )
    opportunity = document_update(
        actor=salesperson,
        document=opportunity,
        discount_percentage=D("5"),
        freight_amount=D("20"),
    )
    # widget 1000 − 25 + 80; gadget (100 − 5) × 10 = 950 → line items 1925; header 96.25
    assert opportunity.total_amount == D("1928.75")

    quote = opportunity_create_quote(actor=salesperson, document=opportunity)
    quote_activate(actor=salesperson, document=quote)
    order = quote_create_order(actor=salesperson, document=quote)
    invoice = salesorder_create_invoice(actor=salesperson, document=order)

    fields = [
        "product_id",
        "quantity",
        "price_per_unit",
        "volume_discount_amount",
        "base_amount",
        "manual_discount_amount",
        "tax",
        "extended_amount",
    ]
    expected = list(opportunity.lines.order_by("line_number").values_list(*fields))
    for document, model in ((quote, QuoteLine), (order, SalesOrderLine), (invoice, InvoiceLine)):
        document.refresh_from_db()
        lines = list(model.objects.filter(document=document).order_by("line_number"))
        assert [tuple(getattr(line, f) for f in fields) for line in lines] == expected
        assert [line.line_number for line in lines] == [1, 2]
        for name in (
            "discount_percentage",
            "freight_amount",
            "total_line_item_amount",
            "total_discount_amount",
            "total_tax",
            "total_amount",
        ):
            assert getattr(document, name) == getattr(opportunity, name), name
        assert all(line.pricing["price_source"] == "copied" for line in lines)
        assert all(line.pricing["decision"] == "computed" for line in lines)


def test_conversion_keeps_the_agreed_price_after_a_catalog_change(
    salesperson, customizer, price_list, widget
):
    quote = new_document("quote", salesperson, price_list, products=[widget], quantity=D("2"))
    quote_activate(actor=salesperson, document=quote)
    change_item(widget, price_list, customizer, amount=D("150.00"))
    order = quote_create_order(actor=salesperson, document=quote)
    line = only_line(order)
    assert line.price_per_unit == D("100.00")
    assert order.total_amount == D("200.00")
    assert quote.number in line.pricing["price_note"]


def test_get_products_copies_the_opportunitys_lines_into_the_quote(
    salesperson, price_list, widget, gadget
):
    opportunity = new_document("opportunity", salesperson, price_list, products=[gadget])
    quote = new_document(
        "quote", salesperson, price_list, products=[widget], opportunity=opportunity
    )
    quote = quote_get_products(actor=salesperson, document=quote)
    lines = list(quote.lines.order_by("line_number"))
    assert [line.product_id for line in lines] == [widget.pk, gadget.pk]
    assert quote.total_amount == D("200.00")


def test_converted_invoice_lines_remember_where_they_came_from(salesperson, price_list, widget):
    order = new_document("salesorder", salesperson, price_list, products=[widget])
    invoice = salesorder_create_invoice(actor=salesperson, document=order)
    line = only_line(invoice)
    assert line.pricing["price_source"] == "copied"
    assert order.number in line.pricing["price_note"]


# --- provenance of skipped calculation ------------------------------------------------------------


def test_integration_users_values_on_a_submitted_order_are_kept_with_the_rule(
    salesperson, integration_user, switch_on, price_list, widget
):
    order = new_document("salesorder", salesperson, price_list, products=[widget], quantity=D("2"))
    salesorder_submit(actor=salesperson, document=order)
    line = line_update(
        actor=integration_user,
        line=only_line(order),
        price_per_unit=D("95.00"),
        base_amount=D("190.00"),
        extended_amount=D("190.00"),
    )
    line.refresh_from_db()
    assert line.price_per_unit == D("95.00")
    assert line.extended_amount == D("190.00")
    assert line.pricing["decision"] == "skipped"
    assert line.pricing["price_source"] == "kept"
    assert line.pricing["rule"] == "skip if SOP ∧ (IU ∨ SUB)"
    assert "integration user" in line.pricing["reason"]
    order.refresh_from_db()
    assert order.total_amount == D("200.00")  # a skipped line leaves the header as it is


def test_with_system_pricing_off_entered_values_are_kept(
    salesperson, customizer, price_list, widget
):
    organization_update_settings(actor=customizer, use_system_pricing=False)
    order = new_document("salesorder", salesperson, price_list)
    line = line_add(
        actor=salesperson,
        document=order,
        product=widget,
        quantity=D("2"),
        price_per_unit=D("42"),
        base_amount=D("84"),
        extended_amount=D("84"),
    )
    line.refresh_from_db()
    assert line.price_per_unit == D("42")
    assert line.extended_amount == D("84")
    assert line.pricing["price_source"] == "kept"
    assert "System pricing is off" in line.pricing["reason"]
