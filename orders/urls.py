"""Pages for sales staff and the catalog (filled in by orders.views)."""

urlpatterns: list = []
