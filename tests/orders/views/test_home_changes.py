"""Home's change-request cards (issue 13, point 1): the requester's (the team's for managers)
open and declined requests, and the integration user's worklist of open ones; each card links
to the list filtered by the same queue."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.services import (
    salesorder_decline_change,
    salesorder_reject,
    salesorder_request_change,
    salesorder_submit,
)
from tests.conftest import set_switch


def submitted(make_document, owner, name):
    order = make_document("salesorder", owner, lines=1, name=name)
    return salesorder_submit(actor=owner, document=order)


def card(html: str, key: str) -> str:
    return html.split(f'id="work-{key}"')[1].split("</section>")[0]


def test_change_requested_and_declined_cards_until_the_back_office_answers(
    client, salesperson, manager, other_salesperson, integration_user, customizer, make_document
):
    set_switch(customizer, True)
    asked = submitted(make_document, salesperson, "Asked one")
    declined = submitted(make_document, salesperson, "Declined one")
    theirs = submitted(make_document, other_salesperson, "Their one")
    salesorder_request_change(actor=salesperson, document=asked, note="Five, not four")
    salesorder_request_change(actor=salesperson, document=declined, note="Add cables")
    salesorder_decline_change(actor=integration_user, document=declined, reason="Packed already")
    salesorder_request_change(actor=manager, document=theirs, note="Earlier delivery")

    client.force_login(salesperson)
    html = client.get("/").content.decode()
    requested = card(html, "change_requested")
    assert "Asked one" in requested and "“Five, not four”" in requested
    assert "Declined one" not in requested and "Their one" not in requested
    refused = card(html, "change_declined")
    assert "Declined one" in refused and "Declined: “Packed already”" in refused
    assert "Asked one" not in refused
    assert f"{reverse('salesorder_list')}?work=change_requested" in html
    assert f"{reverse('salesorder_list')}?work=change_declined" in html

    # the list behind the card shows the same orders
    listed = client.get(reverse("salesorder_list"), {"work": "change_requested"}).content.decode()
    assert "Asked one" in listed and "Declined one" not in listed
    listed = client.get(reverse("salesorder_list"), {"work": "change_declined"}).content.decode()
    assert "Declined one" in listed and "Asked one" not in listed

    # managers see the team's, with the owner
    client.force_login(manager)
    requested = card(client.get("/").content.decode(), "change_requested")
    assert "Asked one" in requested and "Their one" in requested
    assert other_salesperson.get_full_name() in requested

    # the integration user's worklist: the open ones, everyone's
    client.force_login(integration_user)
    html = client.get("/").content.decode()
    worklist = card(html, "change_requests")
    assert "Asked one" in worklist and "Their one" in worklist and "Declined one" not in worklist
    assert ">Change requests</a>" in worklist
    assert 'id="work-change_requested"' not in html

    # answered by a reject: off the cards
    salesorder_reject(actor=integration_user, document=asked, reason="Edit it")
    html = client.get("/").content.decode()
    assert "Asked one" not in card(html, "change_requests")
    client.force_login(salesperson)
    html = client.get("/").content.decode()
    assert "Asked one" not in card(html, "change_requested")
    assert "Asked one" in card(html, "returned")


def test_change_cards_cost_the_same_queries_with_few_or_many_requests(
    client, salesperson, integration_user, customizer, make_document
):
    set_switch(customizer, True)
    first = submitted(make_document, salesperson, "First")
    salesorder_request_change(actor=salesperson, document=first, note="One")
    client.force_login(salesperson)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for n in range(6):
        order = submitted(make_document, salesperson, f"Order {n}")
        salesorder_request_change(actor=salesperson, document=order, note=f"Change {n}")
        if n % 2:
            salesorder_decline_change(actor=integration_user, document=order, reason="No")
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)
