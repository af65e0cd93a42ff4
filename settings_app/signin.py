"""Signing in: the brute-force lockout, on django-axes with two allowances.

A username may fail ``AXES_FAILURE_LIMIT`` (5) times in a row, a network address
``SOP_SIGNIN_ADDRESS_LIMIT`` (20) times; once either is used up, every sign-in for that username
or from that address is refused — the right password too — until ``AXES_COOLOFF_TIME`` (15
minutes) after the failure that used it up. Failures while blocked are not counted, so the block
does not grow. A successful sign-in clears that username's failures only: signing into one's
own account must not reset an address that has been guessing at others.

Both doors, the site's sign-in page and the admin's, go through ``django.contrib.auth``'s
``authenticate(request, …)``, where axes' backend refuses a blocked attempt; its middleware
then answers with ``lockout_response``. The failures are rows of axes' ``AccessAttempt``,
shown and cleared in the admin (settings_app.admin.SignInAttemptAdmin).
"""

import math
from dataclasses import dataclass
from datetime import datetime

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone


def client_address(request) -> str | None:
    """The client's address. Behind ``SOP_TRUSTED_PROXIES`` reverse proxies (each appending to
    X-Forwarded-For), it is the entry that many places from the right; with none, REMOTE_ADDR.
    Without this, every client of a proxy would share one address — and one allowance."""
    proxies = settings.SOP_TRUSTED_PROXIES
    if proxies:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


@dataclass(frozen=True)
class Standing:
    """Recent failures for a sign-in attempt's username and address, and whether it is blocked."""

    by_username: int
    by_address: int
    username_limit: int
    address_limit: int
    locked_until: datetime | None

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None


def standing(request, credentials=None) -> Standing:
    """One query: the failures within the cool-off window that count against this attempt."""
    username = get_client_username(request, credentials)
    address = request.axes_ip_address
    same_username = Q(username=username) if username is not None else Q(pk__in=[])
    same_address = Q(ip_address=address) if address is not None else Q(pk__in=[])
    totals = AccessAttempt.objects.filter(
        attempt_time__gte=get_cool_off_threshold(request)
    ).aggregate(
        by_username=Sum("failures_since_start", filter=same_username),
        by_address=Sum("failures_since_start", filter=same_address),
        username_last=Max("attempt_time", filter=same_username),
        address_last=Max("attempt_time", filter=same_address),
    )
    username_limit = get_failure_limit(request, credentials)
    address_limit = settings.SOP_SIGNIN_ADDRESS_LIMIT
    by_username, by_address = totals["by_username"] or 0, totals["by_address"] or 0
    blocking = []
    if by_username >= username_limit:
        blocking.append(totals["username_last"])
    if by_address >= address_limit:
        blocking.append(totals["address_last"])
    return Standing(
        by_username=by_username,
        by_address=by_address,
        username_limit=username_limit,
        address_limit=address_limit,
        locked_until=max(blocking) + get_cool_off(request) if blocking else None,
    )


class SignInLockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a second allowance, per address."""

    def get_failures(self, request, credentials=None) -> int:
        # axes compares this with AXES_FAILURE_LIMIT (the username's allowance): an address
        # that used up its own allowance counts as a username that used up its.
        current = standing(request, credentials)
        if current.by_address >= current.address_limit:
            return max(current.by_username, current.username_limit)
        return current.by_username

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    """The page a blocked sign-in gets (429 with Retry-After), on the site's layout."""
    current = standing(request, credentials)
    now = timezone.now()
    until = current.locked_until or now + get_cool_off(request)
    wait = max(1, math.ceil((until - now).total_seconds()))
    context = {
        "username_limit": current.username_limit,
        "address_limit": current.address_limit,
        "cool_off_minutes": round(get_cool_off(request).total_seconds() / 60),
        "locked_until": until,
        "minutes_left": math.ceil(wait / 60),
        "by_address": current.by_address >= current.address_limit,
    }
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response
