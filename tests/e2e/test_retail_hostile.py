"""Hostile Online Retail input, in one pipeline run: each line's fate counted by hand.

Every expectation is written out from the lines this module writes (and cross-checked with
tests/reference_retail.py, which reads the same files independently); nothing comes from
the code under test. Also: two sources in one run, or a run of another source into a lake,
stop before anything is written.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecom.errors import InvalidArgumentError, MixedSourcesError
from ecom.jobs.pipeline import run_pipeline
from ecom.sources.clickstream.contract import RAW_HEADER as CLICKSTREAM_HEADER
from ecom.storage.lake import Lake
from tests.lakeread import read_curated, read_staged
from tests.reference_retail import read_retail

pytestmark = pytest.mark.e2e

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"

FILES: dict[str, bytes] = {
    # ISO dates, BOM and CRLF, a quoted description with a comma and doubled quotes.
    "2010-12-01.csv": (
        "\ufeff" + HEADER + "\r\n"
        "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\r\n"
        '536365,71053,"METAL LANTERN, WHITE",2,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\r\n'
        '536366,22633,"RECORD FRAME 7"" SINGLE",1,2010-12-01 08:28:00,0.001,,United Kingdom\r\n'
        "536366,22633,RECORD FRAME,1000,2010-12-01 08:28:00,0.001,,United Kingdom\r\n"
        "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom\r\n"
        # a cancellation with a positive quantity is still a cancellation
        "C536380,22633,RECORD FRAME,2,2010-12-01 09:45:00,1.25,17850,United Kingdom\r\n"
        # an exact duplicate (after trimming) of the first line
        "536365, 85123A ,WHITE HANGING HEART ,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\r\n"
    ).encode("utf-8"),
    # The original UCI export: M/d/yyyy H:mm dates, Latin-1 text, columns in another order.
    "2010-12-02.csv": (
        "country,customerid,invoiceno,stockcode,description,quantity,invoicedate,unitprice\n"
        "France,12583,536370,22728,ALARM CLOCK £ ROSE,24,12/2/2010 8:45,3.75\n"
        "France,12583.0,536370,post,POSTAGE,3,12/2/2010 8:45,18\n"
        "EIRE,,536371,15056bl,EDWARDIAN PARASOL,2,12/2/2010 9:00,5.95\n"
        "EIRE,,536371,15056BL,EDWARDIAN PARASOL,1,12/2/2010 9:00,5.95\n"
        "United Kingdom,,A563185,B,Adjust bad debt,1,12/2/2010 14:50,11062.06\n"
        "United Kingdom,,536372,22139,damaged,-5,12/2/2010 15:00,0\n"
    ).encode("latin-1"),
    # Lines to quarantine, one reason each (and one good line).
    "2010-12-03.csv": (
        HEADER + "\n"
        "536380,22727,ALARM CLOCK,1,2010-12-03 10:00:00,3.75,13047.0,United Kingdom\n"
        "536381,22727,ALARM CLOCK,1,2010-12-03 10:00:00,3.75,13047.0\n"  # 7 fields
        ",22727,ALARM CLOCK,1,2010-12-03 10:00:00,3.75,13047.0,United Kingdom\n"
        "536382,,ALARM CLOCK,1,2010-12-03 10:00:00,3.75,13047.0,United Kingdom\n"
        "536383,22727,ALARM CLOCK,1.5,2010-12-03 10:00:00,3.75,13047.0,United Kingdom\n"
        "536384,22727,ALARM CLOCK,1,2010-13-45 10:00:00,3.75,13047.0,United Kingdom\n"
        "536385,22727,ALARM CLOCK,1,2010-12-03 10:00:00,3.7512,13047.0,United Kingdom\n"
        "536386,22727,ALARM CLOCK,1,2010-12-03 10:00:00,3.75,13047.5,United Kingdom\n"
    ).encode("utf-8"),
}
QUARANTINED = {
    "malformed_row": 1,
    "missing_invoice_no": 1,
    "missing_stock_code": 1,
    "invalid_quantity": 1,
    "invalid_invoice_date": 1,
    "invalid_unit_price": 1,
    "invalid_customer_id": 1,
}


@pytest.fixture(scope="module")
def hostile_lake(spark, tmp_path_factory):
    raw = tmp_path_factory.mktemp("retail-hostile-raw")
    for name, content in FILES.items():
        (raw / name).write_bytes(content)
    lake = Lake(str(tmp_path_factory.mktemp("retail-hostile") / "lake"))
    report = run_pipeline(spark, str(raw), lake.root, run_id="h1", show_progress=False)
    return raw, lake, report


def test_every_line_is_accounted_for(hostile_lake) -> None:
    raw, _, report = hostile_lake
    rows = report["rows"]
    assert report["source"] == "online-retail"
    assert rows["read"] == 21
    assert rows["duplicates_dropped"] == 1
    assert report["quarantined_by_reason"] == QUARANTINED
    assert rows["staged_by_kind"] == {"sale": 9, "cancellation": 2, "adjustment": 2}
    assert rows["reconciles"]
    reference = read_retail(sorted(raw.glob("*.csv")))
    assert (reference.rows_read, reference.duplicates) == (21, 1)
    assert dict(reference.quarantined) == QUARANTINED
    assert reference.counts == rows["staged_by_kind"]


def test_quarantine_keeps_the_raw_line_and_names_the_column(spark, hostile_lake) -> None:
    _, lake, _ = hostile_lake
    rows = spark.read.parquet(lake.quarantine).collect()
    by_reason = {row["reason"]: row for row in rows}
    assert by_reason["invalid_unit_price"]["reason_column"] == "UnitPrice"
    assert "3.7512" in by_reason["invalid_unit_price"]["raw_line"]
    assert by_reason["invalid_customer_id"]["reason_column"] == "CustomerID"
    assert by_reason["malformed_row"]["reason_column"] is None


def test_uci_dates_latin1_and_customer_ids_are_read(spark, hostile_lake) -> None:
    _, lake, _ = hostile_lake
    staged = {
        (row["invoice_no"], row["stock_code"]): row for row in read_staged(spark, lake).collect()
    }
    clock = staged[("536370", "22728")]
    assert clock["description"] == "ALARM CLOCK £ ROSE"
    assert clock["invoiced_at"].isoformat() == "2010-12-02T08:45:00"
    assert clock["customer_id"] == 12583
    assert staged[("536370", "post")]["customer_id"] == 12583
    assert staged[("536365", "71053")]["description"] == "METAL LANTERN, WHITE"
    assert staged[("536366", "22633")]["unit_price"] == Decimal("0.001")
    assert staged[("536371", "15056bl")]["customer_id"] is None
    assert staged[("C536380", "22633")]["line_kind"] == "cancellation"
    assert staged[("A563185", "B")]["adjustment_reason"] == "bad_debt_adjustment"
    assert staged[("536372", "22139")]["adjustment_reason"] == "non_positive_quantity"


def test_facts_and_dimensions_follow_the_line_rules(spark, hostile_lake) -> None:
    _, lake, _ = hostile_lake
    purchases = read_curated(spark, lake, "fact_purchases").collect()
    # 2 lines of 536365, 2 of 536366, 2 of 536370, 2 of 536371, 1 of 536380 (minus the
    # quarantined lines of 2010-12-03, which also hold no sale of 536381-536386).
    assert sorted(row["order_id"] for row in purchases) == sorted(
        ["536365"] * 2 + ["536366"] * 2 + ["536370"] * 2 + ["536371"] * 2 + ["536380"]
    )
    totals = {(row["order_id"], row["stock_code"], row["quantity"]): row for row in purchases}
    # 0.001 × 1000 = 1.000 exactly; 1 × 0.001 = 0.001
    assert totals[("536366", "22633", 1000)]["revenue"] == Decimal("1.000")
    assert totals[("536366", "22633", 1)]["revenue"] == Decimal("0.001")
    parasol = [row for row in purchases if row["order_id"] == "536371"]
    assert {row["stock_code"] for row in parasol} == {"15056BL"}  # one product
    assert all(row["user_key"] is None for row in parasol)  # guests
    cancellations = read_curated(spark, lake, "fact_cancellations").collect()
    assert sorted((row["order_id"], row["cancelled_revenue"]) for row in cancellations) == [
        ("C536379", Decimal("27.500")),
        ("C536380", Decimal("2.500")),
    ]
    products = {
        row["stock_code"]: row for row in read_curated(spark, lake, "dim_product").collect()
    }
    assert products["POST"]["code_kind"] == "postage" and not products["POST"]["is_product"]
    assert products["D"]["code_kind"] == "discount"
    assert products["15056BL"]["is_product"]
    users = {row["user_id"]: row for row in read_curated(spark, lake, "dim_user").collect()}
    assert set(users) == {17850, 14527, 12583, 13047}
    assert users[12583]["country"] == "France"
    # 17850: 6 × 2.55 + 2 × 3.39 = 22.08 in sales; cancelled 2 × 1.25 = 2.50
    assert users[17850]["revenue"] == Decimal("22.08")
    assert users[17850]["cancelled_revenue"] == Decimal("2.50")


def test_two_sources_in_one_run_stop_before_anything_is_written(spark, tmp_path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "events.csv").write_text(CLICKSTREAM_HEADER + "\n")
    (raw / "invoices.csv").write_text(HEADER + "\n")
    lake = tmp_path / "lake"
    with pytest.raises(MixedSourcesError) as error:
        run_pipeline(spark, str(raw), str(lake), run_id="mixed", show_progress=False)
    message = str(error.value)
    assert "clickstream: " in message and "events.csv" in message
    assert "online-retail: " in message and "invoices.csv" in message
    assert "\n" not in message
    assert not (lake / "staged").exists() and not (lake / "quarantine").exists()


def test_a_retail_file_into_a_clickstream_lake_is_refused(spark, hostile_lake, tmp_path) -> None:
    raw_retail, lake, _ = hostile_lake
    with pytest.raises(InvalidArgumentError, match="this lake holds online-retail data"):
        run_pipeline(
            spark, str(raw_retail), lake.root, run_id="x", show_progress=False, source="clickstream"
        )
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "events.csv").write_text(CLICKSTREAM_HEADER + "\n")
    with pytest.raises(MixedSourcesError, match=r"clickstream: .*events\.csv.*holds online-retail"):
        run_pipeline(spark, str(raw), lake.root, run_id="y", show_progress=False)
