"""Record pages: header, product lines (edited in place with htmx), totals, commands, timeline.

Views translate; the domain decides. Whether a record is editable, which commands show and
whether they are allowed come from ``orders.selectors``; writes go through
``orders.services``. A ``DomainError`` becomes a message next to the command or a form error.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from orders import selectors, services
from orders.forms import ActionForm, DocumentHeaderForm, LineForm
from orders.integration.health import order_back_office_chips
from orders.reports.timeline import document_timeline
from orders.services import documents as document_services
from orders.views import steps
from orders.views.kinds import kind_context
from orders.views.team import reassign_context
from settings_app.errors import DomainError

TEMPLATE = "orders/document_detail.html"


def add_errors(form, error) -> None:
    """Put a ValidationError or DomainError on the form: on its fields where they exist."""
    if isinstance(error, DomainError):
        fields = [f for f in getattr(error, "fields", []) if f in form.fields]
        if fields:
            for name in fields:
                form.add_error(name, error.message)
        else:
            form.add_error(None, error.message)
        return
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            if name in form.fields:
                form.add_error(name, errors)
            else:
                label = "" if name == "__all__" else f"{name.replace('_', ' ').capitalize()}: "
                form.add_error(None, [f"{label}{message}" for message in errors])
    else:
        form.add_error(None, error.messages)
    form.describe_fields()


def load_document(request, kind: str, pk: int):
    """The document if the user may see it (404 otherwise: hidden records are not hinted at)."""
    if not request.user.has_perm(f"orders.view_{kind}"):
        raise PermissionDenied
    documents = selectors.documents_for(request.user, kind)
    related = ["account", "price_list", "currency", "owner", "created_by", "modified_by"]
    if kind == "salesorder":
        related += ["submitted_by", "quote", "opportunity"]
    elif kind == "quote":
        related += ["opportunity"]
    elif kind == "invoice":
        related += ["sales_order"]
    return get_object_or_404(documents.select_related(*related), pk=pk)


def load_line(document, line_id: int):
    return get_object_or_404(document.lines.all(), pk=line_id)


def record_context(
    request,
    document,
    *,
    header_form=None,
    line_form=None,
    edit_form=None,
    edit_line_id=None,
    action_error=None,
    conflict=None,
    line_conflict=None,
) -> dict:
    user, kind = request.user, document.KIND
    read_only = selectors.read_only_reason(user, document)
    editable = not read_only
    lines = list(document.lines.select_related("product", "unit").order_by("line_number", "id"))
    actions = selectors.document_actions(user, document, has_lines=bool(lines))
    if editable and header_form is None:
        header_form = DocumentHeaderForm.for_kind(kind, instance=document)
    if editable and line_form is None:
        line_form = LineForm()
    if editable and edit_line_id and edit_form is None:
        line = next((line for line in lines if line.pk == edit_line_id), None)
        if line is None:
            raise Http404
        edit_form = LineForm(line=line)
    context = {
        **kind_context(kind),
        "document": document,
        "doc": document,
        "lines": lines,
        "editable": editable,
        "read_only": read_only,
        "header_form": header_form,
        "line_form": line_form,
        "edit_form": edit_form,
        "edit_line_id": edit_line_id,
        "actions": actions,
        "unavailable_actions": [a for a in actions if not attr(a, "allowed")],
        "action_error": action_error,
        "conflict": conflict,
        "line_conflict": line_conflict,
        "line_conflict_form": f"line-form-{edit_line_id}" if line_conflict else "",
        "precision": document.currency.precision,
    }
    context.update(reassign_context(user, document, editable=editable))
    if kind == "salesorder":
        context["sync"] = order_back_office_chips([document]).get(document.pk)
        context["change_request"] = selectors.latest_change_request(document)
    return context


def render_record(request, document, status=200, **kwargs):
    context = record_context(request, document, **kwargs)
    context["timeline"] = document_timeline(document)
    return render(request, TEMPLATE, context, status=status)


def render_lines(request, document, **kwargs):
    """The lines and totals fragment, with the command bar and version swapped out of band."""
    document.refresh_from_db()
    context = record_context(request, document, **kwargs)
    context["oob"] = True
    context["timeline"] = document_timeline(document)  # the edit is on it
    return render(request, f"{TEMPLATE}#lines", context)


@login_required
def document_detail(request, kind: str, pk: int):
    document = load_document(request, kind, pk)
    return render_record(request, document)


@login_required
@require_http_methods(["GET", "POST"])
def document_new(request, kind: str):
    if not request.user.has_perm(f"orders.add_{kind}"):
        raise PermissionDenied
    form = DocumentHeaderForm.for_kind(kind, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            document = document_services.document_create(
                actor=request.user, kind=kind, **form.cleaned_data
            )
        except (DomainError, ValidationError) as error:
            add_errors(form, error)
        else:
            messages.success(request, f"{document.number} created. Add its products below.")
            return redirect(document)
    return render(request, "orders/document_new.html", {**kind_context(kind), "form": form})


def _version(value) -> int | None:
    value = (value or "").strip() if isinstance(value, str) else value
    if isinstance(value, int):
        return value
    return int(value) if value and value.isascii() and value.isdigit() else None


def _initial(values: dict) -> dict:
    return {name: getattr(value, "pk", value) for name, value in values.items()}


@login_required
@require_POST
def document_update(request, kind: str, pk: int):
    document = load_document(request, kind, pk)
    form = DocumentHeaderForm.for_kind(kind, request.POST, instance=document)
    expected = _version(request.POST.get("expected_version"))
    if form.is_valid():
        values = form.changed_values()
        if expected is not None and expected != document.version:
            # Someone saved since this form was opened: keep only what this user changed
            # (docs/rules.md#edit-conflicts), and ask when a field they see changed meanwhile.
            attempted = {name: form.cleaned_data[name] for name in form.fields}
            conflict = selectors.header_edit_conflict(
                document, version=expected, attempted=attempted
            )
            if conflict.rows:
                merged = DocumentHeaderForm.for_kind(
                    kind, instance=document, initial_changes=_initial(conflict.mine)
                )
                return render_record(request, document, header_form=merged, conflict=conflict)
            values, expected = conflict.mine, document.version
        if not values:
            messages.info(request, "Nothing changed.")
            return redirect(document)
        try:
            document_services.document_update(
                actor=request.user, document=document, expected_version=expected, **values
            )
        except (DomainError, ValidationError) as error:
            add_errors(form, error)
            if not selectors.user_can_edit(request.user, document):
                # the page will show no form to put the error on: say it next to the commands
                messages.error(request, " ".join(form.non_field_errors()) or str(error))
                return redirect(document)
        else:
            messages.success(request, "Saved.")
            return redirect(document)
    document.refresh_from_db()
    return render_record(request, document, header_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def lines(request, kind: str, pk: int):
    """GET: the lines fragment (cancel an edit). POST: add a line."""
    document = load_document(request, kind, pk)
    if request.method == "GET":
        if not request.htmx:
            return redirect(document)
        return render_lines(request, document)
    form = LineForm(request.POST)
    if form.is_valid():
        try:
            document_services.line_add(
                actor=request.user, document=document, **form.service_values()
            )
        except (DomainError, ValidationError) as error:
            add_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, "Product added.")
                return redirect(document)
            return render_lines(request, document)
    if not request.htmx:
        return render_record(request, document, line_form=form)
    return render_lines(request, document, line_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def line_detail(request, kind: str, pk: int, line_id: int):
    """GET: the lines fragment with this line as a form. POST: save the line."""
    document = load_document(request, kind, pk)
    line = load_line(document, line_id)
    if request.method == "GET":
        if not request.htmx:
            return render_record(request, document, edit_line_id=line.pk)
        return render_lines(request, document, edit_line_id=line.pk)
    form = LineForm(request.POST, line=line)
    if form.is_valid():
        values = form.service_values()
        expected = form.cleaned_data.get("expected_version")
        if expected is not None and expected != document.version:
            # docs/rules.md#edit-conflicts, as for the header
            conflict = selectors.line_edit_conflict(
                document, line, version=expected, attempted=form.attempted_values()
            )
            if conflict.rows:
                merged = LineForm(line=line, initial_changes=_initial(conflict.mine))
                if not request.htmx:
                    return render_record(
                        request,
                        document,
                        edit_form=merged,
                        edit_line_id=line.pk,
                        line_conflict=conflict,
                    )
                return render_lines(
                    request,
                    document,
                    edit_form=merged,
                    edit_line_id=line.pk,
                    line_conflict=conflict,
                )
            values = {k: v for k, v in values.items() if k in conflict.mine}
        try:
            if values:
                document_services.line_update(actor=request.user, line=line, **values)
        except (DomainError, ValidationError) as error:
            add_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, "Product line saved.")
                return redirect(document)
            return render_lines(request, document)
    if not request.htmx:
        return render_record(request, document, edit_form=form, edit_line_id=line.pk)
    return render_lines(request, document, edit_form=form, edit_line_id=line.pk)


@login_required
@require_POST
def line_delete(request, kind: str, pk: int, line_id: int):
    document = load_document(request, kind, pk)
    line = load_line(document, line_id)
    error = None
    try:
        document_services.line_delete(actor=request.user, line=line)
    except DomainError as refused:
        error = refused.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, "Product line removed.")
        return redirect(document)
    return render_lines(request, document, action_error=error)


def attr(action, name: str):
    """Actions may be dicts or objects; read either."""
    return action.get(name) if isinstance(action, dict) else getattr(action, name, None)


@login_required
def document_action(request, kind: str, pk: int, name: str):
    """Run a command of the command bar; the service decides whether it may run."""
    if request.method != "POST" and not (
        request.method == "GET" and steps.opens_with_get(kind, name)
    ):
        return HttpResponseNotAllowed(["POST"])
    document = load_document(request, kind, pk)
    form = ActionForm(request.POST)
    form.is_valid()
    confirmed = bool(form.cleaned_data.get("confirmed"))
    asked = steps.step(request, document, name, confirmed=confirmed)  # confirm or a form first
    if asked is not None:
        return asked
    extra = steps.extra_arguments(name, confirmed)
    if form.cleaned_data.get("status_reason"):
        extra["status_reason"] = form.cleaned_data["status_reason"]
    if form.cleaned_data.get("reason"):
        extra["reason"] = form.cleaned_data["reason"]
    if form.cleaned_data.get("close_opportunity"):
        extra["close_opportunity"] = True
    if form.cleaned_data.get("expected_version") is not None:
        extra["expected_version"] = form.cleaned_data["expected_version"]
    transition = services.TRANSITIONS.get((kind, name))
    label = transition.label if transition else name.replace("_", " ").capitalize()
    try:
        result = services.perform(name, actor=request.user, document=document, **extra)
    except DomainError as error:
        messages.error(request, f"{label}: {error.message}")
        return redirect(document)
    except ValidationError as error:
        messages.error(request, f"{label}: {' '.join(error.messages)}")
        return redirect(document)
    except TypeError:
        # an input this command does not take (e.g. a reason sent to Activate)
        messages.error(request, f"{label}: this command takes no such input.")
        return redirect(document)
    if result is not None and (
        getattr(result, "KIND", kind) != kind or getattr(result, "pk", document.pk) != document.pk
    ):
        messages.success(request, f"{label}: {result.number} created from {document.number}.")
        return redirect(result)
    messages.success(request, f"{label}: done.")
    return redirect(document)
