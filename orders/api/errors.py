"""The API's one exception handler: every refusal becomes a JSON body with a stable ``code``.

- ``DomainError`` (a business rule refused the request) → 409 with ``code``, ``detail`` (the
  message a salesperson would read) and ``fields``; ``PermissionRefused`` → 403; a version that
  no longer matches (``precondition_failed``) → 412.
- Django's ``ValidationError`` (bad input caught by the domain or ``full_clean``) → 400 with the
  field errors, like the serializers' own.
- Deleting a catalog row that documents still use → 409 ``protected``.
- Too many requests (the throttle rates in settings) → 429 ``throttled`` with ``retry_after``
  seconds in the body and the ``Retry-After`` header.

Requests Django itself refuses before or around a view (a body over
``DATA_UPLOAD_MAX_MEMORY_SIZE``, too many fields, a bad Host header) reach ``bad_request``,
the site's 400 handler, which answers the same shape under ``/api/``.
"""

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from settings_app.errors import DomainError, PermissionRefused

PRECONDITION_FAILED = "precondition_failed"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record has changed since you read it (If-Match does not match)."
    default_code = PRECONDITION_FAILED


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used for a different request."
    default_code = "idempotency_key_reused"


def domain_error_status(error: DomainError) -> int:
    if error.code == PRECONDITION_FAILED:
        return status.HTTP_412_PRECONDITION_FAILED
    if isinstance(error, PermissionRefused):
        return status.HTTP_403_FORBIDDEN
    return status.HTTP_409_CONFLICT


def exception_handler(exc, context):
    # Django's own 404 and 403 become DRF's, so their bodies carry a code like every other.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.message, "fields": list(exc.fields)}
        return Response(body, status=domain_error_status(exc))
    if isinstance(exc, (ProtectedError, RestrictedError)):
        body = {
            "code": "protected",
            "detail": "This record is still in use by other records and cannot be deleted.",
            "fields": [],
        }
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = exc.message_dict
            errors = {("non_field_errors" if k == "__all__" else k): v for k, v in errors.items()}
        else:
            errors = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(errors)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.Throttled):
        # whole seconds, rounded up: a client that waits as told is not throttled again
        wait = max(1, math.ceil(exc.wait)) if exc.wait is not None else None
        detail = "Too many requests; slow down."
        if wait is not None:
            detail = f"Too many requests; try again in {wait} seconds."
            response["Retry-After"] = str(wait)
        response.data = {"code": "throttled", "detail": detail, "fields": [], "retry_after": wait}
    elif isinstance(exc, exceptions.ValidationError):
        errors = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        response.data = {
            "code": "invalid",
            "detail": "The request has invalid fields; nothing was changed.",
            "fields": list(errors),
            "errors": errors,
        }
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {
            "code": codes if isinstance(codes, str) else exc.default_code,
            "detail": str(exc.detail),
            "fields": [],
        }
    return response


def not_found(request, *args, **kwargs):
    """Any address under /api/v1/ that names no resource: JSON, like every API answer."""
    return JsonResponse(
        {"code": "not_found", "detail": "No API resource at this address.", "fields": []},
        status=404,
    )


API_PREFIX = "/api/"


def error_response(code: str, detail: str, status_code: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail, "fields": []}, status=status_code)


def bad_request(request, exception=None):
    """The site's 400 handler: the API's JSON shape under /api/, Django's page elsewhere."""
    if not request.path_info.startswith(API_PREFIX):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return error_response("payload_too_large", "The request body is too large.", 413)
    if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        return error_response("too_many_fields", "The request has too many fields.", 400)
    return error_response("bad_request", "The request could not be understood.", 400)
