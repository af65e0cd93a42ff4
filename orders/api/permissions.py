"""Role permissions: a request needs the Django model permissions its view names for it.

Unauthenticated requests get 401 (DRF answers so when an authenticator could have been used);
an authenticated user without the permission gets 403. Finer rules (who may submit, fulfil,
move the switch) are the domain's and come back as ``PermissionRefused`` (403 too).
"""

from rest_framework.permissions import BasePermission

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def model_perm(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class RolePermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        return user.has_perms(view.required_permissions(request))
