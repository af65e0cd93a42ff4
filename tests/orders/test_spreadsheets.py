"""Products and price list items from and to spreadsheets in the admin, with a preview first."""

import re
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orders.models import PriceListItem, Product
from tests.orders.views.helpers import build_catalog, build_document


def csv_format(html: str) -> str:
    return re.search(r'<option value="(\d+)"[^>]*>csv</option>', html).group(1)


def preview(client, model: str, text: str):
    url = reverse(f"admin:orders_{model}_import")
    fmt = csv_format(client.get(url).content.decode())
    upload = SimpleUploadedFile("items.csv", text.encode(), content_type="text/csv")
    return client.post(url, {"format": fmt, "import_file": upload, "resource": "0"})


def confirm(client, model: str, response):
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
    return client.post(reverse(f"admin:orders_{model}_process_import"), data, follow=True)


def test_price_list_item_import_previews_and_says_it_will_reprice_open_orders(
    client, customizer, salesperson
):
    shop = build_catalog()
    order = build_document(shop, "salesorder", salesperson, lines=1)  # Widget 0 at 10.00
    client.force_login(customizer)
    text = (
        "price_list,product,unit,pricing_method,amount,percentage,rounding_policy,"
        "rounding_option,rounding_amount,discount_list\n"
        "Retail,P-0,Each,currency_amount,12.50,0,none,multiple_of,0,\n"
    )
    response = preview(client, "pricelistitem", text)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Confirming this import re-prices 1 open order" in html
    item = PriceListItem.objects.get(product__number="P-0")
    assert item.amount == Decimal("10")  # nothing changed yet
    order.refresh_from_db()
    assert order.total_amount == Decimal("20")

    confirm(client, "pricelistitem", response)
    item.refresh_from_db()
    order.refresh_from_db()
    assert item.amount == Decimal("12.5")
    assert order.total_amount == Decimal("25")  # re-priced by the same catalog rule


def test_product_import_creates_products_and_refuses_a_unit_of_another_group(client, customizer):
    build_catalog()
    client.force_login(customizer)
    text = (
        "number,name,description,unit_group,default_unit,list_price,current_cost,"
        "standard_cost,status\n"
        "P-9,Gadget,,Default unit,Each,45.00,20,20,active\n"
    )
    confirm(client, "product", preview(client, "product", text))
    assert Product.objects.get(number="P-9").list_price == Decimal("45")

    bad = text.replace("P-9,Gadget", "P-10,Broken").replace("Default unit,Each", "Default unit,Box")
    html = preview(client, "product", bad).content.decode()
    assert "Errors" in html or "errorlist" in html or "does not exist" in html
    assert not Product.objects.filter(number="P-10").exists()


def test_products_export_from_the_admin(client, customizer):
    build_catalog()
    client.force_login(customizer)
    url = reverse("admin:orders_product_export")
    html = client.get(url).content.decode()
    fmt = csv_format(html)
    form = client.get(url).context["form"]
    chosen = {name: "on" for name in form.fields if name.startswith("productresource_")}
    response = client.post(url, {"format": fmt, "resource": "0", **chosen})
    body = response.content.decode()
    assert response.status_code == 200, body[:500]
    assert body.splitlines()[0].startswith("number,name")
    assert "P-1,Widget 1" in body


def test_salespeople_cannot_import(client, salesperson):
    client.force_login(salesperson)
    response = client.get(reverse("admin:orders_product_import"))
    assert response.status_code in {302, 403}
