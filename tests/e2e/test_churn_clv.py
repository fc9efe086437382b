"""Churn risk and CLV end to end on the Online Retail lake (tests/e2e/conftest.py): after each
delivery model_evaluations reports the protocol's eligible and churned customers and the
naive baseline's MAE exactly as a plain-Python reading of the raw files computes them
(tests/reference_retail.py), the out-of-fold churn ROC AUC is at least 0.70, the CLV model
beats the naive baseline, every current customer is scored, and a rerun on the same data
gives the same scores."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.views_both_engines import agreeing_views
from tests.reference_retail import churn_protocol, customers_as_of, last_sale_day

pytestmark = pytest.mark.e2e

HORIZON = 90  # the default
CHURN_VIEWS = ("churn_risk", "clv_forecast", "model_evaluation")


def evaluations_of(run) -> dict[str, dict]:
    run_id = run.report["run_id"]
    rows = run.seen("customers")["model_evaluations"]
    return {row["metric"]: row for row in rows if row["run_id"] == run_id}


def test_evaluation_counts_and_baseline_equal_the_protocol(retail_deliveries):
    _, _, runs, _ = retail_deliveries
    for run in runs:
        expected = churn_protocol(run.reference, HORIZON)
        evaluations = evaluations_of(run)
        assert set(evaluations) == {"roc_auc", "pr_auc", "mae", "rmse"}
        for row in evaluations.values():
            assert row["cutoff_date"] == expected.cutoff
            assert row["horizon_days"] == HORIZON
            assert row["eligible_customers"] == expected.eligible
            assert row["churned_customers"] == expected.churned
        baseline = Decimal(str(evaluations["mae"]["baseline_value"])).quantize(Decimal("0.01"))
        assert baseline == expected.baseline_mae
        assert evaluations["pr_auc"]["baseline_value"] == pytest.approx(
            expected.churned / expected.eligible
        )


def test_churn_auc_and_clv_beat_their_baselines(retail_deliveries):
    _, _, runs, _ = retail_deliveries
    for run in runs:
        evaluations = evaluations_of(run)
        assert evaluations["roc_auc"]["model_value"] >= 0.70
        assert evaluations["mae"]["model_value"] < evaluations["mae"]["baseline_value"]
        entry = run.report["models"]["churn_clv"]
        assert entry["status"] == "done"
        assert entry["roc_auc"] == round(evaluations["roc_auc"]["model_value"], 4)


def test_every_current_customer_is_scored_in_its_band(retail_deliveries):
    _, _, runs, _ = retail_deliveries
    for run in runs:
        scores = run.seen("customers")["customer_scores"]
        expected = customers_as_of(run.reference, last_sale_day(run.reference))
        assert {row["user_id"] for row in scores} == set(expected)
        for row in scores:
            probability = row["churn_probability"]
            band = "high" if probability >= 0.7 else "medium" if probability >= 0.4 else "low"
            assert row["risk_band"] == band
            assert row["predicted_revenue_next_h"] >= 0
            assert row["run_id"] == run.report["run_id"]


def test_a_rerun_on_the_same_data_gives_the_same_scores(retail_deliveries):
    _, _, runs, rerun = retail_deliveries
    columns = ("user_id", "risk_band", "churn_probability", "predicted_revenue_next_h")

    def scores(run):
        return sorted(
            tuple(row[name] for name in columns) for row in run.seen("customers")["customer_scores"]
        )

    assert scores(rerun) == scores(runs[-1])
    values = {
        name: {metric: row["model_value"] for metric, row in evaluations_of(run).items()}
        for name, run in (("last", runs[-1]), ("rerun", rerun))
    }
    assert values["rerun"] == values["last"]


def test_churn_views_agree_on_duckdb_and_spark_and_add_up(spark, retail_deliveries, tmp_path):
    """The churn views alone (the retail lake has no clickstream tables for the others)."""
    _, lake, _, rerun = retail_deliveries
    scores = rerun.seen("customers")["customer_scores"]
    with agreeing_views(spark, lake.root, CHURN_VIEWS, tmp_path) as local:
        bands = local.query("select * from churn_risk").records()
        deciles = local.query("select * from clv_forecast").records()
    assert sum(row["customers"] for row in bands) == len(scores)
    assert all(row["churn_roc_auc"] >= 0.70 for row in bands)  # shown next to the scores
    assert sum(row["customers"] for row in deciles) == len(scores)
    assert sum(row["predicted_revenue"] for row in deciles) == sum(
        row["predicted_revenue_next_h"] for row in scores
    )
