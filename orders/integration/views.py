"""The endpoints panel's actions: POST only, checked by the services, back to the Manage page."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from orders.integration.endpoints import (
    can_manage_endpoints,
    delivery_retry_now,
    endpoint_create,
    endpoint_rotate_secret,
    endpoint_set_enabled,
)
from orders.models import Delivery, Endpoint
from settings_app.errors import PermissionRefused


def back_to_manage_page():
    return redirect(reverse("app_settings_integration"))


def panel_action(view):
    """Login, POST, and the services' permission refusal as a 403 (checked before the lookup,
    so a salesperson learns nothing about which endpoints exist)."""

    @login_required
    @require_POST
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_manage_endpoints(request.user):
            raise PermissionDenied("Only a system customizer can manage the back-office webhooks.")
        try:
            return view(request, *args, **kwargs)
        except PermissionRefused as refused:
            raise PermissionDenied(refused.message) from refused

    return wrapped


@panel_action
def endpoint_add(request):
    try:
        endpoint, secret = endpoint_create(
            actor=request.user,
            url=request.POST.get("url", ""),
            description=request.POST.get("description", ""),
        )
    except ValidationError as error:
        messages.error(request, f"The endpoint was not added: {' '.join(error.messages)}")
        return back_to_manage_page()
    messages.success(
        request,
        f"Endpoint {endpoint.url} added. Its signing secret is {secret} — copy it into the back "
        "office now; it is not shown again.",
    )
    return back_to_manage_page()


@panel_action
def endpoint_rotate(request, pk: int):
    endpoint = get_object_or_404(Endpoint, pk=pk)
    secret = endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
    messages.success(
        request,
        f"New signing secret for {endpoint.url}: {secret} — copy it into the back office now; "
        "it is not shown again. Webhooks are signed with it from now on.",
    )
    return back_to_manage_page()


@panel_action
def endpoint_enabled(request, pk: int):
    endpoint = get_object_or_404(Endpoint, pk=pk)
    value = request.POST.get("enabled", "")
    if value not in {"true", "false"}:
        messages.error(request, "Choose whether the endpoint is enabled (true or false).")
        return back_to_manage_page()
    endpoint_set_enabled(actor=request.user, endpoint=endpoint, enabled=value == "true")
    if value == "true":
        messages.success(request, f"{endpoint.url} enabled; waiting webhooks are sent in order.")
    else:
        messages.success(request, f"{endpoint.url} paused; webhooks for it wait until enabled.")
    return back_to_manage_page()


@panel_action
def delivery_retry(request, pk: int):
    delivery = get_object_or_404(Delivery.objects.select_related("event"), pk=pk)
    if delivery_retry_now(actor=request.user, delivery=delivery):
        event = delivery.event
        messages.success(request, f"Event {event.event_id} ({event.type}) will be sent again now.")
    else:
        messages.info(request, "That delivery is not failing or dead-lettered; nothing to retry.")
    return back_to_manage_page()


@panel_action
def delivery_retry_all(request):
    count = delivery_retry_now(actor=request.user)
    if count:
        messages.success(
            request, f"{count} deliver{'y' if count == 1 else 'ies'} will be retried now."
        )
    else:
        messages.info(request, "No failing or dead-lettered deliveries to retry.")
    return back_to_manage_page()
