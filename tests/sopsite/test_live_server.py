"""The live server the browser and end-to-end tests drive. On SQLite the test database lives in
memory and every server thread shares the test's one connection; two requests reading through
it at once can cut each other's rows short (a page's htmx timeline came back 404 while the
browser was already loading the next page). So there it serves one request at a time."""

import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection

from tests.orders.views.helpers import build_catalog, build_document

pytestmark = [pytest.mark.xdist_group("browser"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def most_at_once():
    """The most requests the server had in hand at one time."""
    lock = threading.Lock()
    seen = {"now": 0, "most": 0}

    def started(**kwargs):
        with lock:
            seen["now"] += 1
            seen["most"] = max(seen["most"], seen["now"])

    def finished(**kwargs):
        with lock:
            seen["now"] -= 1

    request_started.connect(started, dispatch_uid="most_at_once_started")
    request_finished.connect(finished, dispatch_uid="most_at_once_finished")
    yield seen
    request_started.disconnect(dispatch_uid="most_at_once_started")
    request_finished.disconnect(dispatch_uid="most_at_once_finished")


def test_overlapping_requests_each_read_the_whole_record(
    live_server, client, manager, most_at_once
):
    order = build_document(build_catalog(), "salesorder", manager, lines=200)
    client.force_login(manager)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    url = f"{live_server.url}{order.get_absolute_url()}"

    def lines_shown(_) -> int:
        request = urllib.request.Request(url, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read().decode().count('<tr id="line-')

    with ThreadPoolExecutor(max_workers=4) as pool:
        shown = list(pool.map(lines_shown, range(8)))
    assert shown == [200] * 8
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        assert most_at_once["most"] == 1
    else:
        assert most_at_once["most"] > 1  # each thread has its own connection: they overlap
