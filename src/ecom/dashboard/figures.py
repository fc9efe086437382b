"""The local dashboard's charts: one spec visual and its rows → one Plotly figure.

Pure functions (no Streamlit), so the figures can be checked on small inline frames. What
they guarantee, like the QuickSight rendering: both axes of every chart carry the spec's
titles; money axes show the source's currency; a month axis ticks once a month; categories
are categories (months like "2019-10" or product ids are not turned into dates or numbers);
a `sort` dimension orders the slices or colours (LTV tiers Low → VIP, weekdays Monday →
Sunday); a donut shows each slice's share with the `tooltip` measures on hover.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ecom.dashboard.spec import AXIS_KINDS, band_column, measure_alias

CURRENCY_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€"}
HEIGHT = 340


def currency_symbol(currency: str) -> str:
    """ "$" for USD, "£" for GBP, ...; the ISO code and a space for another currency."""
    return CURRENCY_SYMBOLS.get(currency, f"{currency} ")


def format_value(value: Any, fmt: str | None, currency: str = "USD") -> str:
    """A number or date as the spec's format shows it (currency, integer, percent, date)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if fmt == "currency":
        return f"{currency_symbol(currency)}{float(value):,.2f}"
    if fmt == "integer":
        return f"{int(value):,}"
    if fmt == "percent":
        return f"{float(value):.1%}"
    if fmt in ("date", "month"):
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, float | Decimal):
        return f"{float(value):,.2f}"
    return str(value)


def label(measure: Mapping[str, Any]) -> str:
    """A measure's display name: its `label`, else its alias in words."""
    return measure.get("label") or measure_alias(measure).replace("_", " ").capitalize()


def _roles(visual: Mapping[str, Any]) -> dict[str, str]:
    return {d.get("role", "x"): d["column"] for d in visual.get("dimensions", [])}


def _value_axis(fmt: str | None, currency: str) -> dict[str, Any]:
    """Tick format of a value axis for the measure's format."""
    if fmt == "currency":
        return {"tickprefix": currency_symbol(currency).strip(), "tickformat": ",.0f"}
    if fmt == "percent":
        return {"tickformat": ".0%"}
    if fmt == "integer":  # ",d" would round the ticks of a small range to repeated labels
        return {"tickformat": ",~f"}
    return {}


def _hover_value(fmt: str | None, currency: str, ref: str) -> str:
    if fmt == "currency":
        return f"{currency_symbol(currency).strip()}%{{{ref}:,.2f}}"
    if fmt == "percent":
        return f"%{{{ref}:.1%}}"
    return f"%{{{ref}:,}}"


def _ordered(visual: Mapping[str, Any], frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in the `sort` dimension's order when the visual has one (stable otherwise)."""
    by = _roles(visual).get("sort")
    if by and by in frame.columns:
        return frame.sort_values(by, kind="stable").reset_index(drop=True)
    return frame


def _line(visual: Mapping[str, Any], frame: pd.DataFrame) -> go.Figure:
    names = [measure_alias(m) for m in visual["measures"]]
    x = _roles(visual)["x"]
    fig = px.line(frame, x=x, y=names, markers=len(frame) < 40)
    labels = {measure_alias(m): label(m) for m in visual["measures"]}
    fig.for_each_trace(lambda trace: trace.update(name=labels.get(trace.name, trace.name)))
    fig.update_layout(showlegend=len(names) > 1)
    dim = next(d for d in visual["dimensions"] if d["column"] == x)
    if dim.get("format") == "month":  # one tick per month, never days in between
        fig.update_xaxes(dtick="M1", tickformat="%b %Y", ticklabelmode="instant")
    elif dim.get("format") == "date":
        fig.update_xaxes(tickformat="%Y-%m-%d")
    return fig


def _bar(visual: Mapping[str, Any], frame: pd.DataFrame) -> go.Figure:
    roles = _roles(visual)
    names = [measure_alias(m) for m in visual["measures"]]
    labels = {measure_alias(m): label(m) for m in visual["measures"]}
    x = roles["x"]
    if "color" in roles:
        color = roles["color"]
        if frame[color].dtype == bool:  # a legend of "is passed: yes / no", not True / False
            words = {True: "yes", False: "no"}
            frame = frame.assign(
                **{color: frame[color].map(lambda v: f"{color.replace('_', ' ')}: {words[v]}")}
            )
        frame = frame.assign(**{x: frame[x].astype(str)})
        fig = px.bar(frame, x=x, y=names[0], color=color, barmode="group")
    elif visual.get("orientation") == "horizontal":  # the first row on top
        frame = frame.assign(**{x: frame[x].astype(str)}).iloc[::-1]
        fig = px.bar(frame, x=names[0], y=x, orientation="h")
        fig.update_yaxes(type="category")
    else:
        frame = frame.assign(**{x: frame[x].astype(str)})
        fig = px.bar(frame, x=x, y=names, barmode="group")
        fig.for_each_trace(lambda trace: trace.update(name=labels.get(trace.name, trace.name)))
        fig.update_layout(showlegend=len(names) > 1)
    if visual.get("orientation") != "horizontal":
        fig.update_xaxes(type="category")
    return fig


def _histogram(visual: Mapping[str, Any], frame: pd.DataFrame) -> go.Figure:
    """The counts per band, bands in their order (as the query returns them)."""
    band, count = band_column(visual), measure_alias(visual["measures"][0])
    fig = px.bar(frame, x=band, y=count)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(frame[band]))
    return fig


def _donut(visual: Mapping[str, Any], frame: pd.DataFrame, currency: str) -> go.Figure:
    """Slices in the sort dimension's order, each labelled with its share; the measure and
    the tooltip measures on hover."""
    frame = _ordered(visual, frame)
    measure = visual["measures"][0]
    extra = visual.get("tooltip", [])
    hover = [f"{label(measure)}: {_hover_value(measure.get('format'), currency, 'value')}"]
    hover += [
        f"{label(m)}: {_hover_value(m.get('format'), currency, f'customdata[{i}]')}"
        for i, m in enumerate(extra)
    ]
    pie = go.Pie(
        labels=list(frame[_roles(visual)["x"]]),
        values=[float(v) for v in frame[measure_alias(measure)]],
        hole=0.5,
        sort=False,
        direction="clockwise",
        textinfo="label+percent",
        customdata=frame[[measure_alias(m) for m in extra]].to_numpy() if extra else None,
        hovertemplate="%{label} (%{percent})<br>" + "<br>".join(hover) + "<extra></extra>",
    )
    return go.Figure(pie)


def _heatmap(visual: Mapping[str, Any], frame: pd.DataFrame) -> go.Figure:
    roles = _roles(visual)
    name = measure_alias(visual["measures"][0])
    grid = frame.pivot(index=roles["y"], columns=roles["x"], values=name)
    fig = px.imshow(
        grid,
        text_auto=".0%",
        aspect="auto",
        color_continuous_scale="Blues",
        labels={"color": label(visual["measures"][0])},
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category")
    return fig


def _funnel(visual: Mapping[str, Any], frame: pd.DataFrame) -> go.Figure:
    names = [measure_alias(m) for m in visual["measures"]]
    stages = [label(m) for m in visual["measures"]]
    counts = [float(frame.iloc[0][name] or 0) for name in names] if len(frame) else [0.0] * 3
    return go.Figure(go.Funnel(y=stages, x=counts, textinfo="value+percent initial"))


def figure(visual: Mapping[str, Any], frame: pd.DataFrame, *, currency: str = "USD") -> go.Figure:
    """One Plotly figure for a spec visual and its data; axes titled as the spec says."""
    kind = visual["type"]
    if kind == "line":
        fig = _line(visual, frame)
    elif kind == "bar":
        fig = _bar(visual, frame)
    elif kind == "histogram":
        fig = _histogram(visual, frame)
    elif kind == "donut":
        fig = _donut(visual, frame, currency)
    elif kind == "heatmap":
        fig = _heatmap(visual, frame)
    elif kind == "funnel":
        fig = _funnel(visual, frame)
    else:
        raise ValueError(f"no local rendering for {kind}")
    if kind in AXIS_KINDS:
        _title_axes(visual, fig, currency)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10}, height=HEIGHT, legend_title=None)
    return fig


def _title_axes(visual: Mapping[str, Any], fig: go.Figure, currency: str) -> None:
    """The spec's `axes` titles on the figure's axes; the value axis formatted for money,
    percent or counts. The x title is the x dimension's axis (vertical on horizontal bars
    and on the funnel, whose stages run down), the y title the values' axis."""
    axes = visual["axes"]
    value_format = _value_axis(visual["measures"][0].get("format"), currency)
    if kind_is_sideways(visual):
        fig.update_yaxes(title_text=axes["x"])
        fig.update_xaxes(title_text=axes["y"], **value_format)
    elif visual["type"] == "heatmap":
        fig.update_xaxes(title_text=axes["x"])
        fig.update_yaxes(title_text=axes["y"])
    else:
        fig.update_xaxes(title_text=axes["x"])
        fig.update_yaxes(title_text=axes["y"], **value_format)


def kind_is_sideways(visual: Mapping[str, Any]) -> bool:
    """True when the visual's categories run down the y axis (horizontal bars, the funnel)."""
    return visual["type"] == "funnel" or (
        visual["type"] == "bar" and visual.get("orientation") == "horizontal"
    )
