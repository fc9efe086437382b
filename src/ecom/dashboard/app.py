"""The local dashboard (Streamlit + Plotly): the sheets of dashboards/spec.json on the lake.

Run through `ecom dashboard [--lake DIR] [--port 8501]`. The lake comes from `--lake` after
`--` on the streamlit command line, else $ECOM_LAKE, else data/lake. Every number is a query
of the spec's view through the local engine, with the filter choices bound as parameters.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from ecom.dashboard.data import DashboardData, Selection, has_curated_tables
from ecom.dashboard.spec import load_spec, measure_alias


def lake_from_arguments(argv: list[str]) -> str:
    """`--lake DIR` from the script arguments, else $ECOM_LAKE, else data/lake."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--lake", default=None)
    known, _ = parser.parse_known_args(argv)
    return known.lake or os.environ.get("ECOM_LAKE") or str(Path("data") / "lake")


def format_value(value: Any, fmt: str | None) -> str:
    """A number or date as the spec's format shows it (currency, integer, percent, date)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if fmt == "currency":
        return f"${float(value):,.2f}"
    if fmt == "integer":
        return f"{int(value):,}"
    if fmt == "percent":
        return f"{float(value):.1%}"
    if fmt in ("date", "month"):
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, float | Decimal):
        return f"{float(value):,.2f}"
    return str(value)


@st.cache_resource(show_spinner="Opening the lake…")
def open_data(lake: str) -> DashboardData:
    return DashboardData(lake, load_spec())


@st.cache_data(show_spinner=False, max_entries=256)
def visual_data(lake: str, visual_id: str, selection: Selection) -> pd.DataFrame:
    data = open_data(lake)
    visual = _visual_by_id(data.spec, visual_id)
    return data.visual(visual, selection)


@st.cache_data(show_spinner=False)
def filter_choices(lake: str) -> dict[str, Any]:
    data = open_data(lake)
    options = {
        f["id"]: data.filter_options(f) for f in data.spec["filters"] if f["type"] == "values"
    }
    return {"bounds": data.date_bounds(), "options": options}


def _visual_by_id(spec: dict[str, Any], visual_id: str) -> dict[str, Any]:
    return next(v for sheet in spec["sheets"] for v in sheet["visuals"] if v["id"] == visual_id)


def run_pipeline_first(lake: str) -> None:
    st.title("E-commerce analytics")
    st.warning("No curated tables yet: run the pipeline first.", icon="⚠️")
    st.markdown(
        f"The lake `{lake}` has no curated tables for the dashboard to read. Run the pipeline:\n\n"
        "```\nmake demo\n```\n\nor `ecom generate --out data/raw/demo` then "
        f"`ecom run --raw data/raw/demo --lake {lake}`, and reload this page."
    )


def filter_bar(lake: str, spec: dict[str, Any]) -> Selection:
    """The sidebar filters (date range, category, brand) → a Selection."""
    choices = filter_choices(lake)
    low, high = choices["bounds"]
    date_from = date_to = None
    values: dict[str, tuple[str, ...]] = {}
    for spec_filter in spec["filters"]:
        if spec_filter["type"] == "date_range" and low is not None:
            picked = st.sidebar.date_input(
                spec_filter["label"], value=(low, high), min_value=low, max_value=high, key="date"
            )
            picked = tuple(picked) if isinstance(picked, list | tuple) else (picked,)
            date_from = picked[0] if picked else None
            date_to = picked[1] if len(picked) > 1 else None
        elif spec_filter["type"] == "values":
            chosen = st.sidebar.multiselect(
                spec_filter["label"], choices["options"][spec_filter["id"]], key=spec_filter["id"]
            )
            if chosen:
                values[spec_filter["id"]] = tuple(chosen)
    if (date_from, date_to) == (low, high):
        date_from = date_to = None  # the whole range: no filter, same query as the views
    return Selection(date_from=date_from, date_to=date_to, values=values)


def _label(visual: dict[str, Any], measure: dict[str, Any]) -> str:
    return measure.get("label") or measure_alias(measure).replace("_", " ").capitalize()


def kpi_row(spec: dict[str, Any], lake: str, kpis: list[dict[str, Any]], selection: Selection):
    columns = st.columns(len(kpis))
    for column, visual in zip(columns, kpis, strict=True):
        measure = visual["measures"][0]
        frame = visual_data(lake, visual["id"], selection)
        value = frame.iloc[0, 0] if len(frame) else None
        delta = None
        if measure.get("format") == "date" and value is not None:
            days = (date.today() - pd.Timestamp(value).date()).days
            delta = f"{days} days before today"
        with column:
            st.metric(
                visual["title"],
                format_value(value, measure.get("format")),
                delta=delta,
                delta_color="off",
            )


def figure(visual: dict[str, Any], frame: pd.DataFrame) -> go.Figure:
    """One Plotly figure for a spec visual and its data."""
    dims = {d.get("role", "x"): d["column"] for d in visual.get("dimensions", [])}
    names = [measure_alias(m) for m in visual["measures"]]
    labels = {measure_alias(m): _label(visual, m) for m in visual["measures"]}
    kind = visual["type"]
    if kind == "line":
        fig = px.line(frame, x=dims["x"], y=names, labels=labels, markers=len(frame) < 40)
    elif kind == "bar" and "color" in dims:
        color = dims["color"]
        if frame[color].dtype == bool:  # a legend of "is passed: yes / no", not True / False
            words = {True: "yes", False: "no"}
            frame = frame.assign(
                **{color: frame[color].map(lambda v: f"{color.replace('_', ' ')}: {words[v]}")}
            )
        fig = px.bar(frame, x=dims["x"], y=names[0], color=color, barmode="group", labels=labels)
    elif kind == "bar" and visual.get("orientation") == "horizontal":
        fig = px.bar(frame.iloc[::-1], x=names[0], y=dims["x"], orientation="h", labels=labels)
    elif kind == "bar":
        fig = px.bar(frame, x=dims["x"], y=names, barmode="group", labels=labels)
    elif kind == "donut":
        fig = px.pie(frame, names=dims["x"], values=names[0], hole=0.5)
    elif kind == "heatmap":
        grid = frame.pivot(index=dims["y"], columns=dims["x"], values=names[0])
        fig = px.imshow(
            grid,
            text_auto=".0%",
            aspect="auto",
            color_continuous_scale="Blues",
            labels={"x": dims["x"], "y": dims["y"], "color": labels[names[0]]},
        )
    elif kind == "histogram":
        fig = px.histogram(frame, x=names[0], nbins=30, labels=labels)
    elif kind == "funnel":
        stages = [labels[name] for name in names]
        counts = [float(frame.iloc[0][name] or 0) for name in names] if len(frame) else [0] * 3
        fig = go.Figure(go.Funnel(y=stages, x=counts, textinfo="value+percent initial"))
    else:
        raise ValueError(f"no local rendering for {kind}")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10}, height=340, legend_title=None)
    return fig


def table_view(visual: dict[str, Any], frame: pd.DataFrame) -> pd.DataFrame:
    """A table visual's rows with its labels as headers and its formats applied."""
    shown = pd.DataFrame(index=frame.index)
    for measure in visual["measures"]:
        column = measure_alias(measure)
        fmt = measure.get("format")
        values = frame[column]
        if fmt:
            values = values.map(lambda value, fmt=fmt: format_value(value, fmt))
        shown[_label(visual, measure)] = values
    return shown


def chart(lake: str, visual: dict[str, Any], selection: Selection) -> None:
    frame = visual_data(lake, visual["id"], selection)
    st.subheader(visual["title"])
    if frame.empty:
        st.info("No rows for this selection.")
        return
    if visual["type"] == "table":
        table_with_download(visual, table_view(visual, frame), frame)
        return
    st.plotly_chart(figure(visual, frame), key=f"chart-{visual['id']}")
    with st.expander("Data"):
        table_with_download(visual, frame, frame)


def table_with_download(visual: dict[str, Any], shown: Any, frame: Any) -> None:
    """A visual's rows as a table, and the same rows as a CSV download."""
    st.dataframe(shown, hide_index=True, key=f"table-{visual['id']}")
    st.download_button(
        "Download CSV",
        frame.to_csv(index=False).encode(),
        file_name=f"{visual['id']}.csv",
        mime="text/csv",
        key=f"csv-{visual['id']}",
    )


def show_sheet(lake: str, spec: dict[str, Any], sheet: dict[str, Any], selection: Selection):
    st.header(sheet["title"])
    kpis = [v for v in sheet["visuals"] if v["type"] == "kpi"]
    if kpis:
        kpi_row(spec, lake, kpis, selection)
    # In spec order: tables across the page, charts two by two.
    pair: list[dict[str, Any]] = []
    for visual in [*(v for v in sheet["visuals"] if v["type"] != "kpi"), None]:
        if pair and (visual is None or visual["type"] == "table" or len(pair) == 2):
            for column, charted in zip(st.columns(2), pair, strict=False):
                with column:
                    chart(lake, charted, selection)
            pair = []
        if visual is not None and visual["type"] == "table":
            chart(lake, visual, selection)
        elif visual is not None:
            pair.append(visual)


def main() -> None:
    st.set_page_config(page_title="E-commerce analytics", layout="wide")
    lake = lake_from_arguments(sys.argv[1:])
    if not has_curated_tables(lake):
        run_pipeline_first(lake)
        return
    spec = open_data(lake).spec
    titles = [sheet["title"] for sheet in spec["sheets"]]
    st.sidebar.title("E-commerce analytics")
    title = st.sidebar.radio("Sheet", titles, key="sheet")
    selection = filter_bar(lake, spec)
    sheet = spec["sheets"][titles.index(title)]
    show_sheet(lake, spec, sheet, selection)
    st.caption(f"Lake: {lake} · the Athena views of sql/views on the local engine (DuckDB)")


main()
