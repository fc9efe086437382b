"""The local dashboard (Streamlit + Plotly): the sheets of dashboards/spec.json on the lake.

Run through `ecom dashboard [--lake DIR] [--port 8501]`. The lake comes from `--lake` after
`--` on the streamlit command line, else $ECOM_LAKE, else data/lake. The sheets are those of
the lake's source (`DashboardData.spec`, resolved from the source its catalog records): a
sheet whose data the lake lacks is not offered. Every number is a query of the spec's view
through the local engine, with the filter choices bound as parameters; every panel (each
chart, table and row of tiles) has a CSV download of its rows. The figures are built by
`ecom.dashboard.figures`.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from ecom.dashboard.data import DashboardData, Selection, has_curated_tables
from ecom.dashboard.figures import figure, format_value, label
from ecom.dashboard.spec import load_spec, measure_alias


def lake_from_arguments(argv: list[str]) -> str:
    """`--lake DIR` from the script arguments, else $ECOM_LAKE, else data/lake."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--lake", default=None)
    known, _ = parser.parse_known_args(argv)
    return known.lake or os.environ.get("ECOM_LAKE") or str(Path("data") / "lake")


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


def kpi_row(spec: dict[str, Any], lake: str, kpis: list[dict[str, Any]], selection: Selection):
    """The sheet's tiles side by side, and their values as one CSV download."""
    columns = st.columns(len(kpis))
    rows = []
    for column, visual in zip(columns, kpis, strict=True):
        measure = visual["measures"][0]
        frame = visual_data(lake, visual["id"], selection)
        value = frame.iloc[0, 0] if len(frame) else None
        shown = format_value(value, measure.get("format"), spec["currency"])
        rows.append({"tile": visual["title"], "value": value, "shown": shown})
        delta = None
        if measure.get("format") == "date" and value is not None:
            days = (date.today() - pd.Timestamp(value).date()).days
            delta = f"{days} days before today"
        with column:
            st.metric(visual["title"], shown, delta=delta, delta_color="off")
    download_button(f"{kpis[0]['id']}-tiles", pd.DataFrame(rows))


def table_view(visual: dict[str, Any], frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """A table visual's rows with its labels as headers and its formats applied."""
    shown = pd.DataFrame(index=frame.index)
    for measure in visual["measures"]:
        column = measure_alias(measure)
        fmt = measure.get("format")
        values = frame[column]
        if fmt:
            values = values.map(lambda value, fmt=fmt: format_value(value, fmt, currency))
        shown[label(measure)] = values
    return shown


def chart(lake: str, spec: dict[str, Any], visual: dict[str, Any], selection: Selection) -> None:
    """One panel: its title, the chart (or table), its rows as a CSV download, and the rows
    themselves behind "Data"."""
    frame = visual_data(lake, visual["id"], selection)
    st.subheader(visual["title"])
    if frame.empty:
        st.info(empty_panel_text(visual, model_report(lake)))
        return
    if visual.get("evaluation"):
        st.caption(evaluation_text(visual, frame, spec["currency"]))
    if visual["type"] == "table":
        st.dataframe(
            table_view(visual, frame, spec["currency"]),
            hide_index=True,
            key=f"table-{visual['id']}",
        )
        download_button(visual["id"], frame)
        return
    fig = figure(visual, frame, currency=spec["currency"])
    st.plotly_chart(fig, key=f"chart-{visual['id']}")
    download_button(visual["id"], frame)
    with st.expander("Data"):
        st.dataframe(frame, hide_index=True, key=f"table-{visual['id']}")


@st.cache_data(show_spinner=False)
def model_report(lake: str) -> dict[str, dict[str, Any]]:
    return open_data(lake).model_stages


def empty_panel_text(visual: dict[str, Any], stages: dict[str, dict[str, Any]]) -> str:
    """What an empty panel says: a model stage's skip reason when the run skipped it (its
    scores are not shown without their evaluation), else that the selection has no rows."""
    stage = visual.get("model_stage")
    entry = stages.get(stage or "", {})
    if stage and entry.get("status") != "done":
        reason = entry.get("reason") or "no run of the model job has reported it yet"
        return f"Not shown: the model stage {stage} was skipped ({reason})."
    if visual.get("evaluation"):
        return "Not shown: these scores have no evaluation (out-of-fold metrics) beside them."
    return "No rows for this selection."


def evaluation_text(visual: dict[str, Any], frame: pd.DataFrame, currency: str) -> str:
    """The evaluation beside a score panel: "ROC AUC ...: 0.71 · PR AUC: 0.52"."""
    return " · ".join(
        f"{label(m)}: {format_value(frame[measure_alias(m)].iloc[0], m.get('format'), currency)}"
        for m in visual["evaluation"]
    )


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A panel's rows as CSV (UTF-8, a header, no index)."""
    return frame.to_csv(index=False).encode("utf-8")


def download_button(panel_id: str, frame: pd.DataFrame) -> None:
    st.download_button(
        "Download CSV",
        csv_bytes(frame),
        file_name=f"{panel_id}.csv",
        mime="text/csv",
        key=f"csv-{panel_id}",
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
                    chart(lake, spec, charted, selection)
            pair = []
        if visual is not None and visual["type"] == "table":
            chart(lake, spec, visual, selection)
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
    st.caption(
        f"Lake: {lake} · source {spec['source']} · the Athena views of sql/views on the local "
        "engine (DuckDB)"
    )


main()
