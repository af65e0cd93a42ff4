"""Charts drawn on the server as SVG with pygal: no script, no CDN, and CSP-clean.

pygal writes a stylesheet and a configuration script into each SVG. The script is left out
(the charts need no interaction: each has a table of its figures), the stylesheet carries the
page's CSP nonce, and the one inline ``style`` attribute pygal writes (on its tooltip) is
dropped. The SVG is an image with a title and a description (``role="img"``,
``aria-labelledby``), and the figure under it holds the same numbers as a table.
"""

import re

import pygal
from django.middleware.csp import get_nonce
from django.utils.html import escape
from django.utils.safestring import mark_safe
from pygal.style import Style

STYLE = Style(
    background="transparent",
    plot_background="#ffffff",
    foreground="#1d2430",
    foreground_strong="#1d2430",
    foreground_subtle="#5b6575",
    opacity="1",
    opacity_hover="1",
    colors=("#1f4e8c", "#c26a00", "#136128", "#b3261e", "#6b4fa0"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
    value_font_size=13,
)

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def chart_svg(figures, request) -> str:
    """The figures as an accessible SVG, safe to put in the page."""
    if figures.line:
        kind = pygal.Line
    elif figures.stacked:
        kind = pygal.StackedBar
    else:
        kind = pygal.Bar
    chart = kind(
        style=STYLE,
        js=[],
        disable_xml_declaration=True,
        width=720,
        height=360,
        legend_at_bottom=True,
        legend_at_bottom_columns=min(len(figures.series), 4) or 1,
        show_legend=len(figures.series) > 1,
        x_label_rotation=-35 if len(figures.labels) > 8 else 0,
        print_values=False,
        include_x_axis=True,
        show_minor_x_labels=True,
        margin=12,
        y_title=figures.unit or None,
        no_data_text="Nothing yet",
        dots_size=4,
    )
    chart.x_labels = figures.labels
    if figures.unit in {"orders", "deliveries"}:  # counts: whole-number ticks only
        top = max((v or 0 for _, values in figures.series for v in values), default=0)
        if figures.stacked:
            top = max(
                (sum(v[i] or 0 for _, v in figures.series) for i in range(len(figures.labels))),
                default=0,
            )
        step = max(1, -(-int(top) // 8))
        chart.y_labels = list(range(0, int(top) + step + 1, step))
    for name, values in figures.series:
        chart.add(name, values)
    svg = chart.render(is_unicode=True)
    ident = f"chart-{figures.key}"
    svg = _SCRIPT.sub("", svg)
    svg = svg.replace(' style="opacity: 0"', "")
    nonce = get_nonce(request)
    svg = svg.replace('<style type="text/css">', f'<style nonce="{escape(nonce)}">', 1)
    svg = svg.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{ident}-title {ident}-desc" focusable="false" ',
        1,
    )
    title = f'<title id="{ident}-title">{escape(figures.title)}</title>'
    desc = f'<desc id="{ident}-desc">{escape(figures.description)}</desc>'
    if "</defs>" in svg:
        svg = svg.replace("</defs>", f"</defs>{title}{desc}", 1)
    else:  # pragma: no cover — pygal always writes <defs>
        svg = re.sub(r"(<svg[^>]*>)", rf"\1{title}{desc}", svg, count=1)
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703 — pygal escapes labels, we escape the rest


def chart_context(request, figures_list) -> list[dict]:
    return [{"figures": f, "svg": chart_svg(f, request)} for f in figures_list]
