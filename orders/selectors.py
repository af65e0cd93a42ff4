"""Selectors: the functions that read (what a user may see, which actions they have, the
timeline of a record)."""

from dataclasses import dataclass

from django.db.models import BooleanField, Func, Q, Subquery

from orders.models import DOCUMENT_MODELS, LINE_MODELS, Account
from orders.rules import can_edit, read_only_message
from orders.services.common import visible_to
from orders.services.guards import guard, transitions_for
from settings_app.errors import DomainError
from settings_app.models import Organization


def documents_for(user, kind: str):
    """The documents of a kind the user may see: their own, or everyone's with
    orders.view_all_documents; with what lists show already joined."""
    model = DOCUMENT_MODELS[kind]
    queryset = model.objects.select_related("account", "owner", "currency", "price_list")
    if not (user.is_authenticated and user.has_perm(f"orders.view_{kind}")):
        return queryset.none()
    return visible_to(user, queryset)


class InSubquery(Func):
    """``column IN (subquery)`` — on PostgreSQL ``column = ANY(ARRAY(subquery))``: the subquery
    runs once, and the condition can join an OR of index scans (a plain ``IN (SELECT …)``
    inside an OR makes the planner read the whole table)."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        (column, column_params), (sub, sub_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        if connection.vendor == "postgresql":
            return f"{column} = ANY(ARRAY{sub})", [*column_params, *sub_params]
        return f"{column} IN {sub}", [*column_params, *sub_params]


def documents_matching(documents, query: str):
    """The documents whose number, name or account's name contains ``query`` (any case).

    The account condition is a sub-select of the matching accounts, not a join: each of the
    three conditions can then use its own index (trigram indexes on PostgreSQL).
    """
    accounts = Account.objects.filter(name__icontains=query).values("pk")
    return documents.filter(
        Q(number__icontains=query)
        | Q(name__icontains=query)
        | Q(InSubquery("account_id", Subquery(accounts)))
    )


def document_lines(document):
    return (
        LINE_MODELS[document.KIND]
        .objects.filter(document=document)
        .select_related("product", "unit")
    )


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    allowed: bool
    reason: str
    reasons: tuple[tuple[str, str], ...]
    needs_text: bool
    style: str
    confirm: str = ""


def document_actions(user, document, *, has_lines: bool | None = None) -> list[Action]:
    """The command bar: every transition of the document's kind, allowed or not and why, from
    the same guards the services run. Actions whose state does not apply are left out."""
    organization = Organization.load()
    if has_lines is None:
        has_lines = LINE_MODELS[document.KIND].objects.filter(document=document).exists()
    actions = []
    for transition in transitions_for(document.KIND):
        if document.state not in transition.from_states:
            continue
        if transition.switch is not None and (
            transition.switch != organization.is_sop_integration_enabled
        ):
            continue  # Submit and Create Invoice show only in their switch position
        if transition.price_lock is not None and transition.price_lock != document.is_price_locked:
            continue
        try:
            guard(transition, user, document, organization, has_lines=has_lines)
        except DomainError as error:
            allowed, reason = False, error.message
        else:
            allowed, reason = True, ""
        if transition.integration_only and not allowed:
            continue
        reasons = tuple(
            (value, value.replace("_", " ").capitalize()) for value in transition.reasons
        )
        actions.append(
            Action(
                name=transition.name,
                label=transition.label,
                allowed=allowed,
                reason=reason,
                reasons=reasons,
                needs_text=transition.needs_text,
                style=transition.style,
                confirm=transition.confirm,
            )
        )
    return actions


def read_only_reason(user, document) -> str:
    """Why the page offers no editing ("" when it does): the read-only rule, then the role."""
    label = document._meta.verbose_name
    if not can_edit(user, document):
        return read_only_message(document)
    if not (user.is_authenticated and user.has_perm(f"orders.change_{document.KIND}")):
        return f"Read-only: your role can view this {label} but not change it."
    if not (user.has_perm("orders.view_all_documents") or document.owner_id == user.pk):
        return f"Read-only: this {label} belongs to another salesperson."
    return ""


def user_can_edit(user, document) -> bool:
    """Whether the page may offer editing: the read-only rule plus the user's role."""
    return user.is_authenticated and not read_only_reason(user, document)
