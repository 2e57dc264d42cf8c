"""Charts as inline SVG, drawn on the server: stacked bars over time, horizontal bars and a
share out of 100%.

Every label is escaped here (the markup is returned as `Markup`, so templates insert it as
it is). Each chart is an image with a summary for screen readers (`role="img"`,
`aria-label`); its page puts the numbers in a table beside it. Colours come from the
Okabe-Ito palette, which stays distinguishable with the common colour-vision differences,
and every value is also written as a number, so no reading depends on colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

# Okabe-Ito, darkest first where it matters, then a few greys for more series.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#5b5b5b",
    "#a6a6a6",
)
INK = "#1d2a33"
WHITE = "#ffffff"
BLACK = "#000000"
GRID = "#d5dbe0"
FONT = 'font-family="system-ui, sans-serif"'


@dataclass(frozen=True)
class Series:
    """One stacked series: its name and a value for each category."""

    name: str
    values: Sequence[float]


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two `#rrggbb` colours."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour(background: str) -> str:
    """The page's ink, black or white: the first of them that reads well on `background`
    (4.5:1), else whichever reads best."""
    choices = (INK, BLACK, WHITE)
    for colour in choices:
        if contrast(colour, background) >= 4.5:
            return colour
    return max(choices, key=lambda colour: contrast(colour, background))


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _svg(width: int, height: int, summary: str, body: list[str]) -> Markup:
    label = _text(summary)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{label}" {FONT}>'
        f"<title>{label}</title>{''.join(body)}</svg>"
    )


def stacked_bars(
    *, summary: str, categories: Sequence[str], series: Sequence[Series], unit: str = ""
) -> Markup:
    """Vertical bars, one per category, each stacked from its series' values; each segment
    tall enough shows its value, each bar its total above it, and a legend names the series
    in stacking order (bottom first)."""
    count = max(len(categories), 1)
    slot = 48
    left, top, bottom = 36, 24, 40
    legend_rows = (len(series) + 1) // 2
    plot_height = 200
    width = left + slot * count + 12
    width = max(width, 360)
    height = top + plot_height + bottom + legend_rows * 22 + 8
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    peak = max([*totals, 1])
    scale = plot_height / peak
    base = top + plot_height
    body = [
        f'<line x1="{left}" y1="{base}" x2="{width - 6}" y2="{base}" stroke="{INK}"/>',
        f'<text x="{left - 6}" y="{base + 4}" text-anchor="end" font-size="12" '
        f'fill="{INK}">0</text>',
        f'<line x1="{left}" y1="{top}" x2="{width - 6}" y2="{top}" stroke="{GRID}"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="12" '
        f'fill="{INK}">{_number(peak)}</text>',
    ]
    for i, category in enumerate(categories):
        x = left + slot * i + 8
        bar = slot - 16
        y = float(base)
        for j, one in enumerate(series):
            value = one.values[i]
            if value <= 0:
                continue
            colour = PALETTE[j % len(PALETTE)]
            height_px = value * scale
            y -= height_px
            body.append(
                f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{height_px:.1f}" '
                f'fill="{colour}" stroke="{WHITE}" stroke-width="1">'
                f"<title>{_text(category)}: {_text(one.name)} {_number(value)}{_text(unit)}</title>"
                "</rect>"
            )
            if height_px >= 15:
                body.append(
                    f'<text x="{x + bar / 2}" y="{y + height_px / 2 + 4:.1f}" '
                    f'text-anchor="middle" font-size="11" fill="{text_colour(colour)}">'
                    f"{_number(value)}</text>"
                )
        if totals[i]:
            body.append(
                f'<text x="{x + bar / 2}" y="{y - 4:.1f}" text-anchor="middle" '
                f'font-size="12" font-weight="700" fill="{INK}">{_number(totals[i])}</text>'
            )
        # A period's label in two short lines ("Dec" over "2026"), so neighbours never touch.
        lines = "".join(
            f'<tspan x="{x + bar / 2}" dy="{0 if n == 0 else 13}">{_text(part)}</tspan>'
            for n, part in enumerate(category.split(" ", 1))
        )
        body.append(
            f'<text x="{x + bar / 2}" y="{base + 15}" text-anchor="middle" font-size="11" '
            f'fill="{INK}">{lines}</text>'
        )
    legend_top = base + bottom
    column = (width - left) // 2
    for j, one in enumerate(series):
        lx = left + column * (j % 2)
        ly = legend_top + 22 * (j // 2)
        body.append(
            f'<rect x="{lx}" y="{ly - 11}" width="14" height="14" '
            f'fill="{PALETTE[j % len(PALETTE)]}" stroke="{INK}" stroke-width="0.5"/>'
            f'<text x="{lx + 20}" y="{ly + 1}" font-size="12" fill="{INK}">'
            f"{j + 1}. {_text(one.name)}</text>"
        )
    return _svg(width, height, summary, body)


def bars(
    *,
    summary: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    unit: str = "",
    colour: str = PALETTE[0],
    missing: str = "none",
) -> Markup:
    """Horizontal bars, one per label, each with its value written after it (`missing`
    where a value is None)."""
    row = 30
    label_width, plot_width, right = 150, 260, 70
    width = label_width + plot_width + right
    height = row * max(len(labels), 1) + 12
    peak = max([*(v for v in values if v is not None), 1])
    body = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 6 + row * i
        length = plot_width * value / peak if value is not None and value > 0 else 0
        written = missing if value is None else f"{_number(value)}{unit}"
        body.append(
            f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{_text(label)}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="{row - 10}" '
            f'fill="{colour}"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 18}" font-size="13" '
            f'font-weight="700" fill="{INK}">{_text(written)}</text>'
        )
    body.append(
        f'<line x1="{label_width}" y1="4" x2="{label_width}" y2="{height - 4}" stroke="{INK}"/>'
    )
    return _svg(width, height, summary, body)


def share(*, summary: str, label: str, value: float | None) -> Markup:
    """One share out of 100% as a filled bar, with the percentage written beside it (or
    'not yet known')."""
    width, height = 480, 64
    plot_width = 340
    filled = plot_width * min(max(value or 0.0, 0.0), 1.0)
    words = "not yet known" if value is None else f"{round(value * 100)}%"
    body = [
        f'<text x="0" y="16" font-size="13" fill="{INK}">{_text(label)}</text>',
        f'<rect x="0" y="26" width="{plot_width}" height="26" fill="{WHITE}" '
        f'stroke="{INK}" stroke-width="1"/>',
        f'<rect x="0" y="26" width="{filled:.1f}" height="26" fill="{PALETTE[0]}"/>',
        f'<text x="{plot_width + 10}" y="45" font-size="16" font-weight="700" '
        f'fill="{INK}">{_text(words)}</text>',
    ]
    return _svg(width, height, summary, body)
