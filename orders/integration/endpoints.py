"""Services that manage webhook endpoints and their deliveries (App Settings → Integration).

Only users with ``orders.change_endpoint`` (system customizers, superusers) may use them; the
secret is generated here, returned once to show the person who asked, and never shown again.
"""

import base64
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from orders.integration.destinations import validate_destination
from orders.models import Delivery, Endpoint, Event
from settings_app.errors import NoActor, PermissionRefused

SECRET_PREFIX = "whsec_"


def generate_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def can_manage_endpoints(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm("orders.change_endpoint")
    )


def _check(actor) -> None:
    if actor is None or not actor.is_authenticated:
        raise NoActor("Sign in to manage the back-office webhooks.")
    if not can_manage_endpoints(actor):
        raise PermissionRefused("Only a system customizer can manage the back-office webhooks.")


def validate_url(url: str) -> str:
    """A full http(s) address whose host webhooks may go to (see ``destinations``)."""
    url = (url or "").strip()
    if not url:
        raise ValidationError("Enter the address that receives the webhooks.", code="required")
    if any(not char.isprintable() or char.isspace() for char in url):
        raise ValidationError(
            "The address may not contain spaces or control characters.", code="invalid"
        )
    if len(url) > Endpoint._meta.get_field("url").max_length:
        raise ValidationError("The address is too long (500 characters at most).", code="max")
    try:
        URLValidator(schemes=["http", "https"])(url)
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except (ValidationError, ValueError):  # ValueError: a port out of range
        raise ValidationError(
            "Enter a full http:// or https:// address, e.g. https://erp.example.com/webhooks.",
            code="invalid",
        ) from None
    validate_destination(parts.hostname, port)
    return url


def validate_secret(secret: str) -> str:
    """A ``whsec_`` secret whose rest is base64 of at least 24 bytes."""
    secret = (secret or "").strip()
    message = "The secret must look like whsec_ followed by base64 (at least 24 random bytes)."
    if not secret.startswith(SECRET_PREFIX):
        raise ValidationError(message, code="invalid")
    try:
        raw = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except ValueError:
        raise ValidationError(message, code="invalid") from None
    if len(raw) < 24:
        raise ValidationError(message, code="invalid")
    return secret


def endpoint_create(*, actor, url: str, description: str = "") -> tuple[Endpoint, str]:
    """Add an enabled endpoint with a new secret; returns it with the secret (shown once)."""
    _check(actor)
    url = validate_url(url)
    description = (description or "").strip()
    if len(description) > 200:
        raise ValidationError("The description is too long (200 characters at most).")
    if Endpoint.objects.filter(url=url).exists():
        # Two endpoints at one address would receive every event twice.
        raise ValidationError(
            f"An endpoint at {url} already exists; rotate its secret or enable it instead.",
            code="unique",
        )
    secret = generate_secret()
    endpoint = Endpoint.objects.create(url=url, description=description, secret=secret)
    return endpoint, secret


def endpoint_rotate_secret(*, actor, endpoint: Endpoint) -> str:
    """Replace the endpoint's secret; the new one is returned once. Deliveries already queued
    are signed with the new secret when they are sent."""
    _check(actor)
    secret = generate_secret()
    with transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).update(
            secret=secret, secret_rotated_on=timezone.now()
        )
    endpoint.refresh_from_db()
    return secret


def endpoint_set_enabled(*, actor, endpoint: Endpoint, enabled: bool) -> Endpoint:
    """Pause or resume an endpoint. While disabled, new events are not queued for it and its
    queued deliveries wait; they are sent, in order, once it is enabled again."""
    _check(actor)
    Endpoint.objects.filter(pk=endpoint.pk).update(is_enabled=bool(enabled))
    endpoint.refresh_from_db()
    return endpoint


def delivery_retry_now(*, actor, delivery: Delivery | None = None) -> int:
    """Make one delivery (or every failing and dead-lettered one) due now; returns how many.

    A dead-lettered delivery gets a fresh day of retries (its attempt count restarts; the
    attempts already made stay in the log).
    """
    _check(actor)
    now = timezone.now()
    with transaction.atomic():
        rows = Delivery.objects.filter(
            status__in=[Delivery.Status.FAILING, Delivery.Status.DEAD]
        ).select_for_update()
        if delivery is not None:
            rows = rows.filter(pk=delivery.pk)
        ids = list(rows.values_list("pk", flat=True))
        if not ids:
            return 0
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.DEAD).update(
            status=Delivery.Status.FAILING, attempts=0
        )
        # A lease in force (a worker is sending it right now) is left alone: no parallel copy.
        Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
    return len(ids)


def endpoint_replay(*, actor, endpoint: Endpoint) -> int:
    """Queue, for this endpoint, every earlier event it has no delivery of; returns how many.

    A new endpoint receives the events written from the moment it exists; this hands it the
    history too (the demo's simulator does it when it first registers). Integration users'
    changes never made events, so none are replayed. Order is kept: they queue as usual.
    """
    _check(actor)
    now = timezone.now()
    with transaction.atomic():
        missing = Event.objects.exclude(deliveries__endpoint=endpoint).values_list(
            "pk", "ordering_key"
        )
        created = Delivery.objects.bulk_create(
            Delivery(event_id=pk, endpoint=endpoint, ordering_key=ordering_key, next_attempt_at=now)
            for pk, ordering_key in missing
        )
    return len(created)


def endpoint_from_environment() -> Endpoint | None:
    """Create or update the endpoint named by ``SOP_WEBHOOK_URL``/``SOP_WEBHOOK_SECRET``.

    Idempotent; run by ``make run`` (runstack). Returns None when either setting is empty.
    """
    url = getattr(settings, "SOP_WEBHOOK_URL", "")
    secret = getattr(settings, "SOP_WEBHOOK_SECRET", "")
    if not url or not secret:
        return None
    url = validate_url(url)
    secret = validate_secret(secret)
    endpoint, created = Endpoint.objects.get_or_create(
        url=url,
        defaults={"secret": secret, "description": "From SOP_WEBHOOK_URL"},
    )
    if not created and (endpoint.secret != secret or not endpoint.is_enabled):
        rotated = endpoint.secret != secret
        endpoint.secret = secret
        endpoint.is_enabled = True
        if rotated:
            endpoint.secret_rotated_on = timezone.now()
        endpoint.save()
    return endpoint
