"""``Idempotency-Key`` on POST: the first successful response is stored and replayed.

The same key with the same body (and path) replays the stored response without running the
request again; the same key with a different request answers 422. The record is written in the
same transaction as the change it answers, so a crash cannot leave one without the other; two
concurrent first requests with one key are serialized by the unique constraint (the loser's
change is rolled back and it gets the winner's response). Failed requests (4xx) are not
stored: they changed nothing, so running them again is safe and gives the current answer.
"""

import hashlib
import json
from functools import wraps

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from rest_framework.response import Response

from orders.api.errors import IdempotencyKeyReused
from orders.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


REPLAYED_HEADERS = ("ETag", "Location")


def request_hash(request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyKey, digest: str) -> Response:
    if record.request_hash != digest:
        raise IdempotencyKeyReused()
    stored = record.response_body or {}
    response = Response(stored.get("body"), status=record.response_status)
    for name, value in stored.get("headers", {}).items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(handler):
    """Decorate a view's POST handler (``def create(self, request, ...)``)."""

    @wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if not key:
            return handler(self, request, *args, **kwargs)
        key = key.strip()[:MAX_KEY_LENGTH]
        digest = request_hash(request)
        stored = IdempotencyKey.objects.filter(user=request.user, key=key).first()
        if stored is not None:
            return _replay(stored, digest)
        try:
            with transaction.atomic():
                response = handler(self, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    body = {
                        "body": json.loads(json.dumps(response.data, cls=DjangoJSONEncoder)),
                        # The replay answers like the first time: the same ETag and Location.
                        "headers": {
                            name: response[name]
                            for name in REPLAYED_HEADERS
                            if response.has_header(name)
                        },
                    }
                    IdempotencyKey.objects.create(
                        user=request.user,
                        key=key,
                        method=request.method,
                        path=request.path[:500],
                        request_hash=digest,
                        response_status=response.status_code,
                        response_body=body,
                    )
        except IntegrityError:
            stored = IdempotencyKey.objects.filter(user=request.user, key=key).first()
            if stored is None:
                raise
            return _replay(stored, digest)
        return response

    wrapper.idempotent = True  # the OpenAPI schema declares the header and its 422 from this
    return wrapper
