"""What the sales domain shows on settings_app's pages: the home page's open work, the
catalog's entry, the skip table, and the integration's sections of App Settings.

settings_app names the places (``settings_app.places``) and knows nothing of orders; these are
registered by ``OrdersConfig.ready()``.
"""

from django.db.models import Count

from orders.integration.health import undelivered_count
from orders.integration.panel import panel_context
from orders.models import Delivery, SalesOrder
from orders.pricing import policy
from orders.reports import charts
from orders.reports.work import work_cards
from orders.views.charts import chart_context
from settings_app import places

SUBMITTED_SHOWN = 20


def open_work(request) -> dict:
    """The home page's cards: the work queues of the user's role (orders.reports.work)."""
    return {"work": work_cards(request.user)}


def home_charts(request) -> dict:
    """Charts of the orders the user sees, and of deliveries for those who follow them."""
    user = request.user
    figures = []
    if user.has_perm("orders.view_salesorder"):
        figures.append(charts.order_value_by_state(user))
        figures.extend(charts.orders_per_week(user))
    if user.has_perm("orders.view_event"):
        figures.append(charts.deliveries_per_day())
    return {"charts": chart_context(request, figures)}


def integration_charts(request) -> dict:
    """The integration page's charts: deliveries by outcome and how fast orders are answered."""
    figures = [charts.deliveries_per_day(), *charts.orders_per_week(request.user)]
    return {"charts": chart_context(request, figures)}


def skip_table(request) -> dict:
    """The skip table as App Settings shows it, from the data ``decide()`` reads."""
    return {"skip": {"operations": [op.value for op in policy.Operation], "rows": policy.rows()}}


def in_flight(request) -> dict:
    """What is still on its way when the switch goes off: submitted orders, undelivered events."""
    submitted = SalesOrder.objects.filter(state="submitted")
    undelivered = Delivery.objects.exclude(status=Delivery.Status.DELIVERED)
    return {
        "flight": {
            "submitted_count": submitted.count(),
            "submitted": list(
                submitted.select_related("account", "submitted_by").order_by("submitted_on")[
                    :SUBMITTED_SHOWN
                ]
            ),
            "undelivered_count": undelivered_count(),
            "undelivered_by_status": {
                row["status"]: row["n"]
                for row in undelivered.values("status").order_by().annotate(n=Count("id"))
            },
        }
    }


def register() -> None:
    places.register("home", "orders/places/home_work.html", open_work)
    places.register("home", "orders/places/home_charts.html", home_charts)
    places.register("app_settings.nav", "orders/places/catalog_nav.html")
    places.register("app_settings.general", "orders/places/catalog_entry.html")
    places.register("app_settings.end", "orders/places/skip_table.html", skip_table)
    places.register("integration.status", "orders/places/in_flight_summary.html", in_flight)
    places.register("integration.main", "orders/places/endpoints.html", panel_context)
    places.register("integration.main", "orders/places/integration_charts.html", integration_charts)
    places.register("integration.end", "orders/places/skip_table.html", skip_table)
    places.register("integration_off", "orders/places/in_flight.html", in_flight)
