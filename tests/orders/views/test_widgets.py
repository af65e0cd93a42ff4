"""The record page's forms write their widgets in Python (orders.views.widgets): the HTML is
Django's own, byte for byte, for every field of both forms, bound and unbound, with errors."""

from django.forms.renderers import DjangoTemplates

from orders.forms import DocumentHeaderForm, LineForm
from orders.views.widgets import FAST_WIDGETS

DJANGO = DjangoTemplates()


def both(form):
    fast = [str(field) for field in form]
    form.renderer = DJANGO
    return fast, [str(field) for field in form]


def test_every_widget_is_written_as_django_writes_it(salesperson, make_document, catalog):
    order = make_document("salesorder", salesperson, lines=1)
    line = order.lines.get()
    forms = [
        DocumentHeaderForm.for_kind("salesorder", instance=order),
        DocumentHeaderForm.for_kind("invoice", hand_entry=True),
        DocumentHeaderForm.for_kind(
            "quote", {"name": '<b>"x"</b> & y', "discount_amount": "abc"}, instance=order
        ),
        LineForm(),
        LineForm(line=line, hand_entry=True),
        LineForm({"new-quantity": "-1", "new-is_price_overridden": "on"}, hand_entry=True),
    ]
    for form in forms:
        form.is_bound and form.is_valid()
        assert form.renderer is FAST_WIDGETS
        fast, django = both(form)
        assert fast == django
    assert any("<select" in html for html in fast)


def test_other_widgets_fall_back_to_djangos_templates():
    from django import forms

    class Choices(forms.Form):
        default_renderer = FAST_WIDGETS
        pick = forms.MultipleChoiceField(
            choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
        )
        group = forms.ChoiceField(choices=[("G", [("1", "One")]), ("2", "Two")])

    form = Choices(initial={"pick": ["a"], "group": "1"})
    fast, django = both(form)
    assert fast == django and "<optgroup" in fast[1]


def test_the_lines_forms_fields_are_written_as_the_include_writes_them(salesperson, make_document):
    from django.template import engines

    order = make_document("salesorder", salesperson, lines=1)
    line = order.lines.get()
    engine = engines["django"]
    include = engine.from_string(
        '{% include "includes/field.html" with hide_label=hide wide=wide %}'
    )
    tag = engine.from_string("{% load sop %}{% form_field field hide_label=hide wide=wide %}")
    forms = [
        LineForm(),
        LineForm(line=line, hand_entry=True),
        LineForm({"new-quantity": "abc", "new-write_in_product": "<x>"}, hand_entry=True),
    ]
    for form in forms:
        form.is_bound and form.is_valid()
        for field in form:
            for hide in (False, True):
                for wide in (False, True):
                    context = {"field": field, "hide": hide, "wide": wide}
                    assert tag.render(context) == include.render(context), field.name
    assert forms[2]["quantity"].errors
