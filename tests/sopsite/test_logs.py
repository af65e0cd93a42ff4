"""Logs: one line per event, each with the request id that the response names."""

import io
import json
import logging
import re

import pytest

from sopsite.logs import JsonFormatter, OneLineFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_the_request_id_sent_comes_back_and_a_missing_or_odd_one_is_made(client):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="lb-7f3a.42")
    assert response["X-Request-ID"] == "lb-7f3a.42"
    made = client.get("/accounts/login/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    odd = client.get("/accounts/login/", HTTP_X_REQUEST_ID="two words\r\nInjected: 1")
    assert odd["X-Request-ID"] != "two words\r\nInjected: 1"
    assert re.fullmatch(r"[0-9a-f]{32}", odd["X-Request-ID"])
    assert client.get("/accounts/login/")["X-Request-ID"] != made


def test_log_records_of_a_request_carry_its_id(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/api/v1/no-such-thing", HTTP_X_REQUEST_ID="req-123")
    assert response.status_code == 404
    records = {record.name: record for record in caplog.records}
    # Our access line, and Django's own warning logged after the middleware has returned.
    assert records["sopsite.request"].request_id == "req-123"
    assert records["django.request"].request_id == "req-123"
    assert records["sopsite.request"].getMessage().startswith("GET /api/v1/no-such-thing 404")


def test_the_console_line_is_ts_level_logger_request_id_message(client):
    console = next(
        h for h in logging.getLogger().handlers if isinstance(h.formatter, OneLineFormatter)
    )
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        client.get("/accounts/login/", HTTP_X_REQUEST_ID="abc-1")
        logging.getLogger("sopsite.integration").warning("worker line\nwith a second line")
    finally:
        console.setStream(previous)
    lines = stream.getvalue().splitlines()
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 INFO sopsite\.request abc-1 "
        r"GET /accounts/login/ 200 \d+ms",
        lines[0],
    )
    # Outside a request (the delivery worker, commands): "-" for the id, still one line.
    assert lines[1].endswith(" WARNING sopsite.integration - worker line\\nwith a second line")
    assert len(lines) == 2


def _record(message="boom", exc_info=None):
    record = logging.LogRecord(
        "sopsite.integration", logging.ERROR, __file__, 1, message, (), exc_info
    )
    RequestIdFilter().filter(record)
    return record


def test_a_traceback_stays_on_its_events_line():
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        import sys

        record = _record(exc_info=sys.exc_info())
    text = OneLineFormatter("%(levelname)s %(request_id)s %(message)s").format(record)
    assert "\n" not in text and text.startswith("ERROR - boom\\nTraceback")
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["request_id"] is None and parsed["logger"] == "sopsite.integration"
    assert parsed["message"] == "boom" and "ValueError: bad\nvalue" in parsed["exception"]


def test_sop_log_format_json_writes_one_json_object_a_line(tmp_path):
    import os
    import subprocess
    import sys

    from django.conf import settings

    script = (
        "import django; django.setup(); from django.test import Client; "
        "Client().get('/api/v1/no-such-thing', HTTP_X_REQUEST_ID='json-1')"
    )
    env = {**os.environ, "SOP_LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "sopsite.settings"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert {(line["logger"], line["request_id"]) for line in lines} == {
        ("sopsite.request", "json-1"),
        ("django.request", "json-1"),
    }, result.stderr
