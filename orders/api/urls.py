"""The REST API under /api/ (v1 resources, schema and docs)."""

urlpatterns: list = []
