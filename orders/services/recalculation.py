"""Re-pricing a document: Recalculate, and the price lock (docs/rules.md#price-calculation).

``recalculate`` is also what catalog re-pricing (``orders.services.pricing``) runs on each
document a price change reaches. It asks the recalculate rule of the skip table itself, since
it prices the lines in bulk (no signals), in a constant number of queries.
"""

from django.db import transaction

from orders.models import LINE_MODELS
from orders.pricing import apply
from orders.pricing.policy import Operation, decide
from orders.rules import facts_for
from orders.services.common import audit, write
from orders.services.guards import begin
from settings_app.acting import acting_as
from settings_app.models import Organization


def document_recalculate(*, actor, document, expected_version=None):
    """Re-price amounts and totals, as the recalculate rule of the skip table decides."""
    kind = document.KIND
    with acting_as(actor), transaction.atomic():
        document, _ = begin(
            kind, "recalculate", actor=actor, document=document, expected_version=expected_version
        )
        skipped = recalculate(document, actor=actor, action="recalculate") is False
        document.refresh_from_db()
    # Why nothing was recalculated, in words for a message ("" when it ran).
    document.recalculation_skipped = getattr(document, "_skipped_because", "") if skipped else ""
    return document


def recalculate(document, *, actor, action: str, volume: bool = False, details=None) -> bool:
    """Recalculate a locked document in a constant number of queries; False when skipped.

    ``details(document)``, called once the document is re-priced, adds to its audit entry's
    data (catalog re-pricing says there what changed and why)."""
    organization = Organization.load()
    decision = decide(
        document.KIND, Operation.RECALCULATE, facts_for(document, actor, organization)
    )
    line_model = LINE_MODELS[document.KIND]
    if not (decision.compute and organization.use_system_pricing):
        document._skipped_because = (
            decision.plain
            if decision.skip
            else "system pricing is off, so the amounts were kept as they are."
        )
        audit(
            document,
            action=action,
            actor=actor,
            from_state=document.state,
            message=decision.reason if decision.skip else "System pricing is off.",
            data=decision.as_provenance(),
        )
        return False
    changed = apply.recalculate_lines(
        document, line_model, organization, actor=actor, decision=decision, volume=volume
    )
    apply.roll_up(document, line_model, actor=actor, decision=decision)
    audit(
        document,
        action=action,
        actor=actor,
        from_state=document.state,
        message=f"Recalculated ({changed} line(s) changed)",
        data={**decision.as_provenance(), **(details(document) if details else {})},
    )
    return True


def document_lock_pricing(*, actor, document, expected_version=None):
    with acting_as(actor), transaction.atomic():
        document, _ = begin(
            document.KIND,
            "lock_pricing",
            actor=actor,
            document=document,
            expected_version=expected_version,
        )
        document.is_price_locked = True
        write(document, "is_price_locked")
        audit(
            document,
            action="lock_pricing",
            actor=actor,
            from_state=document.state,
            message="Prices locked: catalog changes no longer reach this document",
        )
    return document


def document_unlock_pricing(*, actor, document, expected_version=None):
    """Use current pricing: unlock and re-price from the catalog."""
    with acting_as(actor), transaction.atomic():
        document, _ = begin(
            document.KIND,
            "unlock_pricing",
            actor=actor,
            document=document,
            expected_version=expected_version,
        )
        document.is_price_locked = False
        write(document, "is_price_locked")
        recalculate(document, actor=actor, action="unlock_pricing")
        document.refresh_from_db()
    return document
