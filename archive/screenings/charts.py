"""Server-drawn SVG charts for the impact page: no scripts, nothing for the CSP to block."""

from __future__ import annotations

from babel.numbers import format_percent
from flask_babel import gettext as _
from markupsafe import Markup, escape

from archive.i18n.formats import number
from archive.i18n.names import interface_locale

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 170
BAR_WIDTH = 360
COLOURS = ("#8a3b12", "#2f6f8f", "#7a7f87")


def bar_chart(title: str, rows: list[tuple[str, float]], unit: str = "") -> Markup:
    """Horizontal bars, one per (label, value), scaled to the largest value."""
    height = max(1, len(rows)) * (BAR_HEIGHT + GAP) + 30
    width = LABEL_WIDTH + BAR_WIDTH + 70
    largest = max((value for _, value in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold" fill="#1f2328">{escape(title)}</text>',
    ]
    if not rows:
        parts.append(f'<text x="0" y="44" font-size="13" fill="#5b6470">{escape(_("No reports in this period."))}</text>')
    for index, (label, value) in enumerate(rows):
        y = 30 + index * (BAR_HEIGHT + GAP)
        length = round(BAR_WIDTH * value / largest, 1)
        shown = str(label)[:26]
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" font-size="12" text-anchor="end" fill="#1f2328">{escape(shown)}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" fill="{COLOURS[0]}"/>')
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 16}" font-size="12" fill="#1f2328">{escape(number(value))}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def balance_chart(title: str, parts_: list[tuple[str, int]]) -> Markup:
    """One stacked bar showing each part's share, with a legend giving counts and percentages."""
    total = sum(value for _, value in parts_)
    width, height = LABEL_WIDTH + BAR_WIDTH + 70, 60 + len(parts_) * 20
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold" fill="#1f2328">{escape(title)}</text>',
    ]
    x = 0.0
    for index, (label, value) in enumerate(parts_):
        share = value / total if total else 0
        length = round((width - 10) * share, 1)
        svg.append(f'<rect x="{x}" y="26" width="{length}" height="{BAR_HEIGHT}" fill="{COLOURS[index % len(COLOURS)]}"/>')
        x += length
        y = 64 + index * 20
        svg.append(f'<rect x="0" y="{y - 11}" width="12" height="12" fill="{COLOURS[index % len(COLOURS)]}"/>')
        # Translators: a chart legend: a part of the audience, its head count and its share, e.g. "Women: 55 (55%)".
        legend = _("%(label)s: %(count)s (%(share)s)", label=label, count=number(value),
                   share=format_percent(share, locale=interface_locale()))
        svg.append(f'<text x="18" y="{y}" font-size="12" fill="#1f2328">{escape(legend)}</text>')
    svg.append("</svg>")
    return Markup("".join(svg))  # noqa: S704 - every text in it went through escape()
