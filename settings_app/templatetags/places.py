"""``{% place "name" %}``: the sections other apps registered for a place of this page."""

from django import template
from django.utils.safestring import mark_safe

from settings_app import places

register = template.Library()


@register.simple_tag(takes_context=True)
def place(context, name: str):
    """Render each section as ``{% include %}`` would, with its own context on top."""
    html = []
    for section in places.sections(name):
        extra = section.context(context["request"]) if section.context else {}
        with context.push(extra):
            html.append(context.template.engine.get_template(section.template).render(context))
    return mark_safe("".join(html))  # noqa: S308  # nosec B308 B703 — rendered with autoescaping
