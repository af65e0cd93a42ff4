"""What every API view shares: the acting user, role permissions, the error shape, the
documents a user may see, ETags. What the OpenAPI schema says of errors and headers is computed
from the views by ``orders.api.openapi``."""

from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from orders import selectors
from orders.api import conditional
from orders.api.parsers import JsonParser
from orders.api.permissions import METHOD_ACTIONS, RolePermission, model_perm
from settings_app.acting import set_actor

MAX_ID = 2**63 - 1


class ApiViewMixin:
    # Sets the domain's acting user once DRF has authenticated the request (token or session),
    # and asks for the model permission of ``permission_model`` that the method needs.

    permission_classes = [RolePermission]
    parser_classes = [JsonParser]  # the API speaks JSON only (docs/api.md#shape)
    permission_model = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    # What the schema declares (orders.api.openapi): single records answer with an ETag …
    sends_etag = False
    # … and a line's DELETE with its document's new one.
    etag_on_delete = False

    def takes_if_match(self, method: str, action: str | None) -> bool:
        """Whether this operation compares ``If-Match`` (412 when stale)."""
        return method in {"PATCH", "DELETE"}

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
