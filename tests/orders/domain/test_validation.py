"""Bad input is refused with a clear error and nothing is saved — through the services and,
because the rules live in the model signals, through a plain ``save()`` in the shell too."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from orders.models import LINE_MODELS, Opportunity, SalesOrder, SalesOrderLine
from orders.services import (
    document_create,
    document_lock_pricing,
    document_update,
    invoice_mark_paid,
    line_add,
    line_delete,
    line_update,
    quote_activate,
    salesorder_submit,
)
from settings_app.acting import acting_as
from settings_app.errors import ComputedFieldWrite, DomainError, PermissionRefused, ReadOnly
from settings_app.services import organization_update_settings
from tests.orders.factories import (
    CurrencyFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    UnitFactory,
    UnitGroupFactory,
    document_with_lines,
)

D = Decimal
DOORS = ["service", "shell"]


@pytest.fixture
def price_list(db):
    return PriceListFactory(name="Retail", currency=CurrencyFactory())


@pytest.fixture
def widget(price_list):
    product = ProductFactory(name="Widget")
    PriceListItemFactory(price_list=price_list, product=product, amount=D("100.00"))
    return product


@pytest.fixture
def off_list(db):
    """A product that is not on the price list."""
    return ProductFactory(name="Gizmo")


@pytest.fixture
def order(salesperson, price_list, widget):
    """An active order with one line: 2 × 100.00."""
    return document_with_lines(
        "salesorder", salesperson, price_list=price_list, products=[widget], quantity=D("2")
    )


# --- the two doors --------------------------------------------------------------------------------


def add_line(door, actor, document, **fields):
    if door == "service":
        return line_add(actor=actor, document=document, **fields)
    with acting_as(actor):
        line = LINE_MODELS[document.KIND](document=document, **fields)
        line.save()
        return line


def update_line(door, actor, line, **fields):
    if door == "service":
        return line_update(actor=actor, line=line, **fields)
    with acting_as(actor):
        line = type(line).objects.get(pk=line.pk)
        for name, value in fields.items():
            setattr(line, name, value)
        line.save()
        return line


def update_document(door, actor, document, **fields):
    if door == "service":
        return document_update(actor=actor, document=document, **fields)
    with acting_as(actor):
        document = type(document).objects.get(pk=document.pk)
        for name, value in fields.items():
            setattr(document, name, value)
        document.save()
        return document


def snapshot(document):
    """What a user would see of the document: its header and its lines, as stored."""
    stored = type(document).objects.get(pk=document.pk)
    header = {
        name: getattr(stored, name)
        for name in (
            "version",
            "name",
            "state",
            "currency_id",
            "price_list_id",
            "discount_percentage",
            "discount_amount",
            "freight_amount",
            "total_amount",
        )
    }
    lines = list(
        stored.lines.order_by("line_number").values(
            "product_id",
            "write_in_product",
            "quantity",
            "price_per_unit",
            "manual_discount_amount",
            "tax",
            "base_amount",
            "extended_amount",
        )
    )
    return header, lines


def refused_fields(error) -> set[str]:
    return set(error.value.message_dict)


# --- quantities -----------------------------------------------------------------------------------


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("quantity", ["0", "-1", "-0.00001"])
def test_zero_or_negative_quantity_is_refused(order, salesperson, widget, door, quantity):
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        add_line(door, salesperson, order, product=widget, quantity=D(quantity))
    assert "quantity" in refused_fields(error)
    with pytest.raises(ValidationError) as error:
        update_line(door, salesperson, order.lines.get(), quantity=D(quantity))
    assert "quantity" in refused_fields(error)
    assert snapshot(order) == before


@pytest.mark.parametrize("door", DOORS)
def test_quantity_with_more_than_five_decimals_is_refused(order, salesperson, widget, door):
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        add_line(door, salesperson, order, product=widget, quantity=D("1.123456"))
    assert "quantity" in refused_fields(error)
    assert snapshot(order) == before


def test_quantity_with_five_decimals_is_accepted(order, salesperson, widget):
    line = line_add(actor=salesperson, document=order, product=widget, quantity=D("1.12345"))
    line.refresh_from_db()
    assert line.quantity == D("1.12345")
    assert line.base_amount == D("112.35")


# --- decimals of prices and money -----------------------------------------------------------------


@pytest.mark.parametrize("door", DOORS)
def test_overridden_price_with_more_decimals_than_the_pricing_precision_is_refused(
    order, salesperson, widget, door
):
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        add_line(
            door,
            salesperson,
            order,
            product=widget,
            quantity=D("1"),
            is_price_overridden=True,
            price_per_unit=D("10.123"),
        )
    assert "price_per_unit" in refused_fields(error)
    assert "2 decimals" in str(error.value)
    assert snapshot(order) == before


@pytest.mark.parametrize("door", DOORS)
def test_write_in_price_with_more_decimals_than_the_pricing_precision_is_refused(
    order, salesperson, door
):
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        add_line(
            door,
            salesperson,
            order,
            write_in_product="Installation",
            quantity=D("1"),
            price_per_unit=D("10.001"),
        )
    assert "price_per_unit" in refused_fields(error)
    assert snapshot(order) == before


def test_entered_price_follows_the_organizations_pricing_precision(
    order, salesperson, customizer, widget
):
    organization_update_settings(actor=customizer, pricing_decimal_precision=4)
    fields = {"product": widget, "quantity": D("1"), "is_price_overridden": True}
    line = line_add(actor=salesperson, document=order, price_per_unit=D("10.1234"), **fields)
    line.refresh_from_db()
    assert line.price_per_unit == D("10.1234")
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        line_add(actor=salesperson, document=order, price_per_unit=D("10.12345"), **fields)
    assert "price_per_unit" in refused_fields(error)
    assert snapshot(order) == before


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("field", ["tax", "manual_discount_amount"])
def test_line_money_with_more_decimals_than_the_currency_is_refused(
    order, salesperson, door, field
):
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        update_line(door, salesperson, order.lines.get(), **{field: D("1.234")})
    assert field in refused_fields(error)
    assert "2 decimals" in str(error.value)
    assert snapshot(order) == before


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("field", ["tax", "manual_discount_amount"])
def test_negative_line_money_is_refused(order, salesperson, door, field):
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        update_line(door, salesperson, order.lines.get(), **{field: D("-1")})
    assert field in refused_fields(error)
    assert snapshot(order) == before


def test_money_of_a_zero_decimal_currency_takes_no_decimals(salesperson):
    yen = CurrencyFactory(code="JPY", name="Yen", symbol="¥", precision=0)
    price_list = PriceListFactory(currency=yen)
    product = ProductFactory()
    PriceListItemFactory(price_list=price_list, product=product, amount=D("1000"))
    order = document_with_lines(
        "salesorder", salesperson, price_list=price_list, products=[product]
    )
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        line_update(actor=salesperson, line=order.lines.get(), tax=D("1.5"))
    assert "tax" in refused_fields(error)
    with pytest.raises(ValidationError) as error:
        document_update(actor=salesperson, document=order, freight_amount=D("0.5"))
    assert "freight_amount" in refused_fields(error)
    assert snapshot(order) == before


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("field", ["discount_amount", "freight_amount"])
def test_header_money_with_more_decimals_than_the_currency_is_refused(
    order, salesperson, door, field
):
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        update_document(door, salesperson, order, **{field: D("1.234")})
    assert field in refused_fields(error)
    assert snapshot(order) == before


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("field", ["discount_amount", "freight_amount"])
def test_negative_header_money_is_refused(order, salesperson, door, field):
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        update_document(door, salesperson, order, **{field: D("-5")})
    assert field in refused_fields(error)
    assert snapshot(order) == before


@pytest.mark.parametrize(
    ("target", "field", "value"),
    [
        ("line", "price_per_unit", "95.12345"),
        ("line", "extended_amount", "190.123"),
        ("header", "total_amount", "1.239"),
    ],
)
def test_values_kept_as_given_still_respect_the_decimals(
    order, salesperson, integration_user, switch_on, target, field, value
):
    salesorder_submit(actor=salesperson, document=order)
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        if target == "line":
            line_update(actor=integration_user, line=order.lines.get(), **{field: D(value)})
        else:
            document_update(actor=integration_user, document=order, **{field: D(value)})
    assert field in refused_fields(error)
    assert snapshot(order) == before


# --- discounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("door", DOORS)
def test_discount_larger_than_the_line_amount_is_refused(order, salesperson, door):
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        update_line(door, salesperson, order.lines.get(), manual_discount_amount=D("200.01"))
    assert "manual_discount_amount" in refused_fields(error)
    assert "larger than" in str(error.value)
    assert snapshot(order) == before


def test_discount_equal_to_the_line_amount_is_accepted(order, salesperson):
    line = line_update(actor=salesperson, line=order.lines.get(), manual_discount_amount=D("200"))
    line.refresh_from_db()
    assert line.extended_amount == D("0.00")


def test_per_unit_discount_larger_than_the_line_amount_is_refused(order, salesperson, customizer):
    organization_update_settings(actor=customizer, discount_calculation_method="per_unit")
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        line_update(actor=salesperson, line=order.lines.get(), manual_discount_amount=D("150"))
    assert "manual_discount_amount" in refused_fields(error)
    assert snapshot(order) == before


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("percentage", ["-0.01", "100.01", "150"])
def test_header_discount_percentage_outside_0_to_100_is_refused(
    order, salesperson, door, percentage
):
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        update_document(door, salesperson, order, discount_percentage=D(percentage))
    assert "discount_percentage" in refused_fields(error)
    assert snapshot(order) == before


@pytest.mark.parametrize("percentage", ["0", "100"])
def test_header_discount_percentage_edges_are_accepted(order, salesperson, percentage):
    order = document_update(actor=salesperson, document=order, discount_percentage=D(percentage))
    assert order.total_amount == D("200.00") * (100 - D(percentage)) / 100


# --- price list rules -----------------------------------------------------------------------------


@pytest.mark.parametrize("door", DOORS)
def test_product_not_on_the_price_list_is_refused_while_price_lists_are_mandatory(
    order, salesperson, off_list, door
):
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        add_line(door, salesperson, order, product=off_list, quantity=D("1"))
    assert "product" in refused_fields(error)
    assert "not on the price list Retail" in str(error.value)
    assert snapshot(order) == before


@pytest.mark.parametrize("door", DOORS)
def test_changing_a_line_to_a_product_not_on_the_price_list_is_refused(
    order, salesperson, off_list, door
):
    before = snapshot(order)
    with pytest.raises(ValidationError):
        update_line(door, salesperson, order.lines.get(), product=off_list, unit=None)
    assert snapshot(order) == before


def test_product_not_on_the_price_list_is_accepted_at_price_0_when_not_mandatory(
    order, salesperson, customizer, off_list
):
    organization_update_settings(actor=customizer, is_price_list_mandatory=False)
    line = line_add(actor=salesperson, document=order, product=off_list, quantity=D("1"))
    line.refresh_from_db()
    assert line.price_per_unit == D("0")
    assert line.pricing["price_source"] == "none"


@pytest.mark.parametrize("door", DOORS)
def test_product_on_a_document_without_a_price_list_is_refused_while_mandatory(
    salesperson, price_list, widget, door
):
    order = document_create(
        actor=salesperson, kind="salesorder", name="No list", currency=price_list.currency
    )
    with pytest.raises(ValidationError) as error:
        add_line(door, salesperson, order, product=widget, quantity=D("1"))
    assert "Choose a price list" in str(error.value)
    assert SalesOrderLine.objects.filter(document=order).count() == 0


def test_unit_from_another_unit_group_is_refused(order, salesperson, widget):
    stranger = UnitFactory(group=UnitGroupFactory(name="Weight"), name="Kilogram")
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        line_add(actor=salesperson, document=order, product=widget, unit=stranger, quantity=1)
    assert "unit" in refused_fields(error)
    assert snapshot(order) == before


def test_document_currency_different_from_the_price_lists_is_refused(salesperson, price_list):
    euro = CurrencyFactory(code="EUR", name="Euro", symbol="€")
    with pytest.raises(ValidationError) as error:
        document_create(
            actor=salesperson, kind="quote", name="Wrong", price_list=price_list, currency=euro
        )
    assert "currency" in refused_fields(error)
    assert "USD" in str(error.value)
    from orders.models import Quote

    assert Quote.objects.count() == 0


@pytest.mark.parametrize("door", DOORS)
def test_changing_to_a_price_list_of_another_currency_is_refused(order, salesperson, door):
    euro_list = PriceListFactory(currency=CurrencyFactory(code="EUR", name="Euro", symbol="€"))
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        update_document(door, salesperson, order, price_list=euro_list)
    assert "currency" in refused_fields(error)
    assert snapshot(order) == before


@pytest.mark.parametrize("door", DOORS)
def test_changing_the_currency_of_a_document_with_lines_is_refused(order, salesperson, door):
    euro_list = PriceListFactory(currency=CurrencyFactory(code="EUR", name="Euro", symbol="€"))
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        update_document(door, salesperson, order, price_list=euro_list, currency=euro_list.currency)
    assert "currency" in refused_fields(error)
    assert "has lines" in str(error.value)
    assert snapshot(order) == before


# --- write-ins ------------------------------------------------------------------------------------


@pytest.mark.parametrize("door", DOORS)
def test_write_in_is_refused_while_write_ins_are_not_allowed(order, salesperson, customizer, door):
    organization_update_settings(actor=customizer, is_write_in_products_allowed=False)
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        add_line(
            door,
            salesperson,
            order,
            write_in_product="Installation",
            quantity=D("1"),
            price_per_unit=D("50"),
        )
    assert "write_in_product" in refused_fields(error)
    assert "not allowed" in str(error.value)
    assert snapshot(order) == before


@pytest.mark.parametrize("door", DOORS)
def test_write_in_is_refused_on_a_price_locked_order(order, salesperson, door):
    document_lock_pricing(actor=salesperson, document=order)
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        add_line(
            door,
            salesperson,
            order,
            write_in_product="Installation",
            quantity=D("1"),
            price_per_unit=D("50"),
        )
    assert "write_in_product" in refused_fields(error)
    assert "locked" in str(error.value)
    assert snapshot(order) == before


def test_existing_write_in_on_a_price_locked_order_may_still_change(order, salesperson):
    line = line_add(
        actor=salesperson,
        document=order,
        write_in_product="Installation",
        quantity=D("1"),
        price_per_unit=D("50"),
    )
    document_lock_pricing(actor=salesperson, document=order)
    line = line_update(actor=salesperson, line=line, quantity=D("2"))
    line.refresh_from_db()
    assert line.extended_amount == D("100.00")


def test_a_line_needs_a_product_or_a_write_in(order, salesperson):
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        line_add(actor=salesperson, document=order, quantity=D("1"))
    assert "product" in refused_fields(error)
    with pytest.raises(ValidationError):
        line_add(
            actor=salesperson,
            document=order,
            product=order.lines.get().product,
            write_in_product="Both",
            quantity=D("1"),
        )
    assert snapshot(order) == before


# --- computed fields ------------------------------------------------------------------------------


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("field", ["total_amount", "total_tax", "total_line_item_amount"])
def test_salesperson_setting_a_header_total_is_refused_naming_it(order, salesperson, door, field):
    before = snapshot(order)
    with pytest.raises(ComputedFieldWrite) as error:
        update_document(door, salesperson, order, **{field: D("1.00")})
    assert error.value.code == "computed_field"
    assert error.value.fields == [field]
    assert field in error.value.message
    assert snapshot(order) == before


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("field", ["base_amount", "extended_amount", "volume_discount_amount"])
def test_salesperson_setting_a_line_amount_is_refused_naming_it(order, salesperson, door, field):
    before = snapshot(order)
    with pytest.raises(ComputedFieldWrite) as error:
        update_line(door, salesperson, order.lines.get(), **{field: D("1.00")})
    assert error.value.fields == [field]
    assert field in error.value.message
    assert snapshot(order) == before


@pytest.mark.parametrize("door", DOORS)
def test_salesperson_setting_the_price_of_a_catalog_product_is_refused(
    order, salesperson, widget, door
):
    before = snapshot(order)
    with pytest.raises(ComputedFieldWrite) as error:
        add_line(door, salesperson, order, product=widget, quantity=1, price_per_unit=D("5"))
    assert error.value.fields == ["price_per_unit"]
    with pytest.raises(ComputedFieldWrite):
        update_line(door, salesperson, order.lines.get(), price_per_unit=D("5"))
    assert snapshot(order) == before


def test_computed_fields_are_refused_on_new_documents_too(salesperson, price_list):
    with pytest.raises(ComputedFieldWrite) as error:
        document_create(
            actor=salesperson,
            kind="opportunity",
            name="Cooked",
            price_list=price_list,
            total_amount=D("999"),
        )
    assert error.value.fields == ["total_amount"]
    assert Opportunity.objects.count() == 0


def test_manager_is_refused_computed_fields_like_anyone_computing(order, manager):
    with pytest.raises(ComputedFieldWrite):
        document_update(actor=manager, document=order, total_amount=D("1"))


# --- state and integration-only fields ------------------------------------------------------------


@pytest.mark.parametrize("state", ["submitted", "fulfilled", "canceled", "invoiced"])
def test_changing_the_state_with_save_is_refused(order, salesperson, state):
    before = snapshot(order)
    with acting_as(salesperson):
        stored = SalesOrder.objects.get(pk=order.pk)
        stored.state = state
        with pytest.raises(ReadOnly) as error:
            stored.save()
    assert error.value.code == "state_change"
    assert snapshot(order) == before


def test_changing_the_status_reason_with_save_is_refused(order, salesperson):
    with acting_as(salesperson):
        stored = SalesOrder.objects.get(pk=order.pk)
        stored.status_reason = "pending"
        with pytest.raises(ReadOnly):
            stored.save()
    order.refresh_from_db()
    assert order.status_reason == "new"


def test_the_state_is_not_a_field_the_update_service_takes(order, salesperson):
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        document_update(actor=salesperson, document=order, state="submitted")
    assert "state" in refused_fields(error)
    assert snapshot(order) == before


def test_integration_user_changing_the_state_with_save_is_refused_too(
    order, integration_user, salesperson, switch_on
):
    salesorder_submit(actor=salesperson, document=order)
    with acting_as(integration_user):
        stored = SalesOrder.objects.get(pk=order.pk)
        stored.state = "fulfilled"
        with pytest.raises(ReadOnly):
            stored.save()
    order.refresh_from_db()
    assert order.state == "submitted"


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(
    "field", ["external_reference", "submit_status", "submit_status_description"]
)
def test_integration_only_field_set_by_a_salesperson_is_refused(order, salesperson, door, field):
    with pytest.raises(PermissionRefused) as error:
        update_document(door, salesperson, order, **{field: "BC-1001"})
    assert error.value.code == "integration_only"
    assert error.value.fields == [field]
    stored = SalesOrder.objects.get(pk=order.pk)
    assert getattr(stored, field) == ""
    assert stored.version == order.version


def test_integration_only_field_set_by_a_manager_is_refused(order, manager):
    with pytest.raises(PermissionRefused) as error:
        document_update(actor=manager, document=order, external_reference="BC-1001")
    assert error.value.code == "integration_only"


def test_integration_user_sets_the_external_reference_of_a_submitted_order(
    order, salesperson, integration_user, switch_on
):
    salesorder_submit(actor=salesperson, document=order)
    order = document_update(
        actor=integration_user, document=order, external_reference="BC-1001", submit_status="ok"
    )
    order.refresh_from_db()
    assert order.external_reference == "BC-1001"
    assert order.state == "submitted"


# --- the read-only rule ---------------------------------------------------------------------------


@pytest.mark.parametrize("door", DOORS)
def test_salesperson_cannot_change_a_submitted_order_or_its_lines(
    order, salesperson, widget, switch_on, door
):
    salesorder_submit(actor=salesperson, document=order)
    before = snapshot(order)
    with pytest.raises(ReadOnly, match="submitted"):
        update_document(door, salesperson, order, name="Changed")
    with pytest.raises(ReadOnly):
        update_line(door, salesperson, order.lines.get(), quantity=D("3"))
    with pytest.raises(ReadOnly):
        add_line(door, salesperson, order, product=widget, quantity=D("1"))
    with pytest.raises(ReadOnly):
        if door == "service":
            line_delete(actor=salesperson, line=order.lines.get())
        else:
            with acting_as(salesperson), transaction.atomic():
                order.lines.get().delete()
    assert snapshot(order) == before


def test_integration_user_may_change_a_submitted_orders_lines(
    order, salesperson, integration_user, switch_on
):
    salesorder_submit(actor=salesperson, document=order)
    line = update_line("shell", integration_user, order.lines.get(), quantity=D("3"))
    line.refresh_from_db()
    assert line.quantity == D("3")


@pytest.mark.parametrize("door", DOORS)
def test_nobody_changes_a_fulfilled_order(order, manager, integration_user, door):
    from orders.services import salesorder_fulfill

    salesorder_fulfill(actor=manager, document=order, status_reason="complete")
    before = snapshot(order)
    for actor in (manager, integration_user):
        with pytest.raises(ReadOnly):
            update_document(door, actor, order, name="Changed")
        with pytest.raises(ReadOnly):
            update_line(door, actor, order.lines.get(), quantity=D("5"))
    assert snapshot(order) == before


@pytest.mark.parametrize("door", DOORS)
def test_an_active_quote_is_read_only(salesperson, price_list, widget, door):
    quote = document_with_lines("quote", salesperson, price_list=price_list, products=[widget])
    quote_activate(actor=salesperson, document=quote)
    before = snapshot(quote)
    with pytest.raises(ReadOnly):
        update_document(door, salesperson, quote, freight_amount=D("5"))
    with pytest.raises(ReadOnly):
        add_line(door, salesperson, quote, product=widget, quantity=D("1"))
    assert snapshot(quote) == before


@pytest.mark.parametrize("door", DOORS)
def test_a_paid_invoice_is_read_only(salesperson, price_list, widget, door):
    invoice = document_with_lines("invoice", salesperson, price_list=price_list, products=[widget])
    invoice_mark_paid(actor=salesperson, document=invoice, status_reason="complete")
    before = snapshot(invoice)
    with pytest.raises(ReadOnly, match="paid"):
        update_line(door, salesperson, invoice.lines.get(), tax=D("1"))
    with pytest.raises(ReadOnly):
        if door == "service":
            line_delete(actor=salesperson, line=invoice.lines.get())
        else:
            # Django deletes inside atomic(savepoint=False): a shell user's own savepoint
            # keeps the test's transaction usable after the refusal.
            with acting_as(salesperson), transaction.atomic():
                type(invoice).objects.get(pk=invoice.pk).delete()
    assert snapshot(invoice) == before


# --- versions and unknown fields ------------------------------------------------------------------


def test_stale_version_is_refused_and_nothing_is_saved(order, salesperson):
    before = snapshot(order)
    with pytest.raises(DomainError) as error:
        document_update(
            actor=salesperson, document=order, expected_version=order.version - 1, name="Stale"
        )
    assert error.value.code == "precondition_failed"
    with pytest.raises(DomainError) as error:
        line_update(
            actor=salesperson,
            line=order.lines.get(),
            expected_version=order.version + 1,
            quantity=D("5"),
        )
    assert error.value.code == "precondition_failed"
    assert snapshot(order) == before


def test_current_version_is_accepted(order, salesperson):
    order = document_update(
        actor=salesperson, document=order, expected_version=order.version, name="Fresh"
    )
    order.refresh_from_db()
    assert order.name == "Fresh"


def test_unknown_fields_are_refused(order, salesperson):
    before = snapshot(order)
    with pytest.raises(ValidationError) as error:
        document_update(actor=salesperson, document=order, is_price_locked=True)
    assert "is_price_locked" in refused_fields(error)
    with pytest.raises(ValidationError) as error:
        line_update(actor=salesperson, line=order.lines.get(), pricing={"decision": "computed"})
    assert "pricing" in refused_fields(error)
    assert snapshot(order) == before


def test_a_customizer_cannot_change_documents(order, customizer):
    before = snapshot(order)
    with pytest.raises(PermissionRefused):
        document_update(actor=customizer, document=order, name="Nope")
    with pytest.raises(PermissionRefused):
        line_update(actor=customizer, line=order.lines.get(), quantity=D("9"))
    assert snapshot(order) == before
