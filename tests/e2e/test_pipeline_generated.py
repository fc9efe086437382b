"""End to end on generated data with hostile rows mixed in: every row accounted for, and the
curated tables agree with a plain-Python reading of the raw files (tests/reference.py)."""

from __future__ import annotations

import gzip
from datetime import date

import pyspark.sql.functions as F
import pytest

from ecom.devdata.generate import generate
from ecom.jobs.pipeline import run_pipeline
from ecom.sources.clickstream.contract import RAW_HEADER
from ecom.storage.lake import Lake
from tests.lakeread import read_curated
from tests.reference import read_expected

pytestmark = pytest.mark.e2e

# Reordered columns with an unknown extra one, and rows that must be quarantined.
ODD_HEADER = "user_session,event_type,event_time,product_id,category_id,category_code,brand,price,user_id,referrer"
ODD_ROWS = [
    "odd-s1,purchase,2019-11-30 23:59:59 UTC,1001,2053013555631882655,,acme,12.34,600000001,google",
    "odd-s1,purchase,2019-11-30 23:59:59 UTC,1001,2053013555631882655,,acme,12.34,600000001,bing",
    "odd-s2,view,2019-10-01 08:00:00 UTC,1002,2053013555631882655,kids.toys,,0.99,600000002,",
]
BAD_ROWS = [
    "2019-10-02 10:00:00 UTC,purchase,1,2,,,-5.00,3,bad-s1",  # negative price
    "2019-10-02 10:00:00 UTC,purchase,1,2,,,abc,3,bad-s1",  # non-numeric price
    "2019-10-02 10:00:00 UTC,purchase,1,2,,,,3,bad-s1",  # missing price
    "2019-10-02,view,1,2,,,1.00,3,bad-s1",  # unparsable time
    "2019-10-02 10:00:00 UTC,click,1,2,,,1.00,3,bad-s1",  # unknown type
    "2019-10-02 10:00:00 UTC,view,,2,,,1.00,3,bad-s1",  # null product id
    "2019-10-02 10:00:00 UTC,view,1,2,,,1.00,3,",  # no session
    "2019-10-02 10:00:00 UTC,view,1,2,,,1.00",  # too few columns
    '2019-10-02 10:00:00 UTC,view,1,2,"kids,toys",lego,2.50,3,quoted-s1',  # valid, quoted comma
]


@pytest.fixture(scope="module")
def generated_run(spark, tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    result = generate(raw / "gen", 20_000, seed=11, months=2, gzip=True)
    assert len(result.files) == 61 and result.duplicates > 0
    (raw / "odd.csv").write_text("\n".join([ODD_HEADER, *ODD_ROWS]) + "\n")
    (raw / "bad.csv").write_bytes(("\r\n".join([RAW_HEADER, *BAD_ROWS]) + "\r\n").encode())
    with gzip.open(raw / "header-only.csv.gz", "wt") as handle:
        handle.write(RAW_HEADER + "\n")
    (raw / "zero-bytes.csv").write_bytes(b"")
    lake = tmp_path_factory.mktemp("lake")
    report = run_pipeline(spark, str(raw), str(lake), run_id="gen-run", show_progress=False)
    files = sorted(path for path in raw.rglob("*") if path.is_file())
    return report, Lake(str(lake)), read_expected(files)


def test_every_row_is_accounted_for(generated_run) -> None:
    report, _, expected = generated_run
    rows = report["rows"]
    assert rows["read"] == expected.rows_read == 20_000 + len(ODD_ROWS) + len(BAD_ROWS)
    assert rows["staged"] == expected.staged
    assert rows["duplicates_dropped"] == expected.duplicates >= 2
    assert report["quarantined_by_reason"] == dict(expected.quarantined)
    assert sum(expected.quarantined.values()) == len(BAD_ROWS) - 1
    assert rows["read"] == rows["staged"] + rows["quarantined"] + rows["duplicates_dropped"]


def test_extra_column_warned_and_empty_files_reported(generated_run) -> None:
    report, _, _ = generated_run
    assert any("referrer" in warning and "odd.csv" in warning for warning in report["warnings"])
    statuses = {entry["path"].rsplit("/", 1)[-1]: entry["status"] for entry in report["files"]}
    assert statuses["zero-bytes.csv"] == "skipped"
    assert statuses["header-only.csv.gz"] == "read"
    assert len(statuses) == 61 + 4


def test_revenue_orders_and_dimensions_match(spark, generated_run) -> None:
    _, lake, expected = generated_run
    purchases = read_curated(spark, lake, "fact_purchases")
    assert purchases.agg(F.sum("revenue")).collect()[0][0] == expected.revenue()
    assert purchases.count() == len(expected.purchases())
    sessions = read_curated(spark, lake, "fact_sessions")
    assert sessions.count() == len(expected.sessions())
    assert sessions.where("is_converted").count() == len(expected.orders())
    assert read_curated(spark, lake, "dim_user").count() == len(expected.users())
    assert read_curated(spark, lake, "dim_product").count() == len(expected.products())
    assert read_curated(spark, lake, "dim_category").count() == len(expected.categories())


def test_monthly_revenue_and_daily_events_match(spark, generated_run) -> None:
    _, lake, expected = generated_run
    monthly = {
        row["year_month"]: row["revenue"]
        for row in read_curated(spark, lake, "fact_monthly_summary").collect()
    }
    assert monthly == expected.revenue_by_month()
    daily = {
        row["summary_date"]: row["events"]
        for row in read_curated(spark, lake, "fact_daily_summary").collect()
    }
    first, last = expected.dates()
    assert (first, last) == (date(2019, 10, 1), date(2019, 11, 30))
    assert len(daily) == (last - first).days + 1
    assert {day: count for day, count in daily.items() if count} == expected.events_by_day()


def test_quarantine_holds_raw_lines_with_reasons(spark, generated_run) -> None:
    _, lake, _ = generated_run
    rows = spark.read.parquet(lake.quarantine).where("ingest_run_id = 'gen-run'").collect()
    assert sorted(row["raw_line"] for row in rows) == sorted(BAD_ROWS[:-1])
    assert all(row["source_file"].endswith("bad.csv") for row in rows)


def test_customers_are_segmented_and_churn_waits_for_twice_the_horizon(generated_run) -> None:
    """61 days of sales: segments (enough customers), churn and CLV skipped (H = 90 needs 180
    days of history), each with its reason in the run report."""
    report, _, expected = generated_run
    segments, churn = report["models"]["segments"], report["models"]["churn_clv"]
    buyers = {purchase[7] for purchase in expected.purchases()}
    assert (segments["status"], segments["customers"]) == ("done", len(buyers))
    assert churn["status"] == "skipped"
    assert churn["reason"] == (
        "61 day(s) of sales history (2019-10-01 .. 2019-11-30), at least 180 needed "
        "for a 90-day horizon (--horizon-days)"
    )
