"""Customer segments end to end on the Online Retail lake (tests/e2e/conftest.py): after each
delivery the segments cover every identified customer exactly (checked against a plain-Python
reading of the raw files), the SCD Type 2 history has one open spell per customer and gains
rows only for customers whose segment changed, and a rerun on the same data changes nothing.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest

from tests.e2e.conftest import RETAIL_K_VALUES
from tests.e2e.views_both_engines import agreeing_views
from tests.reference_retail import customers_as_of, last_sale_day

pytestmark = pytest.mark.e2e

SEGMENT_VIEWS = (
    "customer_segments",
    "customer_segments_by_country",
    "segment_transitions",
    "segment_model_quality",
)


def by_customer(rows, key="user_id"):
    return {row[key]: row for row in rows}


def current_segments(run):
    return {row["user_id"]: row["segment"] for row in run.seen("customers")["customer_features"]}


def test_features_equal_the_reference_and_segments_cover_every_customer(retail_deliveries):
    _, _, runs, _ = retail_deliveries
    for run in runs:
        as_of = last_sale_day(run.reference)
        expected = customers_as_of(run.reference, as_of)
        features = by_customer(run.seen("customers")["customer_features"])
        assert set(features) == set(expected)
        for number, values in expected.items():
            got = features[number]
            assert {name: got[name] for name in values} == values, number
            assert got["as_of_date"] == as_of
        segments = Counter(row["segment"] for row in features.values())
        assert None not in segments
        assert sum(segments.values()) == len(expected)
        entry = run.report["models"]["segments"]
        assert entry["status"] == "done" and entry["customers"] == len(expected)


def test_every_customer_has_exactly_one_current_spell(retail_deliveries):
    _, _, runs, rerun = retail_deliveries
    for run in [*runs, rerun]:
        history = run.seen("customers")["dim_customer_segment"]
        current = Counter(row["user_id"] for row in history if row["is_current"])
        assert set(current.values()) == {1}
        segments = current_segments(run)
        assert set(current) == set(segments)
        for row in history:
            if row["is_current"]:
                assert row["segment"] == segments[row["user_id"]]
                assert row["valid_to"] is None
            else:
                assert row["valid_to"] >= row["valid_from"]


def test_a_later_delivery_adds_spells_only_for_customers_whose_segment_changed(
    retail_deliveries,
):
    _, _, runs, _ = retail_deliveries
    for before, after in pairwise(runs):
        old, new = current_segments(before), current_segments(after)
        moved = {number for number in new if number in old and old[number] != new[number]}
        arrived = set(new) - set(old)
        assert moved, "the later days move some customers"
        run_id = after.report["run_id"]
        history = after.seen("customers")["dim_customer_segment"]
        opened = {row["user_id"] for row in history if row["changed_by_run"] == run_id}
        assert opened == moved | arrived
        as_of = last_sale_day(after.reference)
        closed_now = {row["user_id"] for row in history if row["valid_to"] == as_of}
        assert closed_now == moved
        previous = before.seen("customers")["dim_customer_segment"]
        assert len(history) == len(previous) + len(opened)


def test_a_rerun_on_the_same_data_gives_the_same_segments_and_names(retail_deliveries):
    _, _, runs, rerun = retail_deliveries
    last = runs[-1]
    assert rerun.report["model"]["mode"] == "incremental"
    columns = ("user_id", "segment", "cluster", "rfm_score", "recency_days", "monetary")

    def rows(run, table, drop=()):
        return sorted(
            tuple(value for name, value in sorted(row.items()) if name not in drop)
            for row in run.seen("customers")[table]
        )

    assert sorted(
        tuple(row[name] for name in columns) for row in rerun.seen("customers")["customer_features"]
    ) == sorted(
        tuple(row[name] for name in columns) for row in last.seen("customers")["customer_features"]
    )
    assert (
        rerun.report["models"]["segments"]["segments"]
        == (last.report["models"]["segments"]["segments"])
    )
    # No spell opened or closed: the history is the same rows.
    assert rows(rerun, "dim_customer_segment") == rows(last, "dim_customer_segment")
    metrics = {
        run.report["run_id"]: sorted(
            (row["k"], row["metric"], row["value"])
            for row in rerun.seen("customers")["model_runs"]
            if row["run_id"] == run.report["run_id"]
        )
        for run in (last, rerun)
    }
    assert metrics[last.report["run_id"]] == metrics["rerun"]


def test_model_runs_record_every_k_and_the_silhouette_chooses(retail_deliveries):
    _, _, runs, _ = retail_deliveries
    for run in runs:
        run_id = run.report["run_id"]
        rows = [row for row in run.seen("customers")["model_runs"] if row["run_id"] == run_id]
        metrics = {(row["k"], row["metric"]): row["value"] for row in rows}
        assert set(metrics) == {
            (k, metric)
            for k in RETAIL_K_VALUES
            for metric in ("silhouette", "inertia", "calinski_harabasz", "davies_bouldin")
        }
        silhouettes = {k: metrics[(k, "silhouette")] for k in RETAIL_K_VALUES}
        best = max(silhouettes, key=lambda k: (silhouettes[k], -k))
        assert {row["k"] for row in rows if row["is_chosen"]} == {best}
        assert run.report["models"]["segments"]["k"] == best
        inertia = [metrics[(k, "inertia")] for k in RETAIL_K_VALUES]
        assert all(value > 0 for value in inertia)


def test_segment_views_agree_on_duckdb_and_spark_and_add_up(spark, retail_deliveries, tmp_path):
    """The segment views alone (the retail lake has no clickstream tables for the others)."""
    _, lake, _, rerun = retail_deliveries
    features = rerun.seen("customers")["customer_features"]
    with agreeing_views(spark, lake.root, SEGMENT_VIEWS, tmp_path) as local:
        segments = local.query("select * from customer_segments").records()
        by_country = local.query("select * from customer_segments_by_country").records()
        transitions = local.query("select * from segment_transitions").records()
    assert sum(row["customers"] for row in segments) == len(features)
    assert sum(row["revenue"] for row in segments) == sum(row["monetary"] for row in features)
    assert sum(row["customer_share"] for row in segments) == pytest.approx(1.0)
    # Per segment and country: the customers of the features (whose country the reference
    # checks), and the segments' figures again when the countries are added up.
    expected = Counter((row["segment"], row["country"] or "unknown") for row in features)
    assert {(r["segment"], r["country"]): r["customers"] for r in by_country} == expected
    assert len(expected) > len(segments)  # the shared days hold customers of many countries
    for segment in segments:
        rows = [row for row in by_country if row["segment"] == segment["segment"]]
        assert sum(row["revenue"] for row in rows) == segment["revenue"]
        assert sum(row["orders"] for row in rows) / segment["customers"] == pytest.approx(
            segment["orders_per_customer"]
        )
    # Transitions per country add up to the spells the history opened.
    history = rerun.seen("customers")["dim_customer_segment"]
    assert sum(row["customers"] for row in transitions) == len(history)
