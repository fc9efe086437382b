"""The Customers sheet on a clickstream lake whose model job ran every customer model
(`sql_lake`): segments, transitions, k-means quality, churn risk and CLV with their
out-of-fold evaluation. Expected values come from the model tables with plain SQL."""

from __future__ import annotations

import pytest

from ecom.query.local import LocalEngine
from tests.dashboard.apptest import latest_report, metrics, open_app, open_sheet, panel_tables


@pytest.fixture(scope="module")
def expected(sql_lake):
    with LocalEngine(sql_lake.lake) as engine:

        def latest(metric: str) -> dict:
            return engine.query(
                "select model_value, baseline_value from model_evaluations "
                f"where metric = '{metric}' order by evaluated_at desc limit 1"
            ).records()[0]

        yield {
            "segments": engine.query(
                "select segment, count(*) as customers, sum(monetary) as revenue "
                "from customer_features where segment is not null group by segment"
            ).records(),
            "at_risk": engine.query(
                "select risk_band, round(sum(churn_probability * cast(revenue_last_h as double)),"
                " 2) as at_risk from customer_scores group by risk_band"
            ).records(),
            "predicted": engine.query(
                "select sum(predicted_revenue_next_h) as total from customer_scores"
            ).rows[0][0],
            "roc_auc": latest("roc_auc"),
            "pr_auc": latest("pr_auc"),
            "mae": latest("mae"),
            "kmeans_rows": engine.query(
                "select count(*) from (select distinct run_id, k from model_runs "
                "where model = 'kmeans')"
            ).rows[0][0],
            "evaluation_rows": engine.query(
                "select count(*) from model_evaluations where run_id = (select run_id from "
                "model_evaluations order by evaluated_at desc limit 1)"
            ).rows[0][0],
        }


@pytest.fixture
def customers(sql_lake, monkeypatch):
    return open_sheet(open_app(sql_lake.lake, monkeypatch), "Customers")


def test_the_model_job_ran_every_customer_model(sql_lake) -> None:
    models = latest_report(sql_lake.lake)["models"]
    assert {stage: entry["status"] for stage, entry in models.items()} == {
        "segments": "done",
        "churn_clv": "done",
    }


def test_segment_distribution_by_customers_and_revenue(customers, expected, spec) -> None:
    panels = panel_tables(customers, spec, "Customers")
    by_customers = panels["segment_customers"]
    assert dict(zip(by_customers["segment"], by_customers["customers"], strict=True)) == {
        row["segment"]: row["customers"] for row in expected["segments"]
    }
    assert list(by_customers["customers"]) == sorted(by_customers["customers"], reverse=True)
    by_revenue = panels["segment_revenue"]
    shown = {
        s: round(float(r), 2)
        for s, r in zip(by_revenue["segment"], by_revenue["revenue"], strict=True)
    }
    assert shown == {r["segment"]: round(float(r["revenue"]), 2) for r in expected["segments"]}
    profile = panels["segment_profile"]
    assert list(profile.columns)[:3] == ["Segment", "Customers", "Share of customers"]
    assert sorted(profile["Segment"]) == sorted(r["segment"] for r in expected["segments"])


def test_model_quality_transitions_and_evaluation_tables(customers, expected, spec) -> None:
    panels = panel_tables(customers, spec, "Customers")
    assert len(panels["segment_model_quality"]) == expected["kmeans_rows"]
    assert panels["segment_transitions"]["Customers"].map(int).sum() > 0
    assert len(panels["model_evaluation"]) == expected["evaluation_rows"]


def test_scores_stand_beside_their_evaluation(customers, expected, spec) -> None:
    roc, pr, mae = expected["roc_auc"], expected["pr_auc"], expected["mae"]
    tiles = metrics(customers)
    assert tiles["Churn model ROC AUC (out of fold; chance 0.5)"] == f"{roc['model_value']:,.2f}"
    assert tiles["CLV model MAE (out of fold)"] == f"${mae['model_value']:,.2f}"
    assert tiles["Naive forecast MAE (baseline)"] == f"${mae['baseline_value']:,.2f}"
    captions = [c.value for c in customers.caption]
    assert (
        f"ROC AUC (out of fold; chance 0.5): {roc['model_value']:,.2f} · "
        f"PR AUC: {pr['model_value']:,.2f}"
    ) in captions
    assert (
        f"CLV MAE (out of fold): ${mae['model_value']:,.2f} · "
        f"Naive baseline MAE: ${mae['baseline_value']:,.2f}"
    ) in captions
    panels = panel_tables(customers, spec, "Customers")
    risk = panels["churn_risk"]
    shown = {
        b: round(float(v), 2)
        for b, v in zip(risk["risk_band"], risk["revenue_at_risk"], strict=True)
    }
    assert shown == {r["risk_band"]: round(float(r["at_risk"]), 2) for r in expected["at_risk"]}
    forecast = panels["clv_forecast"]
    assert sorted(forecast["decile"]) == list(range(1, 11))
    assert round(float(forecast["predicted_revenue"].sum()), 2) == round(
        float(expected["predicted"]), 2
    )


def test_segment_filter(customers, expected, spec) -> None:
    chosen = expected["segments"][0]["segment"]
    customers.sidebar.multiselect(key="segment").set_value([chosen]).run()
    assert not customers.exception
    panels = panel_tables(customers, spec, "Customers")
    assert list(panels["segment_customers"]["segment"]) == [chosen]
    assert set(panels["segment_transitions"]["To"]) == {chosen}
