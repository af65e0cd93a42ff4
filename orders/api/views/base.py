"""What every API view shares: the acting user, role permissions, the error shape, the
documents a user may see, ETags, and the OpenAPI descriptions of errors and headers."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from orders import selectors
from orders.api import conditional
from orders.api.parsers import JsonParser
from orders.api.permissions import METHOD_ACTIONS, RolePermission, model_perm
from settings_app.acting import set_actor

MAX_ID = 2**63 - 1

ERROR_RESPONSES = {
    400: OpenApiResponse(description="Invalid input, with field errors; nothing was changed."),
    403: OpenApiResponse(description="The role lacks the permission."),
    404: OpenApiResponse(description="Not found, or not visible to you."),
    409: OpenApiResponse(
        description="Refused by a business rule (read-only, wrong state, switch position, "
        "computed field); the body has a machine-readable `code` and a message."
    ),
    412: OpenApiResponse(description="`If-Match` does not match the current version."),
    422: OpenApiResponse(description="`Idempotency-Key` reused with a different request."),
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description='The ETag you read (`W/"<version>"`); 412 when the record has changed since.',
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Replays the first response for the same key and body; 422 for another body.",
)


class ApiViewMixin:
    """Sets the domain's acting user once DRF has authenticated the request (token or session),
    and asks for the model permission of ``permission_model`` that the method needs."""

    permission_classes = [RolePermission]
    parser_classes = [JsonParser]  # the API speaks JSON only (docs/api.md#shape)
    permission_model = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def initial(self, request, *args, **kwargs):
        try:
            super().initial(request, *args, **kwargs)
        except (NotAuthenticated, AuthenticationFailed):
            # DRF asks the throttles only after authentication and permissions pass, so a
            # client guessing tokens would be answered 401 forever; its failures count against
            # the anonymous rate instead, and past it the answer is 429.
            self.check_throttles(request)
            raise
        set_actor(request.user)

    def required_permissions(self, request) -> list[str]:
        return [model_perm(self.permission_model, METHOD_ACTIONS.get(request.method, "change"))]


class ApiView(ApiViewMixin, APIView):
    pass


def parse_id(value) -> int | None:
    """A path id as an int, or None when it could not name a row (404, never a 500)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def visible_documents(user, kind: str):
    """The documents of ``kind`` the user may see (the domain's selector)."""
    return selectors.documents_for(user, kind)


def with_etag(response: Response, document) -> Response:
    response["ETag"] = conditional.etag(document.version)
    return response
