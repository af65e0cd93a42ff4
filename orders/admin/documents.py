"""Documents and lines in the admin: records the read-only rule protects show read-only,
computed fields show read-only, and the document actions run through the services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import models as django_models
from django.utils.html import format_html, format_html_join

from orders import models, selectors, services
from orders.admin.base import DomainErrorsMixin, ReadOnlyAdmin, money_display, owner_name
from orders.models import HEADER_TOTALS, LINE_COMPUTED
from orders.rules import can_edit
from orders.selectors import totals_difference
from orders.services.common import visible_to
from orders.services.guards import transitions_for
from orders.templatetags.sop import provenance, provenance_short
from settings_app.errors import DomainError


def _say_rows(conflict) -> str:
    return "; ".join(
        f"{row.label}: saved {row.stored}"
        + (f", yours {row.yours}" if row.yours else " (not changed by you: it stays)")
        for row in conflict.rows
    )


class LineProductSelect(AutocompleteSelect):
    """The product box of an inline row: shows the row's own product (read with the line)
    without a query per row; any other value is looked up as Django does."""

    known = None

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        known = self.known
        if known is None or selected != {str(known.pk)}:
            return super().optgroups(name, value, attr)
        default = (None, [], 0)
        if not self.is_required:
            default[1].append(self.create_option(name, "", "", False, 0))
        label = self.choices.field.label_from_instance(known)
        default[1].append(self.create_option(name, known.pk, label, selected, len(default[1])))
        return [default]


class LineAdminForm(forms.ModelForm):
    """A product line in the document's change page carries the document's version it was
    opened at, as the header does (docs/rules.md#edit-conflicts): a stale save keeps what
    someone else changed on the line meanwhile and writes only the user's changes; when someone
    else changed a line the user changed or deletes, the line shows both and asks again."""

    opened_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    NOT_VALUES = frozenset({"id", "document", "DELETE", "ORDER", "opened_version"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.keeps_stored = False  # nothing of the user's to write: the line is not saved
        self.delete_conflict = None
        if self.instance.pk and not self.is_bound:
            self.initial["opened_version"] = self.instance.document.version
        product = self.fields.get("product")
        widget = getattr(product, "widget", None)
        widget = getattr(widget, "widget", widget)  # inside the related-object wrapper
        if isinstance(widget, LineProductSelect) and self.instance.product_id:
            widget.known = self.instance.product

    def has_changed(self):
        return not self.keeps_stored and super().has_changed()

    def clean(self):
        data = super().clean()
        opened = data.get("opened_version")
        line = self.instance
        if line.pk is None or opened is None:
            return data
        document = line.document
        if opened == document.version:
            return data
        shown = [name for name in self.fields if name not in self.NOT_VALUES and name in data]
        attempted = {name: data[name] for name in shown}
        conflict = selectors.line_edit_conflict(document, line, version=opened, attempted=attempted)
        # The form shows the stored line with the user's changes over it, at the current
        # version: someone else's values stand, and saving again applies the user's.
        self.data = self.data.copy()
        for name in shown:
            value = conflict.mine.get(name, getattr(line, name))
            data[name] = value
            self.data[self.add_prefix(name)] = self.fields[name].prepare_value(
                value.pk if hasattr(value, "pk") else value
            )
        self.data[self.add_prefix("opened_version")] = document.version
        changed_by_others = any(row.changed_by_others for row in conflict.rows)
        if data.get("DELETE"):
            if changed_by_others:
                self.delete_conflict = conflict  # the formset refuses (a deleted form's
            return data  # own errors are not looked at)
        if not conflict.mine:
            self.keeps_stored = True
            return data
        if not conflict.rows:
            return data
        raise ValidationError(
            f"Line {line.line_number} was changed by someone else since you opened it. "
            f"{_say_rows(conflict)}. The line now holds the saved values with your changes: "
            "save again to apply them, or leave the page to discard them."
        )


class LineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        gone = [
            form
            for form in self.initial_forms
            if "id" in form.errors and not self._should_delete_form(form)
        ]
        if gone:
            raise ValidationError(
                "A product line on this page was removed by someone else since you opened it, "
                "so nothing was saved. Leave the page and open it again to see the lines as "
                "they are now."
            )
        refused = [form for form in self.forms if getattr(form, "delete_conflict", None)]
        if refused:
            raise ValidationError(
                [
                    f"Line {form.instance.line_number} was changed by someone else since you "
                    f"opened it, so it was not deleted. {_say_rows(form.delete_conflict)}. "
                    "Save again to delete it, or leave the page to keep it."
                    for form in refused
                ]
            )


class LineInline(admin.TabularInline):
    form = LineAdminForm
    formset = LineFormSet
    extra = 0
    autocomplete_fields = ["product"]
    fields = [
        "line_number",
        "product",
        "write_in_product",
        "unit",
        "quantity",
        "price_per_unit",
        "is_price_overridden",
        "volume_discount_amount_money",
        "base_amount_money",
        "manual_discount_amount",
        "tax",
        "extended_amount_money",
        "price_provenance",
        "opened_version",
    ]
    readonly_fields = [
        "line_number",
        *(f"{name}_money" for name in LINE_COMPUTED),
        "price_provenance",
    ]
    # Narrow number boxes keep the whole line on the screen.
    formfield_overrides = {
        django_models.DecimalField: {"widget": forms.TextInput(attrs={"size": "9"})},
        django_models.CharField: {"widget": forms.TextInput(attrs={"size": "16"})},
    }

    volume_discount_amount_money = money_display(
        "volume_discount_amount", "Volume discount", through="document"
    )
    base_amount_money = money_display("base_amount", "Amount", through="document")
    extended_amount_money = money_display("extended_amount", "Extended amount", through="document")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document__currency", "product")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # one query for every row's boxes, not one per row
        if db_field.name == "product":
            kwargs["widget"] = LineProductSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "unit" and field is not None:
            field.choices = list(field.choices)
        return field

    @admin.display(description="Price from")
    def price_provenance(self, obj):
        """A short tag; the whole sentence is on the record page's line."""
        return provenance_short(obj.pricing) or "—"

    def _editable(self, request, obj) -> bool:
        return obj is None or can_edit(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_delete_permission(request, obj)


def _name(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _transition_action(name: str, label: str, perm: str):
    def run(modeladmin, request, queryset):
        done, refused = 0, []
        for document in queryset:
            try:
                services.perform(name, actor=request.user, document=document)
            except (DomainError, ValidationError) as error:
                message = error.message if isinstance(error, DomainError) else error.messages[0]
                refused.append(f"{document.number}: {message}")
            else:
                done += 1
        if done:
            modeladmin.message_user(request, f"{label}: {done} done.", messages.SUCCESS)
        for line in refused:
            modeladmin.message_user(request, f"{label} refused — {line}", messages.ERROR)

    run.__name__ = f"action_{name}"
    run.short_description = f"{label} (selected)"
    run.transition_perm = perm  # offered only to roles that have it; the domain guards anyway
    return run


def transition_actions(kind: str) -> list:
    """Admin actions for the transitions that need no extra input."""
    return [
        _transition_action(t.name, t.label, t.perm)
        for t in transitions_for(kind)
        if not t.reasons and not t.needs_text
    ]


class DocumentAdminForm(forms.ModelForm):
    """The admin's document form carries the version it was opened at: a save posted after
    someone else's keeps their values and shows the user's changes beside the saved ones
    (docs/rules.md#edit-conflicts); saving again applies them."""

    opened_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["opened_version"] = self.instance.version

    def clean(self):
        data = super().clean()
        opened = data.get("opened_version")
        document = self.instance
        if document.pk is None or opened is None or opened == document.version:
            return data
        shown = [name for name in self.fields if name != "opened_version" and name in data]
        attempted = {name: data[name] for name in shown}
        conflict = selectors.header_edit_conflict(document, version=opened, attempted=attempted)
        for name in shown:
            if name not in conflict.mine:
                data[name] = getattr(document, name)  # someone else's value stands
        if not conflict.rows:
            return data
        # Show the saved values with the user's changes over them, at the current version:
        # saving again applies them; leaving the page discards them.
        self.data = self.data.copy()
        for name in shown:
            value = conflict.mine.get(name, getattr(document, name))
            self.data[self.add_prefix(name)] = self.fields[name].prepare_value(value)
        self.data[self.add_prefix("opened_version")] = document.version
        raise ValidationError(
            f"This {document._meta.verbose_name} was changed by someone else since you opened "
            f"it. {_say_rows(conflict)}. The form now holds the saved values with your "
            "changes: save again to apply them, or leave the page to discard them."
        )


class DocumentAdmin(DomainErrorsMixin, admin.ModelAdmin):
    form = DocumentAdminForm
    list_display = [
        "number",
        "name",
        "account",
        "state",
        "status_reason",
        "total_amount_money",
        owner_name,
    ]
    list_filter = ["state", "status_reason", "currency"]
    list_select_related = ["account", "owner", "currency"]
    search_fields = ["number", "name", "account__name"]
    date_hierarchy = "modified_on"
    autocomplete_fields = ["account", "owner"]
    exclude = HEADER_TOTALS  # shown read-only at the currency's precision (the *_money fields)
    computed = [
        "number",
        "state",
        "status_reason",
        *(f"{name}_money" for name in HEADER_TOTALS),
        "totals_check",
        "provenance",
        "version",
        "created_on",
        "created_by",
        "modified_on",
        "modified_by",
    ]

    def get_queryset(self, request):
        # a salesperson's own documents, as at every other door
        return visible_to(request.user, super().get_queryset(request))

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        def offered(func) -> bool:
            perm = getattr(func, "transition_perm", None)
            return perm is None or request.user.has_perm(perm)

        actions = super().get_actions(request, action_location)
        return {name: action for name, action in actions.items() if offered(action.func)}

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not can_edit(request.user, obj):
            # read-only by the domain's rule: show every field, change none
            hidden = {"id", "pricing", *HEADER_TOTALS}
            return [f.name for f in self.model._meta.fields if f.name not in hidden] + [
                *(f"{name}_money" for name in HEADER_TOTALS),
                "totals_check",
                "provenance",
            ]
        return [name for name in self.computed if name != "number" or obj is not None]

    def has_change_permission(self, request, obj=None):
        # a record the read-only rule protects opens in the admin's view mode: no Save
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj))

    total_line_item_amount_money = money_display("total_line_item_amount", "Detail amount")
    total_line_item_discount_amount_money = money_display(
        "total_line_item_discount_amount", "Line discounts"
    )
    total_discount_amount_money = money_display("total_discount_amount", "Total discount")
    total_amount_less_freight_money = money_display(
        "total_amount_less_freight", "Pre-freight amount"
    )
    total_tax_money = money_display("total_tax", "Total tax")
    total_amount_money = money_display("total_amount", "Total amount")

    @admin.display(description="Totals and lines")
    def totals_check(self, obj):
        """The record page's warning, here too: stored totals that disagree with the lines."""
        if obj is None or obj.pk is None:
            return "—"
        difference = totals_difference(obj)
        if not difference:
            return "The totals are the sum of the lines."
        places = obj.currency.precision
        return f"Totals differ from the sum of the lines by {difference:,.{places}f}."

    @admin.display(description="How the totals were made")
    def provenance(self, obj):
        return provenance(obj.pricing) or "—"


@admin.register(models.Opportunity)
class OpportunityAdmin(DocumentAdmin):
    inlines = [type("OpportunityLineInline", (LineInline,), {"model": models.OpportunityLine})]
    actions = transition_actions("opportunity")


@admin.register(models.Quote)
class QuoteAdmin(DocumentAdmin):
    inlines = [type("QuoteLineInline", (LineInline,), {"model": models.QuoteLine})]
    autocomplete_fields = [*DocumentAdmin.autocomplete_fields, "opportunity"]
    list_select_related = [*DocumentAdmin.list_select_related, "opportunity"]
    actions = transition_actions("quote")


@admin.register(models.SalesOrder)
class SalesOrderAdmin(DocumentAdmin):
    inlines = [type("SalesOrderLineInline", (LineInline,), {"model": models.SalesOrderLine})]
    autocomplete_fields = [*DocumentAdmin.autocomplete_fields, "quote", "opportunity"]
    list_display = [*DocumentAdmin.list_display, "submitted_on", "is_price_locked"]
    list_filter = [*DocumentAdmin.list_filter, "is_price_locked"]
    computed = [
        *DocumentAdmin.computed,
        "is_price_locked",
        "submitted_on",
        "submitted_by",
    ]
    actions = transition_actions("salesorder")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "change_requests_shown"] if obj is not None else fields

    @admin.display(description="Change requests")
    def change_requests_shown(self, obj):
        """The order's change requests, read-only: made and answered through the domain (the
        record page, the API), never typed in here."""
        requests = list(obj.change_requests.select_related("requested_by", "answered_by"))
        if not requests:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{request.requested_on:%Y-%m-%d %H:%M}",
                    _name(request.requested_by),
                    request.note,
                    request.get_state_display(),
                    " ".join(
                        part
                        for part in (
                            request.decline_reason,
                            f"({_name(request.answered_by)}, {request.answered_on:%Y-%m-%d %H:%M})"
                            if request.answered_on
                            else "",
                        )
                        if part
                    )
                    or "—",
                )
                for request in requests
            ),
        )
        return format_html(
            "<table><thead><tr><th>Requested</th><th>By</th><th>Note</th><th>State</th>"
            "<th>Answer</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )


@admin.register(models.ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    """Change requests are made and answered through the domain; the admin only shows them."""

    list_display = ["order", "requested_on", "state", "note"]
    list_filter = ["state"]
    list_select_related = ["order"]
    search_fields = ["order__number", "note", "decline_reason"]
    readonly_fields = [
        "order",
        "note",
        "requested_by",
        "requested_on",
        "state",
        "decline_reason",
        "answered_on",
        "answered_by",
    ]

    def get_queryset(self, request):
        return visible_to(request.user, super().get_queryset(request), owner="order__owner")


@admin.register(models.Invoice)
class InvoiceAdmin(DocumentAdmin):
    inlines = [type("InvoiceLineInline", (LineInline,), {"model": models.InvoiceLine})]
    autocomplete_fields = [*DocumentAdmin.autocomplete_fields, "sales_order"]
    list_display = [*DocumentAdmin.list_display, "sales_order", "is_price_locked"]
    list_select_related = [*DocumentAdmin.list_select_related, "sales_order"]
    computed = [*DocumentAdmin.computed, "is_price_locked"]
    actions = transition_actions("invoice")


class LineAdmin(DomainErrorsMixin, admin.ModelAdmin):
    form = LineAdminForm  # a line's own change page is compared as the inline rows are
    list_display = [
        "document",
        "line_number",
        "product",
        "write_in_product",
        "quantity",
        "price_per_unit",
        "extended_amount",
    ]
    list_select_related = ["document", "product"]
    search_fields = ["document__number", "product__number", "product__name", "write_in_product"]
    list_filter = ["is_price_overridden"]
    readonly_fields = ["line_number", *LINE_COMPUTED, "price_provenance"]
    autocomplete_fields = ["product"]
    raw_id_fields = ["document"]

    @admin.display(description="Price from")
    def price_provenance(self, obj):
        return provenance(obj.pricing) or "—"

    def get_queryset(self, request):
        return visible_to(request.user, super().get_queryset(request), owner="document__owner")

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj.document))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj.document))


for _line_model in models.LINE_MODELS.values():
    admin.site.register(_line_model, LineAdmin)
