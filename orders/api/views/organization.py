"""GET/PATCH /api/v1/organization: the settings, and one of the switch's three guarded doors."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from orders.api import conditional
from orders.api.serializers import OrganizationSerializer
from orders.api.views.base import ApiView
from settings_app.models import Organization, SwitchDoor
from settings_app.services import (
    ORGANIZATION_SETTINGS,
    organization_set_sop_integration,
    organization_update_settings,
)


class OrganizationView(ApiView):
    permission_model = Organization
    serializer_class = OrganizationSerializer
    sends_etag = True

    def required_permissions(self, request) -> list[str]:
        # Reading needs the view permission; who may change what is the services' decision
        # (the switch needs change_sop_integration, the other settings change_organization).
        return ["settings_app.view_organization"]

    @extend_schema(
        responses=OrganizationSerializer,
        description="The organization's settings: the back-office integration switch and the "
        "pricing settings.",
    )
    def get(self, request):
        return self.respond()

    @staticmethod
    def respond() -> Response:
        data = OrganizationSerializer(Organization.load()).data
        response = Response(data)
        response["ETag"] = conditional.representation_etag(data)
        return response

    @extend_schema(
        request=OrganizationSerializer,
        responses=OrganizationSerializer,
        description="Change the pricing settings (needs `change_organization`) or move the "
        "integration switch (needs `change_sop_integration`); both in one transaction.",
    )
    def patch(self, request):
        serializer = OrganizationSerializer(Organization.load(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        switch = values.pop("is_sop_integration_enabled", None)
        settings = {name: values[name] for name in ORGANIZATION_SETTINGS if name in values}
        with transaction.atomic():
            if request.headers.get("If-Match") is not None:
                # The row locked, so the settings cannot change between the check and the write.
                locked = Organization.objects.select_for_update().get(pk=Organization.load().pk)
                conditional.check_representation(request, OrganizationSerializer(locked).data)
            if settings:
                organization_update_settings(actor=request.user, **settings)
            if switch is not None:
                organization_set_sop_integration(
                    actor=request.user, enabled=switch, door=SwitchDoor.API
                )
        return self.respond()
