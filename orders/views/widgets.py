"""Form widgets written in Python, for the record page's forms.

Django renders every widget through templates: an input is two (the input and its
attributes), a select one more per option. A record page has sixteen fields, and those
templates were a fifth of its time. ``FastWidgets`` writes the same HTML as Django's own
templates for the common widgets (inputs, checkboxes, selects, text areas) and hands any other
template to Django. tests/orders/views/test_widgets.py compares both outputs.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape


def _text(value) -> str:
    return conditional_escape(str(value))


def attributes(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"')
    return "".join(out)


def input_html(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}'
        f"{attributes(widget['attrs'])}>"
    )


OPTION = "django/forms/widgets/select_option.html"


def select_html(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None  # a widget of its own kind: Django's templates
            parts.append(
                f'\n  <option value="{_text(option["value"])}"{attributes(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"  # the option template ends a line
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def textarea_html(widget: dict) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    name = _text(widget["name"])
    return f'<textarea name="{name}"{attributes(widget["attrs"])}>\n{value}</textarea>'


WRITERS = {
    **{
        f"django/forms/widgets/{name}.html": input_html
        for name in ("text", "number", "email", "url", "date", "hidden", "checkbox", "password")
    },
    "django/forms/widgets/select.html": select_html,
    "django/forms/widgets/textarea.html": textarea_html,
}


class FastWidgets(DjangoTemplates):
    def render(self, template_name, context, request=None):
        writer = WRITERS.get(template_name)
        html = writer(context["widget"]) if writer is not None else None
        if html is None:
            return super().render(template_name, context, request)
        return html


FAST_WIDGETS = FastWidgets()
