"""Selectors: the functions that read (what a user may see, which actions they have, the
timeline of a record)."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    DecimalField,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from orders.models import DOCUMENT_MODELS, LINE_MODELS, Account, ChangeRequest
from orders.pricing import apply, engine
from orders.pricing.policy import Operation, decide
from orders.rules import can_edit, facts_for, is_integration_user, read_only_message
from orders.services.common import visible_to
from orders.services.guards import TRANSITIONS, active_invoice, guard, transitions_for
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


class KeyIn(Func):
    """``column IN (keys)`` for a list of keys known in Python; on PostgreSQL ``column =
    ANY(%s)`` with the list as one array parameter (thousands of keys are one value to pass,
    not thousands)."""

    output_field = BooleanField()

    def __init__(self, column: str, keys):
        super().__init__(F(column))
        self.keys = [int(key) for key in keys]

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.get_source_expressions()[0])
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", [*params, self.keys]
        if not self.keys:
            return "1 = 0", params
        return f"{column} IN ({', '.join(['%s'] * len(self.keys))})", [*params, *self.keys]


NUMBER_TEXT = re.compile(r"[A-Za-z0-9-]+")


def documents_matching(documents, query: str):
    """The documents whose number, name or account's name contains ``query`` (any case).

    The account condition is a sub-select of the matching accounts, not a join: each of the
    three conditions can then use its own index (trigram indexes on PostgreSQL).
    """
    if re.fullmatch(rf"{documents.model.NUMBER_PREFIX}-\d*(?:-R\d*)?", query, re.IGNORECASE):
        # The shape of this kind's number (orders.signals: the prefix, a hyphen and digits; a
        # revision adds "-R" and digits; all upper case): the user is looking for a document by
        # its number. The prefix is only ever at a number's start, so "contains" is "starts
        # with", which the number's btree index answers (``varchar_pattern_ops``, Django's
        # ``_like`` index). Names and accounts are not searched for such a term: OR-ed with
        # them, the planner reads the whole table (docs/decisions.md#number-search).
        return documents.filter(number__startswith=query.upper())
    accounts = Account.objects.filter(name__icontains=query).values("pk")
    matches = Q(name__icontains=query) | Q(InSubquery("account_id", Subquery(accounts)))
    if NUMBER_TEXT.fullmatch(query):
        # A number is a prefix, a hyphen and digits (orders.signals): a term with any other
        # character cannot be in one, and its trigram scan of the numbers is skipped.
        matches |= Q(number__icontains=query)
    return documents.filter(matches)


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
    text_label: str = ""
    text_field: str = "reason"


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
        if transition.not_integration and is_integration_user(user):
            continue  # the back office answers these; its account never makes them
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
                text_label=transition.text_label,
                text_field=transition.text_field,
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


# --- edit conflicts (docs/rules.md#edit-conflicts) -----------------------------------------
# A form posted against an older version than the stored one is compared three ways: the values
# the user opened (the history row of that version), the stored values, and the values the user
# sent. Only what the user changed is theirs to write; what someone else changed meanwhile is
# kept. When someone else changed a field the form shows, the page lists the user's changes
# beside the stored values and lets them apply or discard them.

HEADER_LABELS = {
    "name": "Name",
    "account": "Account",
    "price_list": "Price list",
    "currency": "Currency",
    "discount_percentage": "Discount %",
    "discount_amount": "Discount amount",
    "freight_amount": "Freight amount",
    "description": "Description",
    "estimated_close_date": "Estimated close date",
    "due_date": "Due date",
}
LINE_LABELS = {
    "product": "Product",
    "write_in_product": "Write-in product",
    "unit": "Unit",
    "quantity": "Quantity",
    "is_price_overridden": "Override price",
    "price_per_unit": "Price per unit",
    "manual_discount_amount": "Discount",
    "tax": "Tax",
}


@dataclass(frozen=True)
class ConflictRow:
    field: str
    label: str
    stored: str
    yours: str  # "" when the user did not change the field
    changed_by_others: bool


@dataclass(frozen=True)
class EditConflict:
    """``mine``: the fields the user changed, with their values; ``rows``: what to show side by
    side (empty when nobody else changed a field of the form: ``mine`` can be written as is)."""

    mine: dict
    rows: tuple[ConflictRow, ...]


def _comparable(value):
    if hasattr(value, "pk"):
        return value.pk
    if value in (None, ""):
        return None
    return value


def _same(a, b) -> bool:
    return _comparable(a) == _comparable(b)


def _say(value, places: int) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        if value == value.quantize(Decimal(1).scaleb(-places)):
            return f"{value:,.{places}f}"
        return f"{value.normalize():f}"
    return str(value)


def _conflict(opened, stored: dict, attempted: dict, labels: dict, places: int) -> EditConflict:
    """``opened``: the values the user started from, or None when they are not known (then
    every value that differs from the stored one counts as the user's)."""
    base = stored if opened is None else opened
    mine = {name: value for name, value in attempted.items() if not _same(value, base.get(name))}
    others = (
        set(attempted)
        if opened is None
        else {name for name in attempted if not _same(stored.get(name), opened.get(name))}
    )
    if opened is not None and not others:
        return EditConflict(mine=mine, rows=())
    rows = tuple(
        ConflictRow(
            field=name,
            label=labels.get(name) or name.replace("_", " ").capitalize(),
            stored=_say(stored.get(name), places),
            yours=_say(mine[name], places) if name in mine else "",
            changed_by_others=name in others and opened is not None,
        )
        for name in attempted
        if name in mine or (name in others and opened is not None)
    )
    return EditConflict(mine=mine, rows=rows)


def _opened_header(document, version: int):
    return (
        document.history.filter(version=version)
        .select_related(None)
        .order_by("-history_date", "-history_id")
        .first()
    )


def _value_of(record, name: str):
    """A field's value on a record or history row: a related object when the row has it."""
    field = record._meta.get_field(name)
    if field.is_relation:
        return getattr(record, field.attname)
    return getattr(record, name)


def header_edit_conflict(document, *, version: int, attempted: dict) -> EditConflict:
    """The user's header form (``attempted``: field → value) against the stored document."""
    opened = _opened_header(document, version)
    opened_values = (
        None if opened is None else {name: _value_of(opened, name) for name in attempted}
    )
    stored = {name: getattr(document, name) for name in attempted}
    places = document.currency.precision
    return _conflict(opened_values, stored, attempted, HEADER_LABELS, places)


def line_edit_conflict(document, line, *, version: int, attempted: dict) -> EditConflict:
    """The user's line form against the stored line: the line as it was when the document had
    ``version`` is its newest history row written before that version of the document."""
    opened = None
    header = _opened_header(document, version)
    if header is not None:
        opened = (
            type(line)
            .history.filter(id=line.pk, history_date__lte=header.history_date)
            .order_by("-history_date", "-history_id")
            .first()
        )
    opened_values = (
        None if opened is None else {name: _value_of(opened, name) for name in attempted}
    )
    stored = {name: getattr(line, name) for name in attempted}
    places = document.currency.precision
    return _conflict(opened_values, stored, attempted, LINE_LABELS, places)


def action_refusal(user, document, name: str) -> str:
    """Why the action ``name`` would be refused now ("" when it may run): the same guard."""
    transition = TRANSITIONS.get((document.KIND, name))
    if transition is None:
        return f"{name!r} is not an action of a {document._meta.verbose_name}."
    try:
        guard(transition, user, document, Organization.load())
    except DomainError as error:
        return error.message
    return ""


def order_invoice(order):
    """The order's invoice that is not canceled (None when it has none): a second invoice
    needs confirmation."""
    return active_invoice(order)


def latest_change_request(order):
    """The order's latest change request with who asked and who answered (None if none)."""
    return (
        ChangeRequest.objects.filter(order_id=order.pk)
        .select_related("requested_by", "answered_by")
        .order_by("-requested_on", "-id")
        .first()
    )


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
