"""Owners: reassigning a document, and running one command over many documents (bulk).

Both go through the services every other door uses: reassigning is ``document_update`` with a
new owner (so the read-only rule, the version check and "only those who work everyone's
documents give a document to someone else" hold), and a bulk command is ``perform`` — the
command bar's own entry — once per record, each in its own transaction, so one refusal does not
undo the others. Each record's outcome is reported: done, or refused and why.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from orders.models import DOCUMENT_MODELS
from orders.services.common import require_actor
from orders.services.documents import document_update
from orders.services.transitions import TRANSITIONS, perform
from settings_app.errors import DomainError, PermissionRefused

REASSIGN = "reassign"
# The commands a list may run over many records, per kind; each needs no other input.
BULK_COMMANDS = {
    "opportunity": [REASSIGN],
    "quote": [REASSIGN],
    "salesorder": ["submit", "cancel", REASSIGN],
    "invoice": ["cancel", REASSIGN],
}
MAX_RECORDS = 200


def document_reassign(*, actor, document, owner, expected_version=None):
    """Give the document to ``owner``, who must be able to work documents of its kind."""
    require_actor(actor)
    if owner is None or not owner.is_active:
        raise ValidationError({"owner": "Choose an active person to give it to."})
    kind = document.KIND
    if not owner.has_perm(f"orders.change_{kind}"):
        name = owner.get_full_name() or owner.get_username()
        raise PermissionRefused(
            f"{name} cannot work {DOCUMENT_MODELS[kind]._meta.verbose_name_plural}.",
            code="owner_role",
            fields=["owner"],
        )
    if owner.pk == document.owner_id:
        return document
    return document_update(
        actor=actor, document=document, expected_version=expected_version, owner=owner
    )


@dataclass(frozen=True)
class Outcome:
    number: str
    url: str
    done: bool
    message: str


def bulk_label(kind: str, command: str) -> str:
    if command == REASSIGN:
        return "Reassign"
    return TRANSITIONS[(kind, command)].label


def documents_perform(*, actor, documents, command: str, owner=None) -> list[Outcome]:
    """Run ``command`` on each document (the caller passes only documents the actor may see);
    every record is tried, and each outcome says what was done or why it was refused."""
    require_actor(actor)
    documents = list(documents)
    if not documents:
        return []
    kind = documents[0].KIND
    if command not in BULK_COMMANDS.get(kind, []):
        raise ValidationError({"command": "Choose one of the commands offered for the selection."})
    if len(documents) > MAX_RECORDS:
        raise ValidationError({"ids": f"Choose at most {MAX_RECORDS} records at a time."})
    outcomes = []
    label = bulk_label(kind, command)
    for document in documents:
        try:
            if command == REASSIGN:
                document_reassign(actor=actor, document=document, owner=owner)
                name = owner.get_full_name() or owner.get_username()
                message = f"Given to {name}."
            else:
                perform(command, actor=actor, document=document)
                message = f"{label}: done."
        except DomainError as error:
            outcomes.append(
                Outcome(document.number, document.get_absolute_url(), False, error.message)
            )
        except ValidationError as error:
            outcomes.append(
                Outcome(
                    document.number, document.get_absolute_url(), False, " ".join(error.messages)
                )
            )
        else:
            outcomes.append(Outcome(document.number, document.get_absolute_url(), True, message))
    return outcomes
