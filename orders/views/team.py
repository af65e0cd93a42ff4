"""Team views on the lists (My / Team / All, an owner filter) and bulk commands over the
selected records, reported record by record."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from orders.reports.team import VIEWS, possible_owners, sees_everyone, whose
from orders.selectors import documents_for
from orders.services.assignment import (
    BULK_COMMANDS,
    MAX_RECORDS,
    REASSIGN,
    bulk_label,
    document_reassign,
    documents_perform,
)
from orders.services.transitions import TRANSITIONS
from orders.views.kinds import TITLES, kind_context
from settings_app.errors import DomainError
from settings_app.models import Organization

# Commands over many records that cannot be undone ask first, as they do on a record page:
# (title, what happens, button); {n} is "3 sales orders".
BULK_QUESTIONS = {
    ("salesorder", "submit"): (
        "Submit {n} to the back office?",
        [
            "The back office receives them at once. From then on sales staff cannot change "
            "them: to change one afterwards, request a change on it.",
        ],
        "Submit {n}",
    ),
    ("salesorder", "cancel"): (
        "Cancel {n}?",
        [
            "A canceled order cannot be reopened. The back office is told of each one it "
            "already has.",
        ],
        "Cancel {n}",
    ),
    ("invoice", "cancel"): (
        "Cancel {n}?",
        ["A canceled invoice cannot be reopened."],
        "Cancel {n}",
    ),
}


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _back(request) -> str:
    """The list to go back to: a path on this site, or nothing."""
    back = request.POST.get("back", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return ""


def _count(kind: str, count: int) -> str:
    singular, plural = TITLES[kind]
    return f"{count} {singular if count == 1 else plural}".lower()


def bulk_commands(user, kind: str) -> list[tuple[str, str]]:
    """The bulk commands to offer: those the user's role allows now (each record is still
    checked by the command's own guard when it runs)."""
    offered = []
    switch_on = None
    for command in BULK_COMMANDS.get(kind, []):
        if command == REASSIGN:
            allowed = sees_everyone(user) and user.has_perm(f"orders.change_{kind}")
        else:
            transition = TRANSITIONS[(kind, command)]
            allowed = user.has_perm(transition.perm)
            if allowed and transition.switch is not None:
                if switch_on is None:
                    switch_on = Organization.load().is_sop_integration_enabled
                allowed = transition.switch == switch_on
        if allowed:
            offered.append((command, bulk_label(kind, command)))
    return offered


def team_filters(request, kind: str, documents):
    """The list narrowed to the chosen view and owner, and what the page shows for both."""
    user = request.user
    owner_id = _int(request.GET.get("owner"))
    documents, view = whose(user, documents, view=request.GET.get("view", ""), owner_id=owner_id)
    everyone = sees_everyone(user)
    owners = possible_owners(kind) if everyone else []
    bulk = bulk_commands(user, kind)
    return documents, {
        "views": VIEWS if everyone else None,
        "view": view,
        "owners": owners,
        "owner_id": owner_id,
        "bulk": bulk,
        "bulk_reassign": any(command == REASSIGN for command, _ in bulk),
    }


@login_required
@require_POST
def bulk_action(request, kind: str):
    """Run one command over the selected records; the page that answers says, per record,
    what was done and what was refused and why."""
    user = request.user
    if not user.has_perm(f"orders.view_{kind}"):
        raise PermissionDenied
    command = request.POST.get("command", "")
    confirmed = bool(request.POST.get("confirmed"))
    ids = [pk for pk in (_int(v) for v in request.POST.getlist("ids")) if pk][: MAX_RECORDS + 1]
    owner = None
    if command == REASSIGN:
        owner_id = _int(request.POST.get("owner"))
        owner = get_user_model().objects.filter(pk=owner_id).first() if owner_id else None
    documents = list(documents_for(user, kind).filter(pk__in=ids).order_by("number"))
    error = ""
    outcomes = []
    if not ids:
        error = "Select at least one record."
    elif command not in dict(bulk_commands(user, kind)):
        error = "Choose one of the commands offered."
    elif command == REASSIGN and owner is None:
        error = "Choose the person to give the records to."
    elif (question := BULK_QUESTIONS.get((kind, command))) and documents and not confirmed:
        title, lines, button = question
        n = _count(kind, len(documents))
        context = {
            **kind_context(kind),
            "title": title.format(n=n),
            "lines": lines,
            "button": button.format(n=n),
            "danger": command == "cancel",
            "done_word": "submitted" if command == "submit" else "canceled",
            "command": command,
            "documents": documents,
            "missing": len(set(ids) - {document.pk for document in documents}),
            "back": _back(request),
        }
        return render(request, "orders/bulk_confirm.html", context)
    else:
        try:
            outcomes = documents_perform(
                actor=user, documents=documents, command=command, owner=owner
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
        except DomainError as refused:
            error = refused.message
    missing = len(set(ids) - {document.pk for document in documents})
    context = {
        **kind_context(kind),
        "command_label": bulk_label(kind, command)
        if command in BULK_COMMANDS.get(kind, [])
        else "",
        "outcomes": outcomes,
        "done": sum(1 for outcome in outcomes if outcome.done),
        "refused": sum(1 for outcome in outcomes if not outcome.done),
        "missing": missing if outcomes else 0,
        "error": error,
        "back": _back(request),
    }
    return render(request, "orders/bulk_result.html", context, status=400 if error else 200)


def reassign_context(user, document, *, editable: bool) -> dict:
    """The record page's owner: who may give it to someone else, and to whom."""
    kind = document.KIND
    may = editable and sees_everyone(user) and user.has_perm(f"orders.change_{kind}")
    return {"can_reassign": may, "owners": possible_owners(kind) if may else []}


@login_required
@require_POST
def reassign(request, kind: str, pk: int):
    """Give one record to someone else (the service decides whether it may be done)."""
    if not request.user.has_perm(f"orders.view_{kind}"):
        raise PermissionDenied
    document = get_object_or_404(documents_for(request.user, kind), pk=pk)
    owner_id = _int(request.POST.get("owner"))
    owner = get_user_model().objects.filter(pk=owner_id).first() if owner_id else None
    try:
        document_reassign(
            actor=request.user,
            document=document,
            owner=owner,
            expected_version=_int(request.POST.get("expected_version")),
        )
    except DomainError as error:
        messages.error(request, f"Reassign: {error.message}")
    except ValidationError as error:
        messages.error(request, f"Reassign: {' '.join(error.messages)}")
    else:
        messages.success(request, f"{document.number} now belongs to {owner}.")
    return redirect(document)
