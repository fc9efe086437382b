"""Online Retail line rules on small inline frames, one rule a test: decoding, dates,
customer ids, the reasons a line is quarantined, line kinds, duplicates, product codes and
their kinds, exact line totals, and the facts they feed. Expected values are written out by
hand from the rules in the README ("Online Retail line rules")."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pyspark.sql.functions as F
import pytest
from chispa import assert_df_equality
from pyspark.sql.types import BinaryType, StringType, StructField, StructType

from ecom.sources.base import layout_of
from ecom.sources.online_retail.contract import PUBLISHED_HEADER, RAW_COLUMNS
from ecom.sources.online_retail.lines import LINE_COLUMNS, to_staged, validate_lines
from ecom.sources.staging import drop_exact_duplicates
from ecom.transforms.online_retail.facts import build_fact_cancellations
from ecom.transforms.online_retail.lines import code_kind, is_product_code, line_total

LAYOUT = layout_of("day.csv", PUBLISHED_HEADER, RAW_COLUMNS)
LINES_SCHEMA = StructType(
    [StructField("value", BinaryType()), StructField("source_file", StringType())]
)
SALE = "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom"


def lines(spark, *texts: str | bytes):
    """Raw lines as the text source gives them: their bytes, with the file they came from."""
    rows = [(t if isinstance(t, bytes) else t.encode("utf-8"), "day.csv") for t in texts]
    return spark.createDataFrame(rows, LINES_SCHEMA)


def staged(spark, *texts: str | bytes):
    return to_staged(validate_lines(lines(spark, *texts), LAYOUT), "r1", F.current_timestamp())


def with_field(line: str, index: int, value: str) -> str:
    fields = line.split(",")
    fields[index] = value
    return ",".join(fields)


def test_both_date_forms_give_the_same_time(spark) -> None:
    uci = with_field(SALE, 4, "12/1/2010 8:26")
    rows = staged(spark, SALE, uci).select("invoiced_at").collect()
    assert [row["invoiced_at"] for row in rows] == [datetime(2010, 12, 1, 8, 26)] * 2


def test_latin1_and_utf8_lines_decode_to_the_same_text(spark) -> None:
    text = with_field(SALE, 2, "SET OF 3 £ TINS")
    rows = staged(spark, text.encode("utf-8"), text.encode("latin-1")).collect()
    assert [row["description"] for row in rows] == ["SET OF 3 £ TINS"] * 2


def test_customer_ids_integer_float_form_and_guests(spark) -> None:
    guest = with_field(SALE, 6, "")
    as_float = with_field(SALE, 6, "17850.0")
    result = staged(spark, SALE, as_float, guest).select("customer_id")
    expected = spark.createDataFrame([(17850,), (17850,), (None,)], "customer_id bigint")
    assert_df_equality(result, expected, ignore_row_order=True)


@pytest.mark.parametrize(
    ("index", "value", "reason"),
    [
        (0, "", "missing_invoice_no"),
        (1, " ", "missing_stock_code"),
        (3, "1.5", "invalid_quantity"),
        (3, "abc", "invalid_quantity"),
        (4, "2010-13-01 08:26:00", "invalid_invoice_date"),
        (5, "2.5551", "invalid_unit_price"),  # more than 3 decimal places
        (5, "two", "invalid_unit_price"),
        (6, "17850.5", "invalid_customer_id"),
    ],
)
def test_a_bad_field_quarantines_the_line_with_its_reason(spark, index, value, reason) -> None:
    validated = validate_lines(lines(spark, with_field(SALE, index, value)), LAYOUT)
    row = validated.collect()[0]
    assert row["reason"] == reason
    assert row["raw_line"] == with_field(SALE, index, value)  # kept for the quarantine


def test_a_line_with_too_few_fields_is_malformed(spark) -> None:
    row = validate_lines(lines(spark, "536365,85123A,6"), LAYOUT).collect()[0]
    assert row["reason"] == "malformed_row"


def test_quoted_commas_and_quotes_in_descriptions(spark) -> None:
    text = '536365,22423,"REGENCY CAKESTAND, 3 ""TIER""",2,2010-12-01 08:26:00,12.75,17850,UK'
    row = staged(spark, text).collect()[0]
    assert row["description"] == 'REGENCY CAKESTAND, 3 "TIER"'
    assert row["unit_price"] == Decimal("12.750")


def test_line_kinds_and_adjustment_reasons(spark) -> None:
    cancelled = with_field(with_field(SALE, 0, "C536379"), 3, "-1")
    cancelled_positive = with_field(SALE, 0, "C536380")  # a C invoice with Quantity 6
    bad_debt = with_field(SALE, 0, "A563185")
    returned = with_field(SALE, 3, "-2")  # no C, negative quantity
    free = with_field(SALE, 5, "0")
    negative = with_field(SALE, 5, "-11062.06")
    result = staged(
        spark, SALE, cancelled, cancelled_positive, bad_debt, returned, free, negative
    ).select("invoice_no", "quantity", "unit_price", "line_kind", "adjustment_reason")
    expected = spark.createDataFrame(
        [
            ("536365", 6, Decimal("2.550"), "sale", None),
            ("C536379", -1, Decimal("2.550"), "cancellation", None),
            ("C536380", 6, Decimal("2.550"), "cancellation", None),
            ("A563185", 6, Decimal("2.550"), "adjustment", "bad_debt_adjustment"),
            ("536365", -2, Decimal("2.550"), "adjustment", "non_positive_quantity"),
            ("536365", 6, Decimal("0.000"), "adjustment", "zero_price"),
            ("536365", 6, Decimal("-11062.060"), "adjustment", "negative_price"),
        ],
        "invoice_no string, quantity int, unit_price decimal(18,3), line_kind string, "
        "adjustment_reason string",
    )
    assert_df_equality(result, expected, ignore_row_order=True, ignore_nullable=True)


def test_exact_duplicates_count_once_after_trimming(spark) -> None:
    padded = SALE.replace(",6,", ", 6 ,")  # equal after trimming
    other = with_field(SALE, 3, "7")
    rows = staged(spark, SALE, padded, other, SALE)
    result = drop_exact_duplicates(rows, 1, LINE_COLUMNS).select("quantity")
    expected = spark.createDataFrame([(6,), (7,)], "quantity int")
    assert_df_equality(result, expected, ignore_row_order=True, ignore_nullable=True)


def test_product_codes_and_the_kinds_of_the_others(spark) -> None:
    codes = [
        "15056BL",
        "15056bl",
        "85123A",
        "POST",
        "DOT",
        "M",
        "D",
        "C2",
        "S",
        "BANK CHARGES",
        "AMAZONFEE",
        "CRUK",
        "DCGS0003",
        "gift_0001_20",
        "PADS",
    ]
    frame = spark.createDataFrame([(code,) for code in codes], "stock_code string")
    upper = F.upper(F.col("stock_code"))
    result = frame.select(
        "stock_code", is_product_code(upper).alias("is_product"), code_kind(upper).alias("kind")
    )
    expected = spark.createDataFrame(
        [
            ("15056BL", True, "product"),
            ("15056bl", True, "product"),
            ("85123A", True, "product"),
            ("POST", False, "postage"),
            ("DOT", False, "postage"),
            ("M", False, "manual"),
            ("D", False, "discount"),
            ("C2", False, "carriage"),
            ("S", False, "samples"),
            ("BANK CHARGES", False, "bank_charges"),
            ("AMAZONFEE", False, "marketplace_fee"),
            ("CRUK", False, "commission"),
            ("DCGS0003", False, "dotcom_gift_shop"),
            ("gift_0001_20", False, "gift_voucher"),
            ("PADS", False, "other"),
        ],
        "stock_code string, is_product boolean, kind string",
    )
    assert_df_equality(result, expected, ignore_nullable=True)


def test_line_totals_are_exact_with_thousandth_prices(spark) -> None:
    frame = spark.createDataFrame(
        [(100, Decimal("0.001")), (3, Decimal("0.555")), (-12, Decimal("1.250"))],
        "quantity int, unit_price decimal(18,3)",
    )
    result = frame.select(line_total(F.col("quantity"), F.col("unit_price")).alias("total"))
    expected = spark.createDataFrame(
        [(Decimal("0.100"),), (Decimal("1.665"),), (Decimal("-15.000"),)], "total decimal(18,3)"
    )
    assert_df_equality(result, expected, ignore_nullable=True)
    # Summed before rounding: 3 × 0.555 three times is 4.995 → 5.00, not 3 × 1.67 = 5.01.
    thrice = spark.createDataFrame([(3, Decimal("0.555"))] * 3, frame.schema)
    summed = thrice.agg(F.round(F.sum(line_total(F.col("quantity"), F.col("unit_price"))), 2))
    assert summed.first()[0] == Decimal("5.00")


def test_cancelled_revenue_is_the_absolute_line_total(spark) -> None:
    cancelled = with_field(with_field(SALE, 0, "C536379"), 3, "-2")
    positive = with_field(SALE, 0, "C536380")  # Quantity 6 on a C invoice
    result = build_fact_cancellations(staged(spark, cancelled, positive)).select(
        "order_id", "revenue", "cancelled_revenue"
    )
    expected = spark.createDataFrame(
        [
            ("C536379", Decimal("-5.100"), Decimal("5.100")),
            ("C536380", Decimal("15.300"), Decimal("15.300")),
        ],
        "order_id string, revenue decimal(18,3), cancelled_revenue decimal(18,3)",
    )
    assert_df_equality(result, expected, ignore_row_order=True, ignore_nullable=True)
