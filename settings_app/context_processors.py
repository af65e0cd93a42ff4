from django.utils.functional import SimpleLazyObject

from settings_app.models import Organization


def organization(request):
    """``organization`` for the templates, read only by the pages that show it, and then once
    per request (shared with the view: ``Organization.of_request``)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"organization": SimpleLazyObject(lambda: Organization.of_request(request))}
