"""Brute force at the sign-in doors (the site's page and the admin's): real django-axes, real
database rows, the real login views."""

from datetime import timedelta

import pytest
from axes.exceptions import AxesBackendRequestParameterRequired
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")
BLOCKED = "Signing in is blocked for now"


def sign_in(client, username, password, *, url=LOGIN, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, username, times, **extra):
    return [sign_in(client, username, "wrong-password", **extra) for _ in range(times)]


def test_five_failures_block_the_username_even_with_the_right_password(client, salesperson):
    responses = fail(client, "sales", 5)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert "Please enter a correct username and password" in responses[3].content.decode()
    assert responses[4].status_code == 429  # the fifth failure uses the allowance up

    response = sign_in(client, "sales", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert BLOCKED in html
    assert "Too many failed sign-in attempts for this username (5 in a row)" in html
    assert "even with the right password" in html
    assert 'class="topbar"' in html  # the site's layout, not a bare text answer
    assert 850 < int(response["Retry-After"]) <= 900
    assert not signed_in(client)


def test_another_user_at_the_same_address_is_not_blocked(client, salesperson, other_salesperson):
    fail(client, "sales", 5)
    response = sign_in(client, "sales2", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_four_failures_then_success_starts_the_count_again(client, salesperson):
    fail(client, "sales", 4)
    assert sign_in(client, "sales", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    assert all(r.status_code == 200 for r in fail(client, "sales", 4))
    assert sign_in(client, "sales", PASSWORD).status_code == 302


def test_twenty_failures_from_one_address_block_every_username_there(client, salesperson):
    at = {"REMOTE_ADDR": "203.0.113.7"}
    for n in range(10):  # a spray: two guesses each at ten usernames, none reaching five
        fail(client, f"guess{n}", 2, **at)
    response = sign_in(client, "sales", PASSWORD, **at)
    assert response.status_code == 429
    assert "from your network address (20 in a row)" in response.content.decode()
    # from another address the same user signs in
    assert sign_in(Client(), "sales", PASSWORD, REMOTE_ADDR="198.51.100.4").status_code == 302


def test_signing_into_ones_own_account_does_not_reset_the_address(client, salesperson):
    UserFactory(username="mallory")
    at = {"REMOTE_ADDR": "203.0.113.8"}
    for n in range(19):
        fail(client, f"victim{n % 5}", 1, **at)
    assert sign_in(client, "mallory", PASSWORD, **at).status_code == 302
    client.post(reverse("logout"))
    assert fail(client, "victim9", 1, **at)[0].status_code == 429


def test_the_block_ends_after_fifteen_minutes(client, salesperson):
    fail(client, "sales", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert sign_in(client, "sales", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    assert sign_in(client, "sales", PASSWORD).status_code == 302


def test_attempts_while_blocked_do_not_extend_the_block(client, salesperson):
    fail(client, "sales", 5)
    blocked_at = AccessAttempt.objects.get().attempt_time
    fail(client, "sales", 3)
    attempt = AccessAttempt.objects.get()
    assert attempt.attempt_time == blocked_at
    assert attempt.failures_since_start == 5


def test_the_admin_login_is_guarded_too(client, admin_user):
    responses = fail(client, "admin", 5, url=ADMIN_LOGIN)
    assert responses[-1].status_code == 429
    response = sign_in(client, "admin", PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert BLOCKED in response.content.decode()
    # one account, one count: the site's own page refuses it as well
    assert sign_in(client, "admin", PASSWORD).status_code == 429


def test_the_admin_shows_the_block_and_unlocking_lets_the_user_sign_in(admin_user, salesperson):
    attacker = Client()
    fail(attacker, "sales", 5)

    operator = Client()
    operator.force_login(admin_user)
    url = reverse("admin:axes_accessattempt_changelist")
    html = operator.get(url).content.decode()
    assert "sales" in html and "Yes: this username" in html

    attempt = AccessAttempt.objects.get(username="sales")
    response = operator.post(
        url, {"action": "unlock_usernames", "_selected_action": [attempt.pk]}, follow=True
    )
    assert "Unlocked: sales." in response.content.decode()
    assert not AccessAttempt.objects.filter(username="sales").exists()
    assert sign_in(Client(), "sales", PASSWORD).status_code == 302


def test_unlocking_an_address(admin_user, salesperson):
    at = {"REMOTE_ADDR": "203.0.113.9"}
    attacker = Client()
    for n in range(5):
        fail(attacker, f"guess{n}", 4, **at)
    assert sign_in(attacker, "sales", PASSWORD, **at).status_code == 429
    operator = Client()
    operator.force_login(admin_user)
    url = reverse("admin:axes_accessattempt_changelist")
    assert "Yes: this address" in operator.get(url).content.decode()
    some_row = AccessAttempt.objects.filter(ip_address="203.0.113.9").first()
    operator.post(url, {"action": "unlock_addresses", "_selected_action": [some_row.pk]})
    assert not AccessAttempt.objects.exists()
    assert sign_in(attacker, "sales", PASSWORD, **at).status_code == 302


def test_behind_a_proxy_each_client_has_its_own_address_allowance(client, settings, salesperson):
    settings.SOP_TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(5):
        fail(client, f"guess{n}", 4, HTTP_X_FORWARDED_FOR="203.0.113.10", **proxy)
    behind_same = sign_in(client, "sales", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.10", **proxy)
    assert behind_same.status_code == 429
    other = sign_in(Client(), "sales", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy)
    assert other.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.10"}


def test_authenticate_without_a_request_is_refused(salesperson):
    """The shell's door: the lockout needs to know who is asking, so a bare call is an error
    (pass ``request=``), never a way around the count."""
    with pytest.raises(AxesBackendRequestParameterRequired):
        authenticate(username="sales", password=PASSWORD)
