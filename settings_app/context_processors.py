from settings_app.models import Organization


def organization(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"organization": Organization.load()}
