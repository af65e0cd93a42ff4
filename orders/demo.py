"""Demo catalog and documents in every state, for `manage.py seed_demo` (idempotent)."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from orders import services
from orders.models import (
    Account,
    Currency,
    DiscountBand,
    DiscountList,
    PriceList,
    PriceListItem,
    Product,
    SalesOrder,
    Unit,
    UnitGroup,
)
from settings_app.acting import acting_as
from settings_app.models import Organization, SwitchDoor
from settings_app.services import organization_set_sop_integration, organization_update_settings

D = Decimal


def seed_catalog() -> PriceList:
    usd, _ = Currency.objects.get_or_create(
        code="USD", defaults={"name": "US Dollar", "symbol": "$", "precision": 2}
    )
    Currency.objects.get_or_create(
        code="EUR", defaults={"name": "Euro", "symbol": "€", "precision": 2}
    )
    group, _ = UnitGroup.objects.get_or_create(name="Units", defaults={"base_unit_name": "Each"})
    each, _ = Unit.objects.get_or_create(group=group, name="Each", defaults={"quantity": D("1")})
    box, _ = Unit.objects.get_or_create(group=group, name="Box of 12", defaults={"quantity": 12})
    hours, _ = UnitGroup.objects.get_or_create(name="Time", defaults={"base_unit_name": "Hour"})
    hour, _ = Unit.objects.get_or_create(group=hours, name="Hour", defaults={"quantity": 1})

    volume, _ = DiscountList.objects.get_or_create(
        name="Volume discount", defaults={"type": DiscountList.Type.PERCENTAGE}
    )
    for low, high, pct in ((10, 49, 5), (50, 99, 10), (100, 100000, 15)):
        DiscountBand.objects.get_or_create(
            discount_list=volume, from_quantity=low, to_quantity=high, defaults={"value": pct}
        )

    products = [
        # number, name, group, unit, list, current cost, standard cost, method, amount, %
        ("SKU-100", "Barcode scanner", group, each, "249.00", "120.00", "110.00",
         "currency_amount", "249.00", "0"),
        ("SKU-200", "Receipt printer", group, each, "399.00", "210.00", "200.00",
         "percent_of_list", "0", "95"),
        ("SKU-300", "Thermal paper", group, box, "36.00", "14.00", "12.50",
         "markup_current_cost", "0", "150"),
        ("SKU-400", "Cash drawer", group, each, "129.00", "60.00", "58.00",
         "margin_standard_cost", "0", "45"),
        ("SRV-100", "Installation", hours, hour, "95.00", "40.00", "40.00",
         "currency_amount", "95.00", "0"),
    ]  # fmt: skip
    price_list, _ = PriceList.objects.get_or_create(name="Standard USD", defaults={"currency": usd})
    for number, name, grp, unit, lst, cur, std, method, amount, pct in products:
        product, _ = Product.objects.get_or_create(
            number=number,
            defaults={
                "name": name,
                "unit_group": grp,
                "default_unit": unit,
                "list_price": D(lst),
                "current_cost": D(cur),
                "standard_cost": D(std),
            },
        )
        PriceListItem.objects.get_or_create(
            price_list=price_list,
            product=product,
            unit=unit,
            defaults={
                "pricing_method": method,
                "amount": D(amount),
                "percentage": D(pct),
                "rounding_policy": "none" if method == "currency_amount" else "up",
                "rounding_option": "ends_in",
                "rounding_amount": D("0.99") if method != "currency_amount" else D("0"),
                "discount_list": volume if number in {"SKU-300", "SKU-100"} else None,
            },
        )
    for number, name, city in (
        ("ACC-1001", "Contoso Retail", "Seattle"),
        ("ACC-1002", "Fabrikam Stores", "Denver"),
        ("ACC-1003", "Northwind Traders", "Austin"),
    ):
        Account.objects.get_or_create(
            number=number,
            defaults={
                "name": name,
                "bill_to_address": f"1 Main Street\n{city}",
                "ship_to_address": f"Dock 4, 1 Main Street\n{city}",
                "default_price_list": price_list,
            },
        )
    return price_list


def _opportunity(sales, account, price_list, name, lines):
    opportunity = services.document_create(
        actor=sales, kind="opportunity", name=name, account=account, price_list=price_list
    )
    for number, quantity in lines:
        services.line_add(
            actor=sales,
            document=opportunity,
            product=Product.objects.get(number=number),
            quantity=D(quantity),
        )
    return opportunity


def seed_documents(stdout) -> None:
    User = get_user_model()
    sales = User.objects.get(username="sales")
    manager = User.objects.get(username="manager")
    integration = User.objects.get(username="integration")
    admin = User.objects.get(username="admin")
    price_list = PriceList.objects.get(name="Standard USD")
    contoso, fabrikam, northwind = Account.objects.order_by("number")[:3]
    s = services

    def switch(on: bool):
        with acting_as(admin):
            organization_set_sop_integration(actor=admin, enabled=on, door=SwitchDoor.COMMAND)

    # The company printed on quotes, orders and invoices.
    if not Organization.load().address:
        with acting_as(admin):
            organization_update_settings(
                actor=admin,
                name="Contoso Sales Ltd",
                address="1 Harbour Road\nSeattle, WA 98101",
                phone="+1 206 555 0100",
                email="sales@contoso.example",
            )

    # Opportunities: open, won (through a quote and an order), lost.
    refit = _opportunity(sales, contoso, price_list, "Store refit, phase 2", [("SKU-100", 12)])
    s.quote_activate(actor=sales, document=s.opportunity_create_quote(actor=sales, document=refit))
    lost = _opportunity(sales, fabrikam, price_list, "Kiosk pilot", [("SKU-400", 3)])
    s.opportunity_lose(actor=sales, document=lost, status_reason="out_sold")

    # The classic path with the integration off: quote → order → invoice, paid.
    won = _opportunity(
        sales, northwind, price_list, "Checkout lanes", [("SKU-100", 10), ("SKU-200", 4)]
    )
    quote = s.opportunity_create_quote(actor=sales, document=won)
    s.line_add(
        actor=sales,
        document=quote,
        product=Product.objects.get(number="SRV-100"),
        quantity=D("6"),
    )
    quote = s.quote_activate(actor=sales, document=quote)
    order = s.quote_create_order(actor=sales, document=quote)
    s.opportunity_win(actor=sales, document=won)
    invoice = s.salesorder_create_invoice(actor=sales, document=order)
    s.invoice_mark_paid(actor=sales, document=invoice, status_reason="complete")
    s.salesorder_fulfill(actor=manager, document=order, status_reason="complete")

    # A draft quote, a closed quote, an active order, a canceled order, an open invoice.
    draft = s.opportunity_create_quote(
        actor=sales,
        document=_opportunity(sales, contoso, price_list, "Paper supply 2027", [("SKU-300", 60)]),
    )
    s.document_update(actor=sales, document=draft, discount_percentage=D("5"))
    lost_quote = s.quote_activate(
        actor=sales,
        document=s.opportunity_create_quote(
            actor=sales,
            document=_opportunity(sales, fabrikam, price_list, "Back office PCs", [("SKU-200", 2)]),
        ),
    )
    s.quote_close(actor=sales, document=lost_quote, status_reason="lost")
    active_order = s.document_create(
        actor=sales,
        kind="salesorder",
        name="Spare scanners",
        account=contoso,
        price_list=price_list,
    )
    s.line_add(
        actor=sales,
        document=active_order,
        product=Product.objects.get(number="SKU-100"),
        quantity=D("3"),
    )
    s.line_add(
        actor=sales,
        document=active_order,
        write_in_product="Custom mounting bracket",
        price_per_unit=D("18.50"),
        quantity=D("3"),
    )
    canceled = s.document_create(
        actor=sales, kind="salesorder", name="Duplicate order", account=northwind,
        price_list=price_list,
    )  # fmt: skip
    s.salesorder_cancel(actor=manager, document=canceled)
    open_invoice_order = s.document_create(
        actor=sales, kind="salesorder", name="Printer refill", account=fabrikam,
        price_list=price_list,
    )  # fmt: skip
    s.line_add(
        actor=sales,
        document=open_invoice_order,
        product=Product.objects.get(number="SKU-300"),
        quantity=D("12"),
    )
    canceled_invoice = s.salesorder_create_invoice(actor=sales, document=open_invoice_order)
    s.invoice_cancel(actor=sales, document=canceled_invoice)
    s.salesorder_create_invoice(actor=sales, document=open_invoice_order)

    # With the integration on: a submitted order, and one the back office invoiced.
    switch(True)
    submitted = s.document_create(
        actor=sales,
        kind="salesorder",
        name="Flagship store",
        account=contoso,
        price_list=price_list,
    )
    s.line_add(
        actor=sales,
        document=submitted,
        product=Product.objects.get(number="SKU-400"),
        quantity=D("8"),
    )
    submitted = s.salesorder_submit(actor=sales, document=submitted)
    # The salesperson asks for a change; the back office answers it (the simulator, when it runs).
    s.salesorder_request_change(
        actor=sales,
        document=submitted,
        note="Two more kiosks, please, and delivery before the store opens on the 14th.",
    )
    done = s.document_create(
        actor=sales,
        kind="salesorder",
        name="Outlet refit",
        account=northwind,
        price_list=price_list,
    )
    line = s.line_add(
        actor=sales, document=done, product=Product.objects.get(number="SKU-100"), quantity=D("4")
    )
    done = s.salesorder_submit(actor=sales, document=done)
    s.document_update(
        actor=integration, document=done, external_reference="ERP-70001", submit_status="accepted"
    )
    # The back office's own price; calculation is skipped for it, so it sends the amounts too.
    s.line_update(
        actor=integration,
        line=line,
        price_per_unit=D("239.00"),
        is_price_overridden=True,
        base_amount=D("956.00"),
        extended_amount=D("956.00"),
    )
    s.document_update(
        actor=integration,
        document=done,
        total_line_item_amount=D("956.00"),
        total_amount_less_freight=D("956.00"),
        total_amount=D("956.00"),
    )
    done = s.salesorder_fulfill(actor=integration, document=done, status_reason="complete")
    erp_invoice = s.document_create(
        actor=integration,
        kind="invoice",
        name="ERP invoice for Outlet refit",
        account=northwind,
        price_list=price_list,
        owner=sales,
        sales_order=done,
        total_line_item_amount=D("956.00"),
        total_amount_less_freight=D("956.00"),
        total_amount=D("956.00"),
    )
    s.line_add(
        actor=integration,
        document=erp_invoice,
        product=Product.objects.get(number="SKU-100"),
        quantity=D("4"),
        price_per_unit=D("239.00"),
        is_price_overridden=True,
        base_amount=D("956.00"),
        extended_amount=D("956.00"),
    )
    s.invoice_mark_paid(actor=integration, document=erp_invoice, status_reason="complete")
    stdout.write("Demo documents: opportunities, quotes, orders and invoices in every state.")


def seed(stdout) -> None:
    with transaction.atomic():
        seed_catalog()
        if SalesOrder.objects.exists():
            stdout.write("Demo documents present; nothing to add.")
            return
        seed_documents(stdout)
    state = "on" if Organization.load().is_sop_integration_enabled else "off"
    stdout.write(f"The back-office integration is {state}.")
