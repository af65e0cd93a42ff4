"""Probes for load balancers and orchestrators.

They are answered by the first middleware, before any other runs: no session, no
authentication, no ALLOWED_HOSTS check and no HTTPS redirect (a probe comes from the load
balancer, by address, over plain HTTP), no CSRF (GET and HEAD only).

``GET /healthz``  the process answers; no database query.
``GET /readyz``   the database answers and every migration is applied (else 503), with the age
                  of the oldest undelivered webhook for monitoring (null when there is none).
"""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse

from orders.integration.health import oldest_undelivered_age


def healthz() -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz() -> JsonResponse:
    body = {
        "status": "ready",
        "database": "ok",
        "migrations": "applied",
        "oldest_undelivered_webhook_age_seconds": None,
    }
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            body.update(status="not ready", migrations=f"{len(pending)} pending")
        else:
            body["oldest_undelivered_webhook_age_seconds"] = oldest_undelivered_age()
    except DatabaseError:
        body.update(status="not ready", database="unreachable", migrations="unknown")
    return JsonResponse(body, status=200 if body["status"] == "ready" else 503)


PROBES = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info.rstrip("/"))
        if probe is None:
            return self.get_response(request)
        if request.method not in {"GET", "HEAD"}:
            response = JsonResponse({"status": "method not allowed"}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        response = probe()
        response["Cache-Control"] = "no-store"
        return response
