"""EB05 of a product's reactions against time, drawn as an SVG picture on the server (no script, no library).

One line per reaction: its EB05 at each run's data cut-off. The highlighted reaction (the signal's,
or the product's highest) also shows its EBGM as a dashed line inside its EB05–EB95 band. A dashed
horizontal line marks the EB05 threshold the latest run applied. The picture has a title and a
description for screen readers; the page puts the same numbers in a table beside it.

Coordinates: x is linear in days between the first and the last cut-off; y is linear from 0 to a
rounded maximum (1, 2, 2.5 or 5 times a power of ten, at most five steps) above every value drawn.
"""

import datetime as dt
import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from medreg.core.scoping import Scope
from medreg.vigilance.signal_tables import Series, finished_runs, product_keys_of, product_series, threshold_of

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 170, 16, 56
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
PALETTE = ("#c0392b", "#0b5cab", "#1e8449", "#8e44ad", "#b9770e", "#5f6b7a")
LABEL_CHARACTERS = 18
MAX_DATE_LABELS = 8
LABEL_GAP = 14
DATE_LABEL_WIDTH = 70
STYLE = (
    "<style>.axis{stroke:#5f6b7a;stroke-width:1}.grid{stroke:#e3e8ee;stroke-width:1}"
    ".threshold{stroke:#1d2733;stroke-width:1.5;stroke-dasharray:6 4}.band{fill-opacity:.15}"
    ".ebgm{fill:none;stroke-width:1.5;stroke-dasharray:3 3}.eb05{fill:none;stroke-width:2}"
    "text{font:12px system-ui,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;fill:#1d2733}"
    ".tick{fill:#5f6b7a}.end{font-weight:600}</style>"
)


def nice_scale(value: float) -> tuple[float, float]:
    """(maximum, step) of the value axis: the step 1, 2, 2.5 or 5 × 10^k, at most five steps, the maximum
    the first multiple of the step at or above `value` (1 in steps of 0.2 for nothing to draw)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0, 0.2
    power = 10.0 ** math.floor(math.log10(value / 5))
    for factor in (1, 2, 2.5, 5, 10):
        step = round(factor * power, 10)
        if step * 5 >= value:
            return round(step * math.ceil(round(value / step, 9)), 10), step
    raise AssertionError("a factor of 10 always covers the value")  # pragma: no cover


def ticks(maximum: float, step: float) -> list[float]:
    """The value axis' ticks from 0 to the maximum."""
    return [round(step * i, 10) for i in range(round(maximum / step) + 1)]


class Frame:
    """Maps dates and values to picture coordinates (rounded to 0.1 px)."""

    def __init__(self, dates: Sequence[dt.date], maximum: float, step: float) -> None:
        self.first, self.last = min(dates), max(dates)
        self.span = (self.last - self.first).days
        self.maximum, self.step = maximum, step

    def x(self, day: dt.date) -> float:
        if self.span == 0:
            return round(LEFT + PLOT_WIDTH / 2, 1)
        return round(LEFT + PLOT_WIDTH * (day - self.first).days / self.span, 1)

    def y(self, value: float) -> float:
        return round(TOP + PLOT_HEIGHT * (1 - min(value, self.maximum) / self.maximum), 1)


def render(series: list[Series], *, threshold: float | None, highlight: str = "", title: str, plot_id: str) -> str:
    """The whole picture as an `<svg>` element (UTF-8 text, safe to inline in a page)."""
    dates = sorted({p.as_of for s in series for p in s.points})
    if not dates:
        return _empty(title, plot_id)
    chosen = next((s for s in series if s.reaction_key == highlight), series[0])
    values = [p.eb05 for s in series for p in s.points if p.eb05 is not None]
    values += [v for p in chosen.points for v in (p.ebgm, p.eb95) if v is not None]
    frame = Frame(dates, *nice_scale(max([*values, (threshold or 0) * 1.25, 0.0])))
    ordered = [chosen, *(s for s in series if s is not chosen)]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" role="img" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-labelledby="{plot_id}-title {plot_id}-desc" data-testid="signal-plot">',
        f'<title id="{plot_id}-title">{escape(title)}</title>',
        f'<desc id="{plot_id}-desc">{escape(describe(ordered, threshold))}</desc>',
        STYLE,
        *_axes(frame, dates),
        *_threshold(frame, threshold),
        *_band(frame, chosen, PALETTE[0]),
        *(_line(frame, s, PALETTE[i % len(PALETTE)], y) for i, (s, y) in enumerate(_labelled(frame, ordered))),
        "</svg>",
    ]
    return "\n".join(parts)


def describe(series: list[Series], threshold: float | None) -> str:
    """One sentence per reaction: its first and latest EB05 (the description screen readers read)."""
    sentences = []
    if threshold is not None:
        sentences.append(_("Threshold: EB05 at least %(value)s.") % {"value": _format(threshold)})
    for s in series:
        known = [p for p in s.points if p.eb05 is not None]
        if known:
            sentences.append(
                _("%(reaction)s: EB05 %(first)s on %(start)s, %(last)s on %(end)s.")
                % {
                    "reaction": s.reaction_key,
                    "first": _format(known[0].eb05),
                    "start": known[0].as_of.isoformat(),
                    "last": _format(known[-1].eb05),
                    "end": known[-1].as_of.isoformat(),
                }
            )
    return " ".join(sentences)


def _axes(frame: Frame, dates: list[dt.date]) -> list[str]:
    bottom, right = TOP + PLOT_HEIGHT, LEFT + PLOT_WIDTH
    parts = []
    for value in ticks(frame.maximum, frame.step):
        y = frame.y(value)
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{y}" x2="{right}" y2="{y}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4}" text-anchor="end">{_format(value)}</text>')
    for day in dates:
        x = frame.x(day)
        parts.append(f'<line class="axis" x1="{x}" y1="{bottom}" x2="{x}" y2="{bottom + 4}"/>')
    for day in _labelled_dates(frame, dates):
        parts.append(
            f'<text class="tick" x="{frame.x(day)}" y="{bottom + 18}" text-anchor="middle">{day.isoformat()}</text>'
        )
    parts += [
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}"/>',
        f'<text x="{LEFT + PLOT_WIDTH / 2}" y="{HEIGHT - 8}" text-anchor="middle">{escape(_("Data cut-off"))}</text>',
        f'<text x="14" y="{TOP + PLOT_HEIGHT / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {TOP + PLOT_HEIGHT / 2})">EB05 / EBGM</text>',
    ]
    return parts


def _labelled_dates(frame: Frame, dates: list[dt.date]) -> list[dt.date]:
    """Every k-th date (at most MAX_DATE_LABELS) and the last one, none closer than DATE_LABEL_WIDTH."""
    every = max(1, math.ceil(len(dates) / MAX_DATE_LABELS))
    chosen: list[dt.date] = []
    for index, day in enumerate(dates):
        if index % every and index != len(dates) - 1:
            continue
        if chosen and frame.x(day) - frame.x(chosen[-1]) < DATE_LABEL_WIDTH:
            if index != len(dates) - 1:
                continue
            chosen.pop()  # the last cut-off is the one to read
        chosen.append(day)
    return chosen


def _threshold(frame: Frame, threshold: float | None) -> list[str]:
    if threshold is None:
        return []
    y = frame.y(threshold)
    label = escape(_("threshold EB05 ≥ %(value)s") % {"value": _format(threshold)})
    return [
        f'<line class="threshold" x1="{LEFT}" y1="{y}" x2="{LEFT + PLOT_WIDTH}" y2="{y}" '
        'data-testid="plot-threshold"/>',
        f'<text x="{LEFT + 4}" y="{y - 4}">{label}</text>',
    ]


def _band(frame: Frame, series: Series, colour: str) -> list[str]:
    """The EB05–EB95 band and the EBGM line of the highlighted reaction."""
    known = [p for p in series.points if p.eb05 is not None and p.eb95 is not None and p.ebgm is not None]
    if not known:
        return []
    upper = [f"{frame.x(p.as_of)},{frame.y(p.eb95)}" for p in known]  # type: ignore[arg-type]
    lower = [f"{frame.x(p.as_of)},{frame.y(p.eb05)}" for p in reversed(known)]  # type: ignore[arg-type]
    ebgm = " ".join(f"{frame.x(p.as_of)},{frame.y(p.ebgm)}" for p in known)  # type: ignore[arg-type]
    return [
        f'<polygon class="band" fill="{colour}" points="{" ".join(upper + lower)}" data-testid="plot-band"/>',
        f'<polyline class="ebgm" stroke="{colour}" points="{ebgm}" data-testid="plot-ebgm"/>',
    ]


def _labelled(frame: Frame, series: list[Series]) -> list[tuple[Series, float]]:
    """Each series with the y of its end label, pushed apart so that labels never overlap."""
    ends = [next((frame.y(p.eb05) for p in reversed(s.points) if p.eb05 is not None), 0.0) for s in series]
    order = sorted(range(len(series)), key=lambda i: (ends[i], i))
    placed: dict[int, float] = {}
    floor = -math.inf
    for i in order:
        placed[i] = max(ends[i] + 4, floor + LABEL_GAP)
        floor = placed[i]
    return [(s, round(placed[i], 1)) for i, s in enumerate(series)]


def _line(frame: Frame, series: Series, colour: str, label_y: float) -> str:
    known = [p for p in series.points if p.eb05 is not None]
    if not known:
        return ""
    points = " ".join(f"{frame.x(p.as_of)},{frame.y(p.eb05)}" for p in known)  # type: ignore[arg-type]
    dots = "".join(
        f'<circle cx="{frame.x(p.as_of)}" cy="{frame.y(p.eb05)}" r="3" fill="{colour}">'  # type: ignore[arg-type]
        f"<title>{escape(series.reaction_key)} {p.as_of.isoformat()}: EB05 {_format(p.eb05)}</title></circle>"
        for p in known
    )
    end = known[-1]
    name = series.reaction_key
    name = name if len(name) <= LABEL_CHARACTERS else name[: LABEL_CHARACTERS - 1] + "…"
    return (
        f'<g class="series" data-reaction="{escape(series.reaction_key)}">'
        f'<polyline class="eb05" stroke="{colour}" points="{points}" data-testid="plot-eb05"/>{dots}'
        f'<text class="end" x="{frame.x(end.as_of) + 6}" y="{label_y}" fill="{colour}">{escape(name)}</text></g>'
    )


def _empty(title: str, plot_id: str) -> str:
    text = escape(_("No signal run has measured this product yet."))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" role="img" width="{WIDTH}" height="60" '
        f'viewBox="0 0 {WIDTH} 60" aria-labelledby="{plot_id}-title" data-testid="signal-plot">'
        f'<title id="{plot_id}-title">{escape(title)}</title>'
        f'<text x="12" y="34">{text}</text></svg>'
    )


def _format(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.3g}"


# -- what the pages show: the picture with its numbers ------------------------------------------


def product_plots(scope: Scope, approval_number: str) -> list[dict[str, object]]:
    """The plot of each product key (per family and jurisdiction) the runs matched to a registry product."""
    plots = []
    for index, (product_key, family, path) in enumerate(product_keys_of(scope, approval_number), 1):
        series = product_series(scope, product_keys=[product_key], family=family, jurisdiction_path=path)
        highlight = series[0].reaction_key if series else ""
        plots.append(
            plot_context(
                scope,
                series,
                product_key=product_key,
                highlight=highlight,
                family=family,
                path=path,
                plot_id=f"plot-{index}",
            )
        )
    return plots


def plot_context(
    scope: Scope, series: list[Series], *, product_key: str, highlight: str, family: str, path: str, plot_id: str
) -> dict[str, object]:
    """The picture, its series (for the table beside it) and the threshold of the latest run it draws from."""
    latest = finished_runs(scope, family).filter(jurisdiction_path=path).first()
    threshold = threshold_of(latest)
    title = _("EB05 of %(product)s's adverse reactions over the signal runs") % {"product": product_key}
    svg = render(series, threshold=threshold, highlight=highlight, title=title, plot_id=plot_id)
    return {
        "svg": mark_safe(svg),  # noqa: S308 - every text in the picture is escaped by signal_plots
        "series": series,
        "product_key": product_key,
        "highlight": highlight,
        "threshold": threshold,
        "title": title,
    }
