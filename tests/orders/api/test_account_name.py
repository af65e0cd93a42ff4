"""The account's name copied on each document (the lists sort by it along an index) follows the
document's account and every rename of the account, at the shell, the API and the page."""

import re

import pytest
from django.urls import reverse

from orders.models import Quote, SalesOrder
from orders.services.documents import document_update
from tests.orders.factories import AccountFactory

pytestmark = pytest.mark.django_db


def names(model=SalesOrder) -> dict:
    return dict(model.objects.values_list("name", "account_name"))


def listed(client, sort: str) -> list[str]:
    html = client.get(reverse("salesorder_list"), {"sort": sort}).content.decode()
    return re.findall(r">(Deal [A-Z])<", html)


def test_the_copy_follows_the_documents_account(salesperson, make_document, catalog):
    order = make_document("salesorder", salesperson, name="Deal A")
    assert names() == {"Deal A": "Contoso"}
    other = AccountFactory(name="Fabrikam", default_price_list=catalog["price_list"])
    order = document_update(actor=salesperson, document=order, account=other)
    assert names() == {"Deal A": "Fabrikam"}
    order = document_update(actor=salesperson, document=order, account=None)
    assert names() == {"Deal A": None}


def test_a_renamed_account_renames_its_documents_shell_and_api(
    api, client, salesperson, customizer, make_document, catalog
):
    contoso = catalog["account"]
    other = AccountFactory(name="Fabrikam", default_price_list=catalog["price_list"])
    make_document("salesorder", salesperson, name="Deal A")
    second = make_document("salesorder", salesperson, name="Deal B")
    document_update(actor=salesperson, document=second, account=other)
    make_document("quote", salesperson, name="Deal Q")
    client.force_login(salesperson)
    assert listed(client, "account") == ["Deal A", "Deal B"]  # Contoso, Fabrikam

    # The shell: a save of the account.
    contoso.name = "Zeta Retail"
    contoso.save()
    assert names() == {"Deal A": "Zeta Retail", "Deal B": "Fabrikam"}
    assert names(Quote) == {"Deal Q": "Zeta Retail"}
    assert listed(client, "account") == ["Deal B", "Deal A"]
    assert listed(client, "-account") == ["Deal A", "Deal B"]

    # The API.
    response = api(customizer).patch(
        f"/api/v1/accounts/{other.pk}", {"name": "Zulu Trading"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert names() == {"Deal A": "Zeta Retail", "Deal B": "Zulu Trading"}
    assert listed(client, "account") == ["Deal A", "Deal B"]

    # A refused rename changes nothing.
    response = api(customizer).patch(f"/api/v1/accounts/{other.pk}", {"name": ""}, format="json")
    assert response.status_code == 400
    assert names() == {"Deal A": "Zeta Retail", "Deal B": "Zulu Trading"}
