"""The steps a command takes on the record page before it runs (docs/rules.md#transitions).

Submit asks for confirmation (the order becomes read-only for sales staff); Create Invoice asks
when the order has an invoice that is not canceled, naming it; Request a change asks for its
note. Each step is a plain page with a form, so it works without JavaScript and reads well
with a screen reader: the command bar's button posts without ``confirmed``, this page answers
with the question, and its button posts again with ``confirmed``. A command its guard refuses
skips the step and says why at once (its guard, the same the service runs). The API stays one
call.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from orders import selectors
from orders.forms import ChangeRequestForm
from orders.lifecycle import SALES_ORDER
from orders.services import TRANSITIONS, salesorder_request_change
from orders.views.kinds import kind_context
from settings_app.errors import DomainError

TEMPLATE = "orders/action_step.html"
STEPS = {(SALES_ORDER, "submit"), (SALES_ORDER, "create_invoice"), (SALES_ORDER, "request_change")}
# Steps that are a form of their own may also be opened with GET.
FORM_STEPS = {(SALES_ORDER, "request_change")}


def has_step(kind: str, name: str) -> bool:
    return (kind, name) in STEPS


def opens_with_get(kind: str, name: str) -> bool:
    return (kind, name) in FORM_STEPS


def extra_arguments(name: str, confirmed: bool) -> dict:
    """What the confirmation adds to the service's call."""
    return {"confirmed": True} if name == "create_invoice" and confirmed else {}


def step(request, document, name: str, *, confirmed: bool):
    """The step's page, or None when the command should run (or be refused) now."""
    if not has_step(document.KIND, name):
        return None
    refusal = selectors.action_refusal(request.user, document, name)
    if refusal:  # no question first: the page says at once why the command is refused
        messages.error(request, f"{TRANSITIONS[(document.KIND, name)].label}: {refusal}")
        return redirect(document)
    if name == "request_change":
        return _request_change(request, document, confirmed=confirmed)
    if confirmed:
        return None
    if name == "submit":
        return _render(
            request,
            document,
            name,
            title=f"Submit {document.number} to the back office?",
            lines=[
                "The back office receives the order at once.",
                "From then on sales staff cannot change it: it is read-only until the back "
                "office answers. To change it afterwards, request a change.",
            ],
            button="Submit to the back office",
        )
    invoice = selectors.order_invoice(document)
    if invoice is None:
        return None
    return _render(
        request,
        document,
        name,
        title=f"Create another invoice for {document.number}?",
        lines=[
            f"{document.number} already has invoice {invoice.number} "
            f"({invoice.get_state_display().lower()}).",
            "A second invoice bills the customer again for the same order.",
        ],
        invoice=invoice,
        button="Create another invoice",
    )


def _request_change(request, document, *, confirmed: bool):
    form = ChangeRequestForm(request.POST if confirmed else None)
    if confirmed:
        try:
            salesorder_request_change(
                actor=request.user,
                document=document,
                note=request.POST.get("note", ""),
                expected_version=_version(request),
            )
        except ValidationError as error:
            for message in error.message_dict.get("note", error.messages):
                form.add_error("note", message)
            form.describe_fields()
            form.fields["note"].widget.attrs["autofocus"] = True  # read with its error
        except DomainError as error:
            messages.error(request, f"Request a change: {error.message}")
            return redirect(document)
        else:
            messages.success(
                request, "Change requested: the back office has been told and will answer."
            )
            return redirect(document)
    return _render(
        request,
        document,
        "request_change",
        title=f"Request a change to {document.number}",
        lines=[
            "The order stays submitted and read-only. The back office either returns it to "
            "you for editing or declines the change with a reason.",
        ],
        form=form,
        button="Request the change",
    )


def _version(request):
    value = request.POST.get("expected_version", "")
    return int(value) if value.isascii() and value.isdigit() else None


def _render(request, document, name, *, title, lines, button, status=200, **extra):
    context = {
        **kind_context(document.KIND),
        "doc": document,
        "name": name,
        "title": title,
        "lines": lines,
        "button": button,
        **extra,
    }
    return render(request, TEMPLATE, context, status=status)
