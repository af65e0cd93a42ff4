import pytest
from django.urls import reverse


@pytest.mark.parametrize("name", ["product_list", "pricelist_list"])
def test_catalog_lists_for_sales_staff(client, salesperson, catalog, name):
    client.force_login(salesperson)
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Widget 0" in html or "Retail" in html


def test_product_detail_lists_its_price_list_items(client, salesperson, catalog):
    product = catalog["products"][1]
    client.force_login(salesperson)
    html = client.get(reverse("product_detail", args=[product.pk])).content.decode()
    assert "Widget 1" in html and "Retail" in html and "20.00" in html


def test_pricelist_detail_and_search(client, salesperson, catalog):
    client.force_login(salesperson)
    html = client.get(reverse("pricelist_detail", args=[catalog["price_list"].pk])).content.decode()
    assert "Widget 2" in html and "30.00" in html
    html = client.get(reverse("product_list"), {"q": "Widget 2"}).content.decode()
    assert "Widget 2" in html and "Widget 1" not in html


def test_catalog_404_and_403(client, salesperson, db, django_user_model):
    client.force_login(salesperson)
    assert client.get(reverse("product_detail", args=[999])).status_code == 404
    assert client.get(reverse("pricelist_detail", args=[999])).status_code == 404
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(reverse("product_list")).status_code == 403
    assert client.get(reverse("pricelist_list")).status_code == 403


def test_home_lists_open_work(client, salesperson, make_document):
    document = make_document("opportunity", salesperson, name="Open thing")
    client.force_login(salesperson)
    html = client.get("/").content.decode()
    assert "Open opportunities" in html and document.number in html
