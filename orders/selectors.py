"""Selectors: the functions that read (what a user may see, which actions they have, the
timeline of a record)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from orders.models import DOCUMENT_MODELS, LINE_MODELS
from orders.pricing import apply, engine
from orders.pricing.policy import Operation, decide
from orders.rules import can_edit, facts_for, read_only_message
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


def document_actions(
    user, document, *, has_lines: bool | None = None, organization=None
) -> list[Action]:
    """The command bar: every transition of the document's kind, allowed or not and why, from
    the same guards the services run. Actions whose state does not apply are left out."""
    organization = organization or Organization.load()
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


# --- amounts entered by hand, and totals that do not add up (docs/rules.md#skip-table) -------


@dataclass(frozen=True)
class HandEntry:
    """Which amounts the system does not compute for this user on this document, so the page
    asks for them: the lines' volume discount, base and extended amounts; the header's
    totals. The skip table decides (with system pricing off nothing is computed)."""

    lines: bool
    header: bool


def document_hand_entry(user, document, organization=None) -> HandEntry:
    organization = organization or Organization.load()
    facts = facts_for(document, user, organization)
    line_table = LINE_MODELS[document.KIND].__name__.lower()

    def entered(table, operation) -> bool:
        return not (organization.use_system_pricing and decide(table, operation, facts).compute)

    return HandEntry(
        lines=entered(line_table, Operation.CREATE) or entered(line_table, Operation.UPDATE),
        header=entered(document.KIND, Operation.UPDATE),
    )


_SUMS = {"base_amount": "_line_base", "extended_amount": "_line_extended", "tax": "_line_tax"}


def with_line_sums(queryset, kind: str):
    """Documents with the sums of their lines' amounts, one sub-select each, so totals can be
    checked for a whole list in its one query."""
    line_model = LINE_MODELS[kind]
    money = DecimalField(max_digits=23, decimal_places=10)
    annotations = {}
    for field, alias in _SUMS.items():
        sums = (
            line_model.objects.filter(document_id=OuterRef("pk"))
            .order_by()
            .values("document_id")
            .annotate(total=Sum(field))
            .values("total")
        )
        annotations[alias] = Coalesce(
            Subquery(sums, output_field=money), Value(0), output_field=money
        )
    return queryset.annotate(**annotations)


def totals_difference(document, sums: engine.LineSums | None = None) -> Decimal:
    """Stored totals minus the totals its lines make (zero when they agree). Takes the sums
    when the caller has them, else those ``with_line_sums`` annotated, else adds up the lines
    (one query)."""
    if sums is not None:
        pass
    elif hasattr(document, "_line_base"):
        sums = engine.LineSums(
            base_amount=Decimal(document._line_base),
            extended_amount=Decimal(document._line_extended),
            tax=Decimal(document._line_tax),
        )
    else:
        sums = apply.line_sums(LINE_MODELS[document.KIND], document.pk)
    return apply.totals_difference(document, sums)
