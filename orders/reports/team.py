"""Lists by whose documents they show: mine, the sales team's, everyone's; and who may own them.

The sales team is the people with a sales role (Salesperson, Sales Manager); "All" adds the
documents owned by anyone else (the back office's account, administrators). Only those who see
everyone's documents choose; the others always see their own.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from settings_app import roles

VIEWS = [("my", "My"), ("team", "Team"), ("all", "All")]
SALES_TEAM = [roles.SALESPERSON, roles.SALES_MANAGER]


def sees_everyone(user) -> bool:
    return user.has_perm("orders.view_all_documents")


def possible_owners(kind: str):
    """Active people who may work documents of ``kind``, by name (one query): their key and
    name, all the owner pickers show."""
    may_change = Q(
        groups__permissions__codename=f"change_{kind}",
        groups__permissions__content_type__app_label="orders",
    ) | Q(is_superuser=True)
    return list(
        get_user_model()
        .objects.filter(may_change, is_active=True)
        .distinct()
        .only("pk", "username", "first_name", "last_name")
        .order_by("first_name", "last_name", "username")
    )


def sales_team_ids() -> list[int]:
    return list(
        get_user_model()
        .objects.filter(groups__name__in=SALES_TEAM, is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )


def whose(user, documents, *, view: str, owner_id: int | None):
    """Narrow a list to the chosen view and owner; returns the queryset and the view used."""
    if not sees_everyone(user):
        return documents, "my"
    if view == "my":
        documents = documents.filter(owner=user)
    elif view == "team":
        documents = documents.filter(owner_id__in=sales_team_ids())
    else:
        view = "all"
    if owner_id:
        documents = documents.filter(owner_id=owner_id)
    return documents, view
