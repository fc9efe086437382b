"""The local dashboard in Streamlit's AppTest: each sheet's numbers equal the views' results.

Expected values are read straight from the views with plain SQL on a LocalEngine (`select *
from kpi_summary`, ...), not through the dashboard's query builder.
"""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from ecom.query.local import LocalEngine
from tests.dashboard.conftest import APP

TIMEOUT = 120


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
                "from session_funnel where period_grain = 'month'"
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
    monkeypatch.setenv("ECOM_LAKE", str(dashboard_lake))
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()


def _tables(at: AppTest, spec, sheet: str) -> dict:
    """The data table of each chart of a sheet, by visual id (charts render in spec order)."""
    (wanted,) = [s for s in spec["sheets"] if s["title"] == sheet]
    ids = [v["id"] for v in wanted["visuals"] if v["type"] != "kpi"]
    frames = [frame.value for frame in at.dataframe]
    assert len(frames) == len(ids)
    return dict(zip(ids, frames, strict=True))


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _open(at: AppTest, sheet: str) -> AppTest:
    at.sidebar.radio(key="sheet").set_value(sheet).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_executive_kpis_equal_kpi_summary(app, views) -> None:
    assert not app.exception, [e.value for e in app.exception]
    kpi = views["kpi"]
    assert _metrics(app) == {
        "Lifetime revenue": f"${kpi['lifetime_revenue']:,.2f}",
        "Average customer LTV": f"${kpi['average_customer_ltv']:,.2f}",
        "Total customers": f"{kpi['total_customers']:,}",
        "Repeat customers": f"{kpi['repeat_customers']:,}",
    }
    assert len(app.get("plotly_chart")) == 5


def test_executive_top_brands_table_equals_view(app, views, spec) -> None:
    brands = _tables(app, spec, "Executive")["top_brands"]
    assert list(brands["brand"]) == [row["brand"] for row in views["brands"]]
    assert [float(v) for v in brands["revenue"]] == [float(r["revenue"]) for r in views["brands"]]


def test_brand_filter_is_applied(app, views, spec) -> None:
    chosen = views["brands"][1]["brand"]
    app.sidebar.multiselect(key="brand").set_value([chosen]).run()
    brands = _tables(app, spec, "Executive")["top_brands"]
    assert list(brands["brand"]) == [chosen]


def test_customers_sheet_segments_equal_view(app, views, spec) -> None:
    at = _open(app, "Customers")
    segments = _tables(at, spec, "Customers")["rfm_segments"]
    shown = dict(zip(segments["segment"], segments["customers"], strict=True))
    assert shown == {row["segment"]: row["customers"] for row in views["segments"]}
    assert len(at.get("plotly_chart")) == 3


def test_funnel_sheet_totals_equal_view(app, views, spec) -> None:
    at = _open(app, "Funnel")
    funnel = _tables(at, spec, "Funnel")["session_funnel"]
    assert int(funnel["view_sessions"][0]) == views["funnel"]["v"]
    assert int(funnel["purchase_sessions"][0]) == views["funnel"]["p"]


def test_data_quality_sheet_shows_freshness_runs_and_quarantine(app, views, spec) -> None:
    at = _open(app, "Data quality")
    metric = at.metric[0]
    assert metric.label == "Latest event date"
    assert metric.value == views["latest"].isoformat()
    assert str((date.today() - views["latest"]).days) in metric.delta
    tables = _tables(at, spec, "Data quality")
    assert len(tables["run_history"]) == 1
    assert int(tables["run_history"]["rows_quarantined"][0]) == 3
    assert int(tables["quarantine_by_reason"]["rows"].sum()) == 3
    assert len(at.get("plotly_chart")) == 3  # the rule table is a table, not a chart


def test_data_quality_sheet_shows_the_latest_rules_and_outcomes_per_run(app, views, spec) -> None:
    at = _open(app, "Data quality")
    tables = _tables(at, spec, "Data quality")
    latest = tables["dq_latest_run"]
    assert list(latest.columns) == ["Table", "Rule", "Level", "Passed", "Failed rows", "Details"]
    shown = {(r["Table"], r["Rule"], bool(r["Passed"])) for _, r in latest.iterrows()}
    assert views["dq_latest"] and shown == {
        (r["table_name"], r["rule_name"], r["is_passed"]) for r in views["dq_latest"]
    }
    assert list(latest["Passed"]) == sorted(latest["Passed"])  # failed rules first
    outcomes = tables["dq_outcomes_by_run"]
    assert int(outcomes["rules"].sum()) == views["dq_rules"]


def test_empty_lake_shows_run_the_pipeline_first(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ECOM_LAKE", str(tmp_path / "no-lake"))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("run the pipeline first" in w.value for w in at.warning)
