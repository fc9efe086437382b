"""Clickstream line rules: raw text lines → typed, validated staged events.

Rows are read as text lines so that a rejected row keeps its raw line for quarantine. Lines
without a double quote (all lines of the real dataset) are split on commas, which is much
cheaper than a CSV parser; lines with a quote go through Spark's CSV parser (`from_csv`), so
quoted commas are handled.
"""

from __future__ import annotations

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame
from pyspark.sql.types import (
    DateType,
    DecimalType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from ecom.sources.base import LINEAGE_COLUMNS, STAGED_DATE, Layout
from ecom.sources.clickstream.contract import EVENT_TYPES, RAW_COLUMNS
from ecom.sources.staging import (
    evaluate_once,
    first_reason,
    keep_raw_line_of_rejected,
    reason_column,
    to_long,
    try_cast,
    with_raw_fields,
)
from ecom.transforms.columns import MONEY, empty_to_null, require_columns

# Columns of a staged event, in order: attributes, measures, timestamps, lineage; then the
# partition column. Two staged rows are exact duplicates when EVENT_COLUMNS are equal.
EVENT_COLUMNS: tuple[str, ...] = (
    "event_at",
    "event_type",
    "product_id",
    "category_id",
    "category_code",
    "brand",
    "price",
    "user_id",
    "session_id",
)
STAGED_COLUMNS: tuple[str, ...] = (*EVENT_COLUMNS, *LINEAGE_COLUMNS, STAGED_DATE)
STAGED_SCHEMA = StructType(
    [
        StructField("event_at", TimestampType()),
        StructField("event_type", StringType()),
        StructField("product_id", LongType()),
        StructField("category_id", LongType()),
        StructField("category_code", StringType()),
        StructField("brand", StringType()),
        StructField("price", DecimalType(18, 2)),
        StructField("user_id", LongType()),
        StructField("session_id", StringType()),
        StructField("source_file", StringType()),
        StructField("ingest_run_id", StringType()),
        StructField("ingested_at", TimestampType()),
        StructField("event_date", DateType()),
    ]
)

# Reason codes, in the order they are checked: a row gets the first that applies.
REASONS: tuple[tuple[str, str | None], ...] = (
    ("malformed_row", None),
    ("invalid_event_time", "event_time"),
    ("invalid_event_type", "event_type"),
    ("invalid_product_id", "product_id"),
    ("invalid_category_id", "category_id"),
    ("invalid_user_id", "user_id"),
    ("missing_user_session", "user_session"),
    ("missing_price", "price"),
    ("invalid_price", "price"),
    ("negative_price", "price"),
)
REASON_CODES: tuple[str, ...] = tuple(code for code, _ in REASONS)

_TIMESTAMP_SUFFIX = " UTC"
_TIMESTAMP_LENGTH = len("2019-10-01 00:00:00 UTC")


def parse_event_time(column: str) -> Column:
    """`yyyy-MM-dd HH:mm:ss UTC` → timestamp (UTC session time zone); null when unparseable."""
    text = F.trim(F.col(column))
    well_formed = (F.length(text) == _TIMESTAMP_LENGTH) & text.endswith(_TIMESTAMP_SUFFIX)
    return F.when(well_formed, try_cast(column, "timestamp", "substring(trim(`{column}`), 1, 19)"))


def parse_id(column: str) -> Column:
    """A positive integer id → bigint; null when missing, non-numeric or not positive."""
    value = to_long(column)
    return F.when(value > 0, value)


def with_typed_columns(fields_df: DataFrame) -> DataFrame:
    """Raw string columns → typed event columns, keeping the raw strings for validation."""
    require_columns(fields_df, RAW_COLUMNS, "with_typed_columns")
    return fields_df.select(
        "*",
        parse_event_time("event_time").alias("event_at"),
        F.lower(F.trim(F.col("event_type"))).alias("_event_type"),
        parse_id("product_id").alias("_product_id"),
        parse_id("category_id").alias("_category_id"),
        empty_to_null(F.col("category_code")).alias("_category_code"),
        empty_to_null(F.col("brand")).alias("_brand"),
        try_cast("price", MONEY).alias("_price"),
        parse_id("user_id").alias("_user_id"),
        empty_to_null(F.col("user_session")).alias("session_id"),
    )


def rejection_reason(expected_width: int) -> Column:
    """The first failed check of a typed row as a reason code; null for a valid row."""
    price_text = empty_to_null(F.col("price"))
    checks: list[Column] = [
        F.col("field_count") != expected_width,
        F.col("event_at").isNull(),
        ~F.col("_event_type").isin(*EVENT_TYPES) | F.col("_event_type").isNull(),
        F.col("_product_id").isNull(),
        F.col("_category_id").isNull(),
        F.col("_user_id").isNull(),
        F.col("session_id").isNull(),
        price_text.isNull(),
        F.col("_price").isNull(),
        F.col("_price") < 0,
    ]
    return first_reason(REASONS, checks)


def with_rejection_reason(typed_df: DataFrame, expected_width: int) -> DataFrame:
    """Typed rows → the same rows with `reason` (null when valid) and `reason_column`."""
    return typed_df.withColumn("reason", rejection_reason(expected_width)).withColumn(
        "reason_column", reason_column(REASONS, F.col("reason"))
    )


# What validate_lines returns: lineage, the raw line (rejected rows only), typed columns, reason.
VALIDATED_COLUMNS: tuple[str, ...] = (
    "source_file",
    "raw_line",
    "event_at",
    "_event_type",
    "_product_id",
    "_category_id",
    "_category_code",
    "_brand",
    "_price",
    "_user_id",
    "session_id",
    "reason",
    "reason_column",
)


def validate_lines(lines_df: DataFrame, layout: Layout) -> DataFrame:
    """Text lines of one layout → one row per line, typed, with its rejection reason."""
    return (
        with_raw_fields(lines_df, layout, RAW_COLUMNS)
        .transform(with_typed_columns)
        .transform(with_rejection_reason, layout.width)
        .transform(keep_raw_line_of_rejected)
        .select(*VALIDATED_COLUMNS)
        .transform(evaluate_once)
    )


def to_staged(validated_df: DataFrame, run_id: str, ingested_at: Column) -> DataFrame:
    """Validated rows → valid rows only, in the staged-events schema with lineage columns."""
    return validated_df.where(F.col("reason").isNull()).select(
        F.col("event_at"),
        F.col("_event_type").alias("event_type"),
        F.col("_product_id").alias("product_id"),
        F.col("_category_id").alias("category_id"),
        F.col("_category_code").alias("category_code"),
        F.col("_brand").alias("brand"),
        F.col("_price").alias("price"),
        F.col("_user_id").alias("user_id"),
        F.col("session_id"),
        F.col("source_file"),
        F.lit(run_id).alias("ingest_run_id"),
        ingested_at.alias("ingested_at"),
        F.to_date(F.col("event_at")).alias(STAGED_DATE),
    )
