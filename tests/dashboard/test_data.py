"""The local dashboard's data layer on hand-made lakes (no Spark): what exists comes from the
lake's publications, never from listing folders; score panels drop rows without their
evaluation; the model stages come from the latest run report."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from ecom.dashboard.data import (
    Selection,
    build_query,
    has_curated_tables,
    model_stages,
    quarantine_files,
)
from ecom.dashboard.spec import visuals
from ecom.storage.lake import curated_tables


def _write_parquet(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as connection:
        connection.register("frame", frame)
        connection.execute(f"copy frame to '{path}' (format parquet)")


def _publish(zone: Path, document: dict) -> None:
    zone.mkdir(parents=True, exist_ok=True)
    (zone / "_current.json").write_text(json.dumps(document))


def test_quarantine_is_that_of_the_runs_the_staged_publication_holds(tmp_path) -> None:
    rows = pd.DataFrame({"reason": ["negative_price"]})
    quarantine = tmp_path / "quarantine" / "events"
    kept = quarantine / "ingest_run_id=r1" / "part-0.parquet"
    _write_parquet(kept, rows)
    # A killed run's rows, and a half-written file: on disk, not published.
    _write_parquet(quarantine / "ingest_run_id=r2" / "part-0.parquet", rows)
    _write_parquet(quarantine / "ingest_run_id=r1" / "_temporary.parquet", rows)
    _publish(tmp_path / "staged", {"format": 1, "tables": {}, "quarantine_runs": ["r1"]})
    assert quarantine_files(tmp_path) == [kept]


def test_no_staged_publication_means_no_quarantine(tmp_path) -> None:
    _write_parquet(
        tmp_path / "quarantine" / "events" / "ingest_run_id=r1" / "part-0.parquet",
        pd.DataFrame({"reason": ["x"]}),
    )
    assert quarantine_files(tmp_path) == []


def test_curated_tables_are_those_the_publication_names(tmp_path) -> None:
    tables = curated_tables("online-retail")
    for name in tables:  # every table folder on disk
        (tmp_path / "curated" / name / "v-r1").mkdir(parents=True)
    assert not has_curated_tables(tmp_path)  # folders, but nothing published
    entries = {name: {"version": "v-r1"} for name in tables}
    _publish(tmp_path / "curated", {"format": 1, "source": "online-retail", "tables": entries})
    assert has_curated_tables(tmp_path)
    del entries[tables[0]]
    _publish(tmp_path / "curated", {"format": 1, "source": "online-retail", "tables": entries})
    assert not has_curated_tables(tmp_path)


def test_model_stages_of_the_latest_report_that_has_them(tmp_path) -> None:
    runs = tmp_path / "reports" / "runs"
    runs.mkdir(parents=True)
    reports = {
        "a": {"finished_at": "2026-01-01T00:00:00Z", "models": {"churn_clv": {"status": "done"}}},
        "b": {
            "finished_at": "2026-01-02T00:00:00Z",
            "models": {"churn_clv": {"status": "skipped", "reason": "too short"}},
        },
        "c": {"finished_at": "2026-01-03T00:00:00Z", "models": {}},  # the model did not run
    }
    for run_id, report in reports.items():
        (runs / f"{run_id}.json").write_text(
            json.dumps(
                {
                    "report_version": 3,
                    "run_id": run_id,
                    "steps": ["model"],
                    "status": "succeeded",
                    "rows": {},
                    "model": {},
                    **report,
                }
            )
        )
    assert model_stages(tmp_path) == {"churn_clv": {"status": "skipped", "reason": "too short"}}
    assert model_stages(tmp_path / "elsewhere") == {}


def test_score_rows_without_their_evaluation_are_not_shown(spec) -> None:
    visual = next(v for s in spec["sheets"] for v in s["visuals"] if v["id"] == "churn_risk")
    churn_risk = pd.DataFrame(
        {
            "risk_band": ["high", "low", "medium"],
            "revenue_at_risk": [50.0, 5.0, 20.0],
            "customers": [2, 10, 4],
            "churn_roc_auc": [0.8, 0.8, None],  # medium: scores without their evaluation
            "churn_pr_auc": [0.6, 0.6, 0.6],
        }
    )
    query = build_query(spec, visual, Selection())
    with duckdb.connect() as connection:
        connection.register("churn_risk", churn_risk)
        result = connection.execute(query.sql, query.params).df()
    assert list(result["risk_band"]) == ["high", "low"]
    assert list(result["revenue_at_risk"]) == [50.0, 5.0]
    assert list(result["churn_roc_auc"]) == [0.8, 0.8]


def test_profile_shares_and_averages_are_of_the_filtered_rows(retail_spec) -> None:
    """Rows per segment and country, filtered to one country, then summed per segment and
    divided: shares of that country's totals, averages of its customers (by hand below)."""
    visual = next(v for _, v in visuals(retail_spec) if v["id"] == "segment_profile")
    rows = pd.DataFrame(
        {
            "segment": ["Loyal", "Loyal", "New", "New"],
            "country": ["EIRE", "France", "EIRE", "France"],
            "customers": [3, 100, 1, 100],
            "orders": [9, 100, 2, 100],
            "revenue": [600.0, 1.0, 200.0, 1.0],
            "total_recency_days": [30, 100, 5, 100],
        }
    )
    query = build_query(retail_spec, visual, Selection(values={"country": ["EIRE"]}))
    with duckdb.connect() as connection:
        connection.register("customer_segments_by_country", rows)
        result = connection.execute(query.sql, query.params).df()
    assert result.to_dict("records") == [
        # EIRE: 4 customers, 800.00; Loyal 3 of them (75%), 600 of it, 9 orders.
        {
            "segment": "Loyal",
            "customers": 3,
            "customer_share": 0.75,
            "revenue": 600.0,
            "revenue_share": 0.75,
            "average_spend": 200.0,
            "average_order_value": 600 / 9,
            "orders_per_customer": 3.0,
            "average_recency_days": 10.0,
        },
        {
            "segment": "New",
            "customers": 1,
            "customer_share": 0.25,
            "revenue": 200.0,
            "revenue_share": 0.25,
            "average_spend": 200.0,
            "average_order_value": 100.0,
            "orders_per_customer": 2.0,
            "average_recency_days": 5.0,
        },
    ]
