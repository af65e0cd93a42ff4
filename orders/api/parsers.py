"""The API's JSON parser: DRF's, with the two limits it lacks.

- Size: DRF reads the body as a stream, so Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is never
  checked for JSON; here a body over it is refused (413) before it is parsed.
- Depth: ``json`` raises ``RecursionError`` on deeply nested input (``[`` × 100,000); here that
  is a parse error (400), like any malformed body. Nesting deeper than ``MAX_DEPTH`` is refused
  too, so nothing after the parser (hashing, comparing, validating) can recurse that deep.
"""

import io

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class JsonParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            request = (parser_context or {}).get("request")
            declared = request.META.get("CONTENT_LENGTH") if request is not None else None
            if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
                raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
            body = stream.read(limit + 1)  # a body longer than it says is cut here
            if len(body) > limit:
                raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
            stream = io.BytesIO(body)
        try:
            data = super().parse(stream, media_type, parser_context)
            too_deep = depth(data) > MAX_DEPTH
        except RecursionError:
            too_deep = True
        if too_deep:
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.")
        return data


def depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (without recursing)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, level)
            stack.extend((item, level + 1) for item in value)
    return deepest
