"""Small server-rendered SVG charts for the reports: no JavaScript, no inline styles.

Each chart is one ``<svg role="img">`` element labelled by its ``<title>`` and ``<desc>``; the
``<desc>`` spells out every value, so a screen reader (or a browser without SVG) gets the
whole chart as text. `data_table` gives the same values as an HTML table for a visible
fallback. Shapes carry class names (``chart-bar``, ``chart-axis``, ``chart-label``…) for the
site's CSS and presentation attributes (``fill="currentColor"``) so they show without it.

Every piece of text goes through ``format_html``, so titles and labels typed by users are
escaped; the functions return safe strings ready for templates.
"""

from __future__ import annotations

import uuid

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"
MAX_LABEL_CHARS = 48  # longer bar labels are shortened on the chart (kept whole in <desc>)


def _chart_id(chart_id: str | None) -> str:
    return chart_id or f"chart-{uuid.uuid4().hex[:10]}"


def _num(value: float) -> str:
    """A coordinate without float noise: 12.0 → "12", 12.345678 → "12.35"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _join(parts: list[SafeString]) -> SafeString:
    # Every part is already the output of format_html: joining them keeps them safe.
    return mark_safe("".join(parts))


def _shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _svg(
    *, chart_id: str, kind: str, width: int, height: int, title: str, desc: str, body
) -> SafeString:
    return format_html(
        '<svg xmlns="{ns}" class="chart chart-{kind}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" width="{w}" '
        'height="{h}" preserveAspectRatio="xMinYMin meet" font-size="12" '
        'font-family="sans-serif">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<g aria-hidden="true">{body}</g></svg>',
        ns=SVG_NS,
        kind=kind,
        id=chart_id,
        w=width,
        h=height,
        title=title,
        desc=desc,
        body=body,
    )


def histogram_svg(
    bins: list[int],
    labels: list[str],
    *,
    title: str,
    x_label: str = "Score (%)",
    y_label: str = "Learners",
    chart_id: str | None = None,
) -> SafeString:
    """Vertical bars, one per bin, each with its count above it and its label below."""
    if len(bins) != len(labels):
        raise ValueError("histogram_svg needs one label per bin.")
    chart_id = _chart_id(chart_id)
    left, right, top, bottom = 44, 8, 20, 44
    slot = 44
    width = left + right + slot * max(len(bins), 1)
    height = 220
    plot_h = height - top - bottom
    base = top + plot_h
    peak = max(bins, default=0) or 1
    parts: list[SafeString] = [
        # Axes.
        format_html(
            '<line class="chart-axis" x1="{x}" y1="{y0}" x2="{x}" y2="{y1}" '
            'stroke="currentColor"/>',
            x=left,
            y0=top,
            y1=base,
        ),
        format_html(
            '<line class="chart-axis" x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" '
            'stroke="currentColor"/>',
            x0=left,
            x1=width - right,
            y=base,
        ),
        # Axis labels.
        format_html(
            '<text class="chart-axis-label" x="{x}" y="{y}" text-anchor="middle">{text}</text>',
            x=_num(left + (width - left - right) / 2),
            y=height - 6,
            text=x_label,
        ),
        format_html(
            '<text class="chart-axis-label" x="12" y="{y}" text-anchor="middle" '
            'transform="rotate(-90 12 {y})">{text}</text>',
            y=_num(top + plot_h / 2),
            text=y_label,
        ),
        format_html(
            '<text class="chart-tick" x="{x}" y="{y}" text-anchor="end">{peak}</text>',
            x=left - 4,
            y=top + 4,
            peak=max(bins, default=0),
        ),
        format_html(
            '<text class="chart-tick" x="{x}" y="{y}" text-anchor="end">0</text>',
            x=left - 4,
            y=base,
        ),
    ]
    for index, (count, label) in enumerate(zip(bins, labels, strict=True)):
        bar_h = plot_h * max(count, 0) / peak
        x = left + slot * index + 4
        parts.append(
            format_html(
                '<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}" '
                'fill="currentColor" fill-opacity="0.7"/>'
                '<text class="chart-value" x="{cx}" y="{ty}" text-anchor="middle">{count}</text>'
                '<text class="chart-label" x="{cx}" y="{ly}" text-anchor="middle" '
                'font-size="10">{label}</text>',
                x=_num(x),
                y=_num(base - bar_h),
                w=slot - 8,
                h=_num(bar_h),
                cx=_num(x + (slot - 8) / 2),
                ty=_num(base - bar_h - 4),
                ly=base + 14,
                count=count,
                label=label,
            )
        )
    desc = "; ".join(f"{label}: {count}" for label, count in zip(labels, bins, strict=True))
    return _svg(
        chart_id=chart_id,
        kind="histogram",
        width=width,
        height=height,
        title=title,
        desc=f"{y_label} per {x_label.lower()} band — {desc}." if bins else "No data yet.",
        body=_join(parts),
    )


def _format_value(value: float, max_value: float) -> str:
    if max_value == 1.0:
        return f"{round(100 * value)}%"
    return f"{value:g}"


def bar_svg(
    values: list[tuple[str, float]],
    *,
    title: str,
    max_value: float = 1.0,
    chart_id: str | None = None,
    highlight: set[int] | frozenset[int] = frozenset(),
    highlight_note: str = "",
) -> SafeString:
    """Horizontal bars (label above, value to the right), e.g. facility or choice shares.

    Values run from 0 to `max_value` (clamped); with `max_value` 1.0 they show as percents.
    Rows whose index is in `highlight` (say, the correct choice) get the ``chart-bar-key``
    class as well, and with `highlight_note` (say, "right answer") their label ends with it in
    brackets, on the chart and in its ``<desc>``: the highlight never rests on colour alone.
    """
    if max_value <= 0:
        raise ValueError("max_value must be positive.")
    if any(isinstance(i, bool) or not isinstance(i, int) for i in highlight):
        raise TypeError("highlight takes row indices (0 = first value), not labels.")
    note = f" ({highlight_note})" if highlight_note else ""

    def marked(index: int, label: str, limit: int | None = None) -> str:
        """The label (shortened to `limit` with its note, if given), the note if highlighted."""
        extra = note if index in highlight else ""
        if limit is not None:
            label = _shorten(label, limit - len(extra))
        return label + extra

    chart_id = _chart_id(chart_id)
    left, bar_w, value_w, row_h = 8, 320, 48, 34
    width = left + bar_w + value_w
    height = max(len(values), 1) * row_h + 8
    parts: list[SafeString] = []
    for index, (label, value) in enumerate(values):
        y = 8 + index * row_h
        length = bar_w * min(max(value, 0.0), max_value) / max_value
        css = "chart-bar chart-bar-key" if index in highlight else "chart-bar"
        parts.append(
            format_html(
                '<text class="chart-label" x="{x}" y="{ty}">{label}</text>'
                '<rect class="chart-track" x="{x}" y="{by}" width="{track}" height="12" '
                'fill="currentColor" fill-opacity="0.1"/>'
                '<rect class="{css}" x="{x}" y="{by}" width="{w}" height="12" '
                'fill="currentColor" fill-opacity="0.7"/>'
                '<text class="chart-value" x="{vx}" y="{vy}">{value}</text>',
                x=left,
                ty=y + 10,
                by=y + 14,
                track=bar_w,
                w=_num(length),
                css=css,
                vx=left + bar_w + 6,
                vy=y + 24,
                label=marked(index, label, MAX_LABEL_CHARS),
                value=_format_value(value, max_value),
            )
        )
    desc = "; ".join(
        f"{marked(index, label)}: {_format_value(value, max_value)}"
        for index, (label, value) in enumerate(values)
    )
    return _svg(
        chart_id=chart_id,
        kind="bars",
        width=width,
        height=height,
        title=title,
        desc=f"{desc}." if values else "No data yet.",
        body=_join(parts),
    )


def data_table(
    rows: list[tuple[str, object]], *, caption: str, headers: tuple[str, str] = ("", "Value")
) -> SafeString:
    """The chart's values as a small HTML table (a visible text fallback)."""
    return format_html(
        '<table class="chart-data"><caption>{caption}</caption><thead><tr>'
        '<th scope="col">{h0}</th><th scope="col">{h1}</th></tr></thead><tbody>{body}</tbody>'
        "</table>",
        caption=caption,
        h0=headers[0],
        h1=headers[1],
        body=format_html_join(
            "", '<tr><th scope="row">{}</th><td>{}</td></tr>', ((k, v) for k, v in rows)
        ),
    )
