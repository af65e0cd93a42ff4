"""What every API view shares: the acting user, role permissions, the error shape."""

from rest_framework.views import APIView

from orders.api.parsers import JsonParser
from orders.api.permissions import METHOD_ACTIONS, RolePermission, model_perm
from settings_app.acting import set_actor

MAX_ID = 2**63 - 1


class ApiViewMixin:
    """Sets the domain's acting user once DRF has authenticated the request (token or session),
    and asks for the model permission of ``permission_model`` that the method needs."""

    permission_classes = [RolePermission]
    parser_classes = [JsonParser]  # the API speaks JSON only
    permission_model = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
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
