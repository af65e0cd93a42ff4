from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Sales"

    def ready(self):
        from orders import signals  # noqa: F401 — connects the pricing receivers
        from orders.integration import signals as integration_signals  # noqa: F401
        from orders.services import pricing  # noqa: F401 — connects catalog re-pricing
        from orders.views import places

        places.register()
