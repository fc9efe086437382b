"""The dashboard on an Online Retail lake (`retail_lake`, three hand-written days): its own
sheets only, the retail sheet's numbers equal the views, the country filter, and the
Customers sheet's score panels showing why the model job skipped them (three days are too
short a history for the churn and CLV protocol)."""

from __future__ import annotations

import pytest

from ecom.query.local import LocalEngine
from tests.dashboard.apptest import latest_report, metrics, open_app, open_sheet, panel_tables


@pytest.fixture(scope="module")
def views(retail_lake):
    with LocalEngine(retail_lake.lake) as engine:
        yield {
            "kpi": engine.query("select * from kpi_summary").records()[0],
            "products": engine.query(
                "select description, revenue from product_performance"
            ).records(),
            "countries": engine.query("select country, revenue from revenue_by_country").records(),
            "days": engine.query("select count(*) from daily_kpis").rows[0][0],
        }


@pytest.fixture
def retail(retail_lake, monkeypatch):
    return open_app(retail_lake.lake, monkeypatch)


def test_retail_lake_offers_its_sheets_only(retail) -> None:
    assert list(retail.sidebar.radio(key="sheet").options) == [
        "Executive",
        "Online Retail",
        "Customer value",
        "Customers",
        "Data quality",
    ]


def test_retail_sheet_tiles_tables_and_downloads(retail, views, retail_spec) -> None:
    at = open_sheet(retail, "Online Retail")
    kpi = views["kpi"]
    tiles = metrics(at)
    assert tiles["Revenue (all sales)"] == f"£{kpi['gross_revenue']:,.2f}"
    assert tiles["Transactions (sale invoices)"] == f"{kpi['transactions']:,}"
    assert tiles["Customers"] == f"{kpi['total_customers']:,}"
    assert tiles["Cancellation rate"] == f"{float(kpi['cancellation_rate']):.1%}"
    panels = panel_tables(at, retail_spec, "Online Retail")
    assert len(panels["retail_daily_revenue"]) == views["days"]
    top = panels["retail_top_products_by_revenue"]
    expected = sorted(views["products"], key=lambda r: -float(r["revenue"]))[:10]
    assert [float(v) for v in top["revenue"]] == [float(r["revenue"]) for r in expected]
    assert set(top["description"]) == {r["description"] for r in expected}
    countries = panels["revenue_by_country"]
    assert {
        c: float(r) for c, r in zip(countries["country"], countries["revenue"], strict=True)
    } == {r["country"]: float(r["revenue"]) for r in views["countries"]}
    (sheet,) = [s for s in retail_spec["sheets"] if s["id"] == "online_retail"]
    charts = [v for v in sheet["visuals"] if v["type"] != "kpi"]
    assert len(at.get("download_button")) == len(charts) + 1


def test_country_filter(retail, views, retail_spec) -> None:
    at = open_sheet(retail, "Online Retail")
    at.sidebar.multiselect(key="country").set_value(["France"]).run()
    countries = panel_tables(at, retail_spec, "Online Retail")["revenue_by_country"]
    assert list(countries["country"]) == ["France"]


def test_skipped_models_show_their_reason_instead_of_scores(retail, retail_lake) -> None:
    models = latest_report(retail_lake.lake)["models"]
    churn = models["churn_clv"]
    assert churn["status"] == "skipped" and churn["reason"]
    at = open_sheet(retail, "Customers")
    notes = [info.value for info in at.info]
    expected = f"Not shown: the model stage churn_clv was skipped ({churn['reason']})."
    assert notes.count(expected) == 3  # churn risk, CLV forecast, model evaluation
    assert metrics(at)["Churn model ROC AUC (out of fold; chance 0.5)"] == "–"
