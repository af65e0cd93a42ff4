import logging
import threading

from django.apps import AppConfig
from django.core.signals import request_started
from django.db.models.signals import post_migrate

logger = logging.getLogger(__name__)
_configured = threading.Event()


def configure_webhook_endpoint(*, strict: bool = False) -> None:
    """Apply ``SOP_WEBHOOK_URL``/``SOP_WEBHOOK_SECRET`` once per process (idempotent: the
    endpoint is created, or its secret updated and it is enabled). Runs after ``migrate``, at
    the worker's start and on a server's first request, so the app is configured wherever it
    runs. Before the tables exist it waits for the next chance; a bad value is logged (the
    web answers on) or, with ``strict``, raised (a command exits with it)."""
    from django.conf import settings
    from django.core.exceptions import ValidationError
    from django.db import DatabaseError

    from orders.integration.endpoints import endpoint_from_environment

    if _configured.is_set() or not (settings.SOP_WEBHOOK_URL and settings.SOP_WEBHOOK_SECRET):
        return
    try:
        endpoint_from_environment()
    except DatabaseError:
        return  # not migrated yet: post_migrate runs it
    except ValidationError as error:
        logger.error("SOP_WEBHOOK_URL/SOP_WEBHOOK_SECRET: %s", " ".join(error.messages))
        _configured.set()
        if strict:
            raise
        return
    _configured.set()


def _on_first_request(**kwargs):
    request_started.disconnect(_on_first_request)
    configure_webhook_endpoint()


def _after_migrate(sender, **kwargs):
    _configured.clear()  # a new database (tests, a fresh install) is configured afresh
    configure_webhook_endpoint()


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Sales"

    def ready(self):
        from orders import signals  # noqa: F401 — connects the pricing receivers
        from orders.integration import signals as integration_signals  # noqa: F401
        from orders.services import pricing  # noqa: F401 — connects catalog re-pricing
        from orders.views import places

        places.register()
        request_started.connect(_on_first_request, dispatch_uid="orders-webhook-endpoint")
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="orders-webhook-endpoint")
