"""Logs: one line per event, each with the id of the request it belongs to.

The request id comes from the ``X-Request-ID`` header when a proxy or client sent a sane one,
else it is a new UUID; it is kept in a context variable for the request's duration, added to
every log record by ``RequestIdFilter`` (``-`` outside a request: the delivery worker, commands)
and returned in the response's ``X-Request-ID`` header. Text lines read
``ts level logger request_id message``; ``SOP_LOG_FORMAT=json`` writes one JSON object a line.
A traceback stays on its event's line (newlines escaped).
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.core.signals import request_finished

HEADER = "X-Request-ID"
NO_REQUEST = "-"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

request_id: ContextVar[str] = ContextVar("sopsite_request_id", default=NO_REQUEST)
access = logging.getLogger("sopsite.request")


class RequestIdMiddleware:
    """Sets the request id, answers it in the response header and logs one line per request.

    The id stays set until the response is closed (``request_finished``): Django logs a 4xx or
    5xx (``django.request``) after the middleware has returned.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get(HEADER, "")
        request_id.set(sent if _SANE_ID.fullmatch(sent) else uuid.uuid4().hex)
        started = time.monotonic()
        response = self.get_response(request)
        response[HEADER] = request_id.get()
        access.info(
            "%s %s %s %dms",
            request.method,
            request.path,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response


def forget_request_id(**kwargs):
    request_id.set(NO_REQUEST)


request_finished.connect(forget_request_id, dispatch_uid="sopsite_forget_request_id")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class OneLineFormatter(logging.Formatter):
    """``%(asctime)s`` in ISO 8601 (UTC, no spaces), and the whole event on one line."""

    def formatTime(self, record, datefmt=None):
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")

    def format(self, record):
        return super().format(record).replace("\r", "").replace("\n", "\\n")


class JsonFormatter(OneLineFormatter):
    def format(self, record):
        request = getattr(record, "request_id", NO_REQUEST)
        line = {
            "ts": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": None if request == NO_REQUEST else request,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)
