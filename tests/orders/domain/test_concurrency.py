"""Submit locks the order row: no salesperson edit commits after a submit (PostgreSQL)."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from orders.models import SalesOrder, SalesOrderLine
from orders.services import document_create, line_add, line_update, salesorder_submit
from settings_app.errors import ReadOnly
from tests.conftest import set_switch
from tests.orders.factories import PriceListItemFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_thread(target, results, key):
    def run():
        try:
            results[key] = target()
        except Exception as error:  # the test inspects what each side saw
            results[key] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture
def order(salesperson, customizer):
    item = PriceListItemFactory(amount=Decimal("100.00"))
    order = document_create(
        actor=salesperson, kind="salesorder", name="Race", price_list=item.price_list
    )
    line_add(actor=salesperson, document=order, product=item.product, quantity=Decimal("1"))
    set_switch(customizer, True)
    return order


def test_an_edit_waiting_on_the_submit_is_refused_after_it_commits(order, salesperson):
    submitted = threading.Event()
    results = {}

    def submit():
        with transaction.atomic():
            salesorder_submit(actor=salesperson, document=order)
            submitted.set()
            time.sleep(0.5)  # hold the row lock while the edit tries
        return "ok"

    def edit():
        submitted.wait(5)
        line = SalesOrderLine.objects.get(document=order)
        return line_update(actor=salesperson, line=line, quantity=Decimal("7"))

    threads = [in_thread(submit, results, "submit"), in_thread(edit, results, "edit")]
    for thread in threads:
        thread.join(10)
    assert results["submit"] == "ok"
    assert isinstance(results["edit"], ReadOnly)
    assert SalesOrderLine.objects.get(document=order).quantity == Decimal("1")


def test_racing_edits_never_commit_after_the_submit(order, salesperson, integration_user):
    results = {}
    stop = threading.Event()

    def edits():
        done = 0
        line = SalesOrderLine.objects.get(document=order)
        for quantity in range(2, 200):
            if stop.is_set():
                break
            try:
                line_update(actor=salesperson, line=line, quantity=Decimal(quantity))
                done += 1
            except ReadOnly:
                break
        return done

    def submit():
        time.sleep(0.15)
        result = salesorder_submit(actor=salesperson, document=order)
        stop.set()
        return result

    threads = [in_thread(edits, results, "edits"), in_thread(submit, results, "submit")]
    for thread in threads:
        thread.join(30)
    assert not isinstance(results["submit"], Exception), results["submit"]
    order = SalesOrder.objects.get(pk=results["submit"].pk)
    history = SalesOrderLine.history.filter(document_id=order.pk, history_user=salesperson)
    assert history.exists()
    # submitted_on is taken after the submit holds the row lock, and every edit holds it too:
    # every salesperson edit that landed finished before the submit.
    assert all(record.history_date < order.submitted_on for record in history)

    # The integration user's edit on the submitted order does commit.
    line = SalesOrderLine.objects.get(document=order)
    line_update(actor=integration_user, line=line, price_per_unit=Decimal("42.00"))
    assert SalesOrderLine.objects.get(pk=line.pk).price_per_unit == Decimal("42.00")
