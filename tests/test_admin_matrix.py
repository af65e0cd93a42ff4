"""The admin's authorization matrix: every registered model × every role × every page and every
admin action.

Generated from ``admin.site._registry``, so a model registered later is covered without a line
here (its sample row is any row the seed below leaves, or one it is told how to make). The
expected answer of each cell comes from the roles' permissions as data
(``settings_app.roles.ROLES``) and the few rules the admin adds on top (``RESTRICTED``) — never
from the admin's own ``has_*_permission`` methods, which are what is under test.

Roles are checked as staff (as if a superuser had let them into the admin), so the permissions
decide; the roles as they are (not staff, except the customizer) are only ever sent to the
admin's login. A user's own account and superusers' accounts: tests/settings_app/test_user_admin.py.
"""

from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin import ActionLocation
from django.contrib.admin.utils import quote
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.authtoken.models import Token, TokenProxy

from orders.models import (
    DOCUMENT_MODELS,
    AuditEntry,
    ChangeRequest,
    ChartStamp,
    Delivery,
    DeliveryAttempt,
    Endpoint,
    Event,
    IdempotencyKey,
)
from settings_app import roles
from settings_app.models import Organization, SwitchChange, SwitchDoor
from tests.orders.factories import DiscountBandFactory
from tests.orders.views.helpers import build_catalog, build_document

pytestmark = pytest.mark.django_db

PAGES = ["changelist", "add", "change", "delete", "history"]
NO_ACTION = "No action selected."
CONFIRM = "admin/delete_selected_confirmation.html"

ROLES = {  # role → (its fixture, its group in settings_app.roles; None: superuser)
    "salesperson": ("salesperson", roles.SALESPERSON),
    "sales manager": ("manager", roles.SALES_MANAGER),
    "system customizer": ("customizer", roles.SYSTEM_CUSTOMIZER),
    "integration user": ("integration_user", roles.BACK_OFFICE),
    "superuser": ("admin_user", None),
}

NOBODY = "nobody"  # the admin refuses it whatever the permissions, superusers included
SUPERUSERS = "superusers only"
_TRACE = {"add": NOBODY, "change": NOBODY, "delete": NOBODY}
RESTRICTED = {
    # traces the domain writes, never edited by hand
    "orders.AuditEntry": _TRACE,
    "orders.ChangeRequest": _TRACE,  # made and answered through the domain
    "orders.NumberSequence": _TRACE,
    "orders.ChartStamp": _TRACE,  # the charts' cache keys, renewed by the domain
    "orders.Event": _TRACE,
    "orders.Delivery": _TRACE,
    "orders.DeliveryAttempt": _TRACE,
    "orders.IdempotencyKey": _TRACE,
    "settings_app.SwitchChange": _TRACE,
    "django_tasks_database.DBTaskResult": _TRACE,
    # added on App Settings, where the signing secret is generated
    "orders.Endpoint": {"add": NOBODY},
    # the one organization row
    "settings_app.Organization": {"add": NOBODY, "delete": NOBODY},
    # editing a role's permissions is raising rights (settings_app.accounts)
    "auth.Group": {"add": SUPERUSERS, "change": SUPERUSERS, "delete": SUPERUSERS},
    # a token is its user's identity
    "authtoken.TokenProxy": dict.fromkeys(["view", "add", "change", "delete"], SUPERUSERS),
    # sign-in failures are recorded by the lockout, not typed in
    "axes.AccessAttempt": {"add": NOBODY},
    "axes.AccessLog": {"add": NOBODY},
    "axes.AccessFailureLog": {"add": NOBODY},
}

MODEL_ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


# --- the expected answer of a cell -----------------------------------------------------------


@dataclass
class Role:
    name: str
    perms: set[str] | None  # None: a superuser's

    def has(self, perm: str | None) -> bool:
        return perm is None or self.perms is None or perm in self.perms

    def allowed(self, model, verb: str) -> bool:
        rule = RESTRICTED.get(model._meta.label, {}).get(verb)
        if rule == NOBODY or (rule == SUPERUSERS and self.perms is not None):
            return False
        opts = model._meta
        if verb == "view":  # Django's admin: change implies view
            return self.has(f"{opts.app_label}.view_{opts.model_name}") or self.has(
                f"{opts.app_label}.change_{opts.model_name}"
            )
        return self.has(f"{opts.app_label}.{verb}_{opts.model_name}")

    def offered(self, model, model_admin, action) -> bool:
        if model_admin.actions is None or not self.allowed(model, "view"):
            return False
        needs = getattr(action.func, "allowed_permissions", ())
        if needs and not any(self.allowed(model, verb) for verb in needs):
            return False
        return self.has(getattr(action.func, "transition_perm", None))


def role_for(name: str) -> Role:
    group = ROLES[name][1]
    return Role(name, None if group is None else set(roles.ROLES[group]))


# --- one row of every registered model ------------------------------------------------------


@dataclass
class Samples:
    rows: dict = field(default_factory=dict)

    def row(self, model):
        if model not in self.rows:
            self.rows[model] = model._default_manager.first()
        assert self.rows[model] is not None, (
            f"No {model._meta.label} row to check the admin with: make one in seed() below."
        )
        return self.rows[model]

    def url_id(self, model) -> str:
        row = self.row(model)
        # the token admin addresses a token by its user's id
        return quote(row.user_id if model is TokenProxy else row.pk)


def seed(request) -> Samples:
    """A row of each model, in states that let every role's permissions show: documents are
    the salesperson's and editable, the user is another salesperson (not the one acting)."""
    salesperson = request.getfixturevalue("salesperson")
    other = request.getfixturevalue("other_salesperson")
    catalog = build_catalog()
    DiscountBandFactory()
    samples = Samples()
    for kind, model in DOCUMENT_MODELS.items():
        samples.rows[model] = build_document(catalog, kind, salesperson, lines=1)
    AuditEntry.objects.create(document_kind="salesorder", document_id=1, action="created")
    ChartStamp.renew(ChartStamp.ORDERS)
    ChangeRequest.objects.create(
        order=samples.rows[DOCUMENT_MODELS["salesorder"]], note="Two more", requested_by=other
    )
    endpoint = Endpoint.objects.create(url="https://backoffice.example.com/hooks", secret="s" * 32)
    event = Event.objects.create(type="salesorder.submitted", ordering_key="SO-1")
    delivery = Delivery.objects.create(
        event=event, endpoint=endpoint, next_attempt_at=timezone.now()
    )
    DeliveryAttempt.objects.create(delivery=delivery, status_code=200)
    IdempotencyKey.objects.create(
        user=other, key="k", method="POST", path="/api/v1/x", request_hash="h", response_status=201
    )
    Organization.load()
    SwitchChange.objects.create(
        changed_by=other, door=SwitchDoor.COMMAND, old_value=False, new_value=True
    )
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="orders.tasks.example",
        backend_name="default",
        run_after=timezone.now(),
    )
    samples.rows[TokenProxy] = TokenProxy.objects.get(pk=Token.objects.create(user=other).pk)
    samples.rows[type(other)] = other
    where = {
        "username": "sales2",
        "ip_address": "203.0.113.5",
        "user_agent": "probe",
        "http_accept": "*/*",
        "path_info": "/accounts/login/",
    }
    AccessAttempt.objects.create(failures_since_start=1, get_data="", post_data="", **where)
    AccessLog.objects.create(**where)
    AccessFailureLog.objects.create(**where)
    return samples


# --- the matrix -----------------------------------------------------------------------------


def page_url(model, page: str, samples: Samples) -> str:
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"
    if page in {"changelist", "add"}:
        return reverse(name)
    return reverse(name, args=[samples.url_id(model)])


def page_mismatches(client, role: Role, samples: Samples) -> list[str]:
    wrong = []
    for model, model_admin in MODEL_ADMINS:
        verbs = {"changelist": "view", "add": "add", "change": "view", "delete": "delete"}
        for page in PAGES:
            verb = verbs.get(page, "view")
            response = client.get(page_url(model, page, samples))
            expected = 200 if role.allowed(model, verb) else 403
            cell = f"{model._meta.label} {page}"
            if response.status_code != expected:
                wrong.append(f"{cell}: {response.status_code}, expected {expected}")
                continue
            html = response.content.decode() if response.status_code == 200 else ""
            if page == "change" and expected == 200:
                can_save = 'name="_save"' in html
                if can_save != role.allowed(model, "change"):
                    wrong.append(f"{cell}: Save {'shown' if can_save else 'missing'}")
            if page == "changelist" and expected == 200:
                for action in model_admin._get_base_actions():
                    shown = f'<option value="{action.name}"' in html
                    if shown != role.offered(model, model_admin, action):
                        state = "shown" if shown else "hidden"
                        wrong.append(f"{cell}: action {action.name} {state}")
    return wrong


def post_action(client, model, action, samples: Samples):
    """Post an action for the sample row; returns the response and the messages it left."""
    session = client.session
    session.pop("_messages", None)  # only this request's messages, not earlier ones
    session.save()
    data = {"action": action.name, "_selected_action": [samples.row(model).pk]}
    response = client.post(page_url(model, "changelist", samples), data)
    said = {str(m) for m in get_messages(response.wsgi_request)}
    return response, said


def action_mismatches(client, role: Role, samples: Samples) -> list[str]:
    wrong = []
    for model, model_admin in MODEL_ADMINS:
        for action in model_admin._get_base_actions():
            response, said = post_action(client, model, action, samples)
            confirmation = CONFIRM in {t.name for t in response.templates}
            ran = confirmation or bool(said - {NO_ACTION})
            cell = f"{model._meta.label} action {action.name}"
            if not role.allowed(model, "view"):
                if response.status_code != 403:
                    wrong.append(f"{cell}: {response.status_code}, expected 403")
            elif not role.offered(model, model_admin, action):
                # refused: back to the list with "No action selected", or the list itself when
                # the role has no actions at all — either way nothing ran
                if response.status_code not in {200, 302} or ran:
                    wrong.append(f"{cell}: {response.status_code} {said}, expected refused")
            elif action.name == "delete_selected":
                if response.status_code != 200 or not confirmation:
                    wrong.append(f"{cell}: {response.status_code}, expected the confirmation")
            elif response.status_code != 302 or not ran:
                wrong.append(f"{cell}: {response.status_code} {said}, expected it to run")
    return wrong


def test_every_action_is_a_change_list_action():
    """The matrix posts actions to the change list; a change-form action needs a cell here."""
    for model, model_admin in MODEL_ADMINS:
        for action in model_admin._get_base_actions(ActionLocation.CHANGE_FORM):
            assert ActionLocation.CHANGE_LIST in action.locations, (model, action.name)


@pytest.fixture(autouse=True)
def _quiet_refusals(caplog):
    """Hundreds of expected 403s: Django's request log would format a traceback for each."""
    caplog.set_level("ERROR", logger="django.request")


@pytest.mark.parametrize("name", list(ROLES))
def test_admin_answers_each_role_as_its_permissions_say(request, name):
    samples = seed(request)
    user = request.getfixturevalue(ROLES[name][0])
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    role = role_for(name)
    # pages first: the actions may move the sample documents on
    wrong = page_mismatches(client, role, samples) + action_mismatches(client, role, samples)
    assert wrong == [], f"{name}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", ["salesperson", "sales manager", "integration user"])
def test_roles_that_are_not_staff_only_reach_the_admin_login(request, name):
    samples = seed(request)
    user = request.getfixturevalue(ROLES[name][0])
    assert not user.is_staff
    client = Client()
    client.force_login(user)
    login = reverse("admin:login")
    wrong = []
    for model, model_admin in MODEL_ADMINS:
        for page in PAGES:
            response = client.get(page_url(model, page, samples))
            if response.status_code != 302 or not response["Location"].startswith(login):
                wrong.append(f"{model._meta.label} {page}: {response.status_code}")
        for action in model_admin._get_base_actions():
            data = {"action": action.name, "_selected_action": [samples.row(model).pk]}
            response = client.post(page_url(model, "changelist", samples), data)
            if response.status_code != 302 or not response["Location"].startswith(login):
                wrong.append(f"{model._meta.label} action {action.name}: {response.status_code}")
    assert wrong == []


def test_a_staff_salesperson_sees_only_their_own_documents_in_the_admin(
    client, salesperson, other_salesperson
):
    catalog = build_catalog()
    mine = build_document(catalog, "salesorder", salesperson, lines=1, name="Mine")
    theirs = build_document(catalog, "salesorder", other_salesperson, lines=1, name="Theirs")
    salesperson.is_staff = True
    salesperson.save(update_fields=["is_staff"])
    client.force_login(salesperson)
    listing = client.get(reverse("admin:orders_salesorder_changelist")).content.decode()
    assert mine.number in listing and theirs.number not in listing
    lines = client.get(reverse("admin:orders_salesorderline_changelist")).content.decode()
    assert reverse("admin:orders_salesorderline_change", args=[mine.lines.get().pk]) in lines
    assert reverse("admin:orders_salesorderline_change", args=[theirs.lines.get().pk]) not in lines
    response = client.get(reverse("admin:orders_salesorder_change", args=[theirs.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
