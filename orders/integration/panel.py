"""The endpoints panel of App Settings → Integration: what its template needs, in a few queries.

``orders.views.places`` puts it on the Manage page (a place settings_app offers): the page
renders ``orders/integration/endpoints_panel.html`` with ``panel_context(request)`` on top of
its own context; every key starts with ``integration_`` so none collides with the page's.
"""

from orders.integration.endpoints import can_manage_endpoints
from orders.integration.health import delivery_health
from orders.models import Delivery, Endpoint

PROBLEMS_SHOWN = 50


def panel_context(request) -> dict:
    problems = Delivery.objects.filter(
        status__in=[Delivery.Status.FAILING, Delivery.Status.DEAD]
    ).select_related("event", "endpoint")
    return {
        "integration_endpoints": list(Endpoint.objects.order_by("id")),
        "integration_health": delivery_health(),
        # "dead" sorts before "failing": the dead letters first, oldest event first.
        "integration_problems": list(problems.order_by("status", "event_id")[:PROBLEMS_SHOWN]),
        "integration_can_manage": can_manage_endpoints(request.user),
    }
