"""Ingest transforms on tiny inline data: splitting, typing, validation, de-duplication."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pyspark.sql.functions as F
import pytest
from chispa import assert_df_equality
from pyspark.sql.types import StringType, StructField, StructType

from ecom.errors import DataFrameMissingColumnError
from ecom.sources.base import layout_of
from ecom.sources.clickstream.contract import RAW_COLUMNS, RAW_HEADER
from ecom.sources.clickstream.lines import (
    EVENT_COLUMNS,
    STAGED_COLUMNS,
    to_staged,
    validate_lines,
)
from ecom.sources.staging import (
    drop_exact_duplicates,
    grouping_order,
    to_quarantine,
    with_raw_fields,
)

LINES_SCHEMA = StructType(
    [StructField("value", StringType()), StructField("source_file", StringType())]
)
LAYOUT = layout_of("day.csv", RAW_HEADER, RAW_COLUMNS)
GOOD = "2019-10-01 00:00:05 UTC,purchase,44600062,2103807459595387724,,shiseido,35.79,541312140,72d76fde-8bb3-4e00-8c23-a032dfed738c"


def lines(spark, *values: str | None):
    return spark.createDataFrame([(value, "day.csv") for value in values], LINES_SCHEMA)


def with_field(line: str, index: int, value: str) -> str:
    fields = line.split(",")
    fields[index] = value
    return ",".join(fields)


def test_with_raw_fields_splits_and_handles_quoted_commas(spark) -> None:
    quoted = '2019-10-01 00:00:05 UTC,view,1,2,"kids,toys",lego,"1,5",3,s1'
    rows = with_raw_fields(lines(spark, GOOD, quoted, "a,b", ""), LAYOUT, RAW_COLUMNS).collect()
    assert rows[0]["brand"] == "shiseido" and rows[0]["field_count"] == 9
    assert rows[0]["category_code"] == ""
    assert rows[1]["category_code"] == "kids,toys" and rows[1]["price"] == "1,5"
    assert rows[1]["field_count"] == 9
    assert rows[2]["field_count"] == 2 and rows[2]["price"] is None
    assert rows[3]["field_count"] == 1


def test_with_raw_fields_names_missing_columns(spark) -> None:
    frame = spark.createDataFrame([("x",)], "value string")
    with pytest.raises(DataFrameMissingColumnError, match="with_raw_fields: missing column"):
        with_raw_fields(frame, LAYOUT, RAW_COLUMNS)


REASON_CASES = [
    (GOOD, None),
    (with_field(GOOD, 5, ""), None),  # brand may be empty
    (GOOD + ",extra", "malformed_row"),
    ("2019-10-01 00:00:05 UTC,view", "malformed_row"),
    ("", "malformed_row"),
    (with_field(GOOD, 0, "2019-10-01 00:00:05"), "invalid_event_time"),
    (with_field(GOOD, 0, "2019-13-45 00:00:05 UTC"), "invalid_event_time"),
    (with_field(GOOD, 0, ""), "invalid_event_time"),
    (with_field(GOOD, 1, "click"), "invalid_event_type"),
    (with_field(GOOD, 1, ""), "invalid_event_type"),
    (with_field(GOOD, 2, "abc"), "invalid_product_id"),
    (with_field(GOOD, 2, "-5"), "invalid_product_id"),
    (with_field(GOOD, 3, ""), "invalid_category_id"),
    (with_field(GOOD, 3, "99999999999999999999"), "invalid_category_id"),
    (with_field(GOOD, 7, "1.5"), "invalid_user_id"),
    (with_field(GOOD, 7, "12."), "invalid_user_id"),  # a whole number has no '.'
    (with_field(GOOD, 7, "1e3"), "invalid_user_id"),
    (with_field(GOOD, 2, " +42 "), None),  # padded, signed: still the whole number 42
    (with_field(GOOD, 3, "0"), "invalid_category_id"),  # ids are positive
    (with_field(GOOD, 5, '"a, ""b"""'), None),  # a quoted brand with a comma and quotes
    (with_field(GOOD, 5, '"a",b'), "malformed_row"),  # a quoted line with a field too many
    (with_field(GOOD, 8, ""), "missing_user_session"),
    (with_field(GOOD, 6, ""), "missing_price"),
    (with_field(GOOD, 6, "12,34"), "malformed_row"),
    (with_field(GOOD, 6, "free"), "invalid_price"),
    (with_field(GOOD, 6, "-0.01"), "negative_price"),
    (with_field(GOOD, 6, "0.00"), None),
]


def test_validation_gives_the_first_failing_reason(spark) -> None:
    """One Spark job for all cases: each line's reason is listed next to it above."""
    rows = validate_lines(lines(spark, *[line for line, _ in REASON_CASES]), LAYOUT).collect()
    assert [row["reason"] for row in rows] == [reason for _, reason in REASON_CASES]
    # only rejected rows keep their raw line (for quarantine)
    assert [row["raw_line"] for row in rows] == [
        line if reason else None for line, reason in REASON_CASES
    ]


def test_reason_column_names_the_raw_column(spark) -> None:
    rows = validate_lines(
        lines(spark, with_field(GOOD, 6, "free"), with_field(GOOD, 8, ""), "x"), LAYOUT
    ).collect()
    assert [row["reason_column"] for row in rows] == ["price", "user_session", None]


def test_to_staged_types_values_and_keeps_valid_rows_only(spark) -> None:
    bad = with_field(GOOD, 1, "click")
    validated = validate_lines(lines(spark, GOOD, bad), LAYOUT)
    ingested_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    rows = to_staged(validated, "run-1", F.lit(ingested_at)).collect()
    assert len(rows) == 1
    row = rows[0].asDict()
    assert list(row) == list(STAGED_COLUMNS)
    assert row["event_at"] == datetime(2019, 10, 1, 0, 0, 5)  # session time zone is UTC
    assert row["event_date"] == date(2019, 10, 1)
    assert row["event_type"] == "purchase"
    assert row["category_id"] == 2103807459595387724
    assert row["category_code"] is None
    assert row["price"] == Decimal("35.79")
    assert row["session_id"] == "72d76fde-8bb3-4e00-8c23-a032dfed738c"
    assert row["ingest_run_id"] == "run-1"


def test_to_quarantine_keeps_raw_line_and_reason(spark) -> None:
    bad = with_field(GOOD, 6, "-3.00")
    validated = validate_lines(lines(spark, GOOD, bad), LAYOUT)
    rows = to_quarantine(validated, "run-1", F.current_timestamp()).collect()
    assert [(row["raw_line"], row["reason"], row["source_file"]) for row in rows] == [
        (bad, "negative_price", "day.csv")
    ]


def test_event_date_uses_utc_near_midnight(spark) -> None:
    late = with_field(GOOD, 0, "2019-10-31 23:59:59 UTC")
    row = to_staged(validate_lines(lines(spark, late), LAYOUT), "r", F.current_timestamp())
    assert row.collect()[0]["event_date"] == date(2019, 10, 31)


def test_drop_exact_duplicates_keeps_one_of_each_identical_event(spark) -> None:
    other_price = with_field(GOOD, 6, "35.80")
    same_value_other_text = with_field(GOOD, 6, "35.790")
    validated = validate_lines(
        lines(spark, GOOD, GOOD, other_price, same_value_other_text, GOOD), LAYOUT
    )
    staged = to_staged(validated, "r", F.current_timestamp())
    result = drop_exact_duplicates(staged, 2, EVENT_COLUMNS).select("price")
    expected = spark.createDataFrame(
        [(Decimal("35.79"),), (Decimal("35.80"),)], "price decimal(18,2)"
    )
    assert_df_equality(result, expected, ignore_row_order=True)


def test_drop_exact_duplicates_keeps_the_first_files_copy_in_write_order(spark) -> None:
    session = GOOD.split(",")[8]  # "72d7...": sorts before "b-session"
    late = with_field(GOOD, 0, "2019-10-01 00:00:09 UTC")
    other = with_field(with_field(GOOD, 0, "2019-10-01 00:00:01 UTC"), 8, "b-session")
    rows = [(GOOD, "day-b.csv"), (GOOD, "day-a.csv"), (late, "day-b.csv"), (other, "day-b.csv")]
    validated = validate_lines(spark.createDataFrame(rows, LINES_SCHEMA), LAYOUT)
    staged = to_staged(validated, "r", F.current_timestamp())
    result = drop_exact_duplicates(staged, 1, EVENT_COLUMNS, ("session_id", "event_at"))
    # One task: rows come out by date, session, time (the order the staged files keep), and
    # of GOOD's two copies the one of the file that sorts first is kept.
    seen = [
        (row["session_id"], row["event_at"].second, row["source_file"]) for row in result.collect()
    ]
    assert seen == [
        (session, 5, "day-a.csv"),
        (session, 9, "day-b.csv"),
        ("b-session", 1, "day-b.csv"),
    ]


def test_grouping_order_puts_the_date_and_the_write_order_first() -> None:
    assert grouping_order(("a", "b", "c"), ("c", "a")) == ["event_date", "c", "a", "b"]
    with pytest.raises(ValueError, match="order column"):
        grouping_order(("a",), ("z",))
