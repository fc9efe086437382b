"""The local dashboard in Streamlit's AppTest: each sheet's numbers equal the lake's data.

Expected values are read straight from the lake with plain SQL on a LocalEngine (the views,
or the model tables under them), or from the run report JSON, never through the dashboard's
query builder. Three lakes: `dashboard_lake` (clickstream with quarantined rows),
`sql_lake` (clickstream with every customer model run) and `retail_lake` (Online Retail,
three days: too short a history for the churn and CLV models).
"""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from ecom.query.local import LocalEngine
from tests.dashboard.apptest import APP, TIMEOUT, metrics, open_app, open_sheet, panel_tables

# The clickstream lake with quarantined rows ------------------------------------------------


@pytest.fixture(scope="module")
def views(dashboard_lake):
    with LocalEngine(dashboard_lake) as engine:
        yield {
            "kpi": engine.query("select * from kpi_summary").records()[0],
            "latest": engine.query("select max(summary_date) as d from daily_kpis").rows[0][0],
            "segments": engine.query(
                "select segment, count(*) as customers from rfm_segments group by segment"
            ).records(),
            "funnel": engine.query(
                "select sum(view_sessions) as v, sum(purchase_sessions) as p "
                "from session_funnel where period_grain = 'day'"
            ).records()[0],
            "brands": engine.query(
                "select brand, revenue from top_brands order by revenue desc limit 5"
            ).records(),
            "dq_latest": engine.query(
                "select table_name, rule_name, is_passed from dq_results where evaluated_at = "
                "(select max(evaluated_at) from dq_results)"
            ).records(),
            "dq_rules": engine.query("select count(*) as n from dq_results").rows[0][0],
        }


@pytest.fixture
def app(dashboard_lake, monkeypatch) -> AppTest:
    return open_app(dashboard_lake, monkeypatch)


def test_clickstream_lake_offers_its_sheets_only(app) -> None:
    assert list(app.sidebar.radio(key="sheet").options) == [
        "Executive",
        "Sales",
        "Customer value",
        "Customers",
        "Funnel",
        "Data quality",
    ]


def test_executive_kpis_equal_kpi_summary(app, views) -> None:
    kpi = views["kpi"]
    assert metrics(app) == {
        "Lifetime revenue": f"${kpi['lifetime_revenue']:,.2f}",
        "Total orders": f"{kpi['total_orders']:,}",
        "Average order value": f"${kpi['average_order_value']:,.2f}",
        "Total customers": f"{kpi['total_customers']:,}",
        "Repeat customers": f"{kpi['repeat_customers']:,}",
        "Average customer LTV": f"${kpi['average_customer_ltv']:,.2f}",
    }
    assert len(app.get("plotly_chart")) == 3


def test_every_panel_has_a_csv_download(app, spec) -> None:
    (sheet,) = [s for s in spec["sheets"] if s["id"] == "executive"]
    panels = [v for v in sheet["visuals"] if v["type"] != "kpi"]
    buttons = app.get("download_button")
    assert len(buttons) == len(panels) + 1  # one per chart, one for the row of tiles


def test_sales_top_brands_and_brand_filter(app, views, spec) -> None:
    at = open_sheet(app, "Sales")
    brands = panel_tables(at, spec, "Sales")["top_brands"]
    assert list(brands["brand"]) == [row["brand"] for row in views["brands"]]
    assert [float(v) for v in brands["revenue"]] == [float(r["revenue"]) for r in views["brands"]]
    chosen = views["brands"][1]["brand"]
    at.sidebar.multiselect(key="brand").set_value([chosen]).run()
    assert list(panel_tables(at, spec, "Sales")["top_brands"]["brand"]) == [chosen]


def test_customer_value_sheet_segments_equal_view(app, views, spec) -> None:
    at = open_sheet(app, "Customer value")
    segments = panel_tables(at, spec, "Customer value")["rfm_customers"]
    shown = dict(zip(segments["segment"], segments["customers"], strict=True))
    assert shown == {row["segment"]: row["customers"] for row in views["segments"]}
    assert len(at.get("plotly_chart")) == 5


def test_funnel_sheet_totals_equal_view(app, views, spec) -> None:
    at = open_sheet(app, "Funnel")
    funnel = panel_tables(at, spec, "Funnel")["session_funnel"]
    assert int(funnel["view_sessions"][0]) == views["funnel"]["v"]
    assert int(funnel["purchase_sessions"][0]) == views["funnel"]["p"]


def test_data_quality_sheet_shows_freshness_runs_and_quarantine(app, views, spec) -> None:
    at = open_sheet(app, "Data quality")
    metric = at.metric[0]
    assert metric.label == "Latest event date"
    assert metric.value == views["latest"].isoformat()
    assert str((date.today() - views["latest"]).days) in metric.delta
    tables = panel_tables(at, spec, "Data quality")
    assert len(tables["run_history"]) == 1
    assert int(tables["run_history"]["rows_quarantined"][0]) == 3
    assert int(tables["quarantine_by_reason"]["rows"].sum()) == 3
    latest = tables["dq_latest_run"]
    assert list(latest.columns) == ["Table", "Rule", "Level", "Passed", "Failed rows", "Details"]
    shown = {(r["Table"], r["Rule"], bool(r["Passed"])) for _, r in latest.iterrows()}
    assert views["dq_latest"] and shown == {
        (r["table_name"], r["rule_name"], r["is_passed"]) for r in views["dq_latest"]
    }
    assert int(tables["dq_outcomes_by_run"]["rules"].sum()) == views["dq_rules"]


def test_empty_lake_shows_run_the_pipeline_first(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ECOM_LAKE", str(tmp_path / "no-lake"))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("run the pipeline first" in w.value for w in at.warning)
