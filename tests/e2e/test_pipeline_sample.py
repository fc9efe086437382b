"""End to end on the real 17k-row sample: counts and money against a plain-Python reading."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyspark.sql.functions as F
import pytest

from ecom.jobs.pipeline import run_pipeline
from ecom.sources.clickstream import CLICKSTREAM
from ecom.storage.lake import Lake, curated_tables
from tests.lakeread import parquet_encodings, read_curated
from tests.reference import read_expected

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sample_run(spark, clickstream_sample, tmp_path_factory):
    lake = tmp_path_factory.mktemp("lake-sample")
    raw = clickstream_sample.parent
    report = run_pipeline(spark, str(raw), str(lake), run_id="sample-run", show_progress=False)
    return report, Lake(str(lake)), read_expected(sorted(raw.glob("*.csv")))


def test_rows_reconcile_with_independent_counts(sample_run) -> None:
    report, _, expected = sample_run
    rows = report["rows"]
    assert rows["read"] == expected.rows_read == 17_435  # every data line of the file
    assert rows["staged"] == expected.staged
    assert rows["duplicates_dropped"] == expected.duplicates == 5
    assert report["quarantined_by_reason"] == dict(expected.quarantined)
    assert rows["read"] == rows["staged"] + rows["quarantined"] + rows["duplicates_dropped"]
    assert rows["reconciles"] is True


def test_purchase_revenue_equals_independent_sum(spark, sample_run) -> None:
    _, lake, expected = sample_run
    purchases = read_curated(spark, lake, "fact_purchases")
    total = purchases.agg(F.sum("revenue")).collect()[0][0]
    assert total == expected.revenue()
    assert purchases.count() == len(expected.purchases()) == 214
    assert expected.revenue() > Decimal("0")


def test_dimension_and_session_counts(spark, sample_run) -> None:
    _, lake, expected = sample_run
    counts = {
        name: read_curated(spark, lake, name).count() for name in curated_tables("clickstream")
    }
    assert counts["fact_sessions"] == len(expected.sessions())
    assert counts["dim_user"] == len(expected.users())
    assert counts["dim_product"] == len(expected.products())
    assert counts["dim_category"] == len(expected.categories())
    assert counts["dim_time"] == 1 and counts["fact_daily_summary"] == 1
    daily = read_curated(spark, lake, "fact_daily_summary").collect()[0]
    by_type = expected.by_type()
    assert (daily["views"], daily["carts"], daily["purchase_events"]) == (
        by_type["view"],
        by_type["cart"],
        by_type["purchase"],
    )
    assert daily["orders"] == len(expected.orders())


def test_report_saved_in_lake_and_quarantine_keeps_raw_line(spark, sample_run) -> None:
    report, lake, _ = sample_run
    saved = json.loads(Path(report["report_path"].removeprefix("file:")).read_text())
    assert saved["rows"] == report["rows"] and saved["run_id"] == "sample-run"
    assert set(saved["tables"]) == set(curated_tables("clickstream"))
    quarantine = spark.read.parquet(lake.quarantine).collect()
    assert [row["reason"] for row in quarantine] == ["malformed_row"]
    assert quarantine[0]["raw_line"].endswith(",25.71,52040330")  # the file's truncated last line


def test_nearly_unique_staged_columns_are_written_without_a_dictionary(sample_run) -> None:
    _, lake, _ = sample_run
    zone, name = lake.staged_events.rsplit("/", 1)
    encodings = parquet_encodings(Path(zone) / name)
    plain = CLICKSTREAM.plain_columns
    assert plain and set(plain) <= set(encodings), (plain, sorted(encodings))
    dictionary = {
        column for column, used in encodings.items() if any("DICTIONARY" in e for e in used)
    }
    assert not dictionary & set(plain), {column: encodings[column] for column in plain}
    # Per column, not for the whole file: the few-valued ones keep theirs.
    assert {"event_type", "brand", "source_file"} <= dictionary, encodings
