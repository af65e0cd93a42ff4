import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client


def _document_counts():
    from orders.models import DOCUMENT_MODELS, LINE_MODELS, ChangeRequest, Product

    counts = {kind: model.objects.count() for kind, model in DOCUMENT_MODELS.items()}
    counts.update({f"{kind}_lines": m.objects.count() for kind, m in LINE_MODELS.items()})
    counts["products"] = Product.objects.count()
    counts["change requests"] = ChangeRequest.objects.count()
    return counts


@pytest.mark.django_db
def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    User = get_user_model()
    first = {u.username: (u.password, u.is_integration_user) for u in User.objects.all()}
    assert set(first) >= {"admin", "customizer", "manager", "sales", "integration"}
    assert first["integration"][1] is True
    documents = _document_counts()
    assert all(documents.values()), documents
    call_command("seed_demo")
    second = {u.username: (u.password, u.is_integration_user) for u in User.objects.all()}
    assert first == second
    assert _document_counts() == documents
    out = capsys.readouterr().out
    assert "0 created, 5 present" in out
    user = User.objects.get(username="sales")
    assert user.check_password(settings.SOP_DEMO_PASSWORD)
    assert user.role_name == "Salesperson"
    # the change request waits on the submitted order, for the back office to answer
    assert "Two more kiosks" in home_of(user)


def home_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.get("/").content.decode()
