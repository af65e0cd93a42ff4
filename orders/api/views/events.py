"""GET /api/v1/events?after=<cursor>&limit=<n>: the outbox in commit order
(docs/integration.md#4-pulling-instead-the-events-feed)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from orders.api.views.base import ApiView
from orders.integration.feed import MAX_LIMIT, events_after
from orders.integration.payloads import SCHEMA_VERSIONS
from orders.models import Event

DEFAULT_LIMIT = 100


class EventFeedQuery(serializers.Serializer):
    after = serializers.IntegerField(required=False, min_value=0, max_value=2**63 - 1)
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT
    )


class EventSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="event_id")
    timestamp = serializers.DateTimeField(source="created_on")
    type = serializers.ChoiceField(choices=sorted(SCHEMA_VERSIONS))
    data = serializers.JSONField(source="payload")

    class Meta:
        model = Event
        fields = ["sequence", "id", "type", "timestamp", "data"]


class EventPageSerializer(serializers.Serializer):
    events = EventSerializer(many=True)
    next_cursor = serializers.IntegerField(
        allow_null=True, help_text="Pass as `after` to read on; the same cursor when no news."
    )


class EventFeedView(ApiView):
    permission_model = Event
    schema_actions = {"GET": "list"}  # operationId events_list

    @extend_schema(
        parameters=[
            OpenApiParameter("after", int, description="Events after this sequence (cursor)."),
            OpenApiParameter("limit", int, description=f"At most this many (1–{MAX_LIMIT})."),
        ],
        responses=EventPageSerializer,
        description="The events in commit order, the same as the webhooks carry: read from "
        "`after` (a cursor you keep) and pass `next_cursor` as the next `after`.",
    )
    def get(self, request):
        query = EventFeedQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        after = query.validated_data.get("after")
        events = events_after(after, query.validated_data["limit"])
        next_cursor = events[-1].sequence if events else after
        return Response(
            {"events": EventSerializer(events, many=True).data, "next_cursor": next_cursor}
        )
