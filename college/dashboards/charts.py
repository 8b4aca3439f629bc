"""Server-rendered SVG charts: readable in black and white, with values written on the bars.

Each chart is an image with a title for screen readers; the page puts the same figures in a
table next to it.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import format_decimal
from markupsafe import Markup, escape

BAR = 26
GAP = 10
LABEL_WIDTH = 210
PLOT_WIDTH = 300
VALUE_WIDTH = 70
# Solid dark and hatched fills tell two series apart without colour.
PATTERNS = """<defs><pattern id="hatch-{id}" width="6" height="6" patternUnits="userSpaceOnUse"
 patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>
<line x1="0" y1="0" x2="0" y2="6" stroke="#1b1b1b" stroke-width="3"/></pattern></defs>"""


#: Characters of a label line that fit in LABEL_WIDTH at 14 px (DejaVu Sans, the widest we use).
LABEL_CHARS = 26


def _label_lines(label: str, lines: int = 2) -> list[str]:
    """The label wrapped at spaces into at most `lines` lines that fit left of the bars."""
    words = str(label).split()
    wrapped: list[str] = []
    for word in words:
        while len(word) > LABEL_CHARS:  # a word longer than a line is cut, as a last resort
            wrapped.append(word[:LABEL_CHARS - 1] + "-")
            word = word[LABEL_CHARS - 1:]
        if wrapped and len(wrapped[-1]) + 1 + len(word) <= LABEL_CHARS and not wrapped[-1].endswith("-"):
            wrapped[-1] += " " + word
        else:
            wrapped.append(word)
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][:LABEL_CHARS - 1].rstrip() + "…"
    return wrapped or [""]


def _label(label: str, middle: float, **attributes: str) -> str:
    """A right-aligned label of one or two lines, centred on `middle` (the bar's middle)."""
    lines = _label_lines(label)
    first = middle + 5 - 8 * (len(lines) - 1)
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in attributes.items())
    spans = "".join(
        f'<tspan x="{LABEL_WIDTH - 8}" y="{first + 16 * index:.1f}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return f'<text text-anchor="end" font-size="14"{extra}>{spans}</text>'


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    number = format_decimal(value, "0.#") if isinstance(value, float) else str(value)
    return f"{number}{unit}"


def bar_chart(
    chart_id: str,
    title: str,
    items: Sequence[tuple[str, float | None]],
    *,
    maximum: float | None = None,
    unit: str = "",
) -> Markup:
    """Horizontal bars, one per item, labelled on the left and valued on the right."""
    values = [value or 0 for _, value in items]
    top = maximum or max(values, default=0) or 1
    height = max(len(items), 1) * (BAR + GAP) + GAP
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for index, (label, value) in enumerate(items):
        y = GAP + index * (BAR + GAP)
        length = 0 if not value else max(PLOT_WIDTH * value / top, 2)
        parts.append(
            _label(label, y + BAR / 2, fill="#1b1b1b")
            + f'<rect x="{LABEL_WIDTH}" y="{y}" width="{PLOT_WIDTH}" height="{BAR}" fill="#fff" '
            f'stroke="#767676"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR}" fill="#1b1b1b"/>'
            f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 8}" y="{y + BAR * 0.7}" font-size="14" '
            f'fill="#1b1b1b">{escape(_fmt(value, unit))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704 # noqa: S704 - every value in it went through escape()


def paired_bar_chart(
    chart_id: str,
    title: str,
    items: Sequence[tuple[str, float, float]],
    legend: tuple[str, str],
) -> Markup:
    """Two bars per label (solid and hatched), for a trend of two figures per month."""
    top = max([max(a, b) for _, a, b in items], default=0) or 1
    row = 2 * BAR + GAP
    legend_height = 30
    height = legend_height + max(len(items), 1) * row + GAP
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        PATTERNS.format(id=chart_id),
        f'<rect x="{LABEL_WIDTH}" y="4" width="18" height="18" fill="#1b1b1b"/>'
        f'<text x="{LABEL_WIDTH + 24}" y="18" font-size="14">{escape(legend[0])}</text>'
        f'<rect x="{LABEL_WIDTH + 150}" y="4" width="18" height="18" fill="url(#hatch-{chart_id})" '
        f'stroke="#1b1b1b"/>'
        f'<text x="{LABEL_WIDTH + 174}" y="18" font-size="14">{escape(legend[1])}</text>',
    ]
    for index, (label, first, second) in enumerate(items):
        y = legend_height + index * row
        parts.append(_label(label, y + BAR))
        for offset, value, fill in ((0, first, "#1b1b1b"), (BAR, second, f"url(#hatch-{chart_id})")):
            length = 0 if not value else max(PLOT_WIDTH * value / top, 2)
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + offset}" width="{length:.1f}" height="{BAR - 2}" '
                f'fill="{fill}" stroke="#1b1b1b"/>'
                f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 8}" y="{y + offset + BAR * 0.7}" '
                f'font-size="14">{escape(_fmt(value, ""))}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704 # noqa: S704 - every value in it went through escape()
