"""Model signals: thin receivers that apply the skip table and the read-only rule on every
save and delete of headers and lines, so the rules hold at every door (pages, API, admin, shell).

The decisions come from orders.pricing.policy.decide(); the arithmetic from the engine through
orders.pricing.apply; the checks from orders.rules.
"""

from django.apps import apps
from django.db.models import SET_NULL, Q
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from orders import rules
from orders.models import (
    DOCUMENT_MODELS,
    HEADER_TOTALS,
    LINE_COMPUTED,
    LINE_MODELS,
    Account,
    AuditEntry,
    ChartStamp,
    Delivery,
    NumberSequence,
    SalesOrder,
    charts_changed,
)
from orders.models.history import record_history
from orders.pricing import apply
from orders.pricing.policy import Operation, decide
from settings_app.acting import current_actor
from settings_app.errors import ComputedFieldWrite, DomainError, PermissionRefused, ReadOnly
from settings_app.models import Organization

INTEGRATION_ONLY_FIELDS = [
    "last_back_office_submit",
    "submit_status",
    "submit_status_description",
    "external_reference",
]
_LINE_VALUES = [
    "product_id",
    "unit_id",
    "quantity",
    "price_per_unit",
    "is_price_overridden",
    "write_in_product",
    "tax",
    *LINE_COMPUTED,
]


def next_number(prefix: str) -> str:
    sequence, _ = NumberSequence.objects.get_or_create(prefix=prefix)
    sequence = NumberSequence.objects.select_for_update().get(pk=prefix)
    value = sequence.next_value
    NumberSequence.objects.filter(pk=prefix).update(next_value=value + 1)
    return f"{prefix}-{value:05d}"


def _changed(instance, old: dict | None, names: list[str]) -> list[str]:
    if old is None:
        defaults = {f.attname: f.get_default() for f in instance._meta.concrete_fields}
        return [n for n in names if getattr(instance, n) != defaults.get(n)]
    return [n for n in names if getattr(instance, n) != old[n]]


def _computed_names(line) -> list[str]:
    names = list(LINE_COMPUTED)
    if line.product_id and not line.is_price_overridden:
        names.append("price_per_unit")
    return names


def _refuse_computed(names: list[str], document) -> None:
    if names == ["price_per_unit"]:
        # docs/decisions.md: a typed price is refused, never dropped
        raise ComputedFieldWrite(
            "The price per unit of a catalog product comes from the price list; "
            "tick Override price (is_price_overridden) to enter your own.",
            fields=names,
        )
    if names:
        labels = ", ".join(names)
        raise ComputedFieldWrite(
            f"These fields are calculated by the system on this {document._meta.verbose_name} "
            f"and cannot be set: {labels}.",
            fields=names,
        )


def _check_lines_cover_discount(document, line_model, *, old=None, new=None) -> None:
    """docs/rules.md#price-calculation: totals never go negative. A line change that would
    leave the lines' amount below the header's discount amount is refused (a percentage of at
    most 100 % cannot make it negative by itself)."""
    if not document.discount_amount or document.discount_amount <= 0:
        return
    sums = apply.line_sums(line_model, document.pk)
    amount = sums.extended_amount - sums.tax
    if old is not None:
        amount -= (old["extended_amount"] or 0) - (old["tax"] or 0)
    if new is not None:
        amount += (new.extended_amount or 0) - (new.tax or 0)
    totals = apply.header_totals_for(
        document,
        apply.engine.LineSums(base_amount=amount, extended_amount=amount, tax=apply.ZERO),
    )
    if totals.total_amount_less_freight < 0:
        places = document.currency.precision
        raise DomainError(
            f"This would leave the products at {amount:,.{places}f}, less than the "
            f"{document._meta.verbose_name}'s discount of "
            f"{document.discount_amount:,.{places}f}: lower the discount first.",
            code="discount_too_large",
            fields=["discount_amount"],
        )


# --- lines ---------------------------------------------------------------------------------


def line_pre_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    actor = current_actor()
    document_model = sender._meta.get_field("document").related_model
    document = apply.lock_document(document_model, instance.document_id)
    instance.document = document
    organization = Organization.load()
    system = rules.in_system_write()
    if not system:
        rules.check_editable(actor, document)
    operation = Operation.CREATE if instance._state.adding else Operation.UPDATE
    decision = decide(
        sender.__name__.lower(), operation, rules.facts_for(document, actor, organization)
    )
    old = None
    if operation == Operation.UPDATE:
        old = sender.objects.filter(pk=instance.pk).values(*_LINE_VALUES).first()
        if old is None:  # saved with a pk that is not stored: a create after all
            operation = Operation.CREATE
    computing = decision.compute and organization.use_system_pricing
    if not system and computing:
        _refuse_computed(_changed(instance, old, _computed_names(instance)), document)
    item = apply.find_item(document, instance.product_id, instance.unit_id)
    if instance.product_id and not instance.unit_id:
        instance.unit_id = instance.product.default_unit_id
        item = apply.find_item(document, instance.product_id, instance.unit_id)
    if not system:
        rules.validate_line_input(
            instance,
            document,
            organization,
            has_price_list_item=bool(item),
            adding_write_in=not instance.product_id
            and (old is None or old["product_id"] is not None),
        )
    if not instance.line_number:
        last = sender.objects.filter(document_id=document.pk).order_by("-line_number").first()
        instance.line_number = (last.line_number if last else 0) + 1
    if computing:
        volume = old is None or any(
            getattr(instance, n) != old[n] for n in ("quantity", "product_id", "unit_id")
        )
        apply.price_line(
            instance, document, organization, item=item, old=old, decision=decision, volume=volume
        )
        if not system:
            rules.validate_line_discount(instance, organization.discount_calculation_method)
            rules.validate_line_amounts(instance)
            _check_lines_cover_discount(document, sender, old=old, new=instance)
    elif decision.compute:
        apply.kept_as_given(
            instance, decision, note="System pricing is off: the values were kept as entered."
        )
    else:
        apply.kept_as_given(instance, decision)
    if not computing and not system:
        rules.validate_kept_precision(
            instance,
            money_fields=LINE_COMPUTED,
            price_places=organization.pricing_decimal_precision,
            money_places=document.currency.precision,
        )
        rules.validate_not_negative(instance, _changed(instance, old, LINE_COMPUTED))
        _check_lines_cover_discount(document, sender, old=old, new=instance)
    instance._sop_decision = decision if computing else None


def line_post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    decision = getattr(instance, "_sop_decision", None)
    document = instance.document
    if decision is not None:
        apply.roll_up(document, sender, actor=current_actor(), decision=decision)
    else:
        apply.touch_document(document, actor=current_actor())


def line_pre_delete(sender, instance, origin=None, **kwargs):
    if isinstance(origin, tuple(DOCUMENT_MODELS.values())):
        instance._sop_decision = None  # the whole document goes; its own delete was checked
        instance._sop_cascade = True
        return
    actor = current_actor()
    document_model = sender._meta.get_field("document").related_model
    document = apply.lock_document(document_model, instance.document_id)
    instance.document = document
    organization = Organization.load()
    if not rules.in_system_write():
        rules.check_editable(actor, document)
    decision = decide(
        sender.__name__.lower(), Operation.DELETE, rules.facts_for(document, actor, organization)
    )
    computing = decision.compute and organization.use_system_pricing
    if not rules.in_system_write():  # computed or kept as given: totals never go negative
        stored = sender.objects.filter(pk=instance.pk).values("extended_amount", "tax").first()
        if stored is not None:
            _check_lines_cover_discount(document, sender, old=stored)
    instance._sop_decision = decision if computing else None
    instance._sop_cascade = False


def line_post_delete(sender, instance, origin=None, **kwargs):
    if getattr(instance, "_sop_cascade", False):
        return
    decision = getattr(instance, "_sop_decision", None)
    if decision is not None:
        apply.roll_up(instance.document, sender, actor=current_actor(), decision=decision)
    else:
        apply.touch_document(instance.document, actor=current_actor())


# --- headers -------------------------------------------------------------------------------

_HEADER_VALUES = [
    "state",
    "status_reason",
    "currency_id",
    "price_list_id",
    *HEADER_TOTALS,
    "discount_percentage",
    "discount_amount",
    "freight_amount",
]


def header_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    actor = current_actor()
    organization = Organization.load()
    system = rules.in_system_write()
    old = None
    if not instance._state.adding:
        values = _HEADER_VALUES + (INTEGRATION_ONLY_FIELDS if sender is SalesOrder else [])
        queryset = sender.objects.filter(pk=instance.pk)
        if apply.connection.in_atomic_block:
            queryset = queryset.select_for_update()
        old = queryset.values(*values).first()
    operation = Operation.CREATE if old is None else Operation.UPDATE

    if old is not None and not system:
        stored = sender(pk=instance.pk, state=old["state"], status_reason=old["status_reason"])
        rules.check_editable(actor, stored)
        if (instance.state, instance.status_reason) != (old["state"], old["status_reason"]):
            raise ReadOnly(
                "The state changes only through the document's actions (activate, submit, …).",
                code="state_change",
            )
        instance.state = old["state"]
    facts_document = instance if old is None else sender(state=old["state"])
    decision = decide(sender.KIND, operation, rules.facts_for(facts_document, actor, organization))
    computing = decision.compute and organization.use_system_pricing

    if not system:
        if computing:
            _refuse_computed(_changed(instance, old, HEADER_TOTALS), instance)
        if sender is SalesOrder and not rules.is_integration_user(actor):
            touched = _changed(instance, old, INTEGRATION_ONLY_FIELDS)
            if touched:
                raise PermissionRefused(
                    "Only the back office's integration user can set: " + ", ".join(touched) + ".",
                    code="integration_only",
                    fields=touched,
                )
        if old is None and sender.KIND == "invoice" and instance.sales_order_id:
            rules.check_invoice_from_order(actor, instance, organization)
        line_model = LINE_MODELS[sender.KIND]
        has_lines = old is not None and line_model.objects.filter(document_id=instance.pk).exists()
        rules.validate_header_input(
            instance,
            organization,
            has_lines=has_lines,
            currency_changed=old is not None and old["currency_id"] != instance.currency_id,
        )

    if old is None:
        if not instance.number:
            instance.number = next_number(sender.NUMBER_PREFIX)
        if actor is not None and instance.created_by_id is None:
            instance.created_by = actor
    else:
        instance.version = (instance.version or 0) + 1
    if actor is not None:
        instance.modified_by = actor

    if update_fields is not None:
        return  # a transition's narrow write: totals stay as they are
    if computing:
        sums = (
            apply.line_sums(LINE_MODELS[sender.KIND], instance.pk)
            if old is not None
            else apply.engine.LineSums()
        )
        totals = apply.header_totals_for(instance, sums)
        if not system:
            touched = _changed(instance, old, ["discount_amount", "discount_percentage"])
            rules.validate_header_discount(instance, totals, touched)
        for name, value in totals.as_dict().items():
            setattr(instance, name, value)
        instance.pricing = {**decision.as_provenance(), "price_source": "lines"}
    elif decision.compute:
        apply.kept_as_given(
            instance, decision, note="System pricing is off: the values were kept as entered."
        )
    else:
        apply.kept_as_given(instance, decision)
    if not system and instance.currency_id:
        rules.validate_kept_precision(
            instance,
            money_fields=HEADER_TOTALS,
            price_places=None,
            money_places=instance.currency.precision,
        )
    if not system and not computing and instance.currency_id:
        # Kept as given (docs/decisions.md, "Totals never go negative, also as given"): the
        # values are the writer's, the floor is everyone's.
        rules.validate_not_negative(instance, _changed(instance, old, HEADER_TOTALS))
        touched = _changed(instance, old, ["discount_amount", "discount_percentage"])
        if touched:
            sums = (
                apply.line_sums(LINE_MODELS[sender.KIND], instance.pk)
                if old is not None
                else apply.engine.LineSums()
            )
            rules.validate_header_discount(
                instance, apply.header_totals_for(instance, sums), touched
            )


def header_pre_delete(sender, instance, origin=None, **kwargs):
    """Only a document in an editable state may be deleted; the integration user's exception
    for submitted orders is for changing them, not for making them disappear."""
    if rules.in_system_write():
        return
    rules.check_editable(None, instance)


for _model in LINE_MODELS.values():
    pre_save.connect(line_pre_save, sender=_model, dispatch_uid=f"sop_line_pre_save_{_model}")
    post_save.connect(line_post_save, sender=_model, dispatch_uid=f"sop_line_post_save_{_model}")
    pre_delete.connect(line_pre_delete, sender=_model, dispatch_uid=f"sop_line_pre_del_{_model}")
    post_delete.connect(line_post_delete, sender=_model, dispatch_uid=f"sop_line_post_del_{_model}")
for _model in DOCUMENT_MODELS.values():
    pre_save.connect(header_pre_save, sender=_model, dispatch_uid=f"sop_header_pre_save_{_model}")
    pre_delete.connect(
        header_pre_delete, sender=_model, dispatch_uid=f"sop_header_pre_del_{_model}"
    )


# --- deletes that set references to null --------------------------------------------------
# Deleting an opportunity, a quote, an order or a user sets the documents' references to it to
# null with one UPDATE (SET_NULL), which sends no signals: their history rows are added here.

_HISTORY_MODELS = (*DOCUMENT_MODELS.values(), *LINE_MODELS.values())


def _nulled_references(model) -> dict:
    """{document or line model: [its SET_NULL foreign keys to ``model``]}."""
    found: dict = {}
    # The reverse relations Django's delete collector follows, hidden ones (related_name="+")
    # included.
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        if relation.on_delete is SET_NULL and relation.related_model in _HISTORY_MODELS:
            found.setdefault(relation.related_model, []).append(relation.field.name)
    return found


def remember_nulled_references(sender, instance, **kwargs):
    nulled = []
    for model, names in _nulled_references(sender).items():
        query = Q()
        for name in names:
            query |= Q(**{name: instance.pk})
        nulled.append((model, list(model.objects.filter(query).values_list("pk", flat=True))))
    instance._sop_nulled = nulled


def record_nulled_references(sender, instance, **kwargs):
    for model, pks in getattr(instance, "_sop_nulled", []):
        record_history(model, pks, actor=current_actor())
        if model is SalesOrder and pks:
            charts_changed(ChartStamp.ORDERS)  # an owner gone changes who sees the orders


for _model in apps.get_models():
    if _nulled_references(_model):
        pre_delete.connect(
            remember_nulled_references, sender=_model, dispatch_uid=f"sop_nulled_pre_{_model}"
        )
        post_delete.connect(
            record_nulled_references, sender=_model, dispatch_uid=f"sop_nulled_post_{_model}"
        )


# --- the charts' cache ----------------------------------------------------------------------
# Every save and delete of the rows the charts read renews their topic's token after the
# commit (orders.models.audit.charts_changed); writes that bypass signals (header totals after
# a line change, conversions, the delivery worker, seed_volume) renew it where they write.

_CHART_TOPICS = {
    SalesOrder: ChartStamp.ORDERS,
    AuditEntry: ChartStamp.ORDERS,
    Delivery: ChartStamp.DELIVERIES,
}


def chart_rows_changed(sender, instance=None, raw=False, using="default", **kwargs):
    charts_changed(_CHART_TOPICS[sender], using)


for _model in _CHART_TOPICS:
    post_save.connect(chart_rows_changed, sender=_model, dispatch_uid=f"sop_chart_save_{_model}")
    post_delete.connect(
        chart_rows_changed, sender=_model, dispatch_uid=f"sop_chart_delete_{_model}"
    )


# --- the account's name on its documents ----------------------------------------------------
# Documents keep a copy of their account's name for the lists' sort (SalesDocument.save); a
# renamed account renews it on every document of that account, in the same transaction.


def account_renamed(sender, instance, created=False, raw=False, **kwargs):
    if created or raw:
        return
    for model in DOCUMENT_MODELS.values():
        model.objects.filter(account_id=instance.pk).exclude(account_name=instance.name).update(
            account_name=instance.name
        )


post_save.connect(account_renamed, sender=Account, dispatch_uid="sop_account_renamed")
