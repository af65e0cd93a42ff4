import pytest
from django.contrib import admin
from django.urls import reverse

from orders import models
from orders.services import perform

ORDERS_MODELS = [m for m in admin.site._registry if m._meta.app_label == "orders"]


def test_every_orders_model_is_registered():
    from django.apps import apps

    registered = set(ORDERS_MODELS)
    missing = [
        m.__name__
        for m in apps.get_app_config("orders").get_models()
        if m not in registered and not m.__name__.startswith("Historical")
    ]
    assert missing == []


@pytest.mark.parametrize("model", ORDERS_MODELS, ids=lambda m: m.__name__)
def test_changelist_renders_and_searches(client, admin_user, make_document, model):
    make_document("salesorder", admin_user, lines=1)
    client.force_login(admin_user)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "x"}).status_code == 200


def test_document_change_page_shows_computed_fields_read_only(client, admin_user, make_document):
    order = make_document("salesorder", admin_user, lines=2)
    client.force_login(admin_user)
    html = client.get(reverse("admin:orders_salesorder_change", args=[order.pk])).content.decode()
    assert 'name="name"' in html
    assert 'name="total_amount"' not in html  # shown, not editable
    assert 'name="lines-0-quantity"' in html
    assert 'name="lines-0-extended_amount"' not in html


def test_submitted_order_is_read_only_in_the_admin(client, admin_user, make_document, switch_on):
    order = make_document("salesorder", admin_user, lines=1)
    perform("submit", actor=admin_user, document=order)
    client.force_login(admin_user)
    html = client.get(reverse("admin:orders_salesorder_change", args=[order.pk])).content.decode()
    assert 'name="name"' not in html
    assert 'name="lines-0-quantity"' not in html
    assert 'name="_save"' not in html  # the admin's view mode: nothing to save
    assert "Calculated by the system" in html  # provenance in words, not JSON
    line = order.lines.get()
    html = client.get(
        reverse("admin:orders_salesorderline_change", args=[line.pk])
    ).content.decode()
    assert 'name="quantity"' not in html and 'name="_save"' not in html


def test_refused_admin_save_is_a_message_not_a_500(client, admin_user, make_document):
    order = make_document("salesorder", admin_user, lines=0)
    client.force_login(admin_user)
    url = reverse("admin:orders_salesorder_change", args=[order.pk])
    data = {
        "name": order.name,
        "account": order.account_id,
        "price_list": order.price_list_id,
        "currency": order.currency_id,
        "owner": order.owner_id,
        "description": "",
        "discount_percentage": "0",
        "discount_amount": "0",
        "freight_amount": "0",
        "external_reference": "ERP-1",  # integration users only
        "submit_status": "",
        "submit_status_description": "",
        "last_back_office_submit_0": "",
        "last_back_office_submit_1": "",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not saved:" in html and "integration user" in html
    order.refresh_from_db()
    assert order.external_reference == ""


def test_transition_admin_action_reports_refusals(client, admin_user, make_document):
    order = make_document("salesorder", admin_user, lines=1)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:orders_salesorder_changelist"),
        {"action": "action_submit", "_selected_action": [order.pk]},
        follow=True,
    )
    assert "refused" in response.content.decode()
    assert models.SalesOrder.objects.get(pk=order.pk).state == "active"
