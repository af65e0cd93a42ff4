"""The REST API under /api/ (v1 resources, schema and docs)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from orders.api.errors import not_found
from orders.api.views import catalog
from orders.api.views.docs import ApiDocsView
from orders.api.views.documents import DOCUMENT_VIEWSETS, PATHS
from orders.api.views.events import EventFeedView
from orders.api.views.lines import LINE_VIEWSETS
from orders.api.views.organization import OrganizationView


class ApiRouter(DefaultRouter):
    """The v1 root lists the organization and the events feed too, not only the viewsets."""

    include_format_suffixes = False

    def get_api_root_view(self, api_urls=None):
        root = {
            prefix: self.routes[0].name.format(basename=basename)
            for prefix, _, basename in self.registry
            if "(" not in prefix  # nested lists need their parent's id
        }
        root = {"organization": "api-organization", **root, "events": "api-events"}
        return self.APIRootView.as_view(api_root_dict=root)


router = ApiRouter(trailing_slash=False)
router.register("currencies", catalog.CurrencyViewSet, basename="api-currency")
router.register("unitgroups", catalog.UnitGroupViewSet, basename="api-unitgroup")
router.register("units", catalog.UnitViewSet, basename="api-unit")
router.register("products", catalog.ProductViewSet, basename="api-product")
router.register("pricelists", catalog.PriceListViewSet, basename="api-pricelist")
router.register(
    r"pricelists/(?P<parent_id>[0-9]+)/items",
    catalog.PriceListItemViewSet,
    basename="api-pricelistitem",
)
router.register("discountlists", catalog.DiscountListViewSet, basename="api-discountlist")
router.register(
    r"discountlists/(?P<parent_id>[0-9]+)/bands",
    catalog.DiscountBandViewSet,
    basename="api-discountband",
)
router.register("accounts", catalog.AccountViewSet, basename="api-account")
for kind, viewset in DOCUMENT_VIEWSETS.items():
    router.register(PATHS[kind], viewset, basename=f"api-{kind}")

LIST = {"get": "list", "post": "create"}
DETAIL = {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
line_patterns = []
for kind, viewset in LINE_VIEWSETS.items():
    prefix = f"v1/{PATHS[kind]}/<int:document_id>/lines"
    line_patterns += [
        path(prefix, viewset.as_view(LIST), name=f"api-{kind}line-list"),
        path(f"{prefix}/<int:line_id>", viewset.as_view(DETAIL), name=f"api-{kind}line-detail"),
    ]

urlpatterns = [
    path("v1/organization", OrganizationView.as_view(), name="api-organization"),
    path("v1/events", EventFeedView.as_view(), name="api-events"),
    *line_patterns,
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(), name="api-docs"),
    re_path(r"^v1/", not_found),
]
