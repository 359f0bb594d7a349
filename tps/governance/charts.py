"""Static, accessible SVG charts drawn at build time with pygal.

pygal embeds a <script> (tooltips) that a strict CSP blocks: the charts are
served as <img src="….svg"> (scripts in an image never run) and the script is
removed anyway. Each SVG gets a root <title> and <desc>, role="img", and a
stable id (pygal's is random), so a rebuild from the same data writes the same
bytes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html import escape

import pygal
from pygal.style import Style

FONT = 'system-ui, "Segoe UI", Roboto, Arial, sans-serif'
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b2330",
    foreground_strong="#091c33",
    foreground_subtle="#4a5566",
    colors=("#0f2b4c", "#b0201c", "#7a3b00", "#0b55a3", "#4a5566"),
    font_family=FONT,
    title_font_family=FONT,
    label_font_family=FONT,
    major_label_font_family=FONT,
    value_font_family=FONT,
    value_label_font_family=FONT,
    legend_font_family=FONT,
    tooltip_font_family=FONT,
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=13,
    stroke_width=3,
)


@dataclass(frozen=True)
class Chart:
    slug: str  # file name without .svg
    title: str
    description: str  # what the chart shows, in words (also the img alt)
    svg: str


def _finish(svg: str, slug: str, title: str, description: str) -> str:
    svg = re.sub(r"<script\b.*?</script>", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<!--Generated with pygal[^>]*-->", "", svg)
    chart_id = re.search(r'id="(chart-[0-9a-f-]+)"', svg)
    if chart_id:
        svg = svg.replace(chart_id.group(1), f"chart-{slug}")
    opening = re.search(r"<svg\b[^>]*>", svg)
    assert opening, "pygal output without <svg>"
    tag = opening.group().replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{slug}-title {slug}-desc" ',
        1,
    )
    head = (
        f'<title id="{slug}-title">{escape(title)}</title>'
        f'<desc id="{slug}-desc">{escape(description)}</desc>'
    )
    return svg[: opening.start()] + tag + head + svg[opening.end() :]


def _config(chart_class, title: str, **extra):
    return chart_class(
        js=[],
        title=title,
        style=STYLE,
        width=760,
        height=380,
        show_legend=False,
        dots_size=4,
        margin=16,
        truncate_label=-1,
        print_values=False,
        **extra,
    )


def line_chart(
    slug: str,
    title: str,
    description: str,
    points: list[tuple[dt.date, float]],
    y_title: str,
    *,
    y_max: float | None = None,
) -> Chart:
    chart = _config(
        pygal.Line,
        title,
        y_title=y_title,
        x_label_rotation=0,
        show_minor_x_labels=False,
        range=(0, y_max) if y_max else None,
        include_x_axis=True,
    )
    labels = [day.strftime("%b %-d") for day, _ in points]
    chart.x_labels = labels
    # label every ~4th point so phone-width images stay readable
    step = max(1, len(labels) // 6)
    chart.x_labels_major = labels[::step]
    chart.add(title, [value for _, value in points])
    svg = chart.render(is_unicode=True)
    return Chart(slug, title, description, _finish(svg, slug, title, description))


def bar_chart(
    slug: str,
    title: str,
    description: str,
    bars: list[tuple[str, float]],
    y_title: str,
) -> Chart:
    chart = _config(pygal.Bar, title, y_title=y_title, include_x_axis=True)
    chart.x_labels = [label for label, _ in bars]
    chart.add(title, [value for _, value in bars])
    svg = chart.render(is_unicode=True)
    return Chart(slug, title, description, _finish(svg, slug, title, description))
