"""Team views, reassigning and bulk commands — at the page, the service and the admin."""

import pytest
from django.urls import reverse

from orders.services.assignment import document_reassign, documents_perform
from settings_app import roles
from settings_app.errors import PermissionRefused
from tests.conftest import set_switch
from tests.factories import UserFactory


@pytest.fixture
def team(salesperson, other_salesperson, manager, integration_user, make_document):
    return {
        "mine": make_document("quote", manager, name="Manager's quote"),
        "sales": make_document("quote", salesperson, name="Sam's quote"),
        "other": make_document("quote", other_salesperson, name="Other quote"),
        "back_office": make_document("quote", integration_user, name="Back office quote"),
    }


def listed(client, **params) -> str:
    return client.get(reverse("quote_list"), params).content.decode()


def test_my_team_all_views_and_owner_filter(client, manager, salesperson, team):
    client.force_login(manager)
    html = listed(client, view="my")
    assert "Manager&#x27;s quote" in html and "Sam&#x27;s quote" not in html
    html = listed(client, view="team")
    assert "Sam&#x27;s quote" in html and "Other quote" in html
    assert "Back office quote" not in html
    html = listed(client)
    assert "Back office quote" in html and 'value="all" checked' in html
    html = listed(client, owner=salesperson.pk)
    assert "Sam&#x27;s quote" in html and "Other quote" not in html


def test_salespeople_see_their_own_and_no_view_choice(client, salesperson, team):
    client.force_login(salesperson)
    html = listed(client, view="all", owner=team["other"].owner_id)
    assert "Sam&#x27;s quote" in html and "Other quote" not in html
    assert 'name="view"' not in html and 'name="owner"' not in html
    assert 'id="bulk-form"' not in html  # nothing to run over many records


def test_manager_reassigns_one_record_from_its_page(client, manager, salesperson, team):
    quote = team["mine"]
    client.force_login(manager)
    html = client.get(quote.get_absolute_url()).content.decode()
    assert reverse("document_reassign", args=["quote", quote.pk]) in html
    response = client.post(
        reverse("document_reassign", args=["quote", quote.pk]), {"owner": salesperson.pk}
    )
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.owner == salesperson


def test_salesperson_cannot_reassign(client, salesperson, other_salesperson, team):
    quote = team["sales"]
    client.force_login(salesperson)
    assert "Reassign" not in client.get(quote.get_absolute_url()).content.decode()
    client.post(
        reverse("document_reassign", args=["quote", quote.pk]), {"owner": other_salesperson.pk}
    )
    quote.refresh_from_db()
    assert quote.owner == salesperson
    with pytest.raises(PermissionRefused):
        document_reassign(actor=salesperson, document=quote, owner=other_salesperson)


def test_reassign_refuses_someone_who_cannot_work_the_documents(manager, team):
    viewer = UserFactory(role=roles.SYSTEM_CUSTOMIZER)
    with pytest.raises(PermissionRefused) as error:
        document_reassign(actor=manager, document=team["mine"], owner=viewer)
    assert "cannot work quotes" in error.value.message


def test_bulk_reassign_reports_each_record(client, manager, salesperson, team, make_document):
    from orders.services.transitions import quote_activate

    closed = quote_activate(actor=manager, document=make_document("quote", manager, lines=1))
    client.force_login(manager)
    response = client.post(
        reverse("document_bulk", args=["quote"]),
        {
            "command": "reassign",
            "owner": salesperson.pk,
            "ids": [team["mine"].pk, team["other"].pk, closed.pk, 999999],
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 done · 1 refused · 1 not found or not yours" in html
    assert closed.number in html and "read-only" in html
    team["other"].refresh_from_db()
    assert team["other"].owner == salesperson


def test_bulk_submit_and_cancel_go_through_each_guard(
    client, manager, salesperson, customizer, make_document
):
    set_switch(customizer, True)
    with_lines = make_document("salesorder", salesperson, lines=1)
    empty = make_document("salesorder", salesperson)
    client.force_login(manager)
    html = client.get(reverse("salesorder_list")).content.decode()
    assert '<option value="submit">Submit</option>' in html
    html = client.post(
        reverse("document_bulk", args=["salesorder"]),
        {"command": "submit", "ids": [with_lines.pk, empty.pk], "confirmed": "on"},
    ).content.decode()
    assert "1 done · 1 refused" in html and "needs at least one product" in html
    with_lines.refresh_from_db()
    assert with_lines.state == "submitted"
    html = client.post(
        reverse("document_bulk", args=["salesorder"]),
        {"command": "cancel", "ids": [with_lines.pk, empty.pk], "confirmed": "on"},
    ).content.decode()
    assert "2 done · 0 refused" in html


@pytest.mark.parametrize(
    ("kind", "command", "question", "button"),
    [
        (
            "salesorder",
            "submit",
            "Submit 2 sales orders to the back office?",
            "Submit 2 sales orders",
        ),
        ("salesorder", "cancel", "Cancel 2 sales orders?", "Cancel 2 sales orders"),
        ("invoice", "cancel", "Cancel 2 invoices?", "Cancel 2 invoices"),
    ],
)
def test_bulk_commands_that_cannot_be_undone_ask_first_and_change_nothing(
    client, manager, salesperson, customizer, make_document, kind, command, question, button
):
    set_switch(customizer, command == "submit")
    documents = [make_document(kind, salesperson, lines=1) for _ in range(2)]
    client.force_login(manager)
    response = client.post(
        reverse("document_bulk", args=[kind]),
        {
            "command": command,
            "ids": [*(document.pk for document in documents), 999999],
            "back": "https://evil.example/",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{question}</h1>" in html and f">{button}</button>" in html
    assert all(document.number in html for document in documents)
    assert 'name="confirmed" value="on"' in html
    assert "evil.example" not in html  # back goes only to this site's pages
    model = type(documents[0])
    assert set(model.objects.values_list("state", flat=True)) == {"active"}
    assert "1 of the selected is not found or not yours" in html


def test_bulk_refuses_commands_the_role_does_not_have(client, salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    client.force_login(salesperson)
    response = client.post(
        reverse("document_bulk", args=["salesorder"]), {"command": "cancel", "ids": [order.pk]}
    )
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.state == "active"
    # the service itself refuses, record by record, with the guard's reason
    (outcome,) = documents_perform(actor=salesperson, documents=[order], command="cancel")
    assert not outcome.done and "does not allow" in outcome.message


def test_bulk_service_reports_refusals_without_undoing_the_rest(
    manager, salesperson, make_document
):
    done = make_document("opportunity", manager)
    from orders.services.transitions import opportunity_win

    won = opportunity_win(actor=manager, document=make_document("opportunity", manager))
    outcomes = documents_perform(
        actor=manager, documents=[done, won], command="reassign", owner=salesperson
    )
    assert [(o.number, o.done) for o in outcomes] == [(done.number, True), (won.number, False)]
    done.refresh_from_db()
    assert done.owner == salesperson
