"""Record pages: header, product lines (edited in place with htmx), totals, commands, timeline.

Views translate; the domain decides. Whether a record is editable, which commands show and
whether they are allowed come from ``orders.selectors``; writes go through
``orders.services``. A ``DomainError`` becomes a message next to the command or a form error.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from orders import selectors, services
from orders.forms import ActionForm, DocumentHeaderForm, LineForm
from orders.integration.health import order_back_office_chips
from orders.reports.timeline import document_timeline
from orders.services import documents as document_services
from orders.views import steps
from orders.views.kinds import kind_context
from orders.views.rows import RowWriter, line_sums, row_values
from orders.views.team import reassign_context
from settings_app.errors import DomainError
from settings_app.models import Organization

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


PEOPLE = ("modified_by", "submitted_by")  # shown on the page; the owner comes joined


def load_document(request, kind: str, pk: int):
    """The document if the user may see it (404 otherwise: hidden records are not hinted at).

    The people the page names come without more joins (PostgreSQL took 11 ms to plan the
    ten-table join, a hundred times what it took to run it): the owner, who is usually also
    the one who last changed it, and anyone else in one more query."""
    if not request.user.has_perm(f"orders.view_{kind}"):
        raise PermissionDenied
    # documents_for joins account, owner, currency and price list; the related document (an
    # order's quote, …) is read when the page shows it, if there is one
    document = get_object_or_404(selectors.documents_for(request.user, kind), pk=pk)
    people = [name for name in PEOPLE if hasattr(type(document), name)]
    known = {document.owner_id: document.owner, request.user.pk: request.user}
    ids = {getattr(document, f"{name}_id") for name in people} - {None} - set(known)
    if ids:
        known.update(get_user_model().objects.in_bulk(ids))
    for name in people:
        person = known.get(getattr(document, f"{name}_id"))
        if person is not None:
            setattr(document, name, person)
    return document


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
    confirm_line_id=None,
    action_error=None,
    conflict=None,
    line_conflict=None,
) -> dict:
    user, kind = request.user, document.KIND
    read_only = selectors.read_only_reason(user, document)
    editable = not read_only
    organization = Organization.of_request(request)
    hand_entry = selectors.document_hand_entry(user, document, organization)
    rows = list(row_values(document.lines.all()))
    actions = selectors.document_actions(
        user, document, has_lines=bool(rows), organization=organization
    )
    if editable and header_form is None:
        header_form = DocumentHeaderForm.for_kind(
            kind, instance=document, hand_entry=hand_entry.header
        )
    if editable and line_form is None:
        line_form = LineForm(hand_entry=hand_entry.lines)
    # One line may show as a form (edit) or as a question (remove?); the others are written
    # as plain rows (orders.views.rows), before and after it.
    special = edit_line_id if editable and edit_line_id else None
    special = special or (confirm_line_id if editable else None)
    index = next((i for i, row in enumerate(rows) if row[0] == special), None)
    if special and index is None:
        raise Http404
    special_line = load_row_line(document, special) if index is not None else None
    if edit_line_id and special_line is not None and edit_form is None:
        edit_form = LineForm(line=special_line, hand_entry=hand_entry.lines)
    writer = RowWriter(
        document, editable=editable, price_places=organization.pricing_decimal_precision
    )
    context = {
        **kind_context(kind),
        "document": document,
        "doc": document,
        "has_lines": bool(rows),
        "rows_before": writer.rows(rows[:index] if index is not None else rows),
        "rows_after": writer.rows(rows[index + 1 :] if index is not None else []),
        "line": special_line,
        "editable": editable,
        "read_only": read_only,
        "hand_entry": hand_entry,
        "header_form": header_form,
        "line_form": line_form,
        "edit_form": edit_form if edit_line_id else None,
        "confirm": bool(confirm_line_id) and special_line is not None,
        "actions": actions,
        "unavailable_actions": [a for a in actions if not attr(a, "allowed")],
        "action_error": action_error,
        "conflict": conflict,
        "line_conflict": line_conflict if special_line is not None else None,
        "line_conflict_form": f"line-form-{edit_line_id}" if line_conflict else "",
        "precision": document.currency.precision,
        "totals_difference": selectors.totals_difference(document, line_sums(rows)),
    }
    context.update(reassign_context(user, document, editable=editable))
    if kind == "salesorder":
        context["sync"] = order_back_office_chips([document]).get(document.pk)
        # a request shows while the order is submitted (an order that leaves Submitted
        # answers its open request)
        if document.state == "submitted":
            context["change_request"] = selectors.latest_change_request(document)
    return context


def price_places() -> int:
    return Organization.load().pricing_decimal_precision


def render_record(request, document, status=200, *, with_timeline=False, **kwargs):
    """The whole page. The timeline (ten queries of history) comes by itself right after the
    page (htmx, ``hx-trigger="load"``); without JavaScript its link opens the page with it."""
    context = record_context(request, document, **kwargs)
    context["timeline"] = document_timeline(document) if with_timeline else None
    return render(request, TEMPLATE, context, status=status)


def render_row(
    request,
    document,
    line,
    *,
    edit_form=None,
    confirm=False,
    changed=False,
    added=False,
    removed=None,
    add_form=None,
):
    """One line's row, and with ``changed`` what a line change alters elsewhere, swapped out of
    band: totals (with the version the header form sends), command bar, timeline, and after an
    add the add form. The response does not grow with the order's other lines.

    ``line`` None with ``removed``: the row goes (or the "no products" row takes its place).
    """
    user = request.user
    document.refresh_from_db()
    editable = selectors.user_can_edit(user, document)
    context = {
        **kind_context(document.KIND),
        "document": document,
        "doc": document,
        "editable": editable,
        "line": line,
        "edit_form": edit_form,
        "confirm": confirm,
        "precision": document.currency.precision,
        "oob": changed,
        "added": added,
        "removed": removed,
    }
    if line is not None and edit_form is None and not confirm:
        writer = RowWriter(document, editable=editable, price_places=price_places())
        context["row"] = writer.rows(row_values(document.lines.filter(pk=line.pk)))
    if changed:
        some = len(document.lines.values_list("pk", flat=True)[:2])  # none, one or more
        has_lines = bool(some)
        context["only_line"] = some == 1
        actions = selectors.document_actions(user, document, has_lines=has_lines)
        context.update(
            has_lines=has_lines,
            actions=actions,
            unavailable_actions=[a for a in actions if not attr(a, "allowed")],
            totals_difference=selectors.totals_difference(document),
            timeline=document_timeline(document),
        )
        if added or add_form is not None:
            hand_entry = selectors.document_hand_entry(user, document)
            context["line_form"] = add_form or LineForm(hand_entry=hand_entry.lines)
    return render(request, f"{TEMPLATE}#line_change", context)


def render_add_form(request, document, form):
    """The add form with its errors, in place of the add form (htmx is told where)."""
    context = {
        **kind_context(document.KIND),
        "doc": document,
        "document": document,
        "line_form": form,
        "editable": True,
        "oob": False,
    }
    response = render(request, f"{TEMPLATE}#add_line", context)
    return reswap(retarget(response, "#add-line"), "outerHTML")


def render_lines(request, document, **kwargs):
    """The whole lines section (a whole-table refresh), command bar and timeline out of band.
    It replaces the section whatever element asked (a row's form targets its row)."""
    document.refresh_from_db()
    context = record_context(request, document, **kwargs)
    context["oob"] = True
    context["timeline"] = document_timeline(document)
    response = render(request, f"{TEMPLATE}#lines", context)
    return reswap(retarget(response, "#lines"), "outerHTML")


def load_row_line(document, line_id: int):
    return get_object_or_404(document.lines.select_related("product", "unit"), pk=line_id)


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
    hand_entry = selectors.document_hand_entry(request.user, document)
    form = DocumentHeaderForm.for_kind(
        kind, request.POST, instance=document, hand_entry=hand_entry.header
    )
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
                    kind,
                    instance=document,
                    initial_changes=_initial(conflict.mine),
                    hand_entry=hand_entry.header,
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
def timeline(request, kind: str, pk: int):
    """The timeline of a record: the fragment for htmx, else the page with it in place."""
    document = load_document(request, kind, pk)
    if not request.htmx:
        return render_record(request, document, with_timeline=True)
    context = {"timeline": document_timeline(document), "doc": document}
    return render(request, f"{TEMPLATE}#timeline", context)


@login_required
@require_http_methods(["GET", "POST"])
def lines(request, kind: str, pk: int):
    """GET: the lines section. POST: add a line (htmx: the new row and the totals)."""
    document = load_document(request, kind, pk)
    if request.method == "GET":
        if not request.htmx:
            return redirect(document)
        return render_lines(request, document)
    hand_entry = selectors.document_hand_entry(request.user, document)
    form = LineForm(request.POST, hand_entry=hand_entry.lines)
    if form.is_valid():
        try:
            line = document_services.line_add(
                actor=request.user, document=document, **form.service_values()
            )
        except (DomainError, ValidationError) as error:
            add_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, "Product added.")
                return redirect(document)
            line = load_row_line(document, line.pk)
            return render_row(request, document, line, changed=True, added=True)
    if not request.htmx:
        return render_record(request, document, line_form=form)
    return render_add_form(request, document, form)


@login_required
@require_http_methods(["GET", "POST"])
def line_detail(request, kind: str, pk: int, line_id: int):
    """GET: this line as a form (``?show=row``: as a row again). POST: save the line."""
    document = load_document(request, kind, pk)
    line = load_row_line(document, line_id)
    hand_entry = selectors.document_hand_entry(request.user, document)
    if request.method == "GET":
        if not request.htmx:
            return render_record(request, document, edit_line_id=line.pk)
        if request.GET.get("show") == "row" or not selectors.user_can_edit(request.user, document):
            return render_row(request, document, line)
        form = LineForm(line=line, hand_entry=hand_entry.lines)
        return render_row(request, document, line, edit_form=form)
    form = LineForm(request.POST, line=line, hand_entry=hand_entry.lines)
    if form.is_valid():
        values = form.service_values()
        expected = form.cleaned_data.get("expected_version")
        if expected is not None and expected != document.version:
            # docs/rules.md#edit-conflicts, as for the header
            conflict = selectors.line_edit_conflict(
                document, line, version=expected, attempted=form.attempted_values()
            )
            if conflict.rows:
                merged = LineForm(
                    line=line, hand_entry=hand_entry.lines, initial_changes=_initial(conflict.mine)
                )
                if not request.htmx:
                    return render_record(
                        request,
                        document,
                        edit_form=merged,
                        edit_line_id=line.pk,
                        line_conflict=conflict,
                    )
                # the conflict is shown above the table: the whole lines section, not the row
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
            line = load_row_line(document, line.pk)
            return render_row(request, document, line, changed=bool(values))
    if not request.htmx:
        return render_record(request, document, edit_form=form, edit_line_id=line.pk)
    return render_row(request, document, line, edit_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def line_delete(request, kind: str, pk: int, line_id: int):
    """GET: ask (the row becomes the question; without htmx, on the whole page).
    POST: remove the line (htmx: the row goes, the totals follow)."""
    document = load_document(request, kind, pk)
    line = load_row_line(document, line_id)
    if request.method == "GET":
        if not selectors.user_can_edit(request.user, document):
            return redirect(document) if not request.htmx else render_row(request, document, line)
        if not request.htmx:
            return render_record(request, document, confirm_line_id=line.pk)
        return render_row(request, document, line, confirm=True)
    error = None
    try:
        document_services.line_delete(actor=request.user, line=line)
    except DomainError as refused:
        error = refused.message
    said = f"Line {line.line_number} ({line.write_in_product or line.product.name}) removed."
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, said)
        return redirect(document)
    if error:
        return render_lines(request, document, action_error=error)
    return render_row(request, document, None, changed=True, removed=said)


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
    skipped = getattr(result, "recalculation_skipped", "")
    if skipped:
        messages.warning(request, f"{label} skipped: {skipped}")
        return redirect(document)
    messages.success(request, f"{label}: done.")
    return redirect(document)
