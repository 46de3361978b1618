"""Plotly figure builders. Each takes a query result and a language and returns a Figure with
the fixed palettes, units in the hover text and translated axis/legend labels."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .columns import REGISTRY, word
from .contract import PRICE_CLASSES
from .labels import class_label, t, vocab
from .metrics import cases, month_end, time_progress_pct
from .palettes import CHANGE_COLORS, CHANNEL_COLORS, CLASS_COLORS, PEER_BAND_COLORS, PROVINCIAL_COLORS, SERIES_COLORS, YEAR_COLORS
from .text import plotly_escape

FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def month_label(frame: pd.DataFrame) -> pd.Series:
    """YYYY-MM labels for a frame with year and month columns."""
    if frame.empty:
        return pd.Series([], dtype="string", index=frame.index)
    return frame["year"].astype(int).astype(str) + "-" + frame["month"].astype(int).map("{:02d}".format)


def _layout(fig: go.Figure, title: str | None, x: str | None, y: str | None, stacked: bool = False) -> go.Figure:
    fig.update_layout(
        title=title, barmode="stack" if stacked else None, hovermode="x unified",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        margin={"l": 10, "r": 10, "t": 60 if title else 30, "b": 10}, font={"family": FONT_FAMILY},
    )
    fig.update_xaxes(title=x)
    fig.update_yaxes(title=y)
    return fig


def with_title(fig: go.Figure, title: str) -> go.Figure:
    """A titled figure (for images and slides): the title above, the legend below it."""
    fig.update_layout(title={"text": plotly_escape(title), "y": 0.98, "yanchor": "top", "x": 0.01},
                      legend={"y": 1.0, "yanchor": "bottom"}, margin={"t": 110})
    return fig


def _wrap(note: str, width: int = 90) -> str:
    """Break a long " · "-separated note into lines of about `width` characters (Plotly does not wrap)."""
    lines: list[str] = []
    for part in note.split(" · "):
        if lines and len(lines[-1]) + len(part) + 3 <= width:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return "<br>".join(plotly_escape(line) for line in lines)


def for_export(fig: go.Figure, note: str, title: str | None = None) -> go.Figure:
    """A copy for a PNG that explains itself: light theme, larger type, the chart's title above and
    the scope, filters and data period written under the plot."""
    out = go.Figure(fig)
    apply_theme(out, "light", scale=1.4)
    if title:
        with_title(out, title)
    text = _wrap(note)
    rows = text.count("<br>") + 1
    out.add_annotation(text=text, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top", yshift=-100,
                       showarrow=False, align="left", font={"size": 16, "color": "#555"})
    out.update_layout(margin={"b": 120 + 24 * rows})  # below the tick labels and the axis title
    return out


def year_colors(year: int | None, compare_year: int | None) -> dict[str, str]:
    """The fixed colours of the two years a chart compares, keyed as the charts' year columns are (text)."""
    out = {}
    if compare_year is not None:
        out[str(compare_year)] = YEAR_COLORS["compare"]
    if year is not None:
        out[str(year)] = YEAR_COLORS["current"]
    return out


def _template(dark: bool) -> dict:
    """The parts of plotly_white / plotly_dark these charts use (traces carry their own colours)."""
    grid, line, ink = ("#283442", "#506784", "#F2F5FA") if dark else ("#EBF0F8", "#EBF0F8", "#2A3F5F")
    axis = {"gridcolor": grid, "linecolor": line, "zerolinecolor": grid, "automargin": True}
    background = "rgba(0,0,0,0)" if dark else "white"  # dark: the app's own background shows through
    return {"layout": {"font": {"color": ink}, "paper_bgcolor": background, "plot_bgcolor": background,
                       "colorway": list(SERIES_COLORS), "xaxis": axis, "yaxis": axis, "hoverlabel": {"align": "left"}}}


#: Small templates of our own: assigning one of Plotly's full templates is validated and copied on
#: every figure (about 13 ms each, more than building the figure), and a page draws up to eight.
TEMPLATES = {"light": go.layout.Template(_template(False)), "dark": go.layout.Template(_template(True))}


def apply_theme(fig: go.Figure, theme: str = "light", scale: float = 1.0) -> go.Figure:
    """Follow the app's light or dark theme; `scale` enlarges type for presenting."""
    fig.update_layout(template=TEMPLATES["dark" if theme == "dark" else "light"],
                      font={"family": FONT_FAMILY, "size": round(13 * scale)})
    return fig


def _category_months(fig: go.Figure, x: str) -> None:
    # "2019-01" labels stay as written (Plotly would otherwise parse them as dates in English)
    if x == "month":
        fig.update_xaxes(type="category")


def _x(frame: pd.DataFrame, x: str) -> pd.Series:
    return month_label(frame) if x == "month" else frame[x].astype(str).map(plotly_escape)


def _words(values: pd.Series, column: str, lang: str) -> pd.Series:
    """A column's values as a chart shows them: codes of a vocabulary column (area types …) in words,
    anything else (districts, brands, tiers) as itself, even when it is spelled like a code."""
    spec = REGISTRY.get(column)
    if spec is None or spec.kind != "vocabulary":
        return values.astype(str).map(plotly_escape)
    return values.map(lambda v: plotly_escape(word(spec.vocabulary, v, lang) or ""))


def class_bars(frame: pd.DataFrame, lang: str, x: str = "month", value: str = "cases", title: str | None = None) -> go.Figure:
    """Stacked class volumes (箱) or shares (%) per period or dimension, 一类 at the bottom."""
    fig = go.Figure()
    unit = t("unit_cases", lang) if value == "cases" else "%"
    for c in PRICE_CLASSES:
        part = frame[frame["price_class"] == c]
        if part.empty:
            continue
        fig.add_bar(
            x=_x(part, x), y=part[value], name=class_label(c, lang), marker_color=CLASS_COLORS[c],
            hovertemplate=f"%{{y:,.2f}} {unit}<extra>{class_label(c, lang)}</extra>",
        )
    y_label = t("volume_cases", lang) if value == "cases" else t("share_pct", lang)
    _category_months(fig, x)
    return _layout(fig, title, t(x, lang) if x != "month" else t("month", lang), y_label, stacked=True)


def class_share_area(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """100% stacked area of class shares by month."""
    fig = go.Figure()
    for c in PRICE_CLASSES:
        part = frame[frame["price_class"] == c]
        if part.empty:
            continue
        fig.add_scatter(
            x=month_label(part), y=part["share_pct"], name=class_label(c, lang), stackgroup="one", mode="lines",
            line={"color": CLASS_COLORS[c], "width": 0.5}, fillcolor=CLASS_COLORS[c],
            hovertemplate=f"%{{y:.2f}}%<extra>{class_label(c, lang)}</extra>",
        )
    _category_months(fig, "month")
    fig = _layout(fig, title, t("month", lang), t("share_pct", lang))
    fig.update_yaxes(range=[0, 100])
    return fig


def lines(frame: pd.DataFrame, lang: str, y: str, unit: str, series: str | None = None, x: str = "month",
          title: str | None = None, y_label: str | None = None, colors: dict | None = None,
          name: str | None = None) -> go.Figure:
    """One line per `series` value (or a single line named `name`: the scope it shows, a district or
    the company), hover in the given unit."""
    fig = go.Figure()
    groups = [(None, frame)] if series is None else list(frame.groupby(series, sort=True))
    for i, (key, part) in enumerate(groups):
        if key is None:
            label = plotly_escape(name) if name else t("all_districts", lang)
        else:
            label = plotly_escape(vocab("area", str(key), lang)) if series == "area_type" else plotly_escape(key)
        color = (colors or {}).get(key, SERIES_COLORS[i % len(SERIES_COLORS)])
        fig.add_scatter(x=_x(part, x), y=part[y], name=label, mode="lines+markers", line={"color": color},
                        hovertemplate=f"%{{y:,.2f}} {unit}<extra>{label}</extra>")
    _category_months(fig, x)
    return _layout(fig, title, t(x, lang), y_label or t(y, lang))


def bars(frame: pd.DataFrame, lang: str, x: str, y: str, unit: str, color: str | None = None, title: str | None = None,
         y_label: str | None = None, horizontal: bool = False, colors: dict | None = None, whole: bool = False,
         name: str | None = None) -> go.Figure:
    """Grouped bars: one trace per `color` value (years, area types …), or one trace named `name`.
    The tooltip names the bar's category and its series; `whole` numbers (counts) show no decimals."""
    fig = go.Figure()
    number = ",.0f" if whole else ",.2f"
    groups = [(None, frame)] if color is None else list(frame.groupby(color, sort=True))
    for i, (key, part) in enumerate(groups):
        label = plotly_escape(name or "") if key is None else plotly_escape(key)
        marker = (colors or {}).get(key, SERIES_COLORS[i % len(SERIES_COLORS)])
        xs, ys = _words(part[x], x, lang), part[y]
        if horizontal:
            fig.add_bar(y=xs, x=ys, name=label, orientation="h", marker_color=marker,
                        hovertemplate=f"%{{y}}: %{{x:{number}}} {unit}<extra>{label}</extra>")
        else:
            fig.add_bar(x=xs, y=ys, name=label, marker_color=marker,
                        hovertemplate=f"%{{x}}: %{{y:{number}}} {unit}<extra>{label}</extra>")
    fig = _layout(fig, title, None if horizontal else t(x, lang), y_label or t(y, lang))
    fig.update_layout(barmode="group", hovermode="closest")
    if horizontal:
        fig.update_yaxes(autorange="reversed", title=None)
        fig.update_xaxes(title=y_label or t(y, lang))
    return fig


def provincial_bars(frame: pd.DataFrame, lang: str, x: str = "month", title: str | None = None) -> go.Figure:
    """Stacked 省产 / 省外 volume per period or dimension."""
    fig = go.Figure()
    unit = t("unit_cases", lang)
    other = frame["cases"] - frame["provincial_cases"]
    for flag, values in ((True, frame["provincial_cases"]), (False, other)):
        name = vocab("provincial", flag, lang)
        fig.add_bar(x=_x(frame, x), y=values, name=name, marker_color=PROVINCIAL_COLORS[flag],
                    hovertemplate=f"%{{y:,.2f}} {unit}<extra>{name}</extra>")
    _category_months(fig, x)
    return _layout(fig, title, t(x, lang), t("volume_cases", lang), stacked=True)


def channel_bars(frame: pd.DataFrame, lang: str, x: str = "month", title: str | None = None) -> go.Figure:
    """Stacked volume ordered online and by other channels (phone, visits) per period."""
    fig = go.Figure()
    unit = t("unit_cases", lang)
    online = cases(frame["online_qty"])
    # 网上订货 is the channel's own word; the rest is phone and visits together (a UI label)
    for key, name, values in (("online", vocab("channel", "online", lang), online),
                              ("phone", t("offline", lang), cases(frame["qty"]) - online)):
        fig.add_bar(x=_x(frame, x), y=values, name=name, marker_color=CHANNEL_COLORS[key],
                    hovertemplate=f"%{{y:,.2f}} {unit}<extra>{name}</extra>")
    _category_months(fig, x)
    return _layout(fig, title, t(x, lang), t("volume_cases", lang), stacked=True)


def pace(frame: pd.DataFrame, lang: str, year: int, compare_year: int | None, title: str | None = None) -> go.Figure:
    """Cumulative volume as % of the compare year's whole year, month by month, for both years,
    beside the calendar's own progress (a dashed line from 31 January to 31 December, by days elapsed)."""
    fig = go.Figure()
    months = list(range(1, 13))
    ticks = [t("month_n", lang, m=m) for m in months]
    palette = year_colors(year, compare_year)
    for y in (y for y in (year, compare_year) if y is not None):
        part = frame[frame["year"] == y]
        fig.add_scatter(x=[ticks[m - 1] for m in part["month"]], y=part["progress_pct"], name=str(y), mode="lines+markers",
                        line={"color": palette[str(y)]}, customdata=part["cum_cases"],
                        hovertemplate=f"%{{y:.2f}}% · %{{customdata:,.2f}} {t('unit_cases', lang)}<extra>{y}</extra>")
    # the calendar at the same points as the year's own: the end of each month, and the as-of date
    # in an incomplete last month (queries.pace's time_pct), so a point above the line is ahead
    own = dict(zip(frame.loc[frame["year"] == year, "month"].astype(int), frame.loc[frame["year"] == year, "time_pct"],
                   strict=True)) if year is not None and "time_pct" in frame else {}
    calendar_pct = [own.get(m, time_progress_pct(month_end(year or 2001, m))) for m in months]
    fig.add_scatter(x=ticks, y=calendar_pct, name=t("time_progress", lang), mode="lines",
                    line={"color": "#999999", "dash": "dash"}, hovertemplate=f"%{{y:.2f}}%<extra>{t('time_progress', lang)}</extra>")
    axis = t("pace_axis", lang, year=compare_year) if compare_year is not None else t("progress_pct", lang)
    fig = _layout(fig, title, None, axis)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=ticks)
    return fig


def _ahead(m) -> str:
    """A measure's colour key: "good" when ahead of 时间进度 (a rate: at or above its target), else "bad"."""
    return "bad" if (m.gap or 0) < 0 else "good"


def _rate_text(m, unit: str, lang: str) -> str:
    """A rate panel's label: its actual and its target, in its unit ("85.66 元/条 · 任务 87.00")."""
    def num(v: float | None) -> str:
        return "—" if v is None else f"{v:,.2f}"

    sep = "" if unit == "%" else " "
    return f"{num(m.actual)}{sep}{unit} · {t('target', lang)} {num(m.target)}{sep}{unit}"


def progress_bullets(frame: pd.DataFrame, lang: str, year: int | None = None, title: str | None = None) -> go.Figure:
    """Progress against targets of one scope (analytics/progress.py's one-row frame): each additive
    measure's 完成率 as a bar beside 时间进度 (a dashed line); below, each rate measure (条均价, 网订率) as
    its actual against a target tick, in its own unit, both numbers written on it. A bar is red when
    behind time (a rate: below its target), green when ahead; the legend says so. Compact: it stands
    right under the KPI cards, where a reader sees it on the first screen."""
    from plotly.subplots import make_subplots

    from .progress import Progress

    if frame.empty:
        fig = go.Figure()
        fig.add_annotation(text=t("targets_none_for_year", lang, year=year), showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                           font={"size": 18})
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return _layout(fig, title, None, None)
    p = Progress.from_row(frame.iloc[0])
    added = [m for m in p.measures if not m.measure.rate]
    rates = [m for m in p.measures if m.measure.rate]
    rows = (1 if added else 0) + len(rates)
    fig = make_subplots(rows=rows, cols=1, row_heights=([len(added)] if added else []) + [1] * len(rates),
                        vertical_spacing=0.32 / rows if rows > 1 else 0.0)
    legend = {"bad": t("targets_behind", lang), "good": t("targets_ahead", lang)}
    shown: set[str] = set()  # each colour named once in the legend, wherever it first appears

    def bar(row: int, items: list, x: list, text: list[str], hover: str, customdata: list | None = None) -> None:
        names = [t(m.measure.label, lang) for m in items]
        for state in ("bad", "good"):
            idx = [i for i, m in enumerate(items) if _ahead(m) == state]
            if not idx:
                continue
            fig.add_bar(y=[names[i] for i in idx], x=[x[i] for i in idx], orientation="h", marker_color=CHANGE_COLORS[state],
                        name=legend[state], legendgroup=state, showlegend=state not in shown, legendrank=1 if state == "bad" else 2,
                        text=[text[i] for i in idx],
                        textposition="inside", insidetextanchor="start",  # clear of the 时间进度 line and the target tick
                        textfont={"color": "white"}, cliponaxis=False,
                        customdata=None if customdata is None else [customdata[i] for i in idx], hovertemplate=hover, row=row, col=1)
            shown.add(state)
        # the measures in their order (top to bottom), whichever colour each is
        fig.update_yaxes(categoryorder="array", categoryarray=names, autorange="reversed", row=row, col=1)

    row = 1
    if added:
        unit = t("unit_cases", lang)
        bar(1, added, [m.completion_pct for m in added],
            [f"{m.completion_pct:.2f}%" if m.completion_pct is not None else "—" for m in added],
            f"%{{y}}: %{{x:.2f}}% · %{{customdata[0]:,.2f}} / %{{customdata[1]:,.2f}} {unit}<extra></extra>",
            [[m.actual, m.target] for m in added])
        top = max([m.completion_pct or 0 for m in added] + [p.time_progress_pct or 0])
        fig.update_xaxes(range=[0, top * 1.12 or 1], ticksuffix="%", row=1, col=1)
        if p.time_progress_pct is not None:
            # the line named in the legend, beside the colours it explains (a label at its top would sit on the legend)
            line = {"color": "#666666", "dash": "dash", "width": 2}
            fig.add_vline(x=p.time_progress_pct, line=line, row=1, col=1)
            fig.add_scatter(x=[None], y=[None], mode="lines", line=line, hoverinfo="skip", legendrank=3,
                            name=plotly_escape(f"{t('time_progress', lang)} {p.time_progress_pct:.2f}%"), row=1, col=1)
        row = 2
    for i, m in enumerate(rates, start=row):
        unit = "%" if m.measure.unit == "%" else t(m.measure.unit, lang)
        bar(i, [m], [m.actual], [_rate_text(m, unit, lang)], f"%{{x:,.2f}} {unit}<extra>%{{y}} · {t('actual', lang)}</extra>")
        fig.add_scatter(y=[t(m.measure.label, lang)], x=[m.target], mode="markers", name=t("target", lang), legendgroup="target",
                        legendrank=4,
                        showlegend="target" not in shown,
                        marker={"symbol": "line-ns-open", "size": 30, "color": "#222222", "line": {"width": 3, "color": "#222222"}},
                        hovertemplate=f"%{{x:,.2f}} {unit}<extra>%{{y}} · {t('target', lang)}</extra>", row=i, col=1)
        shown.add("target")
        # the target tick inside the axis with room to spare, whichever is larger
        fig.update_xaxes(range=[0, max(m.actual or 0, m.target or 0) * 1.12 or 1], ticksuffix="%" if unit == "%" else None, row=i, col=1)
    fig = _layout(fig, title, None, None)
    fig.update_layout(hovermode="closest", height=110 + 40 * len(added) + 70 * len(rates), bargap=0.25,
                      margin={"l": 10, "r": 20, "t": 60 if title else 40, "b": 10})
    # the measures' names as large as the figures on the bars: read at a glance, not squinted at
    fig.update_yaxes(tickfont={"size": 14})
    fig.update_traces(textfont_size=14, selector={"type": "bar"})
    return fig


def target_months(frame: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Each month's volume (bars) against its monthly target (a line), from progress.monthly_vs_target."""
    fig = go.Figure()
    unit = t("unit_cases", lang)
    ticks = [t("month_n", lang, m=int(m)) for m in frame["month"]]
    fig.add_bar(x=ticks, y=frame["cases"], name=t("actual", lang), marker_color=YEAR_COLORS["current"],
                hovertemplate=f"%{{y:,.2f}} {unit}<extra>{t('actual', lang)}</extra>")
    if frame["volume_target_cases"].notna().any():
        fig.add_scatter(x=ticks, y=frame["volume_target_cases"], name=t("target", lang), mode="lines+markers",
                        line={"color": "#666666", "dash": "dash"}, hovertemplate=f"%{{y:,.2f}} {unit}<extra>{t('target', lang)}</extra>")
    fig = _layout(fig, title, None, t("volume_cases", lang))
    fig.update_xaxes(type="category")
    return fig


def small_multiples(frame: pd.DataFrame, lang: str, facet: str, y: str, unit: str, title: str | None = None,
                    cols: int = 4) -> go.Figure:
    """One small line chart per district (shared y axis), for the overview."""
    from plotly.subplots import make_subplots

    names = sorted(frame[facet].dropna().unique().tolist())
    rows = max(1, -(-len(names) // cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[plotly_escape(n) for n in names], shared_yaxes=True, vertical_spacing=0.12)
    for i, name in enumerate(names):
        part = frame[frame[facet] == name]
        safe = plotly_escape(name)
        fig.add_scatter(x=month_label(part), y=part[y], mode="lines", name=safe, showlegend=False,
                        line={"color": SERIES_COLORS[0]}, hovertemplate=f"%{{y:,.2f}} {unit}<extra>{safe}</extra>",
                        row=i // cols + 1, col=i % cols + 1)
    fig.update_layout(title=title, height=220 * rows + 60, margin={"l": 10, "r": 10, "t": 60, "b": 10},
                      font={"family": FONT_FAMILY})
    fig.update_xaxes(showticklabels=False)
    return fig


__all__ = ["year_colors", "class_bars", "class_share_area", "lines", "bars", "provincial_bars", "channel_bars", "small_multiples", "pace",
           "progress_bullets", "target_months",
           "apply_theme", "month_label"]


# --- #14 suspects ---
def peer_band(frame: pd.DataFrame, lang: str, name: str, title: str | None = None) -> go.Figure:
    """A retailer's months (箱, a line named `name`) against its peers' 25th–75th percentile band and
    median (suspects.peer_band); without a peer group, the retailer's line alone."""
    fig = go.Figure()
    unit = t("unit_cases", lang)
    ticks = [t("month_n", lang, m=int(m)) for m in frame["month"]]
    if frame["peer_median_cases"].notna().any():
        band = t("peer_band_iqr", lang)
        fig.add_scatter(x=ticks, y=frame["peer_p75_cases"], mode="lines", line={"width": 0}, showlegend=False, name=band,
                        hovertemplate=f"%{{y:,.2f}} {unit}<extra>{t('peer_p75', lang)}</extra>")
        fig.add_scatter(x=ticks, y=frame["peer_p25_cases"], mode="lines", line={"width": 0}, fill="tonexty",
                        fillcolor=PEER_BAND_COLORS["band"], name=band,
                        hovertemplate=f"%{{y:,.2f}} {unit}<extra>{t('peer_p25', lang)}</extra>")
        fig.add_scatter(x=ticks, y=frame["peer_median_cases"], mode="lines", name=t("peer_median", lang),
                        line={"color": PEER_BAND_COLORS["median"], "dash": "dash"},
                        hovertemplate=f"%{{y:,.2f}} {unit}<extra>{t('peer_median', lang)}</extra>")
    label = plotly_escape(name)
    fig.add_scatter(x=ticks, y=frame["cases"], mode="lines+markers", name=label, line={"color": PEER_BAND_COLORS["own"], "width": 3},
                    hovertemplate=f"%{{y:,.2f}} {unit}<extra>{label}</extra>")
    fig = _layout(fig, title, None, t("volume_cases", lang))
    fig.update_xaxes(type="category")
    # the retailer's line alone still says whose it is, and a volume is read from 0 (a small step drawn
    # from its own minimum would look like a cliff)
    fig.update_layout(showlegend=True)
    fig.update_yaxes(rangemode="tozero")
    return fig


# --- #14 brands ---
def cultivation(frame: pd.DataFrame, lang: str, year: int, compare_year: int | None, measure: str = "coverage",
                title: str | None = None) -> go.Figure:
    """A brand's cultivation curve (analytics/brands.py::cultivation): the cumulative 铺货率 (or 重购率)
    by month of `year` (solid) and of `compare_year` (grey), and the month's own figure (dotted)."""
    col = {"coverage": "coverage_pct", "repeat": "repeat_pct"}[measure]
    colors = year_colors(year, compare_year)
    fig = go.Figure()
    x = frame["month"].astype(int).astype(str)  # one year's months: the comparison year's are drawn on the same ones
    series = [(f"cum_{col}", str(year), colors[str(year)], "solid")]
    if compare_year is not None:
        series.append((f"cum_{col}_prev", str(compare_year), colors[str(compare_year)], "solid"))
    series.append((col, t("brand_this_month", lang, year=year), colors[str(year)], "dot"))
    for column, label, color, dash in series:
        name = plotly_escape(label)
        fig.add_scatter(x=x, y=frame[column], name=name, mode="lines+markers", line={"color": color, "dash": dash},
                        hovertemplate=f"%{{y:,.2f}}%<extra>{name}</extra>")
    _category_months(fig, "month")
    fig = _layout(fig, title, t("month", lang), t("cum_coverage_pct" if measure == "coverage" else "cum_repeat_pct", lang))
    fig.update_yaxes(rangemode="tozero")
    return fig
